"""One answer to each question about a month's reports, used by the dashboard, 月度调度,
待办 and the briefing alike:

- **owes**: a project owes a report for a month when it was under construction (在建,
  at 开工 by its dated stage history) at some time in that month;
- **reported**: its report for the month has been submitted (提交) or approved; a draft
  or a returned report is not yet reported;
- **late**: not reported by the district's deadline (次月N日), or reported after it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from taizhang.projects.models import MonthlyProgress, Project
from taizhang.projects.stages import History, load_histories

from .choices import ReportStatus

REPORTED = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)


def owes(history: History, year: int, month: int) -> bool:
    return history.under_construction(year, month)


def is_reported(status: str | None) -> bool:
    return status in REPORTED


def is_on_time(report: MonthlyProgress | None, deadline: dt.date) -> bool:
    return (report is not None and is_reported(report.status) and report.submitted_at is not None
            and timezone.localdate(report.submitted_at) <= deadline)


def is_late(report: MonthlyProgress | None, deadline: dt.date, today: dt.date) -> bool:
    if report is None or not is_reported(report.status):
        return today > deadline
    return not is_on_time(report, deadline)


@dataclass
class Owed:
    project: Project
    report: MonthlyProgress | None
    submitted: bool
    on_time: bool
    late: bool


def owed(projects, year: int, month: int, deadline: dt.date, today: dt.date | None = None) -> list[Owed]:
    """The projects of ``projects`` (a queryset) that owe a report for the month, with its state."""
    today = today or timezone.localdate()
    candidates = list(projects.select_related("responsible_unit", "park", "region")
                      .order_by("responsible_unit__name", "name"))
    histories = load_histories([p.pk for p in candidates])
    owing = [p for p in candidates if owes(histories[p.pk], year, month)]
    reports = {r.project_id: r for r in MonthlyProgress.objects.filter(
        project_id__in=[p.pk for p in owing], year=year, month=month)}
    out = []
    for p in owing:
        r = reports.get(p.pk)
        out.append(Owed(p, r, is_reported(getattr(r, "status", None)), is_on_time(r, deadline),
                        is_late(r, deadline, today)))
    return out
