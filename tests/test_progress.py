import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from taizhang.projects import services
from taizhang.projects.models import MonthlyProgress
from taizhang.reporting import progress

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_start_rule")]

TODAY = dt.date(2024, 12, 15)


def report(user, project, year, month, amount, reason="", **extra):
    data = {"investment": Decimal(amount), "progress": f"{month}月进展"}
    data.update(extra)
    return progress.save_progress(user, project, year, month, data, reason=reason, today=TODAY)


def test_year_to_date_is_the_sum_of_the_months_of_that_year(world):
    p = world.ls_project
    report(world.ls_editor, p, 2023, 12, "999")
    report(world.ls_editor, p, 2024, 1, "100.50")
    report(world.ls_editor, p, 2024, 2, "200")
    report(world.ls_editor, p, 2024, 4, "49.50")  # March missing: nothing is invented
    assert p.year_to_date(2024, 1) == Decimal("100.50")
    assert p.year_to_date(2024, 3) == Decimal("300.50")
    assert p.year_to_date(2024, 12) == Decimal("350.00")
    assert p.year_to_date(2023, 12) == Decimal("999")


def test_one_report_per_project_and_month_a_second_is_a_correction(world):
    p = world.ls_project
    report(world.ls_editor, p, 2024, 5, "300")
    with pytest.raises(ValidationError) as e:
        report(world.ls_editor, p, 2024, 5, "350")
    assert "更正原因" in str(e.value)
    report(world.ls_editor, p, 2024, 5, "350", reason="统计口径更正")
    assert MonthlyProgress.objects.filter(project=p, year=2024, month=5).count() == 1
    assert p.year_to_date(2024, 5) == Decimal("350")
    # The old value stays in the history, with who corrected it and why.
    old, new = (
        MonthlyProgress.history.filter(project_id=p.pk, year=2024, month=5).order_by("history_date")
    )
    assert old.investment == Decimal("300") and new.investment == Decimal("350")
    assert new.history_change_reason == "统计口径更正" and new.history_user == world.ls_editor


def test_the_database_refuses_a_duplicate_month_too(world):
    p = world.ls_project
    report(world.ls_editor, p, 2024, 5, "300")
    with pytest.raises(IntegrityError), transaction.atomic():
        MonthlyProgress.objects.create(project=p, year=2024, month=5, investment=1)


@pytest.mark.parametrize(
    "year, month, amount, field",
    [
        (2024, 13, "1", "month"),
        (2024, 0, "1", "month"),
        (2025, 1, "1", "month"),  # the future
        (2024, 6, "-5", "investment"),
    ],
)
def test_bad_reports_are_refused_and_nothing_is_saved(world, year, month, amount, field):
    with pytest.raises(ValidationError) as e:
        report(world.ls_editor, world.ls_project, year, month, amount)
    assert field in e.value.message_dict
    assert not MonthlyProgress.objects.exists()


def test_foreign_funds_need_the_exchange_rate(world):
    with pytest.raises(ValidationError) as e:
        report(world.ls_editor, world.ls_project, 2024, 6, "10", funds_foreign=Decimal("100"))
    assert "汇率" in str(e.value)
    r = report(world.ls_editor, world.ls_project, 2024, 6, "10", funds_foreign=Decimal("100"),
               funds_domestic=Decimal("50"), exchange_rate=Decimal("7.1000"))
    assert r.funds_total_wan_yuan == Decimal("760")


def test_a_unit_reports_only_on_its_own_projects(world):
    report(world.unit_user, world.ls_project, 2024, 7, "10")  # its unit is responsible
    for project in (world.ls_other, world.lc_project):
        with pytest.raises(PermissionDenied):
            report(world.unit_user, project, 2024, 7, "10")
    with pytest.raises(PermissionDenied):
        report(world.ls_viewer, world.ls_project, 2024, 8, "10")
    assert MonthlyProgress.objects.count() == 1


def test_plans_are_one_per_year(world):
    services.save_plan(world.ls_editor, world.ls_project, 2024, {"planned_investment": Decimal("1000")})
    services.save_plan(world.ls_editor, world.ls_project, 2024, {"planned_investment": Decimal("1200")})
    plan = world.ls_project.plans.get()
    assert plan.planned_investment == Decimal("1200")
    assert plan.history.count() == 2
