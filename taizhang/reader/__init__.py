"""The reader: every number in a government report or news item, as a fact with its source.

A plain library (it imports nothing from Django)::

    from taizhang.reader import read_bytes, read_path, read_text

    for fact in read_text(text, doc="report.txt"):
        print(fact.indicator, fact.value, fact.unit)

Offsets always point into the original text as decoded, whatever normalisation
(traditional characters, pinyin, full-width digits) happened in between.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ._decode import decode
from ._errors import BinaryInput, EmptyInput, ReaderError, UndecodableInput
from ._grammar import Fact
from ._grammar import read_article as _read_article
from ._layout import Places as _Places
from ._layout import split_articles as _split_articles
from ._normalize import normalize as _normalize
from ._places import gazetteer as _gazetteer

__all__ = [
    "BinaryInput", "EmptyInput", "Fact", "ReaderError", "UndecodableInput",
    "broken_runs", "load_path", "read_bytes", "read_path", "read_text",
]

#: files larger than this are refused rather than read into memory
MAX_BYTES = 64 * 1024 * 1024


def read_text(text: str, doc: str = "") -> list[Fact]:
    """All facts of one document's text."""
    norm = _normalize(text)
    places = _Places(_gazetteer().matcher(norm.text), norm.text)
    facts: list[Fact] = []
    for article in _split_articles(norm.text, places):
        facts.extend(_read_article(norm, article, doc))
    return facts


def broken_runs(text: str) -> list[tuple[int, int]]:
    """Spans of "??" left by a broken re-encoding: no fact is read from inside them."""
    from ._normalize import BROKEN

    return [(m.start(), m.end()) for m in BROKEN.finditer(text)]


def read_bytes(data: bytes, doc: str = "") -> list[Fact]:
    text, _ = decode(data)
    return read_text(text, doc)


def load_path(path: str | Path) -> str:
    """A file's text, decoded; too large, empty, binary or undecodable files raise ReaderError."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ReaderError(f"文件过大({size // (1024 * 1024)} MB,上限 {MAX_BYTES // (1024 * 1024)} MB)")
    text, _ = decode(path.read_bytes())
    return text


def read_path(path: str | Path) -> list[Fact]:
    return read_text(load_path(path), doc=Path(path).name)


def iter_paths(paths) -> Iterator[Path]:
    """Files named, and the files inside folders named, in a stable order."""
    for p in map(Path, paths):
        if p.is_dir():
            yield from sorted(q for q in p.rglob("*") if q.is_file() and not q.name.startswith("."))
        else:
            yield p
