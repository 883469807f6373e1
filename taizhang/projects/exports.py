"""Export a (scoped, filtered) project list to CSV and Excel with the same headings.

Headings are the models' verbose names, so the file can be read back by the importer; the
file is always in the district's language (Chinese), whatever the page's language.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from taizhang.core.workbook import csv_safe, xlsx_cells

from .models import Project

FIELDS = [
    "code", "name", "region", "park", "chain", "builder", "credit_code", "origin", "nature",
    "level", "category", "stage", "total_investment", "foreign_investment", "contract_amount",
    "planned_start", "planned_completion", "actual_start", "actual_completion",
    "responsible_unit", "responsible_person", "commissioner", "content", "source",
]


def headings(year: int) -> list[str]:
    labels = [str(Project._meta.get_field(f).verbose_name) for f in FIELDS]
    month = timezone.localdate().month
    return labels + [f"{year}年计划投资(万元)", f"{year}年1-{month}月累计完成(万元)"]


def _value(project: Project, field: str):
    f = Project._meta.get_field(field)
    if f.choices:
        return getattr(project, f"get_{field}_display")()
    value = getattr(project, field)
    if f.is_relation:
        return str(value) if value is not None else ""
    return value if value is not None else ""


def rows(projects: Iterable[Project]) -> Iterator[list]:
    for p in projects.iterator(chunk_size=2000) if hasattr(projects, "iterator") else projects:
        yield [_value(p, f) for f in FIELDS] + [
            getattr(p, "year_plan", None) or "", getattr(p, "year_done", None) or 0
        ]


def _filename(ext: str) -> str:
    return f"projects-{timezone.localdate():%Y%m%d}.{ext}"


class _Echo:
    def write(self, value):
        return value


def projects_csv(queryset) -> StreamingHttpResponse:
    year = timezone.localdate().year
    writer = csv.writer(_Echo())

    def stream():
        with translation.override(settings.LANGUAGE_CODE):
            yield "\ufeff"  # BOM: Excel on Windows then reads the file as UTF-8
            yield writer.writerow(headings(year))
            for row in rows(queryset):
                yield writer.writerow([csv_safe(v) for v in row])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


def projects_xlsx(queryset) -> HttpResponse:
    with translation.override(settings.LANGUAGE_CODE):
        content = _xlsx(queryset)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response


def _xlsx(queryset) -> bytes:
    year = timezone.localdate().year
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("项目台账")
    bold = Font(bold=True)
    header = []
    for text in headings(year):
        cell = WriteOnlyCell(ws, value=text)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    for row in rows(queryset):
        ws.append(xlsx_cells(ws, row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
