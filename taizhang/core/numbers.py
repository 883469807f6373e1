"""Rounding and ratios as the districts' reports state them: 2 decimals, half up."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
HUNDRED = Decimal("100")


def q2(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def yi(wan) -> Decimal | None:
    """万元 -> 亿元, 2 decimals half up (the one conversion cards, briefings and tables use)."""
    return None if wan is None else q2(Decimal(wan) / Decimal(10000))


def small_int(value, limit: int = 2**31 - 1) -> int | None:
    """A non-negative whole number from a query string or form ("42"), or None: not digits
    (also not "²" or "４２", which str.isdigit accepts), or beyond what an id or a count can be."""
    text = str(value or "")
    if not text or not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if number <= limit else None


def pct(part, whole) -> Decimal | None:
    """part / whole in percent, 2 decimals; None when whole is 0 or missing."""
    if whole is None or whole == 0 or part is None:
        return None
    return q2(Decimal(part) / Decimal(whole) * HUNDRED)


def growth(now, before) -> Decimal | None:
    """同比: change from ``before`` to ``now`` in percent."""
    if before in (None, 0) or now is None:
        return None
    return q2((Decimal(now) - Decimal(before)) / Decimal(before) * HUNDRED)

#: The largest amount one record may hold, in 万元 (1万亿元). The largest single projects
#: in the districts' reports are some hundreds of 亿元; a figure beyond this is a slip of unit
#: or a typing error, and once stored it would overflow every sum a leader's page shows.
MAX_AMOUNT_WAN = Decimal("100000000")
