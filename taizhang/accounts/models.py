"""Users: one role each, tied to the region (and for 责任单位 users, the unit) they serve."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Role


class User(AbstractUser):
    """A platform user. What they may see and do follows from ``role`` and ``region``."""

    full_name = models.CharField(_("姓名"), max_length=32, blank=True)
    role = models.CharField(_("角色"), max_length=24, choices=Role.choices, default=Role.LEADER)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("所属区域"),
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
        help_text=_("市级角色选市,区级角色选区"),
    )
    unit = models.ForeignKey(
        "regions.Unit",
        verbose_name=_("所属责任单位"),
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
    )
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)

    class Meta:
        ordering = ["username"]
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    def clean(self) -> None:
        super().clean()
        if self.role == Role.UNIT_USER and self.unit_id is None:
            raise ValidationError({"unit": _("责任单位用户必须指定所属责任单位")})
        if self.role != Role.UNIT_USER and not self.is_superuser and self.region_id is None:
            raise ValidationError({"region": _("该角色必须指定所属区域")})
        if self.unit_id and self.region_id is None:
            self.region = self.unit.region

    @property
    def display_name(self) -> str:
        return self.full_name or self.username
