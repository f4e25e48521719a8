"""The sidecar's answers as immutable dataclasses.

Members the sidecar adds in later versions are ignored, so an older client keeps working.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Union

Priority = Union[int, Literal["background", "low", "normal", "high", "critical"]]
Outcome = Literal["succeeded", "failed"]


def _time(value: str | None) -> datetime | None:
    # fromisoformat only learnt the "Z" suffix in 3.11.
    return None if value is None else datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass(frozen=True, slots=True)
class Lineage:
    parent: str | None
    retry_of: str | None
    retry_count: int


@dataclass(frozen=True, slots=True)
class Operation:
    """An operation as the sidecar answered it.

    A submission answers ``id``, ``status``, ``ecs_id``, ``target``, ``target_version`` and
    ``lease_timeout_seconds`` (0: no lease); ``get``, ``start``, ``heartbeat``, ``complete`` and
    ``cancel`` answer the whole operation, every field but those two. Fields an answer does not
    carry are ``None``.
    """

    id: str
    status: str
    target: str
    ecs_id: str | None = None
    target_version: int | None = None
    lease_timeout_seconds: float | None = None
    target_type: str | None = None
    op_type: str | None = None
    priority: int | None = None
    effective_priority: int | None = None
    reason: str | None = None
    winner: str | None = None
    error: str | None = None
    in_registry: bool | None = None
    zombie: bool | None = None
    submitted_at: datetime | None = None
    admitted_at: datetime | None = None
    started_at: datetime | None = None
    last_heartbeat_at: datetime | None = None
    ended_at: datetime | None = None
    lineage: Lineage | None = None

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Operation:
        lineage = doc.get("lineage")
        return cls(
            id=doc["id"],
            status=doc["status"],
            target=doc["target"],
            ecs_id=doc.get("ecs_id"),
            target_version=doc.get("target_version"),
            lease_timeout_seconds=doc.get("lease_timeout_seconds"),
            target_type=doc.get("target_type"),
            op_type=doc.get("op_type"),
            priority=doc.get("priority"),
            effective_priority=doc.get("effective_priority"),
            reason=doc.get("reason"),
            winner=doc.get("winner"),
            error=doc.get("error"),
            in_registry=doc.get("in_registry"),
            zombie=doc.get("zombie"),
            submitted_at=_time(doc.get("submitted_at")),
            admitted_at=_time(doc.get("admitted_at")),
            started_at=_time(doc.get("started_at")),
            last_heartbeat_at=_time(doc.get("last_heartbeat_at")),
            ended_at=_time(doc.get("ended_at")),
            lineage=None if lineage is None else Lineage(
                parent=lineage.get("parent"),
                retry_of=lineage.get("retry_of"),
                retry_count=lineage.get("retry_count", 0),
            ),
        )


@dataclass(frozen=True, slots=True)
class Zombie:
    """A registry entity whose operation ended without success after admission."""

    id: str
    ecs_id: str
    target: str
    target_type: str
    op_type: str
    priority: int
    status: str
    reason: str
    admitted_at: datetime | None
    ended_at: datetime | None
    age_seconds: float
    strategy: str
    cleanup_at: datetime | None
    failed_attempts: int

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Zombie:
        return cls(
            id=doc["id"],
            ecs_id=doc["ecs_id"],
            target=doc["target"],
            target_type=doc["target_type"],
            op_type=doc["op_type"],
            priority=doc["priority"],
            status=doc["status"],
            reason=doc["reason"],
            admitted_at=_time(doc.get("admitted_at")),
            ended_at=_time(doc.get("ended_at")),
            age_seconds=doc["age_seconds"],
            strategy=doc["strategy"],
            cleanup_at=_time(doc.get("cleanup_at")),
            failed_attempts=doc.get("failed_attempts", 0),
        )


@dataclass(frozen=True, slots=True)
class Target:
    """A target's state: its version, the operation holding it, how many wait, its zombies."""

    target: str
    version: int
    active: Operation | None
    staged: int
    zombies: tuple[Zombie, ...]

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Target:
        active = doc.get("active")
        return cls(
            target=doc["target"],
            version=doc["version"],
            active=None if active is None else Operation.from_json(active),
            staged=doc.get("staged", 0),
            zombies=tuple(Zombie.from_json(z) for z in doc.get("zombies", ())),
        )
