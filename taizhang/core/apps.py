from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "taizhang.core"
    verbose_name = "核心"

    def ready(self) -> None:
        from . import history  # noqa: F401  (connects the change-reason receiver)
