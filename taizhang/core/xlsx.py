"""Large workbooks written fast: the rows go straight to the sheet's XML, as text.

openpyxl builds a Python object for every cell, hashes its style when it is saved and turns it
into an lxml element: for the city's monthly workbook (10,000 rows × 13 columns) that was
2–2.5 s of CPU, and its write-only mode, with styled cells, is no faster. Here a :class:`Book`
is an openpyxl workbook without cells: its sheets' settings (column widths, frozen panes,
merges, row heights, page setup through :func:`core.printing.for_print`), its styles and
every other part of the file are openpyxl's own and written by openpyxl; only the cells are
written here, each row as it is appended, into the ``<sheetData>`` that openpyxl leaves empty.

    book = Book()
    sheet = book.sheet("10月进度表")
    bold = book.style(font=Font(bold=True))
    sheet.append(["合计", Decimal("12.50")], [bold, bold])
    sheet.ws.column_dimensions["A"].width = 12   # sheet.ws: openpyxl's sheet, for its settings
    for_print(sheet.ws, last_col=2, last_row=sheet.rows)
    data = book.save()

The cells read back as openpyxl writes them: text as inline strings, cut at Excel's 32,767
characters, numbers as numbers (a float as openpyxl formats it, ``%.16g``), dates as Excel's
serial numbers in a date format (openpyxl's, unless the cell's style has one), bools as
bools, and a styled cell without a value as an empty, styled cell. Three things differ, on
purpose:

- A Decimal is written with its own digits (``12.5``, ``300``), not those of the nearest
  float (openpyxl writes 0.07 as ``0.07000000000000001``): the same number to Excel, which
  keeps 15 digits, and exact to anything that reads more.
- Text is always text: nothing is written as a formula (text that starts with "=" is what
  :func:`core.workbook.xlsx_cells` had to protect in openpyxl; here it cannot be otherwise),
  nor as an error value (openpyxl writes the text "#N/A" as Excel's error).
- Characters XML cannot hold (the control characters below U+0020 but tab and line feed,
  U+FFFE, U+FFFF, lone surrogates) are written as Office Open XML escapes, ``_x0007_``,
  which spreadsheet programs read back as the character (LibreOffice and calamine, the
  import's reader, do; openpyxl does not decode them), where openpyxl refuses the whole
  workbook; a text that itself looks like such an escape has its underscore escaped
  (``_x005F_``), so that it reads back as it was typed; a carriage return is kept (``&#13;``).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from bisect import bisect_left
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles.numbers import is_date_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.cell_range import CellRange

#: Excel's longest text in a cell (openpyxl cuts there too)
MAX_TEXT = 32_767
#: the number formats openpyxl gives dates written into cells without one
DATE_FORMATS = {dt.datetime: "yyyy-mm-dd h:mm:ss", dt.date: "yyyy-mm-dd"}

# What text cannot go into the XML as it is: the markup characters, a carriage return (XML
# readers turn it into a line feed), the characters XML forbids, and text that would read as
# an OOXML escape.
_SPECIAL = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")
# The same characters without the escape-like text: searched first (four times faster), with
# "_x" in the text, so that most texts are written as they are without the full search.
_UNSAFE = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_MARKUP = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}


def _escape(match: re.Match) -> str:
    s = match.group()
    if s in _MARKUP:
        return _MARKUP[s]
    if len(s) > 1:  # "_x0041_" typed as such: its underscore escaped, so it does not read as "A"
        return "_x005F" + s
    return f"_x{ord(s):04X}_"


def xml_text(value: str) -> str:
    """``value`` as the text of a cell's ``<t>`` element (see the module's notes)."""
    return _SPECIAL.sub(_escape, value) if _SPECIAL.search(value) else value


def _attr(value) -> str:
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


class Book:
    """A workbook whose cells are written as they come; see the module's notes."""

    def __init__(self):
        self.wb = Workbook()
        self._sheets: list[Sheet] = []
        self._kinds: dict[int, dict] = {0: {}}  # style id -> what it was made of
        self._dated: dict[tuple[int, type], int] = {}
        self._attrs = [""]  # each style's attribute in a cell, by id

    def sheet(self, title: str) -> Sheet:
        """A new sheet (the workbook's first one takes the place of openpyxl's default sheet)."""
        ws = self.wb.active if not self._sheets else self.wb.create_sheet()
        ws.title = title
        sheet = Sheet(self, ws)
        self._sheets.append(sheet)
        return sheet

    def style(self, *, font=None, fill=None, border=None, alignment=None, protection=None,
              number_format: str | None = None) -> int:
        """The id of a cell style made of openpyxl's style objects (each one optional), as
        openpyxl would give a cell these styles; 0 is the default style."""
        cell = Cell(self.wb.active)
        kinds = {"font": font, "fill": fill, "border": border, "alignment": alignment,
                 "protection": protection, "number_format": number_format}
        kinds = {k: v for k, v in kinds.items() if v is not None}
        for name, value in kinds.items():
            setattr(cell, name, value)
        sid = cell.style_id if cell.has_style else 0
        self._kinds.setdefault(sid, kinds)
        while len(self._attrs) <= sid:
            self._attrs.append(f' s="{len(self._attrs)}"')
        return sid

    def _dated_style(self, sid: int, kind: type) -> int:
        """``sid``, or a copy with a date format if it has none (as openpyxl dates a cell)."""
        key = (sid, kind)
        if key not in self._dated:
            kinds = self._kinds[sid]
            if is_date_format(kinds.get("number_format") or "General"):
                self._dated[key] = sid
            else:
                self._dated[key] = self.style(**{**kinds, "number_format": DATE_FORMATS[kind]})
        return self._dated[key]

    def save(self, compresslevel: int = 3) -> bytes:
        """The .xlsx file. ``compresslevel``: zlib's, 1 (fastest) to 9 (smallest)."""
        for sheet in self._sheets:
            if sheet.ws._cells:
                raise ValueError(f"sheet {sheet.ws.title!r}: cells are written by Sheet.append, not on sheet.ws")
        # Rows' heights are set on openpyxl's sheet as usual, and written here with the rows:
        # openpyxl leaves an empty <sheetData> for this writer to fill only if it has no rows.
        held = {sheet: dict(sheet.ws.row_dimensions) for sheet in self._sheets}
        scratch = io.BytesIO()
        try:
            for sheet in self._sheets:
                sheet.ws.row_dimensions.clear()
            self.wb.save(scratch)  # every part but the cells (and it names the sheets' parts)
        finally:
            for sheet in self._sheets:
                sheet.ws.row_dimensions.update(held[sheet])
        parts = {sheet.ws.path.lstrip("/"): sheet for sheet in self._sheets}
        out = io.BytesIO()
        with zipfile.ZipFile(scratch) as src, \
                zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as dst:
            for info in src.infolist():
                data = src.read(info)
                sheet = parts.get(info.filename)
                if sheet is not None:
                    data = sheet._with_cells(data, {r: dict(d) for r, d in held[sheet].items()})
                dst.writestr(info.filename, data)
        return out.getvalue()


class Sheet:
    """One sheet: ``append`` its rows in order; ``ws`` is openpyxl's sheet for its settings
    (widths, heights, panes, merges through :meth:`merge`, print setup), never its cells."""

    def __init__(self, book: Book, ws):
        self.book, self.ws = book, ws
        self.rows = 0  # the last row appended (blank rows count)
        self._data: list[bytes] = []  # each row's <row> element, in order, as UTF-8
        self._numbers: list[int] = []
        self._width = 0  # the columns the cells reach
        self._first = 0  # the first row with cells
        self._heads: list[str] = []  # each column's '<c r="A'

    def append(self, values: Sequence = (), styles: int | Sequence[int] = 0) -> int:
        """Write the next row and return its number. ``styles``: one style id for every value's
        cell, or one per column (a column with a style and no value gets an empty, styled cell)."""
        r = self.rows = self.rows + 1
        nv = len(values)
        if isinstance(styles, int):
            styles = (styles,) * nv
        n = max(nv, len(styles))
        if not n:
            return r
        if nv < n:
            values = [*values, *[None] * (n - nv)]
        if len(styles) < n:
            styles = [*styles, *[0] * (n - len(styles))]
        if n > len(self._heads):
            self._heads = [f'<c r="{get_column_letter(i)}' for i in range(1, n + 1)]
        rs = str(r)
        out = [f'<row r="{rs}">']
        push = out.append
        unsafe = _UNSAFE.search
        sa = self.book._attrs  # ' s="12"' for style 12, "" for the default
        # The hot loop of a large export (a city's sheet has 130,000 cells): kept flat.
        for head, v, s in zip(self._heads, values, styles, strict=False):  # heads may be more
            if v is None:
                if s:
                    push(f'{head}{rs}"{sa[s]}/>')
                continue
            t = type(v)
            if t not in _PLAIN:
                if isinstance(v, dt.date):  # and datetime: a number in a date format
                    s = self.book._dated_style(s, dt.datetime if isinstance(v, dt.datetime) else dt.date)
                v, t = _plain(v)
            if t is str:
                if not v:
                    push(f'{head}{rs}"{sa[s]} t="inlineStr"/>')
                    continue
                if len(v) > MAX_TEXT:
                    v = v[:MAX_TEXT]
                text = v if unsafe(v) is None and "_x" not in v else xml_text(v)
                space = "" if v == v.strip() else ' xml:space="preserve"'
                push(f'{head}{rs}"{sa[s]} t="inlineStr"><is><t{space}>{text}</t></is></c>')
            elif t is Decimal:
                number = str(v)  # its own digits, as exact as the figure (float's are not)
                if number[-1] == "0" and "." in number:
                    number = number.rstrip("0").rstrip(".")  # 12.50 -> 12.5, 300.00 -> 300
                elif "E" in number or not number[-1].isdigit():  # 1E+3, 0E-8, NaN, Infinity
                    number = _float(float(v))
                push(f'{head}{rs}"{sa[s]}><v>{number}</v></c>')
            elif t is int:
                push(f'{head}{rs}"{sa[s]}><v>{v}</v></c>')
            elif t is float:
                push(f'{head}{rs}"{sa[s]}><v>{_float(v)}</v></c>')
            else:
                push(f'{head}{rs}"{sa[s]} t="b"><v>{int(v)}</v></c>')
        push("</row>")
        self._data.append("".join(out).encode())
        self._numbers.append(r)
        if n > self._width:
            self._width = n
        if not self._first:
            self._first = r
        return r

    def merge(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        """Merge a range: the cells under it are what was appended there (give the merged
        cells the border edges the range should show, as openpyxl does for its merges)."""
        # A plain range: openpyxl's MergedCellRange would make cells on the sheet.
        self.ws.merged_cells.add(CellRange(min_col=first_col, min_row=first_row, max_col=last_col, max_row=last_row))

    def _with_cells(self, xml: bytes, dims: dict) -> bytes:
        """openpyxl's XML of the sheet without cells, with them (and the rows' heights, ``dims``)."""
        empty = re.compile(rb"<sheetData\s*/>|<sheetData>\s*</sheetData>")
        dimension = re.compile(rb'<dimension ref="A1:A1"\s*/>')
        if len(empty.findall(xml)) != 1 or len(dimension.findall(xml)) != 1:
            raise RuntimeError("openpyxl wrote a sheet this writer does not know: no empty sheetData to fill")
        ref = "A1:A1"
        if self._numbers:
            ref = f"A{self._first}:{get_column_letter(self._width)}{self._numbers[-1]}"
        rows = self._data
        if dims:  # few: those rows are written again with their attributes, in order with the others
            numbers, rows, blank = self._numbers, list(rows), []
            for r, d in dims.items():
                attrs = "".join(f' {k}="{_attr(v)}"' for k, v in d.items())
                i = bisect_left(numbers, r)
                if i < len(numbers) and numbers[i] == r:
                    rows[i] = f'<row r="{r}"{attrs}>'.encode() + rows[i][len(f'<row r="{r}">'):]
                else:  # a row with a height and no cells
                    blank.append((r, f'<row r="{r}"{attrs}></row>'.encode()))
            if blank:
                rows = [text for _, text in sorted([*zip(numbers, rows, strict=True), *blank])]
        xml = dimension.sub(f'<dimension ref="{ref}"/>'.encode(), xml, count=1)
        head, tail = empty.split(xml, maxsplit=1)
        return b"".join((head, b"<sheetData>", *rows, b"</sheetData>", tail))


_PLAIN = frozenset({str, int, float, Decimal, bool})


def _plain(v) -> tuple[object, type]:
    """A value of no plain type as one, and its type: a date as Excel's serial number, a
    subclass (a str choice, an IntEnum) as its base."""
    if isinstance(v, dt.date):
        if isinstance(v, dt.datetime) and v.tzinfo is not None:
            raise TypeError("Excel has no time zones: write the local time without its zone")
        return float(to_excel(v)), float
    for t in (bool, str, int, float, Decimal):
        if isinstance(v, t):
            return t(v), t
    raise TypeError(f"cannot write {type(v).__name__} into a cell: {v!r}")


def _float(v: float) -> str:
    """A float as openpyxl writes it ("%.16g"); not a number, or infinite: nothing."""
    text = f"{v:.16g}"
    return "" if text[-1] in "fn" else text  # inf, -inf, nan
