"""client.operation(...) as a context manager: `with` on Client, `async with` on AsyncClient."""
from __future__ import annotations

import asyncio

import pytest

from client_support import LEASE, past_grace, url
from sexton_client import AsyncClient, Rejected


def test_with_block_runs_as_an_operation(client, target):
    with client.operation(target, op_type="reindex", priority=7) as op:
        assert (op.status, op.target, op.op_type, op.priority) == ("executing", target, "reindex", 7)
        assert (op.lease_timeout_seconds, op.target_version) == (LEASE, 0)
        assert client.target(target).active.id == op.id
    assert client.get(op.id).status == "succeeded"
    assert client.target(target).version == 1


def test_with_block_exception_completes_failed(client, target):
    with pytest.raises(ZeroDivisionError):
        with client.operation(target) as op:
            1 / 0
    failed = client.get(op.id)
    assert (failed.status, failed.error) == ("failed", "division by zero")


def test_with_block_that_lost_its_target_raises_on_exit(client, rival, target):
    with pytest.raises(Rejected) as caught:
        with client.operation(target, priority="low") as op:
            past_grace()
            rival.submit(target, priority="high")
    assert (caught.value.id, caught.value.reason) == (op.id, "preempted")


def test_async_with_block(sidecar, rival, target):
    async def main():
        async with AsyncClient(url(sidecar)) as c:
            async with c.operation(target) as op:
                assert op.status == "executing"
            assert (await c.get(op.id)).status == "succeeded"

            with pytest.raises(LookupError):
                async with c.operation(target) as op:
                    raise LookupError("missing row")
            assert (await c.get(op.id)).error == "missing row"

            with pytest.raises(Rejected) as caught:
                async with c.operation(target, priority="background") as op:
                    past_grace()
                    rival.submit(target, priority="normal")
            assert (caught.value.id, caught.value.reason) == (op.id, "preempted")

    asyncio.run(main())
