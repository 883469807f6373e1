"""Reading real-world sheets: find the header (one or two rows, merged cells, units in the
header), then yield data rows as dicts until totals and notes begin.

Errors are raised as :class:`WorkbookError` with a message in Chinese.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException


class WorkbookError(Exception):
    pass


@dataclass
class Column:
    index: int
    title: str  # the header text, both rows joined
    field: str | None  # canonical field name, None when unknown
    multiplier: Decimal  # to convert the column's unit to 万元 (亿元 -> 10000)


_UNIT = re.compile(r"[((]\s*(万元|亿元|元|万美元|亿美元|万平方米|亩|个|%)\s*[))]")
_TOTALS = re.compile(r"^\s*(?:合\s*计|总\s*计|小\s*计|全区合计|全市合计)")
_NOTES = re.compile(r"^\s*(?:注[::]|备注|说明[::]|填报人|制表|审核|填报单位|联系人|联系电话)")
_GROUP_ROW = re.compile(r"^\s*[一二三四五六七八九十]+、")


def open_sheet(file, max_rows: int = 200_000):
    """The first sheet's rows as tuples of values. ``file`` is a path or a binary file object."""
    try:
        wb = load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as e:
        raise WorkbookError("无法读取该文件:请上传 Excel 工作簿(.xlsx)") from e
    except Exception as e:  # openpyxl raises many kinds on malformed XML inside a valid zip
        raise WorkbookError(f"Excel 文件已损坏或格式不正确({type(e).__name__})") from e
    ws = wb.worksheets[0] if wb.worksheets else None
    if ws is None:
        raise WorkbookError("工作簿中没有工作表")
    rows = []
    for i, row in enumerate(ws.iter_rows(values_only=True)):
        if i >= max_rows:
            raise WorkbookError(f"工作表超过 {max_rows} 行,请分批导入")
        rows.append(row)
    wb.close()
    while rows and not any(_filled(v) for v in rows[-1]):
        rows.pop()
    if not rows:
        raise WorkbookError("工作表是空的")
    return rows


def _filled(v) -> bool:
    return v is not None and str(v).strip() != ""


def _text(v) -> str:
    return re.sub(r"\s+", "", str(v)) if _filled(v) else ""


def find_header(rows, synonyms: dict[str, list[str]], required: str, search: int = 12):
    """(columns, first data row index). The header row is the first one naming ``required``."""
    for i, row in enumerate(rows[:search]):
        texts = [_text(v) for v in row]
        if not any(any(s in t for s in synonyms[required]) for t in texts):
            continue
        nxt = [_text(v) for v in rows[i + 1]] if i + 1 < len(rows) else []
        two_rows = bool(nxt) and _looks_like_header(nxt, synonyms)
        columns = []
        group = ""
        width = max(len(row), len(nxt))
        for j in range(width):
            top = texts[j] if j < len(texts) else ""
            bottom = nxt[j] if two_rows and j < len(nxt) else ""
            if top:
                group = top
            elif bottom:
                top = group  # under a merged group header ("投资情况(万元)")
            title = (top + bottom) if bottom and bottom != top else top
            multiplier = _multiplier(title)
            clean = _UNIT.sub("", title)
            columns.append(Column(j, title, _field(clean, bottom or clean, synonyms), multiplier))
        return columns, i + (2 if two_rows else 1)
    raise WorkbookError(f"没有找到表头:前{search}行中没有“{synonyms[required][0]}”列")


def _looks_like_header(texts, synonyms) -> bool:
    hits = sum(1 for t in texts if t and any(s in t for names in synonyms.values() for s in names))
    numbers = sum(1 for t in texts if t and re.fullmatch(r"[\d.,-]+", t))
    return hits >= 2 and numbers == 0


def _multiplier(title: str) -> Decimal:
    m = _UNIT.search(title)
    if m and m.group(1) == "亿元":
        return Decimal("10000")
    if m and m.group(1) == "元":
        return Decimal("0.0001")
    return Decimal("1")


def _field(title: str, own: str, synonyms) -> str | None:
    # The column's own (lower) header decides first: "投资情况 / 总投资" is 总投资.
    for text in (own, title):
        for field, names in synonyms.items():
            if any(text == n or text.startswith(n) for n in names):
                return field
        for field, names in synonyms.items():
            if any(n in text for n in names):
                return field
    return None


def data_rows(rows, columns, start: int, name_field: str):
    """Yield (row number as Excel shows it, {field: value}) until totals or notes begin."""
    by_field = {c.field: c for c in columns if c.field}
    name_col = by_field[name_field].index
    for i in range(start, len(rows)):
        row = rows[i]
        cells = [row[c.index] if c.index < len(row) else None for c in columns]
        if not any(_filled(v) for v in cells):
            continue
        first_texts = " ".join(_text(v) for v in row[:3] if _filled(v))
        if _NOTES.match(first_texts):
            break
        name = _text(row[name_col]) if name_col < len(row) else ""
        if _TOTALS.match(first_texts) or _TOTALS.match(name):
            continue  # a totals or subtotal row: derived, not imported
        if _GROUP_ROW.match(first_texts) and not any(
            _filled(row[c.index]) for c in columns if c.index < len(row) and c.field in ("total_investment",)
        ):
            continue  # a group heading such as "一、省重点项目"
        values = {}
        for c in columns:
            if c.field and c.index < len(row):
                values[c.field] = row[c.index]
        yield i + 1, values


def to_decimal(value, multiplier: Decimal = Decimal("1")):
    """A number cell: Decimal, or raise ValueError with a message in Chinese."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError("应为数字")
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        text = str(value).strip().replace(",", "").replace(",", "")
        try:
            number = Decimal(text)
        except InvalidOperation as e:
            raise ValueError(f"应为数字,实为“{value}”") from e
    return (number * multiplier).quantize(Decimal("0.01"))


def to_date(value):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?", text)
    if not m:
        raise ValueError(f"日期格式不正确:“{text}”(如 2024-03-01 或 2024年3月)")
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
    except ValueError as e:
        raise ValueError(f"日期不存在:“{text}”") from e


def to_dated(value) -> tuple[dt.date | None, str]:
    """A date as a sheet writes it, with its precision: "2026-03-12" (day), "2026年3月" or
    "2026.3" (month), "2026年" (year). A month or a year is stored as its first day with
    that precision, never as an invented day."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, "day"
    if isinstance(value, dt.datetime | dt.date):
        return to_date(value), "day"
    text = str(value).strip()
    m = re.fullmatch(r"(\d{4})\s*年?", text)
    if m:
        year = int(m.group(1))
        if not 1900 <= year <= 2100:
            raise ValueError(f"日期不存在:“{text}”")
        return dt.date(year, 1, 1), "year"
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})月?(?:份)?", text)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), 1), "month"
        except ValueError as e:
            raise ValueError(f"日期不存在:“{text}”") from e
    return to_date(value), "day"
