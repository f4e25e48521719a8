"""``with_conflict_resolution``: run a function as a conflict-resolved operation on a target."""
from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar, overload

from ._session import AsyncOperationContext, OperationContext
from .client import AsyncClient, Client
from .models import Priority
from .occ import OCC

P = ParamSpec("P")
R = TypeVar("R")


@overload
def with_conflict_resolution(
    client: Client,
    *,
    target: str | Callable[..., str],
    priority: Priority = ...,
    op_type: str | None = ...,
    target_type: str | None = ...,
    occ: OCC = ...,
) -> Callable[[Callable[P, R]], Callable[P, R]]: ...


@overload
def with_conflict_resolution(
    client: AsyncClient,
    *,
    target: str | Callable[..., str],
    priority: Priority = ...,
    op_type: str | None = ...,
    target_type: str | None = ...,
    occ: OCC = ...,
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]: ...


def with_conflict_resolution(
    client: Client | AsyncClient,
    *,
    target: str | Callable[..., str],
    priority: Priority = "normal",
    op_type: str | None = None,
    target_type: str | None = None,
    occ: OCC = OCC(),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Each call of the decorated function runs as an operation on ``target``.

    ``target`` is a name, or a function of the call's arguments that gives one. A call submits
    (retrying ``target_busy``, ``grace_period``, ``version_conflict`` and 503 answers as ``occ``
    says), starts, heartbeats while the function runs, and completes ``succeeded`` with the
    function's result or ``failed`` with its exception, which is re-raised. A rejection that is
    not retried, or the last one, raises ``Rejected``; so does losing the target while the
    function ran (``preempted``, ``expired``), with the function's result as ``result`` (or its
    exception as ``__cause__``). A plain function needs a ``Client``, an ``async`` one an
    ``AsyncClient``.
    """

    def scope(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        name = target(*args, **kwargs) if callable(target) else target
        return client.operation(name, priority=priority, op_type=op_type, target_type=target_type, occ=occ)

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.iscoroutinefunction(fn):
            if not isinstance(client, AsyncClient):
                raise TypeError(f"async function {fn.__qualname__} needs an AsyncClient, not {client!r}")

            @functools.wraps(fn)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                operation: AsyncOperationContext = scope(args, kwargs)
                async with operation:
                    operation.result = await fn(*args, **kwargs)
                return operation.result

            return run_async

        if isinstance(client, AsyncClient):
            raise TypeError(f"{fn.__qualname__} is not async: an AsyncClient needs an async function")

        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            operation: OperationContext = scope(args, kwargs)
            with operation:
                operation.result = fn(*args, **kwargs)
            return operation.result

        return run

    return decorate
