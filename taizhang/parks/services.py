"""Writes of parks and buildings (the one door): park profiles, buildings, units, tenancies
and the firms' monthly tax. The 亩均效益评价's writes are in :mod:`.evaluation`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from taizhang.core.history import change_context
from taizhang.core.numbers import MAX_AMOUNT_WAN
from taizhang.core.scope import Action, may
from taizhang.enterprises.models import Enterprise

from .models import Building, FirmMonthlyTax, ParkProfile, SpaceUnit, Tenancy
from .models.base import refuse_non_finite


def _require(user, action: Action, obj=None, message: str | None = None) -> None:
    if not may(user, action, obj):
        raise PermissionDenied(message or _("您没有权限执行此操作"))


def _saved(obj, message: str) -> None:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise ValidationError(message) from exc


def save_park_profile(user, park, data: dict[str, Any]) -> ParkProfile:
    """A park's profile (chain, managing unit …), made on first save."""
    _require(user, Action.CHANGE, park.parent, _("您没有权限修改该园区"))
    profile = ParkProfile.objects.filter(park=park).first() or ParkProfile(park=park)
    for field, value in data.items():
        setattr(profile, field, value)
    refuse_non_finite(profile)
    profile.full_clean()
    with transaction.atomic(), change_context(user, gettext_noop("修改园区概况")):
        profile.save()
    return profile


def create_building(user, data: dict[str, Any]) -> Building:
    building = Building(**data)
    _require(user, Action.CHANGE, building.region if building.region_id else None, _("您没有权限在该区登记楼宇"))
    refuse_non_finite(building)
    building.full_clean(validate_constraints=False)
    with transaction.atomic(), change_context(user, gettext_noop("登记楼宇")):
        _saved(building, _("该区已有同名楼宇"))
    return building


def update_building(user, building: Building, data: dict[str, Any]) -> Building:
    _require(user, Action.CHANGE, building)
    for field, value in data.items():
        setattr(building, field, value)
    refuse_non_finite(building)
    building.full_clean(validate_constraints=False)
    _require(user, Action.CHANGE, building.region)  # not moved out of the user's reach
    with transaction.atomic(), change_context(user, gettext_noop("修改楼宇")):
        _saved(building, _("该区已有同名楼宇"))
    return building


def add_unit(user, building: Building, data: dict[str, Any]) -> SpaceUnit:
    _require(user, Action.CHANGE, building)
    unit = SpaceUnit(building=building, **data)
    refuse_non_finite(unit)
    unit.full_clean(validate_constraints=False)
    total = sum((u.area_m2 for u in building.units.all()), Decimal("0")) + unit.area_m2
    if building.gross_area_m2 is not None and total > building.gross_area_m2:
        raise ValidationError({"area_m2": _("各单元面积合计(%(total)s平方米)超过楼宇建筑面积(%(gross)s平方米)")
                               % {"total": total, "gross": building.gross_area_m2}})
    with transaction.atomic(), change_context(user, gettext_noop("登记楼宇单元")):
        _saved(unit, _("该楼宇已有相同房号"))
    return unit


def lease(user, unit: SpaceUnit, firm: Enterprise, start: dt.date, end: dt.date | None = None,
          area_m2: Decimal | None = None, rent: Decimal | None = None, source: str = "entered") -> Tenancy:
    """A firm moves into a unit. A unit has one tenant at a time: a tenancy overlapping another
    of the same unit is refused, naming the tenant already there."""
    _require(user, Action.CHANGE, unit)
    tenancy = Tenancy(unit=unit, enterprise=firm, start=start, end=end, rent=rent, source=source,
                      area_m2=unit.area_m2 if area_m2 is None else area_m2)
    refuse_non_finite(tenancy)
    tenancy.full_clean()
    with transaction.atomic(), change_context(user, gettext_noop("登记租赁")):
        SpaceUnit.objects.select_for_update().get(pk=unit.pk)  # two leases of one unit queue here
        _refuse_overlap(tenancy)
        tenancy.save()
    return tenancy


def _refuse_overlap(tenancy: Tenancy) -> None:
    overlapping = Tenancy.objects.filter(unit_id=tenancy.unit_id).exclude(pk=tenancy.pk).filter(
        Q(end__isnull=True) | Q(end__gte=tenancy.start))
    if tenancy.end is not None:
        overlapping = overlapping.filter(start__lte=tenancy.end)
    other = overlapping.select_related("enterprise").first()
    if other is not None:
        raise ValidationError(_("该单元在%(start)s至%(end)s已由“%(firm)s”租用,租期不能重叠") % {
            "start": other.start, "end": other.end or _("今"), "firm": other.enterprise})


def end_tenancy(user, tenancy: Tenancy, end: dt.date) -> Tenancy:
    """A firm moves out: ``end`` is its last day in the unit."""
    _require(user, Action.CHANGE, tenancy)
    if end < tenancy.start:
        raise ValidationError({"end": [_("退租日期不能早于入驻日期")]})
    with transaction.atomic(), change_context(user, gettext_noop("登记退租")):
        locked = Tenancy.objects.select_for_update().get(pk=tenancy.pk)
        locked.end = end
        locked.full_clean()
        _refuse_overlap(locked)
        locked.save()
    return locked


def record_firm_taxes(user, region, year: int, month: int, rows: list[tuple[str, Any]],
                      source_doc: str = "") -> int:
    """The tax office's month, as (统一社会信用代码, 万元) pairs: all or none. A code the district's
    registry does not know is refused with its line number (the building tax joins on it)."""
    _require(user, Action.CHANGE, region, _("您没有权限导入该区的税收数据"))
    if not (2000 <= int(year) <= 2100 and 1 <= int(month) <= 12):
        raise ValidationError(_("年月不正确"))
    firms = dict(Enterprise.objects.filter(region=region).exclude(credit_code="").values_list("credit_code", "pk"))
    errors, clean_rows = [], []
    for number, (code, amount) in enumerate(rows, start=1):
        code = (code or "").strip().upper()
        try:
            value = Decimal(str(amount).replace(",", "").strip())
        except ArithmeticError:
            errors.append(_("第%(n)s行 税收:“%(v)s”不是数字") % {"n": number, "v": amount})
            continue
        if not value.is_finite() or abs(value) > MAX_AMOUNT_WAN:
            errors.append(_("第%(n)s行 税收:“%(v)s”不是有效金额") % {"n": number, "v": amount})
            continue
        if code not in firms:
            errors.append(_("第%(n)s行 统一社会信用代码:本区企业库中没有“%(code)s”") % {"n": number, "code": code})
            continue
        clean_rows.append((firms[code], value.quantize(Decimal("0.0001"))))
    if errors:
        raise ValidationError(errors[:200])
    reason = gettext_noop("导入企业月度税收")
    with transaction.atomic(), change_context(user, reason):
        existing = {t.enterprise_id: t for t in FirmMonthlyTax.objects.select_for_update().filter(
            year=year, month=month, enterprise_id__in=[firm_id for firm_id, _v in clean_rows])}
        new, changed = [], []
        for firm_id, value in clean_rows:
            old = existing.get(firm_id)
            if old is None:
                new.append(FirmMonthlyTax(enterprise_id=firm_id, year=year, month=month, amount=value,
                                          source_doc=source_doc[:200]))
            elif old.amount != value:
                old.amount, old.source_doc = value, source_doc[:200]
                changed.append(old)
        bulk_create_with_history(new, FirmMonthlyTax, batch_size=1000, default_user=user,
                                 default_change_reason=reason)
        bulk_update_with_history(changed, FirmMonthlyTax, ["amount", "source_doc"], batch_size=1000,
                                 default_user=user, default_change_reason=reason)
    return len(clean_rows)
