"""The suite's settings: the project's own, with the development key (pytest-django still
runs every test with DEBUG off, as production does)."""

import os

os.environ.setdefault("TAIZHANG_DEBUG", "1")

from taizhang.settings import *  # noqa: E402, F403

# Figures are kept between requests only outside transactions (most tests run inside one);
# the thread that keeps them ahead after writes is started by the tests that ask for it.
TAIZHANG_KEEP_AHEAD = False
