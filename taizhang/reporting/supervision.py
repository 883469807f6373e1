"""督办: issue a 督办单 to a responsible unit, answer, close, escalate; the daily overdue mark.

Who may do what is decided by ``taizhang.core.scope.may`` alone: ``Action.SUPERVISE`` to
issue (on the district), close and escalate (on the order: its level decides whose it is),
``Action.ANSWER`` to answer (the unit the order is addressed to).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.accounts.choices import Role
from taizhang.core.history import change_context
from taizhang.core.scope import Action, may

from .choices import OrderLevel, OrderStatus
from .models import SupervisionOrder


def issue_order(user, *, unit, content: str, deadline: dt.date, source: str, project=None, problem=None,
                today: dt.date | None = None) -> SupervisionOrder:
    region = unit.region.district or unit.region
    if not may(user, Action.SUPERVISE, region):
        raise PermissionDenied(_("只有区级或市级管理员可以下发督办单"))
    if any(target is not None and not may(user, Action.VIEW, target) for target in (project, problem)):
        raise PermissionDenied(_("该项目不在您的管理范围内"))
    today = today or timezone.localdate()
    errors = {}
    if not (content or "").strip():
        errors["content"] = [_("请填写督办事项")]
    if deadline is None or deadline < today:
        errors["deadline"] = [_("办理时限不能早于今天")]
    if project is not None and project.region_id != region.pk:
        errors["project"] = [_("项目与督办对象不在同一区")]
    if errors:
        raise ValidationError(errors)
    level = OrderLevel.CITY if user.role == Role.CITY_ADMIN else OrderLevel.DISTRICT
    with transaction.atomic(), change_context(user, gettext_noop("下发督办单")):
        return SupervisionOrder.objects.create(source=source, region=region, project=project, problem=problem,
                                               unit=unit, content=content, deadline=deadline, level=level,
                                               issued_by=user)


def answer_order(user, order: SupervisionOrder, answer: str) -> SupervisionOrder:
    if not may(user, Action.ANSWER, order):
        raise PermissionDenied(_("只有被督办单位可以答复"))
    if order.status == OrderStatus.CLOSED:
        raise ValidationError(_("督办单已办结"))
    if not (answer or "").strip():
        raise ValidationError({"answer": [_("请填写办理情况")]})
    with transaction.atomic(), change_context(user, gettext_noop("答复督办单")):
        order.answer, order.answered_by, order.answered_at = answer, user, timezone.now()
        order.status = OrderStatus.ANSWERED
        order.save()
    return order


def close_order(user, order: SupervisionOrder) -> SupervisionOrder:
    if not may(user, Action.SUPERVISE, order):
        raise PermissionDenied(_("您不能办结该督办单"))
    if order.status != OrderStatus.ANSWERED:
        raise ValidationError(_("督办单尚未答复,不能办结"))
    with transaction.atomic(), change_context(user, gettext_noop("办结督办单")):
        order.status, order.closed_by, order.closed_at = OrderStatus.CLOSED, user, timezone.now()
        order.save()
    return order


def escalate_order(user, order: SupervisionOrder, reason: str = "") -> SupervisionOrder:
    """District → the district leader → the city."""
    if not may(user, Action.SUPERVISE, order):
        raise PermissionDenied(_("您不能升级该督办单"))
    if order.status == OrderStatus.CLOSED:
        raise ValidationError(_("督办单已办结"))
    if order.level == OrderLevel.CITY:
        raise ValidationError(_("已是市级督办"))
    with transaction.atomic(), change_context(user, f"升级督办:{reason}"):
        order.level = OrderLevel.LEADER if order.level == OrderLevel.DISTRICT else OrderLevel.CITY
        order.status = OrderStatus.ISSUED
        order.save()
    return order


def mark_overdue(today: dt.date | None = None) -> int:
    """The daily job: open 督办单 past their deadline are marked overdue. Returns how many."""
    today = today or timezone.localdate()
    with change_context(None, gettext_noop("每日检查:标记逾期")):
        stale = SupervisionOrder.objects.exclude(status=OrderStatus.CLOSED).filter(deadline__lt=today, overdue=False)
        n = 0
        for order in stale:
            order.overdue = True
            order.save(update_fields=["overdue", "updated"])
            n += 1
    return n
