"""Excel import: the sheets districts use, a preview, and all rows or none."""

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from taizhang.core.workbook import WorkbookError
from taizhang.projects import imports, services
from taizhang.projects.models import AnnualPlan, MonthlyProgress, Problem, Project
from taizhang.reporting import progress

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_start_rule")]


def xlsx(rows, merges=()) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(list(row))
    for m in merges:
        ws.merge_cells(m)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def district_sheet(extra_rows=(), total_1=3.2, name_1="崂山人工智能产业园二期"):
    """A 重点项目月进度计划表 as districts send it: title, two header rows, 亿元, totals, notes."""
    return xlsx([
        ["崂山区2024年重点项目月进度计划表"],
        ["序号", "项目名称", "建设单位", "建设性质", "建设规模及内容", "投资情况(亿元)", None, None,
         "形象进度", "存在问题", "责任单位", "责任人", "计划开工时间", "计划竣工时间"],
        [None, None, None, None, None, "总投资", "2024年计划投资", "1-10月完成投资"],
        [1, name_1, "青岛某科技有限公司", "新建", "研发楼", total_1, 1.0, 0.85, "主体施工", "用地指标未落实",
         "崂山区投资促进中心", "张三", "2024-03-01", "2026年12月"],
        [2, "虚拟现实创享中心", "某集团", "续建", "展示中心", 5.2, 2, 1.5, "装修", "无", "崂山区发展和改革局", "李四",
         dt.date(2023, 3, 1), dt.date(2025, 6, 30)],
        *extra_rows,
        ["合计", None, None, None, None, 8.4, 3, 2.35],
        ["注:本表金额单位为亿元。"],
    ], merges=["A1:N1", "F2:H2"])


def read(user, data, **kw):
    return imports.read_projects(user, io.BytesIO(data), **kw)


def test_a_two_row_header_in_yi_yuan_with_totals_and_notes_is_read(world):
    preview = read(world.ls_editor, district_sheet())
    assert not preview.errors, [(r.number, r.messages) for r in preview.errors]
    assert (preview.year, preview.month) == (2024, 10)
    assert [(r.number, r.name, r.action) for r in preview.rows] == [  # noqa

        (4, "崂山人工智能产业园二期", "create"), (5, "虚拟现实创享中心", "update")]
    new = preview.rows[0]
    assert new.data["total_investment"] == Decimal("32000.00")  # 3.2亿元 -> 万元
    assert new.plan == Decimal("10000.00") and new.ytd == Decimal("8500.00")
    assert new.data["planned_completion"] == dt.date(2026, 12, 1)
    assert any(c.startswith("建设性质") for c in preview.rows[1].changes)
    assert Project.objects.count() == 3  # nothing written by a preview


def test_confirming_writes_projects_plans_progress_and_problems(world):
    preview = read(world.ls_editor, district_sheet())
    counts = services.apply_import(world.ls_editor, preview)
    assert counts == {"created": 1, "updated": 1, "plans": 2, "progress": 2, "problems": 1, "stages": 1}
    p = Project.objects.get(name="崂山人工智能产业园二期")
    assert p.region == world.laoshan and p.responsible_unit == world.ls_zs and p.source == "imported"
    assert AnnualPlan.objects.get(project=p, year=2024).planned_investment == Decimal("10000")
    assert p.year_to_date(2024, 10) == Decimal("8500")
    assert Problem.objects.get(project=p).description == "用地指标未落实"
    assert p.history.first().history_user == world.ls_editor
    world.ls_project.refresh_from_db()
    assert world.ls_project.total_investment == Decimal("52000")  # 5.2亿元 = 52000万元 already


def test_reimporting_the_same_file_changes_nothing(world):
    data = district_sheet()
    services.apply_import(world.ls_editor, read(world.ls_editor, data))
    history = (Project.history.count(), MonthlyProgress.history.count(), Problem.objects.count())
    again = read(world.ls_editor, data)
    assert {r.action for r in again.rows} == {"unchanged"}
    services.apply_import(world.ls_editor, again)
    assert (Project.history.count(), MonthlyProgress.history.count(), Problem.objects.count()) == history


def test_the_month_is_derived_from_the_year_to_date_figure(world):
    for month in range(1, 10):
        progress.save_progress(world.ls_editor, world.ls_project, 2024, month, {"investment": Decimal("1600")},
                               today=dt.date(2024, 11, 5))
    services.apply_import(world.ls_editor, read(world.ls_editor, district_sheet()))
    october = MonthlyProgress.objects.get(project=world.ls_project, year=2024, month=10)
    assert october.investment == Decimal("600")  # 1.5亿元 - 9 x 1600万元
    assert world.ls_project.year_to_date(2024, 10) == Decimal("15000")


@pytest.mark.parametrize(
    "row, message",
    [
        ([3, "错区项目", "", "", "", 1, 1, 1, "", "", "", "", "", "", "不存在区"], "所属区"),
        ([3, "负数项目", "", "", "", -1, 1, 1], "不能为负数"),
        ([3, "日期倒挂", "", "", "", 1, 1, 1, "", "", "", "", "2025-01-01", "2024-01-01"], "不能早于"),
        ([3, "文字金额", "", "", "", "三亿", 1, 1], "应为数字"),
        ([3, "坏日期", "", "", "", 1, 1, 1, "", "", "", "", "2024-02-30"], "日期不存在"),
        ([3, "崂山人工智能产业园二期", "", "", "", 1, 1, 1], "重复"),
        ([3, "未知单位", "", "", "", 1, 1, 1, "", "", "某不存在单位"], "责任单位"),
    ],
)
def test_bad_rows_are_named_and_nothing_is_written(client, world, row, message):
    data = district_sheet(extra_rows=[row])
    if row[-1] == "不存在区":
        data = xlsx([["项目名称", "所属区", "总投资(万元)"], ["错区项目", "不存在区", 1]])
    client.force_login(world.ls_editor)
    upload = io.BytesIO(data)
    upload.name = "计划表.xlsx"
    r = client.post("/projects/import/", {"file": upload}, follow=True)
    page = r.content.decode()
    assert message in page and "第" in page and "确认导入" not in page
    preview = r.context["preview"]
    with pytest.raises(ValidationError, match="未写入任何数据"):
        services.apply_import(world.ls_editor, preview)
    assert Project.objects.count() == 3 and not MonthlyProgress.objects.exists()


def test_the_page_previews_then_confirms_once(client, world):
    client.force_login(world.ls_editor)
    upload = io.BytesIO(district_sheet())
    upload.name = "计划表.xlsx"
    r = client.post("/projects/import/", {"file": upload})
    assert r.status_code == 302
    page = client.get(r["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "确认导入" in html and "新建 1 个,更新 1 个" in html
    assert "合计核对" in html and "一致" in html and "表尾注释或签字行" in html
    token = page.context["batch"].token
    r = client.post(f"/projects/import/{token}/confirm/")
    assert r.status_code == 302 and r["Location"] == "/projects/"
    assert Project.objects.filter(name="崂山人工智能产业园二期").count() == 1
    # A second click (or a second tab) finds it done: nothing is imported twice.
    r = client.post(f"/projects/import/{token}/confirm/", follow=True)
    assert "已经确认导入过" in r.content.decode() and "已导入" in r.content.decode()
    assert Project.objects.filter(name="崂山人工智能产业园二期").count() == 1
    # Another user cannot see or confirm someone else's upload.
    client.force_login(world.ls_admin)
    assert client.get(f"/projects/import/{token}/").status_code == 404


def test_the_page_changes_a_column_and_saves_it_as_a_template(client, world):
    client.force_login(world.ls_editor)
    data = xlsx([["2024年计划表"], ["项目名称", "计划投资(万元)", "年度计划(万元)"], ["崂山区人民医院", 2000, 1800]])
    upload = io.BytesIO(data)
    upload.name = "表.xlsx"
    page = client.get(client.post("/projects/import/", {"file": upload})["Location"])
    assert "都可能是" in page.content.decode() and "确认导入" not in page.content.decode()
    token = page.context["batch"].token
    client.post(f"/projects/import/{token}/", {"col-0": "name", "col-1": "", "col-2": "year_plan",
                                                "year": "2024", "template_name": "计划表"})
    page = client.get(f"/projects/import/{token}/")
    assert "确认导入" in page.content.decode()
    assert client.post(f"/projects/import/{token}/confirm/").status_code == 302
    assert AnnualPlan.objects.get(project=world.ls_other, year=2024).planned_investment == Decimal("1800")
    # Next month's sheet of the same layout is read with the template.
    again = read(world.ls_editor, data)
    assert again.template == "计划表" and [c.field for c in again.columns] == ["name", None, "year_plan"]
    # A field that does not exist is refused.
    upload = io.BytesIO(data)
    upload.name = "表.xlsx"
    token = client.post("/projects/import/", {"file": upload})["Location"].rstrip("/").split("/")[-1]
    assert client.post(f"/projects/import/{token}/", {"col-1": "password"}).status_code == 403


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("a.pdf", b"%PDF-1.4", ".xlsx"),
        ("a.xlsx", b"PK\x03\x04 not really a zip", "无法读取"),
        ("a.xlsx", b"", ".xlsx"),
        ("a.xlsx", b"<html>not a workbook</html>", "实为网页"),
        ("a.xlsx", b"not a workbook", "无法识别"),
    ],
)
def test_files_that_are_not_workbooks_are_refused(client, world, name, data, message):
    client.force_login(world.ls_editor)
    upload = io.BytesIO(data)
    upload.name = name
    r = client.post("/projects/import/", {"file": upload}, follow=True)
    assert r.status_code in (200, 400) and message in r.content.decode()
    assert Project.objects.count() == 3


def test_an_empty_sheet_or_one_without_a_header_is_refused(world):
    with pytest.raises(WorkbookError, match="空"):
        read(world.ls_editor, xlsx([]))
    with pytest.raises(WorkbookError, match="项目名称"):
        read(world.ls_editor, xlsx([["甲", "乙"], [1, 2]]))


def test_a_ten_thousand_row_file_with_one_bad_row_is_refused_whole(world):
    rows = [["项目名称", "所属区", "总投资(万元)", "年度计划投资(万元)"]]
    rows += [[f"批量项目{i}", "崂山区", 100 + i, 10] for i in range(10_000)]
    rows[7001][2] = "一百"
    preview = read(world.ls_editor, xlsx(rows))
    assert preview.questions and "哪一年" in preview.questions[0]  # a plan with no year anywhere: asked
    preview = read(world.ls_editor, xlsx(rows), year=2026)
    bad = preview.errors
    assert [r.number for r in bad] == [7002] and "应为数字" in bad[0].messages[0]
    with pytest.raises(ValidationError, match="错误"):
        services.apply_import(world.ls_editor, preview)
    assert Project.objects.count() == 3


def test_the_export_can_be_imported_back_unchanged(client, world):
    client.force_login(world.ls_editor)
    exported = client.get("/projects/export.xlsx").content
    preview = read(world.ls_editor, exported)
    assert {r.action for r in preview.rows} == {"unchanged"}, [(r.name, r.messages, r.changes) for r in preview.rows]


def test_a_unit_user_cannot_import(client, world):
    client.force_login(world.unit_user)
    assert client.get("/projects/import/").status_code == 403


def test_the_template_downloads_and_reads_back(client, world):
    client.force_login(world.ls_editor)
    data = client.get("/projects/import/template.xlsx").content
    preview = read(world.ls_editor, data, month=10)
    assert [r.name for r in preview.rows] == ["示例:人工智能产业园二期"]


def test_a_units_progress_sheet_updates_only_progress(world):
    """Responsible units send back name, 1-N月 figure and 形象进度: the projects stay as they are."""
    before = Project.objects.get(pk=world.ls_project.pk)
    data = xlsx([["2024年1-3月重点项目进展"], ["项目名称", "1-3月完成投资(万元)", "形象进度"],
                 ["虚拟现实创享中心", 300, "桩基完成"], ["崂山区人民医院", 0, "前期手续"]])
    preview = read(world.ls_editor, data)
    assert [(r.action, r.changes) for r in preview.rows] == [("update", ["3月完成投资: — → 300.00 万元", "3月形象进度: 桩基完成"]),
                                                             ("unchanged", [])]
    services.apply_import(world.ls_editor, preview)
    after = Project.objects.get(pk=world.ls_project.pk)
    assert (after.total_investment, after.version) == (before.total_investment, before.version)
    report = MonthlyProgress.objects.get(project=after, year=2024, month=3)
    assert (report.investment, report.progress) == (Decimal("300"), "桩基完成")
    # A name the ledger does not know cannot be created from a progress sheet.
    unknown = read(world.ls_editor, xlsx([["项目名称", "1-3月完成投资(万元)"], ["不存在的项目", 10]]), year=2024)
    assert unknown.rows[0].action == "error" and "总投资" in unknown.rows[0].messages[0]


def test_an_oversized_upload_is_refused_before_it_is_read(client, world, monkeypatch):
    monkeypatch.setattr(imports, "MAX_UPLOAD_BYTES", 1024)
    client.force_login(world.ls_editor)
    upload = io.BytesIO(district_sheet())  # a few KB
    upload.name = "计划表.xlsx"
    r = client.post("/projects/import/", {"file": upload})
    assert "文件过大" in r.content.decode() and r.context["preview"] is None and r.status_code == 400
    assert Project.objects.count() == 3


def test_choosing_another_sheet_drops_the_first_sheets_columns(client, world):
    """The column choices made for one sheet are never applied to another sheet's columns."""
    from .sheets import xlsx as book

    data = book([["2024年表"], ["项目名称", "总投资(万元)", "年度计划投资(万元)"], ["崂山区人民医院", 8000, 1000]],
                title="计划", more=[("进展", [["2024年1-3月进展"], ["项目名称", "1-3月完成投资(万元)", "总投资(万元)"],
                                             ["崂山区人民医院", 300, 8000]])])
    client.force_login(world.ls_editor)
    upload = io.BytesIO(data)
    upload.name = "台账.xlsx"
    token = client.post("/projects/import/", {"file": upload})["Location"].rstrip("/").split("/")[-1]
    assert client.get(f"/projects/import/{token}/").context["preview"].table.sheet == "计划"
    # The first sheet's columns are posted back along with the new sheet's name.
    client.post(f"/projects/import/{token}/", {"sheet": "进展", "col-0": "name", "col-1": "total_investment",
                                                "col-2": "year_plan"})
    preview = client.get(f"/projects/import/{token}/").context["preview"]
    assert preview.table.sheet == "进展" and [c.field for c in preview.columns] == ["name", "ytd", "total_investment"]


def test_new_rows_can_be_declared_already_building(world):
    data = xlsx([["2024年1-10月进展"], ["项目名称", "总投资(万元)", "1-10月完成投资(万元)"], ["新建在建项目", 1000, 200]])
    from taizhang.reporting.choices import RuleKind
    from taizhang.reporting.models import ValidationRule

    ValidationRule.objects.filter(kind=RuleKind.NOT_STARTED).delete()  # the district's start rule applies
    refused = read(world.ls_editor, data)
    assert refused.not_started_new and "尚未开工" in refused.errors[0].messages[0]
    preview = read(world.ls_editor, data, new_stage="started")
    assert not preview.errors and preview.rows[0].stages_shown == ["开工 日期不详"]
    services.apply_import(world.ls_editor, preview)
    p = Project.objects.get(name="新建在建项目")
    assert p.stage == "started" and p.stage_changes.get().date is None
    assert MonthlyProgress.objects.get(project=p, year=2024, month=10).investment == Decimal("200")


def test_a_code_taken_by_a_project_out_of_reach_refuses_its_row_in_the_preview(world):
    """The preview does not store new projects to try them: the code's city-wide uniqueness is
    checked by hand, so confirming does not fail on the database's constraint instead."""
    Project.objects.create(name="李沧的项目", region=world.licang, total_investment=Decimal("1"),
                           code="2024-370213-65-03-000001")
    data = xlsx([["项目代码", "项目名称", "总投资(万元)"], ["20243702136503000001", "崂山新项目", 10],
                 ["2024-370212-65-03-000002", "崂山另一项目", 10]])
    preview = read(world.ls_editor, data)
    assert [(r.name, r.messages) for r in preview.errors] == [
        ("崂山新项目", ["项目代码: 2024-370213-65-03-000001 已是您管理范围以外的项目的代码"])]
    assert preview.rows[1].action == "create"


def test_a_new_row_whose_stage_history_is_refused_says_why_and_only_why(world):
    """The preview checks a new project's months with the project kept in memory: one whose
    history is refused is still checked as a project without entries, as when it was stored."""
    future = dt.date.today() + dt.timedelta(days=40)
    data = xlsx([["2024年重点项目表"], ["项目名称", "总投资(万元)", "开工时间", "1-10月完成投资(万元)"],
                 ["未来开工项目", 100, future, 5]])
    preview = read(world.ls_editor, data)
    (row,) = preview.errors
    assert any(m.startswith("阶段: ") and "不能晚于今天" in m for m in row.messages), row.messages
    assert not any("不存在" in m or "管理范围" in m for m in row.messages), row.messages


def _with_results(data: bytes, results: dict[str, str], texts=()) -> bytes:
    """The workbook as Excel would save it: each formula cell named in ``results`` with its
    result, those named in ``texts`` typed as giving text."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                for ref, value in results.items():
                    content = re.sub(rf'(<c r="{ref}"[^>]*>\s*<f>[^<]*</f>)<v\s*/?>(?:</v>)?'.encode(),
                                     rb"\1<v>" + value.encode() + b"</v>", content)
                for ref in texts:
                    content = content.replace(f'<c r="{ref}"><f>'.encode(), f'<c r="{ref}" t="str"><f>'.encode())
            dst.writestr(item, content)
    return out.getvalue()


FORMULAS = [["2024年重点项目进度表"], ["序号", "项目名称", "总投资(万元)", "2024年计划投资(万元)", "1-2月完成投资(万元)", "责任单位"],
            [1, "公式项目甲", 1000, 300, "=10+20", "崂山区投资促进中心"],
            [2, "公式项目乙", "=500*2", 300, 15, "崂山区投资促进中心"]]


def test_formulas_saved_without_their_results_refuse_the_sheet_naming_the_cells(world):
    """A program that writes formulas without calculating them leaves the cells empty to any
    reader: the figures would be lost without a word, so the sheet is refused."""
    before = Project.objects.count()
    with pytest.raises(WorkbookError) as e:
        read(world.ls_editor, xlsx(FORMULAS), year=2024, month=2)
    assert "E3" in str(e.value) and "C4" in str(e.value) and "2 个公式" in str(e.value) and "Excel" in str(e.value)
    assert Project.objects.count() == before


def test_formulas_saved_with_their_results_are_read_as_those(world):
    preview = read(world.ls_editor, _with_results(xlsx(FORMULAS), {"E3": "30", "C4": "1000"}), year=2024, month=2)
    assert not preview.errors, [(r.number, r.messages) for r in preview.errors]
    assert [(r.name, r.data["total_investment"], r.ytd) for r in preview.rows] == [
        ("公式项目甲", Decimal("1000"), Decimal("30")), ("公式项目乙", Decimal("1000"), Decimal("15"))]


def test_a_formula_whose_result_is_empty_text_and_another_sheets_formulas_do_not_refuse(world):
    wb = Workbook()
    ws = wb.active
    for row in FORMULAS[:3]:
        ws.append(row)
    ws["G3"] = '=IF(1>2,"超期","")'
    wb.create_sheet("草稿").append(["=1+1"])  # another sheet, not the one read
    buf = io.BytesIO()
    wb.save(buf)
    data = _with_results(buf.getvalue(), {"E3": "30"}, texts=["G3"])  # as Excel types a text result
    preview = read(world.ls_editor, data, year=2024, month=2)
    assert [(r.name, r.ytd) for r in preview.rows] == [("公式项目甲", Decimal("30"))]
    with pytest.raises(WorkbookError, match="草稿"):
        read(world.ls_editor, data, year=2024, month=2, sheet="草稿")


@pytest.mark.parametrize("above, header, cell, stored", [
    (None, "总投资(千元)", 1200, "120"),
    (None, "总投资(百万元)", 12, "1200"),
    (None, "总投资(十万元)", 5, "50"),
    (None, "总投资(千万元)", 3, "3000"),
    (None, "总投资/亿元", 2, "20000"),
    (None, "总投资 亿元", 2, "20000"),
    (None, "总投资亿元", 2, "20000"),
    (None, "总投资\n(元)", 1200000, "120"),
    ("单位:千元", "总投资", 1200, "120"),
    ("金额单位:百万元", "总投资", 12, "1200"),
    ("单位:千元", "总投资(亿元)", 2, "20000"),  # the column's own unit wins
    (None, "总投资(万元)", "3百万元", "300"),  # the cell's own unit wins
    (None, "总投资(万元)", "1200千元", "120"),
    (None, "总投资", "0.5亿", "5000"),
    (None, "总投资(亿元人民币)", 2, "20000"),
    (None, "总投资(人民币千元)", 1200, "120"),
    ("金额单位:人民币亿元", "总投资", 2, "20000"),
])
def test_every_money_unit_is_read_at_its_worth(world, above, header, cell, stored):
    """千元, 百万元, 十万元… are 0.1, 100, 10 万元: none is taken for 万元 for want of knowing it."""
    rows = [["2024年重点项目计划表"], *([[above]] if above else []), ["序号", "项目名称", header, "责任单位"],
            [1, "单位换算项目", cell, "崂山区投资促进中心"]]
    preview = read(world.ls_editor, xlsx(rows), year=2024, month=2)
    (row,) = preview.rows
    assert not row.messages, row.messages
    assert row.data["total_investment"] == Decimal(stored)
    if stored != str(cell):
        assert any("→" in text for _, text in row.shown)  # the conversion is shown in the preview


@pytest.mark.parametrize("header, cell", [("总投资(万美元)", 100), ("总投资", "100千美元"), ("总投资", "5万欧元")])
def test_a_foreign_currency_amount_for_a_yuan_field_is_refused(world, header, cell):
    rows = [["序号", "项目名称", header, "责任单位"], [1, "外币项目", cell, "崂山区投资促进中心"]]
    (row,) = read(world.ls_editor, xlsx(rows), year=2024, month=2).rows
    assert row.action == "error" and any("外币" in m or "万美元" in m for m in row.messages), row.messages
