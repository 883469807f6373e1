"""The key tasks' monthly cycle, as for project reports: each task owes an update for the
month by the district's reporting deadline (次月N日, ``reporting.services.deadlines``); a
task past its own deadline unfinished is late; one without this month's update once the
deadline has passed is "not updated this cycle", its own red state."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from taizhang.core.numbers import pct
from taizhang.core.periods import month_end
from taizhang.reporting.services import deadlines

from .choices import STATE_COLOURS, TaskState
from .models import KeyTask, TaskUpdate


@dataclass
class TaskRow:
    task: KeyTask
    update: TaskUpdate | None
    state: str
    due: dt.date

    @property
    def colour(self) -> str:
        return STATE_COLOURS[self.state]

    @property
    def state_label(self) -> str:
        return TaskState(self.state).label


def state_of(task: KeyTask, update: TaskUpdate | None, year: int, month: int, due: dt.date,
             today: dt.date) -> str:
    if task.completed_on is not None and task.completed_on <= month_end(year, month):
        return TaskState.DONE
    if task.deadline < min(today, month_end(year, month)):
        return TaskState.LATE
    if update is None and today > due:
        return TaskState.NOT_UPDATED
    return TaskState.ON_TRACK


def cycle(tasks, year: int, month: int, today: dt.date | None = None) -> list[TaskRow]:
    """Every task of ``tasks`` (scoped) with its update and state for the month."""
    today = today or timezone.localdate()
    tasks = list(tasks.filter(year=year).select_related("region", "responsible_unit").order_by("region__path",
                                                                                                 "number"))
    districts = {t.region.district or t.region for t in tasks}
    due = deadlines(list(districts), year, month)
    updates = {u.task_id: u for u in TaskUpdate.objects.filter(task__in=[t.pk for t in tasks], year=year,
                                                                month=month)}
    rows = []
    for t in tasks:
        d = due[(t.region.district or t.region).pk]
        rows.append(TaskRow(t, updates.get(t.pk), state_of(t, updates.get(t.pk), year, month, d, today), d))
    return rows


def summary(rows: list[TaskRow]) -> dict:
    counts = defaultdict(int)
    for row in rows:
        counts[row.state] += 1
    owed = [r for r in rows if r.state != TaskState.DONE]
    updated = [r for r in owed if r.update is not None]
    return {"total": len(rows), "counts": dict(counts), "updating_rate": pct(len(updated), len(owed)),
            "late": [r for r in rows if r.state == TaskState.LATE],
            "not_updated": [r for r in rows if r.state == TaskState.NOT_UPDATED]}
