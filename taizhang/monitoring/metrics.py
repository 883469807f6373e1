"""The figures leaders ask for, computed from the ledger for a scope and a period.

One :class:`Snapshot` loads what it needs in a handful of aggregate queries and derives
every figure from the same numbers, so the dashboard, the monthly workbook and the
briefing always agree. Each figure keeps the ids of the projects behind it (``ids``),
so any number can be opened as the list of projects that make it.

Conventions (stated once, tested):
- money is in 万元; the period is January to ``month`` of ``year`` (year-to-date);
- 年度投资完成率 = completed / planned over the projects with an annual plan above 0;
  a project without a plan, or with a plan of 0, has no rate and no progress warning;
- 时序进度 = month / 12; a project's lag = its rate - 时序, in percentage points;
- a project counts where it is now (a project moved between districts moves its figures);
- stages are read from the dated stage history as of the period's end (see
  ``projects.stages``): a stage moved back counts at the stage it was moved back to, and
  moving forward again is not a new 签约 or 开工; a date nobody knows is not used as one;
- which reports count (``basis``): "all" sums every report, reviewed or not, and says how
  many are not yet approved (``unreviewed``) — a district's own pages; "approved" sums
  approved reports only — the city's and the leaders' views and the monthly workbook
  (``basis_for``);
- corrections after locking are included as they stood at ``as_of`` (now by default):
  each revision made later is undone (its ``old_investment`` used again).
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.accounts.choices import Role
from taizhang.core.bulk import few_collections
from taizhang.core.numbers import HUNDRED, ZERO, growth, pct, q2
from taizhang.core.periods import month_end, months_between
from taizhang.projects.choices import STAGE_ORDER, Level, ReportStatus, Stage
from taizhang.projects.models import OVER_100M_WAN, AnnualPlan, MonthlyProgress, Problem, Project
from taizhang.projects.stages import ORDER, histories_until, load_histories
from taizhang.reporting import obligations
from taizhang.reporting.models import Revision

from .models import LagMode, MonitoringRules

ALL, APPROVED = "all", "approved"
MONTH_NUMBER = F("year") * 12 + F("month")
#: a month has funds in place when 到位内资 + 到位外资 × 汇率 is not 0 (none of them is ever negative)
FUNDED = Q(funds_domestic__gt=0) | Q(funds_foreign__gt=0, exchange_rate__gt=0)


def basis_for(user) -> str:
    """Which reports a user's figures count: a district's own staff see every report (and
    how many are unreviewed); leaders and the city see approved figures only."""
    if user.is_superuser or user.role in (Role.CITY_ADMIN, Role.LEADER):
        return APPROVED
    return ALL


@dataclass
class Line:
    """One project's figures for the period."""

    project: object
    plan: Decimal | None
    done: Decimal
    month_done: Decimal
    reported: bool
    stage: str | None  # as of the period's end
    rate: Decimal | None = None
    lag: Decimal | None = None
    progress_warning: str | None = None  # red / yellow / green
    start_warning: str | None = None
    start_late_months: int = 0
    funds: Decimal = ZERO  # cumulative funds in place to the period's end (万元)
    open_problems: list = field(default_factory=list)
    progress_text: str = ""


_pk = operator.attrgetter("id")  # a project's key (``pk`` is a property: slower, and asked of thousands)


def _rank(stage: str | None) -> int:
    return -1 if stage is None else ORDER[stage]


def memoised(method):
    """Figures are asked for many times by one page: compute each once per snapshot."""
    @functools.wraps(method)
    def wrapper(self, *args):
        key = (method.__name__, args)
        if key not in self._memo:
            with few_collections():  # a figure's lists and objects live as long as the snapshot
                self._memo[key] = method(self, *args)
        return self._memo[key]
    return wrapper


class Figure:
    """A number, the projects behind it, and (computed only when asked) last year's value."""

    def __init__(self, value, ids=None, last_year=None, previous=None):
        self.value = value
        self.ids = list(ids or [])
        self._last_year = last_year
        self._previous = previous  # a callable giving last year's Figure

    @property
    def last_year(self):
        if self._previous is not None:
            self._last_year = self._previous().value
            self._previous = None
        return self._last_year

    @property
    def yoy(self):
        return growth(self.value, self.last_year) if isinstance(self.value, int | Decimal) else None


class Snapshot:
    """All figures for ``projects`` (an already scoped queryset) in (year, month)."""

    def __init__(self, projects, year: int, month: int, today: dt.date | None = None,
                 rules: MonitoringRules | None = None, compare: bool = True, _loaded: list | None = None,
                 basis: str = ALL, as_of: dt.datetime | None = None, _histories: dict | None = None,
                 _funds=None, _sums: dict | None = None):
        self.year, self.month = year, month
        self.basis, self.as_of = basis, as_of
        self._memo: dict = {}
        self._facts: dict = {}  # per-project facts (``_each``)
        self._inherited: tuple = ({}, frozenset())  # (facts of the figures brought up to date, projects changed)
        self.today = today or timezone.localdate()
        self.end = month_end(year, month)
        self.start = dt.date(year, 1, 1)
        self.timing = q2(Decimal(month) / Decimal(12) * HUNDRED)  # 时序进度, percent
        self._scope = projects
        self._given_histories = _histories
        self._given_funds = _funds
        self._given_sums = _sums
        self._with_last_year = compare
        self._fixed_rules = rules
        # Everything loaded here lives as long as the snapshot (a city's is 10,000 projects,
        # their histories and lines): the cycle collector need not walk it again and again.
        with few_collections():
            # in the order of their keys, whatever order the database reads them in: figures
            # brought up to date project by project (``patched``) keep the same order
            self.projects = _loaded if _loaded is not None else sorted(
                projects.defer("content", "created", "updated").order_by().load_shared(), key=_pk)
            self.ids = [p.id for p in self.projects]
            regions = {p.region_id for p in self.projects}
            self._rules_cache: dict = {r.region_id: r
                                       for r in MonitoringRules.objects.filter(region_id__in=regions)}
            self._load()

    @property
    def last_year(self) -> Snapshot | None:
        """The same projects a year earlier, for 同比 (loaded when first asked for; not a
        cached_property, whose lock on Python 3.11 would make every snapshot's wait for any
        other's)."""
        if "_last_year" not in self.__dict__:
            self.__dict__["_last_year"] = self._make_last_year()
        return self.__dict__["_last_year"]

    def _make_last_year(self) -> Snapshot | None:
        if not self._with_last_year:
            return None
        return Snapshot(self._scope, self.year - 1, self.month, today=self.today, rules=self._fixed_rules,
                        compare=False, _loaded=self.projects, basis=self.basis, as_of=self.as_of,
                        _histories=histories_until(self.histories, month_end(self.year - 1, self.month)),
                        _funds=self._funds_a_year_earlier, _sums=self._last_year_sums)

    def _funds_a_year_earlier(self) -> dict:
        """Last year's funds, from the same pass as this year's (made when either is first asked
        for: the workbook's 同比 needs neither)."""
        self._load_funds()
        return self._last_year_funds

    # ------------------------------------------------------------------ loading

    def _load(self) -> None:
        year = self.year
        # The scope as a subquery: one join in the database instead of thousands of parameters.
        scope = self._scope.values("pk")
        sums = self._given_sums
        if sums is None:  # this year's and last year's figures come from the same passes
            loaded = self._load_sums((year - 1, year) if self._with_last_year else (year,))
            sums, self._last_year_sums = loaded[year], loaded.get(year - 1)
        plans, done, self.quarter_done = sums["plans"], sums["done"], sums["quarter"]
        this_month, texts, statuses = sums["this_month"], sums["texts"], sums["statuses"]
        self.statuses = statuses
        #: per project: reports counted that nobody has approved yet ("all"), or left out
        #: ("approved"), and their investment
        self.unreviewed_by = sums["unreviewed"]
        self._undo_revisions(done, this_month)
        self.histories = (self._given_histories if self._given_histories is not None
                          else load_histories(scope, until=self.end))

        self.lines: list[Line] = []
        for p in self.projects:
            stage = self.histories[p.id].stage_on(self.end)
            line = Line(project=p, plan=plans.get(p.id), done=done.get(p.id) or ZERO,
                        month_done=this_month.get(p.id) or ZERO,
                        reported=obligations.is_reported(statuses.get(p.id)), stage=stage,
                        progress_text=texts.get(p.id, ""))
            if line.plan:
                line.rate = pct(line.done, line.plan)
                line.lag = q2(line.rate - self.timing)
                line.progress_warning = self._progress_warning(p, line)
            self._start_warning(p, line)
            self.lines.append(line)

    def _load_sums(self, years: tuple[int, ...]) -> dict[int, dict]:
        """For each of ``years``, January to ``month``: annual plans, the sums counted (by
        project, for the quarter, by month), the month's own reports and the unreviewed ones;
        one pass over the reports for each kind of sum, whatever the number of years."""
        month, scope = self.month, self._scope.values("pk")
        q_start = (month - 1) // 3 * 3 + 1
        out = {y: {"plans": {}, "done": {}, "quarter": {}, "this_month": {}, "texts": {}, "statuses": {},
                   "unreviewed": {}} for y in years}
        for pid, y, planned in AnnualPlan.objects.filter(project__in=scope, year__in=years).order_by() \
                .values_list("project_id", "year", "planned_investment"):
            out[y]["plans"][pid] = planned
        all_months = MonthlyProgress.objects.filter(project__in=scope, year__in=years, month__lte=month).order_by()
        counted = Q(status=ReportStatus.APPROVED) if self.basis == APPROVED else Q()
        unreviewed = ~Q(status=ReportStatus.APPROVED)
        by_project = {}
        for y in years:
            by_project[f"done{y}"] = Sum("investment", filter=Q(year=y) & counted)
            by_project[f"quarter{y}"] = Sum("investment", filter=Q(year=y, month__gte=q_start) & counted)
            by_project[f"n{y}"] = Count("pk", filter=Q(year=y) & unreviewed)
            by_project[f"u{y}"] = Sum("investment", filter=Q(year=y) & unreviewed)
        for row in all_months.values("project_id").annotate(**by_project).values("project_id", *by_project):
            for y in years:  # a project without a counted report in the year (or quarter) has no sum
                if row[f"done{y}"] is not None:
                    out[y]["done"][row["project_id"]] = row[f"done{y}"]
                if row[f"quarter{y}"] is not None:
                    out[y]["quarter"][row["project_id"]] = row[f"quarter{y}"]
                if row[f"n{y}"]:
                    out[y]["unreviewed"][row["project_id"]] = (row[f"n{y}"], row[f"u{y}"] or ZERO)
        for pid, y, investment, text, status in all_months.filter(month=month).values_list(
                "project_id", "year", "investment", "progress", "status"):
            out[y]["statuses"][pid] = status
            if self.basis == ALL or status == ReportStatus.APPROVED:
                out[y]["this_month"][pid], out[y]["texts"][pid] = investment, text
        return out

    @property
    def unreviewed(self) -> tuple[int, Decimal]:
        """Reports counted that nobody has approved yet ("all"), or left out ("approved"): how
        many, and their investment."""
        return (sum(n for n, _amount in self.unreviewed_by.values()),
                q2(sum((amount for _n, amount in self.unreviewed_by.values()), ZERO)))

    @property
    def by_month(self) -> dict[int, Decimal]:
        """The scope's counted investment by month, January to ``month`` (loaded when first
        asked for: the curve needs it, most figures do not)."""
        if "_by_month" not in self.__dict__:
            # each year on its own: the database adds a month's reports in the order it reads
            # them (SQLite in floating point), and read with another year's they would come in
            # another order
            counted = MonthlyProgress.objects.filter(project__in=self._scope.values("pk"), year=self.year,
                                                     month__lte=self.month).order_by()
            if self.basis == APPROVED:
                counted = counted.filter(status=ReportStatus.APPROVED)
            by_month = dict(counted.values("month").annotate(s=Sum("investment")).values_list("month", "s"))
            for month, delta in self._undone_by_month.items():
                by_month[month] = (by_month.get(month) or ZERO) + delta
            self.__dict__["_by_month"] = by_month
        return self.__dict__["_by_month"]

    def _undo_revisions(self, done: dict, this_month: dict) -> None:
        """Figures as they stood at ``as_of``: corrections made after it are undone."""
        self.undone: list = []
        self._undone_by_month: dict[int, Decimal] = {}
        if self.as_of is None:
            return
        later = (Revision.objects.filter(report__project__in=self._scope.values("pk"), report__year=self.year,
                                         report__month__lte=self.month, created__gt=self.as_of)
                 .order_by("report_id", "created", "id")
                 .values_list("report_id", "report__project_id", "report__month", "report__investment",
                              "old_investment", "report__status"))
        seen = set()
        q_start = (self.month - 1) // 3 * 3 + 1
        for rid, pid, month, now, old, status in later:
            if rid in seen or (self.basis == APPROVED and status != ReportStatus.APPROVED):
                continue
            seen.add(rid)
            delta = old - now
            done[pid] = (done.get(pid) or ZERO) + delta
            self._undone_by_month[month] = self._undone_by_month.get(month, ZERO) + delta
            if month >= q_start:
                self.quarter_done[pid] = (self.quarter_done.get(pid) or ZERO) + delta
            if month == self.month and pid in this_month:
                this_month[pid] += delta
            self.undone.append(rid)

    # ------------------------------------------------------------------ brought up to date

    def patched(self, changed: set[int]) -> Snapshot:
        """These figures brought up to date after writes to the projects ``changed`` and to
        nothing else (``monitoring.stamp.changed_since`` tells): those projects are read again
        (those no longer in the scope are gone, those new to it come in); every other
        project's line, history and sums are taken as they are, and every figure is computed
        again from them. The same figures as computed afresh (tests hold every figure to it);
        figures as they stood at an earlier revision (``as_of``) are always computed afresh."""
        if self.as_of is not None:
            raise ValueError("figures as of a revision are computed afresh")
        with few_collections():
            # the changed projects still in the scope, named by key: the database then reads their
            # reports by the project index (through the scope's own query it may read a year's)
            ids = sorted(self._scope.filter(pk__in=changed).values_list("pk", flat=True)) if changed else []
            sub = Snapshot(self._scope.model.objects.filter(pk__in=ids), self.year, self.month, today=self.today,
                           rules=self._fixed_rules, compare=self._with_last_year, basis=self.basis)
            new = self._merged(sub, changed)
            if "_last_year" in self.__dict__:
                old, part = self.__dict__["_last_year"], sub.last_year
                new.__dict__["_last_year"] = None if old is None else old._merged(part, changed, new)
            elif self._with_last_year:
                new._last_year_sums = {kind: self._kept(values, part[kind], changed)
                                       for kind, values in self._last_year_sums.items()
                                       for part in (sub._last_year_sums,)}
        return new

    @staticmethod
    def _kept(old: dict, new: dict, changed: set[int]) -> dict:
        """``old``'s entries but the changed projects', and ``new``'s."""
        out = defaultdict(old.default_factory, old) if isinstance(old, defaultdict) else type(old)(old)
        for key in changed:
            out.pop(key, None)
        out.update(new)
        return out

    def _merged(self, sub: Snapshot, changed: set[int], this_year: Snapshot | None = None) -> Snapshot:
        """A snapshot of this one's projects but ``changed`` and ``sub``'s (this year's, or with
        ``this_year`` given, the same months a year earlier)."""
        new = object.__new__(Snapshot)
        d = new.__dict__
        for name in ("year", "month", "basis", "as_of", "today", "end", "start", "timing", "_scope",
                     "_with_last_year", "_fixed_rules", "_given_histories", "_given_sums"):
            d[name] = self.__dict__[name]
        d["_memo"] = {}
        d["_facts"] = {}
        d["_inherited"] = (self._facts, frozenset(changed))
        d["_given_funds"] = None if this_year is None else this_year._funds_a_year_earlier
        projects = [p for p in self.projects if p.id not in changed]
        new.projects = sorted(projects + sub.projects, key=_pk) if sub.projects else projects
        new.ids = [p.id for p in new.projects]
        new._rules_cache = {**self._rules_cache, **sub._rules_cache}
        lines = dict(zip(self.ids, self.lines, strict=True))  # a snapshot's lines are in the order of its ids
        lines.update(zip(sub.ids, sub.lines, strict=True))
        new.lines = [lines[pid] for pid in new.ids]
        new.statuses = self._kept(self.statuses, sub.statuses, changed)
        new.quarter_done = self._kept(self.quarter_done, sub.quarter_done, changed)
        new.unreviewed_by = self._kept(self.unreviewed_by, sub.unreviewed_by, changed)
        new.histories = self._kept(self.histories, sub.histories, changed)
        new.undone, new._undone_by_month = [], {}
        # what was loaded on first use is brought up to date too (the lines of the projects kept
        # carry their funds and problems already)
        if "_funds_loaded" in self.__dict__:
            sub._load_funds()
            d["_funds_loaded"] = True
            if this_year is None and self._with_last_year:
                new._last_year_funds = self._kept(self._last_year_funds, sub._last_year_funds, changed)
        if "_last_funded" in self.__dict__:
            d["_last_funded"] = self._kept(self._last_funded, sub.last_funded, changed)
        if "_problems" in self.__dict__:
            d["_problems"] = self._kept(self._problems, sub.problems, changed)
        return new

    # ------------------------------------------------------------------ loaded on first use

    @property
    def problems(self) -> dict[int, list]:
        if "_problems" not in self.__dict__:
            problems = defaultdict(list)
            for problem in Problem.objects.filter(project__in=self._scope.values("pk")).unsolved() \
                    .select_related("solving_unit").order_by():
                problems[problem.project_id].append(problem)
            for line in self.lines:
                line.open_problems = problems.get(line.project.id, [])
            self.__dict__["_problems"] = problems
        return self.__dict__["_problems"]

    @property
    def last_funded(self) -> dict[int, int]:
        """Each project's latest month with funds in place to the period's end, as
        ``year * 12 + month`` (the health checks' 连续无资金到位); a project never funded is absent."""
        if "_last_funded" not in self.__dict__:
            self._load_funds()
        if "_last_funded" not in self.__dict__:  # funds given by this year's snapshot: asked here
            self.__dict__["_last_funded"] = dict(
                self._to_date().values("project_id").annotate(last=Max(MONTH_NUMBER, filter=FUNDED))
                .values_list("project_id", "last"))
        return self.__dict__["_last_funded"]

    def _to_date(self):
        """Every report of the scope from the first to the period's end."""
        year, month = self.year, self.month
        return MonthlyProgress.objects.filter(project__in=self._scope.values("pk")).filter(
            Q(year__lt=year) | Q(year=year, month__lte=month)).order_by()

    def _load_funds(self) -> None:
        """Each line's funds in place from its first report to the period's end, and the latest
        month with any. Last year's snapshot needs the same sums to a year earlier: all come
        from one pass over the reports (the sums run over every year to date, a city's 600,000
        rows)."""
        if "_funds_loaded" in self.__dict__:
            return
        funds = self._given_funds() if self._given_funds is not None else None
        if funds is None:
            year, month = self.year, self.month
            money = DecimalField(max_digits=24, decimal_places=6)
            foreign = F("funds_foreign") * F("exchange_rate")
            sums = {"dom": Sum("funds_domestic"), "foreign": Sum(foreign, output_field=money),
                    "last": Max(MONTH_NUMBER, filter=FUNDED)}
            if self._with_last_year:
                before = Q(year__lt=year - 1) | Q(year=year - 1, month__lte=month)
                sums.update(dom_ly=Sum("funds_domestic", filter=before),
                            foreign_ly=Sum(foreign, filter=before, output_field=money))
            funds, last, latest = {}, {}, {}
            for row in self._to_date().values("project_id").annotate(**sums).values("project_id", *sums):
                funds[row["project_id"]] = (row["dom"] or ZERO) + (row["foreign"] or ZERO)
                if row["last"] is not None:
                    latest[row["project_id"]] = row["last"]
                if self._with_last_year:
                    last[row["project_id"]] = (row["dom_ly"] or ZERO) + (row["foreign_ly"] or ZERO)
            self._last_year_funds = last if self._with_last_year else None
            self.__dict__["_last_funded"] = latest
        for line in self.lines:
            line.funds = funds.get(line.project.id, ZERO)
        self.__dict__["_funds_loaded"] = True

    def rules(self, project) -> MonitoringRules:
        if self._fixed_rules is not None:
            return self._fixed_rules
        if project.region_id not in self._rules_cache:
            self._rules_cache[project.region_id] = MonitoringRules(region=project.region)
        return self._rules_cache[project.region_id]

    def _progress_warning(self, project, line: Line) -> str:
        return progress_colour(self.rules(project), line.rate, self.timing)

    def _start_warning(self, project, line: Line) -> None:
        planned = project.planned_start
        if planned is None or planned > self.end:
            return
        if self.reached(project.id, Stage.STARTED):  # as of the period's end: a move back warns again
            return
        late = months_between(planned, self.year, self.month)
        if late >= 1:
            line.start_late_months = late
            line.start_warning = "red" if late >= self.rules(project).start_red_months else "yellow"

    def first_date(self, pid: int, stage: str) -> dt.date | None:
        """The known date the project first reached ``stage`` (or beyond); None if unknown."""
        return self.histories[pid].first_reached(stage)

    def reached(self, pid: int, stage: str) -> bool:
        """Whether the project stands at ``stage`` or beyond at the period's end."""
        return self.histories[pid].reached(stage, self.end)

    def _each(self, name, fact) -> dict:
        """``fact(line)`` for every project in scope, by project id, worked out once per
        snapshot: figures brought up to date (``patched``) take those of the projects that did
        not change from the figures they came from. A fact depends on the project's own
        records and the period only."""
        found = self._facts.get(name)
        if found is None:
            facts, changed = self._inherited
            before = facts.get(name, {})
            found = {}
            for line in self.lines:
                pid = line.project.id
                found[pid] = before[pid] if pid in before and pid not in changed else fact(line)
            self._facts[name] = found
        return found

    def _missing(self, name) -> list[int]:
        """The projects whose fact ``name`` ``_each`` would work out (not taken as it was)."""
        if name in self._facts:
            return []
        facts, changed = self._inherited
        before = facts.get(name, {})
        return [pid for pid in self.ids if pid not in before or pid in changed]

    def _ranks(self) -> dict[int, int]:
        """Each project's place on the normal road at the period's end (-1: none, or terminated):
        ``reached`` for every project at once."""
        end = self.end
        return self._each("rank", lambda line: _rank(self.histories[line.project.id].normal_stage_on(end)))

    def _firsts(self, stage: str) -> dict[int, dt.date | None]:
        """``first_date`` of every project for ``stage``."""
        return self._each(("first", stage), lambda line: self.histories[line.project.id].first_reached(stage))

    def _reaching(self, stage: str) -> list[int]:
        """The projects at ``stage`` or beyond at the period's end, in order."""
        at, ranks = ORDER[stage], self._ranks()
        return [pid for pid in self.ids if ranks[pid] >= at]

    # ------------------------------------------------------------------ figures

    def _compare(self, name: str, value, ids) -> Figure:
        if not self._with_last_year:
            return Figure(value, ids)
        return Figure(value, ids, previous=lambda: getattr(self.last_year, name)())

    @memoised
    def planned(self) -> Figure:
        rows = [line for line in self.lines if line.plan]
        return self._compare("planned", q2(sum((line.plan for line in rows), ZERO)), [line.project.id for line in rows])

    @memoised
    def completed(self) -> Figure:
        """Investment completed in the period by every project in scope."""
        rows = [line for line in self.lines if line.done]
        return self._compare("completed", q2(sum((line.done for line in rows), ZERO)), [line.project.id for line in rows])

    @memoised
    def completion_rate(self) -> Figure:
        rows = [line for line in self.lines if line.plan]
        value = pct(sum((line.done for line in rows), ZERO), sum((line.plan for line in rows), ZERO))
        return self._compare("completion_rate", value, [line.project.id for line in rows])

    def lag(self) -> Decimal | None:
        rate = self.completion_rate().value
        return None if rate is None else q2(rate - self.timing)

    @memoised
    def total_investment(self) -> Figure:
        """总投资 of the projects in scope (万元)."""
        return Figure(q2(sum((line.project.total_investment for line in self.lines), ZERO)), list(self.ids))

    @memoised
    def key_projects(self) -> Figure:
        return self._compare("key_projects", len(self.lines), list(self.ids))

    @memoised
    def month_completed(self) -> Figure:
        rows = [line for line in self.lines if line.month_done]
        return self._compare("month_completed", q2(sum((line.month_done for line in rows), ZERO)),
                             [line.project.id for line in rows])

    @memoised
    def quarter_completed(self) -> Figure:
        """Investment completed from the start of the month's quarter to the month."""
        ids = sorted(pid for pid, v in self.quarter_done.items() if v)
        return self._compare("quarter_completed", q2(sum(self.quarter_done.values(), ZERO)), ids)

    @memoised
    def warnings(self, color: str) -> Figure:
        ids = [line.project.id for line in self.lines if line.progress_warning == color]
        return Figure(len(ids), ids)

    @memoised
    def start_warnings(self, color: str) -> Figure:
        ids = [line.project.id for line in self.lines if line.start_warning == color]
        return Figure(len(ids), ids)

    @memoised
    def owed(self) -> Figure:
        """Projects that owe a report for the month (see ``reporting.obligations``)."""
        year, month = self.year, self.month
        owes = self._each("owes", lambda line: obligations.owes(self.histories[line.project.id], year, month))
        ids = [pid for pid in self.ids if owes[pid]]
        return Figure(len(ids), ids)

    @memoised
    def not_reported(self) -> Figure:
        """Projects that owe a report for the month and have not submitted it."""
        ids = [pid for pid in self.owed().ids if not obligations.is_reported(self.statuses.get(pid))]
        return Figure(len(ids), ids)

    def _first_in_period(self, stage: str) -> list[int]:
        """The projects that first reached ``stage`` in the period and stand there or beyond at its end."""
        start, end, firsts = self.start, self.end, self._firsts(stage)
        return [pid for pid in self._reaching(stage) if firsts[pid] is not None and start <= firsts[pid] <= end]

    @memoised
    def new_starts(self) -> Figure:
        ids = self._first_in_period(Stage.STARTED)
        return self._compare("new_starts", len(ids), ids)

    @memoised
    def completions(self) -> Figure:
        ids = self._first_in_period(Stage.COMPLETED)
        return self._compare("completions", len(ids), ids)

    @memoised
    def planned_starts(self) -> Figure:
        """Projects planned to start in the year up to this month."""
        ids = [p.id for p in self.projects if p.planned_start and self.start <= p.planned_start <= self.end]
        return self._compare("planned_starts", len(ids), ids)

    @memoised
    def on_time_starts(self) -> Figure:
        ids = []
        firsts = self._firsts(Stage.STARTED)
        for p in self.projects:
            if p.planned_start and self.start <= p.planned_start <= self.end:
                started = firsts[p.id]
                if started and started <= month_end(p.planned_start.year, p.planned_start.month):
                    ids.append(p.id)
        return self._compare("on_time_starts", len(ids), ids)

    def on_time_start_rate(self) -> Decimal | None:
        return pct(self.on_time_starts().value, self.planned_starts().value)

    @memoised
    def funnel(self) -> list[tuple[str, str, Figure, Decimal]]:
        """(stage, label, projects at or beyond it, their total investment)."""
        out = []
        ranks = self._ranks()
        for stage in STAGE_ORDER[1:]:
            at = ORDER[stage]
            rows = [p for p in self.projects if ranks[p.id] >= at]
            total = q2(sum((p.total_investment for p in rows), ZERO))
            ids = [p.id for p in rows]
            out.append((stage, Stage(stage).label, Figure(len(ids), ids), total))
        return out

    @memoised
    def flows(self) -> list[tuple[str, str, int]]:
        """Moves between stages made in the period: (from, to, count)."""
        counter: Counter = Counter()
        start, end = self.start, self.end
        moves = self._each("moves", lambda line: self.histories[line.project.id].moves_between(start, end))
        for pid in self.ids:
            counter.update(moves[pid])
        return [(a, b, n) for (a, b), n in sorted(counter.items())]

    @memoised
    def new_over_100m(self) -> Figure:
        """过亿元 projects landed (signed) in the period, and their total investment."""
        ids = []
        firsts = self._firsts(Stage.SIGNED)  # moving back and forward again is not a new 签约
        for p in self.projects:
            signed = firsts[p.id]
            if p.total_investment >= OVER_100M_WAN and signed and self.start <= signed <= self.end:
                ids.append(p.id)
        return self._compare("new_over_100m", len(ids), ids)

    @memoised
    def new_over_100m_investment(self) -> Figure:
        ids = self.new_over_100m().ids
        by_pk = {p.id: p for p in self.projects}
        return self._compare("new_over_100m_investment", q2(sum((by_pk[i].total_investment for i in ids), ZERO)), ids)

    @memoised
    def funds_in_place(self) -> Figure:
        self._load_funds()
        rows = [line for line in self.lines if line.project.contract_amount]
        return self._compare("funds_in_place", q2(sum((line.funds for line in rows), ZERO)),
                             [line.project.id for line in rows])

    @memoised
    def funds_rate(self) -> Figure:
        """资金到位率: funds in place over contracted investment, for projects with a contract."""
        self._load_funds()
        rows = [line for line in self.lines if line.project.contract_amount]
        value = pct(sum((line.funds for line in rows), ZERO), sum((line.project.contract_amount for line in rows), ZERO))
        return self._compare("funds_rate", value, [line.project.id for line in rows])

    @memoised
    def start_rate(self) -> Figure:
        """开工率: started / signed, both as of the period's end."""
        signed = self._reaching(Stage.SIGNED)
        started = self._reaching(Stage.STARTED)  # started is signed too: the road goes through 签约
        return self._compare("start_rate", pct(len(started), len(signed)), started)

    @memoised
    def conversion(self, a: str, b: str) -> Decimal | None:
        ranks, at_b = self._ranks(), ORDER[b]
        reached_a = self._reaching(a)
        return pct(sum(1 for pid in reached_a if ranks[pid] >= at_b), len(reached_a))

    @memoised
    def median_days(self, a: str, b: str) -> float | None:
        days = []
        firsts_a, firsts_b = self._firsts(a), self._firsts(b)
        for pid in self.ids:
            da, db = firsts_a[pid], firsts_b[pid]
            if da and db and db >= da:
                days.append((db - da).days)
        return statistics.median(days) if days else None

    @memoised
    def health_checks(self) -> list[tuple[str, object, str]]:
        """(rule, project, finding) for each project a switched-on check flags (see ``checks``)."""
        from .checks import health_checks

        return health_checks(self)

    @memoised
    def problems_by(self, key: str) -> list[tuple[str, int, int, list[int]]]:
        """Open problems by ``category`` or ``unit``: (label, open, overdue, project ids)."""
        groups: dict[str, list] = defaultdict(list)
        categories = {value: str(label) for value, label in Problem._meta.get_field("category").flatchoices}
        unnamed = _("未指定")
        for plist in self.problems.values():
            for problem in plist:
                label = (categories.get(problem.category, problem.category) if key == "category"
                         else str(problem.solving_unit or unnamed))
                groups[label].append(problem)
        out = []
        for label, plist in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):  # ties by name
            overdue = sum(1 for x in plist if x.is_overdue(self.today))
            out.append((label, len(plist), overdue, sorted({x.project_id for x in plist})))
        return out

    @memoised
    def open_problems(self) -> Figure:
        ids = sorted({pid for pid, plist in self.problems.items() if plist})
        return Figure(sum(len(v) for v in self.problems.values()), ids)

    @memoised
    def overdue_problems(self) -> Figure:
        ids, n = set(), 0
        for pid, plist in self.problems.items():
            for x in plist:
                if x.is_overdue(self.today):
                    n += 1
                    ids.add(pid)
        return Figure(n, sorted(ids))

    @memoised
    def monthly_curve(self) -> list[tuple[int, Decimal, Decimal]]:
        """(month, cumulative completed, cumulative plan at 时序) for months 1..month."""
        by_month = self.by_month
        plan = self.planned().value or ZERO
        out, running = [], ZERO
        for m in range(1, self.month + 1):
            running += by_month.get(m) or ZERO
            out.append((m, q2(running), q2(plan * m / 12)))
        return out

    @memoised
    def ranking(self, by: str = "region") -> list[tuple[object, Decimal | None, Decimal, Decimal | None, list[int]]]:
        """Groups by completion rate: (group, rate, completed, planned, ids).

        ``by`` is "region" (districts, for the city), "chain" or "unit" (within a district).
        """
        field = {"region": "region", "chain": "chain", "unit": "responsible_unit"}[by]
        attname = Project._meta.get_field(field).attname
        groups: dict = defaultdict(list)  # by the group's key: hashing the objects costs more
        objects: dict = {}
        for line in self.lines:
            key = getattr(line.project, attname)
            groups[key].append(line)
            if key not in objects:
                objects[key] = getattr(line.project, field)
        out = []
        for key, lines in groups.items():
            group = objects[key]
            planned = [x for x in lines if x.plan]
            done = sum((x.done for x in planned), ZERO)
            plan = sum((x.plan for x in planned), ZERO)
            out.append((group, pct(done, plan), q2(done), q2(plan), [x.project.id for x in lines]))
        return sorted(out, key=lambda r: (r[1] is None, -(r[1] or 0)))

    @memoised
    def by_district(self) -> list[dict]:
        """The city's overview: each district's figures side by side, from the same lines and
        rules as the rest of the snapshot (``totals`` as the workbook's subtotals; a unit is
        late, as on 月度调度, once the district's deadline has passed with a project unreported)."""
        from taizhang.reporting.services import deadlines

        by_region: dict = defaultdict(list)
        for line in self.lines:
            by_region[line.project.region_id].append(line)
        lines: dict = defaultdict(list)
        for group in by_region.values():
            region = group[0].project.region
            lines[region.district or region].extend(group)
        due = deadlines(list(lines), self.year, self.month)
        owed, missing = set(self.owed().ids), set(self.not_reported().ids)
        rows = []
        for district, group in lines.items():
            t = totals(group)
            ids = {x.project.id for x in group}
            late = obligations.is_late(None, due[district.pk], self.today)
            n_owed, n_missing = len(ids & owed), len(ids & missing)
            rows.append({
                "region": district, "count": t["count"], "total_investment": t["total_investment"],
                "plan": t["plan"], "done": t["done"], "rate": t["rate"],
                "lag": None if t["rate"] is None else q2(t["rate"] - self.timing),
                "red": sum(1 for x in group if x.progress_warning == "red"),
                "yellow": sum(1 for x in group if x.progress_warning == "yellow"),
                "owed": n_owed, "not_reported": n_missing,
                "reporting_rate": pct(n_owed - n_missing, n_owed),
                "late_units": len({x.project.responsible_unit_id for x in group if x.project.id in missing})
                if late else 0,
            })
        return sorted(rows, key=lambda r: r["region"].code)

    @memoised
    def totals(self) -> dict:
        """The sums of every line (the workbook's 合计 row, the briefing's first sentence)."""
        return totals(self.lines)

    @memoised
    def groups(self, by: str = "level") -> list[tuple[str, list[Line]]]:
        """Lines grouped for the workbook's subtotals: by project level or by industry chain."""
        groups = defaultdict(list)
        if by == "chain":
            for line in self.lines:
                groups[str(line.project.chain or _("未分产业链"))].append(line)
            return sorted(groups.items(), key=lambda kv: (kv[0] == _("未分产业链"), kv[0]))
        for line in self.lines:
            groups[line.project.level].append(line)
        return [(Level(level).label, groups[level]) for level in Level.values if groups.get(level)]



def progress_colour(rules: MonitoringRules, rate: Decimal, timing: Decimal) -> str:
    """红黄绿 of a completion rate against 时序 (both in percent) under a district's rules: the
    one rule for projects, and for anything else measured against a year's target."""
    if rules.lag_mode == LagMode.RELATIVE:
        ratio = rate / timing if timing else Decimal("1")
        if ratio < rules.relative_red:
            return "red"
        return "yellow" if ratio < rules.relative_yellow else "green"
    behind = timing - rate
    if behind > rules.lag_red:
        return "red"
    return "yellow" if behind >= rules.lag_yellow else "green"


def totals(lines: list[Line]) -> dict:
    """Sums of a group of lines, as the workbook's subtotal and total rows show them."""
    planned = [x for x in lines if x.plan]
    plan = sum((x.plan for x in planned), ZERO)
    return {
        "count": len(lines),
        "total_investment": q2(sum((x.project.total_investment for x in lines), ZERO)),
        "plan": q2(plan),
        "month_done": q2(sum((x.month_done for x in lines), ZERO)),
        "done": q2(sum((x.done for x in lines), ZERO)),
        "rate": pct(sum((x.done for x in planned), ZERO), plan),
    }


__all__ = ["Snapshot", "Figure", "Line", "totals", "progress_colour", "pct", "growth", "month_end", "basis_for", "ALL", "APPROVED"]
