"""Pages of the indicator system: the catalogue, a region's period (values, status, entry,
checks, narrative), the peer comparison, claims against the ledger, documents and their
facts, the review queue, and the key tasks."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.accounts.choices import Role
from taizhang.core.numbers import small_int
from taizhang.core.periods import month_from_request
from taizhang.core.scope import Action, can, home_region, may, region_scope_q, restrict_regions
from taizhang.core.views import tell_reading
from taizhang.regions.choices import RegionLevel
from taizhang.regions.models import Region

from . import services, tasks
from .checks import period_findings
from .choices import FactState, PeriodKind, Source, TaskState
from .figures import Resolver, comparison, cross_check, narrative, status, target_of
from .forms import EscalateForm, TargetForm, TaskUpdateForm, UploadForm, ValueForm
from .imports import import_tasks, import_values
from .models import (
    Document,
    Fact,
    Indicator,
    IndicatorSystem,
    IndicatorValue,
    KeyTask,
    Target,
    TaskUpdate,
)


def _errors(e: ValidationError) -> str:
    return ";".join(e.messages)


def _regions(user):
    """Regions whose figures a user keeps: their city and districts (parks and streets aside)."""
    return restrict_regions(Region.objects.filter(level__in=[RegionLevel.CITY, RegionLevel.DISTRICT]), user)


def _region(request) -> Region:
    regions = _regions(request.user)
    raw = request.GET.get("region") or request.POST.get("region")
    pk = small_int(raw)
    region = regions.filter(pk=pk).first() if pk is not None else None
    if raw and region is None:
        raise Http404(_("没有可查看的区域"))
    own = home_region(request.user)
    region = region or (own if own is not None and regions.filter(pk=own.pk).exists() else regions.first())
    if region is None:
        raise Http404(_("没有可查看的区域"))
    return region


def _period(month: int) -> tuple[str, int]:
    """December is the whole year; any other month the running total from January."""
    return (PeriodKind.YEAR, 0) if month == 12 else (PeriodKind.CUMULATIVE, month)


def source_url(record) -> str:
    """Where a value came from: the sentence in its document, the ledger's dashboard, or its period."""
    if record is None:
        return ""
    if record.fact_id is not None:
        return reverse("indicators:document", kwargs={"pk": record.fact.document_id}) + f"#fact-{record.fact_id}"
    month = 12 if record.period_kind == PeriodKind.YEAR else record.period_no or 12
    if record.source == Source.LEDGER:
        return reverse("monitoring:dashboard") + f"?region={record.region_id}&year={record.year}&month={month}"
    return reverse("indicators:period") + f"?region={record.region_id}&year={record.year}&month={month}"


@login_required
def catalogue(request):
    systems = IndicatorSystem.objects.prefetch_related("indicators")
    indicators = Indicator.objects.select_related("numerator", "denominator", "part_of").prefetch_related("systems")
    return render(request, "indicators/catalogue.html", {"systems": systems, "indicators": indicators})


@login_required
def period(request):
    """A region's figures for 1-N月 (or the year): value, source, target and status; entry,
    the period's checks and the narrative paragraph."""
    user = request.user
    region = _region(request)
    year, month = month_from_request(request)
    kind, number = _period(month)
    here = reverse("indicators:period") + f"?region={region.pk}&year={year}&month={month}"
    can_enter = may(user, Action.CHANGE, region)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "value" and can_enter:
                form = ValueForm(request.POST)
                if not form.is_valid():
                    raise ValidationError([e for errs in form.errors.values() for e in errs])
                d = form.cleaned_data
                services.save_value(user, d["indicator"], region, year, kind, number, d["value"],
                                    confirm=d["confirm"], note=d["note"])
                messages.success(request, _("已保存"))
            elif action == "target" and can_enter:
                form = TargetForm(request.POST)
                if not form.is_valid():
                    raise ValidationError([e for errs in form.errors.values() for e in errs])
                services.save_target(user, form.cleaned_data["indicator"], region, year, form.cleaned_data["target"])
                messages.success(request, _("已保存"))
            elif action == "import" and can_enter:
                upload = request.FILES.get("file")
                if upload is None or upload.size > 5 * 1024 * 1024:
                    raise ValidationError(_("请选择不超过5MB的表格文件"))
                n, reading = import_values(user, region, upload, year, kind, number, filename=upload.name)
                messages.success(request, _("已导入%(n)s个指标值") % {"n": n})
                tell_reading(request, reading)
            elif action == "ledger" and can_enter:
                n = len(services.refresh_ledger_values(user, region, year, month))
                messages.success(request, _("已由台账计算%(n)s个指标") % {"n": n})
            elif action == "approve":
                n = services.approve_values(user, region, year, kind, number)
                messages.success(request, _("已审核%(n)s个指标值") % {"n": n})
            elif action == "lock":
                n = services.lock_values(user, region, year, kind, number)
                messages.success(request, _("已锁定%(n)s个指标值") % {"n": n})
            else:
                raise PermissionDenied
        except ValidationError as e:
            messages.error(request, _errors(e))
        return redirect(here)
    values = IndicatorValue.objects.restrict(user)
    targets = Target.objects.restrict(user)
    resolver = Resolver(values)
    rows = []
    for indicator in Indicator.objects.all():
        r = resolver.get(indicator, region, year, kind, number)
        target = target_of(indicator, region, year, targets)
        if r.value is None and target is None:
            continue
        st = status(indicator, region, kind, number, r.value, target.value if target else None)
        rows.append({"indicator": indicator, "resolved": r, "target": target, "status": st,
                     "url": source_url(r.record)})
    stored = values.filter(region=region, year=year, period_kind=kind, period_no=number)
    return render(request, "indicators/period.html", {
        "region": region, "regions": _regions(user), "year": year, "month": month, "months": range(1, 13),
        "rows": rows, "findings": period_findings(stored), "text": narrative(region, year, month, values, targets),
        "locked": stored.exists() and not stored.exclude(status="locked").exists(),
        "can_enter": can_enter, "can_approve": may(user, Action.APPROVE, region),
        "can_lock": may(user, Action.LOCK, region), "value_form": ValueForm(), "target_form": TargetForm(),
    })


@login_required
def compare(request):
    """Districts side by side on one indicator: ranking, chart, trend and each one's target."""
    user = request.user
    values = IndicatorValue.objects.restrict(user)
    indicators = Indicator.objects.filter(pk__in=values.values("indicator_id"))
    pk = small_int(request.GET.get("indicator"))
    indicator = indicators.filter(pk=pk).first() if pk is not None else indicators.first()
    if request.GET.get("indicator") and indicator is None:
        raise Http404(_("没有可比较的指标"))
    year = small_int(request.GET.get("year"))
    own = home_region(user)
    city = own if own is not None and own.level == RegionLevel.CITY else (own.parent if own is not None else None)
    peers = Region.objects.filter(level=RegionLevel.DISTRICT)
    if city is not None and not user.is_superuser:
        peers = peers.filter(path__startswith=city.path)
    rows = []
    if indicator is not None:
        with_values = peers.filter(pk__in=values.filter(indicator=indicator).values("region_id"))
        rows = comparison(indicator, list(with_values), values, Target.objects.restrict(user),
                          year if year and 1949 <= year <= 2100 else None)
        for row in rows:
            row.url = source_url(row.resolved.record)
    chart = {"names": [r.region.name for r in rows if r.resolved.value is not None],
             "values": [float(r.resolved.value) for r in rows if r.resolved.value is not None],
             "unit": indicator.unit if indicator else ""}
    return render(request, "indicators/compare.html", {
        "indicator": indicator, "indicators": indicators, "rows": rows, "chart": chart, "year": year,
        "own": own})


@login_required
def crosscheck(request):
    """What the reports claim about the ledger's figures, against the ledger's own figures;
    only for the regions whose ledger the user sees whole (a 责任单位 sees its own projects only)."""
    user = request.user
    claims = []
    if user.is_superuser or user.role != Role.UNIT_USER:
        q = region_scope_q(user, "region__")
        facts = Fact.objects.restrict(user).filter(state__in=[FactState.ACCEPTED, FactState.MAPPED])
        facts = facts if q is None else facts.filter(q)
        claims = cross_check(facts)
    differences = [c for c in claims if not c.agrees]
    return render(request, "indicators/crosscheck.html", {"claims": claims, "differences": differences})


@login_required
def documents(request):
    user = request.user
    own = home_region(user)
    can_upload = own is not None and may(user, Action.CHANGE, own)
    form = UploadForm()
    if request.method == "POST":
        if not can_upload:
            raise PermissionDenied
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > 5 * 1024 * 1024:
                messages.error(request, _("报告文件不能超过5MB"))
                return redirect("indicators:documents")
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / Path(upload.name).name[:100]
                with path.open("wb") as fh:
                    for chunk in upload.chunks():
                        fh.write(chunk)
                try:
                    doc, created = services.ingest_document(user, path, public=form.cleaned_data["public"])
                except ValidationError as e:
                    messages.error(request, _errors(e))
                    return redirect("indicators:documents")
            if not created:
                messages.info(request, _("该文档已导入过"))
            return redirect("indicators:document", pk=doc.pk)
    docs = Document.objects.restrict(user).select_related("region").defer("text")
    return render(request, "indicators/documents.html", {"docs": docs[:200], "form": form,
                                                          "can_upload": can_upload})


def _marked(text: str, facts) -> list[tuple[str, object]]:
    """The text cut into pieces, each fact's own piece carrying it (overlapping facts share the first)."""
    pieces, at = [], 0
    for fact in sorted(facts, key=lambda f: (f.start, f.end)):
        if fact.start < at or fact.end > len(text):
            continue
        pieces.append((text[at:fact.start], None))
        pieces.append((text[fact.start:fact.end], fact))
        at = fact.end
    pieces.append((text[at:], None))
    return pieces


@login_required
def document(request, pk: int):
    doc = Document.objects.restrict(request.user).select_related("region").filter(pk=pk).first()
    if doc is None:
        raise Http404
    facts = list(doc.facts.select_related("indicator", "region"))
    return render(request, "indicators/document.html", {"doc": doc, "facts": facts,
                                                         "pieces": _marked(doc.text, facts)})


@login_required
def review(request):
    """Facts waiting for a person: unmapped, ambiguous, or mapped but not taken."""
    user = request.user
    if not can(user, Action.CHANGE):
        raise PermissionDenied
    q = region_scope_q(user, "region__")
    waiting = Fact.objects.restrict(user).filter(state__in=[FactState.UNMAPPED, FactState.AMBIGUOUS,
                                                            FactState.MAPPED])
    own_docs = Fact.objects.restrict(user, Action.CHANGE).filter(region__isnull=True)
    waiting = waiting if q is None else waiting.filter(q | Q(pk__in=own_docs.values("pk")))
    if request.method == "POST":
        fact = waiting.filter(pk=small_int(request.POST.get("fact"))).first()
        if fact is None:
            raise Http404
        try:
            if request.POST.get("action") == "reject":
                services.reject_fact(user, fact)
                messages.success(request, _("已标记为不采用"))
            else:
                indicator = Indicator.objects.filter(pk=small_int(request.POST.get("indicator"))).first()
                services.accept_fact(user, fact, indicator)
                messages.success(request, _("已采用为指标值"))
        except ValidationError as e:
            messages.error(request, _errors(e))
        return redirect(reverse("indicators:review") + "?" + request.GET.urlencode())
    state = request.GET.get("state")
    if state in FactState.values:
        waiting = waiting.filter(state=state)
    waiting = waiting.select_related("document", "indicator", "region").order_by("state", "document", "start")
    return render(request, "indicators/review.html", {
        "facts": waiting[:200], "total": waiting.count(), "indicators": Indicator.objects.all(),
        "states": [(s, label) for s, label in FactState.choices if s not in ("accepted", "rejected")],
        "state": state})


@login_required
def task_list(request):
    user = request.user
    year, month = month_from_request(request)
    own = home_region(user)
    can_import = own is not None and own.level == RegionLevel.DISTRICT and may(user, Action.SUPERVISE, own)
    if request.method == "POST":
        if not can_import:
            raise PermissionDenied
        upload = request.FILES.get("file")
        try:
            if upload is None or upload.size > 5 * 1024 * 1024:
                raise ValidationError(_("请选择不超过5MB的表格文件"))
            n, reading = import_tasks(user, own, upload, year, filename=upload.name)
            messages.success(request, _("已导入%(n)s项重点工作") % {"n": n})
            tell_reading(request, reading)
        except ValidationError as e:
            messages.error(request, _errors(e))
        return redirect(reverse("indicators:tasks") + f"?year={year}&month={month}")
    rows = tasks.cycle(KeyTask.objects.restrict(user), year, month)
    summary = tasks.summary(rows)
    state = request.GET.get("state")
    if state in TaskState.values:
        rows = [r for r in rows if r.state == state]
    return render(request, "indicators/tasks.html", {
        "rows": rows, "summary": summary, "year": year, "month": month, "months": range(1, 13), "state": state,
        "states": TaskState.choices, "can_import": can_import})


@login_required
def task(request, pk: int):
    user = request.user
    t = KeyTask.objects.restrict(user).select_related("region", "responsible_unit").filter(pk=pk).first()
    if t is None:
        raise Http404
    year, month = month_from_request(request)
    can_update = KeyTask.objects.restrict(user, Action.REPORT).filter(pk=t.pk).exists()
    can_escalate = may(user, Action.SUPERVISE, t.region)
    here = reverse("indicators:task", kwargs={"pk": t.pk}) + f"?year={year}&month={month}"
    update_form, escalate_form = TaskUpdateForm(), EscalateForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "update" and can_update:
            update_form = TaskUpdateForm(request.POST, request.FILES)
            if update_form.is_valid():
                d = update_form.cleaned_data
                try:
                    services.update_task(user, t, year, month, progress=d["progress"], percent=d["percent"],
                                         evidence=d["evidence"], evidence_file=d["evidence_file"])
                    messages.success(request, _("进展已更新"))
                    return redirect(here)
                except ValidationError as e:
                    messages.error(request, _errors(e))
        elif action == "escalate" and can_escalate:
            escalate_form = EscalateForm(request.POST)
            if escalate_form.is_valid():
                try:
                    order = services.escalate_task(user, t, **escalate_form.cleaned_data)
                    messages.success(request, _("已下发督办单"))
                    return redirect("reporting:order", pk=order.pk)
                except ValidationError as e:
                    messages.error(request, _errors(e))
        else:
            raise PermissionDenied
    row = next(iter(tasks.cycle(KeyTask.objects.filter(pk=t.pk), year, month)), None)
    return render(request, "indicators/task.html", {
        "t": t, "row": row, "updates": t.updates.select_related("submitted_by"), "year": year, "month": month,
        "months": range(1, 13), "can_update": can_update, "can_escalate": can_escalate,
        "update_form": update_form, "escalate_form": escalate_form, "orders": t.orders.restrict(user),
        "cooperating": t.cooperating_units.all(), "linked_indicators": t.indicators.all(),
        "linked_projects": t.projects.restrict(user), "today": timezone.localdate()})


@login_required
def evidence(request, pk: int):
    """A key task's evidence file, for those who see the task."""
    update = TaskUpdate.objects.restrict(request.user).filter(pk=pk).exclude(evidence_file="").first()
    if update is None:
        raise Http404
    name = Path(update.evidence_file.name).name
    return FileResponse(update.evidence_file.open("rb"), as_attachment=True, filename=name)
