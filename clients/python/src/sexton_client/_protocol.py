"""What each API call sends and how its answer reads, shared by the sync and async clients.

The transports only move bytes; everything about routes, bodies and the meaning of an answer
lives here, so both clients behave alike by construction.
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import quote, urlencode, urlsplit

from .errors import Rejected, SextonError
from .models import Operation, Outcome, Priority, Target, Zombie

T = TypeVar("T")

DEFAULT_URL = "http://127.0.0.1:7477"
JSON = "application/json"

# A transition refused with one of these statuses means the operation lost its target (rather
# than a caller's mistake such as completing an operation it never started).
_LOST = frozenset({"rejected", "expired", "cancelled"})


@dataclass(frozen=True, slots=True)
class Endpoint:
    host: str
    port: int
    netloc: str
    prefix: str


def endpoint(url: str | None) -> Endpoint:
    url = url or os.environ.get("SEXTON_URL") or DEFAULT_URL
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"the sidecar URL must be http://host[:port], not {url!r}")
    return Endpoint(parts.hostname, parts.port or 80, parts.netloc, parts.path.rstrip("/"))


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    method: str
    path: str
    body: bytes | None
    parse: Callable[[Any], T]


def _segment(value: str) -> str:
    # Targets may hold '/', spaces, '?', '%' and any UTF-8: nothing is safe in a path segment.
    return quote(value, safe="")


def _json(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def _operation(id: str, action: str = "") -> str:
    return f"/v1/operations/{_segment(id)}{action}"


def submit(
    target: str,
    *,
    id: str | None,
    priority: Priority | None,
    target_type: str | None,
    op_type: str | None,
    parent: str | None,
    retry_of: str | None,
    retry_count: int | None,
    expected_version: int | None,
    cleanup: Mapping[str, Any] | None,
) -> Call[Operation]:
    given = {
        "id": id,
        "target": target,
        "target_type": target_type,
        "op_type": op_type,
        "priority": priority,
        "parent": parent,
        "retry_of": retry_of,
        "retry_count": retry_count,
        "expected_version": expected_version,
        "cleanup": None if cleanup is None else dict(cleanup),
    }
    body = {key: value for key, value in given.items() if value is not None}
    return Call("POST", "/v1/operations", _json(body), Operation.from_json)


def start(id: str) -> Call[Operation]:
    return Call("POST", _operation(id, "/start"), None, Operation.from_json)


def heartbeat(id: str) -> Call[Operation]:
    return Call("POST", _operation(id, "/heartbeat"), None, Operation.from_json)


def complete(id: str, outcome: Outcome, error: str | None) -> Call[Operation]:
    body: dict[str, Any] = {"outcome": outcome}
    if error is not None:
        body["error"] = error
    return Call("POST", _operation(id, "/complete"), _json(body), Operation.from_json)


def cancel(id: str) -> Call[Operation]:
    return Call("DELETE", _operation(id), None, Operation.from_json)


def get(id: str) -> Call[Operation]:
    return Call("GET", _operation(id), None, Operation.from_json)


def target(name: str) -> Call[Target]:
    return Call("GET", f"/v1/targets/{_segment(name)}", None, Target.from_json)


def zombies(target: str | None, target_type: str | None, limit: int | None) -> Call[list[Zombie]]:
    given = {"target": target, "target_type": target_type, "limit": limit}
    query = urlencode({k: v for k, v in given.items() if v is not None}, quote_via=quote)
    path = "/v1/zombies" + (f"?{query}" if query else "")
    return Call("GET", path, None, lambda doc: [Zombie.from_json(z) for z in doc["zombies"]])


def answer(call: Call[T], status: int, headers: Mapping[str, str], body: bytes) -> T:
    """The call's result, or the error the answer stands for (raised)."""
    try:
        doc = json.loads(body) if body else None
    except ValueError:
        doc = None
    if 200 <= status < 300 and doc is not None:
        return call.parse(doc)
    raise error(status, headers, doc, body)


def error(status: int, headers: Mapping[str, str], doc: Any, body: bytes) -> SextonError:
    if not isinstance(doc, dict):
        # Not the sidecar's JSON (a proxy's page, say): keep the start of it for the message.
        text = body[:200].decode(errors="replace").strip() or "no body"
        return SextonError(f"unexpected answer: {text}", status=status, code=None)
    found = doc.get("error")
    problem: dict[str, Any] = found if isinstance(found, dict) else {}
    if "status" in doc and "id" in doc:
        if problem:
            return _refused_transition(status, doc, problem)
        return _rejected_submission(status, doc)
    return SextonError(
        problem.get("message") or f"HTTP {status}",
        status=status,
        code=problem.get("code"),
        field=problem.get("field"),
        retry_after=_retry_after(headers.get("retry-after")),
    )


def _rejected_submission(status: int, doc: dict[str, Any]) -> Rejected:
    winner = doc.get("winner")
    return Rejected(
        f"operation {doc['id']} rejected: {doc.get('reason')}"
        + (f" (the target stays with {winner})" if winner else ""),
        status=status,
        code="rejected",
        id=doc["id"],
        reason=doc.get("reason") or "rejected",
        winner=winner,
        operation_status=doc["status"],
        target=doc.get("target"),
        target_version=doc.get("target_version"),
    )


def _refused_transition(status: int, doc: dict[str, Any], problem: dict[str, Any]) -> SextonError:
    message = problem.get("message") or f"HTTP {status}"
    if doc["status"] not in _LOST:
        return SextonError(message, status=status, code=problem.get("code"))
    # An expired or cancelled operation has no reason of its own: its status is the reason.
    return Rejected(
        message,
        status=status,
        code=problem.get("code"),
        id=doc["id"],
        reason=doc.get("reason") or doc["status"],
        operation_status=doc["status"],
    )


def _retry_after(value: str | None) -> float | None:
    # The sidecar sends delta-seconds; an HTTP date (from a proxy) is not worth parsing here.
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
