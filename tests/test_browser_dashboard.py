"""The demo district's dashboard in a real browser: charts drawn, a chart click opens its projects."""

import pytest
from django.contrib.auth import get_user_model

from taizhang.demo import builder as demo

from .browser import login, page, screenshot  # noqa: F401  (page is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_district_dashboard_draws_and_drills_down(page):  # noqa: F811
    demo.build()
    user = get_user_model().objects.get(username="laoshan_admin")
    user.set_password("pw")
    user.save()
    login(page, "laoshan_admin")
    page.goto(page.base_url + "/monitoring/")
    page.wait_for_function("window.taizhangCharts && Object.keys(window.taizhangCharts).length === 5")
    for chart in ("funnel", "gauge", "curve", "ranking", "warnings"):
        el = page.locator(f"#chart-{chart}")
        assert int(el.get_attribute("data-drawn")) > 0, chart
        assert el.locator("canvas").count() == 1
    assert "崂山区" in page.inner_text("#briefing") and "完成投资" in page.inner_text("#briefing")
    screenshot(page, "dashboard-laoshan")

    box = page.locator("#chart-funnel canvas").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.39, box["y"] + box["height"] * 0.3)
    page.wait_for_url("**/monitoring/drill/**")
    assert "metric=stage_" in page.url
    rows = page.locator("#drill-table tbody tr")
    assert rows.count() > 10
    assert "崂山区" in rows.first.inner_text()
    screenshot(page, "dashboard-drill")
