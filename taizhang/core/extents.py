"""How many cells the sheets of an .xls or .ods file span, read from the file before
calamine loads it.

calamine loads every sheet of an .xls or .ods file when it opens it, each as a dense grid
from its first to its last cell: a 20 KB .xls with a cell in A1 and one in IV65536 on each
of 40 sheets asks for 20 GB, and the process aborts (an allocation failure in Rust is no
Python exception). These scans read what the file says, cheaply and with bounded memory, so
that such a file is refused first. Plain functions; nothing from Django.
"""

from __future__ import annotations

import array
import re
import struct
import sys
import zipfile
from typing import NamedTuple


class Unreadable(Exception):
    """The file is not the container it claims to be."""


class Span(NamedTuple):
    name: str
    rows: int
    cols: int

    @property
    def cells(self) -> int:
        return self.rows * self.cols


# --- OLE compound files (.xls, and an encrypted .xlsx) ---------------------------------------

_FREE, _END = 0xFFFFFFFF, 0xFFFFFFFE


assert sys.byteorder == "little", "the compound file's tables are read as native 32-bit integers"


class OleFile:
    """The streams of a compound file (MS-CFB), read by their names; any inconsistency is
    :class:`Unreadable`."""

    def __init__(self, data: bytes):
        if len(data) < 512 or data[:8] != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise Unreadable
        self.data = data
        shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
        if shift not in (9, 12) or mini_shift != 6:
            raise Unreadable
        self.size, self.mini_size = 1 << shift, 1 << mini_shift
        n_fat, first_dir = struct.unpack_from("<II", data, 0x2C)
        self.cutoff, first_minifat, _n_minifat, first_difat, n_difat = struct.unpack_from("<IIIII", data, 0x38)
        sectors = list(struct.unpack_from("<109I", data, 0x4C))
        per = self.size // 4
        seen: set[int] = set()
        at = first_difat
        for _ in range(n_difat):
            if at in seen or at >= _END:
                break
            seen.add(at)
            entries = struct.unpack(f"<{per}I", self._sector(at))
            sectors.extend(entries[:-1])
            at = entries[-1]
        # 4 bytes an entry (a list of ints would take 35 for a file of 20 MB)
        self.fat = array.array("I", b"".join(self._sector(s) for s in sectors[:n_fat]))
        directory = self._chain(first_dir)
        self.entries: dict[str, tuple[int, int]] = {}
        root = None
        for i in range(0, len(directory) - 127, 128):
            entry = directory[i:i + 128]
            length, kind = struct.unpack_from("<HB", entry, 0x40)
            start, size = struct.unpack_from("<II", entry, 0x74)
            name = entry[:max(0, min(length, 64) - 2)].decode("utf-16-le", "replace")
            if kind == 5 and root is None:
                root = (start, size)
            elif kind == 2:
                self.entries.setdefault(name.lower(), (start, size))
        self.minifat = array.array("I")
        self.ministream = b""
        if root is not None and first_minifat < _END:
            self.minifat = array.array("I", self._chain(first_minifat))
            self.ministream = self._chain(root[0])[:root[1]]

    def names(self) -> set[str]:
        return set(self.entries)

    def stream(self, name: str) -> bytes:
        start, size = self.entries[name.lower()]
        if size < self.cutoff:
            return self._chain(start, self.minifat, self.mini_size, self.ministream)[:size]
        return self._chain(start)[:size]

    def _sector(self, n: int) -> bytes:
        at = (n + 1) * self.size
        if at + self.size > len(self.data):
            raise Unreadable
        return self.data[at:at + self.size]

    def _chain(self, start: int, fat=None, size=None, base=None) -> bytes:
        fat = self.fat if fat is None else fat
        out, seen, at = [], set(), start
        while at < _END:
            if at in seen or at >= len(fat):
                raise Unreadable  # a loop, or a chain running off its table
            seen.add(at)
            if base is None:
                out.append(self._sector(at))
            else:
                piece = base[at * size:(at + 1) * size]
                if len(piece) < size:
                    raise Unreadable
                out.append(piece)
            at = fat[at]
        return b"".join(out)


# --- BIFF (.xls) ------------------------------------------------------------------------------

_BOF, _EOF, _BOUNDSHEET, _FILEPASS = 0x0809, 0x000A, 0x0085, 0x002F
#: Records of one cell: row and column are their first two fields.
_CELLS = {0x0006, 0x00FD, 0x0203, 0x027E, 0x0205, 0x0201, 0x0204, 0x00D6}
#: Records of a run of cells in one row: row, first column ... last column (the last field).
_RUNS = {0x00BD, 0x00BE}


def xls_spans(data: bytes) -> tuple[list[Span], bool]:
    """Each sheet of an .xls file as the grid calamine loads for it, and whether the file is
    encrypted (a password to open it)."""
    ole = OleFile(data)
    names = ole.names()
    if "encryptedpackage" in names:
        return [], True  # an .xlsx saved with a password is an OLE file holding the encrypted zip
    book = ole.stream("workbook") if "workbook" in names else ole.stream("book") if "book" in names else None
    if book is None:
        raise Unreadable
    sheets, encrypted, biff8 = [], False, True
    for typ, body, _at in _records(book, 0):
        if typ == _BOF:
            biff8 = len(body) >= 2 and struct.unpack_from("<H", body)[0] == 0x0600
        elif typ == _FILEPASS:
            encrypted = True
        elif typ == _BOUNDSHEET and len(body) >= 7:
            offset, kind = struct.unpack_from("<I", body)[0], body[5]
            sheets.append((offset, kind, _sheet_name(body[6:], biff8)))
        elif typ == _EOF:
            break
    if encrypted:
        return [], True
    spans = []
    for offset, kind, name in sheets:
        if kind not in (0, 1):  # charts and VB modules hold no cells calamine loads
            continue
        rows: list[int] = []
        cols: list[int] = []
        for typ, body, _at in _records(book, offset):
            if typ == _EOF:
                break
            if typ in _CELLS and len(body) >= 4:
                row, col = struct.unpack_from("<HH", body)
                rows.append(row)
                cols.append(col)
            elif typ in _RUNS and len(body) >= 6:
                row, first = struct.unpack_from("<HH", body)
                rows.append(row)
                cols.extend((first, struct.unpack_from("<H", body, len(body) - 2)[0]))
        if rows:
            spans.append(Span(name, max(rows) - min(rows) + 1, max(cols) - min(cols) + 1))
        else:
            spans.append(Span(name, 0, 0))
    return spans, False


def _records(stream: bytes, at: int):
    while at + 4 <= len(stream):
        typ, size = struct.unpack_from("<HH", stream, at)
        yield typ, stream[at + 4:at + 4 + size], at
        at += 4 + size


def _sheet_name(body: bytes, biff8: bool) -> str:
    if not body:
        return ""
    n = body[0]
    if not biff8:
        return body[1:1 + n].decode("cp1252", "replace")
    wide = len(body) > 1 and body[1] & 1
    return body[2:2 + n * (2 if wide else 1)].decode("utf-16-le" if wide else "latin-1", "replace")


# --- OpenDocument (.ods) ----------------------------------------------------------------------

_ODS_TAG = re.compile(rb"<(/?)(?:[\w.-]+:)?(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*?)(/?)>")
_ROWS_REPEATED = re.compile(rb"""number-rows-repeated=["'](\d+)["']""")
_COLUMNS_REPEATED = re.compile(rb"""number-columns-repeated=["'](\d+)["']""")
_VALUE_TYPE = re.compile(rb"value-type=")
_TABLE_NAME = re.compile(rb"""\bname=["']([^"']*)["']""")


def ods_spans(zf: zipfile.ZipFile, longest_tag: int) -> list[Span]:
    """Each table of an .ods file's content.xml as the grid calamine loads for it: to its
    last row and column holding something, with repeated rows and cells counted as many
    times as they repeat. Streamed; a tag longer than ``longest_tag`` is :class:`Unreadable`."""
    spans: list[Span] = []
    name, row, last_row, width = "", 0, 0, 0
    repeat_rows, col, row_width = 1, 0, 0
    rest = b""
    with zf.open("content.xml") as f:
        while True:
            chunk = f.read(4 << 20)
            text = rest + chunk
            cut = text.rfind(b">") + 1 if chunk else len(text)
            text, rest = text[:cut], text[cut:]
            if len(rest) > longest_tag:
                raise Unreadable
            for closing, tag, attrs, empty in _ODS_TAG.findall(text):
                if tag == b"table":
                    if closing:
                        spans.append(Span(name, last_row, width))
                    else:
                        found = _TABLE_NAME.search(attrs)
                        name = found.group(1).decode("utf-8", "replace") if found else ""
                        row, last_row, width = 0, 0, 0
                elif tag == b"table-row":
                    if not closing:
                        found = _ROWS_REPEATED.search(attrs)
                        repeat_rows, col, row_width = int(found.group(1)) if found else 1, 0, 0
                    if closing or empty:
                        if row_width:
                            last_row, width = row + repeat_rows, max(width, row_width)
                        row += repeat_rows
                elif not closing:  # a cell
                    found = _COLUMNS_REPEATED.search(attrs)
                    repeat = int(found.group(1)) if found else 1
                    if not empty or _VALUE_TYPE.search(attrs):
                        row_width = col + repeat
                    col += repeat
            if not chunk:
                break
    return spans
