"""Pages of the enterprise registry. Thin: scope from ``restrict``/``may``, rules from ``services``."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taizhang.core.history import history_rows
from taizhang.core.numbers import small_int
from taizhang.core.scope import Action, can, districts_of, may
from taizhang.projects.models import Project
from taizhang.projects.views import _apply_errors

from . import clocks, gaps, services, tiers
from .choices import LADDER_NAMES, MeasureStatus, TierKind
from .filtersets import DemandFilterSet, EnterpriseFilterSet
from .forms import (
    AnswerForm,
    CommissionerForm,
    DemandForm,
    EnterpriseForm,
    MeasureForm,
    RecognitionForm,
    ResolveForm,
    ServiceLevelForm,
    StrategyForm,
    VisitForm,
)
from .models import Demand, Enterprise, Measure, Recognition, ServiceLevel, Strategy, Visit
from .tiers import holding

PAGE_SIZE = 50


def _firm_or_404(request, pk: int, action: Action = Action.VIEW) -> Enterprise:
    firm = Enterprise.objects.restrict(request.user).select_related(
        "region", "park", "chain", "commissioner").filter(pk=pk).first()
    if firm is None:
        raise Http404(_("企业不存在或不在您的管理范围内"))
    if action != Action.VIEW and not may(request.user, action, firm):
        raise PermissionDenied(_("您没有权限对该企业执行此操作"))
    return firm


def _day(request) -> dt.date:
    try:
        day = dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return timezone.localdate()
    return day if dt.date(1980, 1, 1) <= day <= dt.date(2100, 12, 31) else timezone.localdate()


@login_required
def enterprise_list(request):
    base = Enterprise.objects.restrict(request.user)
    filterset = EnterpriseFilterSet(request.GET or None, queryset=base, request=request)
    queryset = filterset.qs if not filterset.is_bound or filterset.is_valid() else base.none()
    today = timezone.localdate()
    per = small_int(request.GET.get("per"))
    per = per if per in (20, 50, 100, 200) else PAGE_SIZE
    # the page's firms found by their ids alone (sorting narrow rows, from the (region, name) index),
    # then those few read whole
    paginator = Paginator(queryset.order_by("region_id", "name_key", "pk").values_list("pk", flat=True), per)
    page = paginator.get_page(request.GET.get("page"))
    ids = list(page.object_list)
    found = Enterprise.objects.select_related("region", "park", "chain", "commissioner").in_bulk(ids)
    page.object_list = [found[pk] for pk in ids]
    held: dict[int, set] = {}
    for firm_id, kind in Recognition.objects.filter(holding(today), enterprise_id__in=[f.pk for f in page.object_list]
                                                     ).order_by().values_list("enterprise_id", "kind"):
        held.setdefault(firm_id, set()).add(kind)
    labels = [(kind.value, str(kind.label)) for kind in TierKind]  # once, not a lazy lookup per badge
    for f in page.object_list:
        f.held = [label for kind, label in labels if kind in held.get(f.pk, ())]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "enterprises/enterprise_list.html", {
        "filterset": filterset, "page": page, "count": paginator.count, "query": query.urlencode(),
        "can_add": can(request.user, Action.CHANGE), "per": per,
        "can_set_levels": can(request.user, Action.SET_RULES), "page_sizes": (20, 50, 100, 200),
    })


def _related_projects(firm: Enterprise, user):
    """The firm's projects: those that name its credit code, or its name as their builder."""
    from django.db.models import Q

    q = Q(builder=firm.name)
    if firm.credit_code:
        q |= Q(credit_code=firm.credit_code)
    return Project.objects.restrict(user).filter(q).select_related("region")[:50]


@login_required
def enterprise_detail(request, pk: int):
    firm = _firm_or_404(request, pk)
    today = timezone.localdate()
    recognitions = list(firm.recognitions.all().order_by("-year", "kind"))
    for rec in recognitions:
        rec.holds = rec.holds_on(today)
        rec.expiring = rec.holds and rec.expiry is not None and rec.expiry <= tiers._add_months(today, 6)
    held = {r.kind for r in recognitions if r.holds}
    # the firm's figures read once: the table of every year, and the gaps measured on the latest
    figure_rows = list(firm.figures.order_by("-year", "metric"))
    # the last complete year's figures are what the lists are judged on, or the latest the firm has
    year = figure_rows[0].year if figure_rows else today.year - 1
    figures = gaps.figures_from([(f.year, f.metric, f.value) for f in figure_rows], year, firm.established)
    next_tiers = [{"kind": TierKind(kind), "gap": gaps.evaluate(ruleset, figures)}  # every tier not held
                  for kind, ruleset in gaps.rulesets_for(year).items() if kind not in held]
    demands = list(firm.demands.restrict(request.user).select_related("unit", "order"))
    now = timezone.now()
    for d in demands:
        d.late = services.overdue_steps(d, now)
    return render(request, "enterprises/enterprise_detail.html", {
        "firm": firm, "former_names": list(firm.former_names.order_by("until", "pk")),
        "recognitions": recognitions, "figures_by_year": _figures_table(figure_rows),
        "gap_year": year, "next_tiers": next_tiers,
        "projects": _related_projects(firm, request.user),
        "visits": firm.visits.select_related("visitor", "unit", "merged_into")[:50],
        "demands": demands,
        "history": history_rows(firm.history.all(), Enterprise, limit=30),
        "can_change": may(request.user, Action.CHANGE, firm),
        "can_serve": may(request.user, Action.REPORT, firm),
        "recognition_form": RecognitionForm(initial={"year": today.year}),
        "visit_form": VisitForm(initial={"date": today, "done": True}),
        "demand_form": DemandForm(firm=firm),
        "commissioner_form": CommissionerForm(firm=firm, initial={"commissioner": firm.commissioner_id}),
        "strategies": _strategies_of(firm, request.user),
        "can_plan": may(request.user, Action.REPORT, Strategy(enterprise=firm, year=today.year)),
        "strategy_form": StrategyForm(initial={"year": today.year}), "measure_form": MeasureForm(firm=firm),
    })


def _figures_table(figures) -> dict:
    """Figures by year, the latest year first."""
    rows: dict = {}
    for f in figures:
        rows.setdefault(f.year, []).append(f)
    return dict(sorted(rows.items(), reverse=True))


@login_required
def enterprise_add(request):
    if not can(request.user, Action.CHANGE):
        raise PermissionDenied(_("您没有新建企业的权限"))
    form = EnterpriseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            firm = services.create_enterprise(request.user, form.model_data())
        except ValidationError as e:
            _apply_errors(form, e)
        else:
            messages.success(request, _("企业已登记"))
            return redirect(firm)
    return render(request, "enterprises/enterprise_form.html", {"form": form, "title": _("登记企业")})


@login_required
def enterprise_edit(request, pk: int):
    firm = _firm_or_404(request, pk, Action.CHANGE)
    form = EnterpriseForm(request.POST or None, instance=firm, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_enterprise(request.user, Enterprise.objects.get(pk=pk), form.model_data())
        except ValidationError as e:
            _apply_errors(form, e)
        else:
            messages.success(request, _("企业信息已保存"))
            return redirect(firm)
    return render(request, "enterprises/enterprise_form.html", {"form": form, "title": _("编辑企业"), "firm": firm})


def _post(request, pk, action, form_class, perform, success, section: str = "", **form_kwargs):
    """A form posted from the firm's page: done and back to the page (at its ``section``), or the
    form again with why."""
    firm = _firm_or_404(request, pk, action)
    form = form_class(request.POST, **form_kwargs)
    if form.is_valid():
        try:
            perform(firm, form)
        except ValidationError as e:
            _apply_errors(form, e)
        else:
            messages.success(request, success)
            return redirect(f"{firm.get_absolute_url()}#{section}" if section else firm.get_absolute_url())
    return render(request, "enterprises/action_form.html", {"firm": firm, "form": form}, status=400)


@login_required
@require_POST
def recognition_add(request, pk: int):
    return _post(request, pk, Action.CHANGE, RecognitionForm,
                 lambda firm, form: services.recognise(request.user, firm, form.model_data()), _("认定已登记"))


@login_required
@require_POST
def visit_add(request, pk: int):
    return _post(request, pk, Action.REPORT, VisitForm,
                 lambda firm, form: services.log_visit(request.user, firm, dict(form.cleaned_data)),
                 _("走访已登记"))


@login_required
@require_POST
def demand_add(request, pk: int):
    firm = _firm_or_404(request, pk, Action.REPORT)

    def perform(firm, form):
        services.raise_demand(request.user, firm, dict(form.cleaned_data))
    return _post(request, pk, Action.REPORT, DemandForm, perform, _("诉求已登记,承办单位将收到待办"), firm=firm)


@login_required
@require_POST
def commissioner_set(request, pk: int):
    firm = _firm_or_404(request, pk, Action.CHANGE)
    return _post(request, pk, Action.CHANGE, CommissionerForm,
                 lambda firm, form: services.assign_commissioner(request.user, firm, form.cleaned_data["commissioner"]),
                 _("服务专员已指定"), firm=firm)


# ---------------------------------------------------------------- tiers


@login_required
def tier_dashboard(request):
    firms = Enterprise.objects.restrict(request.user)
    districts = list(districts_of(request.user))
    region = None
    asked = request.GET.get("region", "")
    if asked:
        region = next((d for d in districts if d.pk == small_int(asked)), None)
        if region is None:
            raise Http404(_("该区不在您的管理范围内"))
        firms = firms.filter(region__path__startswith=region.path)
    day = _day(request)
    year = small_int(request.GET.get("year")) or day.year
    if not 1980 <= year <= 2100:
        year = day.year
    rows = tiers.summary(firms, day, year)
    funnels = [{"name": LADDER_NAMES[key], "steps": [(TierKind(s.kind), s) for s in steps]}
               for key, steps in tiers.funnels(firms, day).items()]
    expiring = list(tiers.expiring(firms, day)[:100])
    # the gaps are measured on the latest year of figures the firms have, up to the year asked
    from django.db.models import Max

    from .models import AnnualFigure

    gap_year = AnnualFigure.objects.filter(enterprise__in=firms, year__lte=year).aggregate(y=Max("year"))["y"] or year
    near = gaps.nearest(firms, gap_year, day, shown=200)
    names = dict(Enterprise.objects.filter(pk__in=[fid for n in near for fid, _g in n.firms])
                 .values_list("pk", "name")) if any(n.firms for n in near) else {}
    one_step = [{"kind": n.kind, "rules": n.ruleset, "firms": [(fid, names.get(fid), gap) for fid, gap in n.firms],
                 "count": n.count} for n in near]
    return render(request, "enterprises/tiers.html", {
        "rows": rows, "funnels": funnels, "expiring": expiring, "one_step": one_step, "gap_year": gap_year,
        "day": day, "year": year, "districts": districts, "region": region,
        "definitions": [tiers.DEFINITIONS[k] for k in ("new", "cumulative", "valid")],
    })


# ---------------------------------------------------------------- 诉求


@login_required
def demand_list(request):
    base = Demand.objects.restrict(request.user).select_related("enterprise", "unit", "order")
    filterset = DemandFilterSet(request.GET or None, queryset=base, request=request)
    queryset = filterset.qs if not filterset.is_bound or filterset.is_valid() else base.none()
    page = Paginator(queryset.order_by("status", "resolve_due", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for d in page.object_list:
        d.late = services.overdue_steps(d, now)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "enterprises/demand_list.html", {"filterset": filterset, "page": page,
                                                            "query": query.urlencode()})


def _demand_or_404(request, pk: int) -> Demand:
    demand = Demand.objects.restrict(request.user).select_related(
        "enterprise", "unit", "order", "service_level", "raised_by").filter(pk=pk).first()
    if demand is None:
        raise Http404(_("诉求不存在或不在您的管理范围内"))
    return demand


@login_required
def demand_detail(request, pk: int):
    demand = _demand_or_404(request, pk)
    user = request.user
    return render(request, "enterprises/demand_detail.html", {
        "demand": demand, "late": services.overdue_steps(demand),
        "can_answer": may(user, Action.ANSWER, demand), "can_resolve": may(user, Action.REPORT, demand),
        "can_escalate": may(user, Action.SUPERVISE, demand) and demand.order_id is None,
        "answer_form": AnswerForm(), "resolve_form": ResolveForm(),
        "history": history_rows(demand.history.all(), Demand, limit=30),
    })


@login_required
@require_POST
def demand_step(request, pk: int, step: str):
    demand = _demand_or_404(request, pk)
    user = request.user
    try:
        if step == "acknowledge":
            services.acknowledge_demand(user, demand)
        elif step == "answer":
            form = AnswerForm(request.POST)
            services.answer_demand(user, demand, form.data.get("answer", ""))
        elif step == "resolve":
            form = ResolveForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("评价应为1到5分"))
            services.resolve_demand(user, demand, form.cleaned_data["rating"], form.cleaned_data["note"])
        elif step == "escalate":
            services.escalate_demand(user, demand)
        else:
            raise Http404()
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("已处理"))
    return redirect("enterprises:demand_detail", pk=demand.pk)


# ---------------------------------------------------------------- visits


@login_required
def visit_calendar(request):
    """Planned visits of the coming weeks, with other departments' visits to the same firm beside
    each, to be merged into one."""
    today = timezone.localdate()
    firms = Enterprise.objects.restrict(request.user)
    planned = list(Visit.objects.filter(enterprise__in=firms, done=False, merged_into=None, date__gte=today)
                   .select_related("enterprise", "unit", "visitor").order_by("date", "pk")[:200])
    for v in planned:
        v.together = [o for o in planned if o.enterprise_id == v.enterprise_id and o.pk != v.pk
                      and abs((o.date - v.date).days) <= 7 and o.unit_id != v.unit_id]
    return render(request, "enterprises/visits.html", {"planned": planned, "today": today})


@login_required
@require_POST
def visit_merge(request, pk: int):
    keep = Visit.objects.filter(enterprise__in=Enterprise.objects.restrict(request.user), pk=pk).first()
    if keep is None:
        raise Http404(_("走访不存在或不在您的管理范围内"))
    ids = [i for i in (small_int(v) for v in request.POST.getlist("other")) if i]
    others = list(Visit.objects.filter(pk__in=ids, enterprise_id=keep.enterprise_id))
    try:
        services.merge_visits(request.user, keep, others)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("已合并为一次走访"))
    return redirect("enterprises:visits")



# ---------------------------------------------------------------- 一企一策


def _strategies_of(firm: Enterprise, user) -> list[Strategy]:
    """The firm's 一企一策 the user may see, each with the measures the user may see."""
    strategies = list(Strategy.objects.restrict(user).filter(enterprise=firm).order_by("-year"))
    if not strategies:
        return []
    measures: dict[int, list[Measure]] = {}
    for m in (Measure.objects.restrict(user).filter(strategy__enterprise=firm).select_related("unit")
              .prefetch_related("demands").order_by("deadline", "pk")):
        measures.setdefault(m.strategy_id, []).append(m)
    today = timezone.localdate()
    for s in strategies:
        s.shown = measures.get(s.pk, [])
        for m in s.shown:
            m.overdue = m.status not in (MeasureStatus.DONE, MeasureStatus.DROPPED) and m.deadline < today
    return strategies


@login_required
@require_POST
def strategy_save(request, pk: int):
    # who may write a 一企一策 (the firm's 服务专员, the district's staff) is the service's to say
    return _post(request, pk, Action.VIEW, StrategyForm,
                 lambda firm, form: services.save_strategy(request.user, firm, form.cleaned_data["year"],
                                                           form.cleaned_data["goal"]),
                 _("一企一策已保存"), section="strategies")


def _strategy_or_404(request, pk: int) -> Strategy:
    strategy = Strategy.objects.restrict(request.user).select_related("enterprise", "enterprise__region").filter(
        pk=pk).first()
    if strategy is None:
        raise Http404(_("一企一策不存在或不在您的管理范围内"))
    return strategy


@login_required
@require_POST
def measure_add(request, pk: int):
    strategy = _strategy_or_404(request, pk)
    firm = strategy.enterprise
    form = MeasureForm(request.POST, firm=firm)
    if form.is_valid():
        try:
            services.save_measure(request.user, strategy, dict(form.cleaned_data))
        except ValidationError as e:
            _apply_errors(form, e)
        else:
            messages.success(request, _("措施已添加"))
            return redirect(f"{firm.get_absolute_url()}#strategies")
    return render(request, "enterprises/action_form.html", {"firm": firm, "form": form}, status=400)


@login_required
def measure_edit(request, pk: int):
    measure = Measure.objects.restrict(request.user).select_related(
        "strategy", "strategy__enterprise", "strategy__enterprise__region", "unit").filter(pk=pk).first()
    if measure is None:
        raise Http404(_("措施不存在或不在您的管理范围内"))
    firm = measure.strategy.enterprise
    can_edit = may(request.user, Action.REPORT, measure)
    form = MeasureForm(request.POST or None, instance=measure, firm=firm)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("只有该企业的服务专员或所在区工作人员可以修改一企一策"))
        if form.is_valid():
            try:
                services.save_measure(request.user, measure.strategy, dict(form.cleaned_data),
                                      measure=Measure.objects.get(pk=pk))
            except ValidationError as e:
                _apply_errors(form, e)
            else:
                messages.success(request, _("措施已保存"))
                return redirect(f"{firm.get_absolute_url()}#strategies")
    return render(request, "enterprises/measure.html", {
        "measure": measure, "firm": firm, "form": form, "can_edit": can_edit,
        "history": history_rows(measure.history.all(), Measure, limit=30),
    }, status=400 if request.method == "POST" else 200)


# ---------------------------------------------------------------- 诉求 clocks


@login_required
def service_levels(request):
    """A district's classes of 诉求 and their clocks (set by its administrator, with their history),
    and how its 诉求 kept them this year, by unit and by channel."""
    districts = list(districts_of(request.user))
    if not districts:
        raise Http404(_("您的管理范围内没有区"))
    asked = small_int(request.GET.get("region") or request.POST.get("region"))
    own = next((d for d in districts if d.pk == getattr(request.user, "region_id", None)), districts[0])
    region = next((d for d in districts if d.pk == asked), None) if asked else own
    if region is None:
        raise Http404(_("该区不在您的管理范围内"))
    can_set = may(request.user, Action.SET_RULES, region)
    form = ServiceLevelForm(request.POST or None)
    if request.method == "POST":
        if not can_set:
            raise PermissionDenied(_("只有区管理员可以设定办理时限"))
        if form.is_valid():
            try:
                services.save_service_level(request.user, region, dict(form.cleaned_data))
            except ValidationError as e:
                _apply_errors(form, e)
            else:
                messages.success(request, _("办理时限已保存"))
                return redirect(f"{reverse('enterprises:service_levels')}?region={region.pk}")
    return _levels_page(request, region, districts, can_set, form)


def _levels_page(request, region, districts, can_set, form, editing=None):
    year = small_int(request.GET.get("year")) or timezone.localdate().year
    if not 2000 <= year <= 2100:
        year = timezone.localdate().year
    tz = timezone.get_current_timezone()
    start, end = dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)
    demands = Demand.objects.restrict(request.user).filter(region=region, received_at__gte=start, received_at__lt=end)
    now = timezone.now()
    levels = list(ServiceLevel.objects.filter(region=region))
    for level in levels:
        level.form = editing if editing is not None and editing.instance.pk == level.pk else ServiceLevelForm(
            instance=level, prefix=f"l{level.pk}")
    return render(request, "enterprises/service_levels.html", {
        "region": region, "districts": districts, "year": year, "levels": levels, "form": form,
        "can_set": can_set, "steps": [(k, v[0]) for k, v in clocks.STEPS.items()],
        "by_unit": clocks.on_time(demands, "unit", now), "by_channel": clocks.on_time(demands, "channel", now),
        "history": history_rows(ServiceLevel.history.filter(region=region), ServiceLevel, limit=30, group_by="id"),
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def service_level_edit(request, pk: int):
    districts = list(districts_of(request.user))
    level = ServiceLevel.objects.select_related("region").filter(pk=pk, region__in=districts).first()
    if level is None:
        raise Http404(_("办理时限不存在或不在您的管理范围内"))
    if not may(request.user, Action.SET_RULES, level.region):
        raise PermissionDenied(_("只有区管理员可以设定办理时限"))
    form = ServiceLevelForm(request.POST, instance=level, prefix=f"l{level.pk}")
    if form.is_valid():
        try:
            services.save_service_level(request.user, level.region, dict(form.cleaned_data),
                                        level=ServiceLevel.objects.get(pk=pk))
        except ValidationError as e:
            _apply_errors(form, e)
        else:
            messages.success(request, _("办理时限已保存"))
            return redirect(f"{reverse('enterprises:service_levels')}?region={level.region_id}")
    return _levels_page(request, level.region, districts, True, ServiceLevelForm(), editing=form)
