"""The monthly workbook (月进度表) as a document, pinned cell by cell on a small ledger: values
and their types, number formats, fonts, fills, borders, alignments, merges, widths, heights,
frozen panes and every print setting. Whatever writes the file, this is what it must write."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell

from taizhang.monitoring import report
from taizhang.monitoring.metrics import Snapshot
from taizhang.projects import services
from taizhang.projects.choices import Level
from taizhang.projects.models import Project
from taizhang.reporting import progress as writer

from .conftest import make_project

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_start_rule")]
TODAY = dt.date(2024, 12, 31)
GREY = "999999"
BOXED_TOP_LEFT = {2, 3, 10, 11, 12}  # 项目名称, 建设单位, 形象进度, 存在问题, 责任单位
AMOUNTS = {5, 6, 7, 8, 9}            # 总投资 … 完成率


def progress(user, project, month, amount, **extra):
    writer.save_progress(user, project, 2024, month, {"investment": D(amount), **extra}, today=TODAY)


@pytest.fixture
def ledger(world):
    """Four 崂山区 projects of three levels: green, yellow, red and no plan (no colour), with a
    formula-like name, XML-special characters, a two-line progress text and an open problem."""
    u = world.ls_editor
    services.save_plan(u, world.ls_project, 2024, {"planned_investment": D("1000")})
    progress(u, world.ls_project, 1, "600")
    progress(u, world.ls_project, 10, "300", progress="主体施工\n二层封顶")
    services.raise_problem(u, world.ls_project, {"category": "land", "description": "用地指标未落实",
                                                 "solving_unit": world.ls_fgj, "raised_on": dt.date(2024, 9, 1)})
    services.update_project(world.ls_admin, world.ls_other, {"level": Level.PROVINCIAL,
                                                             "builder": "青岛<城投>&建设 \"一期\""}, None)
    services.save_plan(u, world.ls_other, 2024, {"planned_investment": D("500")})
    progress(u, world.ls_other, 1, "300")
    progress(u, world.ls_other, 10, "50")
    big = make_project(world.ls_admin, world.laoshan, "=1+2厂房", "99999999.99", unit=world.ls_zs)
    services.save_plan(u, big, 2024, {"planned_investment": D("100")})
    loose = make_project(world.ls_admin, world.laoshan, "无计划项目", "3000", unit=world.ls_fgj,
                         level=Level.MUNICIPAL)
    progress(u, loose, 10, "30")
    return world


@pytest.fixture
def ws(ledger):
    snap = Snapshot(Project.objects.filter(region=ledger.laoshan), 2024, 10, today=TODAY)
    return load_workbook(io.BytesIO(report.workbook(snap, "崂山区"))).active


def num(value):
    return None if value is None else D(str(value))


def boxed(cell) -> bool:
    b = cell.border
    return all(s.style == "thin" and s.color.rgb.endswith(GREY) for s in (b.left, b.right, b.top, b.bottom))


def fill_of(cell) -> str | None:
    return cell.fill.fgColor.rgb[-6:] if cell.fill.fill_type == "solid" else None


def test_every_value_and_its_type(ws):
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=1, max_row=20, max_col=13)]
    assert ws.max_row == 20 and ws.max_column == 13
    assert rows[0][0] == "崂山区2024年重点项目月进度表(1-10月)" and rows[0][1:] == [None] * 12
    assert rows[1][0] == "单位:万元"
    assert rows[2] == ["序号", "项目名称", "建设单位", "项目级别", "投资情况", None, None, None, None,
                       "形象进度", "存在问题", "责任单位", "预警"]
    assert rows[3] == [None] * 4 + ["总投资", "2024年计划投资", "本月完成", "1-10月累计完成", "完成率(%)"] + [None] * 4
    amounts = lambda r: [num(v) for v in r[4:9]]  # noqa: E731
    assert rows[4][:2] == ["合计", "4个项目"] and amounts(rows[4]) == [
        D("100062999.99"), D("1600"), D("380"), D("1280"), D("78.13")]
    assert rows[5][0] == "一、省重点项目" and rows[5][1:] == [None] * 12
    assert rows[6][:4] == [1, "崂山区人民医院", '青岛<城投>&建设 "一期"', "省重点"]
    assert amounts(rows[6]) == [D("8000"), D("500"), D("50"), D("350"), D("70")]
    assert rows[6][9:] == [None, None, "崂山区发展和改革局", "黄"]
    assert rows[7][:2] == ["小计", "1个项目"] and amounts(rows[7]) == [D("8000"), D("500"), D("50"), D("350"), D("70")]
    assert rows[8][0] == "二、市重点项目"
    assert rows[9][:4] == [1, "无计划项目", None, "市重点"]
    assert amounts(rows[9]) == [D("3000"), None, D("30"), D("30"), None] and rows[9][9:] == [
        None, None, "崂山区发展和改革局", None]
    assert rows[10][:2] == ["小计", "1个项目"] and amounts(rows[10]) == [D("3000"), D("0"), D("30"), D("30"), None]
    assert rows[11][0] == "三、区重点项目"
    assert rows[12][:4] == [1, "=1+2厂房", None, "区重点"]  # the largest 总投资 first
    assert amounts(rows[12]) == [D("99999999.99"), D("100"), D("0"), D("0"), D("0")]
    assert rows[12][9:] == [None, None, "崂山区投资促进中心", "红"]
    assert rows[13][:4] == [2, "虚拟现实创享中心", None, "区重点"]
    assert amounts(rows[13]) == [D("52000"), D("1000"), D("300"), D("900"), D("90")]
    assert rows[13][9:] == ["主体施工\n二层封顶", "用地指标未落实", "崂山区投资促进中心", "绿"]
    assert rows[14][:2] == ["小计", "2个项目"] and amounts(rows[14]) == [
        D("100051999.99"), D("1100"), D("300"), D("900"), D("81.82")]
    assert rows[15] == [None] * 13
    assert rows[16][0].startswith("说明:1-10月,崂山区4个重点项目完成投资0.13亿元") and rows[16][0].endswith("。")
    assert rows[17][0].startswith("注:时序进度83.33%;")
    assert rows[18][0].startswith("口径:全部已填报的月度报告")
    assert rows[19][0].startswith("数据版本:2024年")
    assert all(r[1:] == [None] * 12 for r in rows[15:])
    # text is text (the formula-like name too), amounts and 序号 are numbers
    assert ws["B13"].data_type == "s" and ws["A13"].data_type == "n" and ws["E13"].data_type == "n"
    types = {ws.cell(r, c).data_type for r in range(1, 21) for c in range(1, 14) if isinstance(ws.cell(r, c).value, str)}
    assert types == {"s"}


def test_fonts_fills_borders_alignments_and_number_formats(ws):
    a1 = ws["A1"]
    assert a1.font.b and a1.font.sz == 16 and not boxed(a1)
    assert (a1.alignment.horizontal, a1.alignment.vertical, a1.alignment.wrap_text) == ("center", "center", True)
    assert ws["A2"].alignment.horizontal == "right" and not ws["A2"].font.b
    for r in (3, 4):
        for c in range(1, 14):
            cell = ws.cell(r, c)
            if isinstance(cell, MergedCell):  # openpyxl gives these the top-left cell's edges on loading
                continue
            assert cell.font.b and boxed(cell), (r, c)
            assert (cell.alignment.horizontal, cell.alignment.vertical, cell.alignment.wrap_text) == (
                "center", "center", True)
    totals = {5: "DDEBF7", 8: "F2F2F2", 11: "F2F2F2", 15: "F2F2F2"}
    warnings = {7: "FFEB9C", 10: None, 13: "FFC7CE", 14: "C6EFCE"}  # yellow, none, red, green
    for r in list(totals) + list(warnings):
        for c in range(1, 14):
            cell = ws.cell(r, c)
            assert boxed(cell), (r, c)
            assert cell.number_format == ("#,##0.00" if c in AMOUNTS else "General"), (r, c)
            top_left = (cell.alignment.vertical, cell.alignment.wrap_text) == ("top", True)
            assert top_left == (c in BOXED_TOP_LEFT), (r, c)
            if r in totals:
                assert cell.font.b and fill_of(cell) == totals[r], (r, c)
            else:
                assert not cell.font.b and fill_of(cell) == (warnings[r] if c == 13 else None), (r, c)
    for r in (6, 9, 12):  # group headings: bold, boxed, merged across
        assert ws.cell(r, 1).font.b and boxed(ws.cell(r, 1)) and fill_of(ws.cell(r, 1)) is None
        assert ws.cell(r, 1).number_format == "General" and ws.cell(r, 1).alignment.vertical is None
        for c in range(2, 14):  # the merged cells carry the box's edges
            b = ws.cell(r, c).border
            assert b.top.style == b.bottom.style == "thin" and b.left.style is None, (r, c)
            assert (b.right.style == "thin") == (c == 13), (r, c)
    note = ws["A17"]
    assert (note.alignment.vertical, note.alignment.wrap_text) == ("top", True) and not boxed(note)
    for r in (18, 19, 20):
        cell = ws.cell(r, 1)
        assert not cell.has_style and not boxed(cell) and not cell.font.b


def test_merges_widths_heights_and_frozen_panes(ws):
    assert {str(m) for m in ws.merged_cells.ranges} == {
        "A1:M1", "A2:M2", "E3:I3", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "J3:J4", "K3:K4", "L3:L4", "M3:M4",
        "A6:M6", "A9:M9", "A12:M12", "A17:M17"}
    widths = {c: ws.column_dimensions[c].width for c in "ABCDEFGHIJKLM"}
    # 总投资 fits its largest figure, "100,062,999.99" and 3 more; the others keep their widths
    assert widths == {"A": 6, "B": 36, "C": 24, "D": 9, "E": 17, "F": 14, "G": 12, "H": 16, "I": 10,
                      "J": 24, "K": 30, "L": 22, "M": 8}
    assert all(ws.column_dimensions[c].customWidth for c in widths)
    heights = {r: d.height for r, d in ws.row_dimensions.items() if d.height is not None}
    assert heights == {17: 60}
    assert ws.freeze_panes == "C5"


def test_print_settings(ws):
    assert ws.title == "10月进度表"
    setup = ws.page_setup
    assert setup.orientation == "landscape" and str(setup.paperSize) == ws.PAPERSIZE_A3  # 228 characters wide
    assert ws.sheet_properties.pageSetUpPr.fitToPage and setup.fitToWidth == 1 and setup.fitToHeight == 0
    assert ws.print_options.horizontalCentered
    m = ws.page_margins
    assert (m.left, m.right, m.top, m.bottom, m.header, m.footer) == (0.4, 0.4, 0.5, 0.6, 0.5, 0.3)
    assert ws.print_title_rows == "$1:$4" and ws.print_title_cols is None
    assert ws.print_area == "'10月进度表'!$A$1:$M$20"
    footer = ws.oddFooter
    assert footer.center.text == "第 &P 页,共 &N 页" and footer.center.size == 9
    assert footer.right.text.startswith("数据版本:2024年") and footer.right.size == 9
    assert footer.left.text is None and not ws.oddHeader.center.text


def test_a_control_character_in_a_name_does_not_break_the_workbook(world):
    """Text pasted from other programs can carry control characters, which XML cannot hold:
    openpyxl refused the whole workbook; they are written as the escapes Excel reads back."""
    services.update_project(world.ls_admin, world.ls_other, {"builder": "青岛\x07城投"}, None)
    snap = Snapshot(Project.objects.filter(region=world.laoshan), 2024, 10, today=TODAY)
    ws = load_workbook(io.BytesIO(report.workbook(snap, "崂山区"))).active
    builders = [ws.cell(r, 3).value for r in range(1, ws.max_row + 1)]
    assert "青岛_x0007_城投" in builders  # openpyxl reads the escape as written; Excel, the character
