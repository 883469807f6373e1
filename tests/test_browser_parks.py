"""The 亩均效益评价 in a real browser at desk and phone width: a department's sheet is imported
and reviewed, the evaluation is run and published, a firm's objection is lodged and reviewed,
the list is recomputed and republished, and the final list downloads as a print-ready
workbook; the parks page draws its occupancy charts."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from taizhang.enterprises.services import create_enterprise
from taizhang.parks import evaluation as ev
from taizhang.parks import services
from taizhang.parks.models import Objection, Publication

from .browser import login, page, screenshot  # noqa: F401  (page is a fixture)
from .sheets import xlsx
from .test_mujun import HUANGYAN_2022, code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page, width):  # noqa: F811
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


@pytest.mark.parametrize("width", [1366, 390])
def test_import_run_publish_object_review_and_download(page, world, tmp_path, width):  # noqa: F811
    w = world
    ev.save_scheme(w.ls_admin, w.laoshan, {"name": "黄岩区工业企业综合评价(2022年度)", "min_pool_for_d": 0},
                   HUANGYAN_2022)
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "ls_admin")
    page.goto(page.base_url + "/parks/mujun/")
    path = tmp_path / "税务局.xlsx"
    path.write_bytes(xlsx([["企业名称", "统一社会信用代码", "证载用地面积", "实缴税收", "用电量"],
                           *[[f"{n}公司", code(i), a, t, p] for i, (n, a, t, p) in enumerate(
                               [("子", 8, 100, 400), ("丑", 5, 30, 150), ("寅", 4, 60, 300), ("卯", 6, 20, 200)],
                               start=20)]]))
    form = page.locator("#import-form")
    form.locator("select[name=region]").select_option(label="崂山区")
    form.locator("input[name=year]").fill("2022")
    form.locator("select[name=department]").select_option("tax")
    form.locator("input[name=file]").set_input_files(str(path))
    form.locator("button").click()
    page.wait_for_selector("text=已导入4家企业的12项数据")
    page.click("button:has-text('审核通过')")
    page.wait_for_selector("text=已审核")
    no_sideways_scroll(page, width)
    screenshot(page, f"mujun-list-{width}")
    page.select_option("form[action$='/mujun/add/'] select[name=region]", label="崂山区")
    page.fill("form[action$='/mujun/add/'] input[name=year]", "2022")
    page.select_option("form[action$='/mujun/add/'] select[name=scheme]", index=1)
    page.click("button:has-text('新建评价')")
    page.wait_for_selector("#run")
    page.click("#run")
    page.wait_for_selector("text=已计算")
    page.fill("#publish-form input[name=published_on]", "2023-09-25")
    page.fill("#publish-form input[name=objections_until]", "2099-12-31")
    page.click("#publish")
    page.wait_for_selector("text=第1次公示")
    assert "寅公司" in page.inner_text("#results")
    no_sideways_scroll(page, width)
    screenshot(page, f"mujun-published-{width}")

    page.click("#results a:has-text('卯公司')")
    page.wait_for_selector("#breakdown")
    assert "21.26" in page.inner_text("#breakdown")  # 0.1 / 0.2352 × 50
    page.select_option("#objection-form select[name=metric]", "tax")
    page.fill("#objection-form input[name=claimed_value]", "60")
    page.fill("#objection-form textarea[name=content]", "分支机构的税收未计入")
    page.click("#objection-form button")
    page.wait_for_selector("text=异议已登记")
    no_sideways_scroll(page, width)
    screenshot(page, f"mujun-objection-{width}")

    page.click("a:has-text('2022年度亩均效益评价')")
    page.wait_for_selector("#objections")
    review = page.locator("#objections form.review-form")
    review.locator("select[name=accept]").select_option("1")
    review.locator("input[name=review_note]").fill("经税务局核实,采纳")
    review.locator("button").click()
    page.wait_for_selector("text=已审核")
    assert Objection.objects.get().status == "accepted"
    page.click("#run")
    page.wait_for_selector("text=已计算")
    page.fill("#publish-form input[name=published_on]", "2023-10-08")
    page.fill("#publish-form input[name=objections_until]", "2099-12-31")
    page.click("#publish")
    page.wait_for_selector("text=第2次公示")
    page.fill("#publish-form input[name=published_on]", "2023-10-12")
    page.click("#final")
    page.wait_for_selector("#status:has-text('已公布')")
    no_sideways_scroll(page, width)
    screenshot(page, f"mujun-final-{width}")
    assert Publication.objects.filter(final=True).count() == 1

    with page.expect_download() as info:
        page.click("#download")
    download = info.value
    assert download.suggested_filename == "崂山区2022年度亩均效益综合评价最终名单.xlsx"
    wb = load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    ws = wb["规下企业(3亩及以上)"]
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$2"
    assert [(r[1], r[-1]) for r in ws.iter_rows(min_row=3, values_only=True)] == [
        ("寅公司", "A类"), ("子公司", "B类"), ("卯公司", "C类"), ("丑公司", "D类")]


@pytest.mark.parametrize("width", [1366, 390])
def test_the_parks_page_draws_occupancy(page, world, width):  # noqa: F811
    w = world
    building = services.create_building(w.ls_admin, {"region": w.laoshan, "park": w.vr_park, "name": "智造楼"})
    units = [services.add_unit(w.ls_admin, building, {"floor": i, "code": f"{i}01", "area_m2": D("500")})
             for i in range(1, 5)]
    for i, unit in enumerate(units[:3]):
        firm = create_enterprise(w.ls_admin, {"name": f"租户{i}", "credit_code": code(70 + i), "region": w.laoshan})
        services.lease(w.ls_admin, unit, firm, dt.date(2024, 1, 1))
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "ls_admin")
    page.goto(page.base_url + "/parks/")
    page.wait_for_selector("#chart-buildings[data-drawn]")
    assert page.inner_text("#rate-area").strip() == "75.00%"
    no_sideways_scroll(page, width)
    screenshot(page, f"parks-{width}")
    page.goto(page.base_url + f"/parks/buildings/{building.pk}/")
    page.wait_for_selector("#chart-trend[data-drawn]")
    no_sideways_scroll(page, width)
    screenshot(page, f"building-{width}")


@pytest.mark.parametrize("width", [1366, 390])
def test_a_district_admin_adds_a_building_and_a_unit_and_leases_it(page, world, width):  # noqa: F811
    """A building and a unit typed in on the pages, let to a firm of the registry: the
    building's 入驻率 goes from 0 to the unit's share of the area."""
    w = world
    create_enterprise(w.ls_admin, {"name": "青岛智造科技有限公司", "credit_code": code(80), "region": w.laoshan})
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "ls_admin")
    page.goto(page.base_url + "/parks/")
    page.click("#add-building")
    form = page.locator("#edit-form")
    form.locator("select[name=region]").select_option(label="崂山区")
    form.locator("select[name=park]").select_option(label="青岛市虚拟现实产业园")
    form.locator("input[name=name]").fill("虚拟现实工业楼")
    form.locator("select[name=kind]").select_option("industrial")
    form.locator("input[name=gross_area_m2]").fill("2000")
    form.locator("input[name=floor_load_kn]").fill("12")
    form.locator("input[name=ceiling_m]").fill("6")
    form.locator("input[name=freight_lifts]").fill("2")
    no_sideways_scroll(page, width)
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=已登记楼宇")
    for code_, area in (("1F", "1200"), ("2F", "800")):
        page.click("#add-unit")
        form = page.locator("#edit-form")
        form.locator("input[name=floor]").fill(code_[0])
        form.locator("input[name=code]").fill(code_)
        form.locator("input[name=area_m2]").fill(area)
        form.locator("button[type=submit]").click()
        page.wait_for_selector("text=已登记单元")
    assert page.inner_text(".kpi >> nth=0").split()[-1] == "0.00%"
    lease = page.locator("#lease-form")
    lease.locator("select[name=unit]").select_option(label="虚拟现实工业楼 1F")
    lease.locator("input[name=credit_code]").fill(code(80))
    lease.locator("input[name=start]").fill("2024-01-01")
    lease.locator("button").click()
    page.wait_for_selector("text=已登记入驻")
    assert page.inner_text(".kpi >> nth=0").split()[-1] == "60.00%"
    assert page.inner_text(".kpi >> nth=1").split()[-1] == "50.00%"
    assert "青岛智造科技有限公司" in page.inner_text("#units")
    page.wait_for_selector("#chart-trend[data-drawn]")
    no_sideways_scroll(page, width)
    screenshot(page, f"building-leased-{width}")
    page.goto(page.base_url + "/parks/")
    assert "60.00%" in page.inner_text("#rate-area")
