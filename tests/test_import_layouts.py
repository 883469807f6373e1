"""The layouts of real published sheets, read right or refused: every value stored is the value
the sheet means, every row set aside says why, and every bad cell is named.

The figures are invented; each layout names the kind of published table it follows.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from taizhang.core.workbook import WorkbookError
from taizhang.projects import imports, services
from taizhang.projects.choices import Level, Stage
from taizhang.projects.models import AnnualPlan, MonthlyProgress, Project, StageChange

from .importing import confirm, read
from .sheets import csv_bytes, ods, with_raw_number, xls, xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_start_rule")]

D = Decimal


def project(name) -> Project:
    return Project.objects.get(name=name)


def skipped(preview) -> list[tuple[int, str]]:
    return [(s.number, s.reason.split("(")[0]) for s in preview.skipped]


def plan(name, year):
    return AnnualPlan.objects.get(project__name=name, year=year).planned_investment


def month(name, year, m):
    return MonthlyProgress.objects.get(project__name=name, year=year, month=m).investment


def test_plan_table_with_a_unit_line_group_rows_and_subtotals(world):
    """青岛市 "2024年市级重点项目计划表": title, "单位:亿元" line, merged two-row header,
    "一、" and "(一)" group rows with subtotals, 合计 row, 注 under the table."""
    data = xlsx([
        ["2024年崂山区重点项目计划表"],
        [None, None, None, None, "单位:亿元"],
        ["序号", "项目名称", "建设内容", "投资情况", None, "责任单位"],
        [None, None, None, "总投资", "2024年计划投资", None],
        ["一、产业项目", None, None, 8.7, 2.5, None],
        ["(一)续建项目", None, None, 3.5, 1.5, None],
        [1, "崂山人工智能产业园二期", "研发楼", 3.5, 1.5, "崂山区投资促进中心"],
        ["(二)新开工项目", None, None, 5.2, 1, None],
        [2, "海洋科创中心", "实验楼", 5.2, 1, "崂山区发展和改革局"],
        ["合计", None, None, 8.7, 2.5, None],
        ["注:“计划投资”为2024年度计划。"],
    ], merges=["D3:E3", "A1:F1"])
    preview = confirm(world.ls_editor, data)
    assert preview.year == 2024 and preview.month is None
    assert skipped(preview) == [(5, "分组行"), (6, "分组行"), (8, "分组行"), (10, "合计行"), (11, "表尾注释或签字行")]
    a, b = project("崂山人工智能产业园二期"), project("海洋科创中心")
    assert (a.total_investment, a.content, a.responsible_unit) == (D("35000.00"), "研发楼", world.ls_zs)
    assert (b.total_investment, b.responsible_unit) == (D("52000.00"), world.ls_fgj)
    assert (plan(a.name, 2024), plan(b.name, 2024)) == (D("15000.00"), D("10000.00"))
    assert [(t.label, t.sheet, t.rows, t.agrees) for t in preview.totals] == [
        ("总投资", D("87000.00"), D("87000.00"), True), ("年度计划投资", D("25000.00"), D("25000.00"), True)]


def test_system_export_with_full_width_brackets(world):
    """An older system's export: "总投资（亿元）" in full-width brackets, no title."""
    data = xlsx([
        ["项目名称", "所属区", "总投资（亿元）", "年度计划投资（亿元）", "计划开工时间"],
        ["蓝色药谷三期", "崂山区", "12.5", 3, "2024年5月"],
    ])
    confirm(world.ls_editor, data, year=2024)
    p = project("蓝色药谷三期")
    assert (p.total_investment, p.planned_start) == (D("125000.00"), dt.date(2024, 5, 1))
    assert plan(p.name, 2024) == D("30000.00")


def test_monthly_form_with_single_month_and_cumulative_sub_headers(world):
    """发改局 "重点项目10月份进展情况表": 完成投资 over 当月/累计; the month's own figure is
    stored and checked against the cumulative."""
    services.save_plan(world.ls_admin, world.ls_project, 2024, {"planned_investment": D("20000")})
    for m, v in ((8, "4000"), (9, "3000")):
        services_write(world, world.ls_project, 2024, m, v)
    data = xlsx([
        ["崂山区2024年10月份重点项目进展情况表"],
        ["项目名称", "完成投资(万元)", None, "形象进度"],
        [None, "当月", "累计", None],
        ["虚拟现实创享中心", 1500, 8500, "主体封顶"],
    ], merges=["B2:C2"])
    preview = confirm(world.ls_editor, data)
    assert (preview.year, preview.month) == (2024, 10)
    report = MonthlyProgress.objects.get(project=world.ls_project, year=2024, month=10)
    assert (report.investment, report.progress) == (D("1500.00"), "主体封顶")
    # A cumulative that does not add up is refused, naming the row.
    wrong = xlsx([
        ["崂山区2024年10月份重点项目进展情况表"],
        ["项目名称", "完成投资(万元)", None],
        [None, "当月", "累计"],
        ["虚拟现实创享中心", 1500, 9000],
    ])
    bad = read(world.ls_editor, wrong)
    assert bad.errors[0].number == 4 and "不等于此前各月已填报之和 7000" in bad.errors[0].messages[0]


def services_write(world, project_, year, m, value):
    from taizhang.reporting.progress import Entry, write_reports

    write_reports(world.ls_admin, [Entry(project_, year, m, {"investment": D(value)})],
                  today=dt.date(year + 1, 1, 15))


def test_bulletin_with_a_subtitle_naming_the_columns_and_a_city_total(world):
    """A 通报 table: a subtitle mentions 项目名称, the header is below it, 全市 totals row."""
    data = xlsx([
        ["关于2024年1-6月重点项目推进情况的通报"],
        ["附表:重点项目进展情况(按项目名称拼音排序,金额单位:万元)"],
        ["序号", "项目名称", "总投资", "1-6月完成投资", "进展情况"],
        ["全市", None, 60000, 5000, None],
        [1, "虚拟现实创享中心", 52000, 4200, "装修"],
        [2, "崂山区人民医院", 8000, 800, "主体"],
    ])
    preview = confirm(world.ls_editor, data)
    assert (preview.year, preview.month) == (2024, 6)
    assert [r.name for r in preview.rows] == ["虚拟现实创享中心", "崂山区人民医院"]
    assert skipped(preview) == [(4, "合计行")]
    assert month("虚拟现实创享中心", 2024, 6) == D("4200.00")
    assert all(t.agrees for t in preview.totals)


def test_units_written_in_the_cells(world):
    """A signing ledger typed by hand: "5.2亿元", "8000万元", "约3亿", "1,234.5"."""
    data = xlsx([
        ["项目名称", "总投资", "合同引资"],
        ["甲项目", "5.2亿元", "8000万元"],
        ["乙项目", "约3亿", "1,234.5"],
        ["丙项目", "1000", "/"],
    ])
    preview = confirm(world.ls_editor, data)
    assert [(p.name, p.total_investment, p.contract_amount) for p in Project.objects.filter(
        name__in=["甲项目", "乙项目", "丙项目"]).order_by("name")] == [
        ("丙项目", D("1000.00"), None), ("乙项目", D("30000.00"), D("1234.50")), ("甲项目", D("52000.00"), D("8000.00"))]
    assert ("总投资", "5.2亿元 → 52,000.00 万元") in preview.rows[0].shown
    assert ("总投资", "约3亿 → 30,000.00 万元") in preview.rows[1].shown
    assert any("未注明金额单位" in n for n in preview.notices)


def test_shares_and_since_start_cumulatives_are_not_amounts(world):
    """发改委 progress table: 占总投资(%), 开工至报告期累计完成投资 beside 1-N月."""
    data = xlsx([
        ["2024年1-9月重点项目完成情况"],
        ["项目名称", "总投资(万元)", "占总投资(%)", "开工至报告期累计完成投资(万元)", "1-9月完成投资(万元)",
         "完成率(%)"],
        ["虚拟现实创享中心", 52000, 12.5, 30000, 6500, 65],
    ])
    preview = confirm(world.ls_editor, data)
    fields = {c.title: c.field for c in preview.columns}
    assert fields == {"项目名称": "name", "总投资(万元)": "total_investment", "占总投资(%)": None,
                      "开工至报告期累计完成投资(万元)": None, "1-9月完成投资(万元)": "ytd", "完成率(%)": None}
    assert month("虚拟现实创享中心", 2024, 9) == D("6500.00")
    assert project("虚拟现实创享中心").total_investment == D("52000.00")


def test_targets_are_plans_and_never_progress(world):
    """A plan table with 年度投资 over 全年目标 and 形象进度目标 beside 形象进度."""
    data = xlsx([
        ["2024年1-3月重点项目推进表(万元)"],
        ["项目名称", "年度投资", None, "形象进度目标", "形象进度"],
        [None, "全年目标", "1-3月完成", None, None],
        ["崂山区人民医院", 3000, 600, "年底封顶", "基础施工"],
    ])
    preview = confirm(world.ls_editor, data)
    by_title = {c.title: c.field for c in preview.columns}
    assert by_title["形象进度目标"] is None and by_title["形象进度"] == "progress"
    assert by_title["年度投资 / 全年目标"] == "year_plan" and by_title["年度投资 / 1-3月完成"] == "ytd"
    assert plan("崂山区人民医院", 2024) == D("3000.00")
    report = MonthlyProgress.objects.get(project=world.ls_other, year=2024, month=3)
    assert (report.investment, report.progress) == (D("600.00"), "基础施工")


def test_signing_ledger_with_dates_and_abbreviated_units(world):
    """招商 "签约项目台账": 签约时间, 协议投资额（亿元）, 项目业主, 牵头单位 abbreviated."""
    data = xlsx([
        ["2024年签约项目台账"],
        ["序号", "项目名称", "项目业主", "计划总投资（亿元）", "协议投资额（亿元）", "签约时间", "牵头单位"],
        [1, "智能网联汽车研发基地", "青岛某汽车科技有限公司", 25, 20, "2024.3", "区投促中心"],
        [2, "海洋生物医药中试平台", "某生物公司", 8, 6.5, dt.date(2024, 4, 18), "区发改局"],
    ])
    preview = confirm(world.ls_editor, data)
    a, b = project("智能网联汽车研发基地"), project("海洋生物医药中试平台")
    assert (a.builder, a.total_investment, a.contract_amount, a.responsible_unit, a.stage) == (
        "青岛某汽车科技有限公司", D("250000.00"), D("200000.00"), world.ls_zs, Stage.SIGNED)
    assert (b.contract_amount, b.responsible_unit) == (D("65000.00"), world.ls_fgj)
    signed = StageChange.objects.get(project=a, to_stage=Stage.SIGNED)
    assert (signed.date, signed.precision) == (dt.date(2024, 3, 1), "month")
    assert ("责任单位", "区投促中心 → 崂山区投资促进中心") in preview.rows[0].shown
    # Without 总投资 a new project is refused, in words: a contract amount is not its total.
    bare = read(world.ls_editor, xlsx([["项目名称", "协议投资额(亿元)"], ["新签约项目", 3]]))
    assert bare.errors[0].messages == ["总投资: 新建项目须填写总投资"]


def test_an_unknown_abbreviation_offers_the_closest_units(world):
    data = xlsx([["项目名称", "总投资(万元)", "责任单位"], ["某项目", 100, "区招商局"]])
    preview = read(world.ls_editor, data)
    assert preview.errors[0].messages[0].startswith("责任单位: 未知“区招商局”")
    assert "崂山区" in preview.errors[0].messages[0]


def test_group_rows_with_counts_markers_and_a_marker_legend(world):
    """Plan tables that number groups "一 | 产业项目 | 2 (个)" and mark new starts with ★."""
    data = xlsx([
        ["2024年崂山区重点项目表"],
        ["序号", "项目名称", "项目个数", "总投资(亿元)"],
        ["一", "产业项目", 2, 4.0],
        [1, "★智慧港口二期", None, 1.5],
        [2, "☆氢能装备产业园", None, 2.5],
        ["二", "社会民生", 1, 0.8],
        [3, "崂山区人民医院", None, 0.8],
        ["★为新开工项目,☆为新签约项目"],
    ])
    preview = confirm(world.ls_editor, data)
    assert [r.name for r in preview.rows] == ["智慧港口二期", "氢能装备产业园", "崂山区人民医院"]
    assert skipped(preview) == [(3, "分组行"), (6, "分组行"), (8, "表尾注释或签字行")]
    assert project("智慧港口二期").total_investment == D("15000.00")
    assert project("崂山区人民医院").total_investment == D("8000.00")


def test_column_numbers_row_notes_and_signatures(world):
    """A statistics-style form: a row of column numbers under the header, signatures below."""
    data = xlsx([
        ["重点项目月报表(2024年1-5月)"],
        ["填报单位:崂山区发展和改革局", None, None, "单位:万元"],
        ["序号", "项目名称", "总投资", "1-5月完成投资"],
        ["甲", "乙", 1, 2],
        [1, "崂山区人民医院", 8000, 900],
        ["注:1. 本表按月报送。"],
        ["2. 金额单位为万元。"],
        ["填报人:王五", None, "审核人:赵六", "联系电话:88888888"],
    ])
    preview = confirm(world.ls_editor, data)
    assert (preview.year, preview.month) == (2024, 5)
    assert skipped(preview) == [(4, "列序号行"), (6, "表尾注释或签字行"), (7, "表尾注释或签字行"), (8, "表尾注释或签字行")]
    assert month("崂山区人民医院", 2024, 5) == D("900.00")


def test_three_row_header(world):
    """投资情况(万元) → 2024年 → 计划/完成: three header rows."""
    data = xlsx([
        ["崂山区重点项目2024年1-4月推进表"],
        ["项目名称", "投资情况(万元)", None, None],
        [None, "总投资", "2024年", None],
        [None, None, "年度计划", "1-4月完成"],
        ["崂山区人民医院", 8000, 2000, 500],
    ], merges=["B2:D2", "C3:D3"])
    preview = confirm(world.ls_editor, data)
    assert preview.table.header == (2, 4)
    assert plan("崂山区人民医院", 2024) == D("2000.00")
    assert month("崂山区人民医院", 2024, 4) == D("500.00")


def test_a_title_and_a_header_that_disagree_on_the_month_are_asked(world):
    data = xlsx([
        ["2024年1-10月重点项目进展表"],
        ["项目名称", "1-9月完成投资(万元)"],
        ["崂山区人民医院", 900],
    ])
    preview = read(world.ls_editor, data)
    assert preview.questions and "1-10月" in preview.questions[0] and "9月" in preview.questions[0]
    assert MonthlyProgress.objects.count() == 0
    chosen = confirm(world.ls_editor, data, month=9)
    assert chosen.month == 9 and month("崂山区人民医院", 2024, 9) == D("900.00")


def test_dates_as_offices_write_them(world):
    data = xlsx([
        ["2024年重点项目表"],
        ["项目名称", "总投资(万元)", "签约时间", "开工时间", "计划竣工时间", "建设起止年限"],
        ["甲", 100, "2023.12", "3月", "2026年", "2024-2026"],
        ["乙", 100, "2023年11月", "2024年", None, "2024.3-2025.6"],
    ])
    preview = confirm(world.ls_editor, data)
    a, b = project("甲"), project("乙")
    assert [(s.to_stage, s.date, s.precision) for s in a.stage_changes.order_by("date")] == [
        (Stage.SIGNED, dt.date(2023, 12, 1), "month"), (Stage.STARTED, dt.date(2024, 3, 1), "month")]
    assert (a.planned_start, a.planned_completion) == (dt.date(2024, 1, 1), dt.date(2026, 1, 1))
    assert (b.planned_start, b.planned_completion) == (dt.date(2024, 3, 1), dt.date(2025, 6, 1))
    started = b.stage_changes.get(to_stage=Stage.STARTED)
    assert (started.date, started.precision) == (dt.date(2024, 1, 1), "year")
    assert preview.count("create") == 2


@pytest.mark.parametrize("cell, message", [
    ("raw:1e308", "数值过大"),
    ("NaN", "不是有效数字"),
    ("Infinity", "不是有效数字"),
    (1e30, "数值过大"),
    ("1e20", "数值过大"),
    (-500, "不能为负数"),
    ("12%", "百分比"),
    ("一百", "应为数字"),
    ("500万美元", "外币"),
])
def test_bad_amounts_are_refused_per_cell_and_nothing_is_stored(world, cell, message):
    data = xlsx([
        ["2024年重点项目表"],
        ["项目名称", "总投资(万元)", "年度计划投资(万元)"],
        ["好项目", 100, 10],
        ["坏项目", 100, 0 if str(cell).startswith("raw:") else cell],
    ])
    if str(cell).startswith("raw:"):
        data = with_raw_number(data, "C4", cell[4:])
    preview = read(world.ls_editor, data)
    assert [r.number for r in preview.errors] == [4]
    assert preview.errors[0].messages[0].startswith("年度计划投资: ") and message in preview.errors[0].messages[0]
    with pytest.raises(Exception, match="错误"):
        services.apply_import(world.ls_editor, preview)
    assert not Project.objects.filter(name__in=["好项目", "坏项目"]).exists()
    assert not AnnualPlan.objects.exists()


@pytest.mark.parametrize("text", ["NaN", "INF", "-inf"])
def test_numbers_the_reader_cannot_cast_refuse_the_file_naming_the_row(world, text):
    data = with_raw_number(xlsx([["项目名称", "总投资(万元)"], ["好项目", 1], ["坏项目", 0]]), "B3", text)
    with pytest.raises(WorkbookError, match="第3行有无法读取的数值"):
        read(world.ls_editor, data)
    assert not Project.objects.filter(name="好项目").exists()


@pytest.mark.parametrize("cell, message", [
    ("2024.1", "也可能是10月"), (2024.1, "也可能是10月"), ("2024-02-30", "日期不存在"), ("明年", "日期格式不正确"),
    ("1850年", "日期不合理"),
])
def test_bad_dates_are_refused_per_cell(world, cell, message):
    data = xlsx([["2024年重点项目表"], ["项目名称", "总投资(万元)", "开工时间"], ["甲", 100, cell]])
    preview = read(world.ls_editor, data)
    assert preview.errors[0].messages[0].startswith("开工时间: ") and message in preview.errors[0].messages[0]


def test_two_equally_good_columns_are_asked_and_a_choice_settles_it(world):
    data = xlsx([
        ["2024年重点项目表"],
        ["项目名称", "计划投资(万元)", "年度计划(万元)"],
        ["崂山区人民医院", 2000, 1800],
    ])
    preview = read(world.ls_editor, data)
    assert [c.field for c in preview.columns] == ["name", None, None]
    assert preview.questions == ["“计划投资(万元)”、“年度计划(万元)”都可能是“年度计划投资”,请在列对应表中选择"]
    assert preview.columns[1].note == preview.columns[2].note == preview.questions[0]
    with pytest.raises(Exception, match="请在列对应表中选择"):
        services.apply_import(world.ls_editor, preview)
    chosen = confirm(world.ls_editor, data, mapping={1: None, 2: "year_plan"})
    assert chosen.columns[2].field == "year_plan" and plan("崂山区人民医院", 2024) == D("1800.00")


def test_level_from_the_remarks_column(world):
    data = xlsx([["2024年重点项目表"], ["项目名称", "总投资(万元)", "备注"], ["甲", 100, "省重点;新开工"]])
    confirm(world.ls_editor, data)
    assert project("甲").level == Level.PROVINCIAL


def test_xls_ods_and_gbk_csv_import(world):
    rows = [
        ["2024年崂山区重点项目计划表"],
        ["单位:亿元"],
        ["项目名称", "总投资", "2024年计划投资", "开工时间"],
        ["旧格式项目", 1.2, 0.5, dt.date(2024, 2, 1)],
    ]
    for kind, data in (("xls", xls(rows)), ("ods", ods(rows))):
        Project.objects.filter(name="旧格式项目").delete()
        confirm(world.ls_editor, data)
        p = project("旧格式项目")
        assert (p.total_investment, plan(p.name, 2024)) == (D("12000.00"), D("5000.00")), kind
        assert p.stage_changes.get(to_stage=Stage.STARTED).date == dt.date(2024, 2, 1), kind
    for encoding in ("gbk", "utf-8-sig", "utf-8"):
        data = csv_bytes([["项目名称", "总投资(万元)"], [f"CSV项目{encoding}", "1,200"]], encoding)
        preview = imports.read_projects(world.ls_editor, io.BytesIO(data), filename="台账.csv")
        services.apply_import(world.ls_editor, preview)
        assert project(f"CSV项目{encoding}").total_investment == D("1200.00")


def test_the_first_sheet_with_a_table_is_read_and_others_can_be_chosen(world):
    data = xlsx([["说明"], ["本工作簿为2024年台账"]], title="封面", more=[
        ("2023年", [["项目名称", "总投资(万元)", "年度计划投资(万元)"], ["崂山区人民医院", 8000, 1000]]),
        ("2024年", [["项目名称", "总投资(万元)", "年度计划投资(万元)"], ["崂山区人民医院", 8000, 2000]]),
    ])
    first = confirm(world.ls_editor, data)
    assert (first.table.sheet, first.year, first.sheets) == ("2023年", 2023, ["封面", "2023年", "2024年"])
    second = confirm(world.ls_editor, data, sheet="2024年")
    assert second.year == 2024
    assert (plan("崂山区人民医院", 2023), plan("崂山区人民医院", 2024)) == (D("1000.00"), D("2000.00"))
    with pytest.raises(WorkbookError, match="没有名为"):
        read(world.ls_editor, data, sheet="2025年")


def test_totals_that_disagree_with_the_rows_show(world):
    """A 10,000× slip: the 合计 row says 亿元 figures, the rows were typed in 万元."""
    data = xlsx([
        ["2024年重点项目表"],
        ["项目名称", "总投资(亿元)"],
        ["甲", 35000],
        ["合计", 3.5],
    ])
    preview = read(world.ls_editor, data)
    (total,) = preview.totals
    assert (total.sheet, total.rows, total.agrees) == (D("35000.00"), D("350000000.00"), False) or \
        preview.errors  # 35000亿元 is beyond any project: refused per cell
    assert preview.disagreeing_totals or preview.errors


@pytest.mark.parametrize("width", [16_384])
def test_a_sheet_claiming_a_huge_width_is_cut_at_its_header(world, width):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["项目名称", "总投资(万元)"])
    for i in range(50):
        ws.cell(row=i + 2, column=1, value=f"宽表项目{i}")
        ws.cell(row=i + 2, column=2, value=10)
        ws.cell(row=i + 2, column=width, value="x")
    buf = io.BytesIO()
    wb.save(buf)
    preview = read(world.ls_editor, buf.getvalue())
    assert len(preview.rows) == 50 and all(len(cells) <= 2 for _, cells in preview.table.rows)


# --- Layouts an outside reader found read wrong or refused needlessly -------------------------


def test_a_share_of_the_plan_is_not_the_plan(world):
    """"完成年度计划(%)" beside "2024年投资计划": the percentage is never the plan."""
    data = xlsx([["2024年1-6月重点项目推进表"],
                 ["项目名称", "2024年投资计划(万元)", "1-6月完成投资(万元)", "完成年度计划(%)"],
                 ["崂山区人民医院", 6000, 4500, 75]])
    confirm(world.ls_editor, data)
    assert plan("崂山区人民医院", 2024) == D("6000.00")


def test_a_title_range_written_with_months_on_both_sides(world):
    data = xlsx([["崂山区2024年1月—10月重点项目进展"], ["项目名称", "本年累计完成投资(万元)"], ["崂山区人民医院", 900]])
    preview = confirm(world.ls_editor, data)
    assert (preview.year, preview.month) == (2024, 10) and month("崂山区人民医院", 2024, 10) == D("900.00")


def test_subtotals_and_totals_named_at_the_end_without_a_number_column(world):
    data = xlsx([["2024年重点项目表"], ["项目名称", "所属区", "总投资(亿元)"],
                 ["甲", "崂山区", 6], ["乙", "崂山区", 8], ["产业项目小计", None, 14],
                 [None, "崂山区小计", 14], ["崂山区合计", None, 14]])
    preview = confirm(world.ls_editor, data)
    assert [r.name for r in preview.rows] == ["甲", "乙"]
    assert [s.reason[:3] for s in preview.skipped] == ["小计行", "小计行", "合计行"]
    assert [t.agrees for t in preview.totals] == [True]


def test_a_title_over_several_years_asks_and_the_chosen_columns_year_is_used(world):
    data = xlsx([["崂山区2025-2027年重点项目滚动计划"],
                 ["项目名称", "总投资(万元)", "2025年计划投资(万元)", "2026年计划投资(万元)", "2027年计划投资(万元)"],
                 ["崂山区人民医院", 8000, 1000, 2000, 3000]])
    preview = read(world.ls_editor, data)
    assert any("含多个年份" in q for q in preview.questions)
    chosen = confirm(world.ls_editor, data, mapping={0: "name", 1: "total_investment", 2: None, 3: "year_plan", 4: None})
    assert chosen.year == 2026 and plan("崂山区人民医院", 2026) == D("2000.00")


def test_columns_of_another_year_are_not_this_years_figures(world):
    data = xlsx([["2024年重点项目计划表"],
                 ["项目名称", "总投资(万元)", "2023年1-12月完成投资(万元)", "截至2023年底累计完成投资(万元)",
                  "2024年计划投资(万元)"],
                 ["崂山区人民医院", 8000, 1500, 3000, 2000]])
    preview = confirm(world.ls_editor, data)
    assert [c.field for c in preview.columns] == ["name", "total_investment", None, None, "year_plan"]
    assert preview.month is None and not MonthlyProgress.objects.exists()


def test_a_cumulative_in_yi_yuan_is_read_to_its_precision(world):
    for m, v in ((8, "1000"), (9, "1944.27")):
        services_write(world, world.ls_other, 2024, m, v)
    # 0.29亿 is the ledger's 2944.27 rounded: nothing changes and nothing is refused.
    same = read(world.ls_editor, xlsx([["2024年1-9月进展(亿元)"], ["项目名称", "1-9月完成投资"], ["崂山区人民医院", 0.29]]))
    assert not same.errors and same.rows[0].action == "unchanged"
    # The next month's 0.35亿: October is what the cumulative says, and the preview says how coarse it is.
    preview = confirm(world.ls_editor, xlsx([["2024年1-10月进展(亿元)"], ["项目名称", "1-10月完成投资"],
                                             ["崂山区人民医院", 0.35]]))
    assert month("崂山区人民医院", 2024, 10) == D("555.73")
    assert any("精确到 100 万元" in text for _, text in preview.rows[0].shown)


def test_a_unit_stated_only_under_the_table(world):
    data = xlsx([["2024年重点项目表"], ["项目名称", "总投资"], ["甲", 12], ["注:表中金额单位为亿元。"]])
    preview = confirm(world.ls_editor, data)
    assert project("甲").total_investment == D("120000.00")
    assert any("表尾" in n for n in preview.notices)


def test_a_project_whose_number_was_left_empty_is_kept(world):
    data = xlsx([["2024年重点项目表"], ["序号", "项目名称", "总投资(万元)"],
                 [1, "甲", 100], [2, "乙", 200], [None, "丙", 300], [3, "丁", 400]])
    preview = confirm(world.ls_editor, data)
    assert [r.name for r in preview.rows] == ["甲", "乙", "丙", "丁"]


def test_names_with_markers_numbers_and_status_match_the_ledger(world):
    data = xlsx([["2024年重点项目表"], ["项目名称", "总投资(万元)"],
                 ["虚拟现实创享中心★", 52000], ["1.崂山区人民医院(续建)", 8000], ["崂山区人民医院二期", 100]])
    preview = read(world.ls_editor, data)
    assert [(r.name, r.action) for r in preview.rows] == [
        ("虚拟现实创享中心", "unchanged"), ("崂山区人民医院", "unchanged"), ("崂山区人民医院二期", "create")]
    assert ("注意", "与已有项目“崂山区人民医院”名称相近;如是同一项目,请把表中名称改成与台账一致") in preview.rows[2].shown


def test_group_headings_and_sub_items_in_a_small_table(world):
    data = xlsx([["2024年重点项目表"], ["序号", "项目名称", "总投资(万元)"],
                 [None, "续建项目(2个)", 300], [1, "甲", 100], [2, "乙", 200],
                 [None, "新开工项目(1个)", 500], [3, "丙", 500], ["3.1", "丙一期", 200], ["3.2", "丙二期", 300]])
    preview = confirm(world.ls_editor, data)
    assert [r.name for r in preview.rows] == ["甲", "乙", "丙"]
    assert [s.reason[:2] for s in preview.skipped] == ["分组", "分组", "子项", "子项"]


def test_a_plan_under_an_investment_group_and_a_month_beside_its_cumulative(world):
    services_write(world, world.ls_other, 2024, 9, "500")
    data = xlsx([["2024年1-10月重点项目进展"], ["项目名称", "投资完成情况(万元)", None, None],
                 [None, "本年计划", "10月", "1-10月"], ["崂山区人民医院", 3000, 400, 900]])
    preview = confirm(world.ls_editor, data)
    assert [c.field for c in preview.columns] == ["name", "year_plan", "month_investment", "ytd"]
    assert (plan("崂山区人民医院", 2024), month("崂山区人民医院", 2024, 10)) == (D("3000.00"), D("400.00"))


def test_breakdowns_are_not_the_total(world):
    data = xlsx([["2024年重点项目表"], ["项目名称", "总投资(万元)", None], [None, "总额", "其中:财政资金"],
                 ["甲", 1000, 300]])
    preview = confirm(world.ls_editor, data)
    assert [c.field for c in preview.columns] == ["name", "total_investment", None]


def test_unchanged_figures_of_a_locked_month_are_not_refused(world):
    from taizhang.reporting import services as reporting
    from taizhang.reporting.choices import PeriodStatus
    from taizhang.reporting.models import ReportingPeriod

    services_write(world, world.ls_other, 2024, 9, "500")
    reporting.period_for(world.laoshan, 2024, 9)
    ReportingPeriod.objects.filter(region=world.laoshan, year=2024, month=9).update(status=PeriodStatus.LOCKED)
    data = xlsx([["2024年1-10月重点项目表"], ["项目名称", "逐月完成投资(万元)", None], [None, "9月", "10月"],
                 ["崂山区人民医院", 500, 300]])
    preview = confirm(world.ls_editor, data)
    assert preview.rows[0].reports == {10: D("300.00")}
    changed = read(world.ls_editor, xlsx([["2024年1-10月重点项目表"], ["项目名称", "逐月完成投资(万元)", None],
                                          [None, "9月", "10月"], ["崂山区人民医院", 600, 300]]))
    assert "锁定" in " ".join(changed.errors[0].messages)


def test_planned_dates_by_quarter_or_half_year(world):
    data = xlsx([["2024年重点项目表"], ["项目名称", "总投资(万元)", "计划开工时间", "计划竣工时间"],
                 ["甲", 100, "2024年第四季度", "2025年上半年"]])
    confirm(world.ls_editor, data)
    assert (project("甲").planned_start, project("甲").planned_completion) == (dt.date(2024, 10, 1), dt.date(2025, 1, 1))
