"""The metric families of CONTRACT §6 and the histogram buckets decided for them.

Kept in the repo rather than parsed from the contract so the tests run from a plain clone.
"""
import json
from pathlib import Path

# name -> (type, labels); the one list every test reads, Swift's included.
FAMILIES: dict[str, tuple[str, tuple[str, ...]]] = {
    name: (family["type"], tuple(family["labels"]))
    for name, family in json.loads((Path(__file__).resolve().parents[1] / "contract" / "metric_families.json").read_text()).items()
}

# Series Prometheus itself attaches to every scrape target.
SYNTHETIC = {"up"}

BUCKETS: dict[str, tuple[float, ...]] = {
    "sexton_conflict_resolution_duration_seconds": (
        1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 0.01, 0.025, 0.05, 0.1),
    "sexton_cleanup_duration_seconds": (
        1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 0.01, 0.05, 0.1, 0.5, 1, 5, 10),
    "sexton_zombie_age_at_cleanup_seconds": (
        1, 10, 30, 60, 300, 600, 1800, 3600, 7200, 21600, 43200, 86400, 172800, 259200, 604800),
    "sexton_operations_per_conflict": (2, 3, 4, 5, 6, 8, 12, 16, 24, 32, 48, 64),
    "sexton_store_request_duration_seconds": (
        2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
}


def series_names() -> dict[str, str]:
    """Every series name a query may use, mapped to the family's type ("counter" for _bucket/_count/_sum)."""
    names = {name: kind for name, (kind, _) in FAMILIES.items() if kind != "histogram"}
    for name, (kind, _) in FAMILIES.items():
        if kind == "histogram":
            names.update({f"{name}_{suffix}": "counter" for suffix in ("bucket", "count", "sum")})
    names.update({name: "gauge" for name in SYNTHETIC})
    return names
