"""The leaders' dashboard (驾驶舱), drill-down to the projects behind any figure, the monthly
workbook, and the district's warning rules."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.accounts.choices import Role
from taizhang.core.history import change_context
from taizhang.core.periods import month_from_request
from taizhang.core.printing import attachment
from taizhang.core.scope import Action, may
from taizhang.projects.choices import Stage
from taizhang.projects.filtersets import ProjectFilterSet
from taizhang.projects.models import Project
from taizhang.reporting.models import Revision
from taizhang.reporting.services import revision_choices

from . import kept, registry, report
from .checks import HEALTH_LABELS
from .metrics import ALL, APPROVED, basis_for
from .models import MonitoringRules, rules_for


def _scope(request):
    """The projects the user may see, narrowed by the same filters as the project list."""
    base = Project.objects.restrict(request.user, Action.VIEW)
    params = request.GET.copy()
    for key in ("year", "month", "metric", "basis", "as_of", "group"):
        params.pop(key, None)
    filterset = ProjectFilterSet(params or None, queryset=base, request=request)
    if filterset.is_bound and not filterset.is_valid():
        return filterset, base.none()
    return filterset, filterset.qs


def _place(request, filterset) -> str:
    """Whose figures these are, as the briefing and the workbook name them: a district or the
    city, or for a 责任单位 "崂山区投资促进中心负责的" (its projects, not the district's)."""
    if request.user.role == Role.UNIT_USER and request.user.unit_id:
        return _("%(unit)s负责的") % {"unit": request.user.unit.name}
    region = filterset.form.cleaned_data.get("region") if filterset.is_bound and filterset.is_valid() else None
    region = region or request.user.region
    if region is None:
        return _("全市")
    return region.name


def _snapshot(request, basis: str | None = None):
    """The figures a page shows: its scope, month, which reports count and as of which revision.

    A district's own staff count every report (and see how many are unreviewed) unless they
    ask for approved figures only; leaders, the city and the monthly workbook always count
    approved reports only (``metrics.basis_for``).
    """
    filterset, projects = _scope(request)
    year, month = month_from_request(request)
    if basis is None:
        basis = basis_for(request.user)
        if basis == ALL and request.GET.get("basis") == APPROVED:
            basis = APPROVED
    as_of, before = None, None
    if request.GET.get("as_of"):
        regions = projects.values("region_id")
        before = Revision.objects.filter(pk=_int_or_404(request.GET["as_of"]), period__region__in=regions,
                                         period__year=year, period__month__lte=month).first()
        if before is None:
            raise Http404(_("没有这一版更正"))
        as_of = before.created - dt.timedelta(microseconds=1)
    snap = kept.snapshot(projects, year, month, basis=basis, as_of=as_of)
    snap.before_revision = before
    return filterset, snap, year, month


def _without(query, key: str) -> str:
    """The query string without ``key``, every value encoded again."""
    query = query.copy()
    query.pop(key, None)
    return query.urlencode()


def _int_or_404(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as e:
        raise Http404 from e


@login_required
def dashboard(request):
    filterset, snap, year, month = _snapshot(request)
    place = _place(request, filterset)
    query = request.GET.copy()
    query.pop("metric", None)
    qs = query.urlencode()
    drill = reverse("monitoring:drill")
    funnel = snap.funnel()
    # The city ranks its districts; a district ranks its industry chains.
    rank_by = "region" if len({p.region_id for p in snap.projects}) > 1 else "chain"
    ranking = snap.ranking(rank_by)
    curve = snap.monthly_curve()
    charts = {
        "funnel": [{"name": label, "value": fig.value, "investment": float(total), "metric": f"stage_{stage}"}
                   for stage, label, fig, total in funnel],
        "gauge": {"rate": float(snap.completion_rate().value or 0), "timing": float(snap.timing)},
        "curve": {"months": [_("%(month)s月") % {"month": m} for m, _d, _p in curve], "done": [float(d) for _, d, _ in curve],
                  "plan": [float(p) for _, _, p in curve]},
        "ranking": [{"name": str(r or _("未分产业链")), "rate": float(rate) if rate is not None else 0,
                     "metric": f"{rank_by}_{r.pk if r else 0}"} for r, rate, _d, _p, _ids in ranking],
        "warnings": [
            {"name": _("红色"), "value": snap.warnings("red").value, "metric": "warn_red", "color": "#c62828"},
            {"name": _("黄色"), "value": snap.warnings("yellow").value, "metric": "warn_yellow", "color": "#f9a825"},
            {"name": _("绿色"), "value": snap.warnings("green").value, "metric": "warn_green", "color": "#2e7d32"},
        ],
        "drill": f"{drill}?{qs}&metric=",
        # the charts' own words, in the page's language
        "labels": {"funnel": _("个,总投资"), "wan": _("万元"), "timing": _("时序"), "done": _("累计完成"),
                   "plan": _("按时序计划")},
    }
    health = snap.health_checks()
    return render(request, "monitoring/dashboard.html", {
        "filterset": filterset, "snap": snap, "year": year, "month": month, "qs": qs, "charts": charts,
        "place": place, "place_is_unit": request.user.role == Role.UNIT_USER and request.user.unit_id is not None,
        "briefing": report.briefing(snap, place),
        # the city sees its districts side by side, each opening that district's own dashboard
        "districts": snap.by_district() if rank_by == "region" else [],
        "funnel": funnel, "flows": [(Stage(a).label, Stage(b).label, n) for a, b, n in snap.flows()],
        "health": health,
        "health_counts": [(rule, str(HEALTH_LABELS.get(rule, rule)), n)
                          for rule, n in _count(rule for rule, _, _ in health).items()],
        "problems_by_category": snap.problems_by("category"), "problems_by_unit": snap.problems_by("unit")[:10],
        "months": range(1, 13), "median_sign_start": snap.median_days(Stage.SIGNED, Stage.STARTED),
        "conversion": snap.conversion(Stage.NEGOTIATING, Stage.SIGNED),
        # the warning rules edited on that page are those of the user's own district
        "can_edit_rules": request.user.region is not None and may(request.user, Action.SET_RULES, request.user.region),
        "revision": report.revision(snap), "basis_note": report.basis_note(snap),
        "can_choose_basis": basis_for(request.user) == ALL,
        "revision_choices": revision_choices({p.region_id for p in snap.projects}, year, month),
        "start_red": snap.start_warnings("red").value, "start_yellow": snap.start_warnings("yellow").value,
    })


def _count(items):
    from collections import Counter

    return dict(Counter(items))


@login_required
def drill(request):
    filterset, snap, year, month = _snapshot(request)
    metric = request.GET.get("metric", "")
    try:
        fig = registry.figure(snap, metric)
    except registry.UnknownMetric as e:
        raise Http404(_("未知的指标")) from e
    lines = {line.project.pk: line for line in snap.lines}
    rows = [lines[pk] for pk in fig.ids if pk in lines]
    label = registry.label(metric)
    return render(request, "monitoring/drill.html", {
        "metric": metric, "metric_label": label,
        "figure": fig, "rows": rows, "snap": snap, "year": year, "month": month,
        "back": reverse("monitoring:dashboard") + "?" + _without(request.GET, "metric"),
    })


@login_required
def monthly_workbook(request):
    filterset, snap, year, month = _snapshot(request, basis=APPROVED)
    group = "chain" if request.GET.get("group") == "chain" else "level"
    with translation.override(settings.LANGUAGE_CODE):  # the district's document, in its language
        place = _place(request, filterset)
        content = kept.document(snap, ("workbook", place, group, settings.LANGUAGE_CODE),
                                lambda s: _in_language(settings.LANGUAGE_CODE, report.workbook, s, place, group))
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    return attachment(response, report.workbook_name(place, year, month))


def _in_language(language, make, *args):
    with translation.override(language):
        return make(*args)


class RulesForm(forms.ModelForm):
    class Meta:
        model = MonitoringRules
        fields = [
            "lag_mode", "lag_yellow", "lag_red", "relative_yellow", "relative_red", "start_red_months",
            "check_signed_not_started", "signed_not_started_days", "check_no_funds", "no_funds_months",
            "check_low_funds", "low_funds_months", "low_funds_ratio", "check_cumulative_falls",
        ]


@login_required
def rules(request):
    if request.user.region is None or not may(request.user, Action.SET_RULES, request.user.region):
        raise PermissionDenied(_("只有区级管理员可以设置本区的预警规则"))
    instance = rules_for(request.user.region)
    form = RulesForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        with change_context(request.user, gettext_noop("修改预警规则")):
            form.save()
        messages.success(request, _("预警规则已保存"))
        return redirect("monitoring:dashboard")
    return render(request, "monitoring/rules.html", {"form": form})
