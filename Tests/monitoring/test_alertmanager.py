"""Alerts reach on-call: a real Prometheus evaluates the bundled rules against a sidecar driven
unhealthy and sends to a real Alertmanager running the example routing
(deploy/alertmanager/alertmanager.yml), which delivers to this test's webhook receiver.

The shipped `for:` windows (minutes) and Alertmanager's group timings are shortened to a second;
routes, receivers, matchers and inhibit rules are the shipped ones.
"""
import json
import shutil
import subprocess
import tempfile
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from e2e_support import ALERTS, DRIVEN_CONFIG, Prometheus, answers, fail_one_operation, free_port, http, wait_for
from sexton_process import ROOT, Sexton

ROUTING = ROOT / "deploy" / "alertmanager" / "alertmanager.yml"
TOKEN = "alertmanager-test-token"


class Receiver:
    """A webhook receiver: keeps every notification Alertmanager posts, by receiver name (the path)."""

    def __init__(self):
        self.notifications: list[tuple[str, dict]] = []
        received = self.notifications

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((self.path.strip("/"), json.loads(body)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def alerts(self, receiver: str, status: str, alertname: str, instance: str) -> list[dict]:
        return [alert for name, n in list(self.notifications) if name == receiver
                for alert in n["alerts"] if alert["status"] == status
                and alert["labels"]["alertname"] == alertname and alert["labels"].get("instance") == instance]

    def close(self):
        self.server.shutdown()


def routing_for_test(receiver_url: str) -> dict:
    """The shipped routing with every webhook pointed at the receiver and every timing at 1s."""
    config = yaml.safe_load(ROUTING.read_text())
    for receiver in config["receivers"]:
        for webhook in receiver.get("webhook_configs", []):
            webhook["url"] = f"{receiver_url}/{receiver['name']}"
    routes = [config["route"]]
    while routes:
        route = routes.pop()
        for key in ("group_wait", "group_interval", "repeat_interval"):
            if key in route:
                route[key] = "1s"
        routes.extend(route.get("routes", []))
    return config


class Alertmanager:
    def __init__(self, config: dict):
        self.dir = Path(tempfile.mkdtemp(prefix="sexton-am-"))
        (self.dir / "alertmanager.yml").write_text(yaml.safe_dump(config))
        self.address = f"127.0.0.1:{free_port()}"
        self.proc = subprocess.Popen(
            ["prometheus-alertmanager", f"--config.file={self.dir / 'alertmanager.yml'}",
             f"--storage.path={self.dir / 'data'}", f"--web.listen-address={self.address}",
             "--cluster.listen-address="],  # a single Alertmanager: no gossip port
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: answers(f"http://{self.address}/-/ready"), 30, "alertmanager to be ready")

    def alerts(self) -> list[dict]:
        with urllib.request.urlopen(f"http://{self.address}/api/v2/alerts", timeout=5) as r:
            return json.loads(r.read())

    def post(self, alerts: list[dict]) -> None:
        status, _ = http("POST", f"http://{self.address}/api/v2/alerts", alerts)
        assert status == 200

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=15)
        shutil.rmtree(self.dir, ignore_errors=True)


def shortened_rules(directory: Path) -> list[str]:
    """The bundled rule files with every `for:` at 1s."""
    paths = []
    for source in ALERTS:
        rules = yaml.safe_load(Path(source).read_text())
        for group in rules["groups"]:
            for rule in group["rules"]:
                if "for" in rule:
                    rule["for"] = "1s"
        path = directory / Path(source).name
        path.write_text(yaml.safe_dump(rules))
        paths.append(str(path))
    return paths


@pytest.fixture(scope="module")
def stack():
    receiver = Receiver()
    alertmanager = Alertmanager(routing_for_test(receiver.url))
    rules = Path(tempfile.mkdtemp(prefix="sexton-rules-"))
    try:
        with Sexton(config=DRIVEN_CONFIG, env={"SEXTON_ADMIN_TOKEN": TOKEN}) as sexton:
            prometheus = Prometheus([sexton.telemetry], rule_files=shortened_rules(rules),
                                    alertmanager=alertmanager.address)
            try:
                yield receiver, alertmanager, sexton
            finally:
                prometheus.close()
    finally:
        alertmanager.close()
        receiver.close()
        shutil.rmtree(rules, ignore_errors=True)


def test_the_shipped_routing_is_valid():
    checked = subprocess.run(["amtool", "check-config", str(ROUTING)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_unhealthy_pages_with_its_annotations_then_resolves(stack):
    receiver, _, sexton = stack
    instance = sexton.telemetry
    for target in ("am-a", "am-b", "am-c"):
        fail_one_operation(sexton, target)
    (alert, *_) = wait_for(lambda: receiver.alerts("sexton-pager", "firing", "SextonUnhealthy", instance), 60,
                           "SextonUnhealthy at the pager")
    assert alert["labels"]["severity"] == "critical"
    assert alert["labels"]["job"] == "sexton"
    annotations = alert["annotations"]
    assert annotations["summary"] == "Sexton reports an unhealthy status."
    assert instance in annotations["description"]
    assert annotations["runbook_url"].endswith("/docs/runbook.md#sextonunhealthy")
    assert not receiver.alerts("sexton-tickets", "firing", "SextonUnhealthy", instance)

    status, body = http("POST", f"http://{sexton.api}/admin/cleanup?all=true",
                        headers={"Authorization": f"Bearer {TOKEN}"})
    assert status == 200 and body["cleaned"] == 3, body
    (resolved, *_) = wait_for(lambda: receiver.alerts("sexton-pager", "resolved", "SextonUnhealthy", instance), 60,
                              "SextonUnhealthy resolved at the pager")
    assert resolved["endsAt"] >= alert["startsAt"]


def alert(alertname: str, severity: str, instance: str) -> dict:
    return {"labels": {"alertname": alertname, "severity": severity, "job": "sexton", "instance": instance},
            "annotations": {"summary": alertname}}


@pytest.mark.parametrize("source, target", [
    (("SextonUnhealthy", "critical"), ("SextonDegraded", "warning")),
    (("SextonZombieCountHigh", "critical"), ("SextonZombieCountHigh", "warning")),
])
def test_critical_inhibits_its_warning_for_the_same_sidecar(stack, source, target):
    # The shipped expressions never fire SextonUnhealthy and SextonDegraded for one sidecar at
    # once (one health status), so the pair is sent to Alertmanager directly, as a rule change
    # or a second Prometheus could send it. Another sidecar's warning is not inhibited.
    receiver, alertmanager, _ = stack
    inhibited, other = f"inhibited-{source[0]}:1", f"other-{source[0]}:1"
    alertmanager.post([alert(*source, inhibited), alert(*target, inhibited), alert(*target, other)])
    wait_for(lambda: receiver.alerts("sexton-pager", "firing", source[0], inhibited), 30, f"{source[0]} at the pager")
    wait_for(lambda: receiver.alerts("sexton-tickets", "firing", target[0], other), 30, "the other sidecar's warning")

    def state(instance: str) -> dict:
        (found,) = [a for a in alertmanager.alerts() if a["labels"]["instance"] == instance
                    and a["labels"]["severity"] == target[1]]
        return found["status"]
    assert state(inhibited)["state"] == "suppressed" and state(inhibited)["inhibitedBy"]
    assert state(other)["state"] == "active"
    assert not receiver.alerts("sexton-tickets", "firing", target[0], inhibited)
