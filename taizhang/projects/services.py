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

from .choices import STAGE_ORDER, ProblemStatus, ReportStatus, Stage
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
                  reason: str = "", today: dt.date | None = None, explanation: str = "") -> MonthlyProgress:
    """Report a month's progress, or correct it (the old values stay in its history).

    The month's checks run first (a locked month refuses; hard rules refuse; soft rules
    need ``explanation``, which is kept with the report). A saved report is a draft
    until its unit submits it again.
    """
    from taizhang.reporting.hooks import before_progress_save

    _require(user, Action.REPORT, project)
    today = today or timezone.localdate()
    if (year, month) > (today.year, today.month):
        raise ValidationError({"month": _("不能填报未来月份的进展")})
    with transaction.atomic(), change_context(user, reason):
        report = MonthlyProgress.objects.select_for_update().filter(
            project=project, year=year, month=month
        ).first()
        before_progress_save(project, year, month, data, report, explanation)
        correcting = report is not None
        if report is None:
            report = MonthlyProgress(project=project, year=year, month=month)
        for field, value in data.items():
            setattr(report, field, value)
        if correcting and not (reason or "").strip():
            raise ValidationError({"reason": _("修改已填报的月度进展须填写更正原因")})
        report.reported_by = _actor(user)
        if explanation:
            report.explanation = explanation
        report.status = ReportStatus.DRAFT
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


# ---------------------------------------------------------------- import


def apply_import(user, preview, reason: str = "") -> dict[str, int]:
    """Write a validated import: every row or none. Returns counts of what was written."""
    from decimal import Decimal

    from simple_history.utils import bulk_create_with_history

    from .choices import DataSource

    _require(user, Action.CHANGE)
    if preview.errors:
        raise ValidationError(_("导入文件有 %(n)s 行错误,未写入任何数据") % {"n": len(preview.errors)})
    reason = reason or _("Excel 导入")
    counts = {"created": 0, "updated": 0, "plans": 0, "progress": 0, "problems": 0}
    with transaction.atomic(), change_context(user, reason):
        creates = [r for r in preview.rows if r.action == "create"]
        new = [Project(**r.data, source=DataSource.IMPORTED, stage_date=timezone.localdate()) for r in creates]
        bulk_create_with_history(new, Project, batch_size=500, default_user=_actor(user),
                                 default_change_reason=reason)
        if new and new[0].pk is None:  # a backend that does not return keys from bulk inserts
            by_name = {(p.name, p.region_id): p for p in Project.objects.filter(source=DataSource.IMPORTED)}
            new = [by_name[(p.name, p.region_id)] for p in new]
        for row, project in zip(creates, new, strict=True):
            row.project = project
        StageChange.objects.bulk_create([
            StageChange(project=p, from_stage="", to_stage=Stage.LEAD, date=p.stage_date, reason=reason,
                        user=_actor(user)) for p in new
        ])
        counts["created"] = len(new)
        for row in preview.rows:
            if row.action == "update" and any(getattr(row.project, f) != v for f, v in row.data.items()):
                # The version read at preview time: a change made since then refuses the import.
                row.project = update_project(user, row.project, row.data, row.project.version, reason)
                counts["updated"] += 1
        ids = [r.project.pk for r in preview.rows if r.project is not None]
        if Project.objects.restrict(user, Action.CHANGE).filter(pk__in=ids).count() != len(set(ids)):
            raise PermissionDenied(_("导入后有项目将不在您的管理范围内,已全部撤销"))

        year, month = preview.year, preview.month
        if month:
            from taizhang.reporting.hooks import is_locked

            for region in {r.project.region for r in preview.rows if r.project is not None}:
                if is_locked(region, year, month):
                    raise ValidationError(_("%(r)s %(y)s年%(m)s月已锁定,不能导入该月进展") % {"r": region, "y": year, "m": month})
        plans = {p.project_id: p for p in AnnualPlan.objects.filter(project_id__in=ids, year=year)}
        new_plans = []
        for row in preview.rows:
            if row.plan is None or row.project is None:
                continue
            plan = plans.get(row.project.pk)
            if plan is None:
                new_plans.append(AnnualPlan(project=row.project, year=year, planned_investment=row.plan))
            elif plan.planned_investment != row.plan:
                plan.planned_investment = row.plan
                plan.full_clean()
                plan.save()
                counts["plans"] += 1
        bulk_create_with_history(new_plans, AnnualPlan, batch_size=1000, default_user=_actor(user),
                                 default_change_reason=reason)
        counts["plans"] += len(new_plans)

        if month:
            reports: dict[int, dict[int, MonthlyProgress]] = {}
            for r in MonthlyProgress.objects.filter(project_id__in=ids, year=year, month__lte=month):
                reports.setdefault(r.project_id, {})[r.month] = r
            new_reports = []
            for row in preview.rows:
                if row.ytd is None or row.project is None:
                    continue
                mine = reports.get(row.project.pk, {})
                before = sum((r.investment for m, r in mine.items() if m < month), Decimal("0"))
                amount = row.ytd - before
                if amount < 0:
                    raise ValidationError(_("第%(row)s行 1-%(m)s月完成投资小于此前各月之和") % {"row": row.number, "m": month})
                current = mine.get(month)
                if current is None:
                    new_reports.append(MonthlyProgress(project=row.project, year=year, month=month,
                                                       investment=amount, progress=row.progress_text,
                                                       reported_by=_actor(user)))
                elif current.investment != amount or (row.progress_text and current.progress != row.progress_text):
                    current.investment = amount
                    current.progress = row.progress_text or current.progress
                    current.reported_by = _actor(user)
                    current.full_clean()
                    current.save()
                    counts["progress"] += 1
            bulk_create_with_history(new_reports, MonthlyProgress, batch_size=1000, default_user=_actor(user),
                                     default_change_reason=reason)
            counts["progress"] += len(new_reports)

        open_problems = set(Problem.objects.filter(project_id__in=ids).unsolved().values_list("project_id", "description"))
        new_problems = [
            Problem(project=row.project, category="other", description=row.problem, raised_by=_actor(user))
            for row in preview.rows
            if row.problem and row.project is not None and (row.project.pk, row.problem) not in open_problems
        ]
        bulk_create_with_history(new_problems, Problem, batch_size=1000, default_user=_actor(user),
                                 default_change_reason=reason)
        counts["problems"] = len(new_problems)
    return counts
