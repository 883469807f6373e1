"""The registry in a browser: a commissioner on a phone logs a visit and raises a firm's 诉求, the
unit answers it and the firm's page shows the answer; a district administrator imports a 认定名单,
settles a near-match and sees the funnel move."""

import datetime as dt

import pytest

from taizhang.enterprises import services
from taizhang.enterprises.choices import TierKind, TierLevel
from taizhang.enterprises.models import Demand, Recognition, Visit

from .browser import login, page, phone, screenshot  # noqa: F401  (page and phone are fixtures)
from .sheets import xlsx
from .test_browser_phone import fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_commissioner_serves_a_firm_from_a_phone(phone, world):  # noqa: F811
    firm = services.create_enterprise(world.ls_admin, {"name": "青岛海纳光电有限公司", "region": world.laoshan})
    services.assign_commissioner(world.ls_admin, firm, world.unit_user)
    login(phone, "ls_unit")
    phone.goto(phone.base_url + "/enterprises/")
    phone.click("text=青岛海纳光电有限公司")
    fits(phone, "firm-1-page")
    phone.click("#visits summary")
    phone.fill("#visit-form input[name=purpose]", "了解扩产用地需求")
    phone.fill("#visit-form textarea[name=notes]", "计划新增产线两条")
    fits(phone, "firm-2-visit-form")
    phone.click("#visit-form button[type=submit]")
    phone.wait_for_selector("text=走访已登记")
    assert Visit.objects.get().visitor == world.unit_user
    phone.click("#demands summary")
    phone.select_option("#demand-form select[name=category]", "land")
    phone.fill("#demand-form textarea[name=content]", "扩产需新增厂房约3000平方米")
    phone.select_option("#demand-form select[name=unit]", str(world.ls_zs.pk))
    fits(phone, "firm-3-demand-form")
    phone.click("#demand-form button[type=submit]")
    phone.wait_for_selector("text=诉求已登记")
    demand = Demand.objects.get()
    # the unit the 诉求 is addressed to (the commissioner's own here) answers it
    phone.click(f"a[href='/enterprises/demands/{demand.pk}/']")
    fits(phone, "firm-4-demand")
    phone.click("button:has-text('响应')")
    phone.wait_for_selector("#demand-status:has-text('已响应')")
    phone.fill("#answer-form textarea[name=answer]", "已协调园区空置厂房两处,企业本周看房")
    phone.click("#answer-form button[type=submit]")
    phone.wait_for_selector("#demand-status:has-text('已答复')")
    fits(phone, "firm-5-answered")
    phone.click("text=企业页面")
    assert phone.locator("#demands").inner_text().count("已协调园区空置厂房两处") == 1
    assert "了解扩产用地需求" in phone.locator("#visits").inner_text()
    fits(phone, "firm-6-page-after")


def test_an_administrator_imports_a_list_and_the_funnel_moves(page, world, tmp_path):  # noqa: F811
    u = world.ls_admin
    a = services.create_enterprise(u, {"name": "青岛檬豆网络科技有限公司", "region": world.laoshan})
    b = services.create_enterprise(u, {"name": "青岛海纳光电有限公司", "region": world.laoshan})
    for firm in (a, b):
        services.recognise(u, firm, {"kind": TierKind.EAGLET, "level": TierLevel.CITY, "year": 2023,
                                     "effective": dt.date(2023, 5, 1)})
    sheet = tmp_path / "2024年瞪羚企业名单.xlsx"
    sheet.write_bytes(xlsx([["2024年青岛市瞪羚企业名单"], ["序号", "企业名称", "统一社会信用代码"],
                            [1, "檬豆网络科技(青岛)有限公司", ""], [2, "青岛海纳光电有限公司", ""],
                            [3, "青岛新星智能科技有限公司", ""]]))
    login(page, "ls_admin")
    page.goto(page.base_url + f"/enterprises/tiers/?date=2024-12-31&year=2024&region={world.laoshan.pk}")
    growth = page.locator(".funnel").nth(2)
    assert growth.locator("tbody tr").nth(1).locator("td").nth(1).inner_text() == "0"
    screenshot(page, "tiers-before")
    page.goto(page.base_url + "/enterprises/import/")
    page.set_input_files("input[name=file]", str(sheet))
    page.select_option("select[name=kind]", "gazelle")
    page.select_option("select[name=level]", "city")
    page.fill("input[name=year]", "2024")
    page.fill("input[name=effective]", "2024-06-30")
    page.click("button:has-text('读取名单')")
    page.wait_for_selector("#list-rows")
    assert "待确认 1 行" in page.locator("#tally").inner_text()
    screenshot(page, "list-preview")
    page.select_option("select.near-choice", str(a.pk))
    page.click("#confirm-list")
    page.wait_for_selector("text=名单已导入")
    screenshot(page, "tiers-after")
    growth = page.locator(".funnel").nth(2)
    row = growth.locator("tbody tr").nth(1)
    assert row.locator("td").nth(1).inner_text() == "3"
    assert row.locator("td").nth(2).inner_text() == "100.0%"  # both eaglets became gazelles
    assert Recognition.objects.filter(kind=TierKind.GAZELLE).count() == 3
