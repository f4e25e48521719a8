"""``Client`` (blocking, thread-safe) and ``AsyncClient`` (asyncio): the sidecar's API as methods.

Each method builds its call in ``_protocol`` and reads the answer there; the two classes only
differ in the transport that carries the bytes.
"""
from __future__ import annotations

import platform
from collections.abc import Mapping
from types import TracebackType
from typing import Any, TypeVar

from . import _aio, _http, _protocol
from ._heartbeats import LeaseKeeper
from ._protocol import Call
from ._session import AsyncOperationContext, OperationContext
from ._version import __version__
from .models import Operation, Outcome, Priority, Target, Zombie
from .occ import OCC

T = TypeVar("T")

_USER_AGENT = f"sexton-client/{__version__} python/{platform.python_version()}"


class Client:
    """A blocking client of the sidecar's API, safe to share between threads.

    ``url`` defaults to the ``SEXTON_URL`` environment variable, then ``http://127.0.0.1:7477``;
    ``timeout`` (seconds) bounds connecting and each wait for the answer. Connections are kept
    alive and reused. Error answers raise ``SextonError`` (``Rejected`` for a lost target);
    transport failures raise ``OSError``.
    """

    def __init__(self, url: str | None = None, timeout: float = 10.0) -> None:
        endpoint = _protocol.endpoint(url)
        self.url = f"http://{endpoint.netloc}{endpoint.prefix}"
        self._transport = _http.Transport(endpoint, timeout, _USER_AGENT)
        self._leases = LeaseKeeper(self.heartbeat)

    def _run(self, call: Call[T]) -> T:
        status, headers, body = self._transport.request(call.method, call.path, call.body)
        return _protocol.answer(call, status, headers, body)

    def submit(
        self,
        target: str,
        *,
        id: str | None = None,
        priority: Priority = "normal",
        target_type: str | None = None,
        op_type: str | None = None,
        parent: str | None = None,
        retry_of: str | None = None,
        retry_count: int | None = None,
        expected_version: int | None = None,
        cleanup: Mapping[str, Any] | None = None,
    ) -> Operation:
        """Submits an operation and waits for its batch to resolve; ``Rejected`` if it lost."""
        return self._run(_protocol.submit(
            target, id=id, priority=priority, target_type=target_type, op_type=op_type, parent=parent,
            retry_of=retry_of, retry_count=retry_count, expected_version=expected_version, cleanup=cleanup,
        ))

    def start(self, id: str) -> Operation:
        return self._run(_protocol.start(id))

    def heartbeat(self, id: str) -> Operation:
        return self._run(_protocol.heartbeat(id))

    def complete(self, id: str, outcome: Outcome, error: str | None = None) -> Operation:
        return self._run(_protocol.complete(id, outcome, error))

    def cancel(self, id: str) -> Operation:
        return self._run(_protocol.cancel(id))

    def get(self, id: str) -> Operation:
        return self._run(_protocol.get(id))

    def target(self, name: str) -> Target:
        return self._run(_protocol.target(name))

    def zombies(
        self, target: str | None = None, target_type: str | None = None, limit: int | None = None
    ) -> list[Zombie]:
        return self._run(_protocol.zombies(target, target_type, limit))

    def operation(
        self,
        target: str,
        *,
        priority: Priority = "normal",
        op_type: str | None = None,
        target_type: str | None = None,
        occ: OCC = OCC(),
    ) -> OperationContext:
        """``with client.operation(target) as op:`` runs the block as a conflict-resolved operation."""
        return OperationContext(self, target, priority=priority, op_type=op_type, target_type=target_type, occ=occ)

    def close(self) -> None:
        """Closes the kept-alive connections and stops the heartbeat thread."""
        self._leases.close()
        self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Client({self.url!r})"


class AsyncClient:
    """``Client`` for asyncio: the same methods as coroutines, ``operation`` for ``async with``.

    Use it from one event loop at a time; close it with ``await client.aclose()`` or
    ``async with AsyncClient() as client``. ``timeout`` bounds each whole request.
    """

    def __init__(self, url: str | None = None, timeout: float = 10.0) -> None:
        endpoint = _protocol.endpoint(url)
        self.url = f"http://{endpoint.netloc}{endpoint.prefix}"
        self._transport = _aio.Transport(endpoint, timeout, _USER_AGENT)

    async def _run(self, call: Call[T]) -> T:
        status, headers, body = await self._transport.request(call.method, call.path, call.body)
        return _protocol.answer(call, status, headers, body)

    async def submit(
        self,
        target: str,
        *,
        id: str | None = None,
        priority: Priority = "normal",
        target_type: str | None = None,
        op_type: str | None = None,
        parent: str | None = None,
        retry_of: str | None = None,
        retry_count: int | None = None,
        expected_version: int | None = None,
        cleanup: Mapping[str, Any] | None = None,
    ) -> Operation:
        """Submits an operation and waits for its batch to resolve; ``Rejected`` if it lost."""
        return await self._run(_protocol.submit(
            target, id=id, priority=priority, target_type=target_type, op_type=op_type, parent=parent,
            retry_of=retry_of, retry_count=retry_count, expected_version=expected_version, cleanup=cleanup,
        ))

    async def start(self, id: str) -> Operation:
        return await self._run(_protocol.start(id))

    async def heartbeat(self, id: str) -> Operation:
        return await self._run(_protocol.heartbeat(id))

    async def complete(self, id: str, outcome: Outcome, error: str | None = None) -> Operation:
        return await self._run(_protocol.complete(id, outcome, error))

    async def cancel(self, id: str) -> Operation:
        return await self._run(_protocol.cancel(id))

    async def get(self, id: str) -> Operation:
        return await self._run(_protocol.get(id))

    async def target(self, name: str) -> Target:
        return await self._run(_protocol.target(name))

    async def zombies(
        self, target: str | None = None, target_type: str | None = None, limit: int | None = None
    ) -> list[Zombie]:
        return await self._run(_protocol.zombies(target, target_type, limit))

    def operation(
        self,
        target: str,
        *,
        priority: Priority = "normal",
        op_type: str | None = None,
        target_type: str | None = None,
        occ: OCC = OCC(),
    ) -> AsyncOperationContext:
        """``async with client.operation(target) as op:`` runs the block as a conflict-resolved operation."""
        return AsyncOperationContext(
            self, target, priority=priority, op_type=op_type, target_type=target_type, occ=occ
        )

    async def aclose(self) -> None:
        await self._transport.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"AsyncClient({self.url!r})"
