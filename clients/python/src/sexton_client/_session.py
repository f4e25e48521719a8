"""One conflict-resolved run of some work: submit (with retries), start, heartbeat, complete.

``Client.operation`` and ``AsyncClient.operation`` hand these out, and the decorator wraps a
call in one. The sync and async flows differ only in how they wait and where heartbeats run.
"""
from __future__ import annotations

import asyncio
import dataclasses
import time
from types import TracebackType
from typing import TYPE_CHECKING, Any, NoReturn

from ._heartbeats import Lease, TaskHeartbeats
from .errors import Rejected, SextonError
from .models import Operation, Outcome, Priority
from .occ import OCC

if TYPE_CHECKING:
    from .client import AsyncClient, Client

_MAX_ERROR_TEXT = 4096


class _Scope:
    def __init__(
        self,
        target: str,
        *,
        priority: Priority,
        op_type: str | None,
        target_type: str | None,
        occ: OCC,
    ) -> None:
        self.target = target
        self._fields: dict[str, Any] = {"priority": priority, "op_type": op_type, "target_type": target_type}
        self._occ = occ
        self._retries = 0
        self._retry_of: str | None = None
        self.operation: Operation | None = None
        #: What the work produced; a Rejected raised on exit carries it as ``result``.
        self.result: Any = None

    def _submission(self) -> dict[str, Any]:
        # Each retry is a new operation linked to the rejected one, so the attempt chain shows
        # in its lineage.
        return {**self._fields, "retry_of": self._retry_of, "retry_count": self._retries or None}

    def _backoff(self, error: SextonError) -> float:
        """The wait before the next submission, or ``error`` raised when it is not worth one."""
        delay = self._occ.delay(self._retries, error)
        if delay is None:
            raise error
        self._retries += 1
        if isinstance(error, Rejected):
            self._retry_of = error.id
        return delay

    def _started(self, submitted: Operation, started: Operation) -> tuple[Operation, float]:
        """The running operation, and the heartbeat interval it needs (0: none)."""
        # The start answer is the full operation, but only the admission told the lease.
        self.operation = dataclasses.replace(
            started,
            target_version=submitted.target_version,
            lease_timeout_seconds=submitted.lease_timeout_seconds,
        )
        return self.operation, (submitted.lease_timeout_seconds or 0) / 3

    @property
    def _id(self) -> str:
        if self.operation is None:
            raise RuntimeError("the operation was not entered")
        return self.operation.id

    @staticmethod
    def _completion(error: BaseException | None) -> tuple[Outcome, str | None]:
        if error is None:
            return "succeeded", None
        # Cut, so that a huge message cannot make the completion too large to be accepted (and
        # leave the operation running until its lease runs out).
        return "failed", (str(error) or type(error).__name__)[:_MAX_ERROR_TEXT]

    def _lose(self, lost: Rejected, error: BaseException | None) -> NoReturn:
        lost.result = self.result
        raise lost from error


class OperationContext(_Scope):
    """``with client.operation(target) as op:`` — the block runs while ``op`` holds the target.

    Entering submits (retrying as ``occ`` says) and starts; the client's heartbeat thread renews
    the lease while the block runs; leaving completes ``succeeded``, or ``failed`` with the text
    of the exception the block raised (which then propagates). If the operation lost its target
    meanwhile, leaving raises ``Rejected`` (``preempted``, ``expired``...) carrying ``result``
    (set it inside the block to have it carried) and the block's exception as ``__cause__``.
    """

    def __init__(self, client: Client, target: str, **options: Any) -> None:
        super().__init__(target, **options)
        self._client = client
        self._lease: Lease | None = None

    def __enter__(self) -> Operation:
        while True:
            try:
                submitted = self._client.submit(self.target, **self._submission())
                break
            except SextonError as error:
                time.sleep(self._backoff(error))
        operation, interval = self._started(submitted, self._client.start(submitted.id))
        if interval > 0:
            self._lease = self._client._leases.add(operation.id, interval)
        return operation

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        lost = self._client._leases.release(self._lease) if self._lease else None
        if lost is None:
            try:
                self._client.complete(self._id, *self._completion(error))
            except Rejected as refused:
                lost = refused
        if lost is not None:
            self._lose(lost, error)


class AsyncOperationContext(_Scope):
    """``async with client.operation(target) as op:`` — as OperationContext, heartbeats in a task."""

    def __init__(self, client: AsyncClient, target: str, **options: Any) -> None:
        super().__init__(target, **options)
        self._client = client
        self._heartbeats: TaskHeartbeats | None = None

    async def __aenter__(self) -> Operation:
        while True:
            try:
                submitted = await self._client.submit(self.target, **self._submission())
                break
            except SextonError as error:
                await asyncio.sleep(self._backoff(error))
        operation, interval = self._started(submitted, await self._client.start(submitted.id))
        if interval > 0:
            self._heartbeats = TaskHeartbeats(self._client.heartbeat, operation.id, interval)
        return operation

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        lost = await self._heartbeats.stop() if self._heartbeats else None
        if lost is None:
            try:
                await self._client.complete(self._id, *self._completion(error))
            except Rejected as refused:
                lost = refused
        if lost is not None:
            self._lose(lost, error)
