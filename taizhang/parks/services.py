"""Writes of parks and buildings (the one door): park profiles, buildings, units, tenancies
and the firms' monthly tax. The 亩均效益评价's writes are in :mod:`.evaluation`."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from taizhang.core.history import change_context
from taizhang.core.numbers import MAX_AMOUNT_WAN
from taizhang.core.scope import Action, may
from taizhang.core.workbook import (
    CellError,
    Field,
    WorkbookError,
    clean,
    open_workbook,
    read_amount,
    read_table,
)
from taizhang.enterprises.models import Enterprise
from taizhang.projects.validators import validate_credit_code
from taizhang.regions.choices import RegionLevel

from .models import Building, FirmMonthlyTax, ParkProfile, SpaceUnit, TaxImport, Tenancy
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


def _refuse_over_gross(building: Building, unit: SpaceUnit) -> None:
    """The units of a building together are at most its gross area (when it is known)."""
    others = building.units.exclude(pk=unit.pk) if unit.pk else building.units.all()
    total = sum((u.area_m2 for u in others), Decimal("0")) + unit.area_m2
    if building.gross_area_m2 is not None and total > building.gross_area_m2:
        raise ValidationError({"area_m2": _("各单元面积合计(%(total)s平方米)超过楼宇建筑面积(%(gross)s平方米)")
                               % {"total": total, "gross": building.gross_area_m2}})


def add_unit(user, building: Building, data: dict[str, Any]) -> SpaceUnit:
    _require(user, Action.CHANGE, building)
    unit = SpaceUnit(building=building, **data)
    refuse_non_finite(unit)
    unit.full_clean(validate_constraints=False)
    _refuse_over_gross(building, unit)
    with transaction.atomic(), change_context(user, gettext_noop("登记楼宇单元")):
        _saved(unit, _("该楼宇已有相同房号"))
    return unit


#: a unit's fields a person may change (its building stays: a unit does not move)
UNIT_FIELDS = ("floor", "code", "area_m2", "floor_load_kn", "ceiling_m", "asking_rent")


def update_unit(user, unit: SpaceUnit, data: dict[str, Any]) -> SpaceUnit:
    """Change a unit's floor, number, area or properties. Its area stays at least that of
    every tenancy of it (or the 入驻率 of those months would exceed 100 %)."""
    _require(user, Action.CHANGE, unit)
    unknown = set(data) - set(UNIT_FIELDS)
    if unknown:
        raise ValidationError(_("不能修改:%(fields)s") % {"fields": "、".join(sorted(unknown))})
    for field, value in data.items():
        setattr(unit, field, value)
    refuse_non_finite(unit)
    unit.full_clean(validate_constraints=False)
    _refuse_over_gross(unit.building, unit)
    widest = unit.tenancies.order_by("-area_m2").first()
    if widest is not None and widest.area_m2 > unit.area_m2:
        raise ValidationError({"area_m2": _("面积不能小于“%(firm)s”的租赁面积(%(area)s平方米)")
                               % {"firm": widest.enterprise, "area": widest.area_m2}})
    with transaction.atomic(), change_context(user, gettext_noop("修改楼宇单元")):
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
                      source_doc: str = "", row_numbers: list[int] | None = None) -> int:
    """The tax office's month, as (统一社会信用代码, 万元) pairs: all or none. A code the district's
    registry does not know is refused with its line number (the building tax joins on it):
    ``row_numbers`` are the sheet's rows, else the pairs are numbered from 1."""
    _require(user, Action.CHANGE, region, _("您没有权限导入该区的税收数据"))
    if not (2000 <= int(year) <= 2100 and 1 <= int(month) <= 12):
        raise ValidationError(_("年月不正确"))
    firms = dict(Enterprise.objects.filter(region=region).exclude(credit_code="").values_list("credit_code", "pk"))
    errors, clean_rows = [], []
    numbers = row_numbers if row_numbers is not None else range(1, len(rows) + 1)
    for number, (code, amount) in zip(numbers, rows, strict=True):
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


# ---------------------------------------------------------------- the tax office's sheet

#: the credit code is the column that identifies a row (the workbook reader's "name"): the
#: sheet is joined on it, and a row without one is an error, not a firm
TAX_FIELDS = {
    "name": Field(gettext_noop("统一社会信用代码"), ("统一社会信用代码", "社会信用代码", "信用代码", "纳税人识别号")),
    "firm_name": Field(gettext_noop("企业名称"), ("企业名称", "纳税人名称", "单位名称", "企业")),
    "amount": Field(gettext_noop("税收"), ("税收", "实缴税收", "入库税收", "税收收入", "实缴税金", "税额", "纳税额",
                                         "本月税收", "当月税收"), kind="money"),
}
MAX_TAX_ROWS = 50_000


def read_tax_sheet(file, filename: str = "") -> tuple[list[dict[str, Any]], dict[str, list]]:
    """The tax office's sheet as rows {row, name, credit_code, amount, errors}: each error
    names the sheet, the row and the column, in Chinese; and what the reading set aside and
    said (:meth:`Table.reading`)."""
    try:
        sheets = open_workbook(file, filename)
        if not sheets:
            raise ValidationError(_("工作簿中没有工作表"))
        sheet = sheets[0]
        table = read_table(sheet, TAX_FIELDS, required="name", max_rows=MAX_TAX_ROWS)
    except WorkbookError as exc:
        raise ValidationError(str(exc)) from exc
    columns = {c.field: c for c in table.columns if c.field}
    if "amount" not in columns:
        raise ValidationError(_("工作表“%(sheet)s”没有“税收”列") % {"sheet": sheet.name})
    rows, seen = [], {}
    for number, cells in table.rows:
        def cell(name, cells=cells):
            column = columns.get(name)
            return cells[column.index] if column is not None and column.index < len(cells) else None

        where = {"sheet": sheet.name, "row": number}
        errors: list[str] = []
        code = clean(cell("name")).upper()
        try:
            if not code:
                raise ValidationError(_("不能为空"))
            validate_credit_code(code)
        except ValidationError as exc:
            errors.append(_("工作表“%(sheet)s”第%(row)s行 统一社会信用代码:%(msg)s")
                          % {**where, "msg": " ".join(exc.messages)})
        if code and code in seen and not errors:
            errors.append(_("工作表“%(sheet)s”第%(row)s行 统一社会信用代码:与第%(first)s行重复")
                          % {**where, "first": seen[code]})
        seen.setdefault(code, number)
        amount = None
        try:
            amount = read_amount(cell("amount"), table.unit_of(columns["amount"]), negative=True).value
            if amount is None:
                raise CellError(_("不能为空"))
        except CellError as exc:
            errors.append(_("工作表“%(sheet)s”第%(row)s行 %(column)s:%(msg)s")
                          % {**where, "column": columns["amount"].title, "msg": exc})
        rows.append({"row": number, "name": clean(cell("firm_name") or ""), "credit_code": code,
                     "amount": None if amount is None else str(amount), "firm": None, "errors": errors})
    if not rows:
        raise ValidationError(_("工作表“%(sheet)s”没有数据行") % {"sheet": sheet.name})
    return rows, table.reading()


def start_tax_import(user, region, year: int, month: int, file, filename: str = "") -> TaxImport:
    """Read the sheet and join it to the district's registry; nothing is recorded until
    :func:`apply_tax_import`. A code the registry does not know is an error of its row."""
    _require(user, Action.CHANGE, region, _("您没有权限导入该区的税收数据"))
    if region.level != RegionLevel.DISTRICT:
        raise ValidationError({"region": [_("请选择区/县")]})
    if not (2000 <= int(year) <= 2100 and 1 <= int(month) <= 12):
        raise ValidationError(_("年月不正确"))
    rows, reading = read_tax_sheet(file, filename)
    firms = {code: (pk, name) for code, pk, name in Enterprise.objects.filter(
        region=region, credit_code__in=[r["credit_code"] for r in rows if r["credit_code"]]).values_list(
        "credit_code", "pk", "name")}
    for r in rows:
        found = firms.get(r["credit_code"])
        if found is not None:
            r["firm"], r["firm_name"] = found
        elif not r["errors"]:
            r["errors"].append(_("第%(row)s行 统一社会信用代码:本区企业库中没有“%(code)s”")
                               % {"row": r["row"], "code": r["credit_code"]})
    return TaxImport.objects.create(token=uuid.uuid4().hex, user=user, region=region, year=year, month=month,
                                    filename=filename[:200], rows=rows, reading=reading)


def apply_tax_import(user, upload: TaxImport) -> int:
    """Record a previewed sheet through :func:`record_firm_taxes`: every row, or none while
    any row has an error; a second confirm of the same upload is refused."""
    _require(user, Action.CHANGE, upload.region, _("您没有权限导入该区的税收数据"))
    with transaction.atomic():
        locked = TaxImport.objects.select_for_update().get(pk=upload.pk)
        if locked.applied is not None:
            raise ValidationError(_("该表已经导入过"))
        if locked.errors:
            raise ValidationError(locked.errors[:200])
        count = record_firm_taxes(user, locked.region, locked.year, locked.month,
                                  [(r["credit_code"], r["amount"]) for r in locked.rows], locked.filename,
                                  row_numbers=[r["row"] for r in locked.rows])
        locked.applied = timezone.now()
        locked.save(update_fields=["applied"])
    return count
