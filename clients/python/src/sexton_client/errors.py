"""The exceptions the client raises for the sidecar's answers.

Transport failures (the sidecar cannot be reached, a timeout) are not answers: they surface as
the standard library's ``OSError`` subclasses (``ConnectionRefusedError``, ``TimeoutError``...).
"""
from __future__ import annotations

from typing import Any


class SextonError(Exception):
    """An error answer from the sidecar.

    ``status`` is the HTTP status, ``code`` the API's error code (``invalid_argument``,
    ``not_found``, ``staging_full``...), ``field`` the input at fault when there is one, and
    ``retry_after`` the seconds the sidecar asked to wait (503 answers), else ``None``.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None,
        field: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.retry_after = retry_after

    def __str__(self) -> str:
        where = f" (field {self.field})" if self.field else ""
        return f"{self.status} {self.code or 'error'}: {self.message}{where}"


class Rejected(SextonError):
    """The operation did not get, or lost, its target.

    Raised for a rejected submission (``reason`` ``lost_conflict``, ``grace_period``,
    ``executing_protected``, ``target_busy`` or ``version_conflict``, with the ``winner`` that kept
    the target), and for a start, heartbeat or completion refused because the operation already
    lost its target: ``reason`` is then ``preempted``, ``expired`` or ``cancelled`` (``winner`` is
    not in those answers; ``client.get(err.id).winner`` has it).

    ``operation_status`` is the operation's status (``rejected``, ``expired``, ``cancelled``).
    When the work ran anyway (a decorated call or ``client.operation`` block that lost its target
    while running), ``result`` holds what the function returned and ``__cause__`` what it raised.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None,
        id: str,
        reason: str,
        winner: str | None = None,
        operation_status: str = "rejected",
        target: str | None = None,
        target_version: int | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code)
        self.id = id
        self.reason = reason
        self.winner = winner
        self.operation_status = operation_status
        self.target = target
        self.target_version = target_version
        self.result: Any = None
