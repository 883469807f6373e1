"""Pages of the ledger. Thin: scoping comes from ``restrict``, rules from ``services``."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    FloatField,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taizhang.core.history import history_rows
from taizhang.core.numbers import small_int
from taizhang.core.periods import last_finished_month, month_from_request
from taizhang.core.scope import Action, can
from taizhang.monitoring.metrics import ALL, APPROVED, Snapshot, basis_for
from taizhang.reporting.choices import ReportStatus
from taizhang.reporting.forms import ProgressForm

from . import exports, services
from .choices import PROBLEM_STATUS_COLORS, STAGE_COLORS, Stage
from .filtersets import ProjectFilterSet
from .forms import (
    PlanForm,
    ProblemForm,
    ProblemUpdateForm,
    ProjectForm,
    StageCorrectForm,
    StageMoveForm,
)
from .models import AnnualPlan, DatePrecision, MonthlyProgress, Problem, Project
from .stages import in_order

PAGE_SIZE = 50


def _project_or_404(request, pk: int, action: Action = Action.VIEW) -> Project:
    """The project if the user may take ``action`` on it; 404 if they may not even see it."""
    project = Project.objects.restrict(request.user, Action.VIEW).select_related(
        "region", "park", "chain", "responsible_unit"
    ).filter(pk=pk).first()
    if project is None:
        raise Http404(_("项目不存在或不在您的管理范围内"))
    if action != Action.VIEW and not Project.objects.restrict(request.user, action).filter(pk=pk).exists():
        raise PermissionDenied(_("您没有权限对该项目执行此操作"))
    return project


def _apply_errors(form, error: ValidationError) -> None:
    """Attach a service's ValidationError to the form, field by field where possible."""
    if hasattr(error, "error_dict"):
        for field, errs in error.error_dict.items():
            target = field if field in form.fields else None
            for e in errs:
                form.add_error(target, e)
    else:
        for message in error.messages:
            form.add_error(None, message)


def filtered_projects(request):
    """The user's projects, filtered by the list page's query string."""
    base = Project.objects.restrict(request.user, Action.VIEW)
    filterset = ProjectFilterSet(request.GET or None, queryset=base, request=request)
    if filterset.is_bound and not filterset.is_valid():
        # A filter naming something outside the scope (or malformed) matches nothing,
        # rather than being silently dropped; the form shows why.
        return filterset, base.none()
    return filterset, filterset.qs


def _with_year_figures(queryset, year: int, month: int, basis: str = ALL):
    """Each project's plan for ``year``, its investment in 1-``month`` and the completion rate,
    counted on the same reports as the dashboard for this user (``basis``), so a column can be
    sorted in the database and still show the dashboard's figures."""
    zero = Value(Decimal("0"), output_field=DecimalField(max_digits=16, decimal_places=2))
    # order_by(): the children's default ordering would join the project and region tables.
    plan = AnnualPlan.objects.filter(project=OuterRef("pk"), year=year).order_by().values("planned_investment")[:1]
    months = MonthlyProgress.objects.filter(project=OuterRef("pk"), year=year, month__lte=month)
    if basis == APPROVED:
        months = months.filter(status=ReportStatus.APPROVED)
    ytd = months.order_by().values("project").annotate(s=Sum("investment")).values("s")
    # in floating point: SQLite divides whole-valued decimals as integers (1 × 100 / 3 = 33)
    rate = Case(When(year_plan__gt=0, then=Cast("year_done", FloatField()) * Value(100.0)
                     / Cast("year_plan", FloatField())), default=None, output_field=FloatField())
    return queryset.annotate(year_plan=Subquery(plan), year_done=Coalesce(Subquery(ytd), zero)).annotate(year_rate=rate)


#: the list's sortable columns: ?sort=key or ?sort=-key
SORTS = {"name": "name", "region": "region__code", "stage": "stage_order", "total": "total_investment",
         "plan": "year_plan", "done": "year_done", "rate": "year_rate"}
PAGE_SIZES = (20, 50, 100, 200)


def _sorted(queryset, sort: str):
    key = SORTS.get(sort.lstrip("-"))
    if key is None:
        return queryset.order_by("-total_investment", "pk"), ""
    if key == "stage_order":  # the road 线索 → 投产, not the codes' alphabet
        queryset = queryset.annotate(stage_order=Case(
            *[When(stage=stage, then=Value(i)) for i, stage in enumerate(Stage.values)], default=Value(99)))
    field = F(key).desc(nulls_last=True) if sort.startswith("-") else F(key).asc(nulls_last=True)
    return queryset.order_by(field, "pk"), sort


@login_required
def project_list(request):
    filterset, queryset = filtered_projects(request)
    year, month = month_from_request(request)
    basis = basis_for(request.user)
    # Totals from the bare queryset: on the annotated one they would compute the
    # per-row subqueries for every matching project.
    totals = queryset.aggregate(total=Sum("total_investment"), count=Count("pk"))
    per = small_int(request.GET.get("per"))
    per = per if per in PAGE_SIZES else PAGE_SIZE
    annotated, sort = _sorted(_with_year_figures(
        queryset.select_related("region", "chain", "responsible_unit"), year, month, basis), request.GET.get("sort", ""))
    paginator = Paginator(annotated, per)
    paginator.count = totals["count"]
    page = paginator.get_page(request.GET.get("page"))
    # the rate and the warning of the projects on this page, exactly as the dashboard has them
    lines = {}
    if page.object_list:
        snap = Snapshot(Project.objects.filter(pk__in=[p.pk for p in page.object_list]), year, month,
                        compare=False, basis=basis)
        lines = {line.project.pk: line for line in snap.lines}
    for p in page.object_list:
        line = lines.get(p.pk)
        p.rate = line.rate if line else None
        p.warning = line.progress_warning if line else None
    query = request.GET.copy()
    query.pop("page", None)
    sortless = query.copy()
    sortless.pop("sort", None)
    heads = []
    for key, label, numeric in (
            ("name", _("项目名称"), False), ("region", _("所属区"), False), ("stage", _("阶段"), False),
            ("", _("级别"), False), ("", _("产业链"), False), ("total", _("总投资(万元)"), True),
            ("plan", _("%(year)s年计划(万元)") % {"year": year}, True),
            ("done", _("%(year)s年1-%(month)s月完成(万元)") % {"year": year, "month": month}, True),
            ("rate", _("完成率%"), True), ("", _("预警"), False), ("", _("责任单位"), False)):
        arrow = "▲" if sort == key else "▼" if sort == f"-{key}" else ""
        # numbers sort largest first on the first click, names from the start of the alphabet
        flip = f"-{key}" if (sort != f"-{key}" and (numeric or sort == key)) else key
        link = f"?{sortless.urlencode()}&sort={flip}" if key else ""
        heads.append({"label": label, "link": link, "arrow": arrow, "numeric": numeric})
    return render(request, "projects/project_list.html", {
        "filterset": filterset,
        "page": page,
        "year": year, "month": month, "sort": sort, "per": per, "page_sizes": PAGE_SIZES,
        "count": page.paginator.count,
        "total_investment": totals["total"] or 0,
        "query": query.urlencode(), "sortless": sortless.urlencode(), "heads": heads,
        "stage_colors": STAGE_COLORS,
        "can_add": can(request.user, Action.CHANGE),
        "basis_approved": basis == APPROVED,
    })


@login_required
def project_export(request, fmt: str):
    _, queryset = filtered_projects(request)
    year, month = month_from_request(request)
    queryset = _with_year_figures(
        queryset.select_related("region", "park", "chain", "responsible_unit"), year, month, basis_for(request.user)
    )
    if fmt == "csv":
        return exports.projects_csv(queryset, year, month)
    if fmt == "xlsx":
        return exports.projects_xlsx(queryset, year, month)
    raise Http404


@login_required
def project_detail(request, pk: int):
    project = _project_or_404(request, pk)
    reports = list(project.progress_reports.select_related("reported_by").order_by("year", "month"))
    running: dict[int, Decimal] = defaultdict(Decimal)
    for r in reports:
        running[r.year] += r.investment
        r.ytd = running[r.year]
    plans = {p.year: p for p in project.plans.all()}
    years = sorted({r.year for r in reports} | set(plans), reverse=True)
    by_year = [
        {
            "year": y,
            "plan": plans.get(y),
            "reports": [r for r in reversed(reports) if r.year == y],
            "done": running.get(y, Decimal("0")),
            "rate": (running.get(y, Decimal("0")) / plans[y].planned_investment * 100)
            if y in plans and plans[y].planned_investment else None,
        }
        for y in years
    ]
    stage_changes = in_order(project.stage_changes.select_related("user"))
    problems = list(project.problems.select_related("solving_unit", "raised_by"))
    today = timezone.localdate()
    for p in problems:
        p.overdue = p.is_overdue(today)
        p.color = PROBLEM_STATUS_COLORS.get(p.status)
    return render(request, "projects/project_detail.html", {
        "project": project,
        "stage_changes": stage_changes,
        "by_year": by_year,
        "problems": problems,
        "history": history_rows(project.history.all(), Project, limit=50),
        "related_history": _related_history(project),
        "stage_colors": STAGE_COLORS,
        "can_change": Project.objects.restrict(request.user, Action.CHANGE).filter(pk=pk).exists(),
        "can_report": Project.objects.restrict(request.user, Action.REPORT).filter(pk=pk).exists(),
        "can_delete": Project.objects.restrict(request.user, Action.DELETE).filter(pk=pk).exists(),
        "stage_form": StageMoveForm(),
        "correct_forms": {c.pk: StageCorrectForm(initial={"to_stage": c.to_stage, "date": c.date,
                                                          "precision": c.precision}, auto_id=f"c{c.pk}_%s")
                          for c in stage_changes},
        "progress_form": ProgressForm(initial=dict(zip(("year", "month"), last_finished_month(today), strict=True))),
        "problem_form": ProblemForm(user=request.user),
        "plan_form": PlanForm(initial={"year": today.year}),
        "stages": Stage,
    })


def _related_history(project: Project) -> list[dict]:
    """Corrections of the project's monthly reports and updates of its problems."""
    rows = []
    for row in history_rows(MonthlyProgress.history.filter(project_id=project.pk).order_by("-history_date"),
                            MonthlyProgress, limit=50, group_by="id"):
        row["what"] = _("更正 %(y)s年%(m)s月进展") % {"y": row["record"].year, "m": row["record"].month}
        rows.append(row)
    for row in history_rows(Problem.history.filter(project_id=project.pk).order_by("-history_date"),
                            Problem, limit=50, group_by="id"):
        row["what"] = _("更新问题:%(d)s") % {"d": row["record"].description[:20]}
        rows.append(row)
    return sorted((r for r in rows if r["changes"]), key=lambda r: r["when"], reverse=True)


@login_required
def project_add(request):
    if not can(request.user, Action.CHANGE):
        raise PermissionDenied(_("您没有新建项目的权限"))
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.create_project(request.user, form.model_data())
        except ValidationError as e:
            _apply_errors(form, e)
        else:
            messages.success(request, _("项目已创建"))
            return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "title": _("新建项目")})


@login_required
def project_edit(request, pk: int):
    project = _project_or_404(request, pk, Action.CHANGE)
    form = ProjectForm(request.POST or None, instance=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_project(
                request.user, Project.objects.get(pk=pk), form.model_data(),
                expected_version=form.cleaned_data.get("version"),
                reason=form.cleaned_data.get("reason", ""),
            )
        except ValidationError as e:
            _apply_errors(form, e)
        else:
            messages.success(request, _("项目已保存"))
            return redirect(project)
    return render(request, "projects/project_form.html", {
        "form": form, "title": _("编辑项目"), "project": project,
    })


@login_required
def project_delete(request, pk: int):
    project = _project_or_404(request, pk, Action.DELETE)
    error = None
    if request.method == "POST":
        try:
            services.delete_project(request.user, project, request.POST.get("reason", ""))
        except ValidationError as e:
            error = " ".join(e.messages)
        else:
            messages.success(request, _("项目已删除"))
            return redirect("projects:project_list")
    return render(request, "projects/project_delete.html", {"project": project, "error": error})


def _form_action(request, pk, action, form_class, perform, success, **form_kwargs):
    """POST-only actions on a project page: on error, show the form again with messages."""
    project = _project_or_404(request, pk, action)
    form = form_class(request.POST, **form_kwargs)
    if form.is_valid():
        try:
            perform(project, form)
        except ValidationError as e:
            _apply_errors(form, e)
        else:
            messages.success(request, success)
            return redirect(project)
    return render(request, "projects/action_form.html", {"project": project, "form": form}, status=400)


@login_required
@require_POST
def stage_move(request, pk: int):
    def perform(project, form):
        d = form.cleaned_data
        services.move_stage(request.user, project, d["to_stage"], d["date"], d["reason"])
    return _form_action(request, pk, Action.CHANGE, StageMoveForm, perform, _("阶段已变更"))


@login_required
@require_POST
def stage_correct(request, pk: int, change_pk: int):
    """Correct (or, with action=remove, delete) one entry of the stage history, with a reason."""
    project = _project_or_404(request, pk, Action.CHANGE)
    change = project.stage_changes.filter(pk=change_pk).first()
    if change is None:
        raise Http404
    form = StageCorrectForm(request.POST)
    if request.POST.get("action") == "remove":
        form.fields["to_stage"].required = False
    if form.is_valid():
        d = form.cleaned_data
        try:
            if request.POST.get("action") == "remove":
                services.remove_stage_change(request.user, change, d["reason"])
            else:
                services.correct_stage_change(request.user, change, d["reason"], to_stage=d["to_stage"],
                                              date=d["date"], precision=d["precision"] or DatePrecision.DAY)
        except ValidationError as e:
            _apply_errors(form, e)
        else:
            messages.success(request, _("阶段记录已更正"))
            return redirect(project)
    return render(request, "projects/action_form.html", {"project": project, "form": form}, status=400)


@login_required
@require_POST
def plan_save(request, pk: int):
    def perform(project, form):
        services.save_plan(request.user, project, form.cleaned_data["year"], form.model_data())
    return _form_action(request, pk, Action.CHANGE, PlanForm, perform, _("年度计划已保存"))


@login_required
@require_POST
def problem_add(request, pk: int):
    def perform(project, form):
        services.raise_problem(request.user, project, form.model_data())
    return _form_action(request, pk, Action.REPORT, ProblemForm, perform, _("问题已登记"), user=request.user)


@login_required
def problem_edit(request, pk: int, problem_pk: int):
    project = _project_or_404(request, pk, Action.REPORT)
    problem = Problem.objects.filter(project=project, pk=problem_pk).first()
    if problem is None:
        raise Http404
    form = ProblemUpdateForm(request.POST or None, instance=problem)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_problem(request.user, problem, form.model_data(), request.POST.get("reason", ""))
        except ValidationError as e:
            _apply_errors(form, e)
        else:
            messages.success(request, _("问题已更新"))
            return redirect(project)
    return render(request, "projects/action_form.html", {
        "project": project, "form": form, "title": _("更新问题"), "problem": problem,
    })
