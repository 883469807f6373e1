"""A post-lock correction of an earlier month: later months' figures say they include it, and the
figures can be shown as they stood before it."""

import datetime as dt
from decimal import Decimal as D

import pytest

from taizhang.monitoring import report
from taizhang.monitoring.metrics import APPROVED, Snapshot
from taizhang.projects.models import MonthlyProgress, Project
from taizhang.reporting import progress
from taizhang.reporting.models import ReportingPeriod

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_start_rule")]


def test_a_correction_of_march_carries_into_june_and_can_be_undone(world, client):
    p, admin = world.ls_project, world.ls_admin
    for month in range(1, 7):
        r = progress.save_progress(world.ls_editor, p, 2024, month, {"investment": D("100")}, today=dt.date(2024, 7, 10))
        progress.submit_report(world.ls_editor, r)
        progress.approve_report(admin, r)
    ReportingPeriod.objects.filter(region=world.laoshan, year=2024).update(status="locked")
    assert ReportingPeriod.objects.filter(region=world.laoshan, year=2024, status="locked").count() == 6
    march = MonthlyProgress.objects.get(project=p, year=2024, month=3)
    rev = progress.correct_locked(admin, march, D("160"), "漏报设备款60万元")
    assert rev.number == 2
    march.refresh_from_db()
    assert (march.investment, march.status) == (D("160"), "approved")  # a revision stays approved

    june = Snapshot(Project.objects.filter(pk=p.pk), 2024, 6, basis=APPROVED)
    assert june.completed().value == D("660")
    note = report.revision(june)
    assert note.startswith("含崂山区2024年3月第2版;其余月份为第1版")
    before = Snapshot(Project.objects.filter(pk=p.pk), 2024, 6, basis=APPROVED,
                      as_of=rev.created - dt.timedelta(microseconds=1))
    assert before.completed().value == D("600")
    assert before.month_completed().value == D("100") and before.by_month[3] == D("100")
    assert report.revision(before).startswith("2024年1-6月均为第1版")
    # February's figures did not change and say so.
    assert report.revision(Snapshot(Project.objects.filter(pk=p.pk), 2024, 2)).startswith("2024年1-2月均为第1版")

    client.force_login(admin)
    page = client.get(f"/monitoring/?year=2024&month=6&as_of={rev.pk}")
    assert page.context["snap"].completed().value == D("600")
    assert "崂山区2024年3月第2版之前" in page.content.decode()
    assert client.get("/monitoring/?year=2024&month=6&as_of=999999").status_code == 404
