"""The blocking Client against a real sidecar: every method, rejections, errors, connections."""
from __future__ import annotations

import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timezone

import pytest

from client_support import LEASE, SUBMITTED, eventually, past_grace, url
from sexton_client import Client, Lineage, Rejected, SextonError


def test_submit_is_admitted_with_its_lease(client, target):
    op = client.submit(target)
    assert (op.status, op.target, op.target_version, op.lease_timeout_seconds) == ("admitted", target, 0, LEASE)
    assert op.ecs_id and "v" in op.ecs_id
    assert client.get(op.id).status == "admitted"


def test_submit_sends_every_field_given(client, target):
    parent = client.submit(f"{target}/parent", priority="high")
    id = f"rebuild-{uuid.uuid4().hex}"
    op = client.submit(
        target, id=id, priority=3, target_type="index", op_type="rebuild", parent=parent.id,
        retry_of="rebuild-0", retry_count=2, expected_version=0,
        cleanup={"strategy": "deferred", "retention": "2h"},
    )
    assert op.id == id
    full = client.get(id)
    assert (full.target_type, full.op_type, full.priority, full.effective_priority) == ("index", "rebuild", 3, 8)
    assert full.lineage == Lineage(parent=parent.id, retry_of="rebuild-0", retry_count=2)
    client.start(id)
    client.complete(id, "failed", error="disk full")
    (zombie,) = client.zombies(target=target)
    assert (zombie.id, zombie.strategy, zombie.target_type) == (id, "deferred", "index")


def test_start_heartbeat_complete(client, target):
    op = client.submit(target)
    started = client.start(op.id)
    assert started.status == "executing"
    assert started.started_at is not None and started.started_at.tzinfo == timezone.utc
    beat = eventually(lambda: (b := client.heartbeat(op.id)).last_heartbeat_at > started.last_heartbeat_at and b)
    assert beat.status == "executing"
    done = client.complete(op.id, "succeeded")
    assert done.status == "succeeded" and done.ended_at is not None and done.error is None
    assert client.get(op.id).status == "succeeded"
    assert client.target(target).version == 1


def test_failed_completion_leaves_a_zombie(client, target):
    op = client.submit(target, target_type="order")
    client.start(op.id)
    failed = client.complete(op.id, "failed", error="disk full")
    assert (failed.status, failed.error, failed.zombie) == ("failed", "disk full", True)
    (zombie,) = client.zombies(target=target)
    assert (zombie.id, zombie.reason, zombie.target, zombie.ecs_id) == (op.id, "failed", target, op.ecs_id)
    assert zombie.age_seconds >= 0 and zombie.ended_at is not None
    assert op.id in [z.id for z in client.zombies(target_type="order", limit=1000)]
    assert op.id not in [z.id for z in client.zombies(target_type="no_such_type")]
    assert len(client.zombies(limit=1)) == 1
    state = client.target(target)
    assert (state.target, state.version, state.active, state.staged) == (target, 0, None, 0)
    assert [z.id for z in state.zombies] == [op.id]


def test_cancel_frees_the_target(client, target):
    op = client.submit(target)
    assert client.target(target).active.id == op.id
    cancelled = client.cancel(op.id)
    assert (cancelled.status, cancelled.in_registry) == ("cancelled", False)
    assert client.target(target).active is None
    # Cancelling again: the operation no longer holds its target.
    with pytest.raises(Rejected) as caught:
        client.cancel(op.id)
    assert (caught.value.reason, caught.value.operation_status) == ("cancelled", "cancelled")


def test_rejected_submission_names_the_winner(client, target):
    holder = client.submit(target)
    past_grace()
    with pytest.raises(Rejected) as caught:
        client.submit(target)
    rejected = caught.value
    assert isinstance(rejected, SextonError)
    assert (rejected.status, rejected.reason, rejected.winner) == (409, "target_busy", holder.id)
    assert (rejected.operation_status, rejected.target, rejected.target_version) == ("rejected", target, 0)
    assert client.get(rejected.id).status == "rejected"


def test_version_conflict(client, target):
    with pytest.raises(Rejected) as caught:
        client.submit(target, expected_version=7)
    assert (caught.value.reason, caught.value.winner) == ("version_conflict", None)


def test_preempted_operation_cannot_start(client, target):
    low = client.submit(target, priority="low")
    past_grace()
    high = client.submit(target, priority="high")
    with pytest.raises(Rejected) as caught:
        client.start(low.id)
    assert (caught.value.id, caught.value.reason, caught.value.code) == (low.id, "preempted", "conflict")
    assert client.get(low.id).winner == high.id


def test_expired_operation_cannot_heartbeat(client, target):
    op = client.submit(target)
    client.start(op.id)
    eventually(lambda: client.get(op.id).status == "expired", timeout=LEASE + 10)
    with pytest.raises(Rejected) as caught:
        client.heartbeat(op.id)
    assert (caught.value.reason, caught.value.operation_status) == ("expired", "expired")


def test_transition_from_the_wrong_state_is_an_error_not_a_rejection(client, target):
    op = client.submit(target)
    with pytest.raises(SextonError) as caught:
        client.complete(op.id, "succeeded")
    assert not isinstance(caught.value, Rejected)
    assert (caught.value.status, caught.value.code) == (409, "conflict")
    assert "admitted" in caught.value.message


@pytest.mark.parametrize(
    "call, status, code, field",
    [
        (lambda c: c.submit("x" * 300), 400, "invalid_argument", "target"),
        (lambda c: c.submit("orders/1", priority=11), 400, "invalid_argument", "priority"),
        (lambda c: c.submit("orders/1", cleanup={"strategy": "deferred", "retention": "0s"}),
         400, "invalid_argument", "cleanup.retention"),
        (lambda c: c.get(f"unknown-{uuid.uuid4().hex}"), 404, "not_found", None),
        (lambda c: c.get("not an id/at all"), 400, "invalid_argument", "id"),
        (lambda c: c.target("\x00"), 400, "invalid_argument", "target"),
        (lambda c: c.zombies(limit=0), 400, "invalid_argument", "limit"),
    ],
    ids=["long-target", "priority-11", "cleanup-override", "unknown-id", "bad-id", "nul-target", "limit-0"],
)
def test_bad_input_gets_the_sidecars_error(client, call, status, code, field):
    with pytest.raises(SextonError) as caught:
        call(client)
    error = caught.value
    assert not isinstance(error, Rejected)
    assert (error.status, error.code, error.field) == (status, code, field)
    assert error.message and error.retry_after is None
    assert code in str(error)


def test_reused_live_id_is_a_conflict_error(client, target):
    op = client.submit(target)
    with pytest.raises(SextonError) as caught:
        client.submit(f"{target}/other", id=op.id)
    assert not isinstance(caught.value, Rejected)
    assert (caught.value.status, caught.value.code, caught.value.field) == (409, "conflict", "id")


def test_staging_full_answers_retry_after(cramped, target):
    with Client(url(cramped)) as c, ThreadPoolExecutor(1) as pool:
        first = pool.submit(c.submit, target)
        eventually(lambda: c.target(target).staged == 1)
        with pytest.raises(SextonError) as caught:
            c.submit(target)
        assert (caught.value.status, caught.value.code, caught.value.retry_after) == (503, "staging_full", 1.0)
        assert first.result().status == "admitted"


def test_url_comes_from_the_environment(monkeypatch, sidecar, target):
    monkeypatch.setenv("SEXTON_URL", url(sidecar))
    with Client() as c:
        assert c.url == url(sidecar)
        assert c.target(target).version == 0
    monkeypatch.delenv("SEXTON_URL")
    assert Client().url == "http://127.0.0.1:7477"


def test_unreachable_sidecar_raises_oserror():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with Client(f"http://127.0.0.1:{port}", timeout=5) as c, pytest.raises(ConnectionRefusedError):
        c.get("x")


def test_connection_closed_by_the_sidecar_when_idle_is_replaced(sidecar, client, target):
    client.target(target)
    time.sleep(1.5)  # past the sidecar's 1 s idle timeout, so the kept-alive connection is gone
    before = sidecar.metric(SUBMITTED)
    assert client.submit(target).status == "admitted"
    assert sidecar.metric(SUBMITTED) == before + 1


def test_one_client_serves_many_threads(client, target):
    ops = [client.submit(f"{target}/{i}") for i in range(8)]
    barrier = threading.Barrier(len(ops))

    def read(op):
        barrier.wait()
        return {client.get(op.id).id for _ in range(25)}

    with ThreadPoolExecutor(len(ops)) as pool:
        assert list(pool.map(read, ops)) == [{op.id} for op in ops]


def test_timeout_bounds_the_wait_for_an_answer(cramped, target):
    # The 300 ms staging window holds the answer back longer than the timeout allows.
    with Client(url(cramped), timeout=0.05) as c, pytest.raises(TimeoutError):
        c.submit(target)
