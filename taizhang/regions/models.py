"""Places, the units responsible for projects, and each district's industry chains."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from taizhang.core.history import history_user
from taizhang.core.models import TimeStampedModel

from .choices import RegionLevel, UnitKind

_PARENT_LEVEL = {
    RegionLevel.PROVINCE: (),
    RegionLevel.CITY: (RegionLevel.PROVINCE,),
    RegionLevel.DISTRICT: (RegionLevel.CITY,),
    RegionLevel.STREET: (RegionLevel.DISTRICT,),
    RegionLevel.PARK: (RegionLevel.DISTRICT,),
}


class Region(TimeStampedModel):
    """A node of 省 → 市 → 区/县 → 街道/镇, with 园区 attached to a district.

    ``path`` holds the codes from the root ("370000/370200/370212/") so that a
    whole subtree is one indexed ``startswith`` query: scoping uses it everywhere.
    """

    code = models.CharField(
        _("区划代码"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^\d{6}(\d{3}|\d{6})?$|^P\d{6,11}$", _("区划代码应为6位、9位或12位数字"))],
        help_text=_("国家统计用区划代码,如 370212;园区用 P 加所在区代码加序号"),
    )
    name = models.CharField(_("名称"), max_length=64)
    short_name = models.CharField(_("简称"), max_length=32, blank=True)
    level = models.CharField(_("层级"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "regions.Region",
        verbose_name=_("上级"),
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
    )
    path = models.CharField(_("路径"), max_length=255, editable=False, db_index=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["path"]
        verbose_name = _("区域")
        verbose_name_plural = _("区域")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        allowed = _PARENT_LEVEL.get(self.level, ())
        if allowed and (self.parent is None or self.parent.level not in allowed):
            raise ValidationError({"parent": _("该层级的上级区域层级不正确")})
        if not allowed and self.parent is not None:
            raise ValidationError({"parent": _("省级区域没有上级")})
        if self.pk and self.parent and self.parent.path.startswith(self.path):
            raise ValidationError({"parent": _("不能把区域移到它自己的下级之下")})

    def save(self, *args, **kwargs) -> None:
        old_path = None
        if self.pk:
            old_path = Region.objects.filter(pk=self.pk).values_list("path", flat=True).first()
        self.path = (self.parent.path if self.parent else "") + self.code + "/"
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            for child in self.children.all():
                child.save()

    @property
    def district(self) -> Region | None:
        """The 区/县 this region belongs to (itself for a district)."""
        node: Region | None = self
        while node is not None and node.level not in (RegionLevel.DISTRICT,):
            if node.level in (RegionLevel.CITY, RegionLevel.PROVINCE):
                return None
            node = node.parent
        return node

    def subtree(self):
        return Region.objects.filter(path__startswith=self.path)


class Unit(TimeStampedModel):
    """A responsible unit (责任单位): a bureau, a street office, a park committee."""

    name = models.CharField(_("单位名称"), max_length=100)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="units"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=UnitKind.choices, default=UnitKind.BUREAU)
    contact_person = models.CharField(_("联系人"), max_length=32, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["region__path", "name"]
        verbose_name = _("责任单位")
        verbose_name_plural = _("责任单位")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="unit_unique_name_per_region",
                violation_error_message=_("该区域已有同名单位"),
            )
        ]

    def __str__(self) -> str:
        return self.name


class IndustryChain(TimeStampedModel):
    """An industry chain (产业链) a district promotes, e.g. 虚拟现实, 人工智能."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所属区"), on_delete=models.PROTECT, related_name="chains"
    )
    name = models.CharField(_("产业链"), max_length=64)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["region__path", "name"]
        verbose_name = _("产业链")
        verbose_name_plural = _("产业链")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="chain_unique_name_per_region",
                violation_error_message=_("该区已有同名产业链"),
            )
        ]

    def __str__(self) -> str:
        return self.name
