"""Checks on indicator values (DHIS2's validation rules): run when a value is entered, and
over a whole period. Hard findings refuse a value; soft ones ask whoever enters it to
confirm it and say why (the reports' ``reporting.rules.Finding``, the same shape)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from taizhang.core.numbers import growth, q2
from taizhang.reporting.choices import Severity
from taizhang.reporting.rules import Finding

from .choices import Aggregation, CheckKind, Kind
from .figures import Resolver
from .models import IndicatorValue

#: a total that moves more than this many percent from the same period last year is asked about
GROWTH_LIMIT = Decimal("50")
#: a growth rate more than this many points from last year's is asked about
GROWTH_POINTS_LIMIT = Decimal("20")


def _stored(indicator, region, year, kind, number):
    return Resolver(IndicatorValue.objects.all()).get(indicator, region, year, kind, number).value


def check_value(indicator, region, year: int, kind: str, number: int, value: Decimal) -> list[Finding]:
    """Findings for ``value`` of ``indicator`` in ``region`` for the period."""
    out = []
    if indicator.kind == Kind.SHARE and value > 100 and not indicator.allow_over_100:
        out.append(Finding(CheckKind.SHARE_OVER_100, Severity.HARD,
                           _("“%(name)s”是比重,%(value)s%%超过100%%") % {"name": indicator, "value": q2(value)}))
    if indicator.kind == Kind.SHARE and value < 0:
        out.append(Finding(CheckKind.SHARE_OVER_100, Severity.HARD,
                           _("“%(name)s”是比重,不能为负数") % {"name": indicator}))
    if indicator.kind == Kind.GROWTH and value < -100:
        out.append(Finding(CheckKind.GROWTH_IMPLAUSIBLE, Severity.HARD,
                           _("“%(name)s”下降超过100%%,不可能") % {"name": indicator}))
    if indicator.kind == Kind.LEVEL and indicator.aggregation == Aggregation.SUM and value < 0:
        out.append(Finding(CheckKind.NEGATIVE_LEVEL, Severity.HARD,
                           _("“%(name)s”是总量,不能为负数") % {"name": indicator}))
    last = _stored(indicator, region, year - 1, kind, number)
    if last is not None:
        if indicator.kind == Kind.LEVEL:
            change = growth(value, last)
            if change is not None and abs(change) > GROWTH_LIMIT:
                out.append(Finding(CheckKind.GROWTH_IMPLAUSIBLE, Severity.SOFT,
                                   _("“%(name)s”较上年同期(%(last)s)变化%(change)s%%,请核实") % {
                                       "name": indicator, "last": q2(last), "change": change}))
        elif indicator.kind == Kind.GROWTH and abs(value - last) > GROWTH_POINTS_LIMIT:
            out.append(Finding(CheckKind.GROWTH_IMPLAUSIBLE, Severity.SOFT,
                               _("“%(name)s”增速%(value)s%%与上年同期%(last)s%%相差超过%(limit)s个百分点,请核实") % {
                                   "name": indicator, "value": q2(value), "last": q2(last),
                                   "limit": GROWTH_POINTS_LIMIT}))
    if indicator.part_of_id is not None:
        whole = _stored(indicator.part_of, region, year, kind, number)
        if whole is not None and value > whole:
            out.append(Finding(CheckKind.PART_OVER_WHOLE, Severity.HARD,
                               _("分项“%(part)s”%(value)s大于总量“%(whole)s”%(total)s") % {
                                   "part": indicator, "value": q2(value), "whole": indicator.part_of,
                                   "total": q2(whole)}))
    for part in indicator.parts.all():
        amount = _stored(part, region, year, kind, number)
        if amount is not None and amount > value:
            out.append(Finding(CheckKind.PART_OVER_WHOLE, Severity.HARD,
                               _("总量“%(whole)s”%(value)s小于分项“%(part)s”%(amount)s") % {
                                   "whole": indicator, "value": q2(value), "part": part, "amount": q2(amount)}))
    return out


def period_findings(values) -> list[tuple[IndicatorValue, Finding]]:
    """Every stored value of ``values`` (a period's, already scoped) checked again: what was
    confirmed on entry, and what later entries made wrong (a whole entered below its parts)."""
    out = []
    for v in values.select_related("indicator", "indicator__part_of", "region"):
        for finding in check_value(v.indicator, v.region, v.year, v.period_kind, v.period_no, v.value):
            out.append((v, finding))
    return out
