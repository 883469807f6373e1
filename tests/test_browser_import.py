"""The import, in a real browser at desk and phone width: a plan sheet in 亿元 is previewed
(reading, columns, totals, rows), a column is changed, and the sheet is confirmed once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from taizhang.projects.models import AnnualPlan, Project

from .browser import login, page, screenshot  # noqa: F401  (page is a fixture)
from .sheets import xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def plan_sheet() -> bytes:
    return xlsx([
        ["崂山区2024年重点项目计划表"],
        [None, None, None, "单位:亿元"],
        ["序号", "项目名称", "投资情况", None, "备注"],
        [None, None, "总投资", "2024年计划投资", None],
        ["一、产业项目", None, 4.5, 1.2, None],
        [1, "浏览器导入项目甲", 3.2, 1.0, "省重点"],
        [2, "浏览器导入项目乙", 1.3, 0.2, None],
        ["合计", None, 4.5, 1.2, None],
        ["填报人:王五"],
    ], merges=["C3:D3"])


@pytest.mark.parametrize("width", [1366, 390])
def test_a_plan_sheet_is_previewed_remapped_and_confirmed_once(page, world, tmp_path, settings, width):  # noqa: F811
    settings.MEDIA_ROOT = str(tmp_path)
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "ls_admin")
    page.goto(page.base_url + "/projects/import/")
    path = tmp_path / "计划表.xlsx"
    path.write_bytes(plan_sheet())
    page.set_input_files("input[name=file]", str(path))
    page.click("button:has-text('上传并预览')")
    page.wait_for_selector("#reading")
    assert "2024年" in page.inner_text("#period") and "标题" in page.inner_text("#period")
    assert "一致" in page.inner_text("#totals")
    rows = page.inner_text("#preview")
    assert "3.2 → 32,000.00 万元" in rows and "分组行" in rows and "合计行" in rows
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"import-preview-{width}")
    # 备注 is read for the level; the user decides not to import it.
    page.select_option("select[aria-label='备注']", value="")
    page.click("button:has-text('按以上选择重新预览')")
    page.wait_for_selector("#reading")
    assert page.input_value("select[aria-label='备注']") == ""
    page.click("#confirm button[name=confirm]")
    page.wait_for_url("**/projects/")
    assert "导入完成" in page.inner_text("body")
    a = Project.objects.get(name="浏览器导入项目甲")
    assert (a.total_investment, a.level) == (Decimal("32000.00"), "district")
    assert AnnualPlan.objects.get(project=a, year=2024).planned_investment == Decimal("10000.00")
    # Going back and confirming again imports nothing twice.
    page.go_back()
    page.reload()
    assert "已导入" in page.inner_text("body")
    assert Project.objects.filter(name__startswith="浏览器导入项目").count() == 2


def test_the_language_menu_switches_under_the_content_security_policy(page, world):  # noqa: F811
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, "ls_admin")
    page.goto(page.base_url + "/projects/")
    page.select_option("select[name=language]", value="en")
    page.wait_for_load_state("networkidle")
    assert page.eval_on_selector("html", "e => e.lang") == "en"
    assert not [e for e in errors if "Content Security Policy" in e], errors


@pytest.mark.parametrize("width", [1366, 390])
def test_rows_left_out_as_hidden_or_under_a_note_are_shown_as_warnings(page, world, tmp_path, settings, width):  # noqa: F811
    """A sheet filtered to the district's own projects, with a note between two groups and no
    序号 column: the preview warns, in a box of its own, which rows were not imported and why."""
    from openpyxl import Workbook

    settings.MEDIA_ROOT = str(tmp_path)
    wb = Workbook()
    ws = wb.active
    for row in (["崂山区2024年重点项目计划表"], ["项目名称", "总投资(万元)"], ["预览警示项目甲", 100],
                ["预览警示项目乙(调出)", 900], ["注:以下为新开工项目"], ["预览警示项目丙", 300]):
        ws.append(row)
    ws.row_dimensions[4].hidden = True
    path = tmp_path / "筛选后的计划表.xlsx"
    wb.save(path)
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "ls_admin")
    page.goto(page.base_url + "/projects/import/")
    page.set_input_files("input[name=file]", str(path))
    page.click("button:has-text('上传并预览')")
    page.wait_for_selector("#reading")
    cautions = page.locator("#reading .caution")
    assert cautions.count() == 2
    assert "第4行" in cautions.nth(0).inner_text() and "第6行" in cautions.nth(1).inner_text()
    assert cautions.nth(0).evaluate("e => getComputedStyle(e).borderLeftStyle") == "solid"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"import-cautions-{width}")
