"""docs/metrics.md and docs/runbook.md: every family documented, every example query valid."""
import re
from pathlib import Path

import pytest

from contract_metrics import BUCKETS, FAMILIES, series_names
from promql import check_expressions, metric_names

ROOT = Path(__file__).resolve().parents[2]
METRICS = ROOT / "docs" / "metrics.md"
RUNBOOK = ROOT / "docs" / "runbook.md"


def table_rows(text: str) -> dict[str, list[str]]:
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) >= 2:
            rows[cells[0].strip("`")] = cells[1:]
    return rows


def sections(path: Path) -> tuple[str, str]:
    """(the metric tables, the bucket table) of metrics.md."""
    families, buckets = path.read_text().split("## Histogram buckets", 1)
    return families, buckets


def promql_examples(path: Path) -> list[str]:
    """Queries of the ```promql blocks; an indented line continues the query above it."""
    queries = []
    for block in re.findall(r"```promql\n(.*?)```", path.read_text(), re.DOTALL):
        for line in block.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if line.startswith(" ") and queries:
                queries[-1] += " " + line.strip()
            else:
                queries.append(line.strip())
    return [q.replace("$__rate_interval", "5m").replace("<instance>", "10.0.0.1:9477") for q in queries]


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_family_is_documented_with_its_type_and_labels(family):
    rows = table_rows(sections(METRICS)[0])
    assert family in rows, family
    kind, labels = FAMILIES[family]
    assert rows[family][0] == kind
    assert [l.strip(" `") for l in rows[family][1].split(",") if l.strip()] == list(labels)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_family_has_an_example_query(family):
    used = {name for q in promql_examples(METRICS) for name in metric_names(q)}
    if FAMILIES[family][0] == "histogram":
        assert f"{family}_bucket" in used or f"{family}_count" in used
    else:
        assert family in used


def test_histogram_buckets_are_documented():
    rows = table_rows(sections(METRICS)[1])
    assert set(rows) == set(BUCKETS)
    for family, buckets in BUCKETS.items():
        documented = [float(b) for b in rows[family][0].split(",")]
        assert documented == [float(b) for b in buckets], family


@pytest.mark.parametrize("doc", [METRICS, RUNBOOK], ids=lambda p: p.name)
def test_example_queries_parse_and_use_contract_metrics(doc):
    queries = promql_examples(doc)
    assert queries
    for query in queries:
        assert set(metric_names(query)) <= set(series_names()), query
    result = check_expressions(queries)
    assert result.returncode == 0, result.stdout + result.stderr
