from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "taizhang.monitoring"
    verbose_name = _("调度监测")
