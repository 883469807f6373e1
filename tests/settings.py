"""The suite's settings: the project's own, with the development key (pytest-django still
runs every test with DEBUG off, as production does)."""

import os

os.environ.setdefault("TAIZHANG_DEBUG", "1")

from taizhang.settings import *  # noqa: E402, F403
