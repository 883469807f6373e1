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

from django.db import models
from django.db.models import Exists, Min, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from .choices import LADDERS, TierKind
from .models import Recognition

DEFINITIONS = {
    "new": _("新认定:期内首次认定的企业数(不含重新认定、复审)"),
    "cumulative": _("累计:截至该日曾获认定的企业数(含已到期、已取消)"),
    "valid": _("有效期内:该日认定已生效、未到期、未终止的企业数"),
}


def holding(day: dt.date, kind: str | None = None) -> Q:
    """Recognitions that hold on ``day`` (:meth:`Recognition.holds_on`), as a filter."""
    q = _started(day) & (Q(expiry__isnull=True) | Q(expiry__gte=day)) & (Q(ended__isnull=True) | Q(ended__gt=day))
    return q & Q(kind=kind) if kind else q


def _started(day: dt.date) -> Q:
    """Recognitions in force from ``day`` or earlier; one dated by its year only, from that year's last day."""
    return Q(starts__lte=day)


def _undated(day: dt.date) -> Q:
    """Year-only recognitions of ``day``'s year, when ``day`` is not the year's last: unknown on ``day``."""
    if (day.month, day.day) == (12, 31):
        return Q(pk__in=[])
    return Q(effective__isnull=True, year=day.year)


@dataclass
class Count:
    """A count of firms by one definition; ``firms`` selects them (ids, in the database)."""

    definition: str
    kind: str
    value: int
    #: firms the source dates only by the year of the day asked: not counted, reported
    undated: int = 0
    firms: object = field(default=None, repr=False)

    @property
    def label(self) -> str:
        return str(DEFINITIONS[self.definition])

    @property
    def ids(self) -> list[int]:
        return sorted(self.firms) if self.firms is not None else []


def _scoped(firms, kind: str, level: str | None = None):
    recs = Recognition.objects.filter(enterprise__in=firms, kind=kind)
    return recs.filter(level=level) if level else recs


def _firm_ids(recs):
    return recs.order_by().values_list("enterprise_id", flat=True).distinct()


def _count(definition, kind, chosen, unknown) -> Count:
    """Firms ``chosen`` and, apart, firms only ``unknown`` would add (both querysets of recognitions)."""
    firms = _firm_ids(chosen)
    extra = unknown.exclude(enterprise_id__in=firms)
    return Count(definition, kind, firms.count(), _firm_ids(extra).count(), firms)


def count_new(firms, kind: str, start: dt.date, end: dt.date, level: str | None = None) -> Count:
    """Firms first recognised in [start, end]: renewals left out, a firm counted once, a firm
    recognised before the period (at this level, if one is asked) not new in it."""
    recs = _scoped(firms, kind, level).filter(renewal=False)
    in_period, partial = _period(start, end)
    earlier = _firm_ids(_scoped(firms, kind, level).filter(_before(start)))
    chosen = recs.filter(in_period).exclude(enterprise_id__in=earlier)
    return _count("new", kind, chosen, recs.filter(partial).exclude(enterprise_id__in=earlier))


def _period(start: dt.date, end: dt.date) -> tuple[Q, Q]:
    """Recognitions surely made in [start, end], and those dated by a year only partly inside it."""
    whole_years = [y for y in range(start.year, end.year + 1)
                   if start <= dt.date(y, 1, 1) and dt.date(y, 12, 31) <= end]
    in_period = Q(effective__range=(start, end)) | Q(effective__isnull=True, year__in=whole_years)
    partial = Q(effective__isnull=True, year__range=(start.year, end.year)) & ~Q(year__in=whole_years)
    return in_period, partial


def _before(start: dt.date) -> Q:
    """Recognitions made before ``start`` (a year-only one, before its year)."""
    return Q(effective__lt=start) | Q(effective__isnull=True, year__lt=start.year)


def count_cumulative(firms, kind: str, day: dt.date, level: str | None = None) -> Count:
    """Firms recognised at any time up to ``day``, whatever became of it since."""
    recs = _scoped(firms, kind, level)
    return _count("cumulative", kind, recs.filter(_started(day)), recs.filter(_undated(day)))


def count_valid(firms, kind: str, day: dt.date, level: str | None = None) -> Count:
    """Firms whose recognition holds on ``day``: started, not expired, not ended."""
    recs = _scoped(firms, kind, level)
    not_ended = Q(ended__isnull=True) | Q(ended__gt=day)
    return _count("valid", kind, recs.filter(holding(day)), recs.filter(_undated(day) & not_ended))


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
    """For each tier: firms valid and cumulative at ``day``, and new in ``year`` (default: the day's
    year, 1 January to the day), each as :func:`count_valid`, :func:`count_cumulative` and
    :func:`count_new` count them, in a few grouped queries for all tiers at once."""
    year = year or day.year
    start, end = dt.date(year, 1, 1), min(day, dt.date(year, 12, 31))
    recs = Recognition.objects.filter(enterprise__in=firms).order_by()
    not_ended = Q(ended__isnull=True) | Q(ended__gt=day)
    in_period, partial = _period(start, end)
    earlier = Exists(Recognition.objects.filter(_before(start), enterprise=OuterRef("enterprise_id"),
                                                kind=OuterRef("kind")))
    fresh = recs.filter(renewal=False).exclude(earlier)
    counts = {
        "valid": _grouped(recs.filter(holding(day)), recs.filter(_undated(day) & not_ended)),
        "cumulative": _grouped(recs.filter(_started(day)), recs.filter(_undated(day))),
        "new": _grouped(fresh.filter(in_period), fresh.filter(partial)),
    }
    return [{"kind": kind, "label": kind.label,
             **{d: Count(d, kind, *counts[d].get(kind.value, (0, 0))) for d in counts}} for kind in TierKind]


def _grouped(chosen, unknown) -> dict[str, tuple[int, int]]:
    """Per tier: firms ``chosen``, and firms only ``unknown`` adds (usually none: a few year-only rows)."""
    out = {kind: (n, 0) for kind, n in chosen.values("kind").annotate(n=models.Count("enterprise_id",
                                                                                     distinct=True))
           .values_list("kind", "n")}
    extra: dict[str, set[int]] = {}
    for kind, firm_id in unknown.values_list("kind", "enterprise_id"):
        extra.setdefault(kind, set()).add(firm_id)
    for kind, ids in extra.items():
        counted = set(chosen.filter(kind=kind, enterprise_id__in=ids).values_list("enterprise_id", flat=True))
        out[kind] = (out.get(kind, (0, 0))[0], len(ids - counted))
    return out


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
        starts[kind] = dict(Recognition.objects.filter(_started(day), enterprise__in=firms, kind=kind)
                            .order_by().values("enterprise_id").annotate(first=Min("starts"))
                            .values_list("enterprise_id", "first"))
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
