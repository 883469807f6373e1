"""History and monthly forms as an outside checker built them after published sheets: a
district's ledger over several years (stage dates written every way offices write them) and
the monthly progress forms units send back. Read as a person reads them: no date stored more
precisely than the sheet shows it, no month's figure stored under another month, no project
left at a stage the sheet does not say.

The figures are invented; each test names the kind of published table it follows.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from taizhang.core import workbook
from taizhang.projects import services
from taizhang.projects.choices import Stage
from taizhang.projects.models import MonthlyProgress, Project

from .importing import confirm, read
from .sheets import xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_start_rule")]

D = Decimal


def formatted(rows) -> bytes:
    """A workbook whose cells given as (value, number format) carry that display format, as
    Excel keeps a date typed into a cell formatted 年月."""
    wb = Workbook()
    ws = wb.active
    for i, row in enumerate(rows, 1):
        for j, v in enumerate(row, 1):
            value, fmt = v if isinstance(v, tuple) else (v, None)
            cell = ws.cell(i, j, value)
            if fmt:
                cell.number_format = fmt
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def stages(name):
    return [(s.to_stage, s.date, s.precision) for s in
            Project.objects.get(name=name).stage_changes.exclude(to_stage=Stage.LEAD).order_by("date")]


YEAR_MONTH = 'yyyy"年"m"月"'


@pytest.mark.parametrize("reader", ["calamine", "openpyxl"])
def test_a_date_cell_shown_as_a_month_or_a_year_is_stored_at_that_precision(world, monkeypatch, reader):
    """区招商项目台账 (2023–2025) kept in Excel: the 签约/开工 cells hold dates formatted
    to show only 年月 (or 年). The sheet says "2024年3月"; stored as 1 March with the day
    known, the history claimed a day nobody wrote. A cell shown with its day keeps it."""
    if reader == "openpyxl":
        monkeypatch.setattr(workbook, "_calamine_sheets", lambda data, kind: workbook._openpyxl_sheets(data))
    data = formatted([
        ["崂山区2025年招商引资项目台账"],
        ["项目名称", "总投资(万元)", "签约时间", "注册时间", "开工时间"],
        ["甲", 100, (dt.datetime(2023, 1, 1), 'yyyy"年"'), (dt.datetime(2023, 5, 1), "yyyy.mm"),
         (dt.datetime(2024, 3, 1), YEAR_MONTH)],
        # An Excel serial under a 年月 format shows its month: 45400 is 2024-04-18, shown "2024年4月".
        ["乙", 100, (dt.datetime(2024, 1, 1), "mmm-yy"), None, (45400, YEAR_MONTH)],
        ["丙", 100, (dt.datetime(2024, 2, 5), 'yyyy"年"m"月"d"日"'), None, (dt.datetime(2024, 6, 9), "yyyy-mm-dd")],
    ])
    preview = confirm(world.ls_editor, data)
    assert stages("甲") == [(Stage.SIGNED, dt.date(2023, 1, 1), "year"), (Stage.REGISTERED, dt.date(2023, 5, 1), "month"),
                          (Stage.STARTED, dt.date(2024, 3, 1), "month")]
    assert stages("乙") == [(Stage.SIGNED, dt.date(2024, 1, 1), "month"), (Stage.STARTED, dt.date(2024, 4, 1), "month")]
    assert stages("丙") == [(Stage.SIGNED, dt.date(2024, 2, 5), "day"), (Stage.STARTED, dt.date(2024, 6, 9), "day")]
    assert preview.count("create") == 3


def test_which_formats_show_a_date_without_its_day():
    precision = workbook._format_precision
    assert [precision(f) for f in (YEAR_MONTH, "yyyy.mm", "mmm-yy", 'yyyy"年"', "yyyy", "[$-804]yyyy\\年m\\月")] == [
        "month", "month", "month", "year", "year", "month"]
    assert {precision(f) for f in ("yyyy-mm-dd", "mm-dd-yy", 'yyyy"年"m"月"d"日"', "yyyy-mm-dd h:mm:ss", "h:mm",
                                   "General", "0.00", "#,##0", "@", '"第"0"期"', "m/d/yy h:mm")} == {None}


def test_a_single_months_column_naming_another_month_than_the_title_is_asked(world):
    """月度进展报表 sent back by a unit: the title is for 10月 (the form sent out), the column
    says "9月完成投资" (the unit filled in last month's figure). It was stored as October's."""
    data = xlsx([["崂山区2024年10月份重点项目进展情况表"], ["项目名称", "9月完成投资(万元)", "形象进度"],
                 ["崂山区人民医院", 500, "主体施工"]])
    preview = read(world.ls_editor, data)
    assert preview.questions and "9月完成投资" in preview.questions[0] and "2024年10月" in preview.questions[0]
    assert preview.rows == []
    chosen = confirm(world.ls_editor, data, month=9)
    assert chosen.rows[0].reports == {9: D("500.00")}
    assert list(MonthlyProgress.objects.filter(project=world.ls_other).values_list("month", "investment")) == [
        (9, D("500.00"))]
    # A title and a column that agree are read without a question.
    agreed = read(world.ls_editor, xlsx([["崂山区2024年10月份重点项目进展情况表"], ["项目名称", "10月份完成投资(万元)"],
                                         ["崂山区人民医院", 300]]))
    assert not agreed.questions and agreed.rows[0].reports == {10: D("300.00")}


HISTORY = ["序号", "项目名称", "总投资(万元)", "签约时间", "注册时间", "开工时间", "竣工时间", "投产时间"]


def history(year, rows) -> bytes:
    """区重点项目台账 of a year, with the dates each project reached its stages."""
    return xlsx([[f"崂山区{year}年重点项目台账"], HISTORY, *[[i + 1, *r] for i, r in enumerate(rows)]])


def test_stage_dates_against_the_stage_order_are_refused_naming_both(world):
    """A ledger row whose 开工时间 (2023年12月) is before its 签约时间 (2024年3月): put in date
    order the project started, then went back to 签约, and was stored at 签约 with no start,
    though the sheet says it is built. Dates in the same period at different precisions
    ("2023年" and "2023-05-10") do not contradict each other."""
    data = history(2025, [
        ["丙", 100, "2024年3月", None, "2023年12月", None, None],
        ["丁", 100, "2023年", "2023-05-10", "2023年5月", "2024-09-30", None],
    ])
    preview = read(world.ls_editor, data)
    assert [(r.name, r.messages) for r in preview.errors] == [
        ("丙", ["开工时间: 2023年12月早于签约时间2024年3月,阶段日期先后矛盾,请核对"])]
    # The same with the ledger: a project signed in May 2024 is not started in March by a sheet.
    services.move_stage(world.ls_admin, world.ls_other, Stage.SIGNED, dt.date(2024, 5, 20), "签约")
    later = read(world.ls_editor, history(2025, [["崂山区人民医院", 8000, None, None, "2024年3月", None, None]]))
    assert later.errors[0].messages == ["开工时间: 2024年3月早于台账中的签约时间2024-05-20,阶段日期先后矛盾,请核对"]
    same_month = read(world.ls_editor, history(2025, [["崂山区人民医院", 8000, None, None, "2024年5月", None, None]]))
    assert not same_month.errors


def test_a_stage_date_is_shown_as_precisely_as_the_sheet_gives_it_and_a_coarser_one_agrees(world):
    """The preview said "签约 2024-03-01" for a sheet's "2024年3月": a day nobody wrote. And a
    sheet giving the month of a start the ledger has to the day was refused as disagreeing."""
    services.move_stage(world.ls_admin, world.ls_other, Stage.STARTED, dt.date(2024, 3, 22), "开工")
    preview = read(world.ls_editor, history(2025, [
        ["崂山区人民医院", 8000, None, None, "2024年3月", "2025年1月", None],
        ["戊", 100, "2023年", "2023-05-10", None, None, None],
    ]))
    assert not preview.errors, [r.messages for r in preview.errors]
    hospital, new = preview.rows
    assert hospital.changes == ["阶段记录: 竣工 2025年1月"]
    assert new.stages_shown == ["签约 2023年", "注册 2023-05-10"]
    # A day the ledger does not have is still refused, both days shown as they are known.
    other_day = read(world.ls_editor, history(2025, [["崂山区人民医院", 8000, None, None, "2024-03-25", None, None]]))
    assert other_day.errors[0].messages == [
        "开工时间: 台账已记开工于2024-03-22,表中为2024-03-25;如表中日期正确,请在项目页更正阶段记录"]


@pytest.mark.parametrize("plan, done", [("计划", "完成"), ("计划投资", "完成投资"), ("计划数", "实际完成")])
def test_a_twelve_month_grid_of_plans_and_figures_done_reads_the_months_done(world, plan, done):
    """月度投资计划及完成情况表: 1月…12月, each over 计划 and 完成. The 完成 columns were
    dropped, or offered as the year's cumulative, and the 计划 columns as the year's plan."""
    head, sub = ["项目名称", "总投资(万元)"], [None, None]
    for m in range(1, 13):
        head += [f"{m}月", None]
        sub += [plan, done]
    data = xlsx([["崂山区2024年1-3月重点项目月度投资计划及完成情况表(万元)"], head, sub,
                 ["崂山区人民医院", 8000, 10, 9, 20, 18, 30, 25, *[None] * 18]])
    preview = confirm(world.ls_editor, data)
    assert [c.field for c in preview.columns[2:8]] == [None, "month:1", None, "month:2", None, "month:3"]
    assert preview.rows[0].reports == {1: D("9.00"), 2: D("18.00"), 3: D("25.00")}
