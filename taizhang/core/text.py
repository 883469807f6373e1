"""Names as people type them: invisible and direction-changing characters removed, and
compared after NFKC so that "智慧港口" and "智慧港口\u200b" or a full-width twin are one name."""

from __future__ import annotations

import re
import unicodedata

#: Zero-width characters, direction marks and overrides, BOM, word joiner, soft hyphen.
INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"\s+")


def clean_name(value: str) -> str:
    """What is stored: no invisible characters, spaces collapsed, trimmed."""
    return _SPACES.sub(" ", INVISIBLE.sub("", value or "")).strip()


def name_key(value: str) -> str:
    """What is compared: NFKC, no spaces or invisible characters."""
    return _SPACES.sub("", INVISIBLE.sub("", unicodedata.normalize("NFKC", value or "")))
