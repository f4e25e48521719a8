"""Lease renewal while an operation's work runs.

Sync: one daemon thread per ``Client`` renews the leases of all its running operations. A thread
per operation would be simpler, but starting and joining one costs more than the rest of a
decorated call's client-side work together (about half a millisecond), on every call.
Async: a task per operation, which costs next to nothing.
"""
from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from collections.abc import Awaitable, Callable

from .errors import Rejected

log = logging.getLogger("sexton_client")


class Lease:
    """One operation's renewals, as LeaseKeeper schedules them."""

    __slots__ = ("id", "interval", "due", "renewing", "lost")

    def __init__(self, id: str, interval: float) -> None:
        self.id = id
        self.interval = interval
        self.due = time.monotonic() + interval
        self.renewing = False
        self.lost: Rejected | None = None


def _renew(heartbeat: Callable[[str], object], id: str) -> Rejected | None:
    """One heartbeat; the Rejected that says the operation lost its target, if it did."""
    try:
        heartbeat(id)
    except Rejected as lost:
        return lost
    except Exception as error:
        # Two more beats fit in the lease; if they fail too, the completion will say so.
        log.warning("heartbeat of operation %s failed: %s", id, error)
    return None


class LeaseKeeper:
    def __init__(self, heartbeat: Callable[[str], object]) -> None:
        self._heartbeat = heartbeat
        self._changed = threading.Condition()
        self._leases: set[Lease] = set()
        self._thread: threading.Thread | None = None
        self._closed = False
        # When the thread wakes up by itself: an earlier lease must wake it, a later one need not.
        self._wakes_at = math.inf
        # How long the thread waits with nothing to renew before it ends. The longest interval
        # seen, so that a lease added meanwhile (due one interval later) is not due before then.
        self._idle = 0.0

    def add(self, id: str, interval: float) -> Lease:
        lease = Lease(id, interval)
        with self._changed:
            self._leases.add(lease)
            self._idle = max(self._idle, interval)
            self._closed = False
            if self._thread is None or not self._thread.is_alive():  # not started, ended, or forked
                self._thread = threading.Thread(target=self._run, name="sexton-heartbeats", daemon=True)
                self._thread.start()
            elif lease.due < self._wakes_at:
                self._changed.notify_all()
        return lease

    def release(self, lease: Lease) -> Rejected | None:
        """Stops renewing (after a heartbeat in flight); returns the loss a heartbeat found."""
        with self._changed:
            self._leases.discard(lease)
            while lease.renewing:
                self._changed.wait()
        return lease.lost

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def _run(self) -> None:
        with self._changed:
            while not self._closed:
                now = time.monotonic()
                if not self._leases:
                    self._wakes_at = now + self._idle
                    self._changed.wait(self._idle)
                    if not self._leases:
                        # A whole idle period with nothing to renew: end, so that the thread of
                        # a client no longer used does not live on; add() starts another.
                        break
                    continue
                due = [lease for lease in self._leases if lease.due <= now]
                if not due:
                    self._wakes_at = min(lease.due for lease in self._leases)
                    self._changed.wait(self._wakes_at - now)
                    continue
                self._wakes_at = -math.inf  # busy, not waiting: nothing to wake
                for lease in due:
                    lease.renewing = True
                self._changed.release()
                try:
                    for lease in due:
                        lease.lost = _renew(self._heartbeat, lease.id)
                finally:
                    self._changed.acquire()
                    for lease in due:
                        lease.renewing = False
                        lease.due = time.monotonic() + lease.interval
                        if lease.lost is not None:
                            self._leases.discard(lease)
                    self._changed.notify_all()
            self._thread = None


class TaskHeartbeats:
    """Renews one operation's lease from a task until stopped or the operation is found lost."""

    def __init__(self, heartbeat: Callable[[str], Awaitable[object]], id: str, interval: float) -> None:
        self._stopping = asyncio.Event()
        self._task = asyncio.create_task(self._run(heartbeat, id, interval))

    async def _run(self, heartbeat: Callable[[str], Awaitable[object]], id: str, interval: float) -> Rejected | None:
        while not await _wait(self._stopping, interval):
            try:
                await heartbeat(id)
            except Rejected as lost:
                return lost
            except Exception as error:
                log.warning("heartbeat of operation %s failed: %s", id, error)
        return None

    async def stop(self) -> Rejected | None:
        """Stops renewing (after a heartbeat in flight); returns the loss a heartbeat found."""
        # Stopped rather than cancelled, so that a heartbeat in flight finishes cleanly.
        self._stopping.set()
        return await self._task


async def _wait(event: asyncio.Event, timeout: float) -> bool:
    try:
        await asyncio.wait_for(event.wait(), timeout)
        return True
    except asyncio.TimeoutError:
        return False
