"""What is waiting for a user, for the home page: each item is something ``may`` lets them do."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from taizhang.accounts.choices import Role
from taizhang.core.scope import Action, can, may, restrict_regions
from taizhang.projects.models import MonthlyProgress

from .choices import OrderLevel, OrderStatus, PeriodStatus, ReportStatus
from .models import ReportingPeriod, SupervisionOrder


def todos(user, today: dt.date | None = None) -> list[tuple[str, str, str]]:
    """(what, detail, link) waiting for this user."""
    today = today or timezone.localdate()
    out = []
    reports = MonthlyProgress.objects.restrict(user, Action.VIEW).select_related("project")
    if user.role == Role.UNIT_USER:
        for r in reports.filter(status__in=[ReportStatus.DRAFT, ReportStatus.RETURNED]).order_by("-year", "-month")[:20]:
            what = "退回待修改" if r.status == ReportStatus.RETURNED else "待提交"
            out.append((what, f"{r.project} {r.year}年{r.month}月", reverse("reporting:report", args=[r.pk])))
    if can(user, Action.ANSWER):
        for o in SupervisionOrder.objects.filter(unit_id=user.unit_id, status=OrderStatus.ISSUED):
            if may(user, Action.ANSWER, o):
                out.append(("督办待答复", f"{o.content[:30]}(时限{o.deadline})", reverse("reporting:order", args=[o.pk])))
    if can(user, Action.APPROVE):
        for r in reports.filter(status=ReportStatus.SUBMITTED).select_related("project__region") \
                .order_by("-year", "-month")[:20]:
            if may(user, Action.APPROVE, r):
                out.append(("待审核", f"{r.project} {r.year}年{r.month}月", reverse("reporting:report", args=[r.pk])))
    if can(user, Action.SUPERVISE):
        orders = restrict_regions(SupervisionOrder.objects.filter(status=OrderStatus.ANSWERED), user, "region__")
        for o in orders.select_related("region", "unit"):
            if may(user, Action.SUPERVISE, o):
                out.append(("督办待办结", f"{o.unit}:{o.content[:30]}", reverse("reporting:order", args=[o.pk])))
    if can(user, Action.LOCK):
        periods = restrict_regions(ReportingPeriod.objects.filter(status=PeriodStatus.SUBMITTED), user, "region__")
        for p in periods.select_related("region"):
            if may(user, Action.LOCK, p):
                link = reverse("reporting:period") + f"?region={p.region_id}&year={p.year}&month={p.month}"
                out.append(("待锁定", str(p), link))
    if user.role == Role.LEADER:
        orders = restrict_regions(SupervisionOrder.objects.filter(level=OrderLevel.LEADER), user, "region__")
        for o in orders.exclude(status=OrderStatus.CLOSED).select_related("region", "unit"):
            out.append(("领导督办", f"{o.unit}:{o.content[:30]}", reverse("reporting:order", args=[o.pk])))
    return out
