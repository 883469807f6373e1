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
from dataclasses import dataclass, field

from django.db import connection, models
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


def holders(day: dt.date, kind: str) -> Q:
    """Firms holding ``kind`` on ``day`` (a filter of firms): those with a recognition that
    :func:`holding` selects. One subquery, read from the index on (kind, expiry, …) as two ranges,
    no expiry and expiring from the day on (SQLite's multi-index OR, PostgreSQL's bitmap OR):
    written as a UNION of the two instead, PostgreSQL guessed 200 holders and looked each up."""
    return Q(pk__in=Recognition.objects.filter(holding(day, kind)).order_by().values("enterprise_id"))


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
    # the firm's scope asked of each candidate, so the database reads the few certificates ending
    # soon from their index instead of every firm's recognitions
    return (Recognition.objects.filter(_firm_in(firms), expiry__range=(today, horizon), ended__isnull=True)
            .select_related("enterprise", "enterprise__region").order_by("expiry", "id"))


def _firm_in(firms) -> Q | Exists:
    """Recognitions of ``firms`` (a queryset or ids) asked row by row: for queries that find few
    rows by an index of their own, where a list of every firm in scope would lead the plan."""
    if isinstance(firms, models.QuerySet):
        return Exists(firms.filter(pk=OuterRef("enterprise_id")))
    return Q(enterprise_id__in=list(firms))


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
    # the new ones are the few recognitions made in the period: read from the index on their day,
    # each asked whether its firm is in scope (EXISTS), not found among every firm's recognitions
    fresh = Recognition.objects.filter(_firm_in(firms), renewal=False).exclude(earlier).order_by()
    # valid and cumulative in one pass over the recognitions started by the day: valid are those of
    # them not expired and not ended (:func:`holding`)
    running = (Q(expiry__isnull=True) | Q(expiry__gte=day)) & not_ended
    both = {kind: (valid, cumulative) for kind, valid, cumulative in recs.filter(_started(day)).values("kind")
            .annotate(v=models.Count("enterprise_id", distinct=True, filter=running),
                      c=models.Count("enterprise_id", distinct=True)).values_list("kind", "v", "c")}
    counts = {
        "valid": _grouped(recs.filter(holding(day)), recs.filter(_undated(day) & not_ended),
                          {k: v for k, (v, _c) in both.items()}),
        "cumulative": _grouped(recs.filter(_started(day)), recs.filter(_undated(day)),
                               {k: c for k, (_v, c) in both.items()}),
        "new": _grouped(fresh.filter(in_period), fresh.filter(partial)),
    }
    return [{"kind": kind, "label": kind.label,
             **{d: Count(d, kind, *counts[d].get(kind.value, (0, 0))) for d in counts}} for kind in TierKind]


def _grouped(chosen, unknown, counted: dict[str, int] | None = None) -> dict[str, tuple[int, int]]:
    """Per tier: firms ``chosen`` (``counted`` when already counted), and firms only ``unknown``
    adds (usually none: a few year-only rows)."""
    if counted is None:
        counted = dict(chosen.values("kind").annotate(n=models.Count("enterprise_id", distinct=True))
                       .values_list("kind", "n"))
    out = {kind: (n, 0) for kind, n in counted.items()}
    # one query for every tier: the firms of each tier's unknown rows with no chosen row of the tier
    known = Exists(chosen.filter(kind=OuterRef("kind"), enterprise_id=OuterRef("enterprise_id")))
    for kind, n in (unknown.exclude(known).values("kind").annotate(n=models.Count("enterprise_id", distinct=True))
                    .values_list("kind", "n")):
        out[kind] = (out.get(kind, (0, 0))[0], n)
    return out


@dataclass
class Step:
    kind: str
    firms: int
    #: of those on the step before, how many reached this one (percent), and the median days it took
    conversion: float | None = None
    median_days: int | None = None


def funnel(firms, ladder: str, day: dt.date) -> list[Step]:
    """A ladder's steps at ``day`` (:func:`funnels` for one ladder)."""
    return funnels(firms, day, [ladder])[ladder]


def funnels(firms, day: dt.date, ladders=None) -> dict[str, list[Step]]:
    """Each ladder's steps at ``day``: firms ever on each step (cumulative), how many of the step
    before's firms reached it, and the median time between the two recognitions (a firm that
    reached a step before the step below it is counted as reaching it, not in the time).

    Counted by the database in one query for all the ladders: each firm's first day on each step
    (one pass over the firms' recognitions), then per step the firms, those that reached it from
    the step below, and how many took each number of days (a few thousand numbers at most,
    whatever the number of firms; the medians are read from them)."""
    ladders = list(ladders or LADDERS)
    columns = {(ladder, i): f"s{n}_{i}" for n, ladder in enumerate(ladders) for i in range(len(LADDERS[ladder]))}
    firsts = {col: Min("starts", filter=Q(kind=LADDERS[ladder][i])) for (ladder, i), col in columns.items()}
    kinds = {kind for ladder in ladders for kind in LADDERS[ladder]}
    per_firm = (Recognition.objects.filter(_started(day), enterprise__in=firms, kind__in=kinds).order_by()
                .values("enterprise_id").annotate(**firsts))
    inner, params = per_firm.query.sql_with_params()
    # one pass over the firms' first days for the firms on each step and those that reached it
    # from the step below (``t``, one row, read back as rows), then one pass per step for the days
    # it took; the first days are worked out once (``f`` is used twice: the database keeps it)
    tallies, parts = [], []
    for (ladder, i), col in columns.items():
        tallies.append((col, -1, f"COUNT({col})"))
        if i:
            below = columns[(ladder, i - 1)]
            tallies.append((col, -2, f"SUM(CASE WHEN {below} IS NOT NULL AND {col} IS NOT NULL THEN 1 ELSE 0 END)"))
            parts.append(f"SELECT '{col}', {_days(col, below)}, COUNT(*) FROM f WHERE {col} >= {below} GROUP BY 2")
    head = ", ".join(f"{sql} AS t{n}" for n, (_c, _w, sql) in enumerate(tallies))
    parts = [f"SELECT '{col}', {what}, COALESCE(t{n}, 0) FROM t" for n, (col, what, _s) in enumerate(tallies)] + parts
    counts: dict[tuple[str, int], int] = {}
    took: dict[str, list[tuple[int, int]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(f"WITH f AS ({inner}), t AS (SELECT {head} FROM f) " + " UNION ALL ".join(parts), params)
        for col, what, n in cursor.fetchall():
            if what < 0:
                counts[(col, what)] = n
            else:
                took.setdefault(col, []).append((what, n))
    out = {}
    for ladder in ladders:
        steps = []
        for i, kind in enumerate(LADDERS[ladder]):
            col = columns[(ladder, i)]
            step = Step(kind, counts.get((col, -1), 0))
            below = counts.get((columns[(ladder, i - 1)], -1), 0) if i else 0
            if below:
                step.conversion = round(100 * counts.get((col, -2), 0) / below, 1)
                step.median_days = _median(took.get(col, []))
            steps.append(step)
        out[ladder] = steps
    return out


def _days(later: str, earlier: str) -> str:
    """SQL for the days from one date column to another, in the database's own words."""
    if connection.vendor == "postgresql":
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def _median(counted: list[tuple[int, int]]) -> int | None:
    """The median (as ``int(statistics.median(values))`` gives it) of values given as
    (value, how many times)."""
    total = sum(n for _v, n in counted)
    if not total:
        return None
    wanted = {(total - 1) // 2, total // 2}  # the middle one, or the two middle ones
    found, seen = [], 0
    for value, n in sorted(counted):
        found += [value] * len({w for w in wanted if seen <= w < seen + n})
        seen += n
    return int(sum(found) / len(found))
