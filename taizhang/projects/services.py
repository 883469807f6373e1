"""Every change to the ledger goes through these functions.

Pages, the API, imports and commands call them, so each behaves the same: check the
user may do it, validate, save in one transaction, record who did it and why, and
re-check the record is still in the user's scope afterwards (nobody can move a
record out of their own reach, or into someone else's).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.core.history import change_context
from taizhang.core.scope import Action, can

from .choices import STAGE_ORDER, ProblemStatus, Stage
from .models import AnnualPlan, MonthlyProgress, Problem, Project, StageChange


class ConflictError(ValidationError):
    """Someone else saved the record since this user opened it."""


def _require(user, action: Action, project: Project | None = None) -> None:
    if not can(user, action):
        raise PermissionDenied(_("您没有权限执行此操作"))
    if project is not None and project.pk is not None:
        if not Project.objects.restrict(user, action).filter(pk=project.pk).exists():
            raise PermissionDenied(_("该项目不在您的管理范围内"))


def _require_still_in_scope(user, action: Action, project: Project) -> None:
    if not Project.objects.restrict(user, action).filter(pk=project.pk).exists():
        raise PermissionDenied(_("保存后该项目将不在您的管理范围内,不能这样修改"))


def _lock(project: Project) -> Project:
    return Project.objects.select_for_update().get(pk=project.pk)


# ---------------------------------------------------------------- projects


def create_project(user, data: dict[str, Any], reason: str = "") -> Project:
    """Create a project at stage 线索 (or ``data['stage']`` via a first StageChange)."""
    _require(user, Action.CHANGE)
    initial_stage = data.pop("stage", None) or Stage.LEAD
    stage_date = data.pop("stage_date", None) or timezone.localdate()
    project = Project(**data)
    project.full_clean()
    with transaction.atomic(), change_context(user, reason or _("新建项目")):
        project.save()
        _require_still_in_scope(user, Action.CHANGE, project)
        StageChange.objects.create(
            project=project, from_stage="", to_stage=initial_stage, date=stage_date,
            reason=reason or _("建档"), user=_actor(user),
        )
        if initial_stage != Stage.LEAD:
            project.stage = initial_stage
            project.stage_date = stage_date
            _apply_stage_dates(project, initial_stage, stage_date)
            project.save(update_fields=["stage", "stage_date", "actual_start", "actual_completion"])
    return project


def update_project(user, project: Project, data: dict[str, Any], expected_version: int | None,
                   reason: str = "") -> Project:
    """Change a project's fields; refused when someone saved it after ``expected_version``."""
    _require(user, Action.CHANGE, project)
    with transaction.atomic(), change_context(user, reason):
        current = _lock(project)
        if expected_version is not None and current.version != expected_version:
            raise ConflictError(
                _("该项目已被他人修改(当前版本 %(now)s,您打开的是版本 %(was)s),请刷新后重新填写。")
                % {"now": current.version, "was": expected_version}
            )
        for field, value in data.items():
            setattr(current, field, value)
        current.full_clean()
        current.version += 1
        current.save()
        _require_still_in_scope(user, Action.CHANGE, current)
    return current


def delete_project(user, project: Project, reason: str) -> None:
    _require(user, Action.DELETE, project)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("删除项目须说明原因")})
    with transaction.atomic(), change_context(user, reason):
        project.delete()


# ---------------------------------------------------------------- stages


def transition_needs_reason(from_stage: str, to_stage: str, before_suspension: str | None = None) -> bool:
    """Moving one step forward is routine; anything else must be explained."""
    if to_stage in (Stage.SUSPENDED, Stage.TERMINATED):
        return True
    if from_stage == Stage.SUSPENDED:
        return to_stage != before_suspension
    if from_stage in STAGE_ORDER and to_stage in STAGE_ORDER:
        return STAGE_ORDER.index(to_stage) != STAGE_ORDER.index(from_stage) + 1
    return True


def _apply_stage_dates(project: Project, to_stage: str, date: dt.date) -> None:
    order = {s: i for i, s in enumerate(STAGE_ORDER)}
    if to_stage == Stage.STARTED:
        project.actual_start = date
        project.actual_completion = None
    elif to_stage == Stage.COMPLETED:
        project.actual_completion = date
    elif to_stage in order and order[to_stage] < order[Stage.STARTED]:
        # Moved back before 开工: the start recorded earlier did not happen.
        project.actual_start = None
        project.actual_completion = None


def move_stage(user, project: Project, to_stage: str, date: dt.date, reason: str = "") -> StageChange:
    """Move a project to ``to_stage`` on ``date``, keeping the move as a StageChange."""
    _require(user, Action.CHANGE, project)
    reason = (reason or "").strip()
    with transaction.atomic(), change_context(user, reason or _("阶段变更")):
        current = _lock(project)
        errors = _stage_errors(current, to_stage, date, reason)
        if errors:
            raise ValidationError(errors)
        change = StageChange.objects.create(
            project=current, from_stage=current.stage, to_stage=to_stage, date=date,
            reason=reason, user=_actor(user),
        )
        current.stage = to_stage
        current.stage_date = date
        _apply_stage_dates(current, to_stage, date)
        current.version += 1
        current.save()
    project.refresh_from_db()
    return change


def _stage_errors(project: Project, to_stage: str, date: dt.date, reason: str) -> dict[str, str]:
    if to_stage not in Stage.values:
        return {"to_stage": _("未知的阶段")}
    if to_stage == project.stage:
        return {"to_stage": _("项目已处于该阶段")}
    if project.stage == Stage.TERMINATED:
        return {"to_stage": _("已终止的项目不能再变更阶段")}
    if date > timezone.localdate():
        return {"date": _("阶段变更日期不能晚于今天")}
    last = project.stage_changes.order_by("-date", "-id").first()
    if last is not None and date < last.date:
        return {"date": _("阶段变更日期不能早于上一次变更(%(d)s)") % {"d": last.date.isoformat()}}
    if to_stage in (Stage.COMPLETED, Stage.OPERATING) and project.actual_start and date < project.actual_start:
        return {"date": _("竣工/投产日期不能早于开工日期(%(d)s)") % {"d": project.actual_start.isoformat()}}
    before = None
    if project.stage == Stage.SUSPENDED:
        before = (
            project.stage_changes.filter(to_stage=Stage.SUSPENDED).order_by("-date", "-id")
            .values_list("from_stage", flat=True).first()
        )
    if transition_needs_reason(project.stage, to_stage, before) and not reason:
        return {"reason": _("跳过阶段、回退、暂停或终止须填写原因")}
    return {}


# ---------------------------------------------------------------- plans and progress


def save_plan(user, project: Project, year: int, data: dict[str, Any], reason: str = "") -> AnnualPlan:
    _require(user, Action.CHANGE, project)
    with transaction.atomic(), change_context(user, reason):
        plan = AnnualPlan.objects.filter(project=project, year=year).first() or AnnualPlan(
            project=project, year=year
        )
        for field, value in data.items():
            setattr(plan, field, value)
        plan.full_clean()
        plan.save()
    return plan


def save_progress(user, project: Project, year: int, month: int, data: dict[str, Any],
                  reason: str = "", today: dt.date | None = None) -> MonthlyProgress:
    """Report a month's progress, or correct it (the old values stay in its history)."""
    _require(user, Action.REPORT, project)
    today = today or timezone.localdate()
    if (year, month) > (today.year, today.month):
        raise ValidationError({"month": _("不能填报未来月份的进展")})
    with transaction.atomic(), change_context(user, reason):
        report = MonthlyProgress.objects.select_for_update().filter(
            project=project, year=year, month=month
        ).first()
        correcting = report is not None
        if report is None:
            report = MonthlyProgress(project=project, year=year, month=month)
        for field, value in data.items():
            setattr(report, field, value)
        if correcting and not (reason or "").strip():
            raise ValidationError({"reason": _("修改已填报的月度进展须填写更正原因")})
        report.reported_by = _actor(user)
        report.full_clean()
        report.save()
    return report


# ---------------------------------------------------------------- problems


def raise_problem(user, project: Project, data: dict[str, Any]) -> Problem:
    _require(user, Action.REPORT, project)
    problem = Problem(project=project, raised_by=_actor(user), **data)
    problem.full_clean()
    with transaction.atomic(), change_context(user, _("提出问题")):
        problem.save()
    return problem


def update_problem(user, problem: Problem, data: dict[str, Any], reason: str = "") -> Problem:
    _require(user, Action.REPORT, problem.project)
    with transaction.atomic(), change_context(user, reason):
        current = Problem.objects.select_for_update().get(pk=problem.pk)
        for field, value in data.items():
            setattr(current, field, value)
        if current.status == ProblemStatus.SOLVED and current.resolved_on is None:
            current.resolved_on = timezone.localdate()
        if current.status != ProblemStatus.SOLVED:
            current.resolved_on = None
        current.full_clean()
        current.save()
    return current


def _actor(user):
    return user if getattr(user, "pk", None) else None
