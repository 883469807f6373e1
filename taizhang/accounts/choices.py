from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("市级管理员")
    DISTRICT_ADMIN = "district_admin", _("区级管理员")
    DISTRICT_REPORTER = "district_reporter", _("区级填报员")
    UNIT_USER = "unit_user", _("责任单位用户")
    LEADER = "leader", _("领导")
