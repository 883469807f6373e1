"""Bulk review on 月度调度: a district approves fifty reports in one action and returns three
with one reason, each through the one approval door (stale versions and other scopes refused)."""

import datetime as dt
from decimal import Decimal as D

import pytest

from taizhang.projects.models import MonthlyProgress
from taizhang.reporting import progress
from taizhang.reporting.choices import ReportStatus

from .browser import login, page, screenshot  # noqa: F401  (page is a fixture)
from .conftest import make_project, walk

YEAR, MONTH = 2024, 3


def submitted(world, n: int) -> list[MonthlyProgress]:
    """``n`` 崂山区 projects under construction, each with its March report submitted."""
    reports = []
    for i in range(n):
        p = make_project(world.ls_admin, world.laoshan, f"审核项目{i:02d}", "1000", unit=world.ls_zs)
        walk(world.ls_admin, p, "negotiating", "signed", "registered", "started", start=dt.date(2024, 1, 10))
        r = progress.save_progress(world.ls_editor, p, YEAR, MONTH, {"investment": D(10 + i)})
        reports.append(progress.submit_report(world.ls_editor, r))
    return reports


def post(client, world, action, picks, reason=""):
    return client.post("/reporting/", {
        "region": world.laoshan.pk, "year": YEAR, "month": MONTH, "action": action, "reason": reason,
        "pick": [f"{r.pk}:{r.version}" for r in picks]}, follow=True)


def statuses(reports):
    return [MonthlyProgress.objects.get(pk=r.pk).status for r in reports]


@pytest.mark.django_db
def test_fifty_approved_in_one_action_and_three_returned_with_one_reason(client, world):
    reports = submitted(world, 53)
    client.force_login(world.ls_admin)
    page_ = client.get(f"/reporting/?region={world.laoshan.pk}&year={YEAR}&month={MONTH}")
    assert len(page_.context["waiting"]) == 53

    r = post(client, world, "approve", reports[:50])
    assert "已审核通过 50 份报告" in r.content.decode()
    assert statuses(reports[:50]) == [ReportStatus.APPROVED] * 50
    assert statuses(reports[50:]) == [ReportStatus.SUBMITTED] * 3
    approved = MonthlyProgress.objects.get(pk=reports[0].pk)
    assert approved.approved_by == world.ls_admin and approved.history.first().history_user == world.ls_admin

    r = post(client, world, "return", reports[50:], reason="请补充现场照片")
    assert "已退回 3 份报告" in r.content.decode()
    back = MonthlyProgress.objects.filter(pk__in=[x.pk for x in reports[50:]])
    assert {(x.status, x.return_reason) for x in back} == {(ReportStatus.RETURNED, "请补充现场照片")}
    assert client.get(f"/reporting/?region={world.laoshan.pk}&year={YEAR}&month={MONTH}").context["waiting"] == []


@pytest.mark.django_db
def test_a_return_needs_its_reason_and_changes_nothing_without_it(client, world):
    reports = submitted(world, 3)
    client.force_login(world.ls_admin)
    r = post(client, world, "return", reports, reason="  ")
    assert "退回须说明原因" in r.content.decode()
    assert statuses(reports) == [ReportStatus.SUBMITTED] * 3


@pytest.mark.django_db
def test_a_report_changed_since_the_page_was_shown_is_refused_by_name(client, world):
    reports = submitted(world, 4)
    client.force_login(world.ls_admin)
    shown = list(reports)
    # the unit corrects one figure after the reviewer opened the page
    changed = progress.save_progress(world.ls_editor, reports[1].project, YEAR, MONTH, {"investment": D("99")},
                                     reason="更正笔误")
    assert changed.version != shown[1].version
    r = post(client, world, "approve", shown)
    body = r.content.decode()
    assert "已审核通过 3 份报告" in body and "审核项目01" in body and "已被修改" in body
    after = statuses(reports)
    assert after[0] == after[2] == after[3] == ReportStatus.APPROVED and after[1] != ReportStatus.APPROVED


@pytest.mark.django_db
def test_only_the_districts_reviewer_approves_and_only_its_own(client, world):
    reports = submitted(world, 2)
    for user in (world.ls_editor, world.unit_user, world.ls_viewer):
        client.force_login(user)
        post(client, world, "approve", reports)
        assert statuses(reports) == [ReportStatus.SUBMITTED] * 2, user
    # 李沧区's administrator cannot name 崂山区's reports, nor its district
    from .conftest import make_user

    lc_admin = make_user(type(world.ls_admin), "lc_admin_bulk", "district_admin", world.licang)
    client.force_login(lc_admin)
    r = client.post("/reporting/", {"region": world.licang.pk, "year": YEAR, "month": MONTH, "action": "approve",
                                    "pick": [f"{x.pk}:{x.version}" for x in reports]}, follow=True)
    assert statuses(reports) == [ReportStatus.SUBMITTED] * 2
    assert "不存在或不在您的管理范围内" in r.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1366, 390])
def test_select_all_and_approve_in_the_browser(page, world, width):  # noqa: F811
    reports = submitted(world, 6)
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "ls_admin")
    page.goto(f"{page.base_url}/reporting/?region={world.laoshan.pk}&year={YEAR}&month={MONTH}")
    page.check("input[data-select-all=pick]")
    assert page.locator("input[name=pick]:checked").count() == 6
    screenshot(page, f"bulk-review-{width}")
    page.click("button[value=approve]")
    page.wait_for_selector("text=已审核通过 6 份报告")
    assert statuses(reports) == [ReportStatus.APPROVED] * 6
    assert page.evaluate("document.documentElement.scrollWidth") <= width
