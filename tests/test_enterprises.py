"""The enterprise registry: credit codes and duplicates, tiers with history and the counts
reports quote (each definition on a hand-built registry), the gap to the next tier by a rule
set with hand-computed answers, 诉求 clocks and escalation, and who sees which firm."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taizhang.core.scope import Action, may
from taizhang.enterprises import gaps, services, tiers
from taizhang.enterprises.choices import DemandStatus, EndReason, Metric, Op, TierKind, TierLevel
from taizhang.enterprises.models import Criterion, Enterprise, RuleSet
from taizhang.projects.validators import credit_code_check_char
from taizhang.reporting.choices import OrderSource

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def code(n: int, region: str = "370212") -> str:
    first = f"91{region}{n:09d}"
    return first + credit_code_check_char(first)


def firm(user, region, name, n=None, **extra) -> Enterprise:
    return services.create_enterprise(user, {"name": name, "region": region,
                                             "credit_code": code(n) if n else "", **extra})


def hq(user, f, year, effective=None, **extra):
    return services.recognise(user, f, {"kind": TierKind.HIGH_TECH, "level": TierLevel.NATIONAL, "year": year,
                                        "effective": effective, **extra})


# ---------------------------------------------------------------- registry


def test_credit_code_is_validated(world):
    with pytest.raises(ValidationError) as err:
        services.create_enterprise(world.ls_editor, {"name": "错码公司", "region": world.laoshan,
                                                     "credit_code": code(1)[:17] + "0"
                                                     if code(1)[17] != "0" else code(1)[:17] + "1"})
    assert "校验位" in str(err.value)
    with pytest.raises(ValidationError):
        services.create_enterprise(world.ls_editor, {"name": "短码公司", "region": world.laoshan,
                                                     "credit_code": "9137021200000"})


def test_one_code_one_firm_across_districts(world):
    firm(world.ls_editor, world.laoshan, "青岛甲科技有限公司", 1)
    with pytest.raises(ValidationError) as err:
        firm(world.city_admin, world.licang, "李沧某公司", 1)
    assert "青岛甲科技有限公司" in str(err.value)


def test_duplicates_by_normalised_and_former_name(world):
    a = firm(world.ls_editor, world.laoshan, "青岛檬豆网络科技有限公司(崂山)", 2)
    with pytest.raises(ValidationError):  # full-width brackets and a space are the same name
        firm(world.ls_editor, world.laoshan, "青岛檬豆网络科技有限公司 (崂山)")
    services.update_enterprise(world.ls_editor, a, {"name": "青岛柠檬豆科技有限公司"})
    found = services.duplicates_of("青岛檬豆网络科技有限公司(崂山)")
    assert list(found) == [a]
    assert list(services.duplicates_of("别的名字", code(2))) == [a]


# ---------------------------------------------------------------- tiers and counts


@pytest.fixture
def registry(world):
    u = world.ls_admin
    f = {k: firm(u, world.laoshan, f"企业{k}", i) for i, k in enumerate("ABCDE", start=10)}
    hq(u, f["A"], 2020, dt.date(2020, 12, 1))
    hq(u, f["A"], 2023, dt.date(2023, 12, 5), renewal=True)
    hq(u, f["B"], 2023, dt.date(2023, 11, 15))
    hq(u, f["C"], 2023)  # the list gives the year only
    d = hq(u, f["D"], 2021, dt.date(2021, 10, 10))
    services.end_recognition(u, d, dt.date(2023, 6, 30), EndReason.REVOKED)
    hq(u, f["E"], 2019, dt.date(2019, 11, 1))
    hq(u, f["E"], 2023, dt.date(2023, 3, 1))
    g = firm(world.city_admin, world.licang, "李沧企业G", 99)
    hq(world.city_admin, g, 2023, dt.date(2023, 5, 5))
    return f


def _laoshan(world):
    return Enterprise.objects.restrict(world.ls_viewer)


def test_high_tech_certificate_runs_three_years(registry):
    a_first = registry["A"].recognitions.get(year=2020)
    assert a_first.expiry == dt.date(2023, 11, 30)
    c = registry["C"].recognitions.get()
    assert c.expiry == dt.date(2025, 12, 31)  # year only: the earliest its term can end


def test_new_in_a_year(world, registry):
    count = tiers.count_new(_laoshan(world), TierKind.HIGH_TECH, dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    # B (dated) and C (year only, the whole year asked); A renewed, E had been recognised in 2019
    assert (count.value, count.undated) == (2, 0)
    assert count.ids == sorted([registry["B"].pk, registry["C"].pk])


def test_new_in_half_a_year_reports_the_undated(world, registry):
    count = tiers.count_new(_laoshan(world), TierKind.HIGH_TECH, dt.date(2023, 1, 1), dt.date(2023, 6, 30))
    assert (count.value, count.undated) == (0, 1)


def test_cumulative_at_a_date(world, registry):
    end = tiers.count_cumulative(_laoshan(world), TierKind.HIGH_TECH, dt.date(2023, 12, 31))
    assert (end.value, end.undated) == (5, 0)
    mid = tiers.count_cumulative(_laoshan(world), TierKind.HIGH_TECH, dt.date(2023, 6, 30))
    assert (mid.value, mid.undated) == (3, 1)  # A, D, E; C's day unknown


def test_valid_at_a_date(world, registry):
    end = tiers.count_valid(_laoshan(world), TierKind.HIGH_TECH, dt.date(2023, 12, 31))
    assert end.ids == sorted(registry[k].pk for k in "ABCE")  # D revoked on 30 June
    mid = tiers.count_valid(_laoshan(world), TierKind.HIGH_TECH, dt.date(2023, 6, 30))
    assert (mid.ids, mid.undated) == (sorted([registry["A"].pk, registry["E"].pk]), 1)
    before_revoked = tiers.count_valid(_laoshan(world), TierKind.HIGH_TECH, dt.date(2023, 6, 29))
    assert registry["D"].pk in before_revoked.ids


def test_city_counts_every_district(world, registry):
    city = Enterprise.objects.restrict(world.city_admin)
    assert tiers.count_valid(city, TierKind.HIGH_TECH, dt.date(2023, 12, 31)).value == 5


def test_expiring_certificates(world, registry):
    soon = list(tiers.expiring(_laoshan(world), dt.date(2023, 9, 1), months=6))
    assert [(r.enterprise.name, r.year) for r in soon] == [("企业A", 2020)]
    assert list(tiers.expiring(_laoshan(world), dt.date(2023, 9, 1), months=2)) == []


def test_ended_needs_a_reason_and_a_sane_day(world, registry):
    rec = registry["B"].recognitions.get()
    with pytest.raises(ValidationError):
        services.end_recognition(world.ls_admin, rec, dt.date(2020, 1, 1), EndReason.REVOKED)


def test_same_tier_twice_in_a_year_is_refused(world, registry):
    with pytest.raises(ValidationError):
        hq(world.ls_admin, registry["B"], 2023, dt.date(2023, 12, 1))


def test_funnel_of_the_high_tech_ladder(world, registry):
    u = world.ls_admin
    services.recognise(u, registry["B"], {"kind": TierKind.SEEDLING, "level": TierLevel.CITY, "year": 2022,
                                          "effective": dt.date(2022, 11, 15)})
    services.recognise(u, registry["C"], {"kind": TierKind.SEEDLING, "level": TierLevel.CITY, "year": 2022,
                                          "effective": dt.date(2022, 6, 1)})
    steps = tiers.funnel(_laoshan(world), "high_tech", dt.date(2023, 12, 31))
    assert [s.firms for s in steps] == [2, 5, 0, 0]
    assert steps[1].conversion == 100.0  # both seedlings were recognised
    # B: 2022-11-15 -> 2023-11-15 = 365 days; C: 2022-06-01 -> 2023-12-31 (year only) = 578; median of two
    assert steps[1].median_days == (365 + 578) // 2


# ---------------------------------------------------------------- the gap to the next tier


@pytest.fixture
def gazelle_rules(db):
    rs = RuleSet.objects.create(kind=TierKind.GAZELLE, level=TierLevel.CITY, name="瞪羚企业认定条件(示例)",
                                first_year=2024)
    for metric, threshold, group in ((Metric.REVENUE, "5000", ""), (Metric.REVENUE_GROWTH, "20", ""),
                                     (Metric.RD_INTENSITY, "3", ""), (Metric.INVENTION_PATENTS, "2", "ip"),
                                     (Metric.IP_RIGHTS, "10", "ip")):
        Criterion.objects.create(ruleset=rs, metric=metric, op=Op.GTE, threshold=D(threshold), group=group)
    return rs


def _figs(user, f, year, **values):
    for metric, value in values.items():
        services.record_figure(user, f, year, metric, value, department="统计局")


def test_gap_to_gazelle(world, gazelle_rules):
    u = world.ls_admin
    x, y, z, w = (firm(u, world.laoshan, name, n) for n, name in enumerate(("X公司", "Y公司", "Z公司", "W公司"), 50))
    _figs(u, x, 2024, revenue="6000", rd_expense="150", invention_patents="3")
    _figs(u, x, 2023, revenue="4800")
    _figs(u, y, 2024, revenue="4000", rd_expense="200", ip_rights="12")
    _figs(u, y, 2023, revenue="3900")
    _figs(u, z, 2024, revenue="7000", rd_expense="300")
    services.recognise(u, w, {"kind": TierKind.GAZELLE, "level": TierLevel.CITY, "year": 2024,
                              "effective": dt.date(2024, 3, 1)})
    result = gaps.gaps_for([x.pk, y.pk, z.pk, w.pk], TierKind.GAZELLE, 2024)
    assert w.pk not in result
    gx = result[x.pk]
    assert gx.verdict == gaps.ONE_STEP
    by = {c.metric: c for c in gx.checks}
    assert by[Metric.REVENUE_GROWTH].value == D("25.00")
    assert by[Metric.RD_INTENSITY].value == D("2.50") and by[Metric.RD_INTENSITY].shortfall == D("0.50")
    gy = result[y.pk]
    assert gy.verdict == gaps.FAR and gy.unmet == 2
    assert {c.metric: c.shortfall for c in gy.checks}[Metric.REVENUE] == D("1000")
    assert {c.metric: c.value for c in gy.checks}[Metric.REVENUE_GROWTH] == D("2.56")
    gz = result[z.pk]
    assert (gz.verdict, gz.unmet, gz.unknown) == (gaps.UNKNOWN, 0, 2)  # growth and patents unknown


def test_the_firms_near_a_tier_are_those_gaps_for_finds_close(world, gazelle_rules):
    """:func:`gaps.nearest` (the dashboard's, every tier at once) picks the firms :func:`gaps.gaps_for`
    measures as qualified or one step away, tier by tier, with the same gaps: a holder left out, a
    missing figure never met, an alternative of a group enough, derived figures as the page derives them."""
    u = world.ls_admin
    srdi = RuleSet.objects.create(kind=TierKind.SRDI_SME, level=TierLevel.PROVINCIAL, name="专精特新(示例)",
                                  first_year=2020)
    for metric, threshold in ((Metric.YEARS, "2"), (Metric.REVENUE, "1000"), (Metric.RD_INTENSITY, "3")):
        Criterion.objects.create(ruleset=srdi, metric=metric, op=Op.GTE, threshold=D(threshold))
    figures = [  # this year's and last year's figures, founding year
        (dict(revenue="6000", rd_expense="180", invention_patents="3"), dict(revenue="4800"), 2015),  # qualified
        (dict(revenue="6000", rd_expense="150", invention_patents="3"), dict(revenue="4800"), 2015),  # 2.50% R&D
        (dict(revenue="4000", rd_expense="200", ip_rights="12"), dict(revenue="3900"), None),  # far; years unknown
        (dict(revenue="7000", rd_expense="300"), {}, 2023),  # unknown growth and patents; 1 year old
        (dict(revenue="5000", rd_expense="150", ip_rights="10"), dict(revenue="4000"), 2010),  # exactly there
        ({}, dict(revenue="3000"), 2010),  # no figures of the year: not measured
        (dict(revenue="900", rd_expense="40"), dict(revenue="800"), 2020),
    ]
    made = []
    for n, (this, last, founded) in enumerate(figures, 70):
        f = firm(u, world.laoshan, f"近{n}公司", n, **({"established": dt.date(founded, 6, 1)} if founded else {}))
        _figs(u, f, 2024, **this)
        _figs(u, f, 2023, **last)
        made.append(f)
    services.recognise(u, made[0], {"kind": TierKind.SRDI_SME, "level": TierLevel.PROVINCIAL, "year": 2022,
                                    "effective": dt.date(2022, 3, 1)})
    services.recognise(u, made[4], {"kind": TierKind.GAZELLE, "level": TierLevel.CITY, "year": 2024,
                                    "effective": dt.date(2024, 12, 1)})
    ids = [f.pk for f in made]
    for day in (dt.date(2024, 6, 30), dt.date(2024, 12, 31)):
        near = {n.kind: n for n in gaps.nearest(Enterprise.objects.filter(pk__in=ids), 2024, day, shown=2)}
        assert set(near) == {TierKind.GAZELLE, TierKind.SRDI_SME}
        for kind, n in near.items():
            found = gaps.gaps_for(ids, kind, 2024, day)
            close = [fid for fid, g in sorted(found.items()) if g.verdict in (gaps.ONE_STEP, gaps.QUALIFIED)]
            assert n.count == len(close) and n.ruleset == gaps.ruleset_for(kind, 2024)
            assert [(fid, g.verdict, g.unmet, g.unknown, g.checks) for fid, g in n.firms] == [
                (fid, found[fid].verdict, found[fid].unmet, found[fid].unknown, found[fid].checks) for fid in close[:2]]
    near = {n.kind: n for n in gaps.nearest(Enterprise.objects.filter(pk__in=ids), 2024, dt.date(2024, 12, 31))}
    # hand-checked: the gazelle's close firms are the first two (the fifth holds it from December);
    # 专精特新's, all but the first (holds it), the third (founding unknown) and the sixth
    assert [fid for fid, _g in near[TierKind.GAZELLE].firms] == [made[0].pk, made[1].pk]
    assert [fid for fid, _g in near[TierKind.SRDI_SME].firms] == [made[i].pk for i in (1, 3, 4, 6)]
    assert gaps.nearest(Enterprise.objects.filter(pk__in=ids), 2019, dt.date(2024, 12, 31)) == []


def test_a_new_version_of_the_rules_governs(world, gazelle_rules):
    u = world.ls_admin
    v2 = RuleSet.objects.create(kind=TierKind.GAZELLE, level=TierLevel.CITY, name="v2", first_year=2024, version=2)
    Criterion.objects.create(ruleset=v2, metric=Metric.REVENUE, op=Op.GTE, threshold=D("7000"))
    x = firm(u, world.laoshan, "X公司", 60)
    _figs(u, x, 2024, revenue="6000")
    assert gaps.ruleset_for(TierKind.GAZELLE, 2024) == v2
    assert gaps.gaps_for([x.pk], TierKind.GAZELLE, 2024)[x.pk].checks[0].shortfall == D("1000")
    assert gaps.ruleset_for(TierKind.GAZELLE, 2023) is None


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "1e30", "abc", "-1e20"])
def test_figures_are_bounded(world, bad):
    x = firm(world.ls_admin, world.laoshan, "X公司", 61)
    with pytest.raises(ValidationError):
        services.record_figure(world.ls_admin, x, 2024, Metric.REVENUE, bad)


# ---------------------------------------------------------------- 诉求


def test_demand_clock_and_escalation(world):
    f = firm(world.ls_admin, world.laoshan, "诉求企业", 70)
    received = dt.datetime(2024, 5, 6, 9, 0, tzinfo=TZ)
    demand = services.raise_demand(world.unit_user, f, {"category": "finance", "content": "需要流动资金贷款",
                                                        "unit": world.ls_zs}, now=received)
    assert demand.acknowledge_due == dt.datetime(2024, 5, 6, 11, 0, tzinfo=TZ)
    assert demand.answer_due == dt.datetime(2024, 5, 9, 9, 0, tzinfo=TZ)
    assert demand.resolve_due == dt.datetime(2024, 5, 21, 9, 0, tzinfo=TZ)
    assert services.overdue_steps(demand, now=dt.datetime(2024, 5, 6, 10, 59, tzinfo=TZ)) == []
    assert services.overdue_steps(demand, now=dt.datetime(2024, 5, 6, 11, 1, tzinfo=TZ)) == ["响应"]
    demand = services.acknowledge_demand(world.unit_user, demand, now=dt.datetime(2024, 5, 6, 12, 0, tzinfo=TZ))
    # acknowledged late; answered in time
    assert services.overdue_steps(demand, now=dt.datetime(2024, 5, 8, 9, 0, tzinfo=TZ)) == ["响应"]
    with pytest.raises(PermissionDenied):  # another district's staff cannot escalate it
        services.escalate_demand(world.lc_editor, demand, today=dt.date(2024, 5, 10))
    demand = services.escalate_demand(world.ls_admin, demand, today=dt.date(2024, 5, 10))
    assert demand.order.unit == world.ls_zs and demand.order.source == OrderSource.DEMAND
    assert demand.order.deadline == dt.date(2024, 5, 21)
    with pytest.raises(ValidationError):
        services.escalate_demand(world.ls_admin, demand)
    with pytest.raises(PermissionDenied):  # only the unit answers
        services.answer_demand(world.ls_editor, demand, "已对接银行")
    demand = services.answer_demand(world.unit_user, demand, "已对接银行")
    with pytest.raises(ValidationError):
        services.resolve_demand(world.ls_admin, demand, rating=6)
    demand = services.resolve_demand(world.ls_admin, demand, rating=5)
    assert demand.status == DemandStatus.RESOLVED and demand.rating == 5
    with pytest.raises(ValidationError):
        services.answer_demand(world.unit_user, demand, "再答一次")


def test_demand_unit_must_be_of_the_firms_district(world):
    f = firm(world.ls_admin, world.laoshan, "诉求企业", 71)
    with pytest.raises(ValidationError):
        services.raise_demand(world.ls_admin, f, {"category": "other", "content": "x", "unit": world.lc_fgj})


# ---------------------------------------------------------------- scope


def test_a_district_never_sees_anothers_firms(world, registry):
    names = set(Enterprise.objects.restrict(world.ls_editor).values_list("name", flat=True))
    assert "李沧企业G" not in names and "企业A" in names
    g = Enterprise.objects.get(name="李沧企业G")
    assert not may(world.ls_editor, Action.VIEW, g)
    with pytest.raises(PermissionDenied):
        services.recognise(world.ls_admin, g, {"kind": TierKind.GAZELLE, "level": TierLevel.CITY, "year": 2024})
    with pytest.raises(PermissionDenied):
        services.log_visit(world.ls_editor, g, {"date": dt.date(2024, 1, 2), "purpose": "走访"})


def test_unit_staff_serve_but_do_not_change_the_registry(world, registry):
    a = registry["A"]
    assert may(world.unit_user, Action.VIEW, a) and may(world.unit_user, Action.REPORT, a)
    assert not Enterprise.objects.restrict(world.unit_user, Action.CHANGE).exists()
    with pytest.raises(PermissionDenied):
        services.update_enterprise(world.unit_user, a, {"industry": "软件"})
    visit = services.log_visit(world.unit_user, a, {"date": dt.date(2024, 1, 2), "purpose": "了解用工需求",
                                                    "done": True})
    assert visit.unit == world.ls_zs
    with pytest.raises(PermissionDenied):  # a leader reads only
        services.log_visit(world.ls_viewer, a, {"date": dt.date(2024, 1, 2), "purpose": "x"})


def test_commissioner_must_work_in_the_district(world, registry):
    with pytest.raises(ValidationError):
        services.assign_commissioner(world.ls_admin, registry["A"], world.lc_editor)
    services.assign_commissioner(world.ls_admin, registry["A"], world.unit_user)


def test_planned_visits_of_two_departments_are_merged(world, registry):
    a = registry["A"]
    one = services.log_visit(world.unit_user, a, {"date": dt.date(2030, 3, 2), "purpose": "政策宣讲"})
    two = services.log_visit(world.ls_editor, a, {"date": dt.date(2030, 3, 5), "purpose": "统计报表",
                                                  "unit": world.ls_fgj})
    assert list(services.planned_together(one)) == [two]
    services.merge_visits(world.ls_editor, one, [two])
    two.refresh_from_db()
    assert two.merged_into == one and list(services.planned_together(one)) == []
    assert two.history.count() == 2


@pytest.mark.parametrize("day,year", [(dt.date(2023, 12, 31), 2023), (dt.date(2023, 6, 30), 2023),
                                      (dt.date(2023, 6, 29), 2023), (dt.date(2021, 1, 1), 2020),
                                      (dt.date(2024, 3, 1), 2024)])
def test_the_dashboards_summary_counts_as_the_count_functions(world, registry, day, year):
    """The dashboard counts all tiers in a few grouped queries; each figure must be what the one
    function for its definition answers."""
    firms = _laoshan(world)
    start, end = dt.date(year, 1, 1), min(day, dt.date(year, 12, 31))
    for row in tiers.summary(firms, day, year):
        kind = row["kind"]
        for got, want in ((row["valid"], tiers.count_valid(firms, kind, day)),
                          (row["cumulative"], tiers.count_cumulative(firms, kind, day)),
                          (row["new"], tiers.count_new(firms, kind, start, end))):
            assert (got.value, got.undated) == (want.value, want.undated), (kind, got.definition)


def test_a_demand_waits_in_the_units_todo_list_then_the_districts(world):
    from taizhang.reporting import todos

    f = firm(world.ls_admin, world.laoshan, "诉求企业", 72)
    demand = services.raise_demand(world.ls_editor, f, {"category": "talent", "content": "研发人员招聘",
                                                        "unit": world.ls_zs})
    assert any(what == "企业诉求待答复" and "研发人员招聘" in text for what, text, _url in todos.todos(world.unit_user))
    assert not any("研发人员招聘" in text for _w, text, _u in todos.todos(world.ls_admin))
    services.answer_demand(world.unit_user, demand, "已推送招聘会信息")
    assert not any("研发人员招聘" in text for _w, text, _u in todos.todos(world.unit_user))
    assert any(what == "企业诉求待办结" for what, _t, _u in todos.todos(world.ls_admin))
    assert any(what == "企业诉求待办结" for what, _t, _u in todos.todos(world.ls_editor))  # may resolve it too
    assert not any(what == "企业诉求待办结" for what, _t, _u in todos.todos(world.unit_user))
    assert not any("研发人员招聘" in text for _w, text, _u in todos.todos(world.lc_editor))
    assert todos.count(world.unit_user) == len(todos.todos(world.unit_user))


# ---------------------------------------------------------------- the funnels counted by the database


def _funnel_in_python(firms, ladder, day):
    """The funnel as first written, firm by firm in Python: the reference the database's counts
    must equal."""
    import statistics

    from django.db.models import Min

    from taizhang.enterprises.choices import LADDERS
    from taizhang.enterprises.models import Recognition

    out, before = [], None
    for kind in LADDERS[ladder]:
        here = dict(Recognition.objects.filter(starts__lte=day, enterprise__in=firms, kind=kind).order_by()
                    .values("enterprise_id").annotate(first=Min("starts")).values_list("enterprise_id", "first"))
        conversion = median = None
        if before:
            reached = [f for f in before if f in here]
            conversion = round(100 * len(reached) / len(before), 1)
            took = sorted((here[f] - before[f]).days for f in reached if here[f] >= before[f])
            median = int(statistics.median(took)) if took else None
        out.append((kind, len(here), conversion, median))
        before = here
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("day", [dt.date(2021, 6, 30), dt.date(2024, 12, 31)])
def test_the_funnels_count_as_firm_by_firm(world, seed, day):
    import random

    from taizhang.enterprises.choices import LADDERS

    rng = random.Random(seed)
    u = world.ls_admin
    for n in range(rng.randint(15, 25)):
        f = firm(u, world.laoshan, f"漏斗企业{n}", 100 + n)
        for ladder in LADDERS.values():
            for kind in ladder[:rng.randint(0, 4)]:
                year = rng.randint(2015, 2024)
                effective = dt.date(year, rng.randint(1, 12), rng.randint(1, 28)) if rng.random() < .8 else None
                services.recognise(u, f, {"kind": kind, "level": TierLevel.CITY, "year": year, "effective": effective,
                                          "board": "创业板" if kind == TierKind.LISTED else ""})
    firms = _laoshan(world)
    got = tiers.funnels(firms, day)
    for ladder in LADDERS:
        assert [(s.kind, s.firms, s.conversion, s.median_days) for s in got[ladder]] == \
            _funnel_in_python(firms, ladder, day), ladder
    assert [s.firms for s in tiers.funnel(firms, "growth", day)] == [s.firms for s in got["growth"]]


@pytest.mark.parametrize("values", [[5], [1, 2], [3, 1, 2], [0, 0, 7, 7], [4, 4, 4, 9, 10, 1], [10, 3, 3, 2, 2, 2, 9, 1]])
def test_the_median_read_from_counted_values(values):
    import statistics
    from collections import Counter

    assert tiers._median(list(Counter(values).items())) == int(statistics.median(values))
    assert tiers._median([]) is None


def test_the_registry_filter_finds_exactly_the_firms_whose_recognition_holds(world, registry):
    """``tiers.holders`` (the list's tier filter, read in two parts from the index) against
    ``Recognition.holds_on`` at every day where something starts, expires or ends, and either side."""
    from taizhang.enterprises.models import Recognition

    u = world.ls_admin
    # a tier without a term (no expiry), one ended, one starting in the future
    services.recognise(u, registry["A"], {"kind": TierKind.GAZELLE, "level": TierLevel.CITY, "year": 2022,
                                          "effective": dt.date(2022, 4, 1)})
    ended = services.recognise(u, registry["B"], {"kind": TierKind.GAZELLE, "level": TierLevel.CITY, "year": 2021})
    services.end_recognition(u, ended, dt.date(2022, 9, 1), EndReason.MOVED)
    services.recognise(u, registry["C"], {"kind": TierKind.GAZELLE, "level": TierLevel.CITY, "year": 2030,
                                          "effective": dt.date(2030, 1, 1)})
    recs = list(Recognition.objects.all())
    days = {d + dt.timedelta(days=k) for r in recs for d in (r.start, r.expiry, r.ended) if d for k in (-1, 0, 1)}
    checked = 0
    for day in sorted(days):
        for kind in (TierKind.HIGH_TECH, TierKind.GAZELLE):
            want = {r.enterprise_id for r in recs if r.kind == kind and r.holds_on(day)}
            got = set(Enterprise.objects.filter(tiers.holders(day, kind)).values_list("pk", flat=True))
            assert got == want, (day, kind)
            checked += bool(want)
    assert checked > 10  # the days asked are ones where some firm holds a tier
