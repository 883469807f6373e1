"""Tier counts as reports state them, each by a named definition.

A report's "新认定高新技术企业55家" counts firms first recognised in a period; "累计培育独角兽企业
9家" counts firms ever recognised up to a day; "高新技术企业920家" is often the firms whose
certificate holds on a day. The three differ (a certificate lapses, a firm is re-recognised), so
every count says which it is. A recognition the source dates only by year is counted as holding
from that year's last day: a count at a day inside its year leaves it out and says so
(``undated``), rather than claim what the source does not say.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import LADDERS, TierKind
from .models import Recognition

DEFINITIONS = {
    "new": _("新认定:期内首次认定的企业数(不含重新认定、复审)"),
    "cumulative": _("累计:截至该日曾获认定的企业数(含已到期、已取消)"),
    "valid": _("有效期内:该日认定已生效、未到期、未终止的企业数"),
}


@dataclass
class Count:
    definition: str
    kind: str
    value: int
    #: recognitions the source dates only by the year of the day asked: not counted, reported
    undated: int = 0
    ids: list[int] = field(default_factory=list, repr=False)

    @property
    def label(self) -> str:
        return str(DEFINITIONS[self.definition])


def _scoped(firms, kind: str, level: str | None = None):
    recs = Recognition.objects.filter(enterprise__in=firms, kind=kind)
    return recs.filter(level=level) if level else recs


def count_new(firms, kind: str, start: dt.date, end: dt.date, level: str | None = None) -> Count:
    """Firms first recognised in [start, end]: renewals left out; a firm counted once."""
    recs = _scoped(firms, kind, level).filter(renewal=False)
    dated = recs.filter(effective__range=(start, end))
    whole_years = [y for y in range(start.year, end.year + 1)
                   if start <= dt.date(y, 1, 1) and dt.date(y, 12, 31) <= end]
    by_year = recs.filter(effective__isnull=True, year__in=whole_years)
    partial = recs.filter(effective__isnull=True, year__range=(start.year, end.year)).exclude(year__in=whole_years)
    ids = set(dated.values_list("enterprise_id", flat=True)) | set(by_year.values_list("enterprise_id", flat=True))
    # a firm recognised for the first time before the period is not new in it
    earlier = set(recs.filter(Q(effective__lt=start) | Q(effective__isnull=True, year__lt=start.year))
                  .values_list("enterprise_id", flat=True))
    ids -= earlier
    undated = set(partial.values_list("enterprise_id", flat=True)) - ids - earlier
    return Count("new", kind, len(ids), len(undated), sorted(ids))


def count_cumulative(firms, kind: str, day: dt.date, level: str | None = None) -> Count:
    """Firms recognised at any time up to ``day``, whatever became of it since."""
    recs = _scoped(firms, kind, level)
    started = recs.filter(Q(effective__lte=day) | Q(effective__isnull=True, year__lt=day.year)
                          | Q(effective__isnull=True, year=day.year, **_year_end(day)))
    ids = set(started.values_list("enterprise_id", flat=True))
    undated = set(recs.filter(effective__isnull=True, year=day.year).values_list("enterprise_id", flat=True)) - ids
    return Count("cumulative", kind, len(ids), 0 if _is_year_end(day) else len(undated), sorted(ids))


def count_valid(firms, kind: str, day: dt.date, level: str | None = None) -> Count:
    """Firms whose recognition holds on ``day``: started, not expired, not ended."""
    recs = _scoped(firms, kind, level)
    started = Q(effective__lte=day) | Q(effective__isnull=True, year__lt=day.year) | Q(
        effective__isnull=True, year=day.year, **_year_end(day))
    holding = recs.filter(started).filter(Q(expiry__isnull=True) | Q(expiry__gte=day)).filter(
        Q(ended__isnull=True) | Q(ended__gt=day))
    ids = set(holding.values_list("enterprise_id", flat=True))
    undated = set(recs.filter(effective__isnull=True, year=day.year).filter(
        Q(ended__isnull=True) | Q(ended__gt=day)).values_list("enterprise_id", flat=True)) - ids
    return Count("valid", kind, len(ids), 0 if _is_year_end(day) else len(undated), sorted(ids))


def _is_year_end(day: dt.date) -> bool:
    return (day.month, day.day) == (12, 31)


def _year_end(day: dt.date) -> dict:
    """A year-only recognition counts at its year's last day, not before."""
    return {} if _is_year_end(day) else {"pk__in": []}


def expiring(firms, today: dt.date, months: int = 6):
    """Recognitions still holding whose term ends within ``months``: re-certification is due."""
    horizon = _add_months(today, months)
    return (Recognition.objects.filter(enterprise__in=firms, expiry__range=(today, horizon), ended__isnull=True)
            .select_related("enterprise", "enterprise__region").order_by("expiry", "id"))


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def summary(firms, day: dt.date, year: int | None = None) -> list[dict]:
    """For each tier: firms valid and cumulative at ``day``, and new in ``year`` (default: the day's year,
    1 January to the day)."""
    year = year or day.year
    start, end = dt.date(year, 1, 1), min(day, dt.date(year, 12, 31))
    rows = []
    for kind in TierKind:
        new = count_new(firms, kind, start, end)
        rows.append({"kind": kind, "label": kind.label, "valid": count_valid(firms, kind, day),
                     "cumulative": count_cumulative(firms, kind, day), "new": new})
    return rows


@dataclass
class Step:
    kind: str
    firms: int
    #: of those on the step before, how many reached this one (percent), and the median days it took
    conversion: float | None = None
    median_days: int | None = None


def funnel(firms, ladder: str, day: dt.date) -> list[Step]:
    """A ladder's steps at ``day``: firms ever on each step (cumulative), how many of the step
    before's firms reached it, and the median time between the two recognitions."""
    kinds = LADDERS[ladder]
    starts: dict[str, dict[int, dt.date]] = {}
    for kind in kinds:
        firsts: dict[int, dt.date] = {}
        for firm_id, eff, year in (Recognition.objects.filter(enterprise__in=firms, kind=kind)
                                   .values_list("enterprise_id", "effective", "year")):
            start = eff or dt.date(year, 12, 31)
            if start <= day and (firm_id not in firsts or start < firsts[firm_id]):
                firsts[firm_id] = start
        starts[kind] = firsts
    steps, before = [], None
    for kind in kinds:
        here = starts[kind]
        step = Step(kind, len(here))
        if before is not None and before:
            reached = [fid for fid in before if fid in here]
            step.conversion = round(100 * len(reached) / len(before), 1)
            gaps = sorted((here[f] - before[f]).days for f in reached if here[f] >= before[f])
            step.median_days = int(statistics.median(gaps)) if gaps else None
        steps.append(step)
        before = here
    return steps
