"""Fixtures for the Python client's tests: real sidecars on free ports, fresh targets.

The client is imported as installed (``pip install ./clients/python``), never from the source
tree, so these tests check the package a user gets. The sidecar is the binary named by
SEXTON_BINARY (default: .build/debug/sexton), started by Tests/monitoring/sexton_process.py.
"""
from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "monitoring"))
from sexton_process import Sexton  # noqa: E402

from client_support import GRACE, LEASE, url  # noqa: E402
from sexton_client import Client  # noqa: E402


@pytest.fixture(scope="session")
def sidecar() -> Iterator[Sexton]:
    """Resolves on arrival; the LEASE and GRACE of client_support; idle connections closed after 1 s."""
    with Sexton(
        "--coordinator-staging-window", "0s",
        "--coordinator-lease-timeout", f"{LEASE:g}s",
        "--coordinator-grace-period", f"{GRACE * 1000:g}ms",
        "--limits-connection-timeout", "1s",
    ) as process:
        yield process


@pytest.fixture(scope="session")
def protected() -> Iterator[Sexton]:
    """An executing operation is never preempted: rivals get executing_protected."""
    with Sexton(
        "--coordinator-staging-window", "0s",
        "--coordinator-grace-period", "0s",
        "--coordinator-protect-executing=true",
    ) as process:
        yield process


@pytest.fixture(scope="session")
def cramped() -> Iterator[Sexton]:
    """One operation staged per target, for 300 ms: a second one meanwhile gets 503 staging_full."""
    with Sexton(
        "--coordinator-staging-window", "300ms",
        "--coordinator-max-ops-per-target", "1",
        "--coordinator-grace-period", f"{GRACE * 1000:g}ms",
    ) as process:
        yield process


@pytest.fixture
def client(sidecar: Sexton) -> Iterator[Client]:
    with Client(url(sidecar)) as c:
        yield c


@pytest.fixture
def rival(sidecar: Sexton) -> Iterator[Client]:
    """Another application's client of the same sidecar."""
    with Client(url(sidecar)) as c:
        yield c


@pytest.fixture
def target() -> str:
    """A fresh target per test, holding what a path must encode: '/', spaces, '%', '?', UTF-8."""
    return f"orders/{uuid.uuid4().hex[:12]} 100% ünï?"
