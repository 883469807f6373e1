"""Layouts an outside checker built after the published sheets it knows, read as a person reads
them: no subtotal taken for a project, no project taken for a subtotal, no figure in the wrong
unit, year or month, and nothing dropped without a word.

The figures are invented; each test names the kind of published table it follows.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from taizhang.projects.models import Project

from .importing import confirm, read, reasons
from .sheets import xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_start_rule")]

D = Decimal


def test_project_names_beginning_with_subtotal_or_total_words_are_projects(world):
    """区重点项目计划表: real names that begin with 小计/合计/总计 ("小计量器具产业园"): the
    words stand alone in a subtotal's cell, never run on into a name."""
    data = xlsx([["2024年重点项目计划表"], ["序号", "项目名称", "总投资(万元)"],
                 [1, "小计量器具产业园", 100], [2, "合计量子科技园", 300], [3, "总计算平台", 50],
                 ["小计", None, 450], ["合计:3个", None, 450]])
    preview = confirm(world.ls_editor, data)
    assert [r.name for r in preview.rows] == ["小计量器具产业园", "合计量子科技园", "总计算平台"]
    assert reasons(preview) == [(6, "小计行"), (7, "合计行")]
    assert Project.objects.get(name="小计量器具产业园").total_investment == D("100.00")


def test_totals_and_subtotals_named_with_a_count_are_not_projects(world):
    """项目推进情况汇总表 without a 序号 column: "全区合计（3个项目）" at the top and
    "工业项目小计（2个项目）" at the end carry the sums; they were stored as two projects."""
    data = xlsx([["2024年重点项目表"], ["项目名称", "总投资(万元)", "年度计划投资(万元)"],
                 ["全区合计（3个项目）", 600, 60], ["甲", 100, 10], ["乙", 200, 20], ["丙", 300, 30],
                 ["工业项目小计（2个项目）", 300, 30]])
    preview = confirm(world.ls_editor, data)
    assert [r.name for r in preview.rows] == ["甲", "乙", "丙"]
    assert reasons(preview) == [(3, "合计行"), (7, "小计行")]
    assert [(t.sheet, t.rows, t.agrees) for t in preview.totals] == [(D("600.00"), D("600.00"), True),
                                                                     (D("60.00"), D("60.00"), True)]
    assert not Project.objects.filter(name__contains="计").exists()


def test_a_grand_total_with_a_count_above_numbered_rows_is_the_total(world):
    """重大项目建设进度表: "全区合计(35个)" right under the header is the table's total (compared
    with the rows), not a group heading."""
    data = xlsx([["2024年重点项目表"], ["序号", "项目名称", "总投资(万元)"],
                 [None, "全区合计(3个)", 600], [1, "甲", 100], [2, "乙", 200], [3, "丙", 300]])
    preview = confirm(world.ls_editor, data)
    assert reasons(preview) == [(3, "合计行")]
    assert [(t.sheet, t.agrees) for t in preview.totals] == [(D("600.00"), True)]


def test_a_subtitle_stating_figures_with_their_unit_is_not_the_tables_unit(world):
    """通报 table: a subtitle summing the list ("总投资 120 亿元") names a figure's unit, not the
    unit of the columns below; read as the table's unit, 5000 万元 was stored as 5000 亿元."""
    data = xlsx([["2024年崂山区重点项目计划表"], ["共2个项目,总投资 0.62 亿元,年度计划投资 0.15 亿元"],
                 ["项目名称", "总投资", "年度计划投资"], ["甲", 5000, 1200], ["乙", 1200, 300]])
    preview = confirm(world.ls_editor, data)
    assert preview.table.unit is None
    assert Project.objects.get(name="甲").total_investment == D("5000.00")
    assert any("未注明金额单位,按万元读取" in n for n in preview.notices)


@pytest.mark.parametrize("line, unit", [("单位:亿元", "亿元"), ("(单位：万元)", "万元"), ("金额 亿元", "亿元"),
                                        ("表中金额 单位 亿元", "亿元")])
def test_a_unit_line_is_still_the_tables_unit(line, unit):
    from taizhang.core.workbook import unit_in

    assert unit_in(line) == unit


def test_the_date_a_sheet_was_filled_in_is_not_its_period(world):
    """项目推进情况汇总表 with "填报日期:2024年7月5日" above the header: a report filed on 5 July
    runs to June at most; its cumulative was stored as January–July."""
    data = xlsx([["重点项目推进情况汇总表"], ["填报单位:崂山区发展和改革局", None, "填报日期:2024年7月5日"],
                 ["项目名称", "总投资(万元)", "累计完成投资(万元)"], ["崂山区人民医院", 8000, 3000]])
    preview = read(world.ls_editor, data)
    assert preview.month is None and any("哪一年" in q for q in preview.questions)
    preview = confirm(world.ls_editor, data, year=2024, month=6)
    assert preview.rows[0].reports == {6: D("3000.00")}


def test_a_period_written_as_a_day_is_still_the_period():
    from taizhang.core.workbook import period_in

    p = period_in("截至2024年6月30日重点项目进展情况")
    assert (p.year, p.month) == (2024, 6)
    assert (period_in("重点项目表 填报日期:2024.7.5").year, period_in("崂山区发改局 2024年7月5日").year) == (None, None)


def test_a_title_naming_two_years_asks_which(world):
    """"2023年第一批重点项目2024年1-6月建设进展": the first year named is the batch's, not the
    figures'; the cumulative was stored under 2023."""
    data = xlsx([["2023年第一批省重点项目2024年1-6月建设进展"], ["项目名称", "累计完成投资(万元)"],
                 ["崂山区人民医院", 3000]])
    preview = read(world.ls_editor, data)
    assert any("含多个年份" in q for q in preview.questions)
    preview = confirm(world.ls_editor, data, year=2024)
    assert (preview.year, preview.month, preview.rows[0].reports) == (2024, 6, {6: D("3000.00")})


def _merged_xlsx(rows, merges) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _merged_xls(rows, merges) -> bytes:
    """``merges``: (first row, last row, first column, last column), 0-based, as xlwt takes them."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Sheet1")
    inside = {(r, c) for r1, r2, c1, c2 in merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
    for r1, r2, c1, c2 in merges:
        ws.write_merge(r1, r2, c1, c2, rows[r1][c1])
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if v is not None and (i, j) not in inside:
                ws.write(i, j, v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


ROWS_MERGED = [["2024年重点项目表"], ["序号", "项目名称", "建设性质", "计划开工时间", "总投资(万元)", "责任单位"],
               [1, "甲", "新建", "2024年3月", 100, "崂山区投资促进中心"], [2, "乙", None, None, 200, None],
               [3, "丙", None, None, 300, None], [4, "丁", "续建", "2023年5月", 400, "崂山区发展和改革局"]]


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_a_text_merged_down_over_several_projects_is_each_ones(world, kind):
    """区重点项目台账: 建设性质, 计划开工时间 and 责任单位 merged down over the three projects one
    unit leads; every row but the first lost them."""
    from taizhang.projects.choices import Nature

    if kind == "xlsx":
        data = _merged_xlsx(ROWS_MERGED, ["C3:C5", "D3:D5", "F3:F5", "A1:F1"])
    else:
        data = _merged_xls(ROWS_MERGED, [(2, 4, 2, 2), (2, 4, 3, 3), (2, 4, 5, 5), (0, 0, 0, 5)])
    confirm(world.ls_editor, data)
    got = [(p.name, p.nature, p.planned_start.month, p.responsible_unit.name)
           for p in Project.objects.filter(name__in="甲乙丙丁").order_by("total_investment")]
    assert got == [("甲", Nature.NEW, 3, "崂山区投资促进中心"), ("乙", Nature.NEW, 3, "崂山区投资促进中心"),
                   ("丙", Nature.NEW, 3, "崂山区投资促进中心"), ("丁", Nature.CONTINUED, 5, "崂山区发展和改革局")]


def test_an_amount_merged_down_is_not_counted_for_each_row(world):
    """A plan merged over two phases of one programme is one figure: it is not copied down."""
    data = _merged_xlsx([["2024年重点项目表"], ["项目名称", "总投资(万元)", "年度计划投资(万元)"],
                         ["甲一期", 100, 90], ["甲二期", 200, None]], ["C3:C4"])
    preview = confirm(world.ls_editor, data)
    assert [r.plan for r in preview.rows] == [D("90.00"), None]


def test_a_cumulative_to_the_month_before_is_not_the_years_to_date(world):
    """固定资产投资项目调度表: "至上月底累计 | 本月完成 | 自开工累计". The cumulative to May was
    taken for January–June and the row refused as not adding up."""
    data = xlsx([["2024年6月固定资产投资项目调度表"],
                 ["项目名称", "总投资(万元)", "至上月底累计完成投资(万元)", "本月完成投资(万元)", "自开工累计完成投资(万元)"],
                 ["崂山区人民医院", 8000, 2500, 500, 6000]])
    preview = confirm(world.ls_editor, data)
    assert [c.field for c in preview.columns] == ["name", "total_investment", None, "month_investment", None]
    assert (preview.month, preview.rows[0].reports) == (6, {6: D("500.00")})


@pytest.mark.parametrize("cell, stored", [("1,234.50", D("1234.50")), ("12,345,678", D("12345678.00")),
                                          ("约1,200万元", D("1200.00")), ("12,34", None), ("1,2345", None),
                                          ("1234,567", None), ("3,5亿", None)])
def test_a_comma_is_read_as_a_thousands_separator_only_where_it_groups_thousands(world, cell, stored):
    """Figures typed as text: "12,34" (a decimal comma) was stored as 1234."""
    data = xlsx([["2024年重点项目表"], ["项目名称", "总投资(万元)"], ["甲", cell]])
    preview = read(world.ls_editor, data)
    if stored is None:
        assert "逗号不是千分位" in preview.errors[0].messages[0]
    else:
        assert not preview.errors and preview.rows[0].data["total_investment"] == stored


def test_a_numbered_project_whose_name_ends_with_a_count_is_a_project(world):
    """区重点项目计划表: "老旧小区改造(12个)" numbered like the projects around it is one project
    (twelve estates); it was set aside as a group heading. A counted label whose rows are
    numbered under it ("1.1", "1.2") is still their heading."""
    data = xlsx([["2024年重点项目表"], ["序号", "项目名称", "总投资(万元)"],
                 [1, "甲", 100], [2, "老旧小区改造(12个)", 200], [3, "乙", 300],
                 [4, "崂山区(2个)", None], ["4.1", "丙", 100], ["4.2", "丁", 200]])
    preview = confirm(world.ls_editor, data)
    assert [r.name for r in preview.rows] == ["甲", "老旧小区改造(12个)", "乙", "丙", "丁"]
    assert reasons(preview) == [(6, "分组行")]


def test_a_header_repeated_down_the_list_is_set_aside(world):
    """A long 计划表 pasted together page by page: each page's header and column numbers come
    again between the projects; the repeated header was read as a project and refused."""
    data = xlsx([["2024年重点项目表"], ["序号", "项目名称", "投资(万元)", None], [None, None, "总投资", "年度计划"],
                 ["甲", "乙", 1, 2], [1, "甲", 100, 10],
                 ["序号", "项目名称", "投资(万元)", None], [None, None, "总投资", "年度计划"], ["甲", "乙", 1, 2],
                 [2, "乙", 200, 20]])
    preview = confirm(world.ls_editor, data)
    assert [r.name for r in preview.rows] == ["甲", "乙"]
    assert reasons(preview) == [(4, "列序号行"), (6, "重复的表头行"), (7, "重复的表头行"), (8, "列序号行")]


def test_rows_hidden_or_filtered_out_are_not_imported_and_the_preview_says_so(world):
    """A district's sheet of the city's projects, filtered to its own (AutoFilter) and with a
    project hidden by hand (调出, moved out of the list): what the sheet shows is imported, the
    hidden rows are listed as skipped and named in a notice."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in (["2024年重点项目计划表"], ["序号", "项目名称", "所属区", "总投资(万元)"],
                [1, "甲项目", "崂山区", 100], [2, "乙项目(调出)", "崂山区", 900], [3, "丙项目", "李沧区", 5000],
                [4, "丁项目", "崂山区", 300]):
        ws.append(row)
    ws.auto_filter.ref = "A2:D6"
    ws.row_dimensions[4].hidden = True  # hidden by hand
    ws.row_dimensions[5].hidden = True  # filtered out
    buf = io.BytesIO()
    wb.save(buf)
    preview = confirm(world.ls_editor, buf.getvalue())
    assert [r.name for r in preview.rows] == ["甲项目", "丁项目"]
    assert reasons(preview) == [(4, "隐藏行"), (5, "隐藏行")]
    assert any("第4、5行" in n for n in preview.cautions), preview.cautions
    assert not Project.objects.filter(name__in=["乙项目(调出)", "丙项目"]).exists()
    assert Project.objects.get(name="丁项目").total_investment == D("300.00")


def test_a_note_inside_a_numbered_list_does_not_end_it(world):
    """重点项目计划表 with a line between two groups ("注:以下为新开工项目"): the numbering goes
    on under it, so the projects under it are projects; the signature lines at the end are not."""
    data = xlsx([["2024年重点项目计划表"], ["序号", "项目名称", "总投资(万元)"],
                 [1, "甲项目", 100], [2, "乙项目", 200],
                 ["注:以下为新开工项目"],
                 [3, "丙项目", 300], [4, "丁项目", 400],
                 ["填报人:张三", None, None], ["联系电话:0532-88888888"]])
    preview = confirm(world.ls_editor, data)
    assert [r.name for r in preview.rows] == ["甲项目", "乙项目", "丙项目", "丁项目"]
    assert reasons(preview) == [(5, "表尾注释或签字行"), (8, "表尾注释或签字行"), (9, "表尾注释或签字行")]
    assert Project.objects.get(name="丁项目").total_investment == D("400.00")
    assert not preview.cautions


def test_rows_with_figures_under_a_note_are_said_when_not_imported(world):
    """The same without a 序号 column: whether the rows under the note are projects cannot be
    told, so they are not imported and the preview says which they are."""
    data = xlsx([["2024年重点项目计划表"], ["项目名称", "总投资(万元)"],
                 ["甲项目", 100], ["乙项目", 200], ["注:以下为新开工项目"], ["丙项目", 300], ["丁项目", 400],
                 ["填报人:张三"]])
    preview = confirm(world.ls_editor, data)
    assert [r.name for r in preview.rows] == ["甲项目", "乙项目"]
    notice = next(n for n in preview.cautions if "注释或签字行,其后" in n)
    assert "第5行" in notice and "第6、7行" in notice
