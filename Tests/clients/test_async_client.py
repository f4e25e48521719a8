"""The AsyncClient against a real sidecar: the same methods as coroutines, on kept-alive streams."""
from __future__ import annotations

import asyncio
import uuid

import pytest

from client_support import LEASE, SUBMITTED, past_grace, url
from sexton_client import AsyncClient, Rejected, SextonError


def test_every_method(sidecar, target):
    async def main():
        async with AsyncClient(url(sidecar)) as c:
            op = await c.submit(target, op_type="reindex", target_type="order")
            assert (op.status, op.target, op.target_version, op.lease_timeout_seconds) == ("admitted", target, 0, LEASE)
            assert (await c.target(target)).active.id == op.id
            started = await c.start(op.id)
            assert started.status == "executing"
            assert (await c.heartbeat(op.id)).status == "executing"
            done = await c.complete(op.id, "succeeded")
            assert done.status == "succeeded"
            assert (await c.get(op.id)).status == "succeeded"
            assert (await c.target(target)).version == 1

            failing = await c.submit(target)
            await c.start(failing.id)
            failed = await c.complete(failing.id, "failed", error="disk full")
            assert (failed.status, failed.error) == ("failed", "disk full")
            assert [z.id for z in await c.zombies(target=target, target_type="default", limit=10)] == [failing.id]

            spare = await c.submit(f"{target}/spare")
            assert (await c.cancel(spare.id)).status == "cancelled"

    asyncio.run(main())


def test_rejections(sidecar, target):
    async def main():
        async with AsyncClient(url(sidecar)) as c:
            low = await c.submit(target, priority="low")
            past_grace()
            with pytest.raises(Rejected) as busy:
                await c.submit(target, priority="low")
            assert (busy.value.reason, busy.value.winner, busy.value.status) == ("target_busy", low.id, 409)
            high = await c.submit(target, priority="critical")
            with pytest.raises(Rejected) as lost:
                await c.start(low.id)
            assert (lost.value.id, lost.value.reason) == (low.id, "preempted")
            assert (await c.get(low.id)).winner == high.id

    asyncio.run(main())


def test_errors(sidecar, cramped, target):
    async def main():
        async with AsyncClient(url(sidecar)) as c:
            with pytest.raises(SextonError) as long_target:
                await c.submit("x" * 300)
            assert (long_target.value.status, long_target.value.code, long_target.value.field) == (
                400, "invalid_argument", "target")
            with pytest.raises(SextonError) as priority:
                await c.submit(target, priority=11)
            assert priority.value.field == "priority"
            with pytest.raises(SextonError) as unknown:
                await c.get(f"unknown-{uuid.uuid4().hex}")
            assert (unknown.value.status, unknown.value.code) == (404, "not_found")
            with pytest.raises(SextonError) as limit:
                await c.zombies(limit=1001)
            assert limit.value.field == "limit"
            # The connection that carried those errors still serves.
            assert (await c.target(target)).version == 0
        async with AsyncClient(url(cramped)) as c:
            first = asyncio.create_task(c.submit(target))
            while (await c.target(target)).staged == 0:
                await asyncio.sleep(0.01)
            with pytest.raises(SextonError) as full:
                await c.submit(target)
            assert (full.value.status, full.value.code, full.value.retry_after) == (503, "staging_full", 1.0)
            assert (await first).status == "admitted"

    asyncio.run(main())


def test_connection_closed_by_the_sidecar_when_idle_is_replaced(sidecar, target):
    async def main():
        async with AsyncClient(url(sidecar)) as c:
            await c.target(target)
            await asyncio.sleep(1.5)  # past the sidecar's 1 s idle timeout
            before = sidecar.metric(SUBMITTED)
            assert (await c.submit(target)).status == "admitted"
            assert sidecar.metric(SUBMITTED) == before + 1

    asyncio.run(main())


def test_concurrent_requests_share_the_client(sidecar, target):
    async def main():
        async with AsyncClient(url(sidecar)) as c:
            ops = await asyncio.gather(*(c.submit(f"{target}/{i}") for i in range(20)))
            reads = await asyncio.gather(*(c.get(op.id) for op in ops for _ in range(5)))
            assert [r.id for r in reads] == [op.id for op in ops for _ in range(5)]

    asyncio.run(main())


def test_a_client_outlives_its_event_loop(sidecar, target):
    c = AsyncClient(url(sidecar))
    asyncio.run(c.target(target))
    # A second loop cannot use the first one's connections; the client opens new ones.
    assert asyncio.run(c.target(target)).version == 0
    asyncio.run(c.aclose())


def test_timeout_bounds_the_whole_request(cramped, target):
    async def main():
        # The 300 ms staging window holds the answer back longer than the timeout allows.
        async with AsyncClient(url(cramped), timeout=0.05) as c:
            with pytest.raises(TimeoutError):
                await c.submit(target)

    asyncio.run(main())
