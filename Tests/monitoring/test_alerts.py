"""The bundled Prometheus alerts (CONTRACT §9): promtool, required fields, runbook, unit-test coverage."""
import re
from pathlib import Path

import pytest
import yaml

from contract_metrics import BUCKETS, series_names
from promql import metric_names, promtool

ROOT = Path(__file__).resolve().parents[2]
RULE_FILES = sorted((ROOT / "alerts").glob("*.yml"))
TEST_FILES = sorted((ROOT / "alerts" / "tests").glob("*.yml"))
RUNBOOK = ROOT / "docs" / "runbook.md"
RUNBOOK_URL = "https://github.com/sexton-sidecar/sexton/blob/main/docs/runbook.md#"
REQUIRED = {"SextonDown", "SextonDegraded", "SextonUnhealthy", "SextonZombieCountHigh", "SextonZombiesTooOld",
            "SextonCleanupWorkerDown", "SextonCleanupFailing", "SextonMemoryPressureHigh",
            "SextonConflictResolutionSlow", "SextonStagingSaturated"}


def alert_rules() -> list[dict]:
    return [rule for path in RULE_FILES for group in yaml.safe_load(path.read_text())["groups"]
            for rule in group["rules"] if "alert" in rule]


RULES = alert_rules()


def rule_id(rule: dict) -> str:
    return f"{rule['alert']}:{rule['labels']['severity']}"


def duration_seconds(text: str) -> int:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    return sum(int(n) * units[u] for n, u in re.findall(r"(\d+)([smhd])", text))


def test_rule_files_exist_and_promtool_finds_them_clean():
    assert RULE_FILES
    for path in RULE_FILES:
        result = promtool("check", "rules", str(path))
        assert result.returncode == 0, result.stdout + result.stderr
        assert "WARNING" not in result.stdout + result.stderr


def test_promtool_unit_tests_pass():
    assert TEST_FILES
    result = promtool("test", "rules", *map(str, TEST_FILES))
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_required_alert_exists():
    assert REQUIRED <= {rule["alert"] for rule in RULES}


def test_rules_are_unique_by_name_and_severity():
    ids = [rule_id(rule) for rule in RULES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("rule", RULES, ids=rule_id)
def test_alert_has_for_severity_and_annotations(rule):
    assert duration_seconds(rule["for"]) >= 60
    assert rule["labels"]["severity"] in ("warning", "critical")
    annotations = rule["annotations"]
    assert set(annotations) >= {"summary", "description", "runbook_url"}
    assert "{{" not in annotations["summary"] and annotations["summary"].endswith(".")
    assert annotations["summary"][0].isupper()
    assert "{{" in annotations["description"] and "$labels" in annotations["description"]
    assert annotations["runbook_url"] == RUNBOOK_URL + rule["alert"].lower()


def test_health_status_severities_follow_the_contract():
    severities = {rule["alert"]: rule["labels"]["severity"] for rule in RULES
                  if rule["alert"] in ("SextonDegraded", "SextonUnhealthy", "SextonDown")}
    assert severities == {"SextonDegraded": "warning", "SextonUnhealthy": "critical", "SextonDown": "critical"}


@pytest.mark.parametrize("rule", RULES, ids=rule_id)
def test_alert_uses_contract_metrics_only(rule):
    unknown = set(metric_names(rule["expr"])) - set(series_names())
    assert not unknown
    assert "$" not in rule["expr"], "dashboard variables have no meaning in a rule"


def test_slow_resolution_alert_reads_an_existing_bucket():
    (rule,) = [r for r in RULES if r["alert"] == "SextonConflictResolutionSlow"]
    (bound,) = re.findall(r'le="([^"]+)"', rule["expr"])
    assert float(bound) in BUCKETS["sexton_conflict_resolution_duration_seconds"]


def runbook_anchors() -> set[str]:
    headings = re.findall(r"^#+\s+(.+?)\s*$", RUNBOOK.read_text(), re.MULTILINE)
    return {re.sub(r"[^a-z0-9 _-]", "", h.lower()).replace(" ", "-") for h in headings}


def test_runbook_has_a_section_for_every_alert():
    anchors = runbook_anchors()
    for rule in RULES:
        assert rule["annotations"]["runbook_url"].split("#", 1)[1] in anchors, rule["alert"]


def test_runbook_documents_the_default_thresholds():
    text = RUNBOOK.read_text()
    for threshold in ("1000", "10000", "24h", "72h", "0.9", "0.97", "100ms", "80%", "0.8"):
        assert threshold in text, threshold


def unit_tests() -> list[dict]:
    return [case for path in TEST_FILES for case in yaml.safe_load(path.read_text())["tests"]]


@pytest.mark.parametrize("rule", RULES, ids=rule_id)
def test_alert_is_unit_tested_silent_before_for_and_firing_after(rule):
    """Some test case shows this rule firing with its annotations, and silent earlier in that case."""
    name, severity = rule["alert"], rule["labels"]["severity"]
    for case in unit_tests():
        checks = [c for c in case["alert_rule_test"] if c["alertname"] == name]
        firing = [duration_seconds(c["eval_time"]) for c in checks
                  if any(a["exp_labels"].get("severity") == severity and
                         set(a.get("exp_annotations", {})) >= {"summary", "description", "runbook_url"}
                         for a in c.get("exp_alerts", []))]
        silent = [duration_seconds(c["eval_time"]) for c in checks if not c.get("exp_alerts")]
        if firing and silent and min(silent) < min(firing):
            return
    pytest.fail(f"no unit test shows {name} ({severity}) silent and then firing")
