#!/usr/bin/env python3
"""Writes the bundled Grafana dashboards (sexton-*.json) next to this file.

The JSON files are committed so users can import them as they are; edit this generator and
rerun it (`python3 dashboards/generate.py`) rather than the JSON: a test checks they agree.
Dashboards are generated because every panel shares the same datasource, filters and layout
rules, which hand-written JSON would repeat dozens of times.
"""
import json
from pathlib import Path

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
FILTER = 'job=~"$job", instance=~"$instance"'

HEALTH_MAPPINGS = [{"type": "value", "options": {
    "0": {"text": "healthy", "color": "green", "index": 0},
    "1": {"text": "degraded", "color": "orange", "index": 1},
    "2": {"text": "unhealthy", "color": "red", "index": 2},
}}]
CHECK_MAPPINGS = [{"type": "value", "options": {
    "0": {"text": "ok", "color": "green", "index": 0},
    "1": {"text": "warn", "color": "orange", "index": 1},
    "2": {"text": "fail", "color": "red", "index": 2},
}}]
UP_MAPPINGS = [{"type": "value", "options": {
    "0": {"text": "down", "color": "red", "index": 0},
    "1": {"text": "up", "color": "green", "index": 1},
}}]


def sel(metric: str, extra: str = "") -> str:
    """A selector carrying the dashboard's job and instance filters."""
    return f"{metric}{{{FILTER}{', ' + extra if extra else ''}}}"


def rate(metric: str, extra: str = "") -> str:
    return f"rate({sel(metric, extra)}[$__rate_interval])"


def quantile(q: float, histogram: str, by: str = "") -> str:
    keys = f"{by}, le" if by else "le"
    return f"histogram_quantile({q}, sum by ({keys}) ({rate(histogram + '_bucket')}))"


def mean(histogram: str) -> str:
    return f"sum({rate(histogram + '_sum')}) / sum({rate(histogram + '_count')})"


def target(expr: str, legend: str = "__auto", **extra) -> dict:
    return {"datasource": DATASOURCE, "expr": expr, "legendFormat": legend, **extra}


def thresholds(*steps: tuple[float, str]) -> dict:
    return {"mode": "absolute", "steps": [{"color": "green", "value": None}]
            + [{"color": color, "value": value} for value, color in steps]}


def panel(kind: str, title: str, description: str, unit: str, targets: list[dict], width: int, height: int,
          defaults: dict | None = None, options: dict | None = None) -> dict:
    for ref, t in zip("ABCDEFGH", targets):
        t["refId"] = ref
    return {
        "type": kind,
        "title": title,
        "description": description,
        "datasource": DATASOURCE,
        "gridPos": {"w": width, "h": height},
        "fieldConfig": {"defaults": {"unit": unit, **(defaults or {})}, "overrides": []},
        "options": options or {},
        "targets": targets,
    }


def timeseries(title: str, description: str, unit: str, targets: list[dict], width: int = 12,
               steps: tuple = (), stack: bool = False, minimum: float | None = 0, maximum: float | None = None) -> dict:
    custom = {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 10, "showPoints": "never",
              "spanNulls": False, "stacking": {"mode": "normal" if stack else "none", "group": "A"},
              "thresholdsStyle": {"mode": "dashed" if steps else "off"}}
    defaults = {"custom": custom, "color": {"mode": "palette-classic"}, "thresholds": thresholds(*steps)}
    if minimum is not None:
        defaults["min"] = minimum
    if maximum is not None:
        defaults["max"] = maximum
    options = {"legend": {"displayMode": "table", "placement": "bottom", "calcs": ["mean", "max", "lastNotNull"]},
               "tooltip": {"mode": "multi", "sort": "desc"}}
    return panel("timeseries", title, description, unit, targets, width, 8, defaults, options)


def stat(title: str, description: str, unit: str, expr: str, steps: tuple = (), mappings: list | None = None,
         legend: str = "__auto", text_mode: str = "value", width: int = 6) -> dict:
    defaults = {"color": {"mode": "thresholds"}, "thresholds": thresholds(*steps), "mappings": mappings or []}
    options = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
               "colorMode": "background", "graphMode": "none", "textMode": text_mode, "justifyMode": "center"}
    return panel("stat", title, description, unit, [target(expr, legend, instant=True)], width, 4, defaults, options)


def state_timeline(title: str, description: str, expr: str, legend: str, mappings: list, height: int = 6) -> dict:
    defaults = {"color": {"mode": "thresholds"}, "thresholds": thresholds(), "mappings": mappings,
                "custom": {"fillOpacity": 80, "lineWidth": 0}}
    options = {"showValue": "never", "mergeValues": True, "rowHeight": 0.9, "alignValue": "left",
               "legend": {"showLegend": True, "displayMode": "list", "placement": "bottom"},
               "tooltip": {"mode": "single", "sort": "none"}}
    return panel("state-timeline", title, description, "none", [target(expr, legend)], 24, height, defaults, options)


def heatmap(title: str, description: str, histogram: str, width: int = 12) -> dict:
    expr = f"sum by (le) ({rate(histogram + '_bucket')})"
    options = {"calculate": False, "cellGap": 1, "yAxis": {"unit": "s", "axisPlacement": "left"},
               "rowsFrame": {"layout": "le"}, "cellValues": {"unit": "ops"},
               "color": {"mode": "scheme", "scheme": "Spectral", "steps": 64, "exponent": 0.5, "fill": "dark-orange"},
               "tooltip": {"show": True, "yHistogram": True}, "legend": {"show": True}}
    defaults = {"custom": {"scaleDistribution": {"type": "linear"}}}
    return panel("heatmap", title, description, "s",
                 [target(expr, "{{le}}", format="heatmap")], width, 8, defaults, options)


def row(title: str, *panels: dict) -> list[dict]:
    return [{"type": "row", "title": title, "collapsed": False, "panels": [], "gridPos": {"w": 24, "h": 1}},
            *panels]


def layout(items: list[dict]) -> list[dict]:
    """Gives panels ids and positions: left to right, wrapping at 24 columns, rows on their own line."""
    x = y = line_height = 0
    for number, item in enumerate(items, start=1):
        grid = item["gridPos"]
        if item["type"] == "row" or x + grid["w"] > 24:
            x, y, line_height = 0, y + line_height, 0
        grid.update(x=x, y=y)
        item["id"] = number
        x += grid["w"]
        line_height = max(line_height, grid["h"])
        if item["type"] == "row":
            x, y, line_height = 0, y + grid["h"], 0
    return items


def variable(name: str, label: str, query: str) -> dict:
    return {"name": name, "label": label, "type": "query", "datasource": DATASOURCE,
            "query": {"query": query, "refId": f"{name}-variable"}, "definition": query,
            "refresh": 2, "sort": 1, "multi": True, "includeAll": True, "current": {}, "hide": 0,
            "regex": "", "options": []}


def dashboard(uid: str, title: str, description: str, panels: list[dict]) -> dict:
    return {
        "uid": uid,
        "title": title,
        "description": description,
        "tags": ["sexton"],
        "editable": True,
        "graphTooltip": 1,
        "refresh": "30s",
        "time": {"from": "now-1h", "to": "now"},
        "timezone": "",
        "schemaVersion": 39,
        "version": 1,
        "links": [{"type": "dashboards", "tags": ["sexton"], "title": "Sexton", "asDropdown": True,
                   "includeVars": True, "keepTime": True}],
        "annotations": {"list": [{"builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
                                  "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
                                  "name": "Annotations & Alerts", "type": "dashboard"}]},
        "templating": {"list": [
            {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus",
             "current": {}, "hide": 0, "refresh": 1, "regex": "", "includeAll": False, "multi": False},
            variable("job", "Job", "label_values(sexton_build_info, job)"),
            variable("instance", "Instance", 'label_values(sexton_build_info{job=~"$job"}, instance)'),
        ]},
        "panels": layout(panels),
    }


def overview() -> dict:
    conflict_time = "sexton_conflict_resolution_duration_seconds"
    per_conflict = "sexton_operations_per_conflict"
    return dashboard(
        "sexton-overview", "Sexton / Overview",
        "Health, conflict resolution and operation flow of the Sexton sidecars selected by job and instance.",
        [
            *row("Health",
                 stat("Status", "Worst health status of the selected instances: healthy (every check ok), degraded "
                      "(a check warns), unhealthy (a check fails, or three or more warn). GET /health on an "
                      "instance says why.", "none", f"max({sel('sexton_health_status')})", mappings=HEALTH_MAPPINGS),
                 stat("Instances up", "Selected instances that answered their last scrape.", "none",
                      f"sum({sel('up')})", steps=((0, "red"), (1, "green"))),
                 stat("Version", "Sexton versions running among the selected instances, with the number of "
                      "instances on each.", "none",
                      f"count by (version, swift_version) ({sel('sexton_build_info')})",
                      legend="{{version}} (Swift {{swift_version}})", text_mode="value_and_name",
                      steps=((0, "blue"),)),
                 stat("Uptime", "Time since the most recently started selected instance started.", "s",
                      f"min(time() - {sel('process_start_time_seconds')})", steps=((0, "orange"), (600, "green"))),
                 state_timeline("Health status over time", "sexton_health_status per instance: 0 healthy, "
                                "1 degraded (alert SextonDegraded after 10m), 2 unhealthy (alert SextonUnhealthy "
                                "after 5m).", sel("sexton_health_status"), "{{instance}}", HEALTH_MAPPINGS),
                 state_timeline("Health checks", "Worst state of each health check across the selected instances "
                                "(sexton_health_check_state): 0 ok, 1 warn, 2 fail. Thresholds are the health: "
                                "section of the configuration.", f"max by (check) ({sel('sexton_health_check_state')})",
                                "{{check}}", CHECK_MAPPINGS, height=8)),
            *row("Conflicts",
                 timeseries("Conflict rate", "Resolutions where more than one operation competed for a target "
                            "(a batch of two or more, or a batch that met an active operation), detected and "
                            "resolved per second.", "cps",
                            [target(f"sum({rate('sexton_conflicts_detected_total')})", "detected"),
                             target(f"sum({rate('sexton_conflicts_resolved_total')})", "resolved")], width=8),
                 timeseries("Conflict resolution time", "Percentiles and mean of the time to resolve a conflict. "
                            "The objective is p99 under 100ms (dashed line, alert SextonConflictResolutionSlow). "
                            "The highest bucket is 100ms, so slower resolutions show as 100ms.", "s",
                            [target(quantile(0.5, conflict_time), "p50"), target(quantile(0.9, conflict_time), "p90"),
                             target(quantile(0.99, conflict_time), "p99"), target(mean(conflict_time), "mean")],
                            width=8, steps=((0.1, "red"),)),
                 heatmap("Conflict resolution time distribution", "Conflict resolutions per second in each "
                         "duration bucket of sexton_conflict_resolution_duration_seconds.", conflict_time, width=8),
                 timeseries("Operations per conflict", "How many operations competed in a conflict: percentiles "
                            "and mean of sexton_operations_per_conflict.", "short",
                            [target(quantile(0.5, per_conflict), "p50"), target(quantile(0.9, per_conflict), "p90"),
                             target(quantile(0.99, per_conflict), "p99"), target(mean(per_conflict), "mean")]),
                 timeseries("Grace-period saves and preemptions", "Active operations kept because they were "
                            "younger than grace_period (saves), and active operations preempted by a higher "
                            "priority (each preemption makes a zombie), per second.", "ops",
                            [target(f"sum({rate('sexton_grace_period_saves_total')})", "grace-period saves"),
                             target(f"sum({rate('sexton_preemptions_total')})", "preemptions")])),
            *row("Operations",
                 timeseries("Submissions by priority", "Operations submitted per second, by priority band.", "ops",
                            [target(f"sum by (priority) ({rate('sexton_operations_submitted_total')})",
                                    "{{priority}}")], width=8, stack=True),
                 timeseries("Admissions and rejections", "Operations admitted, and operations rejected by stage "
                            "(staging: lost before entering the registry; registry: preempted while active) and "
                            "reason, per second.", "ops",
                            [target(f"sum({rate('sexton_operations_admitted_total')})", "admitted"),
                             target(f"sum by (stage, reason) ({rate('sexton_operations_rejected_total')})",
                                    "rejected {{stage}}: {{reason}}")], width=8),
                 timeseries("Completions by outcome", "Admitted operations that ended, by outcome, per second. "
                            "failed and expired ones become zombies.", "ops",
                            [target(f"sum by (outcome) ({rate('sexton_operations_completed_total')})",
                                    "{{outcome}}")], width=8, stack=True),
                 timeseries("Staged and active operations", "Operations waiting in staging for their batch to "
                            "resolve, operations active (admitted or executing), and entities in the registry "
                            "(active, recently succeeded and zombies). The largest replica's: with a shared store "
                            "every replica shows the store's values, so a sum would count them once per replica.",
                            "short",
                            [target(f"max({sel('sexton_staged_operations')})", "staged"),
                             target(f"max({sel('sexton_active_operations')})", "active"),
                             target(f"max({sel('sexton_registry_entities')})", "registry entities")]),
                 timeseries("HTTP requests by code", "Requests per second on the API and telemetry listeners, "
                            "by status code. 503 on the API means staging is full or the sidecar is shutting "
                            "down.", "reqps",
                            [target(f"sum by (listener, code) ({rate('sexton_http_requests_total')})",
                                    "{{listener}} {{code}}")], stack=True)),
            *row("Process",
                 timeseries("CPU usage", "CPU time used per second of wall time by each instance (1 = one core).",
                            "percentunit", [target(rate("process_cpu_seconds_total"), "{{instance}}")], width=8),
                 timeseries("Resident memory", "Resident set size of each instance.", "bytes",
                            [target(sel("process_resident_memory_bytes"), "{{instance}}")], width=8),
                 timeseries("File descriptors in use", "Open file descriptors as a share of the process limit; "
                            "each HTTP connection holds one.", "percentunit",
                            [target(f"{sel('process_open_fds')} / {sel('process_max_fds')}", "{{instance}}")],
                            width=8, maximum=1)),
        ])


def cleanup() -> dict:
    cleanup_time = "sexton_cleanup_duration_seconds"
    return dashboard(
        "sexton-cleanup", "Sexton / Cleanup",
        "Zombies, the cleanup engine and its adaptive triggers on the Sexton sidecars selected by job and instance.",
        [
            *row("Summary",
                 stat("Zombies", "Zombies held by the fullest selected instance, or by the shared store every "
                      "replica reports (warn above 1000, fail above 10000 by default).", "short",
                      f"max(sum without (target_type) ({sel('sexton_zombies')}))",
                      steps=((1000, "orange"), (10000, "red")), width=4),
                 stat("Oldest zombie", "Age of the oldest zombie on the selected instances (warn above 24h, fail "
                      "above 72h by default).", "s", f"max({sel('sexton_oldest_zombie_age_seconds')})",
                      steps=((86400, "orange"), (259200, "red")), width=4),
                 stat("Cleanup backlog", "Zombies due for removal that no pass has removed yet (the largest "
                      "instance's).", "short", f"max({sel('sexton_cleanup_backlog')})", width=4),
                 stat("Cleanup worker", "Whether every selected instance runs its cleanup worker.", "none",
                      f"min({sel('sexton_cleanup_worker_up')})", mappings=UP_MAPPINGS, width=4),
                 stat("Memory pressure", "Highest memory pressure ratio among the selected instances (cgroup "
                      "memory.current / memory.max). Cleanup turns immediate above memory_pressure_threshold "
                      "(0.8 by default); health warns above 0.9 and fails above 0.97.", "percentunit",
                      f"max({sel('sexton_memory_pressure_ratio')})",
                      steps=((0.8, "yellow"), (0.9, "orange"), (0.97, "red")), width=4),
                 stat("Since last pass", "Time since the least recent last cleanup pass among the selected "
                      "instances. The worker check fails when it exceeds 3 × check_interval (3m by default).", "s",
                      f"max(time() - {sel('sexton_cleanup_last_run_timestamp_seconds')})",
                      steps=((120, "orange"), (180, "red")), width=4)),
            *row("Zombies",
                 timeseries("Zombies by target type", "Zombies currently held, by target type (types beyond "
                            "max_target_types show as other), the largest instance's (a shared store's, on every "
                            "replica).", "short",
                            [target(f"max by (target_type) ({sel('sexton_zombies')})", "{{target_type}}")],
                            stack=True, steps=((1000, "orange"), (10000, "red"))),
                 timeseries("Oldest zombie age", "Age of the oldest zombie on each instance; dashed lines at the "
                            "24h warn and 72h fail thresholds (alert SextonZombiesTooOld).", "s",
                            [target(f"max by (instance) ({sel('sexton_oldest_zombie_age_seconds')})",
                                    "{{instance}}")], steps=((86400, "orange"), (259200, "red"))),
                 timeseries("Zombies created by reason", "Zombies created per second: operations preempted, "
                            "failed, or expired after admission.", "ops",
                            [target(f"sum by (reason) ({rate('sexton_zombies_created_total')})", "{{reason}}")],
                            stack=True),
                 heatmap("Zombie age at cleanup", "How old zombies were when removed: removals per second in each "
                         "age bucket of sexton_zombie_age_at_cleanup_seconds, all strategies.",
                         "sexton_zombie_age_at_cleanup_seconds")),
            *row("Cleanup",
                 timeseries("Cleanups by strategy", "Zombies removed per second, by the strategy that removed them "
                            "(manual is an operator's purge).", "ops",
                            [target(f"sum by (strategy) ({rate('sexton_zombies_cleaned_total')})", "{{strategy}}")],
                            stack=True),
                 timeseries("Cleanup failures by strategy", "Cleanups that failed per second (a handler errored; "
                            "the zombie is kept and retried), by strategy. Alert SextonCleanupFailing.", "ops",
                            [target(f"sum by (strategy) ({rate('sexton_cleanup_failures_total')})", "{{strategy}}")]),
                 timeseries("Cleanup latency by strategy", "p50 and p99 time to remove one zombie, handlers "
                            "included, by strategy.", "s",
                            [target(quantile(0.5, cleanup_time, "strategy"), "p50 {{strategy}}"),
                             target(quantile(0.99, cleanup_time, "strategy"), "p99 {{strategy}}")]),
                 timeseries("Cleanup backlog by instance", "Zombies due for removal and not yet removed, per instance. A "
                            "backlog that keeps growing means cleanup does not keep up (alert "
                            "SextonCleanupBacklogGrowing).", "short",
                            [target(f"sum by (instance) ({sel('sexton_cleanup_backlog')})", "{{instance}}")]),
                 timeseries("Cleanup runs by trigger", "Cleanup passes per second: the worker's schedule or a "
                            "manual POST /admin/cleanup, and whether it was a dry run.", "cps",
                            [target(f"sum by (trigger, dry_run) ({rate('sexton_cleanup_runs_total')})",
                                    "{{trigger}} (dry run: {{dry_run}})")]),
                 timeseries("Time since last cleanup pass", "Seconds since each instance's last finished cleanup "
                            "pass; dashed line at 3 × the default check_interval, where the worker check fails.",
                            "s", [target(f"time() - {sel('sexton_cleanup_last_run_timestamp_seconds')}",
                                         "{{instance}}")], steps=((180, "red"),)),
                 state_timeline("Cleanup worker up", "Whether each instance's cleanup worker runs "
                                "(sexton_cleanup_worker_up). Alert SextonCleanupWorkerDown.",
                                sel("sexton_cleanup_worker_up"), "{{instance}}", UP_MAPPINGS, height=5)),
            *row("Memory pressure and adaptive cleanup",
                 timeseries("Memory pressure by instance", "Memory pressure ratio per instance. Dashed lines: 0.8, the "
                            "default memory_pressure_threshold above which cleanup turns immediate; 0.9 and 0.97, "
                            "the health warn and fail thresholds (alert SextonMemoryPressureHigh).", "percentunit",
                            [target(f"max by (instance) ({sel('sexton_memory_pressure_ratio')})", "{{instance}}")],
                            steps=((0.8, "yellow"), (0.9, "orange"), (0.97, "red")), maximum=1),
                 timeseries("Adaptive cleanups", "Zombies removed at once per second because memory pressure "
                            "exceeded memory_pressure_threshold, or because the zombie count exceeded "
                            "force_cleanup_threshold (forced).", "ops",
                            [target(f"sum({rate('sexton_memory_pressure_triggered_cleanups_total')})",
                                    "memory pressure"),
                             target(f"sum({rate('sexton_forced_cleanups_total')})", "forced")])),
        ])


DASHBOARDS = {"sexton-overview.json": overview, "sexton-cleanup.json": cleanup}


def render(build) -> str:
    return json.dumps(build(), indent=2) + "\n"


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    for name, build in DASHBOARDS.items():
        (here / name).write_text(render(build))
