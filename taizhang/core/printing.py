"""Files people print and forward: sheets set up for paper, downloads named in Chinese.

A 发改局 hands its leaders the workbook on paper: landscape, every column on the page, the
title and headers on every page, borders, page numbers and the data version in the footer.
Every sheet we write goes through ``for_print``, and every download is named by ``attachment``.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.http import content_disposition_header
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

#: how many characters of column width an A4 landscape page prints at a readable size
A4_COLUMNS = 160


def for_print(ws, *, last_col: int, last_row: int, title_rows: str | None = None,
              footer: str = "", landscape: bool = True) -> None:
    """Page setup: landscape A4, or A3 when the columns are wider than about 160 characters (fit to
    an A4 width they would print too small to read), fit to the page width, ``title_rows`` (e.g. "1:4")
    repeated on every page, the print area, narrow margins, centred horizontally, and a footer
    with "第 N 页,共 M 页" and ``footer`` (the data version)."""
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    width = sum(ws.column_dimensions[get_column_letter(i)].width or 8.43 for i in range(1, last_col + 1))
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A3 if width > A4_COLUMNS else Worksheet.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top, ws.page_margins.bottom = 0.5, 0.6
    ws.page_margins.footer = 0.3
    if title_rows:
        ws.print_title_rows = title_rows
    ws.print_area = f"A1:{get_column_letter(last_col)}{max(last_row, 1)}"
    ws.oddFooter.center.text = "第 &P 页,共 &N 页"
    ws.oddFooter.center.size = 9
    if footer:
        ws.oddFooter.right.text = footer.replace("&", "&&")
        ws.oddFooter.right.size = 9


def fit_width(current: float, value, *, padding: int = 3) -> float:
    """The column width a number needs in "#,##0.00" (so a large total never shows ###)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return current
    return max(current, len(f"{value:,.2f}") + padding)


_NUMBERS = frozenset({int, float, Decimal})


def fit_widths(current: float, values, *, padding: int = 3) -> float:
    """:func:`fit_width` over a whole column at once: in "#,##0.00" the widest of (finite)
    numbers is the largest one or, with its minus sign, the smallest."""
    numbers = [v for v in values if v is not None]
    if not _NUMBERS.issuperset(map(type, numbers)):  # not only plain numbers: as fit_width reads them
        numbers = [v for v in numbers if not isinstance(v, bool) and isinstance(v, int | float | Decimal)]
    if not numbers:
        return current
    return max(fit_width(current, max(numbers), padding=padding), fit_width(current, min(numbers), padding=padding))


def attachment(response, filename: str):
    """Name a download (Chinese names reach every browser through RFC 6266 filename*)."""
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
