"""The registry's newer pages in a browser, at a desk and on a 390 px phone: a department's sheet
of annual figures imported (a near-match settled, the figures on the firm's page); a firm's
一企一策 written, a measure added and marked done; the district's 诉求 service levels set and
their on-time rates read. No page scrolls sideways; every step is photographed."""

import datetime as dt

import pytest
from django.utils import timezone

from taizhang.enterprises import services
from taizhang.enterprises.models import AnnualFigure, Measure, ServiceLevel, Strategy

from .browser import OUTPUT, login, page, phone, screenshot  # noqa: F401  (page and phone are fixtures)
from .sheets import xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = ["page", "phone"]


def fits(pg, screen: str, name: str) -> None:
    """Photographed; the page no wider than the window (a wide table scrolls in its own box)."""
    screenshot(pg, f"plans-{screen}-{name}")
    width, window = pg.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= window, f"{screen} {name}: the page is {width} px wide in a {window} px window"


def part(pg, screen: str, name: str, selector: str) -> None:
    """A photograph of one section (a phone's whole page is too tall to read)."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    pg.locator(selector).screenshot(path=str(OUTPUT / f"plans-{screen}-{name}.png"))


def test_a_departments_figures_are_imported_and_shown_on_the_firm(request, world, tmp_path, screen):
    pg = request.getfixturevalue(screen)
    u = world.ls_admin
    a = services.create_enterprise(u, {"name": "青岛檬豆网络科技有限公司", "region": world.laoshan})
    b = services.create_enterprise(u, {"name": "青岛蓝谷芯片有限公司", "region": world.laoshan})
    sheet = tmp_path / "2024年规上企业主要指标.xlsx"
    sheet.write_bytes(xlsx([["2024年规上工业企业主要指标"],
                            ["序号", "企业名称", "统一社会信用代码", "营业收入(亿元)", "研发费用(万元)", "从业人员"],
                            [1, "青岛檬豆网络科技有限公司", "", "0.65", 320, 86],
                            [2, "蓝谷芯片(青岛)有限公司", "", "1.2", 600, 120]]))
    login(pg, "ls_admin")
    pg.goto(pg.base_url + "/enterprises/")
    pg.click("a:has-text('导入年度数据')")
    fits(pg, screen, "figures-1-form")
    pg.set_input_files("input[name=file]", str(sheet))
    pg.fill("input[name=year]", "2024")
    pg.fill("input[name=department]", "崂山区统计局")
    pg.click("button:has-text('读取数据')")
    pg.wait_for_selector("#figure-rows")
    assert "待确认 1 行" in pg.locator("#tally").inner_text()
    fits(pg, screen, "figures-2-preview")
    near = pg.locator("select.near-choice")
    box, window = near.bounding_box(), pg.evaluate("window.innerWidth")
    assert box["x"] + box["width"] <= window, "the near-match's choice is off the screen"
    pg.select_option("select.near-choice", str(b.pk))
    pg.click("#confirm-figures")
    pg.wait_for_selector("text=年度数据已导入")
    fits(pg, screen, "figures-3-done")
    assert AnnualFigure.objects.get(enterprise=b, metric="revenue").value == 12000  # 1.2 亿元 in 万元
    pg.goto(pg.base_url + a.get_absolute_url())
    figures = pg.locator("section:has(h2:has-text('年度数据'))")
    assert "营业收入(万元)\n6500 崂山区统计局" in figures.inner_text()
    fits(pg, screen, "figures-4-firm")


def test_a_firms_plan_is_written_and_a_measure_done(request, world, screen):
    pg = request.getfixturevalue(screen)
    u = world.ls_admin
    firm = services.create_enterprise(u, {"name": "青岛海纳光电有限公司", "region": world.laoshan})
    demand = services.raise_demand(u, firm, {"category": "land", "content": "扩产需新增厂房约3000平方米",
                                             "unit": world.ls_zs})
    year = timezone.localdate().year
    login(pg, "ls_admin")
    pg.goto(pg.base_url + firm.get_absolute_url())
    pg.click("#strategies summary:has-text('编制一企一策')")
    pg.fill("#strategy-form input[name=year]", str(year))
    pg.fill("#strategy-form textarea[name=goal]", "年内申报高新技术企业")
    fits(pg, screen, "plan-1-strategy-form")
    pg.click("#strategy-form button[type=submit]")
    pg.wait_for_selector("text=一企一策已保存")
    assert pg.url.endswith("#strategies")  # back where the plan is, not at the top of a long page
    assert Strategy.objects.get().goal == "年内申报高新技术企业"
    pg.click("#strategies summary:has-text('添加措施')")
    form = pg.locator(".measure-form").first
    form.locator("input[name=content]").fill("协调园区空置厂房")
    form.locator("select[name=unit]").select_option(str(world.ls_zs.pk))
    form.locator("input[name=deadline]").fill(f"{year}-12-31")
    form.locator(f"input[name=demands][value='{demand.pk}']").check()
    fits(pg, screen, "plan-2-measure-form")
    form.locator("button[type=submit]").click()
    pg.wait_for_selector("text=措施已添加")
    measure = Measure.objects.get()
    assert list(measure.demands.all()) == [demand]
    row = pg.locator(f"tr[data-measure='{measure.pk}']")
    assert "扩产需新增厂房" in row.inner_text()
    fits(pg, screen, "plan-3-firm")
    part(pg, screen, "plan-3-firm-part", "#strategies")
    row.locator("a").first.click()
    pg.wait_for_selector("#measure-form")
    pg.select_option("#measure-form select[name=status]", "done")
    pg.fill("#measure-form textarea[name=progress]", "企业已看房并签约")
    fits(pg, screen, "plan-4-measure")
    pg.click("#measure-form button[type=submit]")
    pg.wait_for_selector("text=措施已保存")
    measure.refresh_from_db()
    assert measure.status == "done" and measure.done_on == timezone.localdate()
    assert "已完成" in pg.locator(f"tr[data-measure='{measure.pk}']").inner_text()
    fits(pg, screen, "plan-5-done")
    part(pg, screen, "plan-5-done-part", "#strategies")


def test_the_district_sets_its_service_levels_and_reads_the_on_time_rates(request, world, screen):
    pg = request.getfixturevalue(screen)
    u = world.ls_admin
    firm = services.create_enterprise(u, {"name": "青岛海纳光电有限公司", "region": world.laoshan})
    now = timezone.now()
    late = services.raise_demand(u, firm, {"category": "land", "content": "用地", "unit": world.ls_zs,
                                           "channel": "12345热线"}, now=now - dt.timedelta(days=20))
    services.answer_demand(world.unit_user, late, "已答复", now=now - dt.timedelta(days=2))
    services.raise_demand(u, firm, {"category": "finance", "content": "融资", "unit": world.ls_fgj,
                                    "channel": "走访"}, now=now - dt.timedelta(hours=1))
    login(pg, "ls_admin")
    pg.goto(pg.base_url + "/enterprises/")
    pg.click("a:has-text('诉求办理时限')")
    pg.wait_for_selector("#by-unit")
    assert "崂山区投资促进中心" in pg.locator("#by-unit").inner_text()
    fits(pg, screen, "levels-1-page")
    pg.click("#levels summary:has-text('新增办理时限')")
    pg.fill("#level-form input[name=name]", "紧急")
    pg.fill("#level-form input[name=acknowledge_hours]", "1")
    pg.fill("#level-form input[name=answer_days]", "1")
    pg.fill("#level-form input[name=resolve_days]", "5")
    fits(pg, screen, "levels-2-form")
    pg.click("#level-form button[type=submit]")
    pg.wait_for_selector("text=办理时限已保存")
    level = ServiceLevel.objects.get(name="紧急")
    edit = pg.locator(f"#edit-level-{level.pk}")
    edit.locator("summary:has-text('修改“紧急”')").click()
    edit.locator("input[name$=resolve_days]").fill("7")
    fits(pg, screen, "levels-3-edit")
    part(pg, screen, "levels-3-edit-part", "#levels")
    edit.locator("button[type=submit]").click()
    pg.wait_for_selector("text=办理时限已保存")
    assert ServiceLevel.objects.get(pk=level.pk).resolve_days == 7
    assert pg.locator(f"tr[data-level='{level.pk}'] td").nth(3).inner_text() == "7"
    fits(pg, screen, "levels-4-saved")


@pytest.fixture(params=SCREENS)
def screen(request):
    return request.param
