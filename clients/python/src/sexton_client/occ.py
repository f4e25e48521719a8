"""Retry policy for submissions that lost a race they may win later."""
from __future__ import annotations

import random
from dataclasses import dataclass

from .errors import Rejected, SextonError

# Rejections that say "not now" rather than "not you": the target may be free on a later try.
RETRYABLE_REASONS = frozenset({"target_busy", "grace_period", "version_conflict"})


@dataclass(frozen=True, slots=True)
class OCC:
    """Optimistic concurrency control: how often and how patiently a submission is retried.

    The n-th retry (from 0) waits ``base_delay * backoff**n`` seconds, capped at ``max_delay``,
    scattered by ±50% jitter so that competing clients do not retry in step, and never less than
    the ``Retry-After`` of a 503 answer.
    """

    max_retries: int = 10
    base_delay: float = 0.005
    backoff: float = 1.5
    max_delay: float = 1.0

    def delay(self, retry: int, error: SextonError) -> float | None:
        """Seconds to wait before retry number ``retry`` after ``error``; None: give up."""
        if retry >= self.max_retries or not retryable(error):
            return None
        # Past max_delay a larger exponent changes nothing but could overflow a float.
        nominal = self.base_delay * self.backoff ** min(retry, 64)
        return max(min(self.max_delay, nominal * random.uniform(0.5, 1.5)), error.retry_after or 0.0)


def retryable(error: SextonError) -> bool:
    if isinstance(error, Rejected):
        return error.reason in RETRYABLE_REASONS
    return error.status == 503
