"""Whether the ledger is still as it was: a mark taken before some work, asked about later.

Work whose outcome depends only on the ledger (and on what the caller holds) can be kept
and used again while the ledger has not changed: an import's dry run decides every row,
and confirming the same rows under the same ledger need not decide them again. The
monitoring app keeps the number that tells (``monitoring.stamp``, counted by database
triggers on every write) and provides it here when it starts; the apps below it ask here,
without importing it. Without a provider nothing is ever found unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_take: Callable[[str], Any] | None = None
_holds: Callable[[Any, str], bool] | None = None


def provide(take: Callable[[str], Any], holds: Callable[[Any, str], bool]) -> None:
    """Install the ledger's marks: ``take(using)`` gives a mark of the ledger as committed
    (or None where none can be given); ``holds(mark, using)`` says whether the transaction
    running now sees the ledger as it was when ``mark`` was taken."""
    global _take, _holds
    _take, _holds = take, holds


def take(using: str = "default") -> Any:
    """A mark of the ledger as committed now; None inside a transaction (a rollback could
    give back what it counted) or where no mark is kept."""
    return _take(using) if _take is not None else None


def holds(mark: Any, using: str = "default") -> bool:
    """Inside a transaction that has not written to the ledger yet: whether it sees the ledger
    exactly as it was when ``mark`` was taken (nothing written since, by anyone)."""
    return mark is not None and _holds is not None and _holds(mark, using)
