"""Stage history recorded in its place: a start entered late still lets the month be reported.

A project entered today whose start was last month reports last month, whichever door it
came through (page, API, import). A project moved back 开工 → 签约 this month can still
correct a month in which it was under construction, and cannot report a month after the move.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from taizhang.projects import imports, services
from taizhang.projects.choices import ReportStatus, Stage
from taizhang.projects.models import MonthlyProgress, Project
from taizhang.reporting import progress

from .conftest import make_project
from .test_one_writer import api, progress_sheet, via_api, via_import, via_page

pytestmark = pytest.mark.django_db


def _month_before(day: dt.date) -> dt.date:
    """The first day of the month before ``day``'s month."""
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


TODAY = timezone.localdate()
LAST = _month_before(TODAY)  # first of last month
BEFORE = _month_before(LAST)  # first of the month before that
NEXT = (TODAY.replace(day=28) + dt.timedelta(days=4)).replace(day=1)  # first of next month
START = LAST.replace(day=15)  # the start, recorded today
NAME = "补录开工项目"


def _report(project, year, month):
    r = MonthlyProgress.objects.filter(project=project, year=year, month=month).first()
    return None if r is None else (r.investment, r.status, r.version)


# ------------------------------------------------------------------ entered today, started last month


def enter_by_page(w) -> Project:
    client = Client()
    client.force_login(w.ls_editor)
    r = client.post("/projects/add/", {
        "name": NAME, "region": w.laoshan.pk, "origin": "domestic", "nature": "new", "level": "district",
        "category": "industry", "total_investment": "5000", "responsible_unit": w.ls_zs.pk,
    })
    assert r.status_code == 302, r.context["form"].errors if r.context else r.content
    p = Project.objects.get(name=NAME)
    r = client.post(f"/projects/{p.pk}/stage/", {"to_stage": Stage.STARTED, "date": START.isoformat(),
                                                 "reason": "开工后补录"})
    assert r.status_code == 302, r.context["form"].errors
    return Project.objects.get(pk=p.pk)


def enter_by_api_with_stages(w) -> Project:
    r = api(w.ls_editor).post("/api/projects/", {
        "name": NAME, "region": w.laoshan.pk, "total_investment": "5000", "responsible_unit": w.ls_zs.pk,
        "stages": [{"to_stage": Stage.STARTED, "date": START.isoformat()}],
    }, format="json")
    assert r.status_code == 201, r.content
    return Project.objects.get(pk=r.json()["id"])


def enter_by_api_then_move(w) -> Project:
    client = api(w.ls_editor)
    r = client.post("/api/projects/", {"name": NAME, "region": w.laoshan.pk, "total_investment": "5000",
                                       "responsible_unit": w.ls_zs.pk}, format="json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    r = client.post(f"/api/projects/{pk}/move-stage/", {"to_stage": Stage.STARTED, "date": START.isoformat(),
                                                        "reason": "开工后补录"}, format="json")
    assert r.status_code == 201, r.content
    return Project.objects.get(pk=pk)


@pytest.mark.parametrize("door", ["page", "api-stages", "api-move-stage"])
def test_a_project_entered_today_that_started_last_month_reports_last_month(world, door):
    enter, report = {"page": (enter_by_page, via_page), "api-stages": (enter_by_api_with_stages, via_api),
                     "api-move-stage": (enter_by_api_then_move, via_api)}[door]
    p = enter(world)
    assert (p.stage, p.actual_start) == (Stage.STARTED, START)

    ok, messages = report(world.ls_editor, p, LAST.year, LAST.month, "80")
    assert ok, messages
    assert _report(p, LAST.year, LAST.month) == (Decimal("80"), ReportStatus.DRAFT, 1)

    # The month before the start stays closed to investment.
    ok, messages = report(world.ls_editor, p, BEFORE.year, BEFORE.month, "10")
    assert not ok
    assert any(f"{BEFORE.year}年{BEFORE.month}月尚未开工" in m for m in messages), messages
    assert _report(p, BEFORE.year, BEFORE.month) is None


def test_an_imported_project_with_a_start_last_month_reports_last_month(world):
    data = progress_sheet(NAME, LAST.year, LAST.month, Decimal("80"), 总投资=5000, 开工时间=START)
    preview = imports.read_projects(world.ls_editor, io.BytesIO(data))
    assert not preview.errors, [(r.number, r.messages) for r in preview.errors]
    assert (preview.year, preview.month) == (LAST.year, LAST.month)
    assert preview.rows[0].stages == [{"to_stage": Stage.STARTED, "date": START, "precision": "day"}]
    counts = services.apply_import(world.ls_editor, preview, "月报导入")
    assert (counts["created"], counts["stages"], counts["progress"]) == (1, 1, 1)
    p = Project.objects.get(name=NAME)
    assert (p.stage, p.actual_start) == (Stage.STARTED, START)
    assert _report(p, LAST.year, LAST.month) == (Decimal("80"), ReportStatus.DRAFT, 1)


def test_a_sheet_gives_the_start_of_a_project_entered_today_and_its_month(world):
    p = make_project(world.ls_editor, world.laoshan, NAME, "5000", unit=world.ls_zs, stage_date=None)
    data = progress_sheet(NAME, LAST.year, LAST.month, Decimal("80"), 开工时间=START)
    preview = imports.read_projects(world.ls_editor, io.BytesIO(data))
    assert [(r.number, r.action) for r in preview.rows] == [(3, "update")], [r.messages for r in preview.rows]
    counts = services.apply_import(world.ls_editor, preview, "月报导入")
    assert (counts["created"], counts["stages"], counts["progress"]) == (0, 1, 1)
    p.refresh_from_db()
    assert (p.stage, p.actual_start) == (Stage.STARTED, START)
    assert _report(p, LAST.year, LAST.month) == (Decimal("80"), ReportStatus.DRAFT, 1)


def test_an_imported_project_whose_start_is_after_the_month_is_refused_by_row(world):
    start = TODAY.replace(day=1)  # this month: the sheet reports last month
    data = progress_sheet(NAME, LAST.year, LAST.month, Decimal("80"), 总投资=5000, 开工时间=start)
    preview = imports.read_projects(world.ls_editor, io.BytesIO(data))
    assert [(r.number, r.action) for r in preview.rows] == [(3, "error")]
    assert any("尚未开工" in m for m in preview.rows[0].messages), preview.rows[0].messages
    with pytest.raises(ValidationError):
        services.apply_import(world.ls_editor, preview, "月报导入")
    assert not Project.objects.filter(name=NAME).exists()


# ------------------------------------------------------------------ moved back 开工 → 签约 this month


@pytest.fixture
def moved_back(world):
    """Started early in the month before last, both months reported (100 each), then moved
    back to 签约 today through the page."""
    p = make_project(world.ls_admin, world.laoshan, "回退项目", "9000", unit=world.ls_zs, stage_date=None)
    services.move_stage(world.ls_admin, p, Stage.STARTED, BEFORE.replace(day=5), reason="补录开工")
    for day in (BEFORE, LAST):
        progress.save_progress(world.ls_editor, p, day.year, day.month, {"investment": Decimal("100")})
    client = Client()
    client.force_login(world.ls_editor)
    r = client.post(f"/projects/{p.pk}/stage/", {"to_stage": Stage.SIGNED, "date": TODAY.isoformat(),
                                                 "reason": "施工许可被撤销,退回签约"})
    assert r.status_code == 302, r.context["form"].errors
    p.refresh_from_db()
    assert (p.stage, p.actual_start) == (Stage.SIGNED, None)
    return p


@pytest.mark.parametrize("via", [via_page, via_api, via_import], ids=["page", "api", "import"])
def test_moved_back_it_still_corrects_a_month_it_was_started_in(world, moved_back, via):
    p = moved_back
    ok, messages = via(world.ls_editor, p, LAST.year, LAST.month, "150", "补录发票")
    assert ok, messages
    assert _report(p, LAST.year, LAST.month) == (Decimal("150"), ReportStatus.DRAFT, 2)
    assert _report(p, BEFORE.year, BEFORE.month) == (Decimal("100"), ReportStatus.DRAFT, 1)


def test_moved_back_it_cannot_report_a_month_after_the_move(world, moved_back):
    p = moved_back
    # Next month is still in the future for the pages; the writer is asked as of next month.
    with pytest.raises(ValidationError) as e:
        progress.save_progress(world.ls_editor, p, NEXT.year, NEXT.month, {"investment": Decimal("50")},
                               today=NEXT + dt.timedelta(days=3))
    assert "尚未开工" in str(e.value)
    assert _report(p, NEXT.year, NEXT.month) is None
    # A month with nothing built may still be reported as 0.
    r = progress.save_progress(world.ls_editor, p, NEXT.year, NEXT.month, {"investment": Decimal("0")},
                               today=NEXT + dt.timedelta(days=3))
    assert (r.investment, r.version) == (Decimal("0"), 1)
