"""What is waiting for a user, for the home page: each item comes from ``restrict(user, action)``,
so it is something ``may`` lets them do."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.accounts.choices import Role
from taizhang.core.periods import last_finished_month
from taizhang.core.scope import Action, can
from taizhang.projects.models import MonthlyProgress, Project

from . import obligations
from .choices import OrderLevel, OrderStatus, PeriodStatus, ReportStatus
from .models import ReportingPeriod, SupervisionOrder
from .services import deadline_for


def todos(user, today: dt.date | None = None) -> list[tuple[str, str, str]]:
    """(what, detail, link) waiting for this user."""
    today = today or timezone.localdate()
    out = []
    reports = MonthlyProgress.objects.restrict(user, Action.VIEW).select_related("project")
    if user.role == Role.UNIT_USER:
        # What the unit owes for the month being collected and has not started (reporting.obligations).
        year, month = last_finished_month(today)
        region = user.unit.region.district or user.unit.region
        owed = obligations.owed(Project.objects.restrict(user, Action.REPORT), year, month,
                                deadline_for(region, year, month), today)
        for row in owed:
            if row.report is None:
                what = _("逾期未填报") if row.late else _("待填报")
                out.append((what, f"{row.project} " + _("%(year)s年%(month)s月") % {"year": year, "month": month}, row.project.get_absolute_url() + "#progress"))
        for r in reports.filter(status__in=[ReportStatus.DRAFT, ReportStatus.RETURNED]).order_by("-year", "-month")[:20]:
            what = _("退回待修改") if r.status == ReportStatus.RETURNED else _("待提交")
            out.append((what, f"{r.project} " + _("%(year)s年%(month)s月") % {"year": r.year, "month": r.month}, reverse("reporting:report", args=[r.pk])))
    if can(user, Action.ANSWER):
        for o in SupervisionOrder.objects.restrict(user, Action.ANSWER).filter(status=OrderStatus.ISSUED):
            out.append((_("督办待答复"), o.content[:30] + _("(时限%(deadline)s)") % {"deadline": o.deadline}, reverse("reporting:order", args=[o.pk])))
    if can(user, Action.APPROVE):
        submitted = MonthlyProgress.objects.restrict(user, Action.APPROVE).filter(status=ReportStatus.SUBMITTED)
        for r in submitted.select_related("project").order_by("-year", "-month")[:20]:
            out.append((_("待审核"), f"{r.project} " + _("%(year)s年%(month)s月") % {"year": r.year, "month": r.month}, reverse("reporting:report", args=[r.pk])))
    if can(user, Action.SUPERVISE):
        orders = SupervisionOrder.objects.restrict(user, Action.SUPERVISE).filter(status=OrderStatus.ANSWERED)
        for o in orders.select_related("unit"):
            out.append((_("督办待办结"), f"{o.unit}:{o.content[:30]}", reverse("reporting:order", args=[o.pk])))
    if can(user, Action.LOCK):
        periods = ReportingPeriod.objects.restrict(user, Action.LOCK).filter(status=PeriodStatus.SUBMITTED)
        for p in periods.select_related("region"):
            link = reverse("reporting:period") + f"?region={p.region_id}&year={p.year}&month={p.month}"
            out.append((_("待锁定"), str(p), link))
    if user.role == Role.LEADER:
        orders = SupervisionOrder.objects.restrict(user, Action.SUPERVISE).filter(level=OrderLevel.LEADER)
        for o in orders.exclude(status=OrderStatus.CLOSED).select_related("unit"):
            out.append((_("领导督办"), f"{o.unit}:{o.content[:30]}", reverse("reporting:order", args=[o.pk])))
    return out
