"""The reader: every number in a government report or news item, as a fact with its source.

A plain library (it imports nothing from Django)::

    from taizhang.reader import read_bytes, read_path, read_text

    for fact in read_text(text, doc="report.txt"):
        print(fact.indicator, fact.value, fact.unit)

Offsets always point into the original text as decoded, whatever normalisation
(traditional characters, pinyin, full-width digits, HTML tags, hard line breaks, PDF
spaces) happened in between. ``iter_path`` reads a large file piece by piece, so memory
stays flat whatever its size.

How it reads, module by module: ``_decode`` (bytes to text), ``_normalize`` (the layout
pass), ``_layout`` (articles, page furniture, sections, the document's place and year),
``_places`` (the national gazetteer in ``data/gazetteer.tsv``), ``_numbers`` (the numeral
grammar), ``_tables`` (pipe- and space-aligned tables), ``_grammar`` (what each number
measures), ``_context`` (status, period and place of a fact), ``_periods`` (years).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

from ._decode import decode
from ._errors import BinaryInput, EmptyInput, ReaderError, UndecodableInput
from ._facts import Fact
from ._grammar import read_article as _read_article
from ._layout import Article as _Article
from ._layout import Places as _Places
from ._layout import split_articles as _split_articles
from ._normalize import normalize as _normalize
from ._places import gazetteer as _gazetteer

__all__ = [
    "BinaryInput", "EmptyInput", "Fact", "ReaderError", "UndecodableInput",
    "broken_runs", "iter_path", "load_path", "read_bytes", "read_path", "read_text",
]

#: files larger than this are refused
MAX_BYTES = 512 * 1024 * 1024
#: a large file is read in pieces of about this many characters, cut at a line break, so
#: memory stays flat whatever its size
PIECE_CHARS = 1_000_000


def read_text(text: str, doc: str = "") -> list[Fact]:
    """All facts of one document's text."""
    return _read(text, doc)[0]


def _read(text: str, doc: str, before: _Article | None = None) -> tuple[list[Fact], _Article | None]:
    """Facts of a text, and its first article (whose place and year a next piece inherits)."""
    norm = _normalize(text)
    places = _Places(_gazetteer().matcher(norm.text), norm.text)
    facts: list[Fact] = []
    articles = _split_articles(norm.text, places, before)
    for article in articles:
        facts.extend(_read_article(norm, article, doc))
    return facts, (before or (articles[0] if articles else None))


def iter_path(path: str | Path) -> Iterator[Fact]:
    """Facts of one file, read piece by piece for a large file (offsets into the whole text)."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ReaderError(f"文件过大({size // (1024 * 1024)} MB,上限 {MAX_BYTES // (1024 * 1024)} MB)")
    if size <= 2 * PIECE_CHARS:
        yield from read_text(load_path(path), doc=path.name)
        return
    with path.open("rb") as fh:
        _, encoding = decode(_whole_characters(fh.read(1 << 16)))
        fh.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        first: _Article | None = None
        offset = 0
        pending = ""
        while True:
            block = fh.read(PIECE_CHARS)
            pending += decoder.decode(block, final=not block)
            while len(pending) > PIECE_CHARS or (not block and pending):
                cut = _cut(pending, PIECE_CHARS) if len(pending) > PIECE_CHARS else len(pending)
                piece, pending = pending[:cut], pending[cut:]
                facts, first = _read(piece, path.name, first)
                for f in facts:
                    f.start += offset
                    f.end += offset
                    yield f
                offset += len(piece)
            if not block:
                return


def _whole_characters(head: bytes) -> bytes:
    """The first bytes of a file without a character cut at the end (for detection)."""
    for k in range(4):
        try:
            (head[:len(head) - k] if k else head).decode("utf-8")
            return head[:len(head) - k] if k else head
        except UnicodeDecodeError:
            continue
    return head[:len(head) - len(head) % 2]


def _cut(text: str, size: int) -> int:
    """Where to end a piece of at most ``size`` characters: after a line, else a sentence."""
    for mark in ("\n", "。", ";", ",", ","):
        at = text.rfind(mark, size // 2, size)
        if at != -1:
            return at + 1
    return size


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
