"""with_conflict_resolution on plain and async functions, against a real sidecar."""
from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from client_support import LEASE, SUBMITTED, eventually, past_grace, url
from sexton_client import OCC, AsyncClient, Client, Rejected, with_conflict_resolution

PATIENT = OCC(max_retries=200, base_delay=0.01, backoff=1.2, max_delay=0.05)


def test_plain_function_runs_as_an_operation(client, target):
    @with_conflict_resolution(client, target=target, op_type="reindex", target_type="order")
    def double(x):
        """Doubles x."""
        return x * 2, client.target(target).active

    result, active = double(21)
    assert result == 42
    assert (active.status, active.op_type, active.target_type, active.priority) == ("executing", "reindex", "order", 5)
    assert client.get(active.id).status == "succeeded"
    assert client.target(target).version == 1
    assert (double.__name__, double.__doc__) == ("double", "Doubles x.")


def test_target_from_the_call_arguments(client, target):
    @with_conflict_resolution(client, target=lambda order, **_: f"{target}/{order}", priority="high")
    def touch(order, *, note):
        return client.target(f"{target}/{order}").active.priority

    assert touch("a", note="x") == 8
    assert touch(order="b", note="y") == 8
    assert [client.target(f"{target}/{o}").version for o in "ab"] == [1, 1]


def test_exception_completes_failed_and_is_reraised(client, target):
    seen = []

    @with_conflict_resolution(client, target=target)
    def broken():
        seen.append(client.target(target).active.id)
        raise ValueError("disk full")

    with pytest.raises(ValueError, match="disk full"):
        broken()
    failed = client.get(seen[0])
    assert (failed.status, failed.error) == ("failed", "disk full")
    assert [z.id for z in client.zombies(target=target)] == seen


def test_huge_exception_text_is_cut_to_fit_the_completion(client, target):
    @with_conflict_resolution(client, target=target)
    def broken():
        raise ValueError("é" * 100_000)

    with pytest.raises(ValueError):
        broken()
    (zombie,) = client.zombies(target=target)
    failed = client.get(zombie.id)
    assert failed.status == "failed" and failed.error == "é" * 4096


def test_target_busy_is_retried_until_the_holder_completes(sidecar, client, rival, target):
    holder = rival.submit(target)
    rival.start(holder.id)
    past_grace()
    busy = sidecar.metric("sexton_operations_rejected_total", reason="target_busy")
    release = threading.Timer(0.3, rival.complete, args=(holder.id, "succeeded"))
    release.start()

    @with_conflict_resolution(client, target=target, occ=PATIENT)
    def work():
        return client.target(target).active

    active = work()
    release.join()
    assert sidecar.metric("sexton_operations_rejected_total", reason="target_busy") > busy
    # Each retry is a new operation linked to the rejected one before it.
    assert active.lineage.retry_count > 0
    previous = client.get(active.lineage.retry_of)
    assert (previous.status, previous.reason, previous.winner) == ("rejected", "target_busy", holder.id)
    assert client.target(target).version == 2


def test_gives_up_after_max_retries_with_the_winner(sidecar, client, rival, target):
    holder = rival.submit(target)
    rival.start(holder.id)
    past_grace()
    submitted = sidecar.metric(SUBMITTED)
    ran = []

    @with_conflict_resolution(client, target=target, occ=OCC(max_retries=3, base_delay=0.001))
    def work():
        ran.append(True)

    with pytest.raises(Rejected) as caught:
        work()
    assert (caught.value.reason, caught.value.winner) == ("target_busy", holder.id)
    assert ran == []
    assert sidecar.metric(SUBMITTED) == submitted + 4  # the first try and 3 retries
    rival.cancel(holder.id)


def test_rejection_not_worth_a_retry_is_raised_at_once(protected, target):
    with Client(url(protected)) as c:
        holder = c.submit(target)
        c.start(holder.id)
        submitted = protected.metric(SUBMITTED)

        @with_conflict_resolution(c, target=target, priority="critical")
        def work():
            pytest.fail("ran without the target")

        with pytest.raises(Rejected) as caught:
            work()
        assert (caught.value.reason, caught.value.winner) == ("executing_protected", holder.id)
        assert protected.metric(SUBMITTED) == submitted + 1


def test_503_is_retried_after_its_retry_after(cramped, target):
    with Client(url(cramped)) as c, Client(url(cramped)) as other:
        first = threading.Thread(target=other.submit, args=(target,))
        first.start()
        eventually(lambda: c.target(target).staged == 1)
        began = time.monotonic()

        # Staging is full for the first try; the retry preempts the (never started) first one.
        @with_conflict_resolution(c, target=target, priority="high")
        def work():
            return "ran"

        assert work() == "ran"
        assert time.monotonic() - began >= 1.0  # the sidecar's Retry-After: 1
        first.join()
        (zombie,) = c.zombies(target=target)
        assert zombie.reason == "preempted"


def test_functions_longer_than_the_lease_are_kept_alive(client, target):
    @with_conflict_resolution(client, target=lambda part: f"{target}/{part}")
    def slow(part):
        time.sleep(LEASE * 1.75)
        return client.target(f"{target}/{part}").active

    # The client's heartbeat thread ends when it has had nothing to renew for a while, and
    # comes back with the next operation.
    with client.operation(f"{target}/warm-up"):
        pass
    eventually(lambda: "sexton-heartbeats" not in [t.name for t in threading.enumerate()])
    # Several at once from threads: one client renews all their leases.
    with ThreadPoolExecutor(3) as pool:
        actives = list(pool.map(slow, range(3)))
    for active in actives:
        assert active.status == "executing"
        assert active.last_heartbeat_at > active.started_at
        assert client.get(active.id).status == "succeeded"


def test_preemption_while_running_is_reported_after_the_function(client, rival, target):
    taken = {}

    @with_conflict_resolution(client, target=target, priority="low")
    def work():
        past_grace()
        taken["by"] = rival.submit(target, priority="high")
        time.sleep(LEASE / 2)  # a heartbeat falls in here and finds the operation preempted
        return "done"

    with pytest.raises(Rejected) as caught:
        work()
    lost = caught.value
    assert (lost.reason, lost.result, lost.__cause__) == ("preempted", "done", None)
    assert client.get(lost.id).winner == taken["by"].id
    assert client.target(target).active.id == taken["by"].id


def test_exception_after_preemption_is_the_cause(client, rival, target):
    @with_conflict_resolution(client, target=target, priority="low")
    def work():
        past_grace()
        rival.submit(target, priority="high")
        raise KeyError("gone")

    with pytest.raises(Rejected) as caught:
        work()
    assert caught.value.reason == "preempted"
    assert isinstance(caught.value.__cause__, KeyError)
    # The operation stays preempted: a lost operation is not completed as failed.
    assert client.get(caught.value.id).reason == "preempted"


def test_async_function_runs_as_an_operation(sidecar, target):
    async def main():
        async with AsyncClient(url(sidecar)) as c:
            @with_conflict_resolution(c, target=lambda name: f"{target}/{name}", priority="critical")
            async def work(name):
                return (await c.target(f"{target}/{name}")).active

            active = await work("a")
            assert (active.status, active.priority) == ("executing", 10)
            assert (await c.get(active.id)).status == "succeeded"

            @with_conflict_resolution(c, target=target)
            async def broken():
                raise RuntimeError("no space left")

            with pytest.raises(RuntimeError):
                await broken()
            (zombie,) = await c.zombies(target=target)
            failed = await c.get(zombie.id)
            assert (failed.status, failed.error) == ("failed", "no space left")

    asyncio.run(main())


def test_async_function_longer_than_the_lease_is_kept_alive(sidecar, target):
    async def main():
        async with AsyncClient(url(sidecar)) as c:
            @with_conflict_resolution(c, target=target)
            async def slow():
                await asyncio.sleep(LEASE * 1.75)
                return (await c.target(target)).active

            active = await slow()
            assert active.last_heartbeat_at > active.started_at
            assert (await c.get(active.id)).status == "succeeded"

    asyncio.run(main())


def test_async_retries_then_reports_preemption(sidecar, rival, target):
    holder = rival.submit(target)
    rival.start(holder.id)
    past_grace()

    async def main():
        async with AsyncClient(url(sidecar)) as c:
            @with_conflict_resolution(c, target=target, priority="low", occ=PATIENT)
            async def work():
                await asyncio.sleep(0.3)
                rival.submit(target, priority="high")
                return "done"

            release = asyncio.get_running_loop().call_later(0.2, rival.complete, holder.id, "succeeded")
            with pytest.raises(Rejected) as caught:
                await work()
            release.cancel()
            assert (caught.value.reason, caught.value.result) == ("preempted", "done")
            assert (await c.get(caught.value.id)).lineage.retry_count > 0

    asyncio.run(main())


def test_function_and_client_must_agree(client, sidecar):
    with pytest.raises(TypeError):
        @with_conflict_resolution(client, target="t")
        async def needs_async_client():
            pass

    with pytest.raises(TypeError):
        @with_conflict_resolution(AsyncClient(url(sidecar)), target="t")
        def needs_client():
            pass
