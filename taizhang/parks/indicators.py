"""The indicators an evaluation scheme can weigh, in one registry: key → label, numerator and
denominator (firm figures; "land" is certificate plus leased area, in 亩)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .choices import Metric

LAND = "land"


@dataclass(frozen=True)
class IndicatorDef:
    label: str
    numerator: str
    denominator: str
    unit: str


INDICATORS: dict[str, IndicatorDef] = {
    "tax_per_mu": IndicatorDef(_("亩均税收"), Metric.TAX, LAND, _("万元/亩")),
    "va_per_mu": IndicatorDef(_("亩均增加值"), Metric.ADDED_VALUE, LAND, _("万元/亩")),
    "revenue_per_mu": IndicatorDef(_("亩均营业收入"), Metric.REVENUE, LAND, _("万元/亩")),
    "va_per_energy": IndicatorDef(_("单位能耗增加值"), Metric.ADDED_VALUE, Metric.ENERGY, _("万元/吨标煤")),
    "va_per_emission": IndicatorDef(_("单位排放增加值"), Metric.ADDED_VALUE, Metric.EMISSIONS, _("万元/吨")),
    "labour_productivity": IndicatorDef(_("全员劳动生产率"), Metric.ADDED_VALUE, Metric.EMPLOYEES, _("万元/人")),
    "rd_ratio": IndicatorDef(_("研发经费占营业收入比重"), Metric.RD, Metric.REVENUE, ""),
    "tax_per_kwh": IndicatorDef(_("单位电耗税收"), Metric.TAX, Metric.ELECTRICITY, _("万元/万千瓦时")),
}


def land_of(figures: dict[str, Decimal]) -> Decimal | None:
    """A firm's land for the evaluation: its certificate area plus the area it leases; None
    when neither was reported."""
    parts = [figures.get(Metric.LAND_CERTIFICATE), figures.get(Metric.LAND_LEASED)]
    if all(p is None for p in parts):
        return None
    return sum((p for p in parts if p is not None), Decimal("0"))


def value_of(key: str, figures: dict[str, Decimal]) -> Decimal | None:
    """The indicator's value for one firm, or None when a figure is missing or the
    denominator is not positive (a ratio over nothing says nothing)."""
    spec = INDICATORS[key]
    top = figures.get(spec.numerator)
    bottom = land_of(figures) if spec.denominator == LAND else figures.get(spec.denominator)
    if top is None or bottom is None or bottom <= 0:
        return None
    return top / bottom
