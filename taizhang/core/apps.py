from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "taizhang.core"
    verbose_name = _("核心")

    def ready(self) -> None:
        from . import history  # noqa: F401  (connects the change-reason receiver)
