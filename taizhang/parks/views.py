"""Pages of parks and buildings: occupancy with charts, a building's units and tenants, the
vacant-space search, and 税收过亿元楼宇. Scoping comes from ``restrict``, rules from ``services``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taizhang.core.numbers import small_int
from taizhang.core.scope import Action, can, may, restrict_regions
from taizhang.enterprises.models import Enterprise
from taizhang.regions.choices import RegionLevel
from taizhang.regions.models import Region

from . import occupancy, services
from .forms import (
    BuildingForm,
    EndTenancyForm,
    LeaseForm,
    NeedForm,
    ParkProfileForm,
    TaxImportForm,
    UnitForm,
)
from .models import Building, ParkProfile, SpaceUnit, TaxImport, Tenancy


def _errors(form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


def _day(request) -> dt.date:
    text = request.GET.get("day", "")
    try:
        return dt.date.fromisoformat(text) if text else timezone.localdate()
    except ValueError:
        return timezone.localdate()


def _month_series(buildings, today: dt.date, months: int = 12):
    """The 入驻率 by area at the end of each of the last ``months`` months (today for the current)."""
    labels, rates = [], []
    for i in range(months - 1, -1, -1):
        y, m = occupancy.shift((today.year, today.month), -i)
        day = min(today, occupancy._month_end(y, m))
        total = occupancy.totals(occupancy.occupancy(buildings, day))
        labels.append(f"{y}-{m:02d}")
        rates.append(float(total.by_area or 0))
    return labels, rates


@login_required
def park_list(request):
    """The parks in the user's scope: profile, buildings and their 入驻率 today."""
    today = _day(request)
    parks = list(restrict_regions(Region.objects.filter(level=RegionLevel.PARK), request.user))
    profiles = {p.park_id: p for p in ParkProfile.objects.restrict(request.user).select_related("chain",
                                                                                               "managing_unit")}
    buildings = list(Building.objects.restrict(request.user).select_related("park", "region"))
    rows = occupancy.occupancy(buildings, today)
    by_park: dict = {}
    for o in rows:
        by_park.setdefault(o.building.park_id, []).append(o)
    cards = [{"park": p, "profile": profiles.get(p.pk), "rows": by_park.get(p.pk, []),
              "total": occupancy.totals(by_park.get(p.pk, []))} for p in parks]
    loose = by_park.get(None, [])
    labels, rates = _month_series(buildings, today)
    chart = {"charts": [
        {"id": "chart-buildings", "type": "bar", "unit": "%", "categories": [o.building.name for o in rows],
         "series": [{"name": _("按面积"), "data": [float(o.by_area or 0) for o in rows]},
                    {"name": _("按单元"), "data": [float(o.by_units or 0) for o in rows]}]},
        {"id": "chart-trend", "type": "line", "unit": "%", "categories": labels,
         "series": [{"name": _("入驻率(按面积)"), "data": rates}]}]}
    return render(request, "parks/park_list.html", {
        "can_change": can(request.user, Action.CHANGE), "cards": cards, "loose": loose, "total": occupancy.totals(rows), "today": today, "chart": chart,
        "warnings": occupancy.warnings(buildings, today)})


def _building_or_404(request, pk: int, action: Action = Action.VIEW) -> Building:
    building = Building.objects.restrict(request.user).select_related("park", "region").filter(pk=pk).first()
    if building is None:
        raise Http404(_("楼宇不存在或不在您的管理范围内"))
    if action != Action.VIEW and not may(request.user, action, building):
        raise PermissionDenied(_("您没有权限修改该楼宇"))
    return building


@login_required
def building_detail(request, pk: int):
    building = _building_or_404(request, pk)
    today = _day(request)
    can_change = may(request.user, Action.CHANGE, building)
    units = SpaceUnit.objects.filter(building=building)
    form = LeaseForm(request.POST or None, units=units)
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied(_("您没有权限修改该楼宇"))
        if form.is_valid():
            d = form.cleaned_data
            firm = Enterprise.objects.restrict(request.user).filter(
                credit_code=d["credit_code"].strip().upper(), region=building.region).first()
            if firm is None:
                form.add_error("credit_code", _("本区企业库中没有该统一社会信用代码的企业"))
            else:
                try:
                    services.lease(request.user, d["unit"], firm, d["start"], d["end"], rent=d["rent"])
                    messages.success(request, _("已登记入驻"))
                    return redirect("parks:building_detail", pk=building.pk)
                except ValidationError as e:
                    _errors(form, e)
    tenants = {t.unit_id: t for t in Tenancy.objects.on(today).filter(unit__building=building).select_related(
        "enterprise")}
    unit_rows = [(u, tenants.get(u.pk)) for u in units]
    now = occupancy.occupancy([building], today)[0]
    labels, rates = _month_series([building], today)
    last = occupancy.shift((today.year, today.month), -1)
    series = occupancy.monthly_tax([building], occupancy.shift(last, -11), last)[building.pk]
    tax_labels = [f"{y}-{m:02d}" for y, m in series]
    chart = {"charts": [
        {"id": "chart-trend", "type": "line", "unit": "%", "categories": labels,
         "series": [{"name": _("入驻率(按面积)"), "data": rates}]},
        {"id": "chart-tax", "type": "bar", "unit": _("万元"), "categories": tax_labels,
         "series": [{"name": _("楼宇税收"), "data": [round(float(v), 2) for v in series.values()]}]}]}
    return render(request, "parks/building_detail.html", {
        "building": building, "units": unit_rows, "now": now, "today": today, "chart": chart, "form": form,
        "can_change": can_change, "year_tax": occupancy.rolling_year(series, last), "last": last,
        "end_form": EndTenancyForm(initial={"end": today}),
        "history": Tenancy.objects.filter(unit__building=building).select_related("enterprise", "unit")[:200]})


@login_required
def vacant(request):
    """Vacant units, narrowed to a lead's need."""
    form = NeedForm(request.GET or None)
    units = SpaceUnit.objects.restrict(request.user)
    day = timezone.localdate()
    found = None
    if form.is_valid():
        d = form.cleaned_data
        day = d["day"] or day
        found = occupancy.match_need(units, day, d["area_min"], d["area_max"], d["load_min"], d["height_min"],
                                     d["rent_max"])
    else:
        found = list(occupancy.vacant_units(units, day)[:200])
    return render(request, "parks/vacant.html", {"form": form, "units": found, "day": day})


@login_required
def tax(request):
    """税收过亿元楼宇 each month of a year, and those newly over in it (新培育)."""
    today = timezone.localdate()
    year = small_int(request.GET.get("year")) or today.year
    if not 2000 <= year <= 2100:
        year = today.year
    buildings = list(Building.objects.restrict(request.user).select_related("park"))
    last = (year, 12) if year < today.year else occupancy.shift((today.year, today.month), -1)
    first = (year, 1)
    rows = []
    if last >= first:
        history = occupancy.over_yi(buildings, first, last)
        rows = [(f"{y}-{m:02d}", found) for (y, m), found in history.items()]
        new = occupancy.newly_over_yi(buildings, first, last)
    else:
        new = []
    return render(request, "parks/tax.html", {"year": year, "rows": rows, "new": new,
                                              "years": range(today.year, today.year - 6, -1)})


# ---------------------------------------------------------------- edits (each through a service)


@login_required
def park_edit(request, pk: int):
    """A park's profile: its chain, managing unit and planned area."""
    park = restrict_regions(Region.objects.filter(level=RegionLevel.PARK), request.user).filter(pk=pk).first()
    if park is None:
        raise Http404(_("园区不存在或不在您的管理范围内"))
    if not may(request.user, Action.CHANGE, park.parent):
        raise PermissionDenied(_("您没有权限修改该园区"))
    profile = ParkProfile.objects.filter(park=park).first()
    form = ParkProfileForm(request.POST or None, instance=profile, park=park)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_park_profile(request.user, park, form.cleaned_data)
        except ValidationError as e:
            form.service_errors(e)
        else:
            messages.success(request, _("已保存园区概况"))
            return redirect("parks:park_list")
    return render(request, "parks/edit.html", {"form": form, "title": _("园区概况"), "subject": park,
                                                "back": "parks:park_list"})


@login_required
def building_add(request):
    if not can(request.user, Action.CHANGE):
        raise PermissionDenied(_("您没有权限登记楼宇"))
    form = BuildingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            building = services.create_building(request.user, form.cleaned_data)
        except ValidationError as e:
            form.service_errors(e)
        else:
            messages.success(request, _("已登记楼宇"))
            return redirect("parks:building_detail", pk=building.pk)
    return render(request, "parks/edit.html", {"form": form, "title": _("登记楼宇"), "back": "parks:park_list"})


@login_required
def building_edit(request, pk: int):
    building = _building_or_404(request, pk, Action.CHANGE)
    form = BuildingForm(request.POST or None, instance=building, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_building(request.user, Building.objects.get(pk=building.pk), form.cleaned_data)
        except ValidationError as e:
            form.service_errors(e)
        else:
            messages.success(request, _("已保存楼宇信息"))
            return redirect("parks:building_detail", pk=building.pk)
    return render(request, "parks/edit.html", {"form": form, "title": _("修改楼宇"), "subject": building,
                                                "back_building": building})


@login_required
def unit_add(request, pk: int):
    building = _building_or_404(request, pk, Action.CHANGE)
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_unit(request.user, building, form.cleaned_data)
        except ValidationError as e:
            form.service_errors(e)
        else:
            messages.success(request, _("已登记单元"))
            return redirect("parks:building_detail", pk=building.pk)
    return render(request, "parks/edit.html", {"form": form, "title": _("登记单元"), "subject": building,
                                                "back_building": building})


@login_required
def unit_edit(request, pk: int):
    unit = SpaceUnit.objects.restrict(request.user).select_related("building").filter(pk=pk).first()
    if unit is None:
        raise Http404(_("单元不存在或不在您的管理范围内"))
    if not may(request.user, Action.CHANGE, unit):
        raise PermissionDenied(_("您没有权限修改该楼宇"))
    form = UnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_unit(request.user, SpaceUnit.objects.select_related("building").get(pk=unit.pk),
                                 form.cleaned_data)
        except ValidationError as e:
            form.service_errors(e)
        else:
            messages.success(request, _("已保存单元"))
            return redirect("parks:building_detail", pk=unit.building_id)
    return render(request, "parks/edit.html", {"form": form, "title": _("修改单元"), "subject": unit,
                                                "back_building": unit.building})


@login_required
@require_POST
def tenancy_end(request, pk: int):
    """A firm moves out of its unit."""
    tenancy = Tenancy.objects.restrict(request.user).select_related("unit").filter(pk=pk).first()
    if tenancy is None:
        raise Http404(_("租赁记录不存在或不在您的管理范围内"))
    if not may(request.user, Action.CHANGE, tenancy):
        raise PermissionDenied(_("您没有权限修改该楼宇"))
    form = EndTenancyForm(request.POST)
    if form.is_valid():
        try:
            services.end_tenancy(request.user, tenancy, form.cleaned_data["end"])
            messages.success(request, _("已登记退租"))
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
    else:
        messages.error(request, " ".join(str(m) for errs in form.errors.values() for m in errs))
    return redirect("parks:building_detail", pk=tenancy.unit.building_id)


@login_required
def tax_import(request):
    """The tax office's monthly sheet: upload, then a preview to confirm."""
    if not can(request.user, Action.CHANGE):
        raise PermissionDenied(_("您没有权限导入税收数据"))
    last = occupancy.shift((timezone.localdate().year, timezone.localdate().month), -1)
    form = TaxImportForm(request.POST or None, request.FILES or None, user=request.user,
                         initial={"year": last[0], "month": last[1]})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            upload = services.start_tax_import(request.user, d["region"], d["year"], d["month"], d["file"],
                                               d["file"].name)
        except ValidationError as e:
            for m in e.messages:
                form.add_error("file", m)
        else:
            return redirect("parks:tax_preview", token=upload.token)
    return render(request, "parks/tax_import.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def tax_preview(request, token: str):
    upload = TaxImport.objects.restrict(request.user).select_related("region").filter(token=token).first()
    if upload is None or not may(request.user, Action.CHANGE, upload.region):
        raise Http404(_("导入批次不存在或不在您的管理范围内"))
    errors = []
    if request.method == "POST":
        try:
            count = services.apply_tax_import(request.user, upload)
        except ValidationError as e:
            errors = e.messages
        else:
            messages.success(request, _("已导入%(n)s家企业%(year)s年%(month)s月的税收") % {
                "n": count, "year": upload.year, "month": upload.month})
            return redirect(f"{reverse('parks:tax')}?year={upload.year}")
    rows = upload.rows
    total = sum(Decimal(r["amount"]) for r in rows if r["amount"] is not None and not r["errors"])
    return render(request, "parks/tax_preview.html", {
        "upload": upload, "rows": rows[:2000], "more": max(len(rows) - 2000, 0), "errors": errors,
        "problems": upload.errors, "total": total}, status=400 if errors else 200)
