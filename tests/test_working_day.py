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
    # the browser's date field shows it (an ISO value; "2026/12/02" would show empty)
    page = client.get(link).content.decode()
    assert f'name="deadline" value="{form.initial["deadline"]:%Y-%m-%d}"' in page
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


def test_the_city_sees_its_districts_side_by_side(client, world):
    from taizhang.monitoring.metrics import Snapshot
    from taizhang.projects.models import Project

    ls = started(world, "崂山在建", world.ls_zs)
    services.save_plan(world.ls_admin, ls, 2024, {"planned_investment": D("1000")})
    march = progress.submit_report(world.ls_admin, progress.save_progress(world.ls_admin, ls, 2024, 3,
                                                                         {"investment": D("400")}))
    progress.approve_report(world.ls_admin, march, march.version)  # the city counts approved reports
    lc = make_project(world.city_admin, world.licang, "李沧在建", "3000", unit=world.lc_fgj)
    walk(world.city_admin, lc, "negotiating", "signed", "registered", "started", start=dt.date(2024, 1, 10))
    services.save_plan(world.city_admin, lc, 2024, {"planned_investment": D("2000")})
    client.force_login(world.city_admin)
    page = client.get("/monitoring/?year=2024&month=3")
    rows = {r["region"].name: r for r in page.context["districts"]}
    assert set(rows) == {"崂山区", "李沧区"}
    snap = Snapshot(Project.objects.filter(region=world.laoshan), 2024, 3)
    assert rows["崂山区"]["rate"] == snap.completion_rate().value == D("40.00")
    assert rows["崂山区"]["count"] == 3 and rows["李沧区"]["count"] == 2
    assert rows["李沧区"]["done"] == 0 and rows["李沧区"]["not_reported"] == 1 and rows["李沧区"]["late_units"] == 1
    assert rows["崂山区"]["not_reported"] == 0 and rows["崂山区"]["reporting_rate"] == D("100.00")
    body = page.content.decode()
    assert f'href="/monitoring/?region={world.licang.pk}&year=2024&month=3">李沧区</a>' in body
    client.force_login(world.ls_admin)  # a district sees no such table
    assert client.get("/monitoring/?year=2024&month=3").context["districts"] == []


def test_the_city_chooses_the_district_on_monthly_review(client, world):
    client.force_login(world.city_admin)
    page = client.get("/reporting/?year=2024&month=3")
    assert [d.name for d in page.context["districts"]] == ["崂山区", "李沧区"]
    assert '<select name="region" id="district" data-autosubmit>' in page.content.decode()
    chosen = client.get(f"/reporting/?region={world.licang.pk}&year=2024&month=3")
    assert chosen.context["period"].region == world.licang
    client.force_login(world.ls_admin)
    assert client.get("/reporting/?year=2024&month=3").context["districts"] == []


def test_the_list_sorts_by_any_figure_shows_rate_and_warning_and_pages_by_choice(client, world):
    from taizhang.monitoring.metrics import Snapshot
    from taizhang.projects.models import Project

    for name, plan, done in (("低完成项目", "1000", "50"), ("高完成项目", "1000", "900"), ("中完成项目", "1000", "400")):
        p = started(world, name, world.ls_zs)
        services.save_plan(world.ls_admin, p, 2024, {"planned_investment": D(plan)})
        progress.save_progress(world.ls_admin, p, 2024, 6, {"investment": D(done)})
    client.force_login(world.ls_admin)
    page = client.get("/projects/?year=2024&month=6&sort=-rate").context["page"]
    names = [p.name for p in page.object_list]
    assert names[:3] == ["高完成项目", "中完成项目", "低完成项目"]  # projects without a plan come last
    snap = Snapshot(Project.objects.filter(region=world.laoshan), 2024, 6)
    lines = {line.project.name: line for line in snap.lines}
    for p in page.object_list:  # the dashboard's rate and warning, to the digit
        assert p.rate == lines[p.name].rate and p.warning == lines[p.name].progress_warning
    ordered = [p.year_done for p in client.get("/projects/?year=2024&month=6&sort=done").context["page"].object_list]
    assert ordered == sorted(ordered)
    assert client.get("/projects/?per=20").context["page"].paginator.per_page == 20
    assert client.get("/projects/?per=7").context["page"].paginator.per_page == 50  # only the offered sizes
    body = client.get("/projects/?year=2024&month=6").content.decode()
    assert 'class="tag red">红<' in body  # 50 of 1000 by June is far behind 时序
    assert '<div id="id_stage" class="tags">' in body and "---------" not in body
