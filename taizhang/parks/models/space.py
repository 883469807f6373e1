"""Parks, buildings, their units and who rents them; the firms' monthly tax the buildings'
tax is computed from."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from taizhang.core.history import history_user
from taizhang.core.models import TimeStampedModel
from taizhang.regions.choices import RegionLevel

from ..choices import BuildingKind, Source
from .base import ScopedQuerySet, area_bounds, money_bounds


class ParkQuerySet(ScopedQuerySet):
    region_field = "park__"


class ParkProfile(TimeStampedModel):
    """What a park (a Region of level 园区) needs beyond its place in the tree: the chain it is
    built for, the unit that runs it, its planned area."""

    park = models.OneToOneField("regions.Region", verbose_name=_("园区"), on_delete=models.CASCADE,
                                related_name="park_profile", limit_choices_to={"level": RegionLevel.PARK})
    chain = models.ForeignKey("regions.IndustryChain", verbose_name=_("主导产业链"), on_delete=models.PROTECT,
                              related_name="park_profiles", null=True, blank=True)
    managing_unit = models.ForeignKey("regions.Unit", verbose_name=_("运营管理单位"), on_delete=models.PROTECT,
                                      related_name="managed_parks", null=True, blank=True)
    specialised = models.BooleanField(_("专业化园区"), default=True)
    planned_area_m2 = models.DecimalField(_("规划建筑面积(平方米)"), max_digits=14, decimal_places=2,
                                          null=True, blank=True, validators=area_bounds)
    description = models.TextField(_("简介"), blank=True)
    source = models.CharField(_("数据来源"), max_length=16, choices=Source.choices, default=Source.ENTERED)
    source_doc = models.CharField(_("来源文件"), max_length=200, blank=True)

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])
    objects = ParkQuerySet.as_manager()

    class Meta:
        ordering = ["park__path"]
        verbose_name = _("园区概况")
        verbose_name_plural = _("园区概况")

    def __str__(self) -> str:
        return str(self.park)

    @property
    def region(self):
        return self.park.parent

    def clean(self) -> None:
        if self.park_id and self.park.level != RegionLevel.PARK:
            raise ValidationError({"park": _("所选区域不是园区")})
        district = self.park.parent_id if self.park_id else None
        if self.chain_id and self.chain.region_id != district:
            raise ValidationError({"chain": _("产业链不属于园区所在区")})
        if self.managing_unit_id and self.managing_unit.region_id != district:
            raise ValidationError({"managing_unit": _("管理单位不属于园区所在区")})


class Building(TimeStampedModel):
    """A building firms rent space in: a 特色楼宇 of one industry, or an 工业楼宇 built for
    工业上楼 (its floor load, ceiling height and freight lifts decide which firms it can take).
    A figure nobody has published for a real building stays empty."""

    region = models.ForeignKey("regions.Region", verbose_name=_("所属区"), on_delete=models.PROTECT,
                               related_name="buildings")
    park = models.ForeignKey("regions.Region", verbose_name=_("所在园区"), on_delete=models.PROTECT,
                             related_name="park_buildings", null=True, blank=True)
    name = models.CharField(_("楼宇名称"), max_length=100)
    kind = models.CharField(_("楼宇类型"), max_length=16, choices=BuildingKind.choices, default=BuildingKind.FEATURED)
    theme = models.CharField(_("主导产业"), max_length=64, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    gross_area_m2 = models.DecimalField(_("建筑面积(平方米)"), max_digits=14, decimal_places=2, null=True,
                                        blank=True, validators=area_bounds)
    floors = models.PositiveSmallIntegerField(_("地上层数"), null=True, blank=True,
                                              validators=[MaxValueValidator(200)])
    floor_load_kn = models.DecimalField(_("楼面荷载(kN/㎡)"), max_digits=6, decimal_places=2, null=True, blank=True,
                                        validators=[MinValueValidator(0), MaxValueValidator(100)])
    ceiling_m = models.DecimalField(_("层高(米)"), max_digits=5, decimal_places=2, null=True, blank=True,
                                    validators=[MinValueValidator(0), MaxValueValidator(50)])
    freight_lifts = models.PositiveSmallIntegerField(_("货梯数量"), null=True, blank=True,
                                                     validators=[MaxValueValidator(100)])
    freight_lift_kg = models.PositiveIntegerField(_("货梯载重(千克)"), null=True, blank=True,
                                                  validators=[MaxValueValidator(100000)])
    opened = models.DateField(_("投用日期"), null=True, blank=True)
    source = models.CharField(_("数据来源"), max_length=16, choices=Source.choices, default=Source.ENTERED)
    source_doc = models.CharField(_("来源文件"), max_length=200, blank=True)

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["region__path", "park__path", "name"]
        verbose_name = _("楼宇")
        verbose_name_plural = _("楼宇")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="building_unique_name",
                                               violation_error_message=_("该区已有同名楼宇"))]

    def __str__(self) -> str:
        return self.name

    @property
    def is_real(self) -> bool:
        return self.source != Source.GENERATED

    def clean(self) -> None:
        errors = {}
        if self.region_id and self.region.level != RegionLevel.DISTRICT:
            errors["region"] = _("所属区应为区/县/县级市")
        if self.park_id and (self.park.level != RegionLevel.PARK or self.park.parent_id != self.region_id):
            errors["park"] = _("园区不属于所选的区")
        if errors:
            raise ValidationError(errors)


class UnitQuerySet(ScopedQuerySet):
    region_field = "building__region__"


class SpaceUnit(TimeStampedModel):
    """A lettable unit of a building (a floor, or part of one) with its area; where it differs
    from the building, its own floor load and ceiling height."""

    building = models.ForeignKey(Building, verbose_name=_("楼宇"), on_delete=models.CASCADE, related_name="units")
    floor = models.SmallIntegerField(_("楼层"), validators=[MinValueValidator(-10), MaxValueValidator(200)])
    code = models.CharField(_("房号"), max_length=32)
    area_m2 = models.DecimalField(_("面积(平方米)"), max_digits=12, decimal_places=2, validators=area_bounds)
    floor_load_kn = models.DecimalField(_("楼面荷载(kN/㎡)"), max_digits=6, decimal_places=2, null=True, blank=True,
                                        validators=[MinValueValidator(0), MaxValueValidator(100)])
    ceiling_m = models.DecimalField(_("层高(米)"), max_digits=5, decimal_places=2, null=True, blank=True,
                                    validators=[MinValueValidator(0), MaxValueValidator(50)])
    asking_rent = models.DecimalField(_("挂牌租金(元/㎡·月)"), max_digits=10, decimal_places=2, null=True,
                                      blank=True, validators=[MinValueValidator(0), MaxValueValidator(100000)])

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])
    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["building", "floor", "code"]
        verbose_name = _("楼宇单元")
        verbose_name_plural = _("楼宇单元")
        constraints = [models.UniqueConstraint(fields=["building", "code"], name="space_unit_unique_code",
                                               violation_error_message=_("该楼宇已有相同房号"))]

    def __str__(self) -> str:
        return f"{self.building} {self.code}"

    @property
    def region(self):
        return self.building.region

    @property
    def load(self) -> Decimal | None:
        return self.floor_load_kn if self.floor_load_kn is not None else self.building.floor_load_kn

    @property
    def height(self) -> Decimal | None:
        return self.ceiling_m if self.ceiling_m is not None else self.building.ceiling_m

    def clean(self) -> None:
        if self.area_m2 is not None and self.area_m2 <= 0:
            raise ValidationError({"area_m2": _("面积应大于0")})


class TenancyQuerySet(ScopedQuerySet):
    region_field = "unit__building__region__"

    def on(self, day):
        """Tenancies in force on ``day`` (moved in on or before it, not yet moved out)."""
        return self.filter(Q(end__isnull=True) | Q(end__gte=day), start__lte=day)


class Tenancy(TimeStampedModel):
    """A firm renting a unit from ``start`` to ``end`` (its last day; empty while it runs).
    One unit, one tenant at a time: tenancies of a unit never overlap."""

    unit = models.ForeignKey(SpaceUnit, verbose_name=_("单元"), on_delete=models.PROTECT, related_name="tenancies")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="tenancies")
    area_m2 = models.DecimalField(_("租赁面积(平方米)"), max_digits=12, decimal_places=2, validators=area_bounds)
    start = models.DateField(_("入驻日期"))
    end = models.DateField(_("退租日期"), null=True, blank=True, help_text=_("租期最后一天;在租时留空"))
    rent = models.DecimalField(_("租金(元/㎡·月)"), max_digits=10, decimal_places=2, null=True, blank=True,
                               validators=[MinValueValidator(0), MaxValueValidator(100000)])
    source = models.CharField(_("数据来源"), max_length=16, choices=Source.choices, default=Source.ENTERED)

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])
    objects = TenancyQuerySet.as_manager()

    class Meta:
        ordering = ["unit", "start"]
        verbose_name = _("租赁")
        verbose_name_plural = _("租赁")
        constraints = [models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                                              name="tenancy_end_after_start",
                                              violation_error_message=_("退租日期不能早于入驻日期"))]

    def __str__(self) -> str:
        return gettext("%(firm)s 租用 %(unit)s") % {"firm": self.enterprise, "unit": self.unit}

    @property
    def region(self):
        return self.unit.building.region

    def clean(self) -> None:
        errors = {}
        if self.end and self.start and self.end < self.start:
            errors["end"] = _("退租日期不能早于入驻日期")
        if self.unit_id and self.area_m2 is not None:
            if self.area_m2 <= 0:
                errors["area_m2"] = _("租赁面积应大于0")
            elif self.area_m2 > self.unit.area_m2:
                errors["area_m2"] = _("租赁面积不能大于单元面积(%(area)s平方米)") % {"area": self.unit.area_m2}
        if self.unit_id and self.enterprise_id and self.enterprise.region_id != self.unit.building.region_id:
            errors["enterprise"] = _("企业不属于楼宇所在区")
        if errors:
            raise ValidationError(errors)


class FirmTaxQuerySet(ScopedQuerySet):
    region_field = "enterprise__region__"


class FirmMonthlyTax(TimeStampedModel):
    """A firm's tax paid in one month (万元), as the tax office reported it by 统一社会信用代码:
    a building's tax is the sum over the firms renting in it that month."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE,
                                   related_name="monthly_taxes")
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    month = models.PositiveSmallIntegerField(_("月份"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    amount = models.DecimalField(_("税收(万元)"), max_digits=16, decimal_places=4, validators=money_bounds)
    source_doc = models.CharField(_("来源文件"), max_length=200, blank=True)

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])
    objects = FirmTaxQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise", "year", "month"]
        verbose_name = _("企业月度税收")
        verbose_name_plural = _("企业月度税收")
        constraints = [models.UniqueConstraint(fields=["enterprise", "year", "month"], name="firm_tax_unique_month",
                                               violation_error_message=_("该企业该月已有税收数据"))]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}-{self.month:02d} {self.amount}"

    @property
    def region(self):
        return self.enterprise.region


class TaxImportQuerySet(ScopedQuerySet):
    pass


class TaxImport(models.Model):
    """One upload of the tax office's monthly sheet, read and joined to the registry on
    统一社会信用代码, waiting for the user to confirm. Confirmed once, all rows or none (by the
    one writer, :func:`taizhang.parks.services.record_firm_taxes`); rows with errors block it."""

    token = models.CharField(_("批次号"), max_length=32, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.SET_NULL,
                             null=True, blank=True, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name=_("所属区"), on_delete=models.PROTECT,
                               related_name="tax_imports")
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    month = models.PositiveSmallIntegerField(_("月份"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    filename = models.CharField(_("文件名"), max_length=200)
    rows = models.JSONField(_("数据行"), default=list)
    #: the rows the reading set aside and what it said (``Table.reading()``), shown in the preview
    reading = models.JSONField(_("读表结果"), default=dict, blank=True)
    applied = models.DateTimeField(_("确认时间"), null=True, blank=True)
    created = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = TaxImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("月度税收导入")
        verbose_name_plural = _("月度税收导入")

    def __str__(self) -> str:
        return self.filename

    @property
    def errors(self) -> list[str]:
        return [m for r in self.rows for m in r.get("errors", [])]
