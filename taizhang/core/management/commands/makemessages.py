"""``makemessages`` that also extracts ``_l(...)``: modules import ``gettext_lazy as _l``
beside ``gettext as _``, and xgettext knows only the standard names.

Run inside an app that keeps its own catalogue (``taizhang/<app>/locale/``), it writes that
catalogue only: Django's own command would send the app's strings to the project catalogue
in ``LOCALE_PATHS``, whose folder contains the app's.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.commands import makemessages
from django.test.utils import override_settings


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_l"]

    def handle(self, *args, **options):
        own = Path("locale").resolve()
        if own.is_dir() and own not in {Path(p).resolve() for p in settings.LOCALE_PATHS}:
            with override_settings(LOCALE_PATHS=[]):
                return super().handle(*args, **options)
        return super().handle(*args, **options)
