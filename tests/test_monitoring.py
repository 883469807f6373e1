"""Figures computed on small ledgers whose answers are worked out here, by hand."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from taizhang.monitoring import report
from taizhang.monitoring.metrics import Snapshot, totals
from taizhang.monitoring.models import LagMode, MonitoringRules
from taizhang.projects import services
from taizhang.projects.choices import Stage
from taizhang.projects.models import MonthlyProgress, Problem, Project
from taizhang.reporting import progress as writer

from .conftest import make_project

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_start_rule")]
TODAY = dt.date(2024, 12, 31)


def progress(user, project, month, amount, year=2024, **extra):
    writer.save_progress(user, project, year, month, {"investment": D(amount), **extra}, today=TODAY,
                           reason="更正" if project.progress_reports.filter(year=year, month=month).exists() else "")


def approve_all(world, year, month):
    """The district reviews every report of the month."""
    for r in MonthlyProgress.objects.filter(year=year, month=month, project__region=world.laoshan):
        writer.submit_report(world.ls_admin, r)
        writer.approve_report(world.ls_admin, r)


def plan(user, project, amount, year=2024):
    services.save_plan(user, project, year, {"planned_investment": D(amount)})


def move(user, project, *steps):
    for stage, date, *reason in steps:
        services.move_stage(user, project, stage, date, reason[0] if reason else "")


def snap(user_or_qs, year=2024, month=3, **kw):
    qs = user_or_qs if hasattr(user_or_qs, "model") else Project.objects.restrict(user_or_qs)
    return Snapshot(qs, year, month, today=TODAY, **kw)


def test_completion_rate_timing_and_lead_in_points(world):
    u, p = world.ls_editor, world.ls_project
    plan(u, p, "1000")
    for month, amount in ((1, "100"), (2, "109"), (3, "100")):
        progress(u, p, month, amount)
    s = snap(Project.objects.filter(pk=p.pk), month=3)
    line = s.lines[0]
    assert s.timing == D("25.00")
    assert (line.done, line.rate, line.lag) == (D("309"), D("30.90"), D("5.90"))  # 超时序进度5.90个百分点
    assert s.completion_rate().value == D("30.90") and s.lag() == D("5.90")
    assert line.progress_warning == "green"
    assert "超时序进度5.9个百分点" in report.briefing(s, "崂山区")


def test_a_project_without_a_plan_or_with_a_plan_of_zero_has_no_rate(world):
    u = world.ls_editor
    plan(u, world.ls_project, "1000")
    progress(u, world.ls_project, 1, "500")
    plan(u, world.ls_other, "0")
    progress(u, world.ls_other, 1, "70")
    no_plan = make_project(world.ls_admin, world.laoshan, "无计划项目", "3000")
    progress(u, no_plan, 1, "30")
    s = snap(u, month=1)
    rates = {line.project.name: line.rate for line in s.lines}
    assert rates == {"虚拟现实创享中心": D("50.00"), "崂山区人民医院": None, "无计划项目": None}
    assert s.completion_rate().value == D("50.00")  # 500 / 1000: the others have no plan above 0
    assert s.completion_rate().ids == [world.ls_project.pk]
    assert s.completed().value == D("600.00")  # every project's completed investment counts
    assert s.planned().value == D("1000.00")


def test_a_month_without_a_report_is_listed(world):
    u = world.ls_editor
    for p in (world.ls_project, world.ls_other):
        move(u, p, (Stage.SIGNED, dt.date(2024, 1, 5), "直接签约"), (Stage.REGISTERED, dt.date(2024, 1, 6)),
             (Stage.STARTED, dt.date(2024, 1, 7)))
    progress(u, world.ls_project, 2, "10")
    # A draft is not reported yet: the same rule as 月度调度 (reporting.obligations).
    assert sorted(snap(u, month=2).not_reported().ids) == sorted([world.ls_project.pk, world.ls_other.pk])
    writer.submit_report(u, world.ls_project.progress_reports.get(year=2024, month=2))
    s = snap(u, month=2)
    assert s.not_reported().ids == [world.ls_other.pk]
    assert s.owed().value == 2


@pytest.mark.parametrize(
    "done, mode, expected",
    [
        ("250", LagMode.ABSOLUTE, "green"),   # 25% at 25%: on time
        ("160", LagMode.ABSOLUTE, "green"),   # 9 points behind: under yellow's 10
        ("150", LagMode.ABSOLUTE, "yellow"),  # 10 behind
        ("0", LagMode.ABSOLUTE, "green"),     # 25 behind: under red's 30 ... but see next cases
        ("120", LagMode.RELATIVE, "red"),     # 12% of 25% is under half of 时序
        ("130", LagMode.RELATIVE, "yellow"),  # above half, below 时序
        ("250", LagMode.RELATIVE, "green"),
    ],
)
def test_progress_warnings_follow_the_districts_rules(world, done, mode, expected):
    u, p = world.ls_editor, world.ls_project
    rules = MonitoringRules.objects.create(region=world.laoshan, lag_mode=mode, lag_yellow=D("10"), lag_red=D("30"),
                                           relative_yellow=D("1"), relative_red=D("0.5"))
    plan(u, p, "1000")
    if done != "0":
        progress(u, p, 3, done)
    s = snap(Project.objects.filter(pk=p.pk), month=3)
    if done == "0" and mode == LagMode.ABSOLUTE:
        expected = "yellow"  # 25 points behind: yellow (10-30)
    assert s.lines[0].progress_warning == expected
    rules.lag_red = D("20")
    rules.save()
    s = snap(Project.objects.filter(pk=p.pk), month=3)
    if done == "0" and mode == LagMode.ABSOLUTE:
        assert s.lines[0].progress_warning == "red"


def test_start_warnings_yellow_after_the_planned_month_red_after_three(world):
    p = world.ls_project
    Project.objects.filter(pk=p.pk).update(planned_start=dt.date(2024, 2, 10))
    qs = Project.objects.filter(pk=p.pk)
    assert snap(qs, month=2).lines[0].start_warning is None  # still in the planned month
    assert snap(qs, month=3).lines[0].start_warning == "yellow"
    assert snap(qs, month=5).lines[0].start_warning == "red"
    move(world.ls_editor, p, (Stage.STARTED, dt.date(2024, 3, 20), "直接开工"))
    assert snap(qs, month=5).lines[0].start_warning is None
    s = snap(qs, month=5)
    assert (s.planned_starts().value, s.on_time_starts().value, s.on_time_start_rate()) == (1, 0, D("0.00"))


def test_the_funnel_counts_stages_as_of_the_periods_end_and_a_move_back(world):
    u = world.ls_editor
    move(u, world.ls_project, (Stage.NEGOTIATING, dt.date(2024, 1, 5)), (Stage.SIGNED, dt.date(2024, 2, 5)),
         (Stage.REGISTERED, dt.date(2024, 2, 6)), (Stage.STARTED, dt.date(2024, 3, 1)),
         (Stage.SIGNED, dt.date(2024, 4, 2), "开工误报,退回签约"))
    move(u, world.ls_other, (Stage.NEGOTIATING, dt.date(2024, 1, 10)))
    funnel = {stage: (fig.value, total) for stage, _, fig, total in snap(u, month=3).funnel()}
    assert funnel[Stage.NEGOTIATING] == (2, D("60000.00"))  # 52000 + 8000
    assert funnel[Stage.STARTED] == (1, D("52000.00"))
    funnel = {stage: fig.value for stage, _, fig, _ in snap(u, month=4).funnel()}
    assert funnel[Stage.STARTED] == 0 and funnel[Stage.SIGNED] == 1
    flows = snap(u, month=4).flows()
    assert (Stage.STARTED, Stage.SIGNED, 1) in flows and (Stage.LEAD, Stage.NEGOTIATING, 2) in flows
    s = snap(u, month=4)
    assert s.start_rate().value == D("0.00")  # signed 1, started 0 after the move back
    assert s.median_days(Stage.NEGOTIATING, Stage.SIGNED) == 31
    assert s.conversion(Stage.NEGOTIATING, Stage.SIGNED) == D("50.00")


def test_new_over_100m_projects_landed_and_year_on_year(world):
    u = world.ls_editor
    move(u, world.ls_project, (Stage.SIGNED, dt.date(2024, 2, 1), "签约"))  # 52000万元: 过亿元
    move(u, world.ls_other, (Stage.SIGNED, dt.date(2024, 2, 1), "签约"))    # 8000万元: not
    old = make_project(world.ls_admin, world.laoshan, "去年签约", "20000", stage_date=dt.date(2023, 1, 1))
    move(u, old, (Stage.SIGNED, dt.date(2023, 2, 1), "签约"))
    s = snap(u, month=3)
    assert (s.new_over_100m().value, s.new_over_100m_investment().value) == (1, D("52000.00"))
    assert s.new_over_100m().last_year == 1 and s.new_over_100m().yoy == D("0.00")
    plan(u, world.ls_project, "100", year=2023)
    progress(u, world.ls_project, 1, "100", year=2023)
    progress(u, world.ls_project, 1, "150")
    assert snap(u, month=3).completed().yoy == D("50.00")


def test_funds_in_place_rate(world):
    u, p = world.ls_editor, world.ls_project
    services.update_project(world.ls_admin, p, {"contract_amount": D("10000")}, None)
    progress(u, p, 1, "0", funds_domestic=D("1000"))
    progress(u, p, 2, "0", funds_foreign=D("100"), exchange_rate=D("7.0000"))
    s = snap(Project.objects.filter(pk=p.pk), month=2)
    assert s.funds_in_place().value == D("1700.00") and s.funds_rate().value == D("17.00")


def test_last_years_funds_from_the_same_pass_equal_last_years_own(world):
    """同比 of funds in place: this year's and last year's sums are read in one pass; they
    must equal what last year's own snapshot reads (every year before, months up to M)."""
    u, p = world.ls_editor, world.ls_project
    services.update_project(world.ls_admin, p, {"contract_amount": D("10000")}, None)
    for year, month, dom, foreign in ((2022, 11, "500", "0"), (2023, 1, "1000", "0"), (2023, 2, "0", "100"),
                                      (2023, 3, "400", "0"), (2024, 1, "300", "10"), (2024, 2, "200", "0")):
        progress(u, p, month, "0", year=year, funds_domestic=D(dom), funds_foreign=D(foreign),
                 exchange_rate=D("7.0000"))
    s = snap(Project.objects.filter(pk=p.pk), month=2)
    assert s.funds_in_place().value == D("500") + D("1000") + D("700") + D("400") + D("370") + D("200")
    own = snap(Project.objects.filter(pk=p.pk), year=2023, month=2, compare=False)
    assert own.funds_in_place().value == D("2200.00")  # 2022-11, 2023-01, 2023-02 (foreign 100 × 7)
    assert s.funds_in_place().last_year == own.funds_in_place().value
    assert s.funds_rate().last_year == own.funds_rate().value == D("22.00")


def test_health_checks(world):
    u = world.ls_editor
    p = make_project(world.ls_admin, world.laoshan, "签约未开工", "30000", contract_amount=D("10000"),
                     stage_date=dt.date(2022, 12, 1))
    move(u, p, (Stage.SIGNED, dt.date(2023, 1, 10), "签约"))
    progress(u, p, 12, "0", year=2023, funds_domestic=D("500"))
    findings = {rule for rule, project, _ in snap(u, month=3).health_checks() if project == p}
    # Signed 14 months ago and not started; no funds for 3 months; 5% of the contract in place.
    assert findings == {"signed_not_started", "no_funds", "low_funds"}
    q = world.ls_other
    from taizhang.reporting.models import ValidationRule

    ValidationRule.objects.create(region=world.laoshan, kind="cumulative_falls", severity="soft")
    progress(u, q, 1, "300")
    writer.save_progress(u, q, 2024, 1, {"investment": D("200")}, reason="更正", today=TODAY,
                           explanation="发票重复计入")  # a correction downwards: the cumulative falls
    assert any(rule == "cumulative_falls" and project == q for rule, project, _ in snap(u, month=3).health_checks())
    MonitoringRules.objects.create(region=world.laoshan, check_no_funds=False, check_cumulative_falls=False)
    rules = {rule for rule, _, _ in snap(u, month=3).health_checks()}
    assert "no_funds" not in rules and "cumulative_falls" not in rules


def test_problems_by_category_and_unit(world):
    for description, category, deadline in (("用地", "land", dt.date(2024, 1, 1)), ("资金", "funds", None),
                                            ("用地2", "land", dt.date(2025, 6, 1))):
        services.raise_problem(world.ls_editor, world.ls_project, {
            "category": category, "description": description, "solving_unit": world.ls_fgj,
            "raised_on": dt.date(2023, 12, 1), "deadline": deadline})
    s = snap(world.ls_editor, month=3)
    assert s.problems_by("category")[0][:3] == ("土地", 2, 1)
    assert s.problems_by("unit") == [("崂山区发展和改革局", 3, 1, [world.ls_project.pk])]
    assert (s.open_problems().value, s.overdue_problems().value) == (3, 1)
    Problem.objects.filter(description="用地").update(status="solved")
    assert snap(world.ls_editor, month=3).overdue_problems().value == 0


def test_a_project_moved_between_districts_counts_where_it_is_now(world):
    u = world.city_admin
    plan(u, world.lc_project, "1000")
    progress(u, world.lc_project, 1, "400")
    services.update_project(u, world.lc_project, {"region": world.laoshan, "responsible_unit": world.ls_fgj}, None,
                            reason="行政区划调整")
    ranking = {r.name: (rate, done) for r, rate, done, _, _ in snap(u, month=1).ranking()}
    assert ranking["崂山区"] == (D("40.00"), D("400.00")) and "李沧区" not in ranking
    assert world.lc_project.pk in snap(world.ls_editor, month=1).ids


def test_the_workbook_totals_equal_the_dashboard_and_the_briefing(world):
    u = world.ls_editor
    plan(u, world.ls_project, "1000")
    plan(u, world.ls_other, "500")
    progress(u, world.ls_project, 1, "300", progress="主体施工")
    progress(u, world.ls_other, 1, "50")
    services.update_project(world.ls_admin, world.ls_other, {"level": "provincial"}, None)
    s = snap(u, month=1)
    wb = load_workbook(io.BytesIO(report.workbook(s, "崂山区")))
    ws = wb.active
    rows = list(ws.iter_rows(values_only=True))
    total = next(r for r in rows if r[0] == "合计")
    assert ws["A1"].value == "崂山区2024年重点项目月进度表(1-1月)"
    assert (D(str(total[5])), D(str(total[7])), D(str(total[8]))) == (D("1500"), D("350"), s.completion_rate().value)
    assert D(str(total[7])) == s.completed().value and D(str(total[5])) == s.planned().value
    subtotals = [r for r in rows if r[0] == "小计"]
    assert sum(D(str(r[7])) for r in subtotals) == D("350")
    assert any(r[1] == "虚拟现实创享中心" and r[9] == "主体施工" for r in rows)
    assert "A3:A4" in {str(m) for m in ws.merged_cells.ranges}  # the two-row header
    text = report.briefing(s, "崂山区")
    assert text.startswith("1-1月,崂山区2个重点项目完成投资0.04亿元,年度投资完成率23.33%")
    assert totals(s.lines)["rate"] == D("23.33")


def test_the_dashboard_is_scoped_and_its_figures_drill_down(client, world):
    plan(world.city_admin, world.lc_project, "100")
    progress(world.city_admin, world.lc_project, 1, "10")
    client.force_login(world.ls_editor)
    page = client.get("/monitoring/?year=2024&month=1")
    assert page.status_code == 200
    assert page.context["snap"].ids == sorted([world.ls_project.pk, world.ls_other.pk]) or \
        set(page.context["snap"].ids) == {world.ls_project.pk, world.ls_other.pk}
    drill = client.get("/monitoring/drill/?year=2024&month=1&metric=key_projects")
    assert {line.project.name for line in drill.context["rows"]} == {"虚拟现实创享中心", "崂山区人民医院"}
    assert client.get("/monitoring/drill/?year=2024&month=1&metric=nonsense").status_code == 404
    assert client.get("/monitoring/?year=2024&month=13").status_code == 404
    wb = client.get("/monitoring/monthly.xlsx?year=2024&month=1")
    assert wb.status_code == 200 and "中化" not in str(load_workbook(io.BytesIO(wb.content)).active["B6"].value)


def test_only_a_district_admin_sets_the_rules(client, world):
    client.force_login(world.ls_editor)
    assert client.get("/monitoring/rules/").status_code == 403
    client.force_login(world.ls_admin)
    r = client.post("/monitoring/rules/", {"lag_mode": "absolute", "lag_yellow": "40", "lag_red": "20",
                                           "relative_yellow": "1", "relative_red": "0.5", "start_red_months": 3,
                                           "signed_not_started_days": 365, "no_funds_months": 3,
                                           "low_funds_months": 6, "low_funds_ratio": "15"})
    assert r.status_code == 200 and "不小于" in r.content.decode()
    r = client.post("/monitoring/rules/", {"lag_mode": "absolute", "lag_yellow": "5", "lag_red": "20",
                                           "relative_yellow": "1", "relative_red": "0.5", "start_red_months": 2,
                                           "signed_not_started_days": 365, "no_funds_months": 3,
                                           "low_funds_months": 6, "low_funds_ratio": "15"})
    assert r.status_code == 302
    rules = MonitoringRules.objects.get(region=world.laoshan)
    assert rules.lag_yellow == 5 and rules.history.first().history_user == world.ls_admin


def test_month_and_quarter_figures_and_filters_by_park_and_level(client, world):
    u = world.ls_editor
    services.update_project(world.ls_admin, world.ls_project, {"park": world.vr_park, "level": "municipal"}, None)
    for month, amount in ((3, "30"), (4, "40"), (5, "50")):
        progress(u, world.ls_project, month, amount)
    progress(u, world.ls_other, 5, "7")
    s = snap(u, month=5)
    assert (s.month_completed().value, s.quarter_completed().value) == (D("57.00"), D("97.00"))  # Q2: April and May
    client.force_login(u)
    page = client.get(f"/monitoring/?year=2024&month=5&park={world.vr_park.pk}")
    assert page.context["snap"].ids == [world.ls_project.pk]
    page = client.get("/monitoring/?year=2024&month=5&level=district")
    assert page.context["snap"].ids == [world.ls_other.pk]


def test_the_dashboard_does_not_query_per_project(client, world, django_assert_max_num_queries):
    for i in range(12):
        p = make_project(world.ls_admin, world.laoshan, f"批量{i}", "1000", unit=world.ls_zs)
        plan(world.ls_editor, p, "100")
        progress(world.ls_editor, p, 1, "10")
    client.force_login(world.ls_admin)
    with django_assert_max_num_queries(40):
        assert client.get("/monitoring/?year=2024&month=1").status_code == 200
    with django_assert_max_num_queries(40):
        assert client.get("/monitoring/monthly.xlsx?year=2024&month=1").status_code == 200


def test_a_district_ranks_its_chains_and_the_workbook_groups_by_chain(client, world):
    u = world.ls_editor
    plan(u, world.ls_project, "100")  # chain 虚拟现实
    progress(u, world.ls_project, 1, "50")
    plan(u, world.ls_other, "100")    # no chain
    progress(u, world.ls_other, 1, "10")
    s = snap(u, month=1)
    ranking = [(str(g or "-"), rate) for g, rate, _, _, _ in s.ranking("chain")]
    assert ranking == [("虚拟现实", D("50.00")), ("-", D("10.00"))]
    client.force_login(u)
    page = client.get("/monitoring/?year=2024&month=1")
    assert [r["name"] for r in page.context["charts"]["ranking"]] == ["虚拟现实", "未分产业链"]
    drill = client.get(f"/monitoring/drill/?year=2024&month=1&metric=chain_{world.vr.pk}")
    assert [line.project for line in drill.context["rows"]] == [world.ls_project]
    # The workbook counts approved reports only and says what it left out.
    wb = client.get("/monitoring/monthly.xlsx?year=2024&month=1&group=chain")
    rows = list(load_workbook(io.BytesIO(wb.content)).active.iter_rows(values_only=True))
    assert [D(str(r[7])) for r in rows if r[0] == "小计"] == [D("0"), D("0")]
    assert "口径:仅计审核通过的月度报告,另有未审核报告2条、60.00万元未计入" in [r[0] for r in rows]
    approve_all(world, 2024, 1)
    wb = client.get("/monitoring/monthly.xlsx?year=2024&month=1&group=chain")
    rows = list(load_workbook(io.BytesIO(wb.content)).active.iter_rows(values_only=True))
    headings = [r[0] for r in rows if r[0] and str(r[0])[1:2] == "、"]
    assert headings == ["一、虚拟现实", "二、未分产业链"]
    subtotals = [D(str(r[7])) for r in rows if r[0] == "小计"]
    assert subtotals == [D("50"), D("10")]
    assert "口径:仅计审核通过的月度报告" in [r[0] for r in rows]


def test_every_figure_the_dashboard_links_is_in_the_registry(client, world):
    """One list of figures: each card's drill-down key has a definition and a label."""
    import re

    from taizhang.monitoring import registry

    client.force_login(world.ls_admin)
    html = client.get("/monitoring/?year=2024&month=3").content.decode()
    keys = (set(re.findall(r"metric=([a-z_0-9]+)", html)) | set(re.findall(r'\}\}([a-z_]+)"', html))
            | set(re.findall(r'"metric": "([a-z_0-9]+)"', html)))
    s = snap(world.ls_admin, month=3)
    keys = {k for k in keys if k in registry.BY_KEY or k.split("_")[0] in ("stage", "health", "region", "chain")}
    assert keys >= {"planned", "completed", "not_reported", "warn_red"}
    for key in keys:
        registry.figure(s, key)
        assert registry.label(key) != key
    for m in registry.METRICS:
        assert client.get(f"/monitoring/drill/?year=2024&month=3&metric={m.key}").status_code == 200
    assert client.get("/monitoring/drill/?year=2024&month=3&metric=nonsense").status_code == 404
