"""End to end: a real Prometheus scrapes real sidecars, evaluates the bundled alerts, and answers
every dashboard query.

One sidecar is driven by this test into degraded and then unhealthy (low health thresholds and
a few failed operations, kept as zombies by the `none` strategy); a second runs the demo workload
so every dashboard panel has data.
"""
import json
import time

import pytest

from e2e_support import DRIVEN_CONFIG, Prometheus, fail_one_operation, wait_for
from sexton_process import ROOT, Sexton

DASHBOARDS = sorted((ROOT / "dashboards").glob("*.json"))


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
    wait_for(lambda: prometheus.api("query", query=f'sexton_health_status{{instance="{instance}"}}')["data"]["result"],
                        30, "the first scrape")
    assert "SextonDegraded" not in prometheus.alert_states(instance)

    fail_one_operation(driven, "e2e-a")
    states = wait_for(lambda: (s := prometheus.alert_states(instance)).get("SextonDegraded") and s, 60,
                                 "SextonDegraded")
    assert states["SextonDegraded"] in ("pending", "firing")
    assert "SextonUnhealthy" not in states

    fail_one_operation(driven, "e2e-b")
    fail_one_operation(driven, "e2e-c")
    states = wait_for(lambda: (s := prometheus.alert_states(instance)).get("SextonUnhealthy") and s, 60,
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
    wait_for(lambda: prometheus.api("query", query=f'sexton_operations_admitted_total{{instance="{instance}"}} > 0')["data"]["result"],
                        60, "the demo workload to show up")
    time.sleep(10)
    empty = []
    for where, expr in queries:
        response = prometheus.api("query", query=substitute(expr, instance))
        assert response["status"] == "success", f"{where}: {expr}"
        if not response["data"]["result"]:
            empty.append(f"{where}: {expr}")
    assert not empty, "queries without data:\n" + "\n".join(empty)
