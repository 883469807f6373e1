from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    DISTRICT = "district", _("区/县/县级市")
    STREET = "street", _("街道/镇")
    PARK = "park", _("园区")


class UnitKind(models.TextChoices):
    BUREAU = "bureau", _("部门")
    STREET = "street", _("街道/镇")
    PARK = "park", _("园区管委")
    COMPANY = "company", _("国有企业")
    OTHER = "other", _("其他")
