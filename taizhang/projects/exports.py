"""Export a (scoped, filtered) project list to CSV and Excel with the same headings.

Headings are the models' verbose names, so the file can be read back by the importer; the
file is always in the district's language (Chinese), whatever the page's language.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.conf import settings
from django.db.models import DecimalField
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from taizhang.core.numbers import q2
from taizhang.core.printing import attachment, for_print
from taizhang.core.workbook import csv_safe, xlsx_cells

from .models import Project

FIELDS = [
    "code", "name", "region", "park", "chain", "builder", "credit_code", "origin", "nature",
    "level", "category", "stage", "total_investment", "foreign_investment", "contract_amount",
    "planned_start", "planned_completion", "actual_start", "actual_completion",
    "responsible_unit", "responsible_person", "commissioner", "content", "source",
]


def headings(year: int, month: int) -> list[str]:
    labels = [str(Project._meta.get_field(f).verbose_name) for f in FIELDS]
    return labels + [f"{year}年计划投资(万元)", f"{year}年1-{month}月累计完成(万元)"]


def _value(project: Project, field: str):
    f = Project._meta.get_field(field)
    if f.choices:
        return getattr(project, f"get_{field}_display")()
    value = getattr(project, field)
    if f.is_relation:
        return str(value) if value is not None else ""
    return value if value is not None else ""


def _amount(value):
    """Amounts to the 分 (a database sum may come back with more decimals than the column has)."""
    if isinstance(value, float):
        value = Decimal(str(value))
    return q2(value) if isinstance(value, Decimal) else value


def rows(projects: Iterable[Project]) -> Iterator[list]:
    for p in projects.iterator(chunk_size=2000) if hasattr(projects, "iterator") else projects:
        yield [_amount(_value(p, f)) for f in FIELDS] + [
            _amount(getattr(p, "year_plan", None)) or "", _amount(getattr(p, "year_done", None) or 0)
        ]


def _filename(ext: str) -> str:
    return f"项目台账{timezone.localdate():%Y%m%d}.{ext}"


class _Echo:
    def write(self, value):
        return value


def projects_csv(queryset, year: int, month: int) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def stream():
        with translation.override(settings.LANGUAGE_CODE):
            yield "\ufeff"  # BOM: Excel on Windows then reads the file as UTF-8
            yield writer.writerow(headings(year, month))
            for row in rows(queryset):
                yield writer.writerow([csv_safe(v) for v in row])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    return attachment(response, _filename("csv"))


def projects_xlsx(queryset, year: int, month: int) -> HttpResponse:
    with translation.override(settings.LANGUAGE_CODE):  # a document in the district's language
        content = _xlsx(queryset, year, month)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    return attachment(response, _filename("xlsx"))


def _xlsx(queryset, year: int, month: int) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("项目台账")
    bold = Font(bold=True)
    titles = headings(year, month)
    amounts = {i for i, f in enumerate(FIELDS) if isinstance(Project._meta.get_field(f), DecimalField)}
    amounts |= {len(FIELDS), len(FIELDS) + 1}
    for i, text in enumerate(titles, start=1):  # widths before the rows (write-only sheet)
        name = FIELDS[i - 1] if i <= len(FIELDS) else ""
        ws.column_dimensions[get_column_letter(i)].width = (
            36 if name in ("name", "content") else 16 if i - 1 in amounts else max(10, min(len(text) * 2, 24)))
    ws.freeze_panes = "C2"
    header = []
    for text in titles:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    count = 1
    for row in rows(queryset):
        cells = xlsx_cells(ws, row)
        for i in amounts:
            if isinstance(cells[i], Decimal):
                cell = WriteOnlyCell(ws, value=cells[i])
                cell.number_format = "#,##0.00"
                cells[i] = cell
        ws.append(cells)
        count += 1
    for_print(ws, last_col=len(titles), last_row=count, title_rows="1:1",
              footer=f"导出时间:{timezone.localtime():%Y-%m-%d %H:%M}")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
