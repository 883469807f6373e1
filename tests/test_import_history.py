"""A district brings its past: three years of ledgers with stage dates and month columns, and
the dashboards of those years show what the sheets say. Imports are confirmed once, however
many clicks or users, and large ones run in the background."""

from __future__ import annotations

import datetime as dt
import io
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from taizhang.core import jobs
from taizhang.monitoring.metrics import Snapshot
from taizhang.projects import import_views, imports, services
from taizhang.projects.choices import Stage
from taizhang.projects.models import ImportBatch, ImportStatus, MonthlyProgress, Project

from .importing import assert_totals_stored
from .sheets import xlsx

pytestmark = pytest.mark.django_db
D = Decimal
MONTHS = [f"{m}月" for m in range(1, 13)]


def ledger(year, rows):
    """A year's 重点项目台账 with stage dates and 逐月完成投资 (the months' own figures)."""
    head = ["序号", "项目名称", "总投资(万元)", f"{year}年计划投资(万元)", "签约时间", "开工时间", "竣工时间"]
    return xlsx([
        [f"崂山区{year}年重点项目台账"],
        head + ["逐月完成投资(万元)"] + [None] * 11,
        [None] * len(head) + MONTHS,
        *[[i + 1, *r] for i, r in enumerate(rows)],
    ])


def months(**by_month):
    return [by_month.get(f"m{m}") for m in range(1, 13)]


A = "海洋装备产业园"  # signed 2022.11, started 2023.3, completed 2024-10-20
B = "生物医药研发中心"  # signed 2023年6月, started 2024-02-15
C = "数字文创街区"  # signed 2024.8, not started


def three_years():
    y2023 = ledger(2023, [
        [A, 30000, 1200, "2022.11", "2023.3", None, *months(**{f"m{m}": 100 for m in range(3, 13)})],
        [B, 50000, None, "2023年6月", None, None, *months()],
    ])
    y2024 = ledger(2024, [
        [A, 30000, 800, "2022.11", "2023.3", dt.date(2024, 10, 20), *months(**{f"m{m}": 80 for m in range(1, 11)})],
        [B, 50000, 2400, "2023年6月", dt.date(2024, 2, 15), None,
         *months(**{f"m{m}": 200 for m in range(2, 13)})],
        [C, 6000, None, "2024.8", None, None, *months()],
    ])
    y2025 = ledger(2025, [
        [B, 50000, 1000, "2023年6月", dt.date(2024, 2, 15), None, *months(**{f"m{m}": 90 for m in range(1, 13)})],
    ])
    return y2023, y2024, y2025


def confirm(user, data, **kw):
    preview = imports.read_projects(user, io.BytesIO(data), **kw)
    assert not preview.questions and not preview.errors, (preview.questions, [(r.number, r.messages) for r in
                                                                              preview.errors])
    services.apply_import(user, preview)
    assert_totals_stored(preview)
    return preview


def test_three_years_of_ledgers_import_as_dated_history_and_the_past_dashboards_show_them(world):
    for sheet in three_years():
        confirm(world.ls_admin, sheet)
    a, b, c = (Project.objects.get(name=n) for n in (A, B, C))
    assert [(s.to_stage, s.date, s.precision) for s in a.stage_changes.exclude(to_stage=Stage.LEAD).order_by("date")] == [
        (Stage.SIGNED, dt.date(2022, 11, 1), "month"), (Stage.STARTED, dt.date(2023, 3, 1), "month"),
        (Stage.COMPLETED, dt.date(2024, 10, 20), "day")]
    assert (a.stage, b.stage, c.stage) == (Stage.COMPLETED, Stage.STARTED, Stage.SIGNED)
    assert MonthlyProgress.objects.filter(project=a, year=2023).count() == 10
    assert sum(r.investment for r in MonthlyProgress.objects.filter(project=b, year=2025)) == D("1080")

    scope = Project.objects.filter(region=world.laoshan, name__in=[A, B, C])
    june = Snapshot(scope, 2024, 6, today=dt.date(2026, 11, 29), compare=False)
    # By hand: plans 800 + 2400; done A 6 x 80, B Feb-Jun 5 x 200.
    assert june.planned().value == D("3200.00")
    assert june.completed().value == D("1480.00")
    assert june.completion_rate().value == D("46.25")
    assert june.new_starts().value == 1 and june.new_starts().ids == [b.pk]
    assert june.completions().value == 0
    december = Snapshot(scope, 2024, 12, today=dt.date(2026, 11, 29), compare=False)
    assert december.completed().value == D("3000.00")  # 800 + 11 x 200
    assert december.completions().ids == [a.pk]
    funnel = {stage: fig.value for stage, _, fig, _ in december.funnel()}
    assert (funnel[Stage.SIGNED], funnel[Stage.STARTED], funnel[Stage.COMPLETED]) == (3, 2, 1)
    mid2023 = Snapshot(scope, 2023, 6, today=dt.date(2026, 11, 29), compare=False)
    assert (mid2023.planned().value, mid2023.completed().value) == (D("1200.00"), D("400.00"))
    # Importing the same three sheets again changes nothing.
    for sheet in three_years():
        preview = imports.read_projects(world.ls_admin, io.BytesIO(sheet))
        assert {r.action for r in preview.rows} == {"unchanged"}, [(r.name, r.changes) for r in preview.rows]


def test_a_month_before_the_start_is_refused_by_the_same_rule_as_the_page(world):
    sheet = ledger(2024, [[C, 6000, 100, "2024.8", None, None, *months(m9=50)]])
    preview = imports.read_projects(world.ls_admin, io.BytesIO(sheet))
    assert [r.number for r in preview.errors] == [4]
    assert "开工" in " ".join(preview.errors[0].messages)
    assert not Project.objects.filter(name=C).exists()


def test_month_columns_after_the_titles_month_are_refused(world, no_start_rule):
    sheet = xlsx([
        ["2024年1-6月重点项目完成情况"],
        ["项目名称", "总投资(万元)", "完成投资(万元)"] + [None] * 11,
        [None, None] + MONTHS[:12],
        ["崂山区人民医院", 8000, *months(m1=10, m7=20)],
    ])
    preview = imports.read_projects(world.ls_admin, io.BytesIO(sheet))
    assert preview.errors[0].messages == ["7月完成投资: 晚于本表截至的6月,却有数值 20.00"]


def test_months_planned_are_not_taken_for_months_done(world, no_start_rule):
    sheet = xlsx([
        ["2024年重点项目月进度计划表"],
        ["项目名称", "总投资(万元)", "月度计划投资(万元)"] + [None] * 11,
        [None, None] + MONTHS,
        ["崂山区人民医院", 8000, *months(m1=10, m2=20)],
    ])
    preview = imports.read_projects(world.ls_admin, io.BytesIO(sheet))
    assert all(c.field is None for c in preview.columns[2:])
    assert preview.rows[0].reports == {}


def test_a_second_preview_confirmed_after_the_first_creates_nothing_twice(world):
    data = ledger(2024, [[C, 6000, None, "2024.8", None, None, *months()]])
    first = imports.read_projects(world.ls_admin, io.BytesIO(data))
    second = imports.read_projects(world.ls_editor, io.BytesIO(data))
    services.apply_import(world.ls_admin, first)
    with pytest.raises(ValidationError, match="已由他人导入或新建"):
        services.apply_import(world.ls_editor, second)
    assert Project.objects.filter(name=C).count() == 1


def _batch(user, data, tmp_path, settings, name="台账.xlsx"):
    settings.MEDIA_ROOT = str(tmp_path)
    batch = ImportBatch.objects.create(token=f"t{ImportBatch.objects.count()}x", user=user, filename=name,
                                       options={})
    import_views._path(batch).write_bytes(data)
    return batch


def test_a_background_import_reports_done_or_failed_and_keeps_nothing_on_failure(world, tmp_path, settings):
    good = _batch(world.ls_admin, three_years()[0], tmp_path, settings)
    import_views.run_import(good.pk, in_request=True)
    good.refresh_from_db()
    assert good.status == ImportStatus.DONE and good.result["created"] == 2 and good.finished
    assert not import_views._path(good).exists()  # the upload is deleted once written
    bad_sheet = ledger(2024, [[C, 6000, 100, "2024.8", None, None, *months(m9=50)]])
    bad = _batch(world.ls_admin, bad_sheet, tmp_path, settings)
    import_views.run_import(bad.pk, in_request=True)
    bad.refresh_from_db()
    assert bad.status == ImportStatus.FAILED and "开工" in " ".join(bad.result["messages"])
    assert not Project.objects.filter(name=C).exists()


def test_a_large_sheet_is_confirmed_into_a_background_job(client, world, tmp_path, settings, held_jobs):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.TAIZHANG_IMPORT_BACKGROUND_ROWS = 1
    started = held_jobs
    client.force_login(world.ls_admin)
    upload = io.BytesIO(three_years()[0])
    upload.name = "2023.xlsx"
    page = client.get(client.post("/projects/import/", {"file": upload})["Location"])
    token = page.context["batch"].token
    r = client.post(f"/projects/import/{token}/confirm/", follow=True)
    assert "导入中" in r.content.decode() and 'http-equiv="refresh"' in r.content.decode()
    (target, args), = started
    target(args[0], in_request=True)
    r = client.get(f"/projects/import/{token}/")
    assert "已导入" in r.content.decode() and "新建 2 个项目" in r.content.decode()


def test_unconfirmed_uploads_are_forgotten_after_two_days(client, world, tmp_path, settings):
    old = _batch(world.ls_admin, b"x", tmp_path, settings)
    ImportBatch.objects.filter(pk=old.pk).update(created=old.created - dt.timedelta(days=3))
    client.force_login(world.ls_admin)
    upload = io.BytesIO(three_years()[0])
    upload.name = "2023.xlsx"
    client.post("/projects/import/", {"file": upload})
    assert not ImportBatch.objects.filter(pk=old.pk).exists() and not import_views._path(old).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks on two connections need PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_batch", [True, False])
def test_simultaneous_confirmations_create_each_project_once(client, world, tmp_path, settings, same_batch):
    """A double click (one batch) or two users with the same file (two batches), at once."""
    data = three_years()[1]
    batches = [_batch(world.ls_admin, data, tmp_path, settings)]
    batches.append(batches[0] if same_batch else _batch(world.ls_editor, data, tmp_path, settings))
    for _ in range(5):
        Project.objects.filter(name__in=[A, B, C]).delete()
        ImportBatch.objects.filter(pk__in=[b.pk for b in batches]).update(status=ImportStatus.PREVIEWED)
        for b in batches:  # a confirmed upload's file is deleted: put it back for the next round
            import_views._path(b).write_bytes(data)
        barrier = threading.Barrier(2)
        errors = []

        def go(batch, barrier=barrier, errors=errors):
            try:
                barrier.wait()
                taken = ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.PREVIEWED).update(
                    status=ImportStatus.RUNNING)
                if taken:
                    import_views.run_import(batch.pk)
            except BaseException as e:  # noqa: B036 - reported to the main thread
                errors.append(e)
            finally:
                connection.close()

        threads = [threading.Thread(target=go, args=(b,)) for b in batches]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not errors and not any(t.is_alive() for t in threads)
        assert sorted(Project.objects.filter(name__in=[A, B, C]).values_list("name", flat=True)) == sorted([A, B, C])
        statuses = sorted(ImportBatch.objects.filter(pk__in=[b.pk for b in batches]).values_list("status", flat=True))
        assert statuses == (["done"] if same_batch else ["done", "failed"])


def _redis_or_skip():
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    try:
        Redis.from_url("redis://127.0.0.1:6379/15").ping()
    except RedisDown:
        pytest.skip("no Redis at 127.0.0.1:6379")


@pytest.mark.django_db(transaction=True)
def test_with_redis_a_large_import_is_queued_and_the_worker_writes_it(client, world, tmp_path, settings):
    _redis_or_skip()
    settings.MEDIA_ROOT = str(tmp_path)
    settings.TAIZHANG_IMPORT_BACKGROUND_ROWS = 1
    settings.TAIZHANG_REDIS_URL = "redis://127.0.0.1:6379/15"
    q = jobs.queue()
    q.empty()
    client.force_login(world.ls_admin)
    upload = io.BytesIO(three_years()[0])
    upload.name = "2023.xlsx"
    token = client.post("/projects/import/", {"file": upload})["Location"].rstrip("/").split("/")[-1]
    client.get(f"/projects/import/{token}/")
    client.post(f"/projects/import/{token}/confirm/")
    assert q.count == 1 and ImportBatch.objects.get(token=token).status == ImportStatus.RUNNING
    from django.core.management import call_command

    call_command("worker", burst=True)
    batch = ImportBatch.objects.get(token=token)
    assert batch.status == ImportStatus.DONE and batch.result["created"] == 2
    assert Project.objects.filter(name__in=[A, B]).count() == 2


def test_an_import_cut_off_long_ago_says_so(client, world, tmp_path, settings):
    batch = _batch(world.ls_admin, b"x", tmp_path, settings)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING, started=batch.created - dt.timedelta(hours=3))
    client.force_login(world.ls_admin)
    r = client.get(f"/projects/import/{batch.token}/")
    assert "中断" in r.content.decode() and ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.FAILED
