"""Promises the first pass of the monthly-figure work left untested: a stage change that would
strand reported figures, stage dates from a sheet that disagree with the ledger, two writers of a
new month at once, the city sending a month back, dates with their precision."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook

from taizhang.core.workbook import to_dated
from taizhang.projects import imports
from taizhang.projects import services as ledger
from taizhang.projects.choices import Stage
from taizhang.projects.models import MonthlyProgress
from taizhang.reporting import progress, services
from taizhang.reporting.models import ReportingPeriod

pytestmark = pytest.mark.django_db
TODAY = dt.date(2024, 7, 10)


def started(world, day=dt.date(2024, 2, 1)):
    p = world.ls_project
    ledger.move_stage(world.ls_editor, p, Stage.STARTED, day, reason="直接开工")
    return p


def test_a_stage_change_that_would_put_reported_months_before_the_start_is_refused(world):
    p = started(world)
    progress.save_progress(world.ls_editor, p, 2024, 3, {"investment": D("100")}, today=TODAY)
    start = p.stage_changes.get(to_stage=Stage.STARTED)
    with pytest.raises(ValidationError, match="2024年3月已填报完成投资"):
        ledger.correct_stage_change(world.ls_editor, start, "开工日期以施工许可为准", date=dt.date(2024, 4, 1))
    with pytest.raises(ValidationError, match="2024年3月"):
        ledger.remove_stage_change(world.ls_editor, start, "误录开工")
    start.refresh_from_db()
    p.refresh_from_db()
    assert (start.date, p.actual_start) == (dt.date(2024, 2, 1), dt.date(2024, 2, 1))  # nothing changed
    # Moving back after March leaves March where it was: allowed.
    ledger.move_stage(world.ls_editor, p, Stage.SIGNED, dt.date(2024, 5, 1), reason="停工退回")


def sheet(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["项目名称", "所属区", "总投资(万元)", "开工时间"])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_sheet_start_date_that_disagrees_with_the_ledger_is_refused_not_added(world):
    p = started(world)
    preview = imports.read_projects(world.ls_editor, io.BytesIO(sheet([[p.name, "崂山区", 52000, "2024-03-01"]])))
    [row] = preview.rows
    assert row.action == "error"
    assert any("台账已记开工于2024-02-01,表中为2024-03-01" in m for m in row.messages), row.messages
    with pytest.raises(ValidationError):
        ledger.apply_import(world.ls_editor, preview)
    assert list(p.stage_changes.filter(to_stage=Stage.STARTED).values_list("date", flat=True)) == [dt.date(2024, 2, 1)]


def test_a_sheet_fills_in_a_start_date_the_ledger_did_not_know(world):
    p = world.ls_project
    ledger.move_stage(world.ls_editor, p, Stage.STARTED, None, reason="据报道已开工,日期不详")
    p.refresh_from_db()
    # A later move of unknown date takes its place when it was recorded, after the 线索 it follows.
    assert (p.stage, p.actual_start) == (Stage.STARTED, None)
    preview = imports.read_projects(world.ls_editor, io.BytesIO(sheet([[p.name, "崂山区", 52000, "2024年3月"]])))
    [row] = preview.rows
    assert row.action == "update" and "阶段记录: 开工 日期不详 → 2024年3月" in row.changes, row.messages
    ledger.apply_import(world.ls_editor, preview, "按区台账补全开工时间")
    start = p.stage_changes.get(to_stage=Stage.STARTED)
    assert (start.date, start.precision, start.date_display) == (dt.date(2024, 3, 1), "month", "2024年3月")
    assert p.stage_changes.count() == 2  # filled in, not added beside it
    assert start.history.first().history_change_reason.endswith("按区台账补全开工时间")


def test_two_writers_of_a_new_month_at_once_leave_one_report_and_a_clear_message(world, monkeypatch):
    p = started(world)
    real_save = progress._save

    def someone_else_first(user, outcomes, correction_reason):
        # Between this call's read (no report yet) and its write, another user creates the month.
        MonthlyProgress.objects.create(project=p, year=2024, month=3, investment=D("5"))
        real_save(user, outcomes, correction_reason)

    monkeypatch.setattr(progress, "_save", someone_else_first)
    with pytest.raises(ValidationError, match="刚刚由他人填报"):
        progress.save_progress(world.ls_editor, p, 2024, 3, {"investment": D("100")}, today=TODAY)
    assert not MonthlyProgress.objects.filter(project=p).exists()  # the whole call is undone


def test_the_city_sends_a_submitted_month_back_and_the_district_can_change_it(world, no_start_rule):
    r = progress.save_progress(world.ls_editor, world.ls_project, 2024, 6, {"investment": D("10")}, today=TODAY)
    progress.submit_report(world.ls_editor, r)
    progress.approve_report(world.ls_admin, r)
    period = services.period_for(world.laoshan, 2024, 6)
    ReportingPeriod.objects.filter(pk=period.pk).update(status="submitted")  # only this project owes
    period.refresh_from_db()
    with pytest.raises(ValidationError, match="已报送"):
        progress.save_progress(world.ls_editor, world.ls_project, 2024, 6, {"investment": D("12")}, reason="更正",
                               today=TODAY)
    with pytest.raises(PermissionDenied):
        services.reopen_period(world.ls_admin, period, "区里要改")
    with pytest.raises(ValidationError, match="原因"):
        services.reopen_period(world.city_admin, period, "")
    services.reopen_period(world.city_admin, period, "崂山区申请更正6月数据")
    period.refresh_from_db()
    assert period.status == "open"
    r = progress.save_progress(world.ls_editor, world.ls_project, 2024, 6, {"investment": D("12")}, reason="更正",
                               today=TODAY)
    assert (r.investment, r.status, r.version) == (D("12"), "draft", 2)


@pytest.mark.parametrize("text, expected", [
    ("2026-03-12", (dt.date(2026, 3, 12), "day")),
    ("2026年3月", (dt.date(2026, 3, 1), "month")),
    ("2026.3", (dt.date(2026, 3, 1), "month")),
    ("2026年", (dt.date(2026, 1, 1), "year")),
    (dt.date(2026, 5, 6), (dt.date(2026, 5, 6), "day")),
    ("", (None, "day")),
])
def test_dates_are_read_with_their_precision(text, expected):
    assert to_dated(text) == expected


@pytest.mark.parametrize("text", ["2026年13月", "2026-02-30", "1800年", "三月"])
def test_impossible_dates_are_refused_with_the_text(text):
    with pytest.raises(ValueError, match=text):
        to_dated(text)
