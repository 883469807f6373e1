from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _install_stamp(sender, using="default", **kwargs):
    from django.db import connections

    from .stamp import install

    install(connections[using])


class MonitoringConfig(AppConfig):
    name = "taizhang.monitoring"
    verbose_name = _("调度监测")

    def ready(self):
        # after every migrate (and flush): a table rebuilt by a migration loses its triggers
        post_migrate.connect(_install_stamp, sender=self, dispatch_uid="taizhang.monitoring.stamp")
        # the apps below this one ask whether the ledger changed through core (an import's
        # confirm uses its dry run's decisions while it has not)
        from taizhang.core import marks

        from . import stamp

        marks.provide(stamp.mark, stamp.holds)
