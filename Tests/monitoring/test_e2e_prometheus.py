"""End to end: a real Prometheus scrapes real sidecars, evaluates the bundled alerts, and answers
every dashboard query.

One sidecar is driven by this test into degraded and then unhealthy (low health thresholds and
a few failed operations, kept as zombies by the `none` strategy); a second runs the demo workload
so every dashboard panel has data.
"""
import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from sexton_process import ROOT, Sexton

ALERTS = sorted(str(p) for p in (ROOT / "alerts").glob("*.yml"))
DASHBOARDS = sorted((ROOT / "dashboards").glob("*.json"))

DRIVEN_CONFIG = """
coordinator:
  grace_period: 0s
cleanup:
  strategy: none
health:
  zombie_count_warn: 0
  zombie_count_fail: 2
"""

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method: str, url: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def fail_one_operation(sexton: Sexton, target: str) -> None:
    """Admit, start and fail an operation: a zombie with reason `failed`."""
    status, admitted = http("POST", f"http://{sexton.api}/v1/operations", {"target": target})
    assert status == 200, admitted
    op = admitted["id"]
    assert http("POST", f"http://{sexton.api}/v1/operations/{op}/start")[0] == 200
    status, body = http("POST", f"http://{sexton.api}/v1/operations/{op}/complete", {"outcome": "failed", "error": "e2e"})
    assert status == 200, body


class Prometheus:
    def __init__(self, targets: list[str]):
        self.dir = Path(tempfile.mkdtemp(prefix="sexton-e2e-"))
        self.port = free_port()
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": ALERTS,
            "scrape_configs": [{"job_name": "sexton", "static_configs": [{"targets": targets}]}],
        }
        (self.dir / "prometheus.yml").write_text(json.dumps(config))
        self.proc = subprocess.Popen(
            ["prometheus", f"--config.file={self.dir / 'prometheus.yml'}", f"--storage.tsdb.path={self.dir / 'data'}",
             f"--web.listen-address=127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.wait_for(lambda: self.ready(), 60, "prometheus to be ready")

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def api(self, path: str, **params) -> dict:
        url = f"http://127.0.0.1:{self.port}/api/v1/{path}?" + urllib.parse.urlencode(params)
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.loads(response.read())

    def alert_states(self, instance: str) -> dict[str, str]:
        alerts = self.api("alerts")["data"]["alerts"]
        return {a["labels"]["alertname"]: a["state"] for a in alerts if a["labels"].get("instance") == instance}

    @staticmethod
    def wait_for(condition, seconds: float, what: str):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            result = condition()
            if result:
                return result
            time.sleep(0.5)
        raise AssertionError(f"timed out waiting for {what}")

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=15)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def stack():
    with Sexton(config=DRIVEN_CONFIG) as driven, Sexton("--demo") as demo:
        prometheus = Prometheus([driven.telemetry, demo.telemetry])
        try:
            yield prometheus, driven, demo
        finally:
            prometheus.close()


def test_driven_sidecar_goes_degraded_then_unhealthy(stack):
    prometheus, driven, _ = stack
    instance = driven.telemetry
    prometheus.wait_for(lambda: prometheus.api("query", query=f'sexton_health_status{{instance="{instance}"}}')["data"]["result"],
                        30, "the first scrape")
    assert "SextonDegraded" not in prometheus.alert_states(instance)

    fail_one_operation(driven, "e2e-a")
    states = prometheus.wait_for(lambda: (s := prometheus.alert_states(instance)).get("SextonDegraded") and s, 60,
                                 "SextonDegraded")
    assert states["SextonDegraded"] in ("pending", "firing")
    assert "SextonUnhealthy" not in states

    fail_one_operation(driven, "e2e-b")
    fail_one_operation(driven, "e2e-c")
    states = prometheus.wait_for(lambda: (s := prometheus.alert_states(instance)).get("SextonUnhealthy") and s, 60,
                                 "SextonUnhealthy")
    assert states["SextonUnhealthy"] in ("pending", "firing")
    value = prometheus.api("query", query=f'sexton_health_status{{instance="{instance}"}}')["data"]["result"][0]["value"][1]
    assert value == "2"


def panel_queries():
    for path in DASHBOARDS:
        dashboard = json.loads(path.read_text())
        panels = list(dashboard.get("panels", []))
        while panels:
            panel = panels.pop()
            panels.extend(panel.get("panels", []))
            for target in panel.get("targets", []):
                if target.get("expr"):
                    yield f"{path.name}: {panel.get('title')}", target["expr"]


def substitute(expr: str, instance: str) -> str:
    for name, value in (("job", "sexton"), ("instance", instance), ("__rate_interval", "30s"),
                        ("__interval", "5s"), ("datasource", "prometheus")):
        expr = expr.replace("${%s}" % name, value).replace("$" + name, value)
    return expr


def test_every_dashboard_query_parses_and_returns_data(stack):
    prometheus, _, demo = stack
    queries = list(panel_queries())
    assert queries, "no dashboard queries found"
    instance = demo.telemetry
    # Rates need a few samples; the demo workload fills every family within seconds.
    prometheus.wait_for(lambda: prometheus.api("query", query=f'sexton_operations_admitted_total{{instance="{instance}"}} > 0')["data"]["result"],
                        60, "the demo workload to show up")
    time.sleep(10)
    empty = []
    for where, expr in queries:
        response = prometheus.api("query", query=substitute(expr, instance))
        assert response["status"] == "success", f"{where}: {expr}"
        if not response["data"]["result"]:
            empty.append(f"{where}: {expr}")
    assert not empty, "queries without data:\n" + "\n".join(empty)
