"""End to end, in a real browser: a district reporter's working day on one project."""

import datetime as dt

import pytest
from django.utils import timezone

from taizhang.projects.choices import ProblemStatus, Stage
from taizhang.projects.models import Project

from .browser import login, page, screenshot  # noqa: F401  (page is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reporter_creates_starts_reports_and_solves(page, world):  # noqa: F811
    today = timezone.localdate()
    login(page, "ls_editor")
    page.goto(page.base_url + "/projects/")
    page.click("text=新建项目")
    page.fill("input[name=name]", "崂山人工智能创新中心")
    page.select_option("select[name=region]", label="崂山区")
    page.fill("input[name=total_investment]", "120000")
    page.select_option("select[name=responsible_unit]", label="崂山区投资促进中心")
    page.fill("input[name=planned_start]", "2024-03-01")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=项目已创建")
    project = Project.objects.get(name="崂山人工智能创新中心")
    assert page.inner_text("#current-stage") == "线索"

    # 线索 → 开工 skips stages, so the form insists on a reason first.
    page.click("summary:has-text('变更阶段')")
    page.select_option("#stage-form select[name=to_stage]", value=Stage.STARTED)
    # It started last month: recorded today in its place, so last month (the month being
    # collected, which the progress form opens on) can be reported.
    started = today.replace(day=1) - dt.timedelta(days=1)
    page.fill("#stage-form input[name=date]", started.isoformat())
    page.click("#stage-form button[type=submit]")
    page.wait_for_selector("text=须填写原因")
    page.fill("textarea[name=reason]", "已签约注册,直接开工")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=阶段已变更")
    assert page.inner_text("#current-stage") == "开工"

    page.click("summary:has-text('填报月度进展')")
    page.fill("#progress-form input[name=investment]", "1500.5")
    page.fill("#progress-form textarea[name=progress]", "基础施工完成")
    page.click("#progress-form button[type=submit]")
    page.wait_for_selector("text=月度进展已保存")

    page.click("summary:has-text('登记问题')")
    page.select_option("#problem-form select[name=category]", label="手续审批")
    page.fill("#problem-form textarea[name=description]", "施工许可证待办理")
    page.fill("#problem-form input[name=raised_on]", today.isoformat())
    page.fill("#problem-form input[name=deadline]", (today + dt.timedelta(days=20)).isoformat())
    page.click("#problem-form button[type=submit]")
    page.wait_for_selector("text=问题已登记")

    page.click("#problems a:has-text('更新')")
    page.select_option("select[name=status]", value=ProblemStatus.SOLVED)
    page.fill("textarea[name=resolution]", "联合审批已办结")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=问题已更新")

    # Everything is on the project page.
    body = page.inner_text("main")
    assert "开工" in page.inner_text("#stages") and "已签约注册,直接开工" in body
    assert "1,500.50" in page.inner_text("#progress") and "基础施工完成" in body
    assert "已解决" in page.inner_text("#problems") and "联合审批已办结" in body
    assert "ls_editor" in page.inner_text("#history")
    screenshot(page, "ledger-project-page")

    project.refresh_from_db()
    assert project.stage == Stage.STARTED and project.actual_start == started
    assert project.year_to_date(started.year, started.month) == 1500.5
