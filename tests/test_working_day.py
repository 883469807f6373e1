"""The day's work: a 督办单 for a late unit covers all its late projects; the reviewer sees plan,
year to date and last month beside the report; money reads as Chinese reports write it."""

import datetime as dt
from decimal import Decimal as D

import pytest

from taizhang.projects import services
from taizhang.reporting import progress
from taizhang.reporting.choices import OrderSource

from .conftest import make_project, walk

pytestmark = pytest.mark.django_db


def started(world, name, unit):
    p = make_project(world.ls_admin, world.laoshan, name, "5000", unit=unit)
    return walk(world.ls_admin, p, "negotiating", "signed", "registered", "started", start=dt.date(2024, 1, 10))


def test_an_order_for_a_late_unit_names_every_project_it_has_not_reported(client, world):
    late = [started(world, f"逾期项目{i}", world.ls_zs) for i in range(3)]
    on_time = started(world, "按时项目", world.ls_zs)
    progress.submit_report(world.ls_editor, progress.save_progress(world.ls_editor, on_time, 2024, 3,
                                                                   {"investment": D("5")}))
    started(world, "别的单位的项目", world.ls_fgj)
    client.force_login(world.ls_admin)
    period = client.get(f"/reporting/?region={world.laoshan.pk}&year=2024&month=3").content.decode()
    link = f"/reporting/orders/new/?unit={world.ls_zs.pk}&source=late_report&year=2024&month=3"
    assert link in period
    form = client.get(link).context["form"]
    content = form.initial["content"]
    assert form.initial["unit"] == world.ls_zs and form.initial["source"] == OrderSource.LATE_REPORT
    assert all(p.name in content for p in late) and "3个项目" in content
    assert "按时项目" not in content and "别的单位的项目" not in content
    assert form.initial["deadline"] > dt.date.today()
    # another district's administrator gets an empty form, not this unit's projects
    from .conftest import make_user

    client.force_login(make_user(type(world.ls_admin), "lc_admin_w", "district_admin", world.licang))
    other = client.get(link)
    assert other.status_code == 200 and "content" not in other.context["form"].initial
    assert "逾期项目" not in other.content.decode()
    client.force_login(world.ls_editor)  # and who may not issue orders is refused
    assert client.get(link).status_code == 403


def test_the_reviewer_sees_plan_year_to_date_and_last_month(client, world):
    p = started(world, "审核参考项目", world.ls_zs)
    services.save_plan(world.ls_admin, p, 2024, {"planned_investment": D("1200")})
    for month, amount in ((1, "100"), (2, "150")):
        progress.save_progress(world.ls_admin, p, 2024, month, {"investment": D(amount)})
    march = progress.submit_report(world.ls_editor, progress.save_progress(world.ls_editor, p, 2024, 3,
                                                                          {"investment": D("200")}))
    client.force_login(world.ls_admin)
    page = client.get(f"/reporting/reports/{march.pk}/")
    context = page.context["reference"]
    assert context == {"plan": D("1200"), "before": D("250"), "ytd": D("450"), "last_month": D("150"),
                       "rate": D("37.50")}
    body = page.content.decode()
    assert "年度计划" in body and "1,200.00" in body and "450.00" in body and "37.50" in body


def test_the_dashboard_reads_in_yi_with_total_investment_and_a_scope_true_title(client, world):
    client.force_login(world.ls_admin)
    page = client.get("/monitoring/?year=2024&month=3")
    body = page.content.decode()
    # 崂山区's two projects: 52,000 + 8,000 万元 = 6.00 亿元
    assert '<b id="kpi-total">6.00</b><small>亿元' in body
    assert '<h1 id="place">崂山区 ·' in body
    client.force_login(world.unit_user)  # 崂山区投资促进中心: one of the two projects
    body = client.get("/monitoring/?year=2024&month=3").content.decode()
    assert '<b id="kpi-total">5.20</b>' in body
    assert '<h1 id="place">崂山区投资促进中心负责的项目 ·' in body
    assert "崂山区投资促进中心负责的1个重点项目" in body  # the briefing names the unit, not the district
