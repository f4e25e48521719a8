"""Python client for the Sexton sidecar.

``Client`` / ``AsyncClient`` call the sidecar's API; ``with_conflict_resolution`` and
``client.operation(...)`` run work as a conflict-resolved operation (submit with retries, start,
heartbeats, completion). See the README for the whole story.
"""
from ._session import AsyncOperationContext, OperationContext
from ._version import __version__
from .client import AsyncClient, Client
from .decorator import with_conflict_resolution
from .errors import Rejected, SextonError
from .models import Lineage, Operation, Outcome, Priority, Target, Zombie
from .occ import OCC, RETRYABLE_REASONS

__all__ = [
    "OCC",
    "RETRYABLE_REASONS",
    "AsyncClient",
    "AsyncOperationContext",
    "Client",
    "Lineage",
    "Operation",
    "OperationContext",
    "Outcome",
    "Priority",
    "Rejected",
    "SextonError",
    "Target",
    "Zombie",
    "__version__",
    "with_conflict_resolution",
]
