"""Reading values: the one figure for an indicator, a region and a period (stored, derived
from its formula, or summed over districts), its status against the year's target and 时序,
the peer comparison, the claim-versus-ledger cross-check and the narrative paragraph."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from taizhang.core.numbers import HUNDRED, pct, q2
from taizhang.monitoring import kept, registry
from taizhang.monitoring.metrics import APPROVED, progress_colour
from taizhang.monitoring.models import rules_for
from taizhang.projects.models import Project
from taizhang.regions.choices import RegionLevel
from taizhang.regions.models import Region

from .choices import SOURCE_PRECEDENCE, Aggregation, Direction, Kind, PeriodKind
from .models import Indicator, IndicatorValue, Target, period_label
from .units import convert, month_of, period_of_subperiod

#: regions whose figure may be the sum of their children's (a district's own figures are its own)
SUMMED_LEVELS = (RegionLevel.PROVINCE, RegionLevel.CITY)
CHILD_LEVELS = (RegionLevel.CITY, RegionLevel.DISTRICT)


@dataclass
class Resolved:
    """A figure and how it was found: ``how`` is "stored", "derived" or "sum"."""

    value: Decimal | None
    how: str = ""
    record: IndicatorValue | None = None
    parts: list = field(default_factory=list)  # the Resolved it was computed from
    missing: list = field(default_factory=list)  # regions whose value a sum lacks


class Resolver:
    """Figures from ``values`` (a queryset, already restricted to what the reader may see)."""

    def __init__(self, values=None):
        self.values = values if values is not None else IndicatorValue.objects.all()
        self._cache: dict = {}

    def stored(self, indicator, region, year, kind, number) -> IndicatorValue | None:
        key = ("s", indicator.pk, region.pk, year, kind, number)
        if key not in self._cache:
            rows = {v.source: v for v in self.values.filter(indicator=indicator, region=region, year=year,
                                                            period_kind=kind, period_no=number)
                    .select_related("fact", "fact__document")}
            self._cache[key] = next((rows[s] for s in SOURCE_PRECEDENCE if s in rows), None)
        return self._cache[key]

    def get(self, indicator: Indicator, region, year: int, kind: str, number: int, depth: int = 0) -> Resolved:
        if depth > 8:  # a formula that refers to itself
            return Resolved(None)
        record = self.stored(indicator, region, year, kind, number)
        if record is not None:
            return Resolved(record.value, "stored", record)
        if indicator.is_derived:
            num = self.get(indicator.numerator, region, year, kind, number, depth + 1)
            den = self.get(indicator.denominator, region, year, kind, number, depth + 1)
            if num.value is None or den.value in (None, 0):
                return Resolved(None, "derived", parts=[num, den])
            value = q2(num.value / den.value * indicator.factor)
            return Resolved(value, "derived", parts=[num, den])
        if indicator.aggregation == Aggregation.SUM and region.level in SUMMED_LEVELS:
            children = [c for c in region.children.all() if c.level in CHILD_LEVELS]
            if not children:
                return Resolved(None)
            parts = [(c, self.get(indicator, c, year, kind, number, depth + 1)) for c in children]
            missing = [c for c, r in parts if r.value is None]
            if missing:  # a partial sum would be a wrong number that looks right
                return Resolved(None, "sum", parts=[r for _c, r in parts], missing=missing)
            return Resolved(sum((r.value for _c, r in parts), Decimal(0)), "sum", parts=[r for _c, r in parts])
        return Resolved(None)


@dataclass
class Status:
    rate: Decimal | None  # percent of the target reached (for 越低越好, target over value)
    timing: Decimal | None  # 时序进度 in percent (100 for a whole year or a growth/share)
    colour: str | None  # red / yellow / green


def status(indicator: Indicator, region, kind: str, number: int, value: Decimal | None,
           target: Decimal | None) -> Status:
    """The value against the year's target and against 时序, under the district's own
    warning rules (``monitoring.progress_colour``, the rule for projects)."""
    if value is None or target is None:
        return Status(None, None, None)
    if indicator.kind == Kind.LEVEL:
        month = month_of(kind, number)
        if month is None:
            return Status(None, None, None)
        timing = q2(Decimal(month) / Decimal(12) * HUNDRED)
    else:
        timing = HUNDRED  # a growth or share is compared with its target whatever the month
    if indicator.direction == Direction.LOWER:
        rate = HUNDRED if value <= 0 else pct(target, value)
    else:
        rate = pct(value, target) if target > 0 else None
    if rate is None:
        return Status(None, timing, None)
    return Status(rate, timing, progress_colour(rules_for(region.district or region), rate, timing))


def target_of(indicator, region, year, targets=None) -> Target | None:
    targets = targets if targets is not None else Target.objects.all()
    return targets.filter(indicator=indicator, region=region, year=year).first()


# -------------------------------------------------------------- peer comparison


@dataclass
class PeerRow:
    region: object
    resolved: Resolved
    year: int | None
    kind: str | None
    number: int | None
    target: Target | None
    status: Status
    trend: list  # (label, value) for the years before
    rank: int | None = None

    @property
    def period_label(self) -> str:
        return "" if self.year is None else period_label(self.year, self.kind, self.number)


def comparison(indicator: Indicator, regions, values, targets, year: int | None = None) -> list[PeerRow]:
    """Each region's figure of ``indicator`` side by side: for ``year`` if given, otherwise
    its latest year; ranked by value in the indicator's direction."""
    resolver = Resolver(values)
    rows = []
    for region in regions:
        periods = values.filter(indicator=indicator, region=region)
        if year is not None:
            periods = periods.filter(year=year)
        # the latest year; in it the whole year, else the longest running total
        rank = {PeriodKind.YEAR: 0, PeriodKind.CUMULATIVE: 1, PeriodKind.QUARTER: 2, PeriodKind.MONTH: 3}
        latest = min(set(periods.values_list("year", "period_kind", "period_no")),
                     key=lambda p: (-p[0], rank[p[1]], -p[2]), default=None)
        if latest is None:
            rows.append(PeerRow(region, Resolved(None), None, None, None, None, Status(None, None, None), []))
            continue
        y, k, n = latest
        resolved = resolver.get(indicator, region, y, k, n)
        target = target_of(indicator, region, y, targets)
        trend = []
        for ty in range(y - 4, y + 1):
            r = resolver.get(indicator, region, ty, k, n)
            if r.value is not None:
                trend.append((ty, r.value))
        rows.append(PeerRow(region, resolved, y, k, n, target,
                            status(indicator, region, k, n, resolved.value, target.value if target else None),
                            trend))
    ranked = sorted((r for r in rows if r.resolved.value is not None), key=lambda r: r.resolved.value,
                    reverse=indicator.direction == Direction.HIGHER)
    for i, row in enumerate(ranked, 1):
        row.rank = i
    return ranked + [r for r in rows if r.resolved.value is None]


# -------------------------------------------------------------- claims against the ledger


def ledger_figures(region: Region, year: int, month: int, basis: str | None = None) -> dict[str, object]:
    """The monitoring figures of the region's projects for January to ``month``: the same
    ``Snapshot`` and registry the dashboard uses, so an indicator never has a second formula."""
    projects = Project.objects.filter(region__path__startswith=region.path)
    snap = kept.snapshot(projects, year, month, basis=basis or APPROVED)
    keys = set(Indicator.objects.exclude(ledger_metric="").values_list("ledger_metric", flat=True))
    return {key: registry.figure(snap, key).value for key in keys}



@dataclass
class Claim:
    fact: object
    indicator: Indicator
    claimed: Decimal  # in the indicator's unit
    ledger: Decimal | None
    month: int

    @property
    def difference(self) -> Decimal | None:
        return None if self.ledger is None else q2(self.claimed - Decimal(self.ledger))

    @property
    def agrees(self) -> bool:
        """Within the rounding a report states figures in (1%)."""
        if self.ledger is None:
            return False
        ledger = Decimal(self.ledger)
        if ledger == 0:
            return self.claimed == 0
        return abs(self.claimed - ledger) / abs(ledger) <= Decimal("0.01")


def cross_check(facts, basis: str | None = None) -> list[Claim]:
    """Each fact about a ledger indicator (a claim in a report) against the ledger's own
    figure for the same region and period, computed by the monitoring snapshot."""
    out, figures = [], {}
    for fact in facts.filter(indicator__isnull=False, region__isnull=False, year__isnull=False).exclude(
            indicator__ledger_metric="").exclude(status="target").select_related("indicator", "region", "document"):
        period = period_of_subperiod(fact.subperiod)
        month = month_of(*period) if period else None
        claimed = convert(fact.value, fact.unit, fact.indicator.unit)
        if month is None or claimed is None:
            continue
        key = (fact.region.pk, fact.year, month)
        if key not in figures:
            figures[key] = ledger_figures(fact.region, fact.year, month, basis)
        ledger = figures[key].get(fact.indicator.ledger_metric)
        out.append(Claim(fact, fact.indicator, claimed, ledger, month))
    return out


# -------------------------------------------------------------- the narrative


def narrative(region, year: int, month: int, values, targets, indicators=None) -> str:
    """The paragraph a 发改局 writes from a period's figures: "1-10月,全区规上工业增加值增长
    13.8%,……;重点项目完成投资X万元,完成年度目标的Y%,……". Growth figures first, then
    totals with their share of the year's target, then what lags 时序."""
    resolver = Resolver(values)
    kind, number = (PeriodKind.YEAR, 0) if month == 12 else (PeriodKind.CUMULATIVE, month)
    head = _("%(year)s年") % {"year": year} if month == 12 else _("1-%(month)s月") % {"month": month}
    place = _("全区") if region.level == RegionLevel.DISTRICT else _("全市") if region.level == RegionLevel.CITY \
        else region.name
    growths, levels, behind = [], [], []
    for indicator in indicators if indicators is not None else Indicator.objects.all():
        resolved = resolver.get(indicator, region, year, kind, number)
        if resolved.value is None:
            continue
        value = q2(resolved.value).normalize()
        value = value.quantize(Decimal(1)) if value == value.to_integral() else value
        target = target_of(indicator, region, year, targets)
        st = status(indicator, region, kind, number, resolved.value, target.value if target else None)
        if indicator.kind == Kind.GROWTH:
            word = _("增长") if resolved.value >= 0 else _("下降")
            growths.append(_("%(name)s%(word)s%(value)s%%") % {"name": indicator.name, "word": word,
                                                                "value": abs(value)})
        elif indicator.kind == Kind.SHARE:
            levels.append(_("%(name)s%(value)s%%") % {"name": indicator.name, "value": value})
        else:
            text = _("%(name)s%(value)s%(unit)s") % {"name": indicator.name, "value": value, "unit": indicator.unit}
            if st.rate is not None:
                text += _(",完成年度目标的%(rate)s%%") % {"rate": st.rate}
            levels.append(text)
        if st.colour in ("red", "yellow"):
            behind.append(indicator.name)
    if not (growths or levels):
        return _("%(head)s,%(place)s暂无指标数据。") % {"head": head, "place": place}
    parts = ",".join(growths + levels)
    text = _("%(head)s,%(place)s%(parts)s。") % {"head": head, "place": place, "parts": parts}
    if behind:
        text += _("%(names)s落后于时序进度或年度目标,需加力推进。") % {"names": "、".join(behind)}
    return text
