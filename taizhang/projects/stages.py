"""A project's dated stage history, and what follows from it.

Stage changes are kept in the order they took effect (their ``date``), not the order
they were typed: a start on 15 October recorded in November goes before November's
entries. The current stage, the actual start and the actual completion are not typed;
they follow from the history (:func:`replay`). Every question about "the stage in a
month" (the funnel, start warnings, who owes a report, the "not started" rule) reads
:class:`History`, so they cannot disagree.

Unknown dates stay unknown (``date`` is None): a project taken from a public report
that says it "has signed" has a 签约 entry without a date. For questions "as of a day"
such an entry counts from the day it was recorded (we knew it by then, not earlier), and
it takes its place in the history there, except the entry the project entered the ledger
with (``lead``), which always comes first. It is never shown or used as a date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from taizhang.core.periods import month_end, month_start

from .choices import STAGE_ORDER, Stage

ORDER = {s: i for i, s in enumerate(STAGE_ORDER)}
_KNOWN = frozenset(Stage.values)  # Stage.values builds its list anew on every call
_MIN = dt.date.min


@dataclass
class Step:
    """One entry of the history, as the rules need it."""

    to_stage: str
    date: dt.date | None  # None: unknown
    recorded: dt.date  # the day it was entered: an unknown date is in effect from then
    id: int | None = None  # None for an entry not saved yet (it sorts after saved ones of its date)
    reason: str = ""
    lead: bool = False  # the entry the project entered the ledger with

    @property
    def effective(self) -> dt.date:
        return self.date if self.date is not None else self.recorded

    def sort_key(self):
        first = _MIN if self.lead and self.date is None else self.effective
        return (first, self.id if self.id is not None else 1 << 62)


def ordered(steps: Iterable[Step]) -> list[Step]:
    return sorted(steps, key=Step.sort_key)


@dataclass
class State:
    stage: str | None
    stage_date: dt.date | None
    actual_start: dt.date | None
    actual_completion: dt.date | None


def replay(steps: list[Step]) -> State:
    """The current stage and the actual dates, from the ordered history."""
    stage = stage_date = start = completion = None
    normal = None  # the last stage on the normal road (暂停/终止 stand beside it)
    for s in steps:
        to = s.to_stage
        before = ORDER[normal] if normal is not None else -1
        if to == Stage.STARTED:
            if before < ORDER[Stage.STARTED]:
                start = s.date  # a (new) start; back from 竣工 to 开工 keeps the start it had
            completion = None
        elif to in (Stage.COMPLETED, Stage.OPERATING):
            if before < ORDER[Stage.COMPLETED]:
                completion = s.date  # 投产 without a 竣工 entry: completed by then
        elif to in ORDER and ORDER[to] < ORDER[Stage.STARTED]:
            start = completion = None  # moved back before 开工: the start did not happen
        if to in ORDER:
            normal = to
        stage, stage_date = to, s.date
    return State(stage, stage_date, start, completion)


def errors(steps: list[Step], today: dt.date | None = None) -> list[str]:
    """What is impossible in an ordered history.

    Only the impossible is refused: a date in the future, an entry before the project
    existed (the ``lead`` entry it entered the ledger with, when its date is known), 竣工/投产 before 开工, two entries in a
    row to the same stage, anything after 终止.
    """
    out: list[str] = []
    if today is not None:
        for s in steps:
            if s.date is not None and s.date > today:
                out.append(_("阶段变更日期不能晚于今天(%(d)s)") % {"d": s.date.isoformat()})
                break
    first = next((s for s in steps if s.lead), steps[0] if steps else None)
    if first is not None and first.date is not None:
        for s in steps:
            if s is first:
                continue
            if s.date is not None and s.date < first.date:
                out.append(_("阶段变更日期(%(d)s)不能早于项目建档日期(%(f)s)")
                           % {"d": s.date.isoformat(), "f": first.date.isoformat()})
                break
    start = None
    previous = None
    starts = [i for i, s in enumerate(steps) if s.to_stage == Stage.STARTED]
    for i, s in enumerate(steps):
        if s.to_stage in (Stage.COMPLETED, Stage.OPERATING) and starts and starts[0] > i:
            later = steps[starts[0]].date
            out.append(_("竣工/投产日期(%(d)s)不能早于开工日期(%(s)s)")
                       % {"d": s.date.isoformat() if s.date else _("日期不详"),
                          "s": later.isoformat() if later else _("日期不详")})
        if previous is not None and previous.to_stage == s.to_stage:
            when = s.date.isoformat() if s.date else _("日期不详")
            out.append(_("与相邻的“%(stage)s”记录重复(%(d)s)") % {"stage": Stage(s.to_stage).label, "d": when})
        if previous is not None and previous.to_stage == Stage.TERMINATED:
            out.append(_("已终止的项目不能再变更阶段"))
        if s.to_stage == Stage.STARTED:
            start = s.date
        elif s.to_stage in ORDER and ORDER[s.to_stage] < ORDER[Stage.STARTED]:
            start = None
        if s.to_stage in (Stage.COMPLETED, Stage.OPERATING) and start and s.date and s.date < start:
            out.append(_("竣工/投产日期(%(d)s)不能早于开工日期(%(s)s)")
                       % {"d": s.date.isoformat(), "s": start.isoformat()})
        previous = s
    if any(s.to_stage not in _KNOWN for s in steps):
        out.append(_("未知的阶段"))
    return list(dict.fromkeys(out))


def needs_reason(from_stage: str, to_stage: str, before_suspension: str | None = None) -> bool:
    """Moving one step forward is routine; anything else must be explained."""
    if to_stage in (Stage.SUSPENDED, Stage.TERMINATED):
        return True
    if from_stage == Stage.SUSPENDED:
        return to_stage != before_suspension
    if from_stage in ORDER and to_stage in ORDER:
        return ORDER[to_stage] != ORDER[from_stage] + 1
    return not from_stage  # the first entry needs none; anything else is a jump


class History:
    """One project's ordered history, with the questions every figure asks of it."""

    def __init__(self, steps: Iterable[Step]):
        self.steps = ordered(steps)
        self._on: dict[dt.date, tuple[str | None, str | None]] = {}  # a snapshot asks the same day many times
        self._first: dict[str, dt.date | None] = {}

    @classmethod
    def of_ordered(cls, steps: list[Step]) -> History:
        """The history of steps already in their order (part of an ordered history keeps it):
        not sorted again."""
        history = cls.__new__(cls)
        history.steps = steps
        history._on = {}
        history._first = {}
        return history

    def __bool__(self) -> bool:
        return bool(self.steps)

    def _stages_on(self, day: dt.date) -> tuple[str | None, str | None]:
        """(stage, stage on the normal road) at the end of ``day``, from one pass over the steps."""
        found = self._on.get(day)
        if found is None:
            stage = normal = None
            for s in self.steps:
                if (s.date if s.date is not None else s.recorded) <= day:  # in effect
                    stage = s.to_stage
                    if stage in ORDER:
                        normal = stage
            found = self._on[day] = (stage, None if stage == Stage.TERMINATED else normal)
        return found

    def stage_on(self, day: dt.date) -> str | None:
        """The stage at the end of ``day``."""
        return self._stages_on(day)[0]

    def normal_stage_on(self, day: dt.date) -> str | None:
        """The stage on the normal road at ``day`` (暂停 keeps the stage it paused at);
        None when terminated or unknown."""
        return self._stages_on(day)[1]

    def reached(self, stage: str, day: dt.date) -> bool:
        """Whether the project stands at ``stage`` or beyond at the end of ``day``."""
        current = self._stages_on(day)[1]  # the stage on the normal road
        return current is not None and ORDER[current] >= ORDER[stage]

    def under_construction(self, year: int, month: int) -> bool:
        """在建 at some time in the month: at 开工 when it began, or moved to 开工 during it."""
        start, end = month_start(year, month), month_end(year, month)
        if self.stage_on(start - dt.timedelta(days=1)) == Stage.STARTED:
            return True
        return any(s.to_stage == Stage.STARTED and start <= s.effective <= end for s in self.steps)

    def started_by(self, year: int, month: int) -> bool:
        """Whether building had begun by the month's end (so investment can be reported for it)."""
        if self.reached(Stage.STARTED, month_end(year, month)) or self.under_construction(year, month):
            return True
        # A project that entered the ledger already building, on a date nobody knows, was
        # building before it was recorded: its reports of earlier months are not refused.
        lead = self.steps[0] if self.steps and self.steps[0].lead and self.steps[0].date is None else None
        if lead is None or lead.to_stage not in ORDER or ORDER[lead.to_stage] < ORDER[Stage.STARTED]:
            return False
        following = self.steps[1].effective if len(self.steps) > 1 else None
        return following is None or month_start(year, month) < following

    def first_reached(self, stage: str) -> dt.date | None:
        """The known date the project first stood at ``stage`` or beyond (moving back and
        forward again does not make it new). None when that date is unknown."""
        if stage not in self._first:  # figures ask it of every project, for a few stages
            self._first[stage] = next(
                (s.date for s in self.steps if s.to_stage in ORDER and ORDER[s.to_stage] >= ORDER[stage]), None)
        return self._first[stage]

    def first_reached_unknown(self, stage: str) -> bool:
        """Whether the project reached ``stage`` on a date nobody knows."""
        for s in self.steps:
            if s.to_stage in ORDER and ORDER[s.to_stage] >= ORDER[stage]:
                return s.date is None
        return False

    def moves_between(self, start: dt.date, end: dt.date) -> list[tuple[str, str]]:
        """(from, to) of the moves with a known date in [start, end]."""
        out, previous = [], ""
        for s in self.steps:
            if previous and s.date is not None and start <= s.date <= end:
                out.append((previous, s.to_stage))
            previous = s.to_stage
        return out


def step_of(change) -> Step:
    """A saved StageChange as the rules see it (its ``from_stage`` tells the lead entry)."""
    from django.utils import timezone

    return Step(change.to_stage, change.date, timezone.localdate(change.created), change.pk, change.reason,
                lead=not change.from_stage)


def history_of(changes, today: dt.date | None = None) -> History:
    """The history of entries in hand, saved or not (a new project's, checked before it is
    stored): each as :func:`load_histories` would read it back once saved ``today``."""
    from django.utils import timezone

    today = today or timezone.localdate()
    changes = changes if isinstance(changes, list | tuple) else list(changes)
    # The zone looked up once, and only for saved entries (an import's new projects have none):
    # localdate() looks it up every time, and the lookup costs more than the rest.
    tz = timezone.get_current_timezone() if any(c.created for c in changes) else None
    return History(Step(c.to_stage, c.date, c.created.astimezone(tz).date() if c.created else today, c.pk,
                        lead=not c.from_stage) for c in changes)


def in_order(changes) -> list:
    """Saved StageChanges in the order of the history (as pages list them)."""
    return sorted(changes, key=lambda c: step_of(c).sort_key())


def load_histories(project_ids, until: dt.date | None = None) -> dict[int, History]:
    """The histories of many projects in one query (entries in effect by ``until``, if given)."""
    from django.db.models import Q
    from django.utils import timezone

    from .models import StageChange

    qs = StageChange.objects.filter(project_id__in=project_ids).order_by()
    if until is not None:
        qs = qs.filter(Q(date__lte=until) | Q(date__isnull=True))
    steps: dict[int, list[Step]] = {pid: [] for pid in project_ids} if not hasattr(project_ids, "query") else {}
    tz = timezone.get_current_timezone()  # once: localdate() per row looks the zone up every time
    for pid, to_stage, date, created, pk, from_stage in qs.values_list(
            "project_id", "to_stage", "date", "created", "id", "from_stage"):
        steps.setdefault(pid, []).append(Step(to_stage, date, created.astimezone(tz).date(), pk, lead=not from_stage))
    return _Histories({pid: History(s) for pid, s in steps.items()})


def histories_until(histories: dict[int, History], until: dt.date) -> dict[int, History]:
    """The same histories as ``load_histories(…, until)`` would load, from ones already loaded
    for a later day (a snapshot and the same months a year earlier share one query)."""
    out = _Histories()
    for pid, history in histories.items():
        steps = [s for s in history.steps if s.date is None or s.date <= until]
        # the part of an ordered history is in order; a history with nothing after ``until`` is itself
        out[pid] = history if len(steps) == len(history.steps) else History.of_ordered(steps)
    return out


class _Histories(dict):
    """Histories by project id; a project without entries has an empty history."""

    def __missing__(self, key):
        return History([])
