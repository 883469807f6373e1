"""Doors around the one writer of monthly figures, found in review: the admin cannot change a
figure or a month's status, a project whose reports are in a submitted or locked month cannot
be deleted, and the API says clearly that a report's month cannot be changed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from taizhang.projects import services
from taizhang.projects.models import MonthlyProgress, Project
from taizhang.reporting.choices import PeriodStatus
from taizhang.reporting.models import ReportingPeriod

from .conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(world):
    return MonthlyProgress.objects.create(project=world.ls_other, year=2024, month=3, investment=Decimal("10"))


def test_the_admin_only_looks_at_monthly_figures_and_month_statuses(client, world, report, django_user_model):
    from taizhang.accounts.choices import Role

    root = make_user(django_user_model, "root", Role.LEADER, None, is_superuser=True, is_staff=True)
    client.force_login(root)
    url = f"/admin/projects/monthlyprogress/{report.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and 'name="investment"' not in page.content.decode()
    r = client.post(url, {"project": world.ls_other.pk, "year": 2024, "month": 3, "investment": "99999"})
    assert r.status_code == 403
    assert client.get("/admin/projects/monthlyprogress/add/").status_code == 403
    period = ReportingPeriod.objects.create(region=world.laoshan, year=2024, month=3, deadline=dt.date(2024, 4, 5),
                                            status=PeriodStatus.LOCKED)
    page = client.get(f"/admin/reporting/reportingperiod/{period.pk}/change/")
    assert 'name="status"' not in page.content.decode()
    report.refresh_from_db()
    assert report.investment == Decimal("10")


@pytest.mark.parametrize("status, refused", [(PeriodStatus.OPEN, False), (PeriodStatus.SUBMITTED, True),
                                             (PeriodStatus.LOCKED, True)])
def test_a_project_with_reports_in_a_closed_month_is_not_deleted(world, report, status, refused):
    ReportingPeriod.objects.create(region=world.laoshan, year=2024, month=3, deadline=dt.date(2024, 4, 5), status=status)
    if refused:
        with pytest.raises(ValidationError, match="2024年3月"):
            services.delete_project(world.ls_admin, world.ls_other, "重复录入")
        assert Project.objects.filter(pk=world.ls_other.pk).exists() and MonthlyProgress.objects.filter(pk=report.pk).exists()
    else:
        services.delete_project(world.ls_admin, world.ls_other, "重复录入")
        assert not Project.objects.filter(pk=world.ls_other.pk).exists()


def test_the_api_refuses_to_move_a_report_to_another_month(client, world, report):
    client.force_login(world.ls_admin)
    r = client.patch(f"/api/progress/{report.pk}/", {"month": 4, "version": report.version},
                     content_type="application/json")
    assert r.status_code == 400 and "不能修改报告所属的年月" in r.content.decode()
    report.refresh_from_db()
    assert report.month == 3
