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


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """The demo, built once for the module (it takes a while); each test reads it inside its own
    transaction, and the tables are emptied after the module for the tests that follow."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        counts = demo.build(today=dt.date(2026, 11, 22))
    yield counts
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


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


# ---------------------------------------------------------------- the enterprise registry


def _firms(code):
    from taizhang.enterprises.models import Enterprise

    return Enterprise.objects.filter(region__code=code)


#: (district, tier, level, definition, day or period, what the report says)
SEED_COUNTS = [
    # 崂山区 at its press conference of 2024-11-21 (seed 000)
    ("370212", "unicorn", None, "cumulative", dt.date(2024, 11, 21), 9),
    ("370212", "little_giant", "national", "cumulative", dt.date(2024, 11, 21), 28),
    ("370212", "gazelle", "provincial", "cumulative", dt.date(2024, 11, 21), 47),
    ("370212", "high_tech", None, "cumulative", dt.date(2024, 11, 21), 920),
    ("370212", "innovative_sme", None, "new", (dt.date(2024, 1, 1), dt.date(2024, 11, 21)), 109),
    # 崂山区 in 2018 (seed 003)
    ("370212", "srdi_sme", None, "new", (dt.date(2018, 1, 1), dt.date(2018, 12, 31)), 18),
    ("370212", "srdi_sme", None, "cumulative", dt.date(2018, 12, 31), 105),
    ("370212", "high_tech", None, "new", (dt.date(2018, 1, 1), dt.date(2018, 12, 31)), 100),
    ("370212", "high_tech", None, "cumulative", dt.date(2018, 12, 31), 350),
    ("370212", "champion", "national", "new", (dt.date(2018, 1, 1), dt.date(2018, 12, 31)), 3),
    ("370212", "gazelle", None, "new", (dt.date(2018, 1, 1), dt.date(2018, 12, 31)), 31),
    # 即墨区 2018 (seed 003) and 市北区 2023 (seed 004)
    ("370215", "high_tech", None, "new", (dt.date(2018, 1, 1), dt.date(2018, 12, 31)), 134),
    ("370203", "high_tech", None, "new", (dt.date(2023, 1, 1), dt.date(2023, 12, 31)), 55),
    ("370203", "ipo_pool", None, "new", (dt.date(2023, 1, 1), dt.date(2023, 12, 31)), 2),
    ("370203", "ipo_pool", None, "cumulative", dt.date(2023, 12, 31), 8),
    ("370203", "little_giant", "national", "new", (dt.date(2023, 1, 1), dt.date(2023, 12, 31)), 2),
    ("370203", "gazelle", "provincial", "new", (dt.date(2023, 1, 1), dt.date(2023, 12, 31)), 2),
]


def test_tier_counts_equal_the_seeds(built):
    from taizhang.enterprises import tiers

    wrong = []
    for code, kind, level, how, span, expected in SEED_COUNTS:  # one demo built for all (it takes a while)
        if how == "new":
            count = tiers.count_new(_firms(code), kind, *span, level=level)
        else:
            count = tiers.count_cumulative(_firms(code), kind, span, level=level)
        if (count.value, count.undated) != (expected, 0):
            wrong.append((code, kind, level, how, span, expected, count.value, count.undated))
    assert not wrong


def test_real_firms_keep_only_what_the_seeds_say(built):
    from taizhang.enterprises.models import Enterprise

    real = {f.name: f for f in Enterprise.objects.filter(source="seed")}
    assert set(real) == {"杰华生物", "即发集团", "青岛檬豆网络科技有限公司"}
    for firm in real.values():
        assert firm.credit_code == "" and firm.established is None and firm.source_doc
        for rec in firm.recognitions.all():
            assert rec.effective is None and rec.source == "seed"  # the reports give the year only
    assert real["杰华生物"].recognitions.get().level == "unknown"
    assert real["即发集团"].recognitions.get().level == "national"
    assert not Enterprise.objects.exclude(source__in=("seed", "generated")).exists()


def test_the_tier_dashboard_counts_as_the_count_functions(built):
    from taizhang.enterprises import tiers

    for code, day, year in (("370212", dt.date(2024, 11, 21), 2024), ("370212", dt.date(2018, 12, 31), 2018),
                            ("370203", dt.date(2023, 7, 1), 2023)):
        firms = _firms(code)
        start, end = dt.date(year, 1, 1), min(day, dt.date(year, 12, 31))
        for row in tiers.summary(firms, day, year):
            kind = row["kind"]
            for got, want in ((row["valid"], tiers.count_valid(firms, kind, day)),
                              (row["cumulative"], tiers.count_cumulative(firms, kind, day)),
                              (row["new"], tiers.count_new(firms, kind, start, end))):
                assert (got.value, got.undated) == (want.value, want.undated), (code, kind, got.definition)
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


def test_a_commissioners_firms_have_their_plans_in_the_demo(built):
    """一企一策 for the commissioner's first firms: written by the commissioner, a measure of another
    department's, one linked to the firm's 诉求; that department sees its measures only."""
    from taizhang.enterprises.models import AnnualFigure, Measure, Strategy

    strategies = list(Strategy.objects.select_related("enterprise__commissioner"))
    assert len(strategies) == 3
    commissioner = strategies[0].enterprise.commissioner
    assert all(s.enterprise.commissioner == commissioner and s.history.first().history_user == commissioner
               for s in strategies)
    assert Measure.objects.filter(demands__isnull=False).count() == 3
    other = Measure.objects.exclude(unit=commissioner.unit).values_list("unit", flat=True).first()
    staff = get_user_model().objects.filter(role=Role.UNIT_USER, unit_id=other).first()
    if staff is not None:
        assert set(Measure.objects.restrict(staff).values_list("unit", flat=True)) == {other}
    # the figures went in as each department's report, through the one writer: the 亩均 evaluation's
    # reviewed sheets too, for the figures the registry keeps
    assert set(AnnualFigure.objects.values_list("department", flat=True)) == {
        "区统计局(演示)", "区科技局(演示)", "区市场监管局(演示)", "统计局(亩均评价数据)", "税务局(亩均评价数据)"}
