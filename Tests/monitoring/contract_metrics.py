"""The metric families of CONTRACT §6 and the histogram buckets decided for them.

Kept here rather than parsed from the contract so the monitoring tests run from a plain clone.
"""

# name -> (type, labels)
FAMILIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "sexton_operations_submitted_total": ("counter", ("priority",)),
    "sexton_operations_admitted_total": ("counter", ()),
    "sexton_operations_rejected_total": ("counter", ("stage", "reason")),
    "sexton_operations_completed_total": ("counter", ("outcome",)),
    "sexton_conflicts_detected_total": ("counter", ()),
    "sexton_conflicts_resolved_total": ("counter", ()),
    "sexton_conflict_resolution_duration_seconds": ("histogram", ()),
    "sexton_operations_per_conflict": ("histogram", ()),
    "sexton_grace_period_saves_total": ("counter", ()),
    "sexton_preemptions_total": ("counter", ()),
    "sexton_staged_operations": ("gauge", ()),
    "sexton_active_operations": ("gauge", ()),
    "sexton_registry_entities": ("gauge", ()),
    "sexton_zombies": ("gauge", ("target_type",)),
    "sexton_oldest_zombie_age_seconds": ("gauge", ()),
    "sexton_zombies_created_total": ("counter", ("reason",)),
    "sexton_zombies_cleaned_total": ("counter", ("strategy",)),
    "sexton_zombie_age_at_cleanup_seconds": ("histogram", ("strategy",)),
    "sexton_cleanup_duration_seconds": ("histogram", ("strategy",)),
    "sexton_cleanup_failures_total": ("counter", ("strategy",)),
    "sexton_cleanup_backlog": ("gauge", ()),
    "sexton_cleanup_runs_total": ("counter", ("trigger", "dry_run")),
    "sexton_cleanup_last_run_timestamp_seconds": ("gauge", ()),
    "sexton_cleanup_worker_up": ("gauge", ()),
    "sexton_memory_pressure_triggered_cleanups_total": ("counter", ()),
    "sexton_forced_cleanups_total": ("counter", ()),
    "sexton_memory_pressure_ratio": ("gauge", ()),
    "sexton_health_status": ("gauge", ()),
    "sexton_health_check_state": ("gauge", ("check",)),
    "sexton_http_requests_total": ("counter", ("listener", "route", "code")),
    "sexton_build_info": ("gauge", ("version", "swift_version")),
    "sexton_store_info": ("gauge", ("backend", "replica")),
    "sexton_store_up": ("gauge", ()),
    "sexton_store_request_duration_seconds": ("histogram", ("operation",)),
    "sexton_store_errors_total": ("counter", ("operation",)),
    "process_cpu_seconds_total": ("counter", ()),
    "process_resident_memory_bytes": ("gauge", ()),
    "process_virtual_memory_bytes": ("gauge", ()),
    "process_open_fds": ("gauge", ()),
    "process_max_fds": ("gauge", ()),
    "process_start_time_seconds": ("gauge", ()),
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
