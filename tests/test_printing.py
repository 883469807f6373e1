"""The monthly workbook is the table a 发改局 hands its leaders: set up for paper, named in
Chinese; exports are named in Chinese and carry amounts to the 分."""

import csv
import io
import shutil
import subprocess
from decimal import Decimal as D
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from taizhang.projects import services

from .conftest import make_project

pytestmark = pytest.mark.django_db

BIG = "99999999.99"  # the largest 总投资 a project may have (万元)


@pytest.fixture
def many(world):
    """Eighty 崂山区 projects, each at the largest amount, so totals are wide and pages many."""
    for i in range(80):
        p = make_project(world.ls_admin, world.laoshan, f"打印测试项目{i:02d}号厂房及配套设施建设工程", BIG,
                         unit=world.ls_zs, builder="青岛某某建设发展有限公司")
        services.save_plan(world.ls_admin, p, 2024, {"planned_investment": D("1000")})
    return world


def download(client, url):
    r = client.get(url)
    assert r.status_code == 200
    disposition = r["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=utf-8''" in disposition
    return r, unquote(disposition.split("filename*=utf-8''", 1)[1])


def test_the_monthly_workbook_is_set_up_for_paper(client, many):
    client.force_login(many.ls_admin)
    r, name = download(client, "/monitoring/monthly.xlsx?year=2024&month=10")
    assert name == "崂山区2024年1-10月重点项目进度表.xlsx"
    ws = load_workbook(io.BytesIO(r.content)).active
    setup = ws.page_setup
    widths = sum(ws.column_dimensions[c].width for c in "ABCDEFGHIJKLM")
    assert setup.orientation == "landscape"
    assert str(setup.paperSize) == (ws.PAPERSIZE_A3 if widths > 160 else ws.PAPERSIZE_A4)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and setup.fitToWidth == 1 and setup.fitToHeight == 0
    assert ws.print_title_rows == "$1:$4"  # title, unit line and both header rows on every page
    last = ws.max_row
    assert ws.print_area == f"'{ws.title}'!$A$1:$M${last}"
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    assert "数据版本" in ws.oddFooter.right.text
    assert ws.freeze_panes == "C5"
    # every project row is boxed in
    rows = [r for r in range(5, last + 1) if str(ws.cell(r, 2).value or "").startswith("打印测试项目")]
    assert len(rows) == 80
    for r in rows[:3] + rows[-3:]:
        for c in range(1, 14):
            border = ws.cell(r, c).border
            assert border.left.style and border.right.style and border.top.style and border.bottom.style, (r, c)
    # the 总投资 column is wide enough for the 合计 (80 × 99,999,999.99), so it never shows ###
    total = ws.cell(5, 5).value
    expected = D(BIG) * 80 + D("52000") + D("8000")  # and the district's two other projects
    assert ws.cell(5, 1).value == "合计" and D(str(total)) == expected
    assert ws.column_dimensions["E"].width >= len(f"{expected:,.2f}") + 1


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_every_printed_page_shows_every_column_under_the_headers(client, many, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    client.force_login(many.ls_admin)
    r, _name = download(client, "/monitoring/monthly.xlsx?year=2024&month=10")
    (tmp_path / "book.xlsx").write_bytes(r.content)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "book.xlsx")],
                   check=True, capture_output=True, timeout=180)
    pages = pypdf.PdfReader(str(tmp_path / "book.pdf")).pages
    assert len(pages) >= 2
    for n, page in enumerate(pages, start=1):
        text = page.extract_text().replace(" ", "")
        # the first and the last column's headers, and the title, on every page
        assert "序号" in text and "预警" in text and "重点项目月进度表" in text, f"page {n}: {text[:200]}"
        assert "页" in text  # the footer's page number


def test_project_exports_are_named_in_chinese_with_amounts_to_the_fen(client, world):
    client.force_login(world.ls_editor)
    r, name = download(client, "/projects/export.csv")
    assert name.startswith("项目台账") and name.endswith(".csv")
    text = b"".join(r.streaming_content).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    for row in table[1:]:
        for value in row:
            if value.replace(".", "", 1).isdigit() and "." in value:
                assert len(value.split(".")[1]) == 2, value
    r, name = download(client, "/projects/export.xlsx")
    assert name.startswith("项目台账") and name.endswith(".xlsx")
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws.freeze_panes == "C2" and ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$1"


def test_the_import_template_is_named_in_chinese(client, world):
    client.force_login(world.ls_admin)
    _r, name = download(client, "/projects/import/template.xlsx")
    assert name == "项目台账导入模板.xlsx"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_column_fitted_at_once_is_as_wide_as_fitted_value_by_value(seed):
    import random

    from taizhang.core.printing import fit_width, fit_widths

    rng = random.Random(seed)
    values = [D(rng.randrange(-10**9, 10**11)) / 100 for _ in range(500)]
    values += [None, True, "文字", 7, 2.5, D("-0.001"), D("999.995")]
    for column in (values, [v for v in values if not isinstance(v, D) or v > 0],
                   [v for v in values if not isinstance(v, D) or v < 0], [None, "文字", True]):
        for start in (6, 12, 40):
            one_by_one = start
            for v in column:
                one_by_one = fit_width(one_by_one, v)
            assert fit_widths(start, column) == one_by_one
