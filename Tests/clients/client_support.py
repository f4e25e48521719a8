"""Helpers shared by the client tests (the fixtures are in conftest.py)."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import pytest

T = TypeVar("T")

# The main sidecar's settings (see conftest.sidecar).
LEASE = 2.0
GRACE = 0.05

SUBMITTED = "sexton_operations_submitted_total"


def url(process) -> str:
    return f"http://{process.api}"


def eventually(check: Callable[[], T], timeout: float = 10.0) -> T:
    """Polls ``check`` until it gives something truthy, and returns that; fails after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"still {value!r} after {timeout}s")
        time.sleep(0.02)


def past_grace() -> None:
    """Lets a freshly admitted operation's grace period run out (setup, not an assertion)."""
    time.sleep(GRACE * 3)
