"""The ``taizhang`` command: Django's manage.py, plus ``read`` which runs without Django."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] == "read":
        # The reader is a plain package: no settings, no database.
        from taizhang.reader.cli import main as read_main

        return read_main(argv[2:])
    if len(argv) > 1 and argv[1] == "demo":
        # The demo runs as production does (no DEBUG), on the loopback address over HTTP.
        os.environ.setdefault("TAIZHANG_DEMO", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taizhang.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
