"""Units and periods of indicator values: 万/亿 prefixes, the reader's subperiods, 时序 months."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .choices import PeriodKind

_PREFIX = {"万": Decimal("10000"), "亿": Decimal("100000000")}


def _split_unit(unit: str) -> tuple[Decimal, str]:
    unit = (unit or "").strip()
    if len(unit) > 1 and unit[0] in _PREFIX:
        return _PREFIX[unit[0]], unit[1:]
    return Decimal(1), unit


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal | None:
    """``value`` in ``from_unit`` expressed in ``to_unit`` (万/亿 prefixes multiplied out);
    None when the two units measure different things (亿元 and 个, % and 个百分点)."""
    fa, fb = _split_unit(from_unit)
    ta, tb = _split_unit(to_unit)
    if fb != tb:
        return None
    return (Decimal(value) * fa / ta).quantize(Decimal("0.0001"))


def check_period(kind: str, number: int) -> None:
    limits = {PeriodKind.YEAR: (0, 0), PeriodKind.QUARTER: (1, 4), PeriodKind.MONTH: (1, 12),
              PeriodKind.CUMULATIVE: (1, 12)}
    if kind not in limits:
        raise ValidationError(_("期别不正确"))
    low, high = limits[kind]
    if not (low <= int(number) <= high):
        raise ValidationError(_("期数超出范围(季度1-4,月份1-12,全年为0)"))


def period_of_subperiod(subperiod: str | None) -> tuple[str, int] | None:
    """The reader's subperiod (None, "M1-M10", "Q1-Q3", "H1", "Q3", "M5") as a period."""
    if not subperiod:
        return PeriodKind.YEAR, 0
    s = subperiod.upper()
    if s.startswith("M1-M") and s[4:].isdigit():
        return PeriodKind.CUMULATIVE, int(s[4:])
    if s.startswith("Q1-Q") and s[4:].isdigit():
        return PeriodKind.CUMULATIVE, int(s[4:]) * 3
    if s == "H1":
        return PeriodKind.CUMULATIVE, 6
    if s == "Q1":  # the first quarter is also 1-3月, a running total from January
        return PeriodKind.CUMULATIVE, 3
    if s.startswith("Q") and s[1:].isdigit():
        return PeriodKind.QUARTER, int(s[1:])
    if s.startswith("M") and s[1:].isdigit():
        return PeriodKind.MONTH, int(s[1:])
    return None


def month_of(kind: str, number: int) -> int | None:
    """The last month a period covers since January, for 时序 (None: not a running total)."""
    if kind == PeriodKind.YEAR:
        return 12
    if kind == PeriodKind.CUMULATIVE:
        return number
    return None
