"""Pages of the 亩均 evaluation schemes as versioned data (a version, its pools with their
classes, their indicators) and of an evaluation's exemptions. A version that governs a
published evaluation is shown, never changed: a new version is made from it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taizhang.core.scope import Action, can, may
from taizhang.enterprises.models import Enterprise

from . import evaluation as ev
from .choices import EvaluationStatus, Pool
from .forms import ExemptionForm, IndicatorForm, NewSchemeForm, PoolForm, SchemeForm
from .indicators import INDICATORS
from .models import Evaluation, Exemption, Indicator, Scheme, SchemePool


def _scheme_or_404(request, pk: int) -> Scheme:
    scheme = Scheme.objects.restrict(request.user).select_related("region").filter(pk=pk).first()
    if scheme is None:
        raise Http404(_("评价办法不存在或不在您的管理范围内"))
    return scheme


def _may_set(request, region) -> None:
    if not may(request.user, Action.SET_RULES, region):
        raise PermissionDenied(_("只有区管理员可以设定评价办法"))


@login_required
def scheme_list(request):
    """Every version of the district's schemes; a district administrator starts a new one."""
    form = NewSchemeForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not can(request.user, Action.SET_RULES):
            raise PermissionDenied(_("只有区管理员可以设定评价办法"))
        if form.is_valid():
            data = dict(form.cleaned_data)
            region = data.pop("region")
            try:
                scheme = ev.save_scheme(request.user, region, data, {})
            except ValidationError as e:
                form.service_errors(e)
            else:
                messages.success(request, _("已新建评价办法,请添加评价组和指标"))
                return redirect("parks:scheme_detail", pk=scheme.pk)
    schemes = Scheme.objects.restrict(request.user).select_related("region")
    used = set(Evaluation.objects.exclude(status=EvaluationStatus.DRAFT).values_list("scheme_id", flat=True))
    return render(request, "parks/scheme_list.html", {
        "schemes": [(s, s.frozen or s.pk in used) for s in schemes], "form": form,
        "can_set": can(request.user, Action.SET_RULES)}, status=400 if form.errors else 200)


def _pool_forms(scheme: Scheme, bound: dict | None = None) -> list:
    pools = {p.pool: p for p in scheme.pools.prefetch_related("indicators")}
    out = []
    for key, label in Pool.choices:
        pool = pools.get(key)
        prefix = f"pool-{key}"
        data = bound if bound is not None and bound.get("pool_key") == key else None
        form = PoolForm(data, instance=pool, prefix=prefix, initial={"pool": key})
        form.fields["pool"].disabled = True
        indicator_form = IndicatorForm(bound if bound is not None and bound.get("indicator_pool") == key else None,
                                       prefix=f"ind-{key}")
        out.append({"key": key, "label": label, "pool": pool, "form": form, "indicator_form": indicator_form,
                    "indicators": [(i, INDICATORS[i.key]) for i in pool.indicators.all()] if pool else []})
    return out


@login_required
def scheme_detail(request, pk: int):
    """A scheme version: its fields, each pool's classes and indicators; edited in place while
    no published evaluation uses it."""
    scheme = _scheme_or_404(request, pk)
    in_use = ev.scheme_in_use(scheme)
    can_set = may(request.user, Action.SET_RULES, scheme.region)
    form = SchemeForm(instance=scheme)
    bound = None
    if request.method == "POST":
        _may_set(request, scheme.region)
        action = request.POST.get("action", "")
        bound = request.POST
        try:
            if action == "scheme":
                form = SchemeForm(request.POST, instance=scheme)
                if form.is_valid():
                    ev.update_scheme(request.user, scheme, form.cleaned_data)
                    messages.success(request, _("已保存评价办法"))
                    return redirect("parks:scheme_detail", pk=pk)
            elif action == "pool":
                key = request.POST.get("pool_key", "")
                if key not in Pool.values:
                    raise ValidationError(_("请选择评价组"))
                pool_form = PoolForm(request.POST, prefix=f"pool-{key}")
                pool_form.fields["pool"].required = False
                if pool_form.is_valid():
                    data = {k: v for k, v in pool_form.cleaned_data.items() if k != "pool"}
                    ev.save_pool(request.user, scheme, key, data)
                    messages.success(request, _("已保存评价组"))
                    return redirect("parks:scheme_detail", pk=pk)
                messages.error(request, " ".join(str(m) for errs in pool_form.errors.values() for m in errs))
            elif action == "indicator":
                key = request.POST.get("indicator_pool", "")
                pool = SchemePool.objects.filter(scheme=scheme, pool=key).first()
                if pool is None:
                    raise ValidationError(_("请先保存该评价组的分类标准"))
                indicator_form = IndicatorForm(request.POST, prefix=f"ind-{key}")
                if indicator_form.is_valid():
                    data = {k: v for k, v in indicator_form.cleaned_data.items() if k != "order" or v is not None}
                    ev.save_indicator(request.user, pool, data)
                    messages.success(request, _("已添加指标"))
                    return redirect("parks:scheme_detail", pk=pk)
                messages.error(request, " ".join(f"{indicator_form.fields[f].label if f in indicator_form.fields else ''}"
                                                  f" {m}".strip() for f, errs in indicator_form.errors.items()
                                                  for m in errs))
            elif action == "remove_pool":
                pool = SchemePool.objects.filter(scheme=scheme, pool=request.POST.get("pool_key", "")).first()
                if pool is not None:
                    ev.remove_pool(request.user, pool)
                    messages.success(request, _("已删除评价组"))
                return redirect("parks:scheme_detail", pk=pk)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
    return render(request, "parks/scheme_detail.html", {
        "scheme": scheme, "in_use": in_use, "can_set": can_set, "form": form, "pools": _pool_forms(scheme, bound),
        "problems": ev.scheme_problems(scheme), "evaluations": scheme.evaluations.all(),
        "versions": Scheme.objects.filter(region=scheme.region, name=scheme.name).order_by("-version")})


@login_required
@require_POST
def scheme_version(request, pk: int):
    """A new version made from this one (all its pools and indicators), to be edited."""
    scheme = _scheme_or_404(request, pk)
    _may_set(request, scheme.region)
    try:
        new = ev.new_version(request.user, scheme)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("parks:scheme_detail", pk=pk)
    messages.success(request, _("已新建第%(version)s版") % {"version": new.version})
    return redirect("parks:scheme_detail", pk=new.pk)


@login_required
def indicator_edit(request, pk: int):
    indicator = Indicator.objects.restrict(request.user).select_related("pool__scheme__region").filter(pk=pk).first()
    if indicator is None:
        raise Http404(_("指标不存在或不在您的管理范围内"))
    scheme = indicator.pool.scheme
    if request.method == "POST":
        _may_set(request, scheme.region)
    form = IndicatorForm(request.POST or None, instance=indicator)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "remove":
                ev.remove_indicator(request.user, indicator)
                messages.success(request, _("已删除指标"))
                return redirect("parks:scheme_detail", pk=scheme.pk)
            if form.is_valid():
                data = {k: v for k, v in form.cleaned_data.items() if k != "order" or v is not None}
                ev.save_indicator(request.user, indicator.pool, data, indicator)
                messages.success(request, _("已保存指标"))
                return redirect("parks:scheme_detail", pk=scheme.pk)
        except ValidationError as e:
            form.service_errors(e)
    return render(request, "parks/indicator_edit.html", {
        "form": form, "indicator": indicator, "scheme": scheme, "in_use": ev.scheme_in_use(scheme),
        "can_set": may(request.user, Action.SET_RULES, scheme.region)}, status=400 if form.errors else 200)


@login_required
def exemptions(request, pk: int):
    """The firms of an evaluation listed as T by the district (免评 or 过渡期), with reasons."""
    evaluation = Evaluation.objects.restrict(request.user).select_related("region").filter(pk=pk).first()
    if evaluation is None:
        raise Http404(_("评价不存在或不在您的管理范围内"))
    can_approve = may(request.user, Action.APPROVE, evaluation)
    form = ExemptionForm(request.POST or None)
    if request.method == "POST":
        if not can_approve:
            raise PermissionDenied(_("只有区管理员可以登记免评企业"))
        try:
            if request.POST.get("action") == "remove":
                item = Exemption.objects.filter(evaluation=evaluation, pk=request.POST.get("item") or 0).first()
                if item is not None:
                    ev.remove_exemption(request.user, item)
                    messages.success(request, _("已撤销,重新计算后生效"))
                return redirect("parks:exemptions", pk=pk)
            if form.is_valid():
                d = form.cleaned_data
                firm = Enterprise.objects.restrict(request.user).filter(
                    credit_code=d["credit_code"].strip().upper(), region=evaluation.region).first()
                if firm is None:
                    form.add_error("credit_code", _("本区企业库中没有该统一社会信用代码的企业"))
                else:
                    ev.exempt(request.user, evaluation, firm, d["reason"], d["kind"])
                    messages.success(request, _("已登记,重新计算后生效"))
                    return redirect("parks:exemptions", pk=pk)
        except ValidationError as e:
            for m in e.messages:
                form.add_error(None, m)
    return render(request, "parks/exemptions.html", {
        "evaluation": evaluation, "items": evaluation.exemptions.select_related("enterprise"), "form": form,
        "can_approve": can_approve and evaluation.status != EvaluationStatus.FINAL},
        status=400 if form.errors else 200)
