"""A unit reports from a construction site on its phone (390 × 844): it sees what it owes,
reports the month with a photo and submits; no page of the walk is wider than the screen and
the top bar takes at most 160 px."""

import datetime as dt

import pytest
from django.utils import timezone

from taizhang.projects import services as ledger
from taizhang.projects.choices import Stage
from taizhang.projects.models import MonthlyProgress
from taizhang.reporting.choices import ReportStatus

from .browser import login, phone, screenshot  # noqa: F401  (phone is a fixture)
from .test_browser_reporting import PNG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(pg, name: str) -> None:
    screenshot(pg, f"phone-{name}")
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{name}: the page is {width} px wide"
    bar = pg.evaluate("document.querySelector('header.topbar').getBoundingClientRect().height")
    assert bar <= 160, f"{name}: the top bar takes {bar} px"


def test_a_unit_reports_the_month_with_a_photo_on_its_phone(phone, world, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    last = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    ledger.move_stage(world.ls_admin, world.ls_project, Stage.STARTED, last.replace(day=1), "直接开工")
    photo = tmp_path / "工地.png"
    photo.write_bytes(PNG)

    login(phone, "ls_unit")
    phone.goto(phone.base_url + "/todo/")
    owed = phone.locator("#todos a", has_text=world.ls_project.name).first
    assert owed.is_visible()
    fits(phone, "1-todo")
    owed.click()
    phone.wait_for_selector("#progress-form", state="attached")
    fits(phone, "2-project")
    phone.click("summary:has-text('填报月度进展')")
    assert phone.input_value("#progress-form input[name=month]") == str(last.month)  # the month being collected
    phone.fill("#progress-form input[name=investment]", "85")
    phone.fill("#progress-form textarea[name=progress]", "二层楼板浇筑完成")
    fits(phone, "3-form")
    phone.click("#progress-form button[type=submit]")
    phone.wait_for_selector("text=月度进展已保存")
    report = MonthlyProgress.objects.get(project=world.ls_project, year=last.year, month=last.month)
    phone.goto(phone.base_url + f"/reporting/reports/{report.pk}/")
    assert phone.get_attribute("input[name=file]", "accept").startswith("image/*")  # the camera is offered
    phone.set_input_files("input[name=file]", str(photo))
    phone.click("button:has-text('上传')")
    phone.wait_for_selector("text=附件已上传")
    fits(phone, "4-report")
    phone.click("#submit-report")
    phone.wait_for_selector("text=报告已提交")
    fits(phone, "5-submitted")
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.investment == 85
    assert report.attachments.count() == 1


def test_the_district_pages_fit_a_phone(phone, world, settings, tmp_path):  # noqa: F811
    """Every page a district administrator opens from the menu or a figure fits 390 px."""
    settings.MEDIA_ROOT = tmp_path
    login(phone, "ls_admin")
    for name, path in (("todo", "/todo/"), ("dashboard", "/monitoring/?year=2024&month=3"),
                       ("drill", "/monitoring/drill/?year=2024&month=3&metric=key_projects"),
                       ("list", "/projects/"), ("period", "/reporting/?year=2024&month=3"),
                       ("orders", "/reporting/orders/"), ("order-new", "/reporting/orders/new/"),
                       ("rules", "/reporting/rules/"), ("warning-rules", "/monitoring/rules/")):
        phone.goto(phone.base_url + path)
        fits(phone, f"admin-{name}")
