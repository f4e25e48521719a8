"""CONTRACT §10 through the real binary: two replicas of `sexton serve` on one throwaway
PostgreSQL are one coordinator."""
import concurrent.futures
import json
import signal
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "monitoring"))
from e2e_support import http, wait_for  # noqa: E402
from postgres_cluster import PostgresCluster  # noqa: E402
from sexton_process import Sexton  # noqa: E402


@pytest.fixture
def cluster():
    cluster = PostgresCluster()
    try:
        yield cluster
    finally:
        cluster.close()


TOKEN = "replica-admin-token"


def replica(cluster: PostgresCluster, name: str, *args: str, config: str | None = None) -> Sexton:
    return Sexton("--store-backend", "postgres", "--store-postgres-url", cluster.url, "--store-replica", name,
                  "--coordinator-staging-window", "300ms", *args, config=config, env={"SEXTON_ADMIN_TOKEN": TOKEN})


def admin(sexton: Sexton, method: str, path: str) -> tuple[int, dict]:
    return http(method, f"http://{sexton.api}{path}", headers={"Authorization": f"Bearer {TOKEN}"})


def make_zombie(sexton: Sexton, op: str, target: str) -> None:
    status, admitted = submit(sexton, id=op, target=target)
    assert status == 200 and admitted["status"] == "admitted", admitted
    assert call(sexton, op, "start")[0] == 200
    assert call(sexton, op, "complete", {"outcome": "failed", "error": "zombie test"})[0] == 200


def probe(url: str, body: dict | None = None) -> tuple[int, str, dict]:
    """Status, text and headers of a GET, or of a POST of `body`."""
    request = urllib.request.Request(url, data=body and json.dumps(body).encode(), method="POST" if body else "GET",
                                     headers={"Content-Type": "application/json"} if body else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def ready(*replicas: Sexton) -> None:
    for sexton in replicas:
        wait_for(lambda: probe(f"http://{sexton.telemetry}/readyz")[0] == 200, 30, f"{sexton.telemetry} ready")


def submit(sexton: Sexton, **body) -> tuple[int, dict]:
    return http("POST", f"http://{sexton.api}/v1/operations", body)


def call(sexton: Sexton, op: str, action: str, body: dict | None = None) -> tuple[int, dict]:
    return http("POST", f"http://{sexton.api}/v1/operations/{op}/{action}", body)


def get(sexton: Sexton, path: str) -> dict:
    status, body = http("GET", f"http://{sexton.api}{path}")
    assert status == 200, body
    return body


def instant(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def test_targets_raced_through_two_replicas_get_one_batch_and_one_winner_each(cluster):
    with replica(cluster, "a") as a, replica(cluster, "b") as b:
        ready(a, b)
        targets = [f"race-{i}" for i in range(60)]

        def race(target: str):
            with concurrent.futures.ThreadPoolExecutor(2) as pair:
                low = pair.submit(submit, a, id=f"a-{target}", target=target, priority="normal")
                high = pair.submit(submit, b, id=f"b-{target}", target=target, priority="high")
                return low.result(), high.result()

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            results = list(pool.map(race, targets))
        for target, ((low_status, low), (high_status, high)) in zip(targets, results):
            assert (low_status, high_status) == (409, 200), (low, high)
            # One batch: the high priority through b won, the other lost to it in staging.
            assert high["status"] == "admitted", high
            assert (low["status"], low["reason"], low["winner"]) == ("rejected", "lost_conflict", f"b-{target}"), low
        assert cluster.sql("SELECT count(*) FROM sexton.operations WHERE status = 'admitted'") == str(len(targets))
        ids = [high["ecs_id"] for _, (_, high) in results]
        assert len(set(ids)) == len(ids), "an entity given twice"


def test_an_operation_submitted_through_one_replica_runs_through_the_other(cluster):
    with replica(cluster, "a") as a, replica(cluster, "b") as b:
        ready(a, b)
        status, admitted = submit(a, target="order-7", priority="high")
        assert status == 200 and admitted["status"] == "admitted", admitted
        op = admitted["id"]
        assert call(b, op, "start")[1]["status"] == "executing"
        assert call(a, op, "heartbeat")[1]["status"] == "executing"
        status, done = call(b, op, "complete", {"outcome": "succeeded"})
        assert status == 200 and done["status"] == "succeeded", done
        assert get(a, "/v1/targets/order-7")["version"] == 1
        assert get(b, f"/v1/operations/{op}")["status"] == "succeeded"
        # Generated ids are unique across replicas.
        generated = [submit(sexton, target=f"ids-{sexton.api}-{i}")[1]["id"] for sexton in (a, b) for i in range(15)]
        assert len(set(generated)) == len(generated)
        # A refusal names the operation's state whichever replica is asked.
        status, refused = call(a, op, "start")
        assert status == 409 and refused["status"] == "succeeded", refused


def test_preemption_across_replicas_leaves_a_zombie_both_list(cluster):
    grace = ("--coordinator-grace-period", "0s")
    with replica(cluster, "a", *grace) as a, replica(cluster, "b", *grace) as b:
        ready(a, b)
        status, first = submit(a, id="slow", target="doc-1", priority="low")
        assert first["status"] == "admitted", first
        assert call(a, "slow", "start")[0] == 200
        status, second = submit(b, id="urgent", target="doc-1", priority="critical")
        assert status == 200 and second["status"] == "admitted", second
        # b resolved the preempting batch, so b counts the preemption; a counted its admission.
        assert b.metric("sexton_preemptions_total") == 1 and a.metric("sexton_preemptions_total") == 0
        assert a.metric("sexton_operations_admitted_total") == 1 and b.metric("sexton_operations_admitted_total") == 1
        status, refused = call(a, "slow", "heartbeat")
        assert status == 409 and (refused["status"], refused["reason"]) == ("rejected", "preempted"), refused
        assert get(a, "/v1/operations/slow")["winner"] == "urgent"
        for sexton in (a, b):
            zombies = get(sexton, "/v1/zombies")["zombies"]
            assert [z["id"] for z in zombies] == ["slow"], zombies
        assert get(b, "/v1/targets/doc-1")["active"]["id"] == "urgent"


def test_a_killed_replicas_operation_is_expired_by_the_other_within_two_seconds_of_its_lease(cluster):
    lease = ("--coordinator-lease-timeout", "1s")
    with replica(cluster, "b", *lease) as b:
        with replica(cluster, "a", *lease) as a:
            ready(a, b)
            status, admitted = submit(a, id="held", target="job-1")
            assert admitted["status"] == "admitted", admitted
            assert call(a, "held", "start")[0] == 200
            a.proc.send_signal(signal.SIGKILL)
            a.proc.wait(timeout=10)
        expired = wait_for(lambda: (v := get(b, "/v1/operations/held"))["status"] == "expired" and v, 15, "the lease to expire")
        late = instant(expired["ended_at"]) - (instant(expired["last_heartbeat_at"]) + 1.0)
        assert 0 <= late <= 2.0, f"expired {late:.3f} s after its lease ran out"
        assert [z["id"] for z in get(b, "/v1/zombies")["zombies"]] == ["held"]
        # The replica that expired it counts it.
        assert b.metric("sexton_operations_completed_total", outcome="expired") == 1
        assert b.metric("sexton_zombies_created_total", reason="expired") == 1


def test_the_store_down_answers_503_then_readiness_and_admissions_come_back(cluster):
    timeout = ("--store-postgres-connect-timeout", "1s")
    with replica(cluster, "a", *timeout) as a, replica(cluster, "b", *timeout) as b:
        ready(a, b)
        assert submit(a, target="before")[1]["status"] == "admitted"
        cluster.stop()
        for sexton in (a, b):
            status, body = submit(sexton, target="during")
            assert status == 503 and body["error"]["code"] == "store_unavailable", body
            assert http("GET", f"http://{sexton.api}/v1/operations/nothing")[0] == 503
            wait_for(lambda: "[-]store failed" in probe(f"http://{sexton.telemetry}/readyz?verbose")[1], 15, "readyz to fail on store")
            assert probe(f"http://{sexton.telemetry}/livez")[0] == 200
            assert sexton.metric("sexton_store_up") == 0
            assert sexton.metric("sexton_health_check_state", check="store") == 2
            assert sexton.metric("sexton_store_errors_total", operation="submit") >= 1
        status, _, headers = probe(f"http://{a.api}/v1/operations", {"target": "x"})
        assert status == 503 and headers.get("Retry-After") == "1"
        cluster.start()
        started = time.monotonic()
        ready(a, b)
        assert time.monotonic() - started < 10
        assert a.metric("sexton_store_up") == 1
        assert a.metric("sexton_store_info", backend="postgres", replica="a") == 1
        for sexton in (a, b):
            status, body = submit(sexton, target=f"after-{sexton.api}")
            assert status == 200 and body["status"] == "admitted", body


def test_the_gauges_of_shared_state_are_store_wide_on_every_replica(cluster):
    with replica(cluster, "a", "--cleanup-strategy", "none") as a, replica(cluster, "b", "--cleanup-strategy", "none") as b:
        ready(a, b)
        # Through a: one operation held, one failed (a zombie); through b: one held.
        assert submit(a, id="held-a", target="g-1")[1]["status"] == "admitted"
        assert submit(a, id="failed-a", target="g-2")[1]["status"] == "admitted"
        assert call(a, "failed-a", "start")[0] == 200
        assert call(a, "failed-a", "complete", {"outcome": "failed", "error": "gauge test"})[0] == 200
        assert submit(b, id="held-b", target="g-3", target_type="order")[1]["status"] == "admitted"
        for sexton in (a, b):
            wait_for(lambda: sexton.metric("sexton_active_operations") == 2.0, 15, f"{sexton.telemetry}: 2 active")
            assert sexton.metric("sexton_zombies", target_type="default") == 1.0
            assert sexton.metric("sexton_registry_entities") == 3.0
            assert sexton.metric("sexton_oldest_zombie_age_seconds") >= 0


def test_replicas_with_different_grace_periods_warn_on_the_store_check(cluster):
    with replica(cluster, "a") as a, replica(cluster, "b", "--coordinator-grace-period", "1s") as b:
        ready(a, b)
        for sexton, expected in ((a, "grace_period: 200ms (a) vs 1s (b)"), (b, "grace_period: 1s (b) vs 200ms (a)")):
            check = wait_for(lambda: (c := get_health(sexton)["checks"]["store"])["message"].startswith("replicas") and c,
                             20, f"{sexton.telemetry}: the store check to name the disagreement")
            assert (check["state"], check["message"]) == ("warn", f"replicas disagree on {expected}"), check
            # A disagreement is a warning, not a reason to leave service.
            assert probe(f"http://{sexton.telemetry}/readyz")[0] == 200


def get_health(sexton: Sexton) -> dict:
    return json.loads(probe(f"http://{sexton.telemetry}/health")[1])


def test_one_prometheus_scraping_two_replicas_counts_nothing_twice(cluster):
    from e2e_support import Prometheus
    with replica(cluster, "a") as a, replica(cluster, "b") as b:
        ready(a, b)
        for sexton, targets in ((a, ["p-1", "p-2"]), (b, ["p-3"])):
            for target in targets:
                assert submit(sexton, target=target)[1]["status"] == "admitted"
        prometheus = Prometheus([a.telemetry, b.telemetry])
        try:
            def value(query: str) -> float | None:
                result = prometheus.api("query", query=query)["data"]["result"]
                return float(result[0]["value"][1]) if result else None
            # Both replicas report the store's 3 active operations; the dashboards take the max.
            wait_for(lambda: value('count(sexton_active_operations == 3)') == 2, 30, "both replicas scraped with 3 active")
            assert value('max(sexton_active_operations{job="sexton"})') == 3
            assert value('max(sexton_registry_entities{job="sexton"})') == 3
            # Counters count what each replica did: summed, each admission once.
            assert value('sum(sexton_operations_admitted_total{job="sexton"})') == 3
            assert value('sum(sexton_store_info{backend="postgres"})') == 2
        finally:
            prometheus.close()


def test_two_replicas_clean_each_shared_zombie_once_and_audit_it_once(cluster, tmp_path):
    def config(name: str) -> str:
        return (f"handlers:\n  audit:\n    type: audit_log\n    path: {tmp_path / name}.jsonl\n"
                "cleanup:\n  strategy: immediate\n  custom_handler: audit\n")
    with replica(cluster, "a", config=config("a")) as a, replica(cluster, "b", config=config("b")) as b:
        ready(a, b)
        ops = [f"z-{i}" for i in range(40)]
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda i: make_zombie((a, b)[i % 2], ops[i], f"zt-{i}"), range(len(ops))))
        for sexton in (a, b):
            wait_for(lambda: get(sexton, "/v1/zombies")["zombies"] == [], 20, f"{sexton.api}: every zombie cleaned")
        lines = [json.loads(line) for name in ("a", "b") if (tmp_path / f"{name}.jsonl").exists()
                 for line in (tmp_path / f"{name}.jsonl").read_text().splitlines()]
        assert sorted(line["id"] for line in lines) == sorted(ops), "each zombie audited once"
        # Counters count what each replica removed; summed over both, each zombie once.
        cleaned = sum(sexton.metric("sexton_zombies_cleaned_total", strategy="immediate") for sexton in (a, b))
        assert cleaned == len(ops)
        assert cluster.sql("SELECT count(*) FROM sexton.entities WHERE holder IS NOT NULL") == "0"


def test_a_purge_on_one_replica_removes_the_zombies_made_through_the_other(cluster):
    none = ("--cleanup-strategy", "none")
    with replica(cluster, "a", *none) as a, replica(cluster, "b", *none) as b:
        ready(a, b)
        for i in range(3):
            make_zombie(a, f"p-{i}", f"pt-{i}")
        # A pass removes nothing a strategy keeps; a dry-run purge reports all three.
        assert admin(b, "POST", "/admin/cleanup")[1]["candidates"] == 0
        status, dry = admin(b, "POST", "/admin/cleanup?all=true&dry_run=true")
        assert status == 200 and (dry["candidates"], dry["cleaned"]) == (3, 0), dry
        assert len(get(a, "/v1/zombies")["zombies"]) == 3
        status, purged = admin(b, "POST", "/admin/cleanup?all=true")
        assert status == 200 and (purged["candidates"], purged["cleaned"], purged["by_strategy"]["manual"]) == (3, 3, 3), purged
        assert get(a, "/v1/zombies")["zombies"] == []
        assert get(a, "/v1/targets/pt-0")["zombies"] == []
        # The store-wide gauges follow on both replicas.
        for sexton in (a, b):
            wait_for(lambda: sexton.metric("sexton_zombies", target_type="default") == 0, 15, f"{sexton.telemetry}: no zombies")
            assert sexton.metric("sexton_registry_entities") == 0
        status, report = admin(a, "GET", "/admin/cleanup/status")
        assert status == 200 and report["zombies"] == 0 and report["worker"]["running"] is True, report


def family_sum(sexton: Sexton, family: str, having: str = "") -> float:
    """The sum of a metric family's samples on one replica, optionally only those whose labels
    contain `having`."""
    _, text, _ = probe(f"http://{sexton.telemetry}/metrics")
    total = 0.0
    for line in text.splitlines():
        name = line.split("{")[0].split(" ")[0]
        if name == family and having in line:
            total += float(line.split()[-1])
    return total


def test_three_replicas_under_random_load_never_admit_two_operations_of_one_target_at_once(cluster):
    import random
    settings = ("--coordinator-staging-window", "20ms", "--coordinator-grace-period", "50ms",
                "--coordinator-lease-timeout", "1s", "--coordinator-history-retention", "1h",
                "--cleanup-strategy", "immediate")
    with replica(cluster, "a", *settings) as a, replica(cluster, "b", *settings) as b, \
            replica(cluster, "c", *settings) as c:
        replicas = (a, b, c)
        ready(*replicas)
        targets = [f"hot-{i}" for i in range(5)]
        seen_admitted: set[str] = set()
        lock = __import__("threading").Lock()
        deadline = time.monotonic() + 15

        def client(seed: int) -> None:
            rng = random.Random(seed)
            while time.monotonic() < deadline:
                via = rng.choice(replicas)
                status, decision = submit(via, target=rng.choice(targets),
                                          priority=rng.choice(["low", "normal", "high", "critical"]))
                assert status in (200, 409), decision
                if decision.get("status") != "admitted":
                    continue
                op = decision["id"]
                with lock:
                    seen_admitted.add(op)
                action = rng.random()
                if action < 0.15:
                    continue  # abandoned: its lease runs out
                if action < 0.3:
                    call(rng.choice(replicas), op, "cancel")
                    continue
                if call(rng.choice(replicas), op, "start")[0] != 200:
                    continue
                if action < 0.4:
                    continue  # abandoned while executing
                time.sleep(rng.uniform(0, 0.05))
                call(rng.choice(replicas), op, "heartbeat")
                outcome = "succeeded" if action < 0.8 else "failed"
                call(rng.choice(replicas), op, "complete", {"outcome": outcome, "error": "random" if outcome == "failed" else None})

        with concurrent.futures.ThreadPoolExecutor(12) as pool:
            for future in [pool.submit(client, seed) for seed in range(12)]:
                future.result()
        # Quiet: every abandoned lease has run out and every zombie is gone.
        for sexton in replicas:
            wait_for(lambda: sexton.metric("sexton_active_operations") == 0 and sexton.metric("sexton_staged_operations") == 0
                     and sexton.metric("sexton_zombies", target_type="default") == 0, 30, f"{sexton.api}: quiet")

        rows = [line.split("|") for line in cluster.sql(
            "SELECT target, id, extract(epoch FROM admitted_at), extract(epoch FROM ended_at) FROM sexton.operations "
            "WHERE admitted_at IS NOT NULL ORDER BY target, admitted_at, ended_at").splitlines()]
        assert {row[1] for row in rows} == seen_admitted, "every admission answered as admitted, and no other"
        assert len(rows) > 100, f"only {len(rows)} admissions: the load did not conflict enough"
        for target in targets:
            held = [(float(start), float(end)) for t, _, start, end in rows if t == target]
            for (_, ended), (admitted, _) in zip(held, held[1:]):
                assert admitted >= ended, f"{target}: an operation admitted at {admitted} while another held it until {ended}"

        def total(family: str, having: str = "") -> float:
            return sum(family_sum(sexton, family, having) for sexton in replicas)
        submitted = total("sexton_operations_submitted_total")
        admitted = total("sexton_operations_admitted_total")
        in_staging = total("sexton_operations_rejected_total", 'stage="staging"')
        assert submitted == admitted + in_staging, (submitted, admitted, in_staging)
        assert admitted == len(rows)
        ended = total("sexton_operations_completed_total") + total("sexton_preemptions_total")
        assert admitted == ended, (admitted, ended)
        created = total("sexton_zombies_created_total")
        assert created == (total("sexton_preemptions_total") + total("sexton_operations_completed_total", 'outcome="failed"')
                           + total("sexton_operations_completed_total", 'outcome="expired"'))
        assert created == total("sexton_zombies_cleaned_total") > 0


def test_the_store_restarted_under_load_loses_no_admission_and_keeps_the_identities(cluster):
    settings = ("--store-postgres-connect-timeout", "1s", "--coordinator-lease-timeout", "0s")
    with replica(cluster, "a", *settings) as a, replica(cluster, "b", *settings) as b:
        ready(a, b)
        seen_admitted: set[str] = set()
        answers = {200: 0, 409: 0, 503: 0}
        lock = __import__("threading").Lock()
        stop = time.monotonic() + 12

        def client(n: int) -> None:
            i = 0
            while time.monotonic() < stop:
                i += 1
                status, decision = submit((a, b)[i % 2], target=f"r-{n}-{i % 7}")
                with lock:
                    answers[status] = answers.get(status, 0) + 1
                    if status == 200:
                        seen_admitted.add(decision["id"])
                if status == 503:
                    time.sleep(0.05)

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(client, n) for n in range(8)]
            time.sleep(3)
            cluster.stop()
            time.sleep(3)
            cluster.start()
            for future in futures:
                future.result()
        assert answers[503] > 0 and answers[200] > 0, answers
        for sexton in (a, b):
            wait_for(lambda: sexton.metric("sexton_staged_operations") == 0, 20, f"{sexton.api}: nothing staged")
        admitted_rows = set(cluster.sql(
            "SELECT id FROM sexton.operations WHERE admitted_at IS NOT NULL").split())
        assert seen_admitted <= admitted_rows, f"answered admitted but not in the store: {seen_admitted - admitted_rows}"
        twice = cluster.sql(
            "SELECT count(*) FROM sexton.operations x JOIN sexton.operations y ON x.target = y.target AND x.id < y.id "
            "WHERE x.status IN ('admitted', 'executing') AND y.status IN ('admitted', 'executing')")
        assert twice == "0", "a target admitted twice"

        def total(family: str, having: str = "") -> float:
            return sum(family_sum(sexton, family, having) for sexton in (a, b))
        submitted = total("sexton_operations_submitted_total")
        admitted = total("sexton_operations_admitted_total")
        assert admitted == len(admitted_rows), (admitted, len(admitted_rows))
        assert submitted == admitted + total("sexton_operations_rejected_total", 'stage="staging"'), (submitted, admitted)
