"""What the end-to-end tests share: a real Prometheus, HTTP calls to a sidecar, and a failed
operation to push its health down."""
import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from sexton_process import ROOT, Sexton

ALERTS = sorted(str(p) for p in (ROOT / "alerts").glob("*.yml"))

# A sidecar the tests drive: every failed operation stays a zombie; one makes it degraded, two
# unhealthy.
DRIVEN_CONFIG = """
coordinator:
  grace_period: 0s
cleanup:
  strategy: none
health:
  zombie_count_warn: 0
  zombie_count_fail: 2
"""


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def answers(url: str) -> bool:
    """Whether `url` answers 200 (a server's readiness endpoint)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method: str, url: str, body: dict | None = None, headers: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
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
    """A real Prometheus scraping `targets` every second with `rule_files`, sending alerts to
    `alertmanager` (host:port) when given."""

    def __init__(self, targets: list[str], rule_files: list[str] = ALERTS, alertmanager: str | None = None):
        self.dir = Path(tempfile.mkdtemp(prefix="sexton-e2e-"))
        self.port = free_port()
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": rule_files,
            "scrape_configs": [{"job_name": "sexton", "static_configs": [{"targets": targets}]}],
        }
        if alertmanager:
            config["alerting"] = {"alertmanagers": [{"static_configs": [{"targets": [alertmanager]}]}]}
        (self.dir / "prometheus.yml").write_text(json.dumps(config))
        self.proc = subprocess.Popen(
            ["prometheus", f"--config.file={self.dir / 'prometheus.yml'}", f"--storage.tsdb.path={self.dir / 'data'}",
             f"--web.listen-address=127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: answers(f"http://127.0.0.1:{self.port}/-/ready"), 60, "prometheus to be ready")

    def api(self, path: str, **params) -> dict:
        url = f"http://127.0.0.1:{self.port}/api/v1/{path}?" + urllib.parse.urlencode(params)
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.loads(response.read())

    def alert_states(self, instance: str) -> dict[str, str]:
        alerts = self.api("alerts")["data"]["alerts"]
        return {a["labels"]["alertname"]: a["state"] for a in alerts if a["labels"].get("instance") == instance}

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=15)
        shutil.rmtree(self.dir, ignore_errors=True)
