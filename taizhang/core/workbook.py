"""Reading the sheets districts already keep, as a person reads them.

A sheet is opened whatever office saved it (.xlsx, .xls, .ods, .csv in UTF-8 or GBK) and
its table is found: the title and subtitle lines, a "单位:亿元" line, a header over one to
three rows (merged, line-broken, with sub-labels such as 单月/累计/全年目标), a row of
column numbers, then the data rows, among which group rows ("(一)续建项目"), totals and
subtotals, notes and signature lines are set aside, each with its reason.

Columns are matched to fields by meaning (:class:`Field`): an exact header beats a prefix,
a prefix beats a substring, and a column that measures something else (a share, a
cumulative since the start, a target) is never taken for an amount. Two equally good
candidates for one field are not guessed: the table asks.

Cells are read as written: amounts with their unit from the cell, the column or the sheet
("5.2亿元", "约3亿", "1,234.5"), dates with their precision ("2026年3月" is a month, not
1 March). Anything that cannot be read right is a :class:`CellError` naming the cell.

Memory stays bounded whatever the file claims: rows are streamed and cut at the last
header column. Errors are :class:`WorkbookError` with a message in Chinese.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import html
import io
import math
import posixpath
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.utils.translation import gettext, gettext_noop

from .numbers import MAX_AMOUNT_WAN


class WorkbookError(Exception):
    pass


class CellError(ValueError):
    """A cell that cannot be read right; the message is in Chinese and names no cell (the
    caller knows where it is)."""


#: Cells that say "nothing" in Chinese sheets.
BLANKS = frozenset({"", "-", "--", "—", "——", "–", "－", "/", "\\", "无", "暂无", "空", "/ ", "…", "0.0.0"})
MAX_ROWS = 200_000
#: Header search and the widest table read: a file claiming column XFD is cut here.
HEADER_SEARCH_ROWS = 30
MAX_COLUMNS = 300

#: What a zipped workbook (.xlsx, .ods) may unpack to, all parts together: a zip bomb of a few
#: hundred KB unpacks to gigabytes. Python's zipfile and calamine both stop a part at the size
#: the zip declares for it, so the declared sizes are what is checked.
MAX_UNPACKED = 256 << 20
#: A part read whole, not streamed (shared strings, styles, the workbook's own XML): a real
#: one is a few MB.
MAX_WHOLE_PART = 32 << 20
#: The longest cell tag the streaming scan holds: Excel keeps at most 32,767 characters in a
#: cell, a few hundred KB even as rich text.
MAX_CELL_BYTES = 4 << 20

XLSX_MAGIC = b"PK\x03\x04"
#: Control characters but tab, line feed and carriage return.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# --- opening files --------------------------------------------------------------------------


@dataclass
class SheetSource:
    """One sheet of a workbook; ``rows(width)`` streams its rows cut to ``width`` cells."""

    name: str
    _rows: object
    _merged: object = None
    #: rows hidden in the sheet (by hand or by a filter), as Excel numbers them, where the
    #: reader tells (.xlsx)
    hidden: frozenset[int] = frozenset()

    def rows(self, width: int = MAX_COLUMNS) -> Iterator[tuple]:
        for row in self._rows(width):
            # Control characters come from a CSV, an .xls or an escape (_x0000_) in an .xlsx:
            # no one typed them, and PostgreSQL refuses a NUL in any text.
            if any(type(v) is str and not v.isprintable() and _CONTROL.search(v) for v in row):
                row = tuple(_CONTROL.sub("", v) if type(v) is str else v for v in row)
            yield row

    def merged(self) -> list[tuple[int, int, int, int]]:
        """The merged ranges (first row, first column, last row, last column), 0-based as
        ``rows`` yields the cells; empty where the reader does not tell."""
        return self._merged() if self._merged else []


def file_kind(head: bytes, filename: str = "") -> str:
    """xlsx, ods, xls or csv, from the file's first bytes (its name only breaks ties)."""
    name = filename.lower()
    if head.startswith(OLE_MAGIC):
        return "xls"
    if head.startswith(XLSX_MAGIC):
        # An OpenDocument zip stores its mimetype first, uncompressed.
        return "ods" if b"opendocument.spreadsheet" in head[:200] or name.endswith(".ods") else "xlsx"
    if name.endswith((".csv", ".txt")):
        return "csv"
    if re.match(rb"(?:\xef\xbb\xbf)?\s*<(?:!doctype\s+html|html|table|meta|\?xml[^>]*>\s*<html)", head, re.I):
        # Many systems export "xls" that is a web page: Excel opens it, with a warning.
        raise WorkbookError(gettext("这个文件实为网页(HTML)表格,只是扩展名为 Excel 的:请用 Excel 或 WPS 打开后"
                                    "另存为 Excel 工作簿(.xlsx),再上传"))
    raise WorkbookError(gettext("无法识别的文件格式:请上传 Excel 工作簿(.xlsx/.xls)、OpenDocument 表格(.ods)或 CSV 文件"))


def open_workbook(file, filename: str = "") -> list[SheetSource]:
    """The sheets of ``file`` (a path or a binary file object) in their order."""
    if isinstance(file, str | bytes) or hasattr(file, "__fspath__"):
        with open(file, "rb") as f:
            data = f.read()
        filename = filename or str(file)
    else:
        data = file.read()
    kind = file_kind(data[:512], filename)
    if kind == "csv":
        return [SheetSource("CSV", _csv_rows(data))]
    if kind == "xlsx":
        return _xlsx_sheets(data)
    if kind == "ods":
        _check_package(data)
    _check_spans(data, kind)
    return _calamine_sheets(data, kind)


def _check_spans(data: bytes, kind: str) -> None:
    """Refuses an .xls or .ods file whose sheets span more cells than calamine may load: it
    loads them all on opening, each as a dense grid, and a process that cannot have the
    memory aborts. An .xls with a password is told apart from a damaged one here."""
    from .extents import Unreadable, ods_spans, xls_spans

    label = gettext("旧版 Excel(.xls)") if kind == "xls" else gettext("OpenDocument 表格(.ods)")
    try:
        if kind == "xls":
            spans, encrypted = xls_spans(data)
        else:
            encrypted = False
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                spans = ods_spans(zf, MAX_CELL_BYTES)
    except (Unreadable, KeyError, zipfile.BadZipFile, OSError, EOFError, zlib.error, RuntimeError,
            NotImplementedError, struct.error) as e:
        raise WorkbookError(gettext("无法读取该%(label)s文件:文件已损坏或格式不正确") % {"label": label}) from e
    if encrypted:
        raise WorkbookError(gettext("文件设有打开密码,无法读取:请在 Excel 或 WPS 中取消密码后另存,再上传"))
    _refuse_wide(spans)


def _refuse_many(n: int) -> None:
    if n > MAX_SHEETS:
        raise WorkbookError(gettext("工作簿有 %(n)s 个工作表,超过上限 %(max)s 个:请只保留要导入的工作表后再上传") % {
            "n": n, "max": MAX_SHEETS})


def _refuse_wide(spans) -> None:
    """Sheets that together span more than ``DENSE_CELLS`` cells: the widest is named."""
    _refuse_many(len(spans))
    if sum(s.cells for s in spans) > DENSE_CELLS:
        widest = max(spans, key=lambda s: s.cells)
        raise WorkbookError(gettext("工作表“%(sheet)s”从第一个到最后一个有内容的单元格跨 %(rows)s 行、%(cols)s 列,"
                                    "范围过大,无法读取:请删去表格以外的内容后再上传") % {
                                        "sheet": widest.name[:100], "rows": widest.rows, "cols": widest.cols})


def _check_package(data: bytes) -> None:
    """Refuses a zipped workbook that unpacks to more than a real one could (a zip bomb), or
    that holds two parts of one name (which one a reader takes is its own choice)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return  # the reader says what is wrong with the file
    names = [i.filename for i in infos]
    if len(set(names)) < len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise WorkbookError(gettext("文件结构异常:压缩包中有两个同名部件“%(part)s”,文件可能已损坏或被篡改。"
                                    "请用 Excel 或 WPS 打开后另存,再上传") % {"part": twice[:100]})
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED:
        raise WorkbookError(gettext("文件解压后过大(%(mb)s MB,上限 %(max)s MB),无法读取:请删去多余的工作表或"
                                    "分批导入") % {"mb": -(-total >> 20), "max": MAX_UNPACKED >> 20})
    for i in infos:
        if i.file_size > MAX_WHOLE_PART and not _streamed_part(i.filename):
            raise WorkbookError(gettext("文件中的“%(part)s”解压后过大(%(mb)s MB,上限 %(max)s MB),无法读取:"
                                        "文件可能已损坏或被篡改") % {
                                            "part": i.filename[:100], "mb": -(-i.file_size >> 20),
                                            "max": MAX_WHOLE_PART >> 20})


def _streamed_part(name: str) -> bool:
    """A part read as a stream, whatever its size: an .xlsx worksheet, an .ods content.xml
    (read whole by calamine, but within the bound of all parts)."""
    return (name.startswith("xl/worksheets/") and name.endswith(".xml")) or name == "content.xml"


#: The most cells the fast reader loads at once: it holds a sheet's whole extent in memory.
DENSE_CELLS = 2_000_000
#: The most sheets a workbook may have: each is opened and looked at for a table.
MAX_SHEETS = 500
_PREFIXED_CELL = re.compile(rb"<[\w.-]+:c[\s/>]")
_CELL_REF = re.compile(rb'r="([A-Z]{1,3})(\d+)"')


class _OversizedCell(Exception):
    """A worksheet's XML holds a tag longer than any cell Excel writes."""


class Extent(NamedTuple):
    rows: int
    cols: int
    unvalued: list[str]  # cells holding a formula saved without its result (at most 3 named)
    unvalued_count: int


# A formula cell saved without its result (no <v>, or an empty one where the result is no
# text): written by a program that does not calculate (Excel and WPS save every result); read
# as empty, its figure would be lost without a word.
_FORMULA_CELL = re.compile(rb'<c\b([^>]*)>\s*<f\b[^>]*(?:/>|>[^<]*</f>)\s*(<v\s*/>|<v>\s*</v>)?\s*</c>')
_REF = re.compile(rb'\br="([A-Z]{1,3}\d+)"')
# A row hidden, by hand or by a filter: <row r="7" ... hidden="1">.
_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b[^>]*>")
_HIDDEN = re.compile(rb"""\bhidden=["'](?:1|true)["']""")
_ROW_NUMBER = re.compile(rb"""\br=["'](\d+)["']""")
_TEXT_TYPE = re.compile(rb'\bt="str"')


def _unvalued(text: bytes) -> list[str]:
    out = []
    for attrs, empty in _FORMULA_CELL.findall(text):
        if empty and _TEXT_TYPE.search(attrs):
            continue  # a formula whose result is the empty text
        ref = _REF.search(attrs)
        out.append(ref.group(1).decode() if ref else "?")
    return out


def _extent(zf: zipfile.ZipFile, name: str, coarse_styles: dict[bytes, str] | None = None
            ) -> tuple[Extent | None, frozenset[int], dict[int, list[tuple[int, str]]]]:
    """The rows and columns the cells of a worksheet's XML really reach, whatever its
    dimension claims, and the formula cells saved without their results. None unless every
    cell tag has a reference read here (a cell without one, or written in a way not read
    here, is not trusted to the fast reader). Beside it, the rows hidden (by hand or by a
    filter), as Excel numbers them, and the cells whose style (one of ``coarse_styles``)
    shows a date without its day: row number -> [(0-based column, "month" or "year")].
    Streamed: a sheet of any size is scanned in 4 MB pieces, each cut after a cell's end."""
    rows = cols = tags = refs = 0
    hidden: set[int] = set()
    coarse: dict[int, list[tuple[int, str]]] = {}
    unvalued: list[str] = []
    unvalued_count = 0
    rest = b""
    with zf.open(name) as f:
        while True:
            chunk = f.read(4 << 20)
            text = rest + chunk
            end = text.rfind(b"</c>")
            cut = (end + 4 if end >= 0 else text.rfind(b">") + 1) if chunk else len(text)
            text, rest = text[:cut], text[cut:]
            if len(rest) > MAX_CELL_BYTES:
                raise _OversizedCell(name)
            if b"<f" in text:
                found_unvalued = _unvalued(text)
                unvalued_count += len(found_unvalued)
                unvalued.extend(found_unvalued[:3 - len(unvalued)])
            if b"hidden=" in text:
                for tag in _ROW_TAG.findall(text):
                    number = _ROW_NUMBER.search(tag)
                    if number and _HIDDEN.search(tag):
                        hidden.add(int(number.group(1)))
            if coarse_styles and b" s=" in text:
                for attrs, style in _STYLED_CELL.findall(text):
                    shown = coarse_styles.get(style)
                    ref = _CELL_REF.search(attrs) if shown else None
                    if ref:
                        coarse.setdefault(int(ref.group(2)), []).append((_column_index(ref.group(1)) - 1, shown))
            # Every cell tag, counted by the ways XML lets a tag name end.
            tags += sum(text.count(b"<c" + end) for end in (b" ", b"\t", b"\n", b"\r", b">", b"/"))
            if b":c" in text:
                tags += len(_PREFIXED_CELL.findall(text))
            found = _CELL_REF.findall(text)
            refs += len(found)
            if found:
                rows = max(rows, max(map(int, {n for _, n in found})))
                for letters in {a for a, _ in found}:
                    cols = max(cols, _column_index(letters))
            if not chunk:
                break
    return (Extent(rows, cols, unvalued, unvalued_count) if tags == refs else None), frozenset(hidden), coarse


def _column_index(letters: bytes) -> int:
    """B"A" -> 1, b"AB" -> 28."""
    col = 0
    for ch in letters:
        col = col * 26 + ch - 64
    return col


# --- dates shown without their day ----------------------------------------------------------

_STYLED_CELL = re.compile(rb"""<(?:\w+:)?c\b([^>]*?\bs=["'](\d+)["'][^>]*)>""")
#: Built-in formats that show a date without its day: mmm-yy, and in a Chinese Excel
#: yyyy"年"m"月" (ids 27, 36, 50, 52, 57; their codes are not written in the file).
_BUILTIN_COARSE = {17: "month", 27: "month", 36: "month", 50: "month", 52: "month", 57: "month"}
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|[_*].')


def _format_precision(code: str) -> str | None:
    """"month" or "year" for a number format that shows a date without its day
    (yyyy"年"m"月", yyyy.mm, mmm-yy, yyyy); None for any other format."""
    tokens = _FORMAT_LITERALS.sub("", code.split(";")[0]).lower()
    if "y" not in tokens or re.search(r"[dhs]|general|[0#?@]", tokens):
        return None
    return "month" if "m" in tokens else "year"


def _coarse_styles(zf: zipfile.ZipFile) -> dict[bytes, str]:
    """The workbook's cell styles (their index in cellXfs, as a cell's s="..." names it) whose
    number format shows a date without its day -> "month" or "year"."""
    try:
        styles = zf.read("xl/styles.xml").decode("utf-8", "replace")
    except KeyError:
        return {}
    formats = dict(_BUILTIN_COARSE)
    for tag in re.findall(r"<(?:\w+:)?numFmt\b[^>]*>", styles):
        number, code = re.search(r'\bnumFmtId="(\d+)"', tag), re.search(r'\bformatCode="([^"]*)"', tag)
        if number and code:
            shown = _format_precision(html.unescape(code.group(1)))
            formats.pop(int(number.group(1)), None)
            if shown:
                formats[int(number.group(1))] = shown
    xfs = re.search(r"<(?:\w+:)?cellXfs\b.*?</(?:\w+:)?cellXfs>", styles, re.S)
    out = {}
    for i, tag in enumerate(re.findall(r"<(?:\w+:)?xf\b[^>]*>", xfs.group(0) if xfs else "")):
        number = re.search(r'\bnumFmtId="(\d+)"', tag)
        shown = formats.get(int(number.group(1))) if number else None
        if shown:
            out[str(i).encode()] = shown
    return out


def _as_shown(rows, coarse: dict[int, list[tuple[int, str]]]):
    """A sheet's rows with each date whose cell shows it without its day given as the text it
    shows ("2024年3月", "2024年"), so that it is read at that precision and not as the 1st."""
    def shown_rows(width):
        for number, row in enumerate(rows(width), 1):
            marks = coarse.get(number)
            if marks:
                cells = list(row)
                for j, precision in marks:
                    if j < len(cells):
                        cells[j] = _shown_date(cells[j], precision)
                row = tuple(cells)
            yield row
    return shown_rows


def _shown_date(value, precision: str):
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2_958_466:
        value = _EXCEL_EPOCH + dt.timedelta(days=int(value))  # a serial day the reader left a number
    if not isinstance(value, dt.date):
        return value
    return f"{value.year}年{value.month}月" if precision == "month" else f"{value.year}年"


def _sheet_titles(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part name (xl/worksheets/sheet1.xml) -> the sheet's title, as far as the
    workbook's own XML says."""
    return {part: title for title, part in _sheet_parts(zf)}


def _sheet_parts(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """The workbook's sheets in its order: (title, part name), as far as its own XML says."""
    try:
        book = zf.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except KeyError:
        return []
    targets = {}
    for tag in re.findall(r"<(?:\w+:)?Relationship\b[^>]*>", rels):
        rid, target = re.search(r'\bId="([^"]*)"', tag), re.search(r'\bTarget="([^"]*)"', tag)
        if rid and target:
            path = target.group(1)
            targets[rid.group(1)] = posixpath.normpath(path.lstrip("/") if path.startswith("/") else "xl/" + path)
    sheets = []
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", book):
        title, rid = re.search(r'\bname="([^"]*)"', tag), re.search(r'\br:id="([^"]*)"', tag)
        if title and rid and rid.group(1) in targets:
            sheets.append((html.unescape(title.group(1)), targets[rid.group(1)]))
    return sheets


def _refuse_unvalued(title: str, extent: Extent):
    """A sheet's rows: refused, since some of its formulas were saved without their results."""
    def rows(width):
        raise WorkbookError(gettext(
            "工作表“%(sheet)s”有 %(n)s 个公式单元格(如 %(cells)s)没有保存计算结果,读不出数值:文件可能由程序"
            "生成而未经计算。请用 Excel 或 WPS 打开后保存,再上传") % {
                "sheet": title, "n": extent.unvalued_count, "cells": "、".join(extent.unvalued)})
        yield  # pragma: no cover  (a generator, like every sheet's rows)
    return rows


def _xlsx_sheets(data: bytes) -> list[SheetSource]:
    """calamine (fast) where every sheet's cells stay within a bounded extent; openpyxl's
    streaming reader, cut at ``width`` columns, for a sheet that reaches column XFD."""
    _check_package(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            try:
                coarse_styles = _coarse_styles(zf)
                scanned = {n: _extent(zf, n, coarse_styles) for n in zf.namelist()
                           if n.startswith("xl/worksheets/") and n.endswith(".xml")}
            except _OversizedCell as e:
                title = _sheet_titles(zf).get(e.args[0], e.args[0])
                raise WorkbookError(gettext("工作表“%(sheet)s”中有单元格超过 Excel 的长度上限(32767 个字符),"
                                            "文件可能已损坏或被篡改") % {"sheet": title}) from None
            parts = {n: e for n, (e, _hidden, _coarse) in scanned.items()}
            hidden = {n: rows for n, (_e, rows, _coarse) in scanned.items() if rows}
            coarse = {n: cells for n, (_e, _rows, cells) in scanned.items() if cells}
            listed = [part for _title, part in _sheet_parts(zf)]
            _refuse_many(len(listed))
            titles = _sheet_titles(zf) if hidden or coarse or any(e is not None and e.unvalued_count
                                                                  for e in parts.values()) else {}
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, zlib.error, RuntimeError, NotImplementedError):
        return _openpyxl_sheets(data)  # which says what is wrong with the file
    # calamine holds each sheet it loads as a dense grid, every sheet as often as the workbook
    # lists it: all of them together are bounded, not each.
    extents = [parts.get(part) for part in listed] if listed else list(parts.values())
    if not extents or any(e is None or e.cols > MAX_COLUMNS for e in extents) or sum(
            e.rows * e.cols for e in extents) > DENSE_CELLS:
        sheets = _openpyxl_sheets(data)
    else:
        try:
            sheets = _calamine_sheets(data, "xlsx")
        except WorkbookError:
            sheets = _openpyxl_sheets(data)
    hidden_in = {titles[n]: rows for n, rows in hidden.items() if n in titles}
    coarse_in = {titles[n]: cells for n, cells in coarse.items() if n in titles}
    for sheet in sheets:
        sheet.hidden = hidden_in.get(sheet.name, frozenset())
        if sheet.name in coarse_in:
            sheet._rows = _as_shown(sheet._rows, coarse_in[sheet.name])
    unvalued = {titles.get(n): e for n, e in parts.items() if e is not None and e.unvalued_count}
    if None in unvalued:  # a part whose sheet the workbook does not name: each sheet is suspect
        return [SheetSource(s.name, _refuse_unvalued(s.name, unvalued[None])) for s in sheets]
    return [SheetSource(s.name, _refuse_unvalued(s.name, unvalued[s.name])) if s.name in unvalued else s
            for s in sheets]


def _size_unknown(ws) -> None:
    """Stands for openpyxl's read-only ``_get_size``, which takes a sheet's size from its
    <dimension>: a dimension that says less than the rows hold ("A1:B2" over 500 rows, as
    some exporters write) cut the rows read there without a word, and a sheet without one was
    read whole to look for it (a minute and 500 MB for a few hundred MB of rows). Rows are
    read to the sheet's end, cut at ``width`` columns and ``MAX_ROWS`` rows by the caller."""


def _openpyxl_sheets(data: bytes) -> list[SheetSource]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    ReadOnlyWorksheet._get_size = _size_unknown
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as e:
        raise WorkbookError(gettext("无法读取该文件:文件已损坏,或不是 Excel 工作簿")) from e
    except Exception as e:  # openpyxl raises many kinds on malformed XML inside a valid zip
        raise WorkbookError(gettext("Excel 文件已损坏或格式不正确(%(name)s)") % {"name": type(e).__name__}) from e

    def reader(ws):
        def rows(width):
            number = 0
            try:
                # max_col bounds every row, whatever the sheet's dimension claims.
                for number, row in enumerate(ws.iter_rows(values_only=True, max_col=width), 1):  # noqa: B007
                    yield row
            except WorkbookError:
                raise
            except ValueError as e:  # a number cell openpyxl cannot cast: "NaN", "INF", "1,5"
                raise WorkbookError(gettext("工作表“%(sheet)s”第%(number)s行有无法读取的数值(如 NaN、INF),"
                                            "请改为数字或留空后重新上传") % {"sheet": ws.title, "number": number + 1}) from e
            except Exception as e:
                raise WorkbookError(gettext("Excel 文件已损坏或格式不正确(%(name)s)") % {"name": type(e).__name__}) from e
        return rows

    return [SheetSource(ws.title, reader(ws)) for ws in wb.worksheets if ws.sheet_state == "visible"
            or len(wb.worksheets) == 1]


def _calamine_sheets(data: bytes, kind: str) -> list[SheetSource]:
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    label = {"xls": gettext("旧版 Excel(.xls)"), "ods": gettext("OpenDocument 表格(.ods)")}.get(
        kind, gettext("Excel 工作簿"))
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = list(wb.sheets_metadata)
    except Exception as e:  # calamine raises its own kinds for every malformed file
        raise WorkbookError(gettext("无法读取该%(label)s文件:文件已损坏或格式不正确") % {"label": label}) from e
    names = [m.name for m in sheets]
    if kind == "xlsx":
        # As openpyxl lists them: worksheets only, the hidden ones unless there is no other.
        worksheets = [m for m in sheets if m.typ == SheetTypeEnum.WorkSheet]
        names = [m.name for m in worksheets if m.visible == SheetVisibleEnum.Visible or len(worksheets) == 1]

    def reader(name):
        loaded = []  # the sheet, read once however many times its rows are asked for

        def load():
            if not loaded:
                loaded.append(wb.get_sheet_by_name(name))
            return loaded[0]

        def merged():
            try:
                sheet = load()
                ranges = sheet.merged_cell_ranges or []
            except Exception:  # the rows say what is wrong with the sheet
                return []
            # .xlsx rows are padded to column A like openpyxl's; the others start at the first column used.
            shift = 0 if kind == "xlsx" or not sheet.start else sheet.start[1]
            return [(r1, c1 - shift, r2, c2 - shift) for (r1, c1), (r2, c2) in ranges]

        def rows(width):
            try:
                sheet = load()
                if sheet.width > 16_384 or sheet.height > MAX_ROWS + HEADER_SEARCH_ROWS:
                    raise WorkbookError(gettext("工作表“%(name)s”的范围过大,无法读取") % {"name": name})
                if kind == "xlsx":
                    yield from _as_openpyxl_reads(name, sheet, width)
                    return
                for row in sheet.iter_rows():
                    yield tuple(row[:width])
            except WorkbookError:
                raise
            except Exception as e:
                raise WorkbookError(gettext("无法读取该%(label)s文件:文件已损坏或格式不正确") % {"label": label}) from e
        return rows, merged

    return [SheetSource(name, *reader(name)) for name in names]


def _as_openpyxl_reads(name: str, sheet, width: int) -> Iterator[tuple]:
    """An .xlsx sheet's rows from calamine, with the values openpyxl gives for them, so that
    both readers read a sheet the same: empty cells None, whole numbers int, dates as
    datetimes, and a number that is no number (NaN, INF) refusing the file."""
    start_col = sheet.start[1] if sheet.start else 0
    pad = (None,) * start_col
    for number, row in enumerate(sheet.iter_rows(), 1):
        out = list(pad)
        for v in row[:max(0, width - start_col)]:
            if v == "":
                v = None
            elif type(v) is float:
                if not math.isfinite(v):
                    raise WorkbookError(f"工作表“{name}”第{number}行有无法读取的数值(如 NaN、INF),"
                                        f"请改为数字或留空后重新上传")
                if v.is_integer() and abs(v) < 1e15:
                    v = int(v)
            elif type(v) is dt.date:
                v = dt.datetime(v.year, v.month, v.day)
            out.append(v)
        yield tuple(out[:width])


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (which covers GBK)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as e:
        raise WorkbookError(gettext("CSV 文件的编码无法识别:请另存为 UTF-8 或 GBK 编码")) from e


def _csv_rows(data: bytes):
    text = decode_text(data)
    sample = text[:4096]
    delimiter = max(",\t;", key=sample.count) if any(c in sample for c in ",\t;") else ","

    def rows(width):
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        try:
            for row in reader:
                # "'=…": text we (or another careful program) protected from running as a formula.
                yield tuple(v[1:] if v.startswith("'") and v[1:2] in FORMULA_START and v[1:2] else v
                            for v in row[:width])
        except csv.Error as e:  # a field beyond the reader's limit, a quote never closed
            raise WorkbookError(gettext("CSV 文件第%(line)s行无法读取:字段过长或引号未闭合") % {
                "line": reader.line_num}) from e
    return rows


# --- writing: text stays text ---------------------------------------------------------------

#: What a spreadsheet program takes for the start of a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """A value for a CSV cell: text that a spreadsheet would run as a formula gets a leading
    apostrophe, which Excel and WPS show as text and the importer removes again."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def xlsx_cells(ws, values) -> list:
    """Values for ``ws.append``: text that looks like a formula is written as text (a string
    cell), never as a live formula, in write-only and normal sheets alike."""
    from openpyxl.cell import WriteOnlyCell

    out = []
    for v in values:
        if isinstance(v, str) and v.startswith(FORMULA_START):
            cell = WriteOnlyCell(ws, value=v)
            cell.data_type = "s"
            out.append(cell)
        else:
            out.append(v)
    return out


# --- text helpers ---------------------------------------------------------------------------


def filled(v) -> bool:
    return v is not None and str(v).strip() != ""


_SPACES = re.compile(r"\s+")


def clean(v) -> str:
    """A cell's text without spaces or line breaks, full-width letters and digits folded."""
    if v is None:
        return ""
    text = v if isinstance(v, str) else str(v)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return _SPACES.sub("", text) if _SPACES.search(text) else text


# --- units ----------------------------------------------------------------------------------

# Money units as sheets write them: a scale (十, 百, 千) before 万, 亿 or 万亿, and the
# currency: 千元, 百万元, 十亿元, 万亿元, 亿, 万美元, 千美元… Every one is read at its worth;
# none is taken for 万元 because it is not known.
_SCALE = {"十": 10, "百": 100, "千": 1000}
_MAGNITUDE = {"万亿": Decimal("100000000"), "亿": Decimal("10000"), "万": Decimal("1"), "": Decimal("0.0001")}
_MONEY = r"[十百千]?(?:万亿|亿|万)元?|[十百千]?元"
_FOREIGN = r"[十百千]?(?:万亿|亿|万)?(?:美元|欧元|港元|英镑|日元)"
_MONEY_UNIT = re.compile(rf"(?:{_FOREIGN}|{_MONEY})")
_FOREIGN_UNIT = re.compile(rf"{_FOREIGN}")
# "(亿元)", "(单位:亿元)", "单位:千元", "金额单位:万元", "总投资/万元", "总投资 亿元"; NFKC has
# folded full-width forms.
# "(亿元人民币)", "(人民币万元)": the currency named beside the unit. A unit after a figure
# ("总投资 120 亿元" in a subtitle) is that figure's, not the table's.
_UNIT_IN_TEXT = re.compile(rf"(?:单位(?:[::]|为|是)?\s*|[(\[/]|(?<=[^\s\d.,%])\s)\s*(?:人民币)?({_FOREIGN}|{_MONEY})"
                           rf"(?:人民币)?(?=[)\]、,;。.\s]|$)")
_UNIT_LINE = re.compile(rf"(?:金额)?单位[::]\s*(?:人民币)?({_FOREIGN}|[十百千]?(?:万亿|亿|万)?元)")
_UNIT_AT_END = re.compile(rf"({_FOREIGN}|{_MONEY})$")


def unit_factor(unit: str, currency: str = "元") -> Decimal:
    """What one of ``unit`` is in 万 of its currency: 千元 -> 0.1, 百万元 -> 100, 亿 -> 10000."""
    rest = unit[:-len(currency)] if unit.endswith(currency) else unit
    scale = _SCALE.get(rest[:1], 1)
    if rest[:1] in _SCALE:
        rest = rest[1:]
    return scale * _MAGNITUDE[rest]


def is_foreign(unit: str) -> bool:
    return bool(_FOREIGN_UNIT.fullmatch(unit))


def unit_in(text: str) -> str | None:
    """The money unit a header or a line names, or None."""
    text = unicodedata.normalize("NFKC", text)
    if _MONEY_UNIT.fullmatch(text.strip()):
        return text.strip()
    m = _UNIT_IN_TEXT.search(text) or _UNIT_LINE.search(text)
    if m:
        return m.group(1)
    # "总投资亿元", "计划投资千元": a header ending in a unit with 元 after a word (not a figure).
    text = text.strip()
    m = _UNIT_AT_END.search(text)
    if m and m.start() > 0 and ("元" in m.group(1)) and not re.match(r"[\d\s.,%]", text[m.start() - 1]):
        return m.group(1)
    return None


# --- numbers --------------------------------------------------------------------------------

_APPROX_BEFORE = re.compile(r"^(?:约|大约|近|逾|超|超过|共|计|合计)")
_APPROX_AFTER = re.compile(r"(?:左右|余|多|以上)$")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
# A comma in a figure that does not group thousands: "12,34", "1,2345", "1234,567", "1,234,5".
_BAD_GROUPING = re.compile(r"\d,(?!\d{3}(?!\d))|\d{4},|\.\d*,")


@dataclass
class Amount:
    value: Decimal | None  # in 万元 (万美元 for a dollar amount)
    source: str  # as written
    unit: str  # the unit it was read in
    approximate: bool = False
    converted: bool = False
    step: Decimal = Decimal("0.01")  # the last digit written, in 万元: "0.29" 亿元 is to 100 万元

    def __post_init__(self):
        self.converted = self.unit not in ("万元", "万")


_CENT, _ONE = Decimal("0.01"), Decimal(1)


def read_amount(cell, column_unit: str | None = None, *, negative: bool = False,
                limit: Decimal = MAX_AMOUNT_WAN, usd: bool = False) -> Amount:
    """An amount cell as 万元 (as 万美元 with ``usd``). ``column_unit`` is the unit from the
    header or the sheet (万元 when nothing says); a unit in the cell itself wins. Raises
    :class:`CellError`."""
    if usd:
        return _read_usd(cell, column_unit, limit)
    unit = column_unit or "万元"
    if cell is None:
        return Amount(None, "", unit)
    if isinstance(cell, bool):
        raise CellError(gettext("应为数字"))
    if isinstance(cell, dt.date | dt.datetime | dt.time):
        raise CellError(gettext("应为金额,实为日期“%(cell)s”") % {"cell": cell})
    approximate = False
    if isinstance(cell, int | float | Decimal):
        if isinstance(cell, float) and not math.isfinite(cell):
            raise CellError(gettext("不是有效数字"))
        source = _number_text(cell)
        number = Decimal(repr(cell)) if isinstance(cell, float) else Decimal(cell)
    else:
        source = str(cell).strip()
        text = clean(cell)
        if text in BLANKS:
            return Amount(None, source, unit)
        if "," in text and _BAD_GROUPING.search(text):
            # "12,34" is no thousands grouping: a decimal comma, or two figures in one cell.
            raise CellError(gettext("“%(source)s”中的逗号不是千分位,请核对后填写") % {"source": source})
        text = text.replace(",", "").replace("，", "")
        if "%" in text or "%" in source:
            raise CellError(gettext("应为金额,实为百分比“%(source)s”") % {"source": source})
        written = _UNIT_AT_END.search(text)
        if written:
            if is_foreign(written.group(1)):
                raise CellError(gettext("外币金额“%(source)s”无法换算为万元,请换算后填写") % {"source": source})
            unit, text = written.group(1), text[: written.start()]
        if text.lower().lstrip("+-") in ("nan", "inf", "infinity", "#num!", "#div/0!", "#value!", "#ref!", "#n/a"):
            raise CellError(gettext("不是有效数字:“%(source)s”") % {"source": source})
        stripped = _APPROX_AFTER.sub("", _APPROX_BEFORE.sub("", text))
        approximate = stripped != text
        if not _NUMBER.match(stripped):
            raise CellError(gettext("应为数字,实为“%(source)s”") % {"source": source})
        number = Decimal(stripped)
    if is_foreign(unit):
        raise CellError(gettext("外币金额“%(source)s”无法换算为万元,请换算后填写") % {"source": source})
    factor = unit_factor(unit)
    try:
        if not number.is_finite():
            raise CellError(gettext("不是有效数字:“%(source)s”") % {"source": source})
        value = (number * factor).quantize(_CENT)
    except InvalidOperation as e:
        raise CellError(gettext("数值过大:“%(source)s”") % {"source": source}) from e
    step = (_ONE.scaleb(min(number.as_tuple().exponent, 0)) * factor).max(_CENT)
    if value < 0 and not negative:
        raise CellError(gettext("不能为负数:“%(source)s”") % {"source": source})
    if abs(value) > limit:
        raise CellError(gettext("数值过大:“%(source)s”%(unit)s超过 %(limit)s 万元,请核对单位") % {
            "source": source, "unit": "" if unit in ("万元", "万") else f"({unit})", "limit": f"{limit:,.0f}"})
    return Amount(value, source, unit, approximate, step=step)


def _is_usd(unit: str | None) -> bool:
    return bool(unit) and unit.endswith("美元") and is_foreign(unit)


def _read_usd(cell, column_unit, limit) -> Amount:
    unit = column_unit if _is_usd(column_unit) else "万美元"
    if column_unit and not _is_usd(column_unit):
        raise CellError(gettext("外资以万美元计,表头单位却是%(column_unit)s") % {"column_unit": column_unit})
    text = clean(cell) if isinstance(cell, str) else ""
    written = _UNIT_AT_END.search(text) if text else None
    if written and _is_usd(written.group(1)):
        unit, cell = written.group(1), text[: written.start()]
    elif text and text[-1] in "元亿万":
        raise CellError(gettext("外资以万美元计,“%(text)s”是人民币金额") % {"text": text})
    amount = read_amount(cell, "万元", limit=limit)
    if amount.value is not None:
        amount.value = (amount.value * unit_factor(unit, "美元")).quantize(_CENT)
    amount.unit = unit
    amount.converted = unit != "万美元"
    return amount


def _number_text(v) -> str:
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return str(v)


# --- dates ----------------------------------------------------------------------------------

_EXCEL_EPOCH = dt.date(1899, 12, 30)


def to_dated(value, year: int | None = None) -> tuple[dt.date | None, str]:
    """A date as a sheet writes it, with its precision: "2026-03-12" (day), "2026年3月",
    "2026.3" or "3月" in a sheet of 2026 (month), "2026年" (year). A month or a year is
    stored as its first day with that precision, never as an invented day. Raises
    :class:`CellError` for what is not a date or does not exist."""
    if value is None:
        return None, "day"
    if isinstance(value, dt.datetime):
        return _checked(value.date()), "day"
    if isinstance(value, dt.date):
        return _checked(value), "day"
    if isinstance(value, bool):
        raise CellError(gettext("应为日期"))
    if isinstance(value, int | float | Decimal):
        return _numeric_date(value)
    return _dated_text(str(value), year)


@functools.lru_cache(maxsize=4096)
def _dated_text(value: str, year: int | None) -> tuple[dt.date | None, str]:
    """:func:`to_dated` of a text; a sheet writes the same dates many times."""
    source = value.strip()
    text = clean(value)
    if text in BLANKS:
        return None, "day"
    text = re.sub(r"(?:前|以前|左右|底|末|初)$", lambda m: m.group(0) if m.group(0) in ("底", "末") else "", text)
    m = re.fullmatch(r"(\d{4})年?(?:度)?", text)
    if m:
        return _date(source, int(m.group(1)), 1, 1), "year"
    m = re.fullmatch(r"(\d{4})年(?:底|末)", text)
    if m:
        return _date(source, int(m.group(1)), 12, 1), "month"
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})(?:月份?|月?(?:底|末))?", text)
    if m:
        if "." in text and not text.endswith("月") and m.group(2) == "1" and re.search(r"\.1$", text):
            raise CellError(gettext("“%(source)s”可能是1月,也可能是10月(写成数字时末尾的0会丢失),请写成“%(year)s年1月”或“%(year)s年10月”") % {"source": source, "year": m.group(1)})
        return _date(source, int(m.group(1)), int(m.group(2)), 1), "month"
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})", text)
    if m:
        return _date(source, int(m.group(1)), int(m.group(2)), int(m.group(3))), "day"
    m = re.fullmatch(r"(\d{1,2})月份?", text)
    if m:
        if year is None:
            raise CellError(gettext("“%(source)s”没有年份,表中也看不出年度") % {"source": source})
        return _date(source, year, int(m.group(1)), 1), "month"
    m = re.fullmatch(r"(\d{1,2})月(\d{1,2})日?", text)
    if m:
        if year is None:
            raise CellError(gettext("“%(source)s”没有年份,表中也看不出年度") % {"source": source})
        return _date(source, year, int(m.group(1)), int(m.group(2))), "day"
    raise CellError(gettext("日期格式不正确:“%(source)s”(如 2026-03-12、2026年3月 或 2026年)") % {"source": source})


def _numeric_date(value) -> tuple[dt.date, str]:
    if isinstance(value, float) and not math.isfinite(value):
        raise CellError(gettext("不是有效日期"))
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    source = _number_text(value)
    if number == number.to_integral_value() and 1900 <= number <= 2100:
        return _date(source, int(number), 1, 1), "year"
    if 1900 < number < 2101:  # 2026.3 typed as a number
        year, fraction = divmod(number, 1)
        digits = str(fraction).split(".")[1]
        if digits == "1":
            raise CellError(gettext("“%(source)s”可能是1月,也可能是10月(写成数字时末尾的0会丢失),请写成“%(year)s年1月”或“%(year)s年10月”") % {"source": source, "year": int(year)})
        if len(digits) <= 2:
            return _date(source, int(year), int(digits), 1), "month"
    if number == number.to_integral_value() and 18_000 <= number <= 80_000:  # an Excel serial day
        return _checked(_EXCEL_EPOCH + dt.timedelta(days=int(number))), "day"
    raise CellError(gettext("应为日期,实为数字“%(source)s”") % {"source": source})


def _date(source: str, year: int, month: int, day: int) -> dt.date:
    try:
        date = dt.date(year, month, day)
    except ValueError as e:
        raise CellError(gettext("日期不存在:“%(source)s”") % {"source": source}) from e
    return _checked(date, source)


def _checked(d: dt.date, source: str = "") -> dt.date:
    if not 1950 <= d.year <= 2100:
        raise CellError(gettext("日期不合理:“%(value)s”") % {"value": source or d.isoformat()})
    return d


_PARTS = {"第一季度": 1, "一季度": 1, "1季度": 1, "第二季度": 4, "二季度": 4, "2季度": 4, "第三季度": 7, "三季度": 7,
          "3季度": 7, "第四季度": 10, "四季度": 10, "4季度": 10, "上半年": 1, "下半年": 7, "年初": 1, "年中": 6}


_PART_OF_YEAR = re.compile(r"((?:19|20)\d\d)年?(" + "|".join(_PARTS) + ")")


def to_date(value, year: int | None = None) -> dt.date | None:
    """A day, a month (its first day) or a year (1 January) as a date, for fields that keep
    no precision (planned dates). Plans also say "2026年第四季度" or "2027年上半年": the
    first month of that part of the year."""
    if isinstance(value, str):
        m = _PART_OF_YEAR.fullmatch(clean(value))
        if m:
            return _date(value, int(m.group(1)), _PARTS[m.group(2)], 1)
    return to_dated(value, year)[0]


# --- the report period ----------------------------------------------------------------------

_SEASONS = {"一季度": 3, "1季度": 3, "第一季度": 3, "上半年": 6, "二季度": 6, "第二季度": 6, "1-2季度": 6,
            "前三季度": 9, "三季度": 9, "第三季度": 9, "1-3季度": 9, "全年": 12, "四季度": 12, "第四季度": 12}
_RANGE = r"1\s*月?\s*[-—–~～至到－]+\s*(\d{1,2})\s*月份?"


@dataclass
class Period:
    year: int | None = None
    month: int | None = None  # the month a year-to-date figure runs to
    source: str = ""
    years: tuple[int, int] | None = None  # a title over several years ("2025-2027年滚动计划")


def period_in(text: str) -> Period:
    """The year and month a title names: "2026年1-10月", "2026年10月份", "截至2026年10月底",
    "2026年前三季度", "2026年度"."""
    text = _WRITTEN_ON.sub(_unless_period, _FILED_ON.sub(" ", unicodedata.normalize("NFKC", text)))
    several = re.search(r"((?:19|20)\d\d)\s*年?\s*[-—–~至到]+\s*((?:19|20)\d\d)\s*年", text)
    if several:
        return Period(source=several.group(0), years=(int(several.group(1)), int(several.group(2))))
    found = []
    for m in _PERIOD.finditer(text):
        month = m.group(2) or m.group(3)
        month = int(month) if month else _SEASONS.get(m.group(4) or "")
        found.append((int(m.group(1)), month if month is not None and 1 <= month <= 12 else None, m.group(0).strip()))
    if not found:
        return Period()
    if len({y for y, _, _ in found}) > 1:
        # "2023年第一批重点项目2024年1-6月进展": which year the figures are for is asked, not guessed.
        months = {m for _, m, _ in found if m}
        return Period(month=months.pop() if len(months) == 1 else None, source="、".join(s for _, _, s in found),
                      years=(min(y for y, _, _ in found), max(y for y, _, _ in found)))
    return Period(*found[0])


_PERIOD = re.compile(r"((?:19|20)\d\d)\s*年\s*(?:度)?\s*(?:" + _RANGE + r"|(\d{1,2})\s*月份?|(" + "|".join(_SEASONS) + "))?")
# When the sheet was filled in, not what it reports: "填报日期:2024年7月5日", or any day
# ("2024年7月5日", "2024.7.5") but the one a report runs to ("截至2024年6月30日").
_FILED_ON = re.compile(r"(?:填报|填表|报送|制表|打印|导出|上报|编制|印发|发布)(?:日期|时间)\s*[::]?\s*[\d年月日./\s-]*")
_WRITTEN_ON = re.compile(r"((?:19|20)\d\d)\s*(?:年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[-./]\d{1,2}[-./]\d{1,2}(?!\d))")


def _unless_period(m: re.Match) -> str:
    before = m.string[:m.start()].rstrip()
    if before.endswith(("截至", "截止", "至", "到")):
        return re.sub(r"[./-](\d{1,2})[./-]\d{1,2}$", r"年\1月", m.group(0))
    return " "


def month_in(text: str) -> int | None:
    """N of a "1-N月" in a header."""
    m = re.search(_RANGE, unicodedata.normalize("NFKC", text))
    return int(m.group(1)) if m and 1 <= int(m.group(1)) <= 12 else None


# --- columns by meaning ---------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """What a column can be. ``names`` are the headers real sheets use (the first is shown);
    ``kind`` is money, date, text, seq or name; ``never`` holds patterns of headers that
    measure something else and are never this field; ``under`` holds sub-labels that mean
    this field under a group header naming one of ``group``."""

    label: str
    names: tuple[str, ...]
    kind: str = "text"
    never: tuple[str, ...] = ()
    under: tuple[str, ...] = ()
    group: tuple[str, ...] = ()


#: Headers that measure a share, a rate or a quantity, never an amount.
NOT_AMOUNT = (r"[%%]", "率", "比例", "比重", "占", "百分", "增长", "增速", "同比", "环比", "亩", "平方米",
              "人数", "个数", "数量", "面积", "排名", "名次")
#: Headers of cumulatives over other spans than the year.
NOT_THIS_YEAR = ("年底", "年末", "开工至", "开工以来", "自开工", "开工累计", "开工后", "至上年", "上年", "去年", "以前年度",
                 "历年", "以往", "往年", "截至上", "同期", "项目累计", "建设以来", "至今累计",
                 # to the month before: not this year's to date, nor this month's
                 "上月", "上期")
NOT_PROGRESS = ("目标", "计划")

_NUMBERING = re.compile(r"^(?:\d+[.、]|[(](?:\d+|[一二三四五六七八九十]+)[)])")
_YEAR_PREFIX = re.compile(r"^(?:19|20)\d\d年(?:度)?")


def header_key(text: str) -> str:
    """A header as compared with the vocabulary: no spaces, units, numbering or year."""
    t = clean(text)
    t = re.sub(r"[(\[][^()\[\]]*[)\]]", "", t)  # (万元), (亿元), (填写说明)
    t = re.sub(r"(?:单位[::]?)?(?:万美元|亿美元|亿元|万元)$", "", t)
    t = _NUMBERING.sub("", t)
    t = _YEAR_PREFIX.sub("", t)
    t = re.sub(_RANGE, "1-N月", t)
    t = re.sub(r"^(\d{1,2})月份?(?=完成|投资)", "N月", t)
    return t.strip(":")


@dataclass
class Column:
    index: int
    title: str  # the header as written, levels joined with " / "
    levels: tuple[str, ...]
    field: str | None = None
    quality: int = 0
    unit: str | None = None  # the money unit its header names
    note: str = ""  # why it is not imported, or what it was taken for
    asks: bool = False  # the note asks the user to choose the column's field

    @property
    def own(self) -> str:
        return next((t for t in reversed(self.levels) if t), "")


#: Sub-labels under a month that say its figure is done, not planned.
_MONTH_DONE = ("完成", "实际完成", "完成投资", "实际", "完成数", "实际完成投资", "实际投资", "完成额", "实际数")
#: Fields whose figures belong to one year: a header naming another year is not them.
YEARLY = ("year_plan", "ytd", "month_investment", "month")


def match(column: Column, fields: dict[str, Field], year: int | None = None) -> list[tuple[int, str]]:
    """(quality, field) candidates for a column: 4 exact, 3 exact with the group's sub-label,
    2 prefix, 1 substring. Headers that measure something else are never candidates: a
    share or a rate, a breakdown ("其中:财政资金"), a cumulative over other years, or a
    yearly figure of a year other than the table's."""
    own = header_key(column.own)
    own_raw = clean(column.own)
    if own_raw.startswith("其中"):
        return []
    named_years = {int(y) for y in re.findall(r"((?:19|20)\d\d)\s*年", clean(column.title))}
    other_year = bool(year and named_years and year not in named_years)
    group = " ".join(header_key(t) for t in column.levels[:-1] if t)
    whole = group + own
    raw = clean(column.title)
    found: dict[str, int] = {}
    month_col = re.fullmatch(r"(\d{1,2})月份?(?:完成投资|投资|完成)?", own)
    # A month over its own sub-columns ("1月 / 计划 | 1月 / 完成", a 12-month grid): the
    # figure done is that month's; its plan is no field (not the year's plan, nor a cumulative).
    over = next((int(m.group(1)) for t in column.levels[:-1] if t
                 and (m := re.fullmatch(r"(\d{1,2})月份?", header_key(t)))), None)
    if over is not None and 1 <= over <= 12:
        month_field = next((n for n, f in fields.items() if f.kind == "month"), None)
        if own in _MONTH_DONE and month_field and not (other_year and month_field in YEARLY):
            return [(4, f"{month_field}:{over}")]
        if any(w in own for w in NOT_PROGRESS):
            return []
    for name, f in fields.items():
        if other_year and name in YEARLY:
            continue
        if f.kind == "month" and month_col and 1 <= int(month_col.group(1)) <= 12 and (
                any(g in group for g in ("完成", "实际")) and not any(g in group for g in ("计划", "目标", "预计"))):
            # Month columns are the months' own figures only under a group saying they are
            # done ("逐月完成投资"); under "月度计划" they are plans, and bare they are asked.
            found[f"{name}:{int(month_col.group(1))}"] = 4
            continue
        if f.kind == "month":
            continue
        if any(re.search(p, raw) for p in f.never):
            continue
        if f.kind == "money" and any(re.search(p, own_raw) for p in NOT_AMOUNT):
            continue
        quality = 0
        for n in f.names:
            if own == n or whole == n:
                quality = 4
            elif own.startswith(n) or whole.startswith(n):
                quality = max(quality, 2)
            elif n in own:
                quality = max(quality, 1)
        if f.under and own in f.under and (not f.group or any(g in group for g in f.group)):
            quality = max(quality, 3)
        if quality:
            found[name] = quality
    return sorted(((q, n) for n, q in found.items()), reverse=True)


# --- the table ------------------------------------------------------------------------------

# A total's word stands alone at the start of its cell ("合计", "合计:35个", "小计(5个)"): one
# running on into more words is the start of a name ("小计量器具产业园", "总计算平台").
_ALONE = r"(?:共|(?![\u4e00-\u9fff]))"
_TOTALS = re.compile(r"^(?:合计|总计|共计|汇总|全市(?:合计|总计)?|全区(?:合计|总计)?|全县(?:合计|总计)?|"
                     rf"全省(?:合计|总计)?|全部项目|总合计)$|^(?:合计|总计|汇总){_ALONE}")
_SUBTOTAL = re.compile(rf"^(?:小计|分计){_ALONE}|^其中[::]?|小计$")
_TOTAL_SUFFIX = re.compile(r"(?:合计|总计)$")
# What a total's label may carry after it: "全区合计(35个)", "工业项目小计(共12个项目)".
_COUNT_AFTER = re.compile(r"[(][^()]*[)]$")


def _label_of(text: str) -> str:
    """A cell's text as a totals label: without a bracketed count after it."""
    return _COUNT_AFTER.sub("", text) if text.endswith(")") else text
_NOTES = re.compile(r"^(?:注[::1-9一]|注$|备注[::]|说明[::]|填表说明|填报说明|填报人|填表人|制表人?|审核人?|"
                    r"审核|联系人|联系电话|负责人|单位负责人|统计负责人|填报单位[::]|填报日期|报送日期|"
                    r"资料来源|数据来源|[☆★※*]\S*(?:为|表示|代表))")
_GROUP = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|[(][一二三四五六七八九十]+[)]|第[一二三四五六七八九十]+[部类批]|"
                    r"[IVX]+[、.])")
_CHINESE_SEQ = re.compile(r"^(?:[一二三四五六七八九十]+|[(][一二三四五六七八九十]+[)])[、.]?$")
_ARABIC_SEQ = re.compile(r"^\d+(?:\.0)?$|^\d+(?:[.-]\d+)+$")
_MARKERS = "☆★※▲△●○◆◇■□*"
_SUB_LABELS = ("单月", "当月", "本月", "累计", "本年累计", "年累计", "1-N月", "全年目标", "年度目标", "全年计划",
               "年度计划", "计划", "实际", "完成", "金额", "比例", "小计", "合计", "其中", "总计", "数值")


@dataclass
class Skipped:
    number: int
    text: str
    reason: str


#: why a row hidden in the sheet (by hand or by a filter) is not imported
HIDDEN_ROW = gettext_noop("隐藏行(在表中被隐藏或筛选掉,未导入)")


def hidden_notice(table) -> str | None:
    """The preview's word on the rows set aside as hidden, if any."""
    rows = [s.number for s in table.skipped if s.reason == HIDDEN_ROW]
    if not rows:
        return None
    return gettext("表中有%(n)s行被隐藏或筛选掉(第%(rows)s行),未导入;如需导入,请在表中取消隐藏或筛选后重新上传") % {
        "n": len(rows), "rows": _rows_named(rows)}


def _rows_named(numbers: list[int], at_most: int = 10) -> str:
    """"4、5、9", or the first ``at_most`` and 等."""
    return "、".join(map(str, numbers[:at_most])) + (gettext("等") if len(numbers) > at_most else "")


@dataclass
class Table:
    sheet: str
    title: str
    columns: list[Column]
    header: tuple[int, int]  # first and last header row, as Excel numbers them
    unit: str | None  # the unit the sheet names above the table
    unit_source: str
    period: Period
    rows: list[tuple[int, tuple]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    totals: tuple[int, tuple] | None = None  # the sheet's grand total row
    questions: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # what the preview should say of the reading
    template: str = ""  # the saved column template applied

    @property
    def signature(self) -> str:
        return signature([c.title for c in self.columns])

    def unit_of(self, column: Column) -> str | None:
        return column.unit or self.unit

    def reading(self) -> dict[str, list]:
        """The rows set aside (number, text, reason) and the notices, as JSON keeps them: what
        every importer shows with its preview or result (templates/includes/skipped_rows.html),
        so that no row is left out without the user seeing it."""
        return {"skipped": [{"number": s.number, "text": s.text, "reason": s.reason} for s in self.skipped],
                "notices": list(self.notices)}


def signature(titles: list[str]) -> str:
    """A layout's fingerprint: its header titles in order."""
    import hashlib

    return hashlib.sha1("|".join(titles).encode()).hexdigest()


def read_table(sheet: SheetSource, fields: dict[str, Field], required: str = "name",
               mapping: dict[int, str | None] | None = None, max_rows: int = MAX_ROWS,
               saved=None, year: int | None = None) -> Table:
    """Find the table in ``sheet`` and read its rows. ``mapping`` (column index -> field or
    None) overrides what the headers say, as the user chose in the preview; without one,
    ``saved(signature)`` may give (template name, mapping) saved for this layout."""
    stream = sheet.rows(MAX_COLUMNS)
    head: list[tuple] = []
    for row in stream:
        head.append(row)
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    if not any(filled(v) for r in head for v in r):
        raise WorkbookError(gettext("工作表“%(name)s”是空的") % {"name": sheet.name})
    found = _find_header(head, fields, required)
    if found is None:
        raise WorkbookError(gettext("工作表“%(sheet)s”中没有找到表头:前%(rows)s行中没有“%(column)s”列") % {
            "sheet": sheet.name, "rows": HEADER_SEARCH_ROWS, "column": fields[required].names[0]})
    first, last = found
    width = max((j + 1 for r in head[first:last + 1] for j, v in enumerate(r) if filled(v)), default=0)
    levels = [[clean(r[j]) if j < len(r) else "" for j in range(width)] for r in head[first:last + 1]]
    raw_levels = [[str(r[j]).strip() if j < len(r) and filled(r[j]) else "" for j in range(width)]
                  for r in head[first:last + 1]]
    # A header cell merged over several columns holds its text in the first: carry it right
    # over the columns whose lower levels have text of their own.
    for lv in range(len(levels) - 1):
        carried = ""
        for j in range(width):
            if levels[lv][j]:
                carried = raw_levels[lv][j]
            elif any(levels[k][j] for k in range(lv + 1, len(levels))) and carried:
                raw_levels[lv][j] = carried
            else:
                carried = ""
    above = [" ".join(str(v).strip() for v in r if filled(v)) for r in head[:first]]
    title = " ".join(" ".join(str(v).strip() for v in r if filled(v) and not _is_unit_note(str(v)))
                     for r in head[:first]).strip()
    unit, unit_source = None, ""
    for text in above + [" ".join(str(v) for v in head[first] if filled(v) and _is_unit_note(str(v)))]:
        u = unit_in(text) if text else None
        if u:
            unit, unit_source = u, text
            break
    columns = []
    for j in range(width):
        lv = tuple(raw_levels[k][j] for k in range(len(levels)))
        title_text = " / ".join(dict.fromkeys(t for t in lv if t))
        if _is_unit_note(title_text):
            title_text = ""
        col_unit = None
        for t in reversed(lv):
            col_unit = unit_in(t) if t else None
            if col_unit:
                break
        columns.append(Column(j, title_text, lv, unit=col_unit))
    template = ""
    if mapping is None and saved is not None:
        found = saved(signature([c.title for c in columns]))
        if found:
            template, mapping = found
    period = period_in(title)
    if period.year is None and period.years is None:
        period = period_in(sheet.name)
    _assign(columns, fields, mapping, year or period.year)
    asked = {c.note for c in columns if c.asks}
    table = Table(sheet.name, title, columns, (first + 1, last + 1), unit, unit_source, period)
    table.questions.extend(sorted(asked))
    table.template = template
    if not any(c.field == required for c in columns):
        table.questions.append(gettext("没有确定哪一列是“%(label)s”,请在下表中选择") % {
            "label": gettext(fields[required].label)})
        return table
    # The rows below, read again cut at the table's own width: a reader that pads every row
    # to the widest possible table (openpyxl does) builds 300 cells a row otherwise.
    stream.close()
    stream = sheet.rows(width)
    for _ in range(len(head)):
        next(stream, None)
    _read_rows(table, head[last + 1:], stream, last + 1, width, fields, max_rows, sheet.merged(), sheet.hidden)
    hidden = hidden_notice(table)
    if hidden:
        table.notices.insert(0, hidden)
    noted = [(unit_in(s.text), s.text) for s in table.skipped if s.reason.startswith("表尾") and unit_in(s.text)]
    if noted:
        note_unit, text = noted[0]
        if table.unit is None:
            table.unit, table.unit_source = note_unit, f"表尾“{text}”"
        elif note_unit != table.unit:
            table.questions.append(gettext("表头上方写“%(above)s”,表尾却写“%(below)s”:单位不一致,请核对后重新上传") % {
                "above": table.unit_source, "below": text})
    return table


def _is_unit_note(text: str) -> bool:
    return bool(_UNIT_LINE.search(unicodedata.normalize("NFKC", text)))


def _find_header(head, fields: dict[str, Field], required: str) -> tuple[int, int] | None:
    """First and last header row (0-based). The header names ``required`` in a short cell of
    its own (not a subtitle such as "项目名称:..."), with at least one other known field in
    it or the one or two rows below."""
    req = fields[required]
    for i, row in enumerate(head):
        keys = [header_key(v) if filled(v) and len(clean(v)) <= 20 and not re.search("[::]", clean(v)) else ""
                for v in row]
        name_cols = [j for j, k in enumerate(keys) if k and any(k == n or k.startswith(n) for n in req.names)]
        if not name_cols:
            continue
        last = i
        for k in range(i + 1, min(i + 3, len(head))):
            if _continues_header(head[k], name_cols[0]):
                last = k
            else:
                break
        known = set()
        for r in head[i:last + 1]:
            for v in r:
                if filled(v):
                    key = header_key(v)
                    known.update(n for n, f in fields.items()
                                 if any(key == x or key.startswith(x) or (len(x) >= 4 and x in key) for x in f.names))
        if len(known - {required}) >= 1:
            return i, last
    return None


def _continues_header(row, name_col: int) -> bool:
    """A row under the header that is still header: the name column is empty (merged from
    above), there are no numbers, and its texts are short labels."""
    texts = [clean(v) for v in row if filled(v)]
    if not texts:
        return False
    if name_col < len(row) and filled(row[name_col]):
        return False
    if any(not isinstance(v, str) for v in row if filled(v)):
        return False
    if any(_NUMBER.match(t.replace(",", "")) for t in texts):
        return False
    return all(len(t) <= 24 and not _GROUP.match(t) for t in texts)


def _assign(columns: list[Column], fields: dict[str, Field], mapping, year: int | None = None) -> None:
    best: dict[str, list[Column]] = {}
    for c in columns:
        if not c.title:
            continue
        cands = match(c, fields, year)
        if cands:
            c.quality, c.field = cands[0]
            best.setdefault(c.field, []).append(c)
    for name, cols in best.items():
        top = max(c.quality for c in cols)
        winners = [c for c in cols if c.quality == top]
        for c in cols:
            if c not in winners:
                c.note = gettext("“%(title)s”更像“%(label)s”") % {"title": winners[0].title, "label": _label(fields, name)}
                c.field = None
        if len(winners) > 1:
            note = gettext("%(titles)s都可能是“%(label)s”,请在列对应表中选择") % {
                "titles": gettext("、").join("“" + w.title + "”" for w in winners), "label": _label(fields, name)}
            for c in winners:
                c.field, c.note, c.asks = None, note, True
    if mapping:
        for c in columns:
            if c.index in mapping:
                chosen = mapping[c.index]
                if chosen and chosen.split(":")[0] not in fields:
                    continue
                if chosen != c.field or c.asks:
                    c.note = gettext("已按您的选择") + ("" if chosen else gettext(":不导入"))
                    c.asks = False
                c.field, c.quality = chosen, 5
        taken: dict[str, Column] = {}
        for c in columns:
            if c.field and c.field in taken:
                first = taken[c.field]
                note = gettext("“%(first)s”和“%(title)s”都选成了“%(label)s”,请只选一列,请在列对应表中选择") % {
                    "first": first.title, "title": c.title, "label": _label(fields, c.field)}
                first.note = c.note = note
                first.asks = c.asks = True
                first.field = c.field = None
            elif c.field:
                taken[c.field] = c


def _label(fields: dict[str, Field], name: str) -> str:
    base, _, month = name.partition(":")
    label = gettext(fields[base].label)
    return gettext("%(month)s月%(label)s") % {"month": month, "label": label} if month else label


def _read_rows(table: Table, buffered, stream, offset: int, width: int, fields, max_rows: int,
               merged=(), hidden=frozenset()) -> None:
    by_field = {c.field: c.index for c in table.columns if c.field}
    # A text merged down over several rows ("责任单位" beside three projects) is each row's, as
    # the reader sees it; an amount merged so is not (copied, it would count several times).
    texts_at = {c.index for c in table.columns
                if c.field and fields[c.field.split(":")[0]].kind not in ("money", "month", "name", "seq")}
    merged_down: dict[int, list[tuple[int, int]]] = {}  # row index -> [(column, the merge's first row)]
    merge_tops: dict[int, list[int]] = {}  # row index -> columns whose text is merged down from it
    for r1, c1, r2, _ in merged:
        if r2 > r1 >= offset and c1 in texts_at:
            merge_tops.setdefault(r1, []).append(c1)
            for r in range(r1 + 1, r2 + 1):
                merged_down.setdefault(r, []).append((c1, r1))
    held: dict[tuple[int, int], object] = {}
    name_at = by_field["name"]
    seq_at = by_field.get("seq")
    amount_at = [c.index for c in table.columns if c.field and fields[c.field.split(":")[0]].kind in ("money", "month")]
    lead = max(name_at, seq_at or 0, 3) + 2
    amount_set = set(amount_at)
    ended = False
    last_note: int | None = None  # the note row that ended the table
    after_notes: list[int] = []  # rows after it with a name and figures
    candidates: list[tuple[int, tuple]] = []
    number = offset
    first_data: bool | str = True
    header_name = clean(next(c.own for c in table.columns if c.index == name_at))

    def rows():
        yield from buffered
        yield from stream

    for row in rows():
        number += 1
        if number - offset > max_rows:
            raise WorkbookError(gettext("工作表超过 %(max_rows)s 行,请分批导入") % {"max_rows": max_rows})
        row = tuple(row[:width])
        index = number - 1
        for j in merge_tops.get(index, ()):
            held[index, j] = row[j] if j < len(row) else None
        if not any(filled(v) for v in row):
            continue
        if number in hidden:
            # Hidden by hand or filtered out (a sheet filtered to one district's projects): not
            # what the sheet shows, so not imported; listed, so that nothing goes unseen.
            table.skipped.append(Skipped(number, _shown(row), HIDDEN_ROW))
            continue
        if index in merged_down:
            cells = list(row) + [None] * (width - len(row))
            for j, top in merged_down[index]:
                if not filled(cells[j]):
                    cells[j] = held.get((top, j))
            row = tuple(cells)
        # Only the cells that tell what a row is are read as text: the leading ones and amounts.
        texts = [clean(v) if j < lead or j in amount_set else "" for j, v in enumerate(row)]
        joined = "".join(texts[:4])
        first_text = next((t for t in texts if t), "") or clean(next(v for v in row if filled(v)))
        if ended:
            seq = texts[seq_at] if seq_at is not None and seq_at < len(texts) else ""
            name = texts[name_at] if name_at < len(texts) else ""
            if name and _next_in_order(seq, candidates, seq_at):
                ended = False  # a note inside the list ("注:以下为新开工项目"): the numbering goes on
                last_note = None
            else:
                table.skipped.append(Skipped(number, _shown(row), gettext_noop("表尾注释或签字行")))
                if name and any(_is_figure(row[j]) for j in amount_at if j < len(row)):
                    after_notes.append(number)
                continue
        if first_data and _column_numbers(row):
            table.skipped.append(Skipped(number, _shown(row), gettext_noop("列序号行")))
            continue
        name = texts[name_at] if name_at < len(texts) else ""
        # The header again, where a long list was pasted together page by page; its lower
        # rows and column numbers follow it.
        if (name and name == header_name) or (first_data == "again" and _continues_header(row, name_at)):
            table.skipped.append(Skipped(number, _shown(row), gettext_noop("重复的表头行")))
            first_data = "again"
            continue
        first_data = False
        if _NOTES.match(first_text) or (not name and _NOTES.match(joined)):
            ended, last_note = True, number
            table.skipped.append(Skipped(number, _shown(row), gettext_noop("表尾注释或签字行")))
            continue
        leading = [_label_of(t) for t in texts[:max(name_at, seq_at or 0) + 2] if t]
        first_label, name_label = _label_of(first_text), _label_of(name)
        if _SUBTOTAL.match(first_label) or _SUBTOTAL.search(name_label) or any(_SUBTOTAL.search(t) for t in leading):
            table.skipped.append(Skipped(number, _shown(row), gettext_noop("小计行(由明细汇总,不导入)")))
            continue
        if (_TOTALS.match(first_label) or _TOTALS.match(name_label)
                or any(_TOTAL_SUFFIX.search(t) for t in leading)):
            table.skipped.append(Skipped(number, _shown(row), gettext_noop("合计行(由明细汇总,不导入)")))
            if table.totals is None:
                table.totals = (number, row)
            continue
        seq = texts[seq_at] if seq_at is not None and seq_at < len(texts) else ""
        if _CHINESE_SEQ.match(seq) or _GROUP.match(name) or (not name and _GROUP.match(first_text)):
            table.skipped.append(Skipped(number, _shown(row), gettext_noop("分组行(不是项目)")))
            continue
        if not name and not any(texts[j] for j in amount_at if j < len(texts)):
            table.skipped.append(Skipped(number, _shown(row), gettext_noop("没有项目名称的说明行")))
            continue
        candidates.append((number, row))
    if after_notes:
        # Rows with a name and figures under a note, not numbered on from the list above: read
        # as the note's, but said, since they may be projects.
        table.notices.append(gettext("第%(note)s行是注释或签字行,其后的第%(rows)s行有项目名称和金额,按表尾内容跳过、未导入;"
                                     "如果它们是项目,请删去注释行后重新上传") % {"note": last_note,
                                                                    "rows": _rows_named(after_notes)})
    _set_aside_subtotals(table, candidates, seq_at, amount_at)


def _next_in_order(seq: str, candidates, seq_at) -> bool:
    """Whether ``seq`` numbers on from the last row read as a project (7 after 6)."""
    if seq_at is None or not re.fullmatch(r"\d+(?:\.0)?", seq):
        return False
    for _number, row in reversed(candidates):
        before = clean(row[seq_at]) if seq_at < len(row) else ""
        if re.fullmatch(r"\d+(?:\.0)?", before):
            return int(float(seq)) == int(float(before)) + 1
    return False


def _is_figure(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float | Decimal):
        return True
    return bool(re.fullmatch(r"[\d,.]+", clean(value))) if isinstance(value, str) else False


def _column_numbers(row) -> bool:
    """"序号 | 1 | 2 | 3 ..." or "甲 | 乙 | 1 | 2" under a header."""
    texts = [clean(v) for v in row if filled(v)]
    if len(texts) < 3:
        return False
    numbers = [t for t in texts if re.fullmatch(r"\d+(?:\.0)?", t)]
    letters = [t for t in texts if t in "甲乙丙丁戊己庚辛" or t in ("序号", "栏次", "A", "B", "C", "D")]
    if len(numbers) + len(letters) != len(texts) or len(numbers) < 2:
        return False
    values = [int(float(t)) for t in numbers]
    return values == list(range(values[0], values[0] + len(values))) and values[0] <= 2


#: A group heading standing where a name would: "续建项目", "新开工项目(12个)", "产业项目".
_GROUP_NAME = re.compile(r"^(?:[(]?[一二三四五六七八九十\d]+[)、.]?)?(?:续建|新开工|计划新开工|新建|预备|前期|储备|竣工|"
                         r"在建|产业|工业|服务业|基础设施|民生|社会民生|社会事业|城建|城市建设|城市更新|重大|"
                         r"省重点|市重点|区重点|省级重点|市级重点|区级重点|其他)(?:类)?项目(?:[(]\d+个?[)])?$")
#: A short label with a count, "崂山区(12个)": a heading, unless numbered as the projects are
#: ("5 | 老旧小区改造(12个)" is one project bundling twelve).
_COUNTED_NAME = re.compile(r"^.{1,12}[(]\d+个[)]$")
_SUB_ITEM = re.compile(r"^(\d+)[.-]\d+$")


def _set_aside_subtotals(table: Table, candidates, seq_at, amount_at) -> None:
    """Rows among the data that are not projects: a group heading by its name ("续建项目
    (2个)"); where most rows carry an arabic 序号, a row without one whose amounts are the
    sums of the numbered rows under it; sub-items "3.1", "3.2" of a project "3" that has
    figures of its own (they are part of it)."""
    def seq_of(row):
        return clean(row[seq_at]) if seq_at is not None and seq_at < len(row) else ""

    name_at = next(c.index for c in table.columns if c.field == "name")

    def name_of(row):
        return clean(row[name_at]) if name_at < len(row) else ""

    numbered = sum(1 for _, r in candidates if _ARABIC_SEQ.match(seq_of(r)))
    mostly_numbered = seq_at is not None and numbered >= max(3, 0.7 * len(candidates))
    kept = []
    parent: tuple[str, int, bool] | None = None  # (序号, row number, has figures)
    def heading(i, row, seq) -> bool:
        name = name_of(row)
        if _GROUP_NAME.match(name):
            return True
        if not _COUNTED_NAME.match(name):
            return False
        if not (mostly_numbered and _ARABIC_SEQ.match(seq)):
            return True
        following = seq_of(candidates[i + 1][1]) if i + 1 < len(candidates) else ""
        return bool(_SUB_ITEM.match(following)) and _SUB_ITEM.match(following).group(1) == seq.removesuffix(".0")

    for i, (number, row) in enumerate(candidates):
        seq = seq_of(row)
        if heading(i, row, seq):
            table.skipped.append(Skipped(number, _shown(row), gettext_noop("分组行(名称是分组标题)")))
            continue
        sub = _SUB_ITEM.match(seq)
        if sub and parent and parent[0] == sub.group(1) and parent[2]:
            table.skipped.append(Skipped(number, _shown(row), gettext("子项(已含在第%(parent)s行的项目中)") % {"parent": parent[1]}))
            continue
        if _ARABIC_SEQ.match(seq) or not mostly_numbered:
            kept.append((number, _unmarked(row, name_at)))
            if seq.isdigit() or re.fullmatch(r"\d+\.0", seq):
                parent = (str(int(float(seq))), number, any(filled(row[j]) for j in amount_at if j < len(row)))
            continue
        below = []
        for _, r in candidates[i + 1:]:
            if not _ARABIC_SEQ.match(seq_of(r)):
                break
            below.append(r)
        if below and _sums_match(row, below, amount_at):
            table.skipped.append(Skipped(number, _shown(row), gettext_noop("分组小计行(数值等于其下各项目之和)")))
            continue
        kept.append((number, _unmarked(row, name_at)))  # a project whose 序号 was left empty
    table.rows = kept


def _sums_match(row, below, amount_at) -> bool:
    compared = False
    for j in amount_at:
        try:
            own = read_amount(row[j], negative=True).value if j < len(row) else None
            parts = [read_amount(r[j], negative=True).value if j < len(r) else None for r in below]
        except CellError:
            return False
        if own is None:
            continue
        compared = True
        if abs(own - sum((p for p in parts if p is not None), Decimal(0))) > Decimal("0.02") * max(len(below), 1):
            return False
    return compared


_NAME_NUMBERING = re.compile(r"^\s*(?:\d{1,3}[.、．](?!\d)|[(（]\d{1,3}[)）]|[①-⑳])\s*")


def _unmarked(row, name_at: int) -> tuple:
    """A name as the ledger knows it: no marker symbols (★新开工), no numbering typed into
    the name ("1.机器视觉产业园"), no line breaks."""
    if name_at < len(row) and isinstance(row[name_at], str):
        name = re.sub(r"\s*[\r\n]+\s*", "", row[name_at]).strip().strip(_MARKERS).strip()
        name = _NAME_NUMBERING.sub("", name).strip(_MARKERS).strip()
        if name != row[name_at]:
            row = row[:name_at] + (name,) + row[name_at + 1:]
    return row


def _shown(row) -> str:
    return " | ".join(str(v).strip() for v in row if filled(v))[:120]
