"""Figures kept between requests: never behind the ledger.

A snapshot is kept under the ledger's stamp, which the database moves on every write to a
table the figures are read from. These tests hold that promise: every table a snapshot
reads carries a trigger; every kind of write moves the stamp (the writers, bulk inserts,
``QuerySet.update``, raw SQL, deletes); a page asked for after a write shows the written
figure; a write that lands while figures are being computed is not hidden; nothing is
kept inside a transaction; figures kept ahead after a write equal figures computed
afresh; and on PostgreSQL two writers never wait on each other for the stamp.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
import threading
import time
import weakref
from decimal import Decimal as D

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from taizhang.monitoring import kept, registry, report, stamp
from taizhang.monitoring.metrics import APPROVED, Snapshot
from taizhang.projects import services
from taizhang.projects.choices import Stage
from taizhang.projects.models import AnnualPlan, MonthlyProgress, Problem, Project, StageChange
from taizhang.regions.models import Region, Unit
from taizhang.reporting import progress as writer

from .conftest import make_project, walk

TODAY = dt.date(2024, 12, 31)
URL = "/monitoring/?year=2024&month=3"


@pytest.fixture(autouse=True)
def fresh():
    kept.clear()
    yield
    kept.stop()
    kept.clear()


def ledger(world):
    """Two districts with plans, reports, a stage history and a problem."""
    from taizhang.reporting.choices import RuleKind
    from taizhang.reporting.models import ValidationRule

    for region in (world.laoshan, world.licang):
        ValidationRule.objects.create(region=region, kind=RuleKind.NOT_STARTED, active=False)
    for p, amount in ((world.ls_project, "12000"), (world.ls_other, "3000"), (world.lc_project, "40000")):
        services.save_plan(world.city_admin, p, 2024, {"planned_investment": D(amount)})
        for month in (1, 2, 3):
            writer.save_progress(world.city_admin, p, 2024, month, {"investment": D("100") * month}, today=TODAY)
    walk(world.ls_admin, world.ls_project, Stage.NEGOTIATING, Stage.SIGNED, start=dt.date(2024, 1, 5))
    Problem.objects.create(project=world.ls_other, category="land", description="用地指标",
                           deadline=dt.date(2024, 2, 1))


def completed_on_page(client) -> str:
    html = client.get(URL).content.decode()
    return re.search(r'id="kpi-rate">([^<]*)<', html).group(1)


def tables_of(queries) -> set[str]:
    found = set()
    for q in queries:
        found.update(re.findall(r'(?:FROM|JOIN)\s+"?(\w+)"?', q["sql"], flags=re.I))
    return found


@pytest.mark.django_db
def test_every_table_a_snapshot_reads_carries_a_trigger(world):
    ledger(world)
    assert stamp.complete()
    assert set(stamp.ledger_tables()) <= stamp.installed()
    projects = Project.objects.all()
    with CaptureQueriesContext(connection) as queries:
        snap = kept.warm(Snapshot(projects, 2024, 3, basis=APPROVED, as_of=None))
        snap.last_year.funds_rate()
        report.workbook(snap, "青岛市")
        report.revision(snap)
    read = tables_of(queries.captured_queries)
    assert "projects_monthlyprogress" in read and "projects_stagechange" in read  # the parse works
    assert read <= set(stamp.ledger_tables()), read - set(stamp.ledger_tables())


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("write", [
    "writer", "plan", "stage", "bulk_create", "queryset_update", "raw_sql", "delete", "unit_renamed",
    "region_renamed",
])
def test_every_kind_of_write_moves_the_stamp(world, write):
    ledger(world)
    before = stamp.current()
    assert before is not None
    p = world.ls_project
    if write == "writer":
        writer.save_progress(world.ls_admin, p, 2024, 4, {"investment": D("5")}, today=TODAY)
    elif write == "plan":
        services.save_plan(world.ls_admin, p, 2025, {"planned_investment": D("9")})
    elif write == "stage":
        services.move_stage(world.ls_admin, p, Stage.REGISTERED, dt.date(2024, 2, 1))
    elif write == "bulk_create":
        AnnualPlan.objects.bulk_create([AnnualPlan(project=p, year=2030, planned_investment=D("1"))])
    elif write == "queryset_update":
        MonthlyProgress.objects.filter(project=p, month=1).update(investment=D("7"))
    elif write == "raw_sql":
        with connection.cursor() as cursor:
            cursor.execute("UPDATE projects_monthlyprogress SET investment = 8 WHERE month = 2")
    elif write == "delete":
        StageChange.objects.filter(project=p).order_by("-pk")[:1].get().delete()
    elif write == "unit_renamed":
        Unit.objects.filter(pk=world.ls_zs.pk).update(name="崂山区投资促进局")
    elif write == "region_renamed":
        Region.objects.filter(pk=world.laoshan.pk).update(name="崂山新区")
    after = stamp.current()
    assert after != before


@pytest.mark.django_db(transaction=True)
def test_the_page_after_a_write_shows_the_written_figure(world):
    ledger(world)
    client = Client()
    client.force_login(world.ls_admin)
    first = completed_on_page(client)
    kept_snap = next(iter(kept._kept.values()))
    assert completed_on_page(client) == first
    assert next(iter(kept._kept.values())) is kept_snap  # the second request computed nothing
    # through the writer: 600 → 900 of a 15000 plan
    writer.save_progress(world.ls_admin, world.ls_project, 2024, 3, {"investment": D("600")}, today=TODAY,
                         reason="更正")
    second = completed_on_page(client)
    assert second != first
    assert D(second) == round(D(100 + 200 + 600 + 100 + 200 + 300) / D(15000) * 100, 2)
    # behind every writer's back: raw SQL
    with connection.cursor() as cursor:
        cursor.execute("UPDATE projects_monthlyprogress SET investment = 0 WHERE project_id = %s",
                       [world.ls_project.pk])
    assert D(completed_on_page(client)) == round(D(600) / D(15000) * 100, 2)


@pytest.mark.django_db(transaction=True)
def test_a_write_landing_while_figures_are_computed_is_not_hidden(world, monkeypatch):
    """The stamp is read before the figures: a write committed during the computation files
    the (older) figures under the older stamp, and the next request computes again."""
    ledger(world)
    client = Client()
    client.force_login(world.ls_admin)
    landed = []

    class WriteDuring(Snapshot):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if not landed:  # another user's report commits right after this one read the ledger
                def write():
                    writer.save_progress(world.ls_admin, world.ls_other, 2024, 3, {"investment": D("2700")},
                                         today=TODAY, reason="更正")
                    connection.close()
                t = threading.Thread(target=write)
                t.start()
                t.join()
                landed.append(True)

    monkeypatch.setattr(kept, "Snapshot", WriteDuring)
    before = completed_on_page(client)
    assert landed
    after = completed_on_page(client)
    assert after != before
    assert D(after) == round(D(100 + 200 + 300 + 100 + 200 + 2700) / D(15000) * 100, 2)


@pytest.mark.django_db
def test_nothing_is_kept_inside_a_transaction(world):
    ledger(world)
    assert connection.in_atomic_block  # the test itself runs in one
    assert stamp.current() is None
    a = kept.snapshot(Project.objects.all(), 2024, 3)
    b = kept.snapshot(Project.objects.all(), 2024, 3)
    assert a is not b and not kept._kept


@pytest.mark.django_db(transaction=True)
def test_figures_kept_ahead_equal_figures_computed_afresh(world):
    ledger(world)
    client = Client()
    client.force_login(world.city_admin)
    client.get(URL)
    workbook_before = client.get("/monitoring/monthly.xlsx?year=2024&month=3").content
    march = MonthlyProgress.objects.get(project=world.ls_project, month=3)
    writer.submit_report(world.ls_admin, march)
    writer.approve_report(world.ls_admin, MonthlyProgress.objects.get(pk=march.pk))
    assert kept.refresh() == 1  # what the keeper thread does once the writes pause
    ahead = next(iter(kept._kept.values()))
    assert kept.refresh() == 0  # nothing stale left
    fresh = Snapshot(Project.objects.restrict(world.city_admin), 2024, 3, basis=APPROVED)
    for metric in registry.METRICS:
        a, b = registry.figure(ahead, metric.key), registry.figure(fresh, metric.key)
        assert (a.value, sorted(a.ids), a.last_year) == (b.value, sorted(b.ids), b.last_year), metric.key
    assert ahead.by_district() == fresh.by_district()
    # the page and the workbook now come from what was kept ahead
    client.get(URL)
    assert next(iter(kept._kept.values())) is ahead
    workbook_after = client.get("/monitoring/monthly.xlsx?year=2024&month=3").content
    assert workbook_after == ahead._documents[next(iter(ahead._documents))][1]
    assert workbook_after != workbook_before  # the approved March report is in it now


@pytest.mark.django_db(transaction=True)
def test_kept_figures_are_bounded(world, settings):
    ledger(world)
    settings.TAIZHANG_KEPT_LINES = 4  # a district has 2 projects here, the city 3
    kept.snapshot(Project.objects.filter(region=world.laoshan), 2024, 1)
    kept.snapshot(Project.objects.filter(region=world.laoshan), 2024, 2)
    assert sum(len(s.lines) for s in kept._kept.values()) == 4
    kept.snapshot(Project.objects.all(), 2024, 3)
    assert sum(len(s.lines) for s in kept._kept.values()) <= 4
    assert [k[5] for k in kept._kept] == [3]  # the least recently used went first


@pytest.mark.django_db(transaction=True)
def test_a_new_project_in_another_district_is_counted_by_the_city(world):
    ledger(world)
    client = Client()
    client.force_login(world.city_admin)
    html = client.get(URL).content.decode()
    n = int(re.search(r'href="[^"]*key_projects"><span>[^<]*</span><b id="kpi-count">(\d+)<', html).group(1))
    make_project(world.lc_editor, world.licang, "新建项目", "1000")
    html = client.get(URL).content.decode()
    assert int(re.search(r'href="[^"]*key_projects"><span>[^<]*</span><b id="kpi-count">(\d+)<', html).group(1)) == n + 1


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_two_writers_do_not_wait_on_the_stamp(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time by design")
    ledger(world)
    entered, release = threading.Event(), threading.Event()
    errors = []

    def slow_writer():
        try:
            with transaction.atomic():
                writer.save_progress(world.ls_admin, world.ls_project, 2024, 5, {"investment": D("1")}, today=TODAY)
                entered.set()
                release.wait(10)
        except Exception as e:  # pragma: no cover - shown by the assertion below
            errors.append(e)
        finally:
            connection.close()

    t = threading.Thread(target=slow_writer)
    t.start()
    assert entered.wait(10)
    before = stamp.current()
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '2s'")
    try:
        writer.save_progress(world.lc_editor, world.lc_project, 2024, 5, {"investment": D("2")}, today=TODAY)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
        release.set()
        t.join()
    assert not errors
    assert stamp.current() != before


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_folding_the_changes_keeps_the_count(world, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL keeps change rows")
    ledger(world)
    epoch, n = stamp.current()
    monkeypatch.setattr(stamp, "FOLD_AT", 0)
    assert stamp.current() == (epoch, n)  # folds while reading
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM monitoring_ledgerchange")
        assert cursor.fetchone()[0] == 0
    assert stamp.current() == (epoch, n)
    writer.save_progress(world.ls_admin, world.ls_project, 2024, 6, {"investment": D("1")}, today=TODAY)
    assert stamp.current()[1] > n


@pytest.mark.django_db(transaction=True)
def test_the_keeper_thread_computes_the_figures_again_after_writes_pause(world, settings, monkeypatch):
    ledger(world)
    settings.TAIZHANG_KEEP_AHEAD = True
    monkeypatch.setattr(kept, "QUIET", 0.05)
    client = Client()
    client.force_login(world.ls_admin)
    first = completed_on_page(client)
    old = next(iter(kept._kept.values()))
    assert kept._keeper is not None and kept._keeper.is_alive()
    writer.save_progress(world.ls_admin, world.ls_project, 2024, 3, {"investment": D("600")}, today=TODAY,
                         reason="更正")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with kept._lock:
            snaps = list(kept._kept.values())
        if snaps and snaps[-1] is not old:
            break
        time.sleep(0.05)
    ahead = next(iter(kept._kept.values()))
    assert ahead is not old, "the keeper did not compute the figures again"
    assert completed_on_page(client) != first
    assert next(iter(kept._kept.values())) is ahead  # the page took the figures kept ahead


@pytest.mark.django_db(transaction=True)
def test_the_keeper_collects_off_the_request_and_reclaims_the_figures_it_replaced(world):
    """The keeper's full collection after computing figures is its own, not the next request's:
    what it kept is left out of later collections, and what it replaced is still reclaimed,
    even held in a cycle."""
    ledger(world)
    kept.snapshot(Project.objects.all(), 2024, 3)
    for investment in ("600", "700"):
        writer.save_progress(world.city_admin, world.ls_project, 2024, 3, {"investment": D(investment)},
                             today=TODAY, reason="更正")
        assert kept.refresh() == 1
        snap = next(iter(kept._kept.values()))
        assert not any(o is snap for o in gc.get_objects(generation=2))  # frozen: not walked again
        if investment == "600":
            snap.__dict__["itself"] = snap  # a cycle: only a collection can reclaim it
            replaced = weakref.ref(snap)
            del snap
    assert gc.get_freeze_count() > 0
    assert replaced() is None


@pytest.mark.django_db(transaction=True)
def test_a_scope_reading_a_table_no_trigger_watches_is_never_kept(world):
    ledger(world)
    by_creator = Project.objects.filter(key_tasks__title__contains="园区")
    assert "indicators_" in str(by_creator.query)
    a = kept.snapshot(by_creator, 2024, 3)
    b = kept.snapshot(by_creator, 2024, 3)
    assert a is not b and not kept._kept
    c = kept.snapshot(Project.objects.filter(region=world.laoshan), 2024, 3)
    assert kept.snapshot(Project.objects.filter(region=world.laoshan), 2024, 3) is c


@pytest.mark.django_db(transaction=True)
def test_a_user_whose_scope_holds_nothing_gets_the_page(world, django_user_model):
    from taizhang.accounts.choices import Role

    from .conftest import make_user

    ledger(world)
    lost = make_user(django_user_model, "lost", Role.LEADER, None)  # no district: an empty scope
    client = Client()
    client.force_login(lost)
    assert client.get(URL).status_code == 200
    assert not kept._kept


@pytest.mark.django_db(transaction=True)
def test_installing_the_triggers_again_makes_every_kept_figure_old(world):
    """A migration that rebuilds a SQLite table drops its triggers; writes until they are
    installed again go uncounted, so installing them draws a new epoch."""
    ledger(world)
    before = stamp.current()
    stamp.install()
    after = stamp.current()
    assert after is not None and after[0] != before[0]


@pytest.mark.django_db(transaction=True)
def test_figures_are_filed_under_the_day_they_were_computed_for(world, monkeypatch):
    from django.utils import timezone as tz

    ledger(world)
    days = iter([dt.date(2025, 1, 10), dt.date(2025, 1, 11), dt.date(2025, 1, 11), dt.date(2025, 1, 11)])
    monkeypatch.setattr(tz, "localdate", lambda *a, **k: next(days))
    snap = kept.snapshot(Project.objects.all(), 2024, 3)
    (key,) = kept._kept
    assert key[-2] == snap.today


@pytest.mark.django_db(transaction=True)
def test_migrating_back_before_the_stamp_leaves_writes_working(world):
    from django.core.management import call_command

    ledger(world)
    call_command("migrate", "monitoring", "0001", verbosity=0)
    try:
        assert not stamp.installed()
        Region.objects.filter(pk=world.laoshan.pk).update(name="崂山新区")  # no trigger left to fail
        writer.save_progress(world.ls_admin, world.ls_project, 2024, 4, {"investment": D("5")}, today=TODAY)
    finally:
        call_command("migrate", "monitoring", verbosity=0)
    assert stamp.complete()
    before = stamp.current()
    writer.save_progress(world.ls_admin, world.ls_project, 2024, 5, {"investment": D("5")}, today=TODAY)
    assert stamp.current() != before


@pytest.mark.django_db(transaction=True)
def test_many_small_scopes_are_bounded_too(world):
    ledger(world)
    for i in range(kept.MAX_ENTRIES + 10):
        kept.snapshot(Project.objects.filter(name=f"没有这个项目{i}"), 2024, 3)
    assert len(kept._kept) == kept.MAX_ENTRIES


@pytest.mark.django_db(transaction=True)
def test_figures_under_an_older_stamp_never_push_out_newer_ones(world):
    ledger(world)
    scope = Project.objects.filter(region=world.laoshan)
    old_key_snap = kept.snapshot(scope, 2024, 3)
    (old_key,) = kept._kept
    writer.save_progress(world.ls_admin, world.ls_project, 2024, 4, {"investment": D("5")}, today=TODAY)
    new = kept.snapshot(scope, 2024, 3)
    kept._keep(old_key, old_key_snap)  # a slow request finishing late under the older stamp
    assert list(kept._kept.values()) == [new]


class _Held:
    """Computing figures (afresh, or brought up to date) waits until the test lets it finish;
    counts computations."""

    made: list = []
    started = threading.Event()
    go = threading.Event()
    fail = 0  # how many computations fail
    compute = staticmethod(kept._compute)

    @classmethod
    def hold(cls, *args):
        i = len(cls.made)
        cls.made.append(None)  # started; the figures once computed
        cls.started.set()
        assert cls.go.wait(10)
        if cls.fail:
            cls.fail -= 1
            raise RuntimeError("the database went away")
        cls.made[i] = cls.compute(*args)
        return cls.made[i]


@pytest.fixture
def held(monkeypatch):
    class Held(_Held):
        made, started, go, fail = [], threading.Event(), threading.Event(), 0

    monkeypatch.setattr(kept, "_compute", Held.hold)
    return Held


def _while_one_computes(held, others: int = 1) -> list:
    """One request computes (held until released) while ``others`` ask for the same figures;
    what each got."""
    results: list = []
    first = _ask(results)
    assert held.started.wait(10)
    waiting = [_ask(results) for _ in range(others)]
    time.sleep(0.2)  # the others are waiting now, not computing
    assert len(held.made) == 1
    held.go.set()
    for t in (first, *waiting):
        t.join(10)
    return results


def _ask(results, projects=None):
    def ask():
        try:
            results.append(kept.snapshot(projects or Project.objects.all(), 2024, 3))
        except Exception as e:  # noqa: BLE001  (the test looks at what each asker got)
            results.append(e)
        finally:
            connection.close()
    t = threading.Thread(target=ask)
    t.start()
    return t


@pytest.mark.django_db(transaction=True)
def test_figures_asked_for_while_they_are_computed_are_computed_once(world, held):
    ledger(world)
    results = _while_one_computes(held, others=3)
    assert len(held.made) == 1 and len(results) == 4
    assert all(r is held.made[0] for r in results)
    assert kept.snapshot(Project.objects.all(), 2024, 3) is held.made[0]  # and it is kept
    assert not kept._computing


@pytest.mark.django_db(transaction=True)
def test_when_computing_fails_the_waiting_compute_for_themselves(world, held):
    ledger(world)
    held.fail = 1
    results = _while_one_computes(held)
    assert sum(isinstance(r, RuntimeError) for r in results) == 1
    (snap,) = [r for r in results if isinstance(r, Snapshot)]
    assert snap.completed().value == D(100 + 200 + 300) * 3  # computed by the one who waited
    assert not kept._computing


@pytest.mark.django_db(transaction=True)
def test_figures_too_big_to_keep_are_still_shared_with_those_waiting(world, held, settings):
    ledger(world)
    settings.TAIZHANG_KEPT_LINES = 1  # the city's 3 projects are not kept
    results = _while_one_computes(held)
    assert len(held.made) == 1 and results[0] is results[1]
    assert not kept._kept


@pytest.mark.django_db(transaction=True)
def test_a_request_arriving_while_the_keeper_computes_takes_the_keepers_figures(world, monkeypatch):
    ledger(world)
    kept.snapshot(Project.objects.all(), 2024, 3)  # asked for once: the keeper will compute it again
    writer.save_progress(world.city_admin, world.ls_project, 2024, 3, {"investment": D("600")}, today=TODAY,
                         reason="更正")

    class Held(_Held):
        made, started, go, fail = [], threading.Event(), threading.Event(), 0

    monkeypatch.setattr(kept, "_compute", Held.hold)
    keeper = threading.Thread(target=lambda: (kept.refresh(), connection.close()))
    keeper.start()
    assert Held.started.wait(10)
    results: list = []
    asker = _ask(results)
    time.sleep(0.2)
    Held.go.set()
    keeper.join(10)
    asker.join(10)
    assert len(Held.made) == 1 and results == [Held.made[0]]
    assert results[0].__dict__.get("_memo")  # warmed by the keeper: the page finds every figure ready
