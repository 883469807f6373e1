"""In a real browser: a unit's report through the district's approval with a photo; a 督办单 from issue to close."""

import datetime as dt

import pytest
from django.utils import timezone

from taizhang.projects import services as ledger
from taizhang.projects.choices import Stage
from taizhang.projects.models import MonthlyProgress
from taizhang.reporting.models import Attachment, SupervisionOrder

from .browser import login, page, screenshot  # noqa: F401  (page is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")


def logout(pg):
    pg.click("button:has-text('退出')")
    pg.wait_for_url("**/accounts/login/**")


def test_a_report_through_approval_and_a_supervision_order(page, world, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    last = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    ledger.move_stage(world.ls_admin, world.ls_project, Stage.STARTED, last.replace(day=1), "直接开工")
    photo = tmp_path / "现场照片.png"
    photo.write_bytes(PNG)

    # The responsible unit reports last month's progress with a photo and submits it.
    login(page, "ls_unit")
    page.goto(page.base_url + world.ls_project.get_absolute_url())
    page.click("summary:has-text('填报月度进展')")
    page.fill("#progress-form input[name=year]", str(last.year))
    page.fill("#progress-form input[name=month]", str(last.month))
    page.fill("#progress-form input[name=investment]", "320")
    page.fill("#progress-form textarea[name=progress]", "主体结构封顶")
    page.click("#progress-form button[type=submit]")
    page.wait_for_selector("text=月度进展已保存")
    report = MonthlyProgress.objects.get(project=world.ls_project)
    page.goto(page.base_url + f"/reporting/reports/{report.pk}/")
    page.set_input_files("input[name=file]", str(photo))
    page.click("button:has-text('上传')")
    page.wait_for_selector("text=附件已上传")
    page.click("#submit-report")
    page.wait_for_selector("text=报告已提交")
    assert page.inner_text("#report-status") == "已提交"
    logout(page)

    # The district approves it; the photo shows on the report.
    login(page, "ls_admin")
    page.goto(page.base_url + f"/reporting/?year={last.year}&month={last.month}")
    assert "320" in page.inner_text("#owed-table")
    page.click(f"#owed-table a[href='/reporting/reports/{report.pk}/']")
    assert page.locator("#attachments img").count() == 1
    page.click("#approve-report")
    page.wait_for_selector("text=已审核通过")
    assert page.inner_text("#report-status") == "已审核"
    screenshot(page, "reporting-approved")

    # A 督办单: issued by the district, answered by the unit, closed by the district.
    page.goto(page.base_url + "/reporting/orders/new/")
    page.select_option("#order-form select[name=unit]", label="崂山区投资促进中心")
    page.fill("#order-form textarea[name=content]", "请于下周前报送设备采购合同")
    page.fill("#order-form input[name=deadline]", (timezone.localdate() + dt.timedelta(days=7)).isoformat())
    page.click("#order-form button[type=submit]")
    page.wait_for_selector("text=督办单已下发")
    order_url = page.url
    logout(page)
    login(page, "ls_unit")
    assert "督办待答复" in page.inner_text("#todos")
    page.goto(order_url)
    page.fill("textarea[name=answer]", "合同已上传至月度报告")
    page.click("button:has-text('答复')")
    page.wait_for_selector("text=已答复")
    logout(page)
    login(page, "ls_admin")
    page.goto(order_url)
    page.click("#close-order")
    page.wait_for_selector("text=督办单已办结")
    assert page.inner_text("#order-status") == "已办结"
    screenshot(page, "reporting-order-closed")

    report.refresh_from_db()
    assert report.status == "approved" and Attachment.objects.filter(report=report).count() == 1
    assert SupervisionOrder.objects.get().status == "closed"
