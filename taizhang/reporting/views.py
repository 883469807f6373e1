"""Pages of the monthly cycle: the home page's 待办, a month's reporting, a report, 督办单."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from taizhang.accounts.choices import Role
from taizhang.core.numbers import small_int
from taizhang.core.periods import month_from_request
from taizhang.core.scope import Action, districts_of, may, restrict_regions
from taizhang.projects.forms import DateInput
from taizhang.projects.models import MonthlyProgress, Problem, Project
from taizhang.regions.choices import RegionLevel
from taizhang.regions.models import Region, Unit

from . import progress, services, supervision
from .choices import OrderSource, OrderStatus, PeriodStatus, ReportStatus
from .forms import ProgressForm
from .models import Attachment, Revision, SupervisionOrder
from .todos import grouped, review_months, todos


def _errors(e: ValidationError) -> str:
    return ";".join(e.messages)


@login_required
def home(request):
    """A leader lands on the 驾驶舱; everyone else on what is waiting for them."""
    if request.user.role == Role.LEADER and not request.user.is_superuser:
        return redirect("monitoring:dashboard")
    return todo_list(request)


@login_required
def todo_list(request):
    items = todos(request.user)
    groups = grouped(items, full=request.GET.get("show", ""))
    for group in groups:
        if group.what == _("待审核"):
            group.by_month = review_months(request.user)
    # the badge shows the list's own count (not counted a second time by the context processor)
    return render(request, "reporting/home.html", {"groups": groups, "total": len(items), "todo_count": len(items)})


def _district(request) -> Region:
    regions = districts_of(request.user)
    pk = request.GET.get("region") or request.POST.get("region")
    region_id = small_int(pk)
    region = regions.filter(pk=region_id).first() if region_id is not None else None
    if pk and region is None:
        # a district the user may not see, or none: the same answer as for a missing page
        raise Http404(_("没有可查看的区"))
    if region is None:
        own = request.user.region or (request.user.unit.region if request.user.unit_id else None)
        region = own if own is not None and own.level == RegionLevel.DISTRICT else regions.first()
    if region is None:
        raise Http404(_("没有可查看的区"))
    return region


@login_required
def period(request):
    region = _district(request)
    year, month = month_from_request(request)
    p = services.period_of(region, year, month)  # looking, or an action refused, writes nothing
    if request.method == "POST":
        try:
            if request.POST.get("action") == "submit":
                if not may(request.user, Action.APPROVE, p):
                    raise PermissionDenied(_("只有区级管理员可以报送本月"))
                services.submit_period(request.user, services.period_for(region, year, month))
                messages.success(request, _("本月已报送"))
            elif request.POST.get("action") == "lock":
                if not may(request.user, Action.LOCK, p):
                    raise PermissionDenied(_("只有市级管理员可以锁定"))
                services.lock_period(request.user, services.period_for(region, year, month))
                messages.success(request, _("本月已锁定"))
            elif request.POST.get("action") in ("approve", "return"):
                _review(request, approve=request.POST["action"] == "approve")
        except (ValidationError, PermissionDenied) as e:
            messages.error(request, _errors(e) if isinstance(e, ValidationError) else str(e))
        return redirect(f"{request.path}?region={region.pk}&year={year}&month={month}")
    status = services.reporting_status(p, user=request.user)
    user = request.user
    return render(request, "reporting/period.html", {
        "period": p, "status": status,
        # the month's check findings and corrections: only about reports the user may see
        "findings": [f for f in services.period_findings(p) if may(user, Action.VIEW, f[0])],
        "revisions": (Revision.objects.restrict(user).filter(period=p).select_related("report__project", "user")
                      if p.pk else Revision.objects.none()),
        # the district's month is submitted by whoever approves its reports
        "can_submit": p.status == PeriodStatus.OPEN and may(user, Action.APPROVE, p),
        "waiting": _waiting(user, p),
        "can_lock": p.status == PeriodStatus.SUBMITTED and may(user, Action.LOCK, p),
        "can_issue": may(user, Action.SUPERVISE, region),
        # the city chooses among its districts
        "districts": _districts(user),
        "can_rules": may(user, Action.SET_RULES, region),
    })


def _districts(user) -> list[Region]:
    districts = list(districts_of(user))
    return districts if len(districts) > 1 else []


def _waiting(user, p) -> list[MonthlyProgress]:
    """The month's submitted reports the user may approve (none once the month is submitted)."""
    if p.status != PeriodStatus.OPEN or not may(user, Action.APPROVE, p):
        return []
    return list(progress.waiting_for_review(user).filter(project__region=p.region, year=p.year, month=p.month)
                .select_related("project__responsible_unit", "reported_by").order_by("submitted_at", "pk"))


def _picks(request) -> list[tuple[int, int | None]]:
    """The ticked reports, each as "id:version" (the version the reviewer saw)."""
    picks = {}
    for value in request.POST.getlist("pick"):
        pk, _sep, version = value.partition(":")
        if (report_id := small_int(pk)) is not None:
            picks[report_id] = small_int(version)
    return list(picks.items())


def _review(request, approve: bool) -> None:
    picks = _picks(request)
    if not picks:
        messages.error(request, _("请先勾选要审核的报告"))
        return
    if any(version is None for _pk, version in picks):
        # the version the reviewer saw is what makes a decision safe: without it, refuse
        messages.error(request, _("请刷新页面后重新勾选:所选报告缺少版本号"))
        return
    review = progress.review_many(request.user, picks, approve, request.POST.get("reason", ""))
    if review.done:
        done = {"n": len(review.done)}
        messages.success(request, (_("已审核通过 %(n)s 份报告") if approve else _("已退回 %(n)s 份报告")) % done)
    for name, message in review.refused:
        messages.error(request, f"{name}:{message}")


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_l("退回原因"), widget=forms.Textarea(attrs={"rows": 2}))


class UploadForm(forms.Form):
    # image/* lets a phone offer its camera beside its files
    file = forms.FileField(label=_l("照片或文件(jpg、png、pdf、docx、xlsx,10 MB 以内)"), widget=forms.ClearableFileInput(
        attrs={"accept": "image/*,.pdf,.docx,.xlsx"}))


class CorrectionForm(forms.Form):
    investment = forms.DecimalField(label=_l("更正后本月完成投资(万元)"), max_digits=16, decimal_places=2)
    reason = forms.CharField(label=_l("更正原因"), widget=forms.Textarea(attrs={"rows": 2}))


def _report_or_404(request, pk) -> MonthlyProgress:
    report = MonthlyProgress.objects.restrict(request.user, Action.VIEW).select_related(
        "project__region", "project__responsible_unit", "reported_by", "approved_by").filter(pk=pk).first()
    if report is None:
        raise Http404(_("报告不存在或不在您的管理范围内"))
    return report


def _reference(r: MonthlyProgress, user) -> dict:
    """What a reviewer weighs a month against: the year's plan, the months before, last month
    and the rate, exactly as the dashboard counts them for this user (one snapshot each)."""
    from taizhang.monitoring.metrics import Snapshot, basis_for

    project = Project.objects.filter(pk=r.project_id)
    basis = basis_for(user)
    line = Snapshot(project, r.year, r.month, compare=False, basis=basis).lines[0]
    ly, lm = (r.year, r.month - 1) if r.month > 1 else (r.year - 1, 12)
    last = Snapshot(project, ly, lm, compare=False, basis=basis).lines[0]
    reported_last = MonthlyProgress.objects.filter(project=r.project_id, year=ly, month=lm).exists()
    return {"plan": line.plan, "before": line.done - line.month_done, "ytd": line.done,
            "last_month": last.month_done if reported_last else None, "rate": line.rate}


@login_required
def report(request, pk: int):
    r = _report_or_404(request, pk)
    period = services.period_of(r.project.region, r.year, r.month)
    upload, ret, correction = UploadForm(), ReturnForm(), CorrectionForm(initial={"investment": r.investment})
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "submit":
                progress.submit_report(request.user, r)
                messages.success(request, _("报告已提交,等待区级审核"))
            elif action == "approve":
                version = small_int(request.POST.get("version"))
                if version is None:
                    raise ValidationError(_("请刷新页面后再审核:缺少您所看到的报告版本号"))
                progress.approve_report(request.user, r, version)
                messages.success(request, _("已审核通过"))
            elif action == "return":
                ret = ReturnForm(request.POST)
                if ret.is_valid():
                    progress.return_report(request.user, r, ret.cleaned_data["reason"])
                    messages.success(request, _("已退回"))
                else:
                    raise ValidationError(_("请填写退回原因"))
            elif action == "upload":
                upload = UploadForm(request.POST, request.FILES)
                if upload.is_valid():
                    services.add_attachment(request.user, r, upload.cleaned_data["file"])
                    messages.success(request, _("附件已上传"))
                else:
                    raise ValidationError(";".join(e for errs in upload.errors.values() for e in errs))
            elif action == "correct":
                correction = CorrectionForm(request.POST)
                if correction.is_valid():
                    rev = progress.correct_locked(request.user, r, correction.cleaned_data["investment"],
                                                  correction.cleaned_data["reason"])
                    messages.success(request, _("已更正,%(year)s年%(month)s月数据为第%(number)s版") % {
                        "year": period.year, "month": period.month, "number": rev.number})
                else:
                    raise ValidationError(_("请填写更正后的金额和原因"))
            return redirect("reporting:report", pk=r.pk)
        except ValidationError as e:
            messages.error(request, _errors(e))
        except PermissionDenied as e:
            raise PermissionDenied(str(e)) from e
        r = _report_or_404(request, pk)
        period = services.period_of(r.project.region, r.year, r.month)
    user = request.user
    may_report = may(user, Action.REPORT, r)
    return render(request, "reporting/report.html", {
        "r": r, "period": period, "reference": _reference(r, request.user), "upload_form": upload, "return_form": ret, "correction_form": correction,
        "attachments": Attachment.objects.restrict(user).filter(report=r).select_related("uploaded_by"),
        "revisions": Revision.objects.restrict(user).filter(report=r).select_related("user"),
        "can_submit": may_report and period.status == PeriodStatus.OPEN
        and r.status in (ReportStatus.DRAFT, ReportStatus.RETURNED),
        "can_upload": may_report,
        "can_review": may(user, Action.APPROVE, r) and period.status == PeriodStatus.OPEN
        and r.status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED),
        "can_correct": period.status == PeriodStatus.LOCKED and may(user, Action.CORRECT, r),
    })


@login_required
def attachment(request, pk: int):
    a = Attachment.objects.restrict(request.user).filter(pk=pk).first()
    if a is None:
        raise Http404
    return FileResponse(a.file.open("rb"), as_attachment=not a.is_image, filename=a.original_name)


def _orders(user):
    return SupervisionOrder.objects.restrict(user).select_related("unit", "project", "region", "issued_by")


class OrderForm(forms.Form):
    unit = forms.ModelChoiceField(label=_l("督办对象(责任单位)"), queryset=Unit.objects.none())
    project = forms.ModelChoiceField(label=_l("项目"), queryset=Project.objects.none(), required=False)
    source = forms.ChoiceField(label=_l("来源"), choices=OrderSource.choices)
    content = forms.CharField(label=_l("督办事项"), widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(label=_l("办理时限"), widget=DateInput())  # ISO, so a browser shows the prefilled day

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = restrict_regions(Unit.objects.all(), user, "region__")
        self.fields["project"].queryset = Project.objects.restrict(user, Action.VIEW)


@login_required
def orders(request):
    return render(request, "reporting/orders.html", {
        "orders": _orders(request.user),
        "can_issue": may(request.user, Action.SUPERVISE),
    })


def _late_unit_order(request) -> dict:
    """A 督办单 to a unit late with its monthly reports, naming every project it has not reported."""
    unit = Unit.objects.filter(pk=small_int(request.GET.get("unit"))).select_related("region").first()
    if unit is None or not may(request.user, Action.SUPERVISE, unit.region.district or unit.region):
        return {}
    year, month = month_from_request(request)
    period = services.period_of(unit.region.district or unit.region, year, month)
    status = services.reporting_status(period, user=request.user)
    late = next((u["projects"] for u in status["late_units"] if u["unit"] and u["unit"].pk == unit.pk), [])
    if not late:
        return {"unit": unit, "source": OrderSource.LATE_REPORT}
    names = "、".join(p.name for p in late)
    return {"unit": unit, "source": OrderSource.LATE_REPORT,
            "project": late[0] if len(late) == 1 else None,
            "deadline": timezone.localdate() + dt.timedelta(days=3),
            "content": _("%(year)s年%(month)s月月报已过截止日期(%(deadline)s),以下%(n)s个项目尚未报送,"
                         "请于3日内报送:%(names)s。") % {
                "year": year, "month": month, "deadline": f"{period.deadline:%m-%d}", "n": len(late),
                "names": names}}


@login_required
def order_new(request):
    if not may(request.user, Action.SUPERVISE):
        raise PermissionDenied(_("只有区级或市级管理员可以下发督办单"))
    initial = {}
    if request.GET.get("problem"):
        problem = Problem.objects.restrict(request.user).filter(pk=small_int(request.GET["problem"])) \
            .select_related("project").first()
        if problem:
            initial = {"project": problem.project, "unit": problem.solving_unit or problem.project.responsible_unit,
                       "source": OrderSource.PROBLEM, "content": _("请尽快解决:%(problem)s") % {"problem": problem.description}}
    elif request.GET.get("unit") and request.GET.get("source") == OrderSource.LATE_REPORT:
        initial = _late_unit_order(request)
    elif request.GET.get("project"):
        project = Project.objects.restrict(request.user).filter(pk=small_int(request.GET["project"])).first()
        if project:
            initial = {"project": project, "unit": project.responsible_unit,
                       "source": request.GET.get("source", OrderSource.WARNING)}
    form = OrderForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            order = supervision.issue_order(request.user, unit=d["unit"], content=d["content"], deadline=d["deadline"],
                                         source=d["source"], project=d["project"])
        except ValidationError as e:
            for field, errs in e.message_dict.items():
                for err in errs:
                    form.add_error(field if field in form.fields else None, err)
        else:
            messages.success(request, _("督办单已下发"))
            return redirect("reporting:order", pk=order.pk)
    return render(request, "reporting/order_form.html", {"form": form})


@login_required
def order(request, pk: int):
    o = _orders(request.user).filter(pk=pk).first()
    if o is None:
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "answer":
                supervision.answer_order(request.user, o, request.POST.get("answer", ""))
                messages.success(request, _("已答复"))
            elif action == "close":
                supervision.close_order(request.user, o)
                messages.success(request, _("督办单已办结"))
            elif action == "escalate":
                supervision.escalate_order(request.user, o, request.POST.get("reason", ""))
                messages.success(request, _("已升级督办"))
        except ValidationError as e:
            messages.error(request, _errors(e))
        return redirect("reporting:order", pk=o.pk)
    user = request.user
    return render(request, "reporting/order.html", {
        "o": o, "can_answer": may(user, Action.ANSWER, o) and o.status != OrderStatus.CLOSED,
        "can_handle": may(user, Action.SUPERVISE, o) and o.status != OrderStatus.CLOSED,
    })


class RuleForm(forms.Form):
    kind = forms.CharField(widget=forms.HiddenInput)
    active = forms.BooleanField(label=_l("启用"), required=False)
    severity = forms.ChoiceField(label=_l("处理方式"), choices=[("hard", _l("强制(阻止保存)")), ("soft", _l("提示(须说明原因)"))])
    threshold = forms.DecimalField(label=_l("阈值N"), required=False, min_value=1, max_digits=8, decimal_places=2)


class DeadlineForm(forms.Form):
    deadline_day = forms.IntegerField(label=_l("填报截止日(次月几日)"), min_value=1, max_value=28)


@login_required
def rules(request):
    """A 区级管理员 sets the district's check rules and reporting deadline."""
    from .choices import RuleKind
    from .models import ReportingSettings, ValidationRule
    from .rules import rules_for

    user = request.user
    region = _district(request)  # the user's own district unless another one in scope is asked for
    if not may(user, Action.SET_RULES, region):
        raise PermissionDenied(_("只有区级管理员可以设置本区的校验规则"))
    current = {r.kind: r for r in ValidationRule.objects.filter(region=region)}
    defaults = {r.kind: r for r in rules_for(region)}
    initial = []
    for kind, label in RuleKind.choices:
        r = current.get(kind) or defaults.get(kind)
        initial.append({"kind": kind, "active": r.active if r else False, "severity": r.severity if r else "hard",
                        "threshold": r.threshold if r else None, "label": label})
    RuleFormSet = forms.formset_factory(RuleForm, extra=0)
    settings_obj = ReportingSettings.objects.filter(region=region).first()
    deadline = DeadlineForm(request.POST or None, initial={"deadline_day": getattr(settings_obj, "deadline_day", services.DEFAULT_DEADLINE_DAY)})
    formset = RuleFormSet(request.POST or None, initial=[{k: v for k, v in i.items() if k != "label"} for i in initial])
    if request.method == "POST" and formset.is_valid() and deadline.is_valid():
        from django.db import transaction

        from taizhang.core.history import change_context

        with transaction.atomic(), change_context(user, gettext_noop("修改校验规则")):
            for f in formset.cleaned_data:
                if f["kind"] not in RuleKind.values:
                    continue
                if f["kind"] == RuleKind.SPIKE and not f.get("threshold"):
                    f["threshold"] = 3
                ValidationRule.objects.update_or_create(
                    region=region, kind=f["kind"],
                    defaults={"active": f["active"], "severity": f["severity"], "threshold": f.get("threshold")})
            ReportingSettings.objects.update_or_create(region=region,
                                                       defaults={"deadline_day": deadline.cleaned_data["deadline_day"]})
        messages.success(request, _("校验规则已保存"))
        return redirect(reverse("reporting:rules") + f"?region={region.pk}")
    if len(formset.forms) != len(initial):
        # a form that does not carry one row per rule (a tampered or truncated post): show the
        # district's rules again, unchanged, and say so
        messages.error(request, _("提交的校验规则不完整,未保存,请重新填写"))
        formset = RuleFormSet(initial=[{k: v for k, v in i.items() if k != "label"} for i in initial])
    rows = list(zip(formset.forms, [i["label"] for i in initial], strict=True))
    return render(request, "reporting/rules.html", {"formset": formset, "rows": rows, "deadline": deadline,
                                                    "region": region})


@login_required
@require_POST
def progress_add(request, pk: int):
    """A month's report from the project page, through the one writer of monthly figures."""
    from taizhang.projects.views import _form_action

    def perform(project, form):
        d = form.cleaned_data
        progress.save_progress(request.user, project, d["year"], d["month"], form.model_data(), d["reason"],
                               explanation=d.get("explanation", ""))
    return _form_action(request, pk, Action.REPORT, ProgressForm, perform, _("月度进展已保存"))
