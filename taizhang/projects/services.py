"""Every change to the ledger goes through these functions.

Pages, the API, imports and commands call them, so each behaves the same: check the
user may do it, validate, save in one transaction, record who did it and why, and
re-check the record is still in the user's scope afterwards (nobody can move a
record out of their own reach, or into someone else's).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from taizhang.core import marks
from taizhang.core.bulk import few_collections, insert, insert_with_history
from taizhang.core.history import change_context
from taizhang.core.models import instance
from taizhang.core.scope import Action, can, may_each

from . import stages as stage_rules
from .choices import DataSource, ProblemStatus, Stage
from .models import AnnualPlan, DatePrecision, MonthlyProgress, Problem, Project, StageChange


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


def create_project(user, data: dict[str, Any], reason: str = "",
                   stages: list[dict] | None = None) -> Project:
    """Create a project with its stage history.

    Without ``stages`` it enters as a 线索 on a date nobody gave (unknown), or at
    ``data['stage']`` on ``data['stage_date']``. With ``stages`` (a list of
    ``{"to_stage", "date", "precision", "reason"}``, the first being when it entered the
    ledger) the whole past is recorded as it happened and checked as a whole.
    """
    _require(user, Action.CHANGE)
    initial_stage = data.pop("stage", None) or Stage.LEAD
    stage_date = data.pop("stage_date", None)
    if not stages:
        stages = [{"to_stage": initial_stage, "date": stage_date, "reason": reason or gettext_noop("建档")}]
    elif reason:  # the reason given for the whole record explains steps that give none (a history load)
        stages = [{**st, "reason": st.get("reason") or reason} for st in stages]
    project = Project(**data)
    project.full_clean()
    rows = initial_history(user, project, stages)
    with transaction.atomic(), change_context(user, reason or gettext_noop("新建项目")):
        _refuse_twin(project)
        project.save()
        _require_still_in_scope(user, Action.CHANGE, project)
        for r in rows:
            r.project = project
        StageChange.objects.bulk_create(rows)
    return project


def _refuse_twin(project: Project) -> None:
    """One district, one project of a name: names that differ only by spaces, full/half
    width or invisible characters are the same name. The district's row is locked so two
    saves at once cannot both pass."""
    from taizhang.core.text import name_key
    from taizhang.regions.models import Region

    list(Region.objects.select_for_update().filter(pk=project.region_id).values_list("pk", flat=True))
    key = name_key(project.name)
    for name in Project.objects.filter(region_id=project.region_id).exclude(pk=project.pk).values_list("name", flat=True):
        if name_key(name) == key:
            raise ValidationError({"name": _("本区已有同名项目“%(n)s”(仅空格、全半角或不可见字符不同也视为同名)")
                                            % {"n": name}})


def initial_history(user, project: Project, stages: list[dict], today: dt.date | None = None,
                    checked: dict | None = None) -> list[StageChange]:
    """A new project's first entries, checked as a whole and put in order (not saved);
    the project's stage and actual dates are set from them. Raises ValidationError.
    (``today``: the caller's today, for many projects at once.)

    ``checked``: the histories found right before, for many new projects (an import's, in
    its dry run and again when it is confirmed; rows that give the same dates). A new
    project's history is decided by its entries' stages, dates, precisions and reasons and
    by the day alone (no entry of it is saved, none is another project's): one found right
    before gives its order and the project's stage and dates without being checked again.
    A history refused is checked every time."""
    today = today or timezone.localdate()
    actor = _actor(user)
    given = [(st["to_stage"], st.get("date"), st.get("precision") or DatePrecision.DAY, st.get("reason", ""))
             for st in stages]
    key = (today, tuple(given))
    found = checked.get(key) if checked is not None else None
    if found is not None:
        order, (project.stage, project.stage_date, project.actual_start, project.actual_completion) = found
        rows = []
        for i, from_stage in order:
            to_stage, date, precision, reason = given[i]
            rows.append(instance(StageChange, project=project, from_stage=from_stage, to_stage=to_stage, date=date,
                                 precision=precision, reason=reason, user=actor))
        return rows
    rows = [instance(StageChange, project=project, to_stage=to_stage, date=date, precision=precision, reason=reason,
                     user=actor) for to_stage, date, precision, reason in given]
    place = {id(r): i for i, r in enumerate(rows)}
    ordered, rows, _changed = _checked_history(rows, explain=ALL_ENTRIES, today=today)
    _apply_history(project, ordered)
    if checked is not None:
        checked[key] = ([(place[id(r)], r.from_stage) for r in rows],
                        (project.stage, project.stage_date, project.actual_start, project.actual_completion))
    return rows


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
        before = (current.name, current.region_id)
        for field, value in data.items():
            setattr(current, field, value)
        current.full_clean()
        if before != (current.name, current.region_id):  # only a new name or district can make a twin
            _refuse_twin(current)
        current.version += 1
        current.save()
        _require_still_in_scope(user, Action.CHANGE, current)
    return current


def delete_project(user, project: Project, reason: str) -> None:
    _require(user, Action.DELETE, project)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("删除项目须说明原因")})
    from taizhang.reporting.choices import PeriodStatus
    from taizhang.reporting.models import ReportingPeriod

    with transaction.atomic(), change_context(user, reason):
        months = set(MonthlyProgress.objects.filter(project=project).values_list("year", "month"))
        closed = sorted((p.year, p.month) for p in ReportingPeriod.objects.filter(
            region_id=project.region_id, status__in=[PeriodStatus.SUBMITTED, PeriodStatus.LOCKED])
            if (p.year, p.month) in months)
        if closed:
            raise ValidationError({"reason": [_("该项目在已报送或已锁定的月份(%(m)s)有月度进展,删除会改变已上报的数字,"
                                                "不能删除;如项目终止,请把阶段改为终止") % {
                                                    "m": _("、").join(_("%(year)s年%(month)s月") % {"year": y, "month": m}
                                                                      for y, m in closed[:6])}]})
        try:
            project.delete()
        except ProtectedError as e:  # a 督办单 names it (or its problem): the record must stay
            raise ValidationError({"reason": [_("该项目有督办单,不能删除;如项目终止,请把阶段改为终止")]}) from e


# ---------------------------------------------------------------- stages
#
# One door for the stage history: recording an entry (in its place by date), correcting
# one, removing one. Each rewrites the ordered history, checks it as a whole and derives
# the project's current stage and actual dates from it (``stages.replay``).


ALL_ENTRIES = object()  # _checked_history(explain=...): every entry must be explained where needed


def _step(change: StageChange, today: dt.date, seq: int, lead: bool) -> stage_rules.Step:
    recorded = timezone.localdate(change.created) if change.created else today
    # Saved entries keep their order among same-day ones; new ones go after them.
    return stage_rules.Step(change.to_stage, change.date, recorded,
                            change.pk if change.pk is not None else (1 << 61) + seq, change.reason, lead)


def _missing_reasons(steps: list[stage_rules.Step], only: stage_rules.Step | None = None) -> list[str]:
    """Entries that jump, go back, pause or end must say why (checked for ``only`` when given)."""
    out = []
    for i, s in enumerate(steps):
        if i == 0 or (only is not None and s is not only) or (s.reason or "").strip():
            continue
        previous = steps[i - 1].to_stage
        before = None
        if previous == Stage.SUSPENDED:
            normal = [x.to_stage for x in steps[:i] if x.to_stage in stage_rules.ORDER]
            before = normal[-1] if normal else None
        if stage_rules.needs_reason(previous, s.to_stage, before):
            out.append(_("跳过阶段、回退、暂停或终止须填写原因"))
    return out


def _checked_history(rows: list[StageChange], lead: StageChange | None = None, explain=None,
                     field: str = "stage", today: dt.date | None = None):
    """Order entries by date and check them as a whole; set each one's ``from_stage``.

    ``lead`` is the entry the project entered the ledger with (the first given by default):
    it comes first even when its date is unknown, and its known date bounds the rest; ``explain`` is the entry that must give a reason where a move needs one (or
    ``ALL_ENTRIES``). Returns (ordered steps, ordered rows, rows whose ``from_stage``
    changed). Raises ValidationError under ``field``.
    """
    today = today or timezone.localdate()
    lead = lead if lead is not None else (rows[0] if rows else None)
    steps = [_step(r, today, i, r is lead) for i, r in enumerate(rows)]
    row_of = {id(st): r for st, r in zip(steps, rows, strict=True)}
    ordered = stage_rules.ordered(steps)
    if not ordered:
        raise ValidationError({field: [_("项目至少要有一条阶段记录")]})

    def step_of(row):
        return next((st for st in ordered if row_of[id(st)] is row), None)

    problems = stage_rules.errors(ordered, today=today)
    if explain is ALL_ENTRIES:
        problems += _missing_reasons(ordered)
    elif explain is not None:
        problems += _missing_reasons(ordered, only=step_of(explain))
    if problems:
        raise ValidationError({field: problems})
    ordered_rows, changed, previous = [], [], ""
    for st in ordered:
        row = row_of[id(st)]
        if row.from_stage != previous:
            row.from_stage = previous
            changed.append(row)
        ordered_rows.append(row)
        previous = row.to_stage
    return ordered, ordered_rows, changed


def _apply_history(project: Project, steps: list[stage_rules.Step]) -> None:
    state = stage_rules.replay(steps)
    project.stage = state.stage or Stage.LEAD
    project.stage_date = state.stage_date
    project.actual_start = state.actual_start
    project.actual_completion = state.actual_completion


def _reported_before_start(project: Project, history: stage_rules.History) -> list[str]:
    """Months with investment reported that the history would put before 开工: a stage
    change may not leave figures behind that the district's "not started" rule refuses."""
    from taizhang.reporting.choices import RuleKind, Severity
    from taizhang.reporting.rules import rules_for

    if not any(r.kind == RuleKind.NOT_STARTED and r.severity == Severity.HARD for r in rules_for(project.region)):
        return []
    months = project.progress_reports.filter(investment__gt=0).order_by("year", "month").values_list("year", "month")
    return [_("%(year)s年%(month)s月") % {"year": y, "month": m} for y, m in months if not history.started_by(y, m)]


def _rewrite_history(user, project: Project, new: StageChange | None = None,
                     changed: StageChange | None = None, removed: StageChange | None = None,
                     reason: str = "") -> None:
    """Check the history with one entry added, changed or removed; save it and what follows."""
    rows = [c for c in project.stage_changes.all() if removed is None or c.pk != removed.pk]
    lead = next((c for c in rows if not c.from_stage), None)  # the entry it entered the ledger with
    if changed is not None:
        rows = [changed if c.pk == changed.pk else c for c in rows]
        lead = changed if lead is not None and lead.pk == changed.pk else lead
    if new is not None:
        rows.append(new)
    ordered, rows, renumbered = _checked_history(rows, lead=lead, explain=new or changed,
                                                 field="date" if new is not None else "stage")
    stranded = _reported_before_start(project, stage_rules.History(ordered))
    if stranded:
        raise ValidationError({"date" if new is not None else "stage": [
            _("%(months)s已填报完成投资,按此阶段记录这些月份尚未开工;请先更正这些月份的报告") % {
                "months": _("、").join(stranded)}]})
    if new is not None:
        new.save()
    for row in set(renumbered) | ({changed} if changed is not None else set()):
        if row is not new:
            row._change_reason = reason
            row.save()
    if removed is not None:
        removed._change_reason = reason
        removed.delete()
    _apply_history(project, ordered)
    project.version += 1
    project.save()


def move_stage(user, project: Project, to_stage: str, date: dt.date | None, reason: str = "",
               precision: str = DatePrecision.DAY) -> StageChange:
    """Record that ``project`` moved to ``to_stage`` on ``date``: today's move or a past one,
    put in its place in the history. The current stage and actual dates follow."""
    _require(user, Action.CHANGE, project)
    reason = (reason or "").strip()
    if to_stage not in Stage.values:
        raise ValidationError({"to_stage": _("未知的阶段")})
    with transaction.atomic(), change_context(user, reason or gettext_noop("阶段变更")):
        current = _lock(project)
        change = StageChange(project=current, to_stage=to_stage, date=date, precision=precision,
                             reason=reason, user=_actor(user))
        _rewrite_history(user, current, new=change, reason=reason)
    project.refresh_from_db()
    return change


def _edit_entry(user, change: StageChange, reason: str, empty: str, label: str, edit) -> None:
    """Correct or remove one entry: a reason is required; the project and entry are locked."""
    _require(user, Action.CHANGE, change.project)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": empty})
    with transaction.atomic(), change_context(user, f"{label}:{reason}"):
        current = _lock(change.project)
        entry = StageChange.objects.select_for_update().get(pk=change.pk, project=current)
        edit(current, entry, reason)


def correct_stage_change(user, change: StageChange, reason: str, **values) -> StageChange:
    """Correct a wrong entry (its stage, date or precision); the old values stay in its history."""
    def edit(project, entry, reason):
        for name in ("to_stage", "date", "precision"):
            if name in values:
                setattr(entry, name, values[name])
        if not entry.reason:
            entry.reason = reason
        _rewrite_history(user, project, changed=entry, reason=reason)

    _edit_entry(user, change, reason, _("更正阶段记录须说明原因"), gettext_noop("更正阶段记录"), edit)
    change.refresh_from_db()
    return change


def remove_stage_change(user, change: StageChange, reason: str) -> None:
    """Remove an entry recorded by mistake; it stays in the history with the reason."""
    _edit_entry(user, change, reason, _("删除阶段记录须说明原因"), gettext_noop("删除阶段记录"),
                lambda project, entry, reason: _rewrite_history(user, project, removed=entry, reason=reason))


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


# ---------------------------------------------------------------- problems


def raise_problem(user, project: Project, data: dict[str, Any]) -> Problem:
    _require(user, Action.REPORT, project)
    problem = Problem(project=project, raised_by=_actor(user), **data)
    problem.full_clean()
    with transaction.atomic(), change_context(user, gettext_noop("提出问题")):
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


@few_collections()
def apply_import(user, preview, reason: str = "", dry_run: bool = False) -> dict[str, int]:
    """Write a validated import: every row or none. Returns counts of what was written.

    Projects and their stage history go through the ledger's rules (``initial_history``,
    ``move_stage``), monthly figures through the one writer of monthly figures, so an
    import is refused for the same reasons as the page. With ``dry_run`` everything is
    checked and nothing kept: refusals are put on the preview's rows. A dry run does not
    insert the new projects, their stage entries, plans and problems (no rule reads them
    back; the monthly writer is given the new projects with their entries as they are):
    changes to existing projects are made and undone.

    A dry run outside any transaction that refuses nothing keeps what it decided on the
    preview (the new projects' stage histories, their months' outcomes) with a mark of the
    ledger (``core.marks``); confirming the same preview uses it instead of deciding again
    when, at the start of its transaction, the ledger is still as marked and the user, the
    day, the reason and the rows' figures are as they were. It is used once.
    """
    from taizhang.reporting.progress import Entry, ReportsRefused, write_reports

    _require(user, Action.CHANGE)
    if preview.errors and not dry_run:
        raise ValidationError(_("导入文件有 %(n)s 行错误,未写入任何数据") % {"n": len(preview.errors)})
    if preview.questions and not dry_run:
        raise ValidationError(preview.questions)
    reason = reason or gettext_noop("Excel 导入")
    counts = {"created": 0, "updated": 0, "plans": 0, "progress": 0, "problems": 0, "stages": 0}
    rows = [r for r in preview.rows if r.action != "error"]
    originals = [(r, r.project) for r in rows]
    today = timezone.localdate()
    # Taken before the transaction: a mark of what is committed (see the docstring).
    mark = marks.take() if dry_run else None
    decided, preview.decided = preview.decided, None  # confirming changes its objects: used once
    with transaction.atomic(), change_context(user, reason):
        creates = [r for r in rows if r.action == "create"]
        _claim_names(creates)  # reads and locks, writes nothing: the ledger is asked after its wait
        if decided is not None and not (all(r.action == "create" for r in creates) and marks.holds(decided.mark)
                                        and decided.inputs == _decision_inputs(user, preview, rows, reason, today)):
            decided = None
        creates = [r for r in creates if r.action == "create"]
        new = [_new_project(r, dry_run) for r in creates]
        history: list[tuple[Project, list[StageChange]]] = []
        unrecorded = []  # refused histories: the project is stored without entries (and the import refused)
        for row, project in zip(creates, new, strict=True):
            if decided is not None:  # the project copies the draft the dry run set the stage of
                history.append((project, decided.history[len(history)]))
                continue
            stages = row.stages or [{"to_stage": Stage.LEAD, "date": None}]
            try:
                history.append((project, initial_history(user, project, [{**st, "reason": st.get("reason") or reason}
                                                                         for st in stages], today, preview.histories)))
            except ValidationError as e:
                row.refuse(_("阶段"), e)
                unrecorded.append((project, []))
        if not dry_run:
            insert_with_history(new, Project, default_user=_actor(user), default_change_reason=reason)
        if new and new[0].pk is None and not dry_run:  # a backend that does not return keys from bulk inserts
            by_name = {(p.name, p.region_id): p for p in Project.objects.filter(source=DataSource.IMPORTED)}
            new = [by_name[(p.name, p.region_id)] for p in new]
        for row, project in zip(creates, new, strict=True):
            row.project = project
        entries = []
        for project, changes in history:
            for c in changes:
                c.project = project
                entries.append(c)
        if not dry_run:
            insert(entries, StageChange)
        counts["created"] = len(new)
        counts["stages"] += len(entries)
        for row in rows:
            if row.action == "update" and any(getattr(row.project, f) != v for f, v in row.data.items()):
                # The version read at preview time: a change made since then refuses the import.
                try:
                    row.project = update_project(user, row.project, row.data, row.project.version, reason)
                except ValidationError as e:
                    row.refuse("", e)
                    continue
                counts["updated"] += 1
            if row.action == "update":
                try:
                    for entry_id, st in row.stage_fills:  # a date the ledger did not know
                        correct_stage_change(user, StageChange(pk=entry_id, project=row.project), reason,
                                             date=st["date"], precision=st.get("precision") or DatePrecision.DAY)
                        counts["stages"] += 1
                    for st in row.stages:
                        move_stage(user, row.project, st["to_stage"], st["date"], reason,
                                   precision=st.get("precision") or DatePrecision.DAY)
                        counts["stages"] += 1
                except ValidationError as e:
                    row.refuse(_("阶段"), e)
        # The projects made here are asked of the policy as they are (a dry run's are not
        # saved); the others are counted within the user's scope. Only those can have plans
        # and problems already.
        made = {id(p) for p in new}
        ids = [r.project.pk for r in rows if r.project is not None and r.project.pk is not None
               and id(r.project) not in made]
        mine = [r.project for r in rows if r.project is not None and (r.project.pk is None or id(r.project) in made)]
        if ((ids and Project.objects.restrict(user, Action.CHANGE).filter(pk__in=ids).count() != len(set(ids)))
                or not all(may_each(user, Action.CHANGE, mine))):
            raise PermissionDenied(_("导入后有项目将不在您的管理范围内,已全部撤销"))

        year, month = preview.year, preview.month
        plans = {p.project_id: p for p in AnnualPlan.objects.filter(project_id__in=ids, year=year)} if ids else {}
        new_plans = []
        for row in rows:
            if row.plan is None or row.project is None:
                continue
            plan = plans.get(row.project.pk)
            if plan is None and dry_run:
                new_plans.append(None)  # counted; a dry run stores no new plan (no rule reads it)
            elif plan is None:
                new_plans.append(instance(AnnualPlan, project=row.project, year=year, planned_investment=row.plan))
            elif plan.planned_investment != row.plan:
                plan.planned_investment = row.plan
                plan.full_clean()
                plan.save()
                counts["plans"] += 1
        if not dry_run:
            insert_with_history(new_plans, AnnualPlan, default_user=_actor(user), default_change_reason=reason)
        counts["plans"] += len(new_plans)

        progress = []
        row_label = _("第%(number)s行")  # once: a lookup costs more than the entry
        for row in rows:
            if row.project is None:
                continue
            for m, investment in sorted(row.reports.items()):
                values = {"investment": investment}
                if row.progress_text and m == (month or max(row.reports)):
                    values["progress"] = row.progress_text
                entry = Entry(row.project, year, m, values, reason=reason, label=row_label % {"number": row.number},
                              explanation=row.explanation)
                entry.row = row
                progress.append(entry)
        if progress:
            # One call: a dry run checks, a real run writes all or raises with every refusal.
            try:
                outcomes = write_reports(user, progress, dry_run=dry_run or bool(_refused(rows)),
                                         created=history + unrecorded, verdicts=preview.verdicts,
                                         decided=decided.outcomes if decided is not None else None)
            except ReportsRefused as e:
                outcomes = e.outcomes
            for o in outcomes:
                for field, messages in o.errors.items():
                    for m in messages:
                        if _("尚未开工") in m and not o.entry.row.stages and o.entry.row.action == "create":
                            m += _("(表中没有“开工时间”或“项目阶段”列,新项目按线索阶段建档)")
                        o.entry.row.refuse(_("%(month)s月") % {"month": o.entry.month} + str(_REPORT_FIELDS.get(field, field)), m)
            counts["progress"] = sum(1 for o in outcomes if o.action in ("created", "updated"))

        open_problems = set(Problem.objects.filter(project_id__in=ids).unsolved()
                            .values_list("project_id", "description")) if ids else set()
        new_problems = [
            instance(Problem, project=row.project, category="other", description=row.problem, raised_by=_actor(user))
            for row in rows
            if row.problem and row.project is not None and (row.project.pk, row.problem) not in open_problems
        ]
        if not dry_run:
            insert_with_history(new_problems, Problem, default_user=_actor(user), default_change_reason=reason)
        counts["problems"] = len(new_problems)
        refused = [r for r in rows if r.action == "error"]
        if dry_run:
            transaction.set_rollback(True)
            for row, project in originals:  # undone: the rows keep what they had read
                row.project = project
            if mark is not None and not preview.errors and not preview.questions and len(history) == len(creates):
                inputs = _decision_inputs(user, preview, rows, reason, today)
                if inputs is not None:
                    preview.decided = _Decided(mark, inputs, [changes for _project, changes in history],
                                               outcomes if progress else [])
        elif refused:
            raise ValidationError([_("第%(number)s行") % {"number": r.number} + f" {m}" for r in refused for m in r.messages])
    return counts


@dataclass
class _Decided:
    """What an import's dry run decided, kept for confirming the same preview (``apply_import``)."""

    mark: Any  # the ledger's, taken before the dry run (core.marks)
    inputs: list  # _decision_inputs then
    history: list  # each new project's stage entries, in the order of the rows
    outcomes: list  # the months' outcomes (reporting.progress.Outcome), in the order of the entries


def _decision_inputs(user, preview, rows, reason: str, today: dt.date) -> list | None:
    """Everything besides the ledger the new projects' histories and months are decided by:
    the user, the day, the reason, the period, and each row with its project and figures as
    they are now. None where a row reports months of a project already in the ledger (its
    reports are locked and decided again)."""
    out: list = [(user.pk, getattr(user, "role", None), getattr(user, "region_id", None),
                  getattr(user, "unit_id", None), user.is_active, user.is_superuser, reason, today,
                  preview.year, preview.month)]
    for r in rows:
        d = r.draft
        if r.action != "create":
            if r.reports:
                return None
            out.append(r)
        elif d is None:
            return None
        else:
            out.append((r, d, d.region_id, d.responsible_unit_id, d.total_investment, d.contract_amount, d.stage,
                        d.stage_date, d.actual_start, d.actual_completion, r.number, r.progress_text, r.explanation,
                        tuple((st["to_stage"], st.get("date"), st.get("precision"), st.get("reason"))
                              for st in r.stages), tuple(r.reports.items())))
    return out


def _new_project(row, dry_run: bool) -> Project:
    """A new row's project: the one validated for the preview (a dry run stores nothing and
    sets only its stage fields, which each run sets afresh), a copy of it to be stored
    (copying is cheaper than building it again from its fields), else built from the row's
    fields."""
    if row.draft is None:
        return Project(**row.data, source=DataSource.IMPORTED)
    project = row.draft if dry_run else _copy(row.draft)  # a copy's key is its own
    project.source = DataSource.IMPORTED
    return project


def _copy(project: Project) -> Project:
    """``copy.copy(project)`` of an unsaved project, without pickling's hooks: its fields and
    its related objects as they are, a state of its own."""
    clone = Project.__new__(Project)
    clone.__dict__.update(project.__dict__)
    clone._state = ModelState()
    clone._state.fields_cache = dict(project._state.fields_cache)
    return clone


def _refused(rows) -> list:
    return [r for r in rows if r.action == "error"]



def _claim_names(creates) -> None:
    """Two imports of the same rows at once create each project once: the districts' rows are
    locked (PostgreSQL; SQLite runs one writing transaction at a time), and a name that exists
    by now refuses its row."""
    from taizhang.core.text import name_key
    from taizhang.regions.models import Region

    districts = sorted({r.data["region"].pk for r in creates if r.data.get("region") is not None})
    if not districts:
        return
    list(Region.objects.select_for_update().filter(pk__in=districts).order_by("pk").values_list("pk", flat=True))
    taken = {(name_key(n), region) for n, region in
             Project.objects.filter(region_id__in=districts).values_list("name", "region_id")}
    for row in creates:
        if (name_key(row.name), row.data["region"].pk) in taken:
            row.refuse("", _("项目“%(n)s”在预览之后已由他人导入或新建,请重新预览") % {"n": row.name})


_REPORT_FIELDS = {"investment": gettext_lazy("完成投资"), "explanation": gettext_lazy("情况说明"),
                  "reason": gettext_lazy("更正原因"), "month": gettext_lazy("月份")}

