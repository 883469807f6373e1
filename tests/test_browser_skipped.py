"""The rows an import set aside, read in a real browser at desk and phone width: the tax
sheet's preview (confirmed in two steps) and the 亩均 sheet's result message (in one)."""

from __future__ import annotations

import pytest

from taizhang.enterprises.services import create_enterprise

from .browser import login, page, screenshot  # noqa: F401  (page is a fixture)
from .test_import_skipped import code, sheet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = [["2024年3月重点企业税收"], ["纳税人名称", "统一社会信用代码", "税收(万元)"],
        ["青岛甲科技有限公司", code(1), 120], ["青岛乙新材料科技股份有限公司(2024年2月迁出)", code(2), 880],
        ["合计", None, 1000], ["填报人:张三  审核人:李四  联系电话:0532-88888888"]]


def fits(page, width):  # noqa: F811
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


@pytest.mark.parametrize("width", [1366, 390])
def test_the_skipped_rows_read_well_in_a_preview_and_in_a_result(page, world, tmp_path, width):  # noqa: F811
    w = world
    for n, name in ((1, "青岛甲科技有限公司"), (2, "青岛乙新材料科技股份有限公司")):
        create_enterprise(w.ls_admin, {"name": name, "region": w.laoshan, "credit_code": code(n)})
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "ls_admin")
    path = tmp_path / "税务局2024年3月.xlsx"
    path.write_bytes(sheet(ROWS, hidden=[4]))
    page.goto(page.base_url + "/parks/tax/import/")
    page.select_option("select[name=region]", label="崂山区")
    page.fill("input[name=year]", "2024")
    page.fill("input[name=month]", "3")
    page.set_input_files("input[name=file]", str(path))
    page.click("button[type=submit].primary")
    page.wait_for_selector("details.skipped[open]")
    assert page.locator("details.skipped tbody tr").count() == 3
    assert page.is_visible("text=表中有1行被隐藏或筛选掉(第4行)")
    fits(page, width)
    screenshot(page, f"skipped-tax-preview-{width}")
    path = tmp_path / "税务局.xlsx"
    path.write_bytes(sheet([["企业名称", "统一社会信用代码", "实缴税收"], *[r[:3] for r in ROWS[2:]]], hidden=[3]))
    page.goto(page.base_url + "/parks/mujun/")
    form = page.locator("#import-form")
    form.locator("select[name=region]").select_option(label="崂山区")
    form.locator("input[name=year]").fill("2023")
    form.locator("select[name=department]").select_option("tax")
    form.locator("input[name=file]").set_input_files(str(path))
    form.locator("button").click()
    page.wait_for_selector("text=已导入1家企业的1项数据")
    assert page.locator(".messages details.skipped tbody tr").count() == 3
    fits(page, width)
    screenshot(page, f"skipped-mujun-result-{width}")
