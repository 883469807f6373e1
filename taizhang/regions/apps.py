from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "taizhang.regions"
    verbose_name = _("区域与单位")
