"""Kept figures brought up to date project by project: the same figures as computed afresh.

After a write to some projects' reports, plans, stages, problems or the projects themselves,
the figures kept under the older stamp are brought up to date (``Snapshot.patched``): only
the projects the database's triggers name as touched (``stamp.changed_since``) are read
again. These tests make each kind of write through the writers and around them (bulk
updates, raw SQL, deletes), then hold every figure of the figures brought up to date — every
metric and the projects behind it, last year's, the funnel, rankings, the city's table, the
health checks, each project's line and history, the briefing, every cell of the monthly
workbook (``bench/monitoring_figures.py`` writes them all out) — to the figures computed
afresh; and a write that is not one project's (a unit renamed, a district's rules) has them
computed afresh.
"""

from __future__ import annotations

import datetime as dt
import difflib
import importlib.util
import io
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.db import connection

from taizhang.accounts.choices import Role
from taizhang.accounts.models import User
from taizhang.core.scope import Action
from taizhang.monitoring import kept, stamp
from taizhang.monitoring.metrics import ALL, APPROVED, Snapshot
from taizhang.monitoring.models import MonitoringRules
from taizhang.projects import services
from taizhang.projects.choices import ProblemStatus, Stage
from taizhang.projects.models import MonthlyProgress, Problem, Project, StageChange
from taizhang.regions.models import Unit
from taizhang.reporting import progress as writer

from .conftest import make_project, make_user, walk

TODAY = dt.date(2024, 12, 31)
YEAR, MONTH = 2024, 6

_spec = importlib.util.spec_from_file_location(
    "monitoring_figures", Path(__file__).resolve().parent.parent / "bench" / "monitoring_figures.py")
figures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(figures)


@pytest.fixture(autouse=True)
def fresh():
    kept.clear()
    yield
    kept.stop()
    kept.clear()


def rich_ledger(world):
    """Two districts, two years: plans, reports at every review status with funds (one in
    foreign currency), stage histories, problems open and overdue."""
    from taizhang.reporting.choices import RuleKind
    from taizhang.reporting.models import ValidationRule

    for region in (world.laoshan, world.licang):
        ValidationRule.objects.create(region=region, kind=RuleKind.NOT_STARTED, active=False)
    admin = world.city_admin
    for p, amount in ((world.ls_project, "12000"), (world.ls_other, "3000"), (world.lc_project, "40000")):
        for year in (YEAR - 1, YEAR):
            services.save_plan(admin, p, year, {"planned_investment": D(amount)})
            for month in range(1, 7):
                writer.save_progress(admin, p, year, month, {"investment": D("100") * month + year % 7,
                                                              "funds_domestic": D(month % 3 * 10)}, today=TODAY)
    writer.save_progress(admin, world.lc_project, YEAR, 2, {"funds_foreign": D("30"), "exchange_rate": D("7.1")},
                         today=TODAY, reason="外资到位")
    world.lc_admin = make_user(User, "lc_admin", Role.DISTRICT_ADMIN, world.licang)
    reviewer = {world.laoshan.pk: world.ls_admin, world.licang.pk: world.lc_admin}
    for report in MonthlyProgress.objects.filter(month__lte=4).select_related("project").order_by("pk"):
        writer.submit_report(admin, report)
        if report.month <= 3:
            writer.approve_report(reviewer[report.project.region_id], MonthlyProgress.objects.get(pk=report.pk))
    walk(world.ls_admin, world.ls_project, Stage.NEGOTIATING, Stage.SIGNED, start=dt.date(2024, 1, 5))
    walk(world.ls_admin, world.ls_project, Stage.REGISTERED, Stage.STARTED, start=dt.date(2024, 2, 5))
    walk(world.city_admin, world.lc_project, Stage.NEGOTIATING, Stage.SIGNED, Stage.REGISTERED,
         start=dt.date(2024, 1, 8))
    Problem.objects.create(project=world.ls_other, category="land", description="用地指标",
                           deadline=dt.date(2024, 2, 1))
    Problem.objects.create(project=world.lc_project, category="funds", description="资金缺口",
                           deadline=dt.date(2025, 2, 1), solving_unit=world.lc_fgj)


def _report(project, month, year=YEAR):
    return MonthlyProgress.objects.get(project=project, year=year, month=month)


WRITES = {
    "report_new_month": lambda w: writer.save_progress(w.ls_admin, w.ls_other, YEAR, 7, {"investment": D("77")},
                                                       today=TODAY),
    "report_corrected": lambda w: writer.save_progress(w.ls_admin, w.ls_project, YEAR, 5, {"investment": D("700")},
                                                       today=TODAY, reason="更正"),
    "report_approved": lambda w: writer.approve_report(w.ls_admin, _report(w.ls_project, 4)),
    "report_returned": lambda w: writer.return_report(w.lc_admin, _report(w.lc_project, 4), "请核实"),
    "funds_in_place": lambda w: writer.save_progress(w.ls_admin, w.ls_other, YEAR, 6, {"funds_domestic": D("500")},
                                                     today=TODAY, reason="到位"),
    "last_year_report": lambda w: writer.save_progress(w.ls_admin, w.ls_project, YEAR - 1, 5,
                                                       {"investment": D("600"), "funds_domestic": D("40")},
                                                       today=TODAY, reason="更正"),
    "stage_moved": lambda w: services.move_stage(w.ls_admin, w.ls_other, Stage.SIGNED, dt.date(2024, 5, 20),
                                                 reason="直接签约"),
    "stage_moved_back": lambda w: services.move_stage(w.ls_admin, w.ls_project, Stage.REGISTERED,
                                                      dt.date(2024, 4, 1), reason="停工"),
    "stage_entry_removed": lambda w: services.remove_stage_change(
        w.city_admin, StageChange.objects.filter(project=w.lc_project).order_by("-pk").first(), "录入有误"),
    "plan_saved": lambda w: services.save_plan(w.ls_admin, w.ls_other, YEAR, {"planned_investment": D("100")}),
    "problem_raised": lambda w: services.raise_problem(w.ls_admin, w.ls_project, {
        "category": "land", "description": "拆迁", "deadline": dt.date(2027, 3, 1)}),
    "problem_solved": lambda w: Problem.objects.filter(project=w.ls_other).update(status=ProblemStatus.SOLVED),
    "project_edited": lambda w: services.update_project(
        w.ls_admin, w.ls_other, {"total_investment": D("20000"), "planned_start": dt.date(2024, 2, 1)},
        expected_version=Project.objects.get(pk=w.ls_other.pk).version),
    "project_moved_district": lambda w: Project.objects.filter(pk=w.ls_other.pk).update(region=w.licang),
    "project_created": lambda w: make_project(w.lc_editor, w.licang, "新建项目", "30000",
                                              planned_start=dt.date(2024, 3, 1)),
    "project_deleted": lambda w: services.delete_project(w.city_admin, Project.objects.get(pk=w.lc_project.pk),
                                                         "重复录入"),
    "queryset_update": lambda w: MonthlyProgress.objects.filter(project=w.lc_project, month=2).update(
        investment=D("7")),
    "raw_sql_every_project": lambda w: connection.cursor().execute(
        "UPDATE projects_monthlyprogress SET investment = investment + 1 WHERE month = 3"),
    "report_deleted": lambda w: _report(w.ls_project, 6).delete(),
}


def _dump(snap, name) -> str:
    out = io.StringIO()
    figures.dump_snapshot(out, snap, name)
    return out.getvalue()


def _scopes(world):
    return [("city", world.city_admin, APPROVED), ("district", world.ls_admin, ALL)]


def _same(patched, afresh, name):
    a, b = _dump(patched, name), _dump(afresh, name)
    if a != b:
        diff = "\n".join(list(difflib.unified_diff(b.splitlines(), a.splitlines(), "afresh", "patched",
                                                   lineterm=""))[:40])
        pytest.fail(f"{name}: the figures brought up to date differ from those computed afresh\n{diff}")


@pytest.fixture
def patches(monkeypatch):
    """How often figures were brought up to date (rather than computed afresh)."""
    calls = []
    original = Snapshot.patched

    def spy(self, changed):
        calls.append(set(changed))
        return original(self, changed)

    monkeypatch.setattr(Snapshot, "patched", spy)
    return calls


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("write", sorted(WRITES))
def test_figures_brought_up_to_date_equal_figures_computed_afresh(world, write, patches):
    rich_ledger(world)
    for _name, user, basis in _scopes(world):
        kept.warm(kept.snapshot(Project.objects.restrict(user, Action.VIEW), YEAR, MONTH, basis=basis))
        kept.snapshot(Project.objects.restrict(user, Action.VIEW), YEAR, MONTH - 1, basis=basis)  # not warmed
    WRITES[write](world)
    for name, user, basis in _scopes(world):
        for month in (MONTH, MONTH - 1):
            scope = Project.objects.restrict(user, Action.VIEW)
            patched = kept.snapshot(scope, YEAR, month, basis=basis)
            _same(patched, Snapshot(Project.objects.restrict(user, Action.VIEW), YEAR, month, basis=basis),
                  f"{write} {name} {month}")
    assert len(patches) == 4, "the figures were computed afresh, not brought up to date"
    assert all(0 < len(changed) <= 3 for changed in patches), patches


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("write", ["unit_renamed", "rules_changed"])
def test_a_write_not_of_one_project_has_the_figures_computed_afresh(world, write, patches):
    rich_ledger(world)
    scope = Project.objects.restrict(world.ls_admin, Action.VIEW)
    kept.warm(kept.snapshot(scope, YEAR, MONTH))
    if write == "unit_renamed":
        Unit.objects.filter(pk=world.ls_zs.pk).update(name="崂山区投资促进局")
    else:
        MonitoringRules.objects.create(region=world.laoshan, lag_yellow=D("1"), lag_red=D("2"))
    assert stamp.changed_since(next(iter(kept._kept.values())).position) is None
    snap = kept.snapshot(Project.objects.restrict(world.ls_admin, Action.VIEW), YEAR, MONTH)
    assert patches == []
    _same(snap, Snapshot(Project.objects.restrict(world.ls_admin, Action.VIEW), YEAR, MONTH), write)


@pytest.mark.django_db(transaction=True)
def test_the_touches_name_the_projects_written_to(world):
    rich_ledger(world)
    _key, position = stamp.read()
    assert stamp.changed_since(position) == set()
    MonthlyProgress.objects.filter(project=world.lc_project, month=2).update(investment=D("7"))
    services.save_plan(world.ls_admin, world.ls_other, YEAR, {"planned_investment": D("100")})
    assert stamp.changed_since(position) == {world.lc_project.pk, world.ls_other.pk}
    assert stamp.changed_since(position, limit=1) is None  # more than asked for: computed afresh
    _key, later = stamp.read()
    assert stamp.changed_since(later) == set()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL reads a bounded number of touches")
def test_more_touches_than_are_read_have_figures_computed_afresh(world, monkeypatch):
    rich_ledger(world)
    _key, position = stamp.read()
    for month in (2, 3, 4):  # three statements, one touch each, all of one project
        MonthlyProgress.objects.filter(project=world.lc_project, month=month).update(investment=D("7"))
    monkeypatch.setattr(stamp, "TOUCHES_PER_PROJECT", 1)
    assert stamp.changed_since(position, limit=1) is None  # 3 touches, at most 2 read: not told
    monkeypatch.setattr(stamp, "TOUCHES_PER_PROJECT", 2)
    assert stamp.changed_since(position, limit=1) == {world.lc_project.pk}  # all 3 read (up to 4)


def _horizon_held_elsewhere() -> bool:
    """PostgreSQL forgets the touches of transactions older than every one running now, in
    any database of the server (a fold's horizon): whether another session's holds it back."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                       "AND (backend_xid IS NOT NULL OR backend_xmin IS NOT NULL)")
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
def test_figures_kept_from_before_the_touches_were_forgotten_are_computed_afresh(world, monkeypatch, patches):
    rich_ledger(world)
    scope = Project.objects.restrict(world.ls_admin, Action.VIEW)
    kept.snapshot(scope, YEAR, MONTH)
    monkeypatch.setattr(stamp, "KEEP_TOUCHES", 1)
    monkeypatch.setattr(stamp, "FOLD_AT", 0)
    for month in (7, 8, 9):
        writer.save_progress(world.ls_admin, world.ls_other, YEAR, month, {"investment": D("7")}, today=TODAY)
    if connection.vendor == "postgresql" and _horizon_held_elsewhere():
        pytest.skip("another session's transaction, older than these writes, holds PostgreSQL's horizon: "
                    "their touches cannot be forgotten yet")
    stamp.read()  # forgets the touches (SQLite: all but the last; PostgreSQL: folded)
    snap = kept.snapshot(Project.objects.restrict(world.ls_admin, Action.VIEW), YEAR, MONTH)
    assert patches == []
    _same(snap, Snapshot(Project.objects.restrict(world.ls_admin, Action.VIEW), YEAR, MONTH), "forgotten")
