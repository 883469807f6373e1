"""The indicator system: the catalogue's formulas and sums, values from the ledger, status
against target and 时序, checks on entry and over a period, scoping, and locking."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taizhang.indicators import services
from taizhang.indicators.catalogue import ensure_standard_catalogue
from taizhang.indicators.checks import period_findings
from taizhang.indicators.choices import (
    Aggregation,
    Direction,
    Kind,
    PeriodKind,
    Source,
    ValueStatus,
)
from taizhang.indicators.figures import Resolver, narrative, status
from taizhang.indicators.models import Indicator, IndicatorValue, Target
from taizhang.monitoring import registry
from taizhang.monitoring.metrics import APPROVED, Snapshot
from taizhang.monitoring.models import LagMode, MonitoringRules
from taizhang.projects import services as project_services
from taizhang.projects.models import Project
from taizhang.reporting import progress

from .conftest import make_project, walk

pytestmark = pytest.mark.django_db

Y = 2024
CUM = PeriodKind.CUMULATIVE


@pytest.fixture
def cat(world):
    ensure_standard_catalogue()
    return {i.code: i for i in Indicator.objects.all()}


def put(user, ind, region, value, year=Y, kind=CUM, no=10, **kw):
    return services.save_value(user, ind, region, year, kind, no, value, **kw)


# --- the catalogue: formulas and sums ------------------------------------------------------------


def test_a_derived_indicator_is_numerator_over_denominator(world, cat):
    put(world.ls_editor, cat["rd_spend"], world.laoshan, "12.5", kind=PeriodKind.YEAR, no=0)
    put(world.ls_editor, cat["gdp"], world.laoshan, "500", kind=PeriodKind.YEAR, no=0)
    r = Resolver().get(cat["rd_intensity_calc"], world.laoshan, Y, PeriodKind.YEAR, 0)
    assert r.value == D("2.50") and r.how == "derived"


def test_a_derived_indicator_without_its_denominator_has_no_value(world, cat):
    put(world.ls_editor, cat["rd_spend"], world.laoshan, "12.5", kind=PeriodKind.YEAR, no=0)
    assert Resolver().get(cat["rd_intensity_calc"], world.laoshan, Y, PeriodKind.YEAR, 0).value is None


def test_a_derived_indicator_is_not_typed(world, cat):
    with pytest.raises(ValidationError, match="派生指标"):
        put(world.ls_editor, cat["rd_intensity_calc"], world.laoshan, "2")


def test_the_city_sums_its_districts_where_the_indicator_adds_up(world, cat):
    put(world.ls_editor, cat["gdp"], world.laoshan, "700")
    put(world.lc_editor, cat["gdp"], world.licang, "300.5")
    r = Resolver().get(cat["gdp"], world.qingdao, Y, CUM, 10)
    assert r.value == D("1000.5") and r.how == "sum"
    # and up again: the province is the sum of its cities
    assert Resolver().get(cat["gdp"], world.shandong, Y, CUM, 10).value == D("1000.5")


def test_a_sum_with_a_district_missing_is_no_figure(world, cat):
    put(world.ls_editor, cat["gdp"], world.laoshan, "700")
    r = Resolver().get(cat["gdp"], world.qingdao, Y, CUM, 10)
    assert r.value is None and r.missing == [world.licang]


def test_growth_rates_are_never_summed_over_districts(world, cat):
    put(world.ls_editor, cat["gdp_growth"], world.laoshan, "5.7")
    put(world.lc_editor, cat["gdp_growth"], world.licang, "4.1")
    assert cat["gdp_growth"].aggregation == Aggregation.NONE
    assert Resolver().get(cat["gdp_growth"], world.qingdao, Y, CUM, 10).value is None


def test_a_derived_indicator_for_the_city_is_the_ratio_of_the_sums(world, cat):
    for user, region, rd, gdp in ((world.ls_editor, world.laoshan, "30", "1000"),
                                  (world.lc_editor, world.licang, "2", "400")):
        put(user, cat["rd_spend"], region, rd)
        put(user, cat["gdp"], region, gdp)
    # 32 / 1400 = 2.29%, not the mean of 3% and 0.5%
    assert Resolver().get(cat["rd_intensity_calc"], world.qingdao, Y, CUM, 10).value == D("2.29")


def test_a_city_value_entered_wins_over_the_sum(world, cat):
    put(world.ls_editor, cat["gdp"], world.laoshan, "700")
    put(world.city_admin, cat["gdp"], world.qingdao, "1234")
    assert Resolver().get(cat["gdp"], world.qingdao, Y, CUM, 10).value == D("1234")


# --- values from the ledger -------------------------------------------------------------------


@pytest.fixture
def ledger(world, no_start_rule):
    return make_ledger(world)


def make_ledger(w):
    """Two 崂山区 projects with plans and approved months, both signed this year; a draft month too."""
    big = make_project(w.ls_admin, w.laoshan, "过亿元新项目", "25000", unit=w.ls_zs)
    walk(w.ls_admin, big, "negotiating", "signed", "registered", "started", start=dt.date(2024, 2, 1))
    walk(w.ls_admin, w.ls_project, "negotiating", "signed", "registered", "started", start=dt.date(2024, 1, 10))
    for project, plan, months in ((big, "1200", {1: "100", 2: "150"}), (w.ls_project, "3000", {1: "400", 3: "77"})):
        project_services.save_plan(w.ls_admin, project, Y, {"planned_investment": D(plan)})
        for month, amount in months.items():
            report = progress.save_progress(w.ls_admin, project, Y, month, {"investment": D(amount)})
            report = progress.submit_report(w.ls_admin, report)
            progress.approve_report(w.ls_admin, report, report.version)
    progress.save_progress(w.ls_admin, w.ls_other, Y, 3, {"investment": D("9")})  # not approved
    return w


def test_ledger_values_equal_the_monitoring_figures(ledger, cat):
    w = ledger
    stored = {v.indicator.ledger_metric: v for v in services.refresh_ledger_values(w.ls_admin, w.laoshan, Y, 3)}
    snap = Snapshot(Project.objects.filter(region__path__startswith=w.laoshan.path), Y, 3, basis=APPROVED)
    for key in ("completed", "planned", "completion_rate", "new_over_100m", "start_rate", "key_projects",
                "new_starts", "completions"):
        figure = registry.figure(snap, key).value
        assert stored[key].value == D(figure), key
        assert stored[key].source == Source.LEDGER
    assert stored["completed"].value == D("727")  # the draft 9 is not approved: not counted
    assert stored["new_over_100m"].value == 2  # both signed this year, both 1亿元 or more


def test_ledger_indicators_are_not_typed(world, cat):
    with pytest.raises(ValidationError, match="台账"):
        put(world.ls_editor, cat["key_project_done"], world.laoshan, "100")


def test_the_city_gets_the_sum_of_the_districts_ledger_figures(ledger, cat):
    w = ledger
    services.refresh_ledger_values(w.ls_admin, w.laoshan, Y, 3)
    services.refresh_ledger_values(w.city_admin, w.licang, Y, 3)
    r = Resolver().get(cat["key_project_done"], w.qingdao, Y, CUM, 3)
    assert r.value == D("727")


# --- status against target and 时序 -------------------------------------------------------------


def test_status_uses_the_districts_own_warning_rules(world, cat):
    gdp = cat["gdp"]
    # 1-6月: 时序 50%; 40 of a target of 100 is 10 points behind -> yellow under the defaults
    st = status(gdp, world.laoshan, CUM, 6, D("40"), D("100"))
    assert (st.rate, st.timing, st.colour) == (D("40.00"), D("50.00"), "yellow")
    MonitoringRules.objects.create(region=world.laoshan, lag_mode=LagMode.RELATIVE, relative_yellow=D("0.7"),
                                   relative_red=D("0.5"))
    assert status(gdp, world.laoshan, CUM, 6, D("40"), D("100")).colour == "green"  # 0.8 of 时序
    assert status(gdp, world.laoshan, CUM, 6, D("20"), D("100")).colour == "red"


def test_a_growth_is_compared_with_its_target_whatever_the_month(world, cat):
    st = status(cat["gdp_growth"], world.laoshan, CUM, 3, D("4"), D("8"))
    assert st.timing == 100 and st.rate == D("50.00") and st.colour == "red"


def test_lower_is_better_turns_the_rate_round(world, cat):
    ind = Indicator.objects.create(code="energy", name="单位GDP能耗", unit="吨标准煤", kind=Kind.LEVEL,
                                   direction=Direction.LOWER)
    assert status(ind, world.laoshan, PeriodKind.YEAR, 0, D("0.5"), D("0.5")).colour == "green"
    assert status(ind, world.laoshan, PeriodKind.YEAR, 0, D("1"), D("0.5")).colour == "red"


# --- numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize("raw, message", [
    ("NaN", "非数字或无穷大"), ("Infinity", "非数字或无穷大"), ("-inf", "非数字或无穷大"),
    ("1e30", "超出允许范围"), ("abc", "不是有效的数字"), ("", "不是有效的数字"), (float("nan"), "非数字或无穷大"),
])
def test_impossible_numbers_are_refused_in_chinese(world, cat, raw, message):
    with pytest.raises(ValidationError, match=message):
        put(world.ls_editor, cat["gdp"], world.laoshan, raw)
    assert not IndicatorValue.objects.exists()


def test_units_convert_only_within_their_kind():
    assert services.convert(D("275"), "亿元", "万元") == D("2750000")
    assert services.convert(D("2.8"), "万人", "人") == D("28000")
    assert services.convert(D("1"), "亿元", "个") is None
    assert services.convert(D("1"), "%", "个百分点") is None


# --- checks ------------------------------------------------------------------------------------


def test_a_share_over_100_is_refused(world, cat):
    with pytest.raises(ValidationError, match="超过100%"):
        put(world.ls_editor, cat["rd_intensity"], world.laoshan, "104")


def test_a_completion_rate_may_exceed_100(world, cat):
    ind = Indicator.objects.create(code="rate", name="考核完成率", unit="%", kind=Kind.SHARE, allow_over_100=True)
    assert put(world.ls_editor, ind, world.laoshan, "120").value == D("120")


def test_an_implausible_change_from_last_year_needs_a_reason(world, cat):
    put(world.ls_editor, cat["gdp"], world.laoshan, "100", year=Y - 1)
    with pytest.raises(ValidationError, match="较上年同期"):
        put(world.ls_editor, cat["gdp"], world.laoshan, "400")
    value = put(world.ls_editor, cat["gdp"], world.laoshan, "400", confirm=True, note="新并入一个园区")
    assert "较上年同期" in value.note and "新并入" in value.note


def test_an_implausible_growth_rate_needs_a_reason(world, cat):
    put(world.ls_editor, cat["gdp_growth"], world.laoshan, "5", year=Y - 1)
    with pytest.raises(ValidationError, match="相差超过20个百分点"):
        put(world.ls_editor, cat["gdp_growth"], world.laoshan, "45")
    put(world.ls_editor, cat["gdp_growth"], world.laoshan, "7")  # an ordinary year passes


def test_a_part_larger_than_its_whole_is_refused_either_way(world, cat):
    put(world.ls_editor, cat["high_tech_firms"], world.laoshan, "900")
    with pytest.raises(ValidationError, match="大于总量"):
        put(world.ls_editor, cat["new_high_tech"], world.laoshan, "950")
    put(world.ls_editor, cat["new_high_tech"], world.laoshan, "100")
    with pytest.raises(ValidationError, match="小于分项"):
        put(world.ls_editor, cat["high_tech_firms"], world.laoshan, "90")


def test_the_period_check_lists_what_was_confirmed(world, cat):
    put(world.ls_editor, cat["gdp"], world.laoshan, "100", year=Y - 1)
    put(world.ls_editor, cat["gdp"], world.laoshan, "400", confirm=True, note="并入园区")
    put(world.ls_editor, cat["gdp_growth"], world.laoshan, "5")
    found = period_findings(IndicatorValue.objects.filter(year=Y, period_kind=CUM, period_no=10))
    assert [(v.indicator.code, f.kind) for v, f in found] == [("gdp", "growth_implausible")]


# --- who may write and see ---------------------------------------------------------------------


def test_a_district_cannot_enter_another_districts_values(world, cat):
    with pytest.raises(PermissionDenied):
        put(world.ls_editor, cat["gdp"], world.licang, "1")
    with pytest.raises(PermissionDenied):
        put(world.ls_viewer, cat["gdp"], world.laoshan, "1")
    with pytest.raises(PermissionDenied):
        put(world.unit_user, cat["gdp"], world.laoshan, "1")


def test_laoshan_never_sees_licangs_entered_values_but_sees_its_public_ones(world, cat):
    put(world.lc_editor, cat["gdp"], world.licang, "300")
    public = put(world.lc_editor, cat["gdp_growth"], world.licang, "4", source=Source.REPORT, public=True)
    own = put(world.ls_editor, cat["gdp"], world.laoshan, "700")
    seen = set(IndicatorValue.objects.restrict(world.ls_viewer).values_list("pk", flat=True))
    assert seen == {own.pk, public.pk}
    assert set(IndicatorValue.objects.restrict(world.city_admin).values_list("pk", flat=True)) >= {own.pk, public.pk}
    assert not IndicatorValue.objects.restrict(world.ls_editor, "change").filter(region=world.licang).exists()


def test_a_sum_for_a_district_user_counts_only_what_they_may_see(world, cat):
    put(world.ls_editor, cat["gdp"], world.laoshan, "700")
    put(world.lc_editor, cat["gdp"], world.licang, "300")
    mine = Resolver(IndicatorValue.objects.restrict(world.ls_viewer))
    assert mine.get(cat["gdp"], world.qingdao, Y, CUM, 10).value is None  # 李沧区's figure is not theirs to add


# --- approval and locking ---------------------------------------------------------------------


def test_a_locked_value_cannot_be_changed(world, cat):
    put(world.ls_editor, cat["gdp"], world.laoshan, "700")
    with pytest.raises(ValidationError, match="未审核"):
        services.lock_values(world.city_admin, world.laoshan, Y, CUM, 10)
    assert services.approve_values(world.ls_admin, world.laoshan, Y, CUM, 10) == 1
    with pytest.raises(PermissionDenied):
        services.lock_values(world.ls_admin, world.laoshan, Y, CUM, 10)  # the city locks
    assert services.lock_values(world.city_admin, world.laoshan, Y, CUM, 10) == 1
    with pytest.raises(ValidationError, match="已锁定"):
        put(world.ls_editor, cat["gdp"], world.laoshan, "701")
    assert IndicatorValue.objects.get().value == D("700")
    assert IndicatorValue.objects.get().status == ValueStatus.LOCKED


def test_a_target_share_over_100_is_refused(world, cat):
    with pytest.raises(ValidationError, match="0到100"):
        services.save_target(world.ls_admin, cat["rd_intensity"], world.laoshan, Y, "130")
    t = services.save_target(world.ls_admin, cat["gdp"], world.laoshan, Y, "1000")
    assert Target.objects.get() == t


# --- the narrative -----------------------------------------------------------------------------


def test_the_narrative_states_growth_and_share_of_the_target(world, cat):
    put(world.ls_editor, cat["industry_va_growth"], world.laoshan, "13.8")
    put(world.ls_editor, cat["gdp"], world.laoshan, "500")
    services.save_target(world.ls_admin, cat["gdp"], world.laoshan, Y, "1000")
    text = narrative(world.laoshan, Y, 10, IndicatorValue.objects.all(), Target.objects.all())
    assert text.startswith("1-10月,全区规上工业增加值增速增长13.8%")
    assert "地区生产总值500亿元,完成年度目标的50.00%" in text
    assert "地区生产总值落后于时序进度" in text  # 50% against 时序 83.33%


def test_the_catalogue_refuses_formulas_that_cannot_be(world, cat):
    bad = Indicator(code="x", name="相加的比率", unit="%", kind=Kind.SHARE, aggregation=Aggregation.SUM,
                    numerator=cat["rd_spend"], denominator=cat["gdp"])
    with pytest.raises(ValidationError) as e:
        bad.full_clean()
    assert "aggregation" in e.value.message_dict
    with pytest.raises(ValidationError, match="没有这个台账指标"):
        Indicator(code="y", name="未知台账指标", ledger_metric="no_such_figure").full_clean()
    with pytest.raises(ValidationError, match="同时有分子和分母"):
        Indicator(code="z", name="半个公式", numerator=cat["gdp"]).full_clean()
