"""How far a firm is from the next tier: the tier's published thresholds (a rule set, as data)
against the firm's figures of the year the rules look at.

Each threshold says the firm's value, the threshold and the shortfall; thresholds in one group
are alternatives. A firm is "one step away" when exactly one requirement is unmet and none is
unknown; a missing figure is never taken as met or as zero.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _

from taizhang.core.numbers import q2

from .choices import Metric, Op, TierKind
from .models import AnnualFigure, Criterion, Enterprise, Recognition, RuleSet

QUALIFIED, ONE_STEP, FAR, UNKNOWN = "qualified", "one_step", "far", "unknown"
VERDICTS = {QUALIFIED: _("已达标"), ONE_STEP: _("差一项"), FAR: _("差多项"), UNKNOWN: _("数据不全")}


def figures_in(firms, year: int) -> dict[int, dict[str, Decimal]]:
    """The figures of ``year`` (:func:`figures_from`) of each firm of ``firms`` (a queryset) that
    has any of that year, in the order of their ids: two queries, whatever the number of firms."""
    rows: dict[int, list] = {}
    measured = set()
    # of the year before, only the revenue (the growth's base) is read: the rest :func:`figures_from` ignores
    last = Q(year=year - 1, metric=Metric.REVENUE)
    for row in (AnnualFigure.objects.filter(Q(year=year) | last, enterprise__in=firms).order_by()
                .values_list("enterprise_id", "year", "metric", "value")):
        fid = row[0]
        if fid in rows:
            rows[fid].append(row[1:])
        else:
            rows[fid] = [row[1:]]
        if row[1] == year:
            measured.add(fid)
    founded = dict(firms.filter(established__isnull=False).order_by().values_list("pk", "established"))
    return {fid: figures_from(rows[fid], year, founded.get(fid)) for fid in sorted(measured)}


def figures_from(rows, year: int, established: dt.date | None) -> dict[str, Decimal]:
    """One firm's figures of ``year`` from its (year, metric, value) rows (other years' are
    ignored), with the derived ones: R&D intensity from R&D and revenue, revenue growth from this
    year's and last year's revenue, years since founding."""
    figs: dict[str, Decimal] = {}
    last_revenue = None
    for y, metric, value in rows:
        if y == year:
            figs[metric] = value
        elif y == year - 1 and metric == Metric.REVENUE:
            last_revenue = value
    revenue = figs.get(Metric.REVENUE)
    if Metric.RD_INTENSITY not in figs and revenue and Metric.RD_EXPENSE in figs:
        figs[Metric.RD_INTENSITY] = q2(figs[Metric.RD_EXPENSE] / revenue * 100)
    if Metric.REVENUE_GROWTH not in figs and revenue is not None and last_revenue:
        figs[Metric.REVENUE_GROWTH] = q2((revenue - last_revenue) / last_revenue * 100)
    if established is not None:
        figs[Metric.YEARS] = Decimal(year - established.year)
    return figs


#: a rule set's criteria in their order, read without joining the rule sets again
_CRITERIA = Prefetch("criteria", queryset=Criterion.objects.order_by("group", "pk"))
#: of two versions governing a year, the one taken: the later start, then the later version
_NEWEST = ("-first_year", "-version", "level", "pk")


def rulesets_for(year: int) -> dict[str, RuleSet]:
    """Each tier's rules governing ``year`` (as :func:`ruleset_for` picks them), in the tiers'
    order, their criteria loaded: two queries for every tier."""
    found: dict[str, RuleSet] = {}
    for ruleset in (RuleSet.objects.filter(first_year__lte=year).exclude(last_year__lt=year)
                    .prefetch_related(_CRITERIA).order_by("kind", *_NEWEST)):
        found.setdefault(ruleset.kind, ruleset)
    return {k: found[k] for k in TierKind.values if k in found}


def ruleset_for(kind: str, year: int, level: str | None = None) -> RuleSet | None:
    """The newest version of the tier's rules that governs ``year``."""
    sets = RuleSet.objects.filter(kind=kind, first_year__lte=year).exclude(last_year__lt=year)
    if level:
        sets = sets.filter(level=level)
    return sets.prefetch_related(_CRITERIA).order_by(*_NEWEST).first()


@dataclass
class Check:
    metric: str
    label: str
    op: str
    threshold: Decimal
    value: Decimal | None
    met: bool | None
    shortfall: Decimal | None
    group: str = ""


@dataclass
class Gap:
    ruleset: RuleSet
    checks: list[Check]
    unmet: int  # requirements (a group counts once) not met
    unknown: int  # requirements none of whose figures is known, and not met by another
    verdict: str = field(init=False)

    def __post_init__(self):
        self.verdict = verdict(self.unmet, self.unknown)

    @property
    def verdict_label(self) -> str:
        return str(VERDICTS[self.verdict])


def evaluate(ruleset: RuleSet, figures: dict[str, Decimal]) -> Gap:
    checks = []
    for c in ruleset.criteria.all():
        value = figures.get(c.metric)
        met = None if value is None else c.met_by(value)
        shortfall = None
        if value is not None and not met:
            shortfall = (c.threshold - value) if c.op == Op.GTE else (value - c.threshold)
        checks.append(Check(c.metric, Metric(c.metric).label, c.get_op_display(), c.threshold, value, met,
                            shortfall, c.group))
    return Gap(ruleset, checks, *_tally(_requirements(ruleset.criteria.all()), figures))


def verdict(unmet: int, unknown: int) -> str:
    """The verdict on a firm with ``unmet`` requirements not met and ``unknown`` not known."""
    if unmet == 0 and unknown == 0:
        return QUALIFIED
    if unmet > 1:
        return FAR  # whatever the unknown figures say
    return UNKNOWN if unknown else ONE_STEP


def _requirements(criteria) -> list[list[Criterion]]:
    """A rule set's criteria as its requirements, each a list of alternatives (a group's criteria,
    or one criterion alone)."""
    requirements: dict[str, list[Criterion]] = {}
    for i, c in enumerate(criteria):
        requirements.setdefault(c.group or f"#{i}", []).append(c)
    return list(requirements.values())


def _tally(requirements: list[list[Criterion]], figures: dict[str, Decimal]) -> tuple[int, int]:
    """Requirements not met and requirements unknown on ``figures``: a requirement is met when one
    of its alternatives is (:meth:`Criterion.met_by`), unknown when none is met and the figure of
    one is not known (never taken as met or as zero)."""
    unmet = unknown = 0
    for alternatives in requirements:
        missing = False
        for c in alternatives:
            value = figures.get(c.metric)
            if value is None:
                missing = True
            elif c.met_by(value):
                break
        else:
            if missing:
                unknown += 1
            else:
                unmet += 1
    return unmet, unknown


@dataclass
class Near:
    """Firms close to a tier: qualified by its thresholds, or missing one of them."""

    kind: str
    ruleset: RuleSet
    #: firms qualified or one step away
    count: int
    #: the first of them by id, each with its gap (as many as asked)
    firms: list[tuple[int, Gap]]


def nearest(firms, year: int, day: dt.date, shown: int = 200) -> list[Near]:
    """For each tier with rules governing ``year`` (:func:`rulesets_for`), of ``firms`` (a queryset)
    measured on their figures of ``year`` and not holding the tier on ``day``: how many are
    qualified or one step away (:func:`evaluate`'s verdicts), and the first ``shown`` of them with
    their gaps. Tiers no firm is measured against are left out. The same firms and verdicts as
    :func:`gaps_for` for each tier, in a few queries for all of them: the figures of every firm
    read once, the holders of every tier together."""
    rulesets = rulesets_for(year)
    if not rulesets:
        return []
    from .tiers import holding

    figures = figures_in(firms, year)
    held: dict[str, set[int]] = {kind: set() for kind in rulesets}
    for kind, fid in (Recognition.objects.filter(holding(day), kind__in=list(rulesets), enterprise__in=firms)
                      .order_by().values_list("kind", "enterprise_id")):
        held[kind].add(fid)
    out = []
    for kind, ruleset in rulesets.items():
        requirements = _requirements(ruleset.criteria.all())
        measured = [fid for fid in figures if fid not in held[kind]]
        if not measured:
            continue
        close = [fid for fid in measured if verdict(*_tally(requirements, figures[fid])) in (ONE_STEP, QUALIFIED)]
        out.append(Near(kind, ruleset, len(close), [(fid, evaluate(ruleset, figures[fid])) for fid in close[:shown]]))
    return out


def gaps_for(firms, kind: str, year: int, day: dt.date | None = None) -> dict[int, Gap]:
    """Each firm's gap to ``kind`` by the rules governing ``year``, on the figures of ``year``;
    only firms with figures of that year are measured, and firms already holding ``kind`` on
    ``day`` are left out (``firms``: ids or a queryset of firms). :func:`nearest` asks this of
    every tier at once."""
    ruleset = ruleset_for(kind, year)
    if ruleset is None:
        return {}
    day = day or dt.date(year, 12, 31)
    from .tiers import holding

    scope = Enterprise.objects.filter(pk__in=firms)
    held = set(Recognition.objects.filter(holding(day, kind), enterprise__in=scope).order_by()
               .values_list("enterprise_id", flat=True))
    return {fid: evaluate(ruleset, figs) for fid, figs in figures_in(scope, year).items() if fid not in held}
