"""The demo district: real records from the seeds, generated ones marked, totals like the reports."""

import datetime as dt
from decimal import Decimal
from decimal import Decimal as D

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Sum

from taizhang.accounts.choices import Role
from taizhang.demo import builder as demo
from taizhang.projects.models import Project
from taizhang.regions.models import Region
from taizhang.reporting.models import ReportingPeriod

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(db):
    return demo.build(today=dt.date(2026, 11, 22))


def test_districts_carry_their_official_codes(built):
    assert Region.objects.get(code="370212").name == "崂山区"
    assert Region.objects.get(code="370213").name == "李沧区"
    assert Region.objects.get(code="370687").parent.name == "烟台市"


def test_real_projects_come_from_the_seeds_with_their_figures(built):
    real = Project.objects.filter(source="seed")
    assert real.count() == len(demo.REAL_PROJECTS)
    assert all(p.source_doc.endswith(".txt") for p in real)
    assert real.get(name="中化·云谷项目").total_investment == Decimal("521200")   # 52.12亿元
    assert real.get(name="联东U谷青岛中心项目").total_investment == Decimal("300000")  # 30亿元
    yike = real.get(name="青岛易科项目")
    assert (yike.total_investment, yike.park.name, yike.region.name) == (Decimal("8000"), "海阳经济开发区", "海阳市")


def test_generated_projects_are_marked_and_size_districts_like_their_reports(built):
    laoshan = Project.objects.filter(region__code="370212")
    assert laoshan.count() == 315
    total = laoshan.aggregate(s=Sum("total_investment"))["s"]
    assert abs(total - Decimal("23000000")) < Decimal("230000")  # about 2300亿元
    generated = Project.objects.filter(source="generated")
    assert generated.exists() and all("演示" in p.name for p in generated[:50])


def test_demo_users_for_every_role(built):
    roles = set(get_user_model().objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    assert get_user_model().objects.get(username="laoshan_unit").check_password(demo.DEMO_PASSWORD)


def test_earlier_months_are_locked_and_last_month_is_open(built):
    assert ReportingPeriod.objects.get(region__code="370212", year=2026, month=10).status == "open"
    assert ReportingPeriod.objects.get(region__code="370212", year=2026, month=9).status == "locked"


def test_no_date_is_invented_for_a_real_project(built):
    from taizhang.monitoring.metrics import Snapshot

    hq = Project.objects.get(name="虚拟现实产业园总部基地")
    assert hq.stage == "signed" and list(hq.stage_changes.values_list("date", flat=True)) == [None]
    yike = Project.objects.get(name="青岛易科项目").stage_changes.get()
    assert (yike.date, yike.precision, yike.date_display) == (dt.date(2019, 11, 1), "month", "2019年11月")
    from django.utils import timezone

    now = timezone.localdate()  # an unknown date is in effect from the day it was recorded
    snap = Snapshot(Project.objects.filter(region__code="370212"), now.year, now.month)
    flagged = {p.pk for rule, p, _ in snap.health_checks() if rule == "signed_not_started"}
    assert hq.pk not in flagged and hq.pk in snap.unknown_signing


def test_generated_months_went_through_the_writer_and_its_rules(built):
    from taizhang.projects.models import MonthlyProgress

    # Within the total and never before the start (the writer's hard rules), reported by nobody.
    for p in Project.objects.filter(source="generated", region__code="370212")[:40]:
        reports = list(p.progress_reports.all())
        assert sum((r.investment for r in reports), Decimal("0")) <= p.total_investment
        assert all(p.actual_start and (r.year, r.month) >= (p.actual_start.year, p.actual_start.month)
                   for r in reports)
    assert not MonthlyProgress.objects.filter(reported_by__isnull=False).exists()


def test_parks_buildings_and_an_evaluation_in_the_demo(built):
    from taizhang.parks import occupancy
    from taizhang.parks.models import Building, Evaluation, ParkProfile

    assert ParkProfile.objects.filter(park__parent__code="370212").count() == 4
    real = Building.objects.filter(source="real")
    assert {b.name for b in real} >= {"智慧产业大厦", "虚拟现实大厦", "千山大厦"}
    assert all(b.units.count() == 0 and b.floor_load_kn is None for b in real)  # unknown stays unknown
    generated = Building.objects.filter(source="generated")
    rates = [o.by_area for o in occupancy.occupancy(generated, dt.date(2026, 11, 22))]
    assert all(D("60") <= r <= D("100") for r in rates)
    new = occupancy.newly_over_yi(Building.objects.all(), (2025, 1), (2025, 12))
    assert len(new) == 3 and all("演示" in b.name for b, _ in new)  # 新培育税收过亿元楼宇3座
    evaluation = Evaluation.objects.get(region__code="370212")
    assert evaluation.year == 2025 and evaluation.results.count() == 150
    assert evaluation.results.filter(klass="T").exists() and evaluation.objections.exists()
    assert all("演示" in r.enterprise.name for r in evaluation.results.select_related("enterprise"))
