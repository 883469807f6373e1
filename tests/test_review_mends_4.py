"""Review mends to the working-day changes: figures agree to the digit across pages, a bulk
return respects what another reviewer did, a refused action writes nothing, odd input is no
500, and the city's late units follow the deadline as 月度调度 does."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.template import Context, Template

from taizhang.monitoring.metrics import Snapshot
from taizhang.projects import services
from taizhang.projects.models import Project
from taizhang.reporting import progress
from taizhang.reporting import services as reporting_services
from taizhang.reporting.choices import ReportStatus
from taizhang.reporting.models import ReportingPeriod

from .conftest import make_project, walk
from .test_bulk_review import post, statuses, submitted

pytestmark = pytest.mark.django_db


def started(world, name, unit, region=None, user=None):
    p = make_project(user or world.ls_admin, region or world.laoshan, name, "5000", unit=unit)
    return walk(user or world.ls_admin, p, "negotiating", "signed", "registered", "started",
                start=dt.date(2024, 1, 10))


def test_amounts_round_half_up_in_every_filter():
    render = Template("{% load taizhang %}{{ a|yi }}|{{ b|yi }}|{{ c|wan }}").render
    assert render(Context({"a": D("3250850"), "b": D("1250"), "c": D("0.005")})) == "325.09|0.13|0.01"


def test_the_reviewers_rate_is_the_dashboards_to_the_digit(client, world):
    p = started(world, "八百分之一", world.ls_zs)
    services.save_plan(world.ls_admin, p, 2024, {"planned_investment": D("800")})
    march = progress.submit_report(world.ls_editor, progress.save_progress(world.ls_editor, p, 2024, 3,
                                                                          {"investment": D("1")}))
    client.force_login(world.ls_admin)
    ref = client.get(f"/reporting/reports/{march.pk}/").context["reference"]
    line = next(x for x in Snapshot(Project.objects.filter(pk=p.pk), 2024, 3).lines)
    assert ref["rate"] == line.rate == D("0.13")  # 0.125 half up, as the dashboard rounds
    # a leader counts approved reports only: the unapproved March is not in their year to date
    client.force_login(world.ls_viewer)
    assert client.get(f"/reporting/reports/{march.pk}/").context["reference"]["ytd"] == 0


def test_a_bulk_return_does_not_undo_another_reviewers_approval(client, world):
    reports = submitted(world, 2)
    shown = list(reports)
    progress.approve_report(world.ls_admin, reports[0], reports[0].version)  # someone else, meanwhile
    client.force_login(world.ls_admin)
    r = post(client, world, "return", shown, reason="资料不全")
    assert statuses(reports) == [ReportStatus.APPROVED, ReportStatus.RETURNED]
    assert "已不在待审核状态" in r.content.decode()


def test_a_refused_action_on_monthly_review_writes_nothing(client, world):
    for user in (world.ls_viewer, world.unit_user, world.ls_editor):
        client.force_login(user)
        for action in ("submit", "lock", "approve", "nothing"):
            client.post("/reporting/", {"region": world.laoshan.pk, "year": 2024, "month": 3, "action": action})
    assert not ReportingPeriod.objects.exists()


@pytest.mark.parametrize("url", ["/projects/?per=²", "/projects/?per=99999999999999999999", "/reporting/?region=²",
                                 "/reporting/?region=99999999999999999999", "/projects/?sort=--rate",
                                 "/projects/?page=abc", "/todo/?show=%00"])
def test_odd_query_strings_are_no_500(client, world, url):
    client.force_login(world.ls_admin)
    assert client.get(url).status_code in (200, 404)


@pytest.mark.parametrize("pick", ["²:1", "99999999999999999999:1", "abc:def", "1:²", ":"])
def test_odd_picks_are_no_500(client, world, pick):
    client.force_login(world.ls_admin)
    r = client.post("/reporting/", {"region": world.laoshan.pk, "year": 2024, "month": 3, "action": "approve",
                                    "pick": [pick]})
    assert r.status_code == 302


def test_the_list_sorts_stages_along_the_road(client, world):
    walk(world.ls_admin, world.ls_other, "negotiating", "signed", start=dt.date(2024, 1, 10))
    client.force_login(world.ls_admin)
    stages = [p.stage for p in client.get("/projects/?sort=stage").context["page"].object_list]
    assert stages == ["lead", "signed"]


def test_the_lists_database_figures_equal_the_dashboards(client, world):
    """year_done and year_rate come from SQL (to sort); they must be the snapshot's figures."""
    for name, plan, done in (("甲", "800", "1"), ("乙", "3", "1"), ("丙", "1000", "999.99")):
        p = started(world, name, world.ls_zs)
        services.save_plan(world.ls_admin, p, 2024, {"planned_investment": D(plan)})
        progress.save_progress(world.ls_admin, p, 2024, 5, {"investment": D(done)})
    client.force_login(world.ls_admin)
    rows = client.get("/projects/?year=2024&month=6&sort=-rate").context["page"].object_list
    lines = {x.project.pk: x for x in Snapshot(Project.objects.filter(region=world.laoshan), 2024, 6).lines}
    for p in rows:
        line = lines[p.pk]
        assert p.year_done == line.done
        assert (p.year_rate is None) == (line.rate is None)
        if line.rate is not None:
            assert abs(D(str(p.year_rate)) - line.rate) < D("0.01")
    assert [p.name for p in rows][:3] == ["丙", "乙", "甲"]  # 99.999% > 33.33% > 0.125%


def test_the_citys_late_units_follow_the_deadline_as_monthly_review_does(client, world, monkeypatch):
    started(world, "李沧未报", world.lc_fgj, region=world.licang, user=world.city_admin)
    client.force_login(world.city_admin)
    year, month = 2024, 3
    deadline = reporting_services.deadline_for(world.licang, year, month)
    for today, late in ((deadline, 0), (deadline + dt.timedelta(days=1), 1)):
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, _t=today: _t)
        page = client.get(f"/monitoring/?year={year}&month={month}")
        row = next(r for r in page.context["districts"] if r["region"] == world.licang)
        status = reporting_services.reporting_status(reporting_services.period_of(world.licang, year, month),
                                                     today=today)
        assert row["late_units"] == late == len(status["late_units"])


def test_the_admin_login_is_the_platforms_with_its_lockout(client, world, settings):
    from django.core.cache import cache

    cache.clear()
    settings.LOGIN_FAILURE_LIMIT = 2
    for _ in range(2):
        client.post("/admin/login/?next=/admin/", {"username": "ls_admin", "password": "wrong"})
    r = client.post("/admin/login/?next=/admin/", {"username": "ls_admin", "password": "pw"})
    assert r.status_code == 429 and "登录失败次数过多" in r.content.decode()
    cache.clear()


def test_a_look_alike_spelling_of_a_name_counts_against_the_same_pause(client, world, settings):
    from django.core.cache import cache

    cache.clear()
    settings.LOGIN_FAILURE_LIMIT = 2
    for _ in range(2):
        client.post("/accounts/login/", {"username": "ls_admin", "password": "wrong"})
    r = client.post("/accounts/login/", {"username": "ｌs_admin", "password": "pw"})  # full-width ｌ
    assert r.status_code == 429
    cache.clear()


def test_an_approval_needs_the_version_the_reviewer_saw(client, world):
    reports = submitted(world, 2)
    client.force_login(world.ls_admin)
    for version in ("", "abc", "²", "99999999999999999999999"):
        client.post(f"/reporting/reports/{reports[0].pk}/", {"action": "approve", "version": version})
    r = client.post("/reporting/", {"region": world.laoshan.pk, "year": 2024, "month": 3, "action": "approve",
                                    "pick": [f"{reports[1].pk}", f"{reports[1].pk}:abc"]}, follow=True)
    assert statuses(reports) == [ReportStatus.SUBMITTED] * 2
    assert "缺少版本号" in r.content.decode()


@pytest.mark.parametrize("query", ["problem=abc", "problem=1.5", "project=abc", "project=²"])
def test_odd_order_prefills_are_no_500(client, world, query):
    client.force_login(world.ls_admin)
    assert client.get(f"/reporting/orders/new/?{query}").status_code == 200


@pytest.mark.parametrize("body", [{}, {"deadline_day": "5"},
                                  {"form-TOTAL_FORMS": "3", "form-INITIAL_FORMS": "0", "deadline_day": "5"}])
def test_a_truncated_rules_form_changes_nothing_and_is_no_500(client, world, body):
    from taizhang.reporting.models import ReportingSettings, ValidationRule

    client.force_login(world.ls_admin)
    before = ValidationRule.objects.count()
    r = client.post(f"/reporting/rules/?region={world.laoshan.pk}", body)
    assert r.status_code == 200 and ValidationRule.objects.count() == before
    assert not ReportingSettings.objects.filter(region=world.laoshan).exists()


def test_a_broken_csv_is_refused_with_its_line(client, world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.ls_admin)
    # a quote never closed swallows the rest of the file into one field, past the reader's limit
    text = "项目名称,总投资\n好项目,100\n\"坏项目,200\n" + "x" * 140000
    upload = SimpleUploadedFile("坏.csv", text.encode("utf-8"), content_type="text/csv")
    r = client.post("/projects/import/", {"file": upload, "region": world.laoshan.pk}, follow=True)
    assert r.status_code == 400 and "引号未闭合" in r.content.decode()  # the upload page, saying why
    huge = SimpleUploadedFile("长.csv", ("项目名称,总投资\n" + "长" * 140000 + ",1\n").encode("utf-8"))
    r = client.post("/projects/import/", {"file": huge, "region": world.laoshan.pk}, follow=True)
    assert r.status_code == 400 and "字段过长" in r.content.decode()


def test_the_drill_back_link_keeps_every_filter_value(client, world):
    client.force_login(world.ls_admin)
    page = client.get("/monitoring/drill/?metric=key_projects&q=a%26b&year=2024&month=3")
    assert "q=a%26b" in page.context["back"] and "metric" not in page.context["back"]


def test_a_project_with_a_supervision_order_is_not_deleted_and_the_page_says_why(client, world):
    from taizhang.reporting import supervision

    problem = services.raise_problem(world.ls_admin, world.ls_other, {"category": "land", "description": "用地"})
    supervision.issue_order(world.ls_admin, unit=world.ls_fgj, project=world.ls_other, problem=problem,
                            content="请说明", deadline=dt.date(2024, 6, 1), source="other", today=dt.date(2024, 4, 1))
    client.force_login(world.ls_admin)
    r = client.post(f"/projects/{world.ls_other.pk}/delete/", {"reason": "重复录入"})
    assert r.status_code == 200 and "有督办单" in r.content.decode()
    assert Project.objects.filter(pk=world.ls_other.pk).exists()
