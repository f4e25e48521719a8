"""The bundled Grafana dashboards (CONTRACT §9): structure, filters, rates and metric names."""
import importlib.util
import json
import re
from pathlib import Path

import pytest

from contract_metrics import series_names
from promql import check_expressions, metric_names, selectors

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD_DIR = ROOT / "dashboards"
EXPECTED = {"sexton-overview.json": ("sexton-overview", "Sexton / Overview"),
            "sexton-cleanup.json": ("sexton-cleanup", "Sexton / Cleanup")}
PANEL_TYPES = {"timeseries", "stat", "heatmap", "state-timeline", "bargauge", "gauge", "table"}
FILTERS = ('job=~"$job"', 'instance=~"$instance"')


def load(name: str) -> dict:
    return json.loads((DASHBOARD_DIR / name).read_text())


def panels(dashboard: dict) -> list[dict]:
    found, pending = [], list(dashboard["panels"])
    while pending:
        panel = pending.pop(0)
        pending.extend(panel.get("panels", []))
        if panel["type"] != "row":
            found.append(panel)
    return found


def all_queries() -> list[tuple[str, str]]:
    return [(f"{name}: {panel['title']}", t["expr"])
            for name in EXPECTED for panel in panels(load(name)) for t in panel["targets"]]


QUERIES = all_queries()


def test_committed_json_matches_the_generator():
    spec = importlib.util.spec_from_file_location("generate", DASHBOARD_DIR / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    assert set(generate.DASHBOARDS) == set(EXPECTED)
    for name, build in generate.DASHBOARDS.items():
        assert (DASHBOARD_DIR / name).read_text() == generate.render(build), \
            f"{name} is stale: run python3 dashboards/generate.py"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_dashboard_has_a_stable_identity(name):
    dashboard = load(name)
    uid, title = EXPECTED[name]
    assert (dashboard["uid"], dashboard["title"]) == (uid, title)
    assert dashboard["description"]
    assert "sexton" in dashboard["tags"]
    assert dashboard["schemaVersion"] >= 36
    assert "id" not in dashboard, "a fixed numeric id clashes on import; the uid identifies the dashboard"


def test_uids_are_unique():
    uids = [load(name)["uid"] for name in sorted(DASHBOARD_DIR.glob("*.json"))]
    assert len(uids) == len(set(uids))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_dashboard_has_datasource_job_and_instance_variables(name):
    variables = {v["name"]: v for v in load(name)["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    for var, query in (("job", "label_values(sexton_build_info, job)"),
                       ("instance", 'label_values(sexton_build_info{job=~"$job"}, instance)')):
        assert variables[var]["type"] == "query"
        assert variables[var]["query"]["query"] == query
        assert variables[var]["datasource"]["uid"] == "${datasource}"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_panel_has_a_description_a_unit_and_the_datasource_variable(name):
    found = panels(load(name))
    assert found
    for panel in found:
        assert panel["type"] in PANEL_TYPES, panel["title"]
        assert panel["title"] and panel["description"], panel["title"]
        assert panel["fieldConfig"]["defaults"]["unit"], panel["title"]
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        assert panel["targets"], panel["title"]
        assert all(t["datasource"]["uid"] == "${datasource}" for t in panel["targets"])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_panels_have_unique_ids_and_titles_and_fit_the_grid(name):
    items = load(name)["panels"]
    ids = [p["id"] for p in items]
    titles = [p["title"] for p in panels(load(name))]
    assert len(ids) == len(set(ids)) and len(titles) == len(set(titles))
    for item in items:
        grid = item["gridPos"]
        assert grid["x"] + grid["w"] <= 24 and grid["h"] > 0, item["title"]


@pytest.mark.parametrize("where, expr", QUERIES)
def test_every_selector_is_filtered_by_job_and_instance(where, expr):
    found = selectors(expr)
    assert found, where
    assert len(found) == len(metric_names(expr)), f"{where}: a metric without the job/instance filter: {expr}"
    for name, matchers, _, _ in found:
        for required in FILTERS:
            assert required in matchers, f"{where}: {name} lacks {required}"


@pytest.mark.parametrize("where, expr", QUERIES)
def test_counters_are_inside_rate_over_the_rate_interval(where, expr):
    kinds = series_names()
    for name, _, start, end in selectors(expr):
        if kinds.get(name) != "counter":
            continue
        assert re.search(r"\b(rate|increase)\(\s*$", expr[:start]), f"{where}: {name} is not rated"
        assert expr[end:].startswith("[$__rate_interval])"), f"{where}: {name} is not over $__rate_interval"


@pytest.mark.parametrize("where, expr", QUERIES)
def test_queries_use_only_contract_metrics(where, expr):
    unknown = set(metric_names(expr)) - set(series_names())
    assert not unknown, f"{where}: {unknown}"


def test_every_query_parses():
    exprs = [expr.replace("$__rate_interval", "1m") for _, expr in QUERIES]
    result = check_expressions(exprs)
    assert result.returncode == 0, result.stdout + result.stderr


def test_heatmaps_read_histogram_buckets_by_le():
    heatmaps = [p for name in EXPECTED for p in panels(load(name)) if p["type"] == "heatmap"]
    assert len(heatmaps) >= 2
    for panel in heatmaps:
        (t,) = panel["targets"]
        assert t["format"] == "heatmap" and t["legendFormat"] == "{{le}}"
        assert "sum by (le) (rate(" in t["expr"] and "_bucket{" in t["expr"]
        assert panel["options"]["calculate"] is False


def used_metrics(name: str) -> set[str]:
    return {m for p in panels(load(name)) for t in p["targets"] for m in metric_names(t["expr"])}


def test_overview_covers_health_conflicts_and_operations():
    assert used_metrics("sexton-overview.json") >= {
        "sexton_health_status", "sexton_health_check_state", "sexton_conflicts_detected_total",
        "sexton_conflict_resolution_duration_seconds_bucket", "sexton_operations_per_conflict_bucket",
        "sexton_operations_admitted_total", "sexton_operations_rejected_total", "sexton_preemptions_total",
        "sexton_grace_period_saves_total", "sexton_staged_operations", "sexton_active_operations",
        "sexton_http_requests_total"}


def test_cleanup_covers_zombies_strategies_and_adaptive_triggers():
    assert used_metrics("sexton-cleanup.json") >= {
        "sexton_zombies", "sexton_oldest_zombie_age_seconds", "sexton_cleanup_duration_seconds_bucket",
        "sexton_zombies_cleaned_total", "sexton_cleanup_failures_total", "sexton_cleanup_backlog",
        "sexton_zombie_age_at_cleanup_seconds_bucket", "sexton_memory_pressure_ratio",
        "sexton_memory_pressure_triggered_cleanups_total", "sexton_forced_cleanups_total",
        "sexton_cleanup_worker_up", "sexton_cleanup_runs_total"}


def by_title(name: str, title: str) -> dict:
    (panel,) = [p for p in panels(load(name)) if p["title"] == title]
    return panel


def mapping_texts(panel: dict) -> dict[str, str]:
    (mapping,) = panel["fieldConfig"]["defaults"]["mappings"]
    return {value: option["text"] for value, option in mapping["options"].items()}


def test_health_panels_name_the_states():
    states = {"0": "healthy", "1": "degraded", "2": "unhealthy"}
    assert mapping_texts(by_title("sexton-overview.json", "Status")) == states
    assert mapping_texts(by_title("sexton-overview.json", "Health status over time")) == states
    assert mapping_texts(by_title("sexton-overview.json", "Health checks")) == {"0": "ok", "1": "warn", "2": "fail"}


def test_memory_pressure_panel_shows_the_cleanup_threshold():
    panel = by_title("sexton-cleanup.json", "Memory pressure by instance")
    defaults = panel["fieldConfig"]["defaults"]
    assert defaults["unit"] == "percentunit"
    assert 0.8 in [step["value"] for step in defaults["thresholds"]["steps"]]
    assert defaults["custom"]["thresholdsStyle"]["mode"] != "off"


def test_latency_panels_are_percentiles_by_strategy():
    exprs = [t["expr"] for t in by_title("sexton-cleanup.json", "Cleanup latency by strategy")["targets"]]
    assert any(e.startswith("histogram_quantile(0.99, sum by (strategy, le)") for e in exprs)
