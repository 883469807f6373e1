"""Pages of the 亩均效益评价: departments' data and its review, the evaluations, a run's
results by pool with each firm's breakdown, publication, objections and the final workbook."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taizhang.core.numbers import small_int
from taizhang.core.printing import attachment
from taizhang.core.scope import Action, can, districts_of, may
from taizhang.core.views import tell_reading

from . import evaluation as ev
from . import exports
from .choices import KLASS_COLORS, EvaluationStatus, Klass, ObjectionStatus, Pool
from .forms import EvaluationForm, ImportForm, ObjectionForm, PublishForm, ReviewForm
from .indicators import INDICATORS
from .models import DataBatch, Evaluation, Objection, Publication, Scheme

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _errors(form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


def _evaluation_or_404(request, pk: int) -> Evaluation:
    evaluation = Evaluation.objects.restrict(request.user).select_related("region", "scheme").filter(pk=pk).first()
    if evaluation is None:
        raise Http404(_("评价不存在或不在您的管理范围内"))
    return evaluation


@login_required
def evaluation_list(request):
    """The evaluations and the departments' data batches of the user's districts, with the
    import and (for a district administrator) the new-evaluation forms."""
    regions = districts_of(request.user)
    import_form = ImportForm(regions=regions, initial={"year": timezone.localdate().year - 1})
    schemes = Scheme.objects.restrict(request.user)
    new_form = EvaluationForm(regions=regions, schemes=schemes, initial={"year": timezone.localdate().year - 1})
    return render(request, "parks/evaluation_list.html", {
        "evaluations": Evaluation.objects.restrict(request.user).select_related("region", "scheme"),
        "batches": DataBatch.objects.restrict(request.user).select_related("region", "submitted_by")[:100],
        "import_form": import_form, "new_form": new_form, "schemes": schemes,
        "can_import": can(request.user, Action.CHANGE), "can_approve": can(request.user, Action.APPROVE)})


@login_required
@require_POST
def data_import(request):
    regions = districts_of(request.user)
    form = ImportForm(request.POST, request.FILES, regions=regions)
    if form.is_valid():
        d = form.cleaned_data
        try:
            batch = ev.import_figures(request.user, d["region"], d["year"], d["department"], d["file"],
                                      d["file"].name)
            messages.success(request, _("已导入%(rows)s家企业的%(n)s项数据,待审核") % {"rows": batch.rows,
                                                                                 "n": batch.figures})
            tell_reading(request, batch.reading)
            return redirect("parks:evaluation_list")
        except PermissionDenied:
            raise
        except ValidationError as e:
            _errors(form, e)
    schemes = Scheme.objects.restrict(request.user)
    return render(request, "parks/evaluation_list.html", {
        "evaluations": Evaluation.objects.restrict(request.user).select_related("region", "scheme"),
        "batches": DataBatch.objects.restrict(request.user).select_related("region", "submitted_by")[:100],
        "import_form": form, "new_form": EvaluationForm(regions=regions, schemes=schemes), "schemes": schemes,
        "can_import": can(request.user, Action.CHANGE), "can_approve": can(request.user, Action.APPROVE)},
        status=400)


@login_required
@require_POST
def batch_review(request, pk: int):
    batch = DataBatch.objects.restrict(request.user).filter(pk=pk).first()
    if batch is None:
        raise Http404(_("数据批次不存在或不在您的管理范围内"))
    try:
        ev.review_batch(request.user, batch, request.POST.get("accept") == "1", request.POST.get("note", ""))
        messages.success(request, _("已审核"))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("parks:evaluation_list")


@login_required
@require_POST
def evaluation_add(request):
    form = EvaluationForm(request.POST, regions=districts_of(request.user),
                          schemes=Scheme.objects.restrict(request.user))
    if form.is_valid():
        d = form.cleaned_data
        try:
            evaluation = ev.create_evaluation(request.user, d["region"], d["year"], d["scheme"])
            return redirect("parks:evaluation_detail", pk=evaluation.pk)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
    else:
        messages.error(request, " ".join(str(m) for errs in form.errors.values() for m in errs))
    return redirect("parks:evaluation_list")


@login_required
def evaluation_detail(request, pk: int):
    evaluation = _evaluation_or_404(request, pk)
    can_approve = may(request.user, Action.APPROVE, evaluation)
    publish_form = PublishForm(initial={"published_on": timezone.localdate()})
    if request.method == "POST":
        if not can_approve:
            raise PermissionDenied(_("只有区管理员可以操作评价"))
        action = request.POST.get("action")
        try:
            if action == "run":
                counts = ev.run_evaluation(request.user, evaluation)
                messages.success(request, _("已计算:%(counts)s") % {
                    "counts": "、".join(f"{k}{_('类')}{v}" for k, v in sorted(counts.items()))})
                return redirect("parks:evaluation_detail", pk=pk)
            publish_form = PublishForm(request.POST)
            if action in ("publish", "final") and publish_form.is_valid():
                d = publish_form.cleaned_data
                ev.publish(request.user, evaluation, d["published_on"], d["objections_until"], d["note"],
                           final=action == "final")
                messages.success(request, _("已发布"))
                return redirect("parks:evaluation_detail", pk=pk)
        except ValidationError as e:
            _errors(publish_form, e)
    pool = request.GET.get("pool", "")
    results = evaluation.results.select_related("enterprise")
    counts = Counter((r.pool, r.klass) for r in evaluation.results.only("pool", "klass"))
    pools = [(p, label, [(k, counts.get((p, k), 0)) for k in "ABCD"]) for p, label in Pool.choices
             if any(counts.get((p, k)) for k in "ABCD")]
    shown = results.filter(pool=pool) if pool in Pool.values else results.filter(klass=Klass.T) \
        if pool == "T" else results
    page = small_int(request.GET.get("page")) or 1
    per = 100
    total_shown = shown.count()
    shown = shown.order_by("pool", "rank", "enterprise__name")[(page - 1) * per: page * per]
    return render(request, "parks/evaluation_detail.html", {
        "evaluation": evaluation, "results": shown, "pools": pools, "pool": pool, "t_count": counts_t(counts),
        "page": page, "pages": (total_shown + per - 1) // per, "total_shown": total_shown,
        "publications": evaluation.publications.all(), "objections": evaluation.objections.select_related(
            "enterprise")[:200], "can_approve": can_approve, "publish_form": publish_form,
        "colors": KLASS_COLORS, "by_park": ev.aggregates(evaluation, "park"),
        "by_chain": ev.aggregates(evaluation, "chain"), "differential": ev.differential_list(evaluation)[:200],
        "open_objections": evaluation.objections.filter(status=ObjectionStatus.OPEN).count(),
        "Status": EvaluationStatus})


def counts_t(counts: Counter) -> int:
    return sum(n for (p, k), n in counts.items() if k == Klass.T)


@login_required
def result_detail(request, pk: int, firm_pk: int):
    """One firm's result: each indicator's value, benchmark and score, its line in every
    published list, its objections, and (during the 公示) the objection form."""
    evaluation = _evaluation_or_404(request, pk)
    # by firm, not by result row: a recomputation replaces the rows, the firm's address stays
    result = evaluation.results.select_related("enterprise").filter(enterprise_id=firm_pk).first()
    if result is None:
        raise Http404(_("评价结果不存在"))
    form = ObjectionForm(request.POST or None)
    can_object = may(request.user, Action.REPORT, evaluation) and evaluation.status == EvaluationStatus.PUBLISHED
    if request.method == "POST":
        if not may(request.user, Action.REPORT, evaluation):
            raise PermissionDenied(_("您没有权限登记该评价的异议"))
        if form.is_valid():
            d = form.cleaned_data
            try:
                ev.lodge_objection(request.user, evaluation, result.enterprise, {
                    "metric": d["metric"], "claimed_value": d["claimed_value"], "content": d["content"],
                    "contact": d["contact"]})
                messages.success(request, _("异议已登记,待区里审核"))
                return redirect("parks:result_detail", pk=pk, firm_pk=firm_pk)
            except ValidationError as e:
                _errors(form, e)
    lines = [(s, INDICATORS[s.indicator.key]) for s in result.scores.select_related("indicator").order_by(
        "indicator__order")]
    shown = [(p, p.entries.filter(enterprise=result.enterprise).first())
             for p in evaluation.publications.all()]
    return render(request, "parks/result_detail.html", {
        "evaluation": evaluation, "result": result, "lines": lines, "shown": shown, "form": form,
        "can_object": can_object, "colors": KLASS_COLORS,
        "objections": evaluation.objections.filter(enterprise=result.enterprise)})


@login_required
@require_POST
def objection_review(request, pk: int):
    objection = Objection.objects.restrict(request.user).select_related("evaluation", "enterprise").filter(
        pk=pk).first()
    if objection is None:
        raise Http404(_("异议不存在或不在您的管理范围内"))
    form = ReviewForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            ev.review_objection(request.user, objection, d["accept"], d["review_note"], d["corrected_value"])
            messages.success(request, _("已审核;采纳的更正请重新计算后再次公示"))
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
    else:
        messages.error(request, " ".join(str(m) for errs in form.errors.values() for m in errs))
    return redirect("parks:evaluation_detail", pk=objection.evaluation_id)


@login_required
def evaluation_workbook(request, pk: int):
    """A published list (the final one unless ``?number=`` names another) as a print-ready workbook."""
    evaluation = _evaluation_or_404(request, pk)
    publications = Publication.objects.filter(evaluation=evaluation)
    number = small_int(request.GET.get("number"))
    publication = (publications.filter(number=number).first() if number
                   else publications.filter(final=True).first() or publications.order_by("-number").first())
    if publication is None:
        raise Http404(_("该评价尚未发布名单"))
    response = HttpResponse(exports.final_workbook(evaluation, publication), content_type=XLSX)
    return attachment(response, exports.workbook_name(evaluation, publication))


