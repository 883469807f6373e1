"""What is waiting for a user, for the home page: each item comes from ``restrict(user, action)``,
so it is something ``may`` lets them do."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.accounts.choices import Role
from taizhang.core.periods import last_finished_month
from taizhang.core.scope import Action, can, districts_of
from taizhang.projects.models import MonthlyProgress, Project

from . import obligations
from .choices import OrderLevel, OrderStatus, PeriodStatus, ReportStatus
from .models import ReportingPeriod, SupervisionOrder
from .progress import waiting_for_review
from .services import deadline_for, deadlines


def _month(r) -> str:
    return _("%(year)s年%(month)s月") % {"year": r.year, "month": r.month}


def _owed(user, today: dt.date) -> list[tuple[str, str, str]]:
    """What a unit owes for the month being collected and has not started (reporting.obligations)."""
    year, month = last_finished_month(today)
    region = user.unit.region.district or user.unit.region
    owed = obligations.owed(Project.objects.restrict(user, Action.REPORT), year, month,
                            deadline_for(region, year, month), today)
    when = _("%(year)s年%(month)s月") % {"year": year, "month": month}
    return [(_("逾期未填报") if row.late else _("待填报"), f"{row.project} {when}",
             row.project.get_absolute_url() + "#progress") for row in owed if row.report is None]


def _sources(user, today: dt.date):
    """Each kind of thing waiting as (queryset or None, how to list it): the list and the
    badge's count ask the same querysets, so they cannot disagree."""
    out = []
    if user.role == Role.UNIT_USER:
        out.append((None, lambda: _owed(user, today)))
        drafts = MonthlyProgress.objects.restrict(user, Action.VIEW).filter(
            status__in=[ReportStatus.DRAFT, ReportStatus.RETURNED])
        out.append((drafts, lambda: [
            (_("退回待修改") if r.status == ReportStatus.RETURNED else _("待提交"), f"{r.project} {_month(r)}",
             reverse("reporting:report", args=[r.pk]))
            for r in drafts.select_related("project").order_by("-year", "-month")]))
    if can(user, Action.ANSWER):
        answer = SupervisionOrder.objects.restrict(user, Action.ANSWER).filter(status=OrderStatus.ISSUED)
        out.append((answer, lambda: [
            (_("督办待答复"), o.content[:30] + _("(时限%(deadline)s)") % {"deadline": o.deadline},
             reverse("reporting:order", args=[o.pk]))
            for o in answer]))
    if can(user, Action.ANSWER):
        from taizhang.enterprises.models import Demand, DemandStatus

        handle = Demand.objects.restrict(user, Action.ANSWER).filter(
            status__in=[DemandStatus.RECEIVED, DemandStatus.ACKNOWLEDGED])
        out.append((handle, lambda: [
            (_("企业诉求待答复"), f"{d.enterprise}:{d.content[:30]}"
             + _("(答复截止%(due)s)") % {"due": timezone.localtime(d.answer_due).strftime("%Y-%m-%d %H:%M")},
             reverse("enterprises:demand_detail", args=[d.pk]))
            for d in handle.select_related("enterprise").order_by("answer_due", "pk")]))
    if can(user, Action.REPORT):  # whoever may resolve it (services.resolve_demand): the district's staff
        from taizhang.enterprises.models import Demand, DemandStatus

        answered = Demand.objects.restrict(user, Action.REPORT).filter(status=DemandStatus.ANSWERED)
        out.append((answered, lambda: [
            (_("企业诉求待办结"), f"{d.enterprise}:{d.content[:30]}", reverse("enterprises:demand_detail", args=[d.pk]))
            for d in answered.select_related("enterprise").order_by("resolve_due", "pk")]))
    if can(user, Action.APPROVE):
        waiting = waiting_for_review(user)
        out.append((waiting, lambda: [
            (_("待审核"), f"{r.project} {_month(r)}", reverse("reporting:report", args=[r.pk]))
            for r in waiting.select_related("project").order_by("-year", "-month", "pk")]))
    if can(user, Action.SUPERVISE):
        close = SupervisionOrder.objects.restrict(user, Action.SUPERVISE).filter(status=OrderStatus.ANSWERED)
        out.append((close, lambda: [
            (_("督办待办结"), f"{o.unit}:{o.content[:30]}", reverse("reporting:order", args=[o.pk]))
            for o in close.select_related("unit")]))
    if can(user, Action.LOCK):
        lock = ReportingPeriod.objects.restrict(user, Action.LOCK).filter(status=PeriodStatus.SUBMITTED)
        out.append((lock, lambda: [
            (_("待锁定"), str(p), reverse("reporting:period") + f"?region={p.region_id}&year={p.year}&month={p.month}")
            for p in lock.select_related("region")]))
        out.append((None, lambda: _districts_not_submitted(user, today)))
    if user.role == Role.LEADER:
        lead = SupervisionOrder.objects.restrict(user, Action.SUPERVISE).filter(
            level=OrderLevel.LEADER).exclude(status=OrderStatus.CLOSED)
        out.append((lead, lambda: [
            (_("领导督办"), f"{o.unit}:{o.content[:30]}", reverse("reporting:order", args=[o.pk]))
            for o in lead.select_related("unit")]))
    return out


def todos(user, today: dt.date | None = None) -> list[tuple[str, str, str]]:
    """(what, detail, link) for everything waiting for this user (nothing left out)."""
    today = today or timezone.localdate()
    return [item for _queryset, items in _sources(user, today) for item in items()]


def count(user, today: dt.date | None = None) -> int:
    """How many things wait for the user (``len(todos(user))``), by COUNT queries where it can."""
    today = today or timezone.localdate()
    return sum(queryset.count() if queryset is not None else len(items()) for queryset, items in _sources(user, today))


def _districts_not_submitted(user, today: dt.date) -> list[tuple[str, str, str]]:
    """For the city: districts whose month being collected is past its deadline and not submitted."""
    year, month = last_finished_month(today)
    districts = list(districts_of(user))
    periods = {p.region_id: p for p in ReportingPeriod.objects.filter(region__in=districts, year=year, month=month)}
    due = deadlines(districts, year, month)
    out = []
    for district in districts:
        period = periods.get(district.pk)
        deadline = due[district.pk]
        if (period is None or period.status == PeriodStatus.OPEN) and obligations.is_late(None, deadline, today):
            link = reverse("reporting:period") + f"?region={district.pk}&year={year}&month={month}"
            when = _("%(year)s年%(month)s月") % {"year": year, "month": month}
            out.append((_("区未报送"), f"{district} {when}" + _("(截止%(deadline)s)") % {"deadline": f"{deadline:%m-%d}"},
                        link))
    return out


@dataclass
class Group:
    """One kind of thing waiting, with how many and where to see them all."""

    what: str
    count: int
    items: list[tuple[str, str]]  # (detail, link), the first SHOWN of them
    by_month: list[tuple[str, int, str]] = field(default_factory=list)  # (month, count, link) for 待审核


SHOWN = 30


def grouped(items: list[tuple[str, str, str]], full: str = "") -> list[Group]:
    """The items by kind, in the order they came, each with its count and its first ``SHOWN``
    items (all of them for the kind named by ``full``)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for what, detail, link in items:
        groups.setdefault(what, []).append((detail, link))
    return [Group(what, len(rows), rows if what == full else rows[:SHOWN]) for what, rows in groups.items()]


def review_months(user) -> list[tuple[str, int, str]]:
    """(month label, reports waiting, link to its bulk review) for a reviewer."""
    if not can(user, Action.APPROVE):
        return []
    rows = (waiting_for_review(user).values("project__region_id", "project__region__name", "year", "month")
            .annotate(n=Count("pk")).order_by("-year", "-month", "project__region__name"))
    return [(f"{r['project__region__name']} " + _("%(year)s年%(month)s月") % {"year": r["year"], "month": r["month"]},
             r["n"],
             reverse("reporting:period") + f"?region={r['project__region_id']}&year={r['year']}&month={r['month']}#review")
            for r in rows]


def todo_count(request) -> dict:
    """Context processor: how many things wait for the user, for the badge on 待办 (counted
    only when a page shows the badge)."""
    from django.utils.functional import SimpleLazyObject

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"todo_count": SimpleLazyObject(lambda: count(user))}
