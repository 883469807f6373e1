"""A district's ledger at mid-year, loaded only through the API and the import (stages with past
dates, plans, a month left unreported), and the figures a leader is given, computed by hand."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from openpyxl import Workbook
from rest_framework.test import APIClient

from taizhang.monitoring.metrics import Snapshot
from taizhang.projects import imports, services
from taizhang.projects.models import Project

pytestmark = pytest.mark.django_db
Y = 2026


def api(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def post(c, url, data, status=201):
    r = c.post(url, data, format="json", HTTP_X_CHANGE_REASON="历史台账补录")
    assert r.status_code == status, r.content.decode()
    return r.json()


def create(c, world, name, total, planned_start, stages, plan, months):
    p = post(c, "/api/projects/", {"name": name, "region": world.laoshan.pk, "total_investment": total,
                                   "planned_start": planned_start, "stages": stages})
    post(c, "/api/plans/", {"project": p["id"], "year": Y, "planned_investment": plan})
    for month, amount in months:
        post(c, "/api/progress/", {"project": p["id"], "year": Y, "month": month, "investment": amount})
    return Project.objects.get(pk=p["id"])


def sheet() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append([f"崂山区{Y}年1-6月重点项目进度表"])
    ws.append(["序号", "项目名称", "总投资(万元)", f"{Y}年计划投资(万元)", "1-6月完成投资(万元)", "开工时间", "形象进度"])
    ws.append([1, "丙:海洋科技研发楼", 8000, 1800, 900, f"{Y}-04-20", "主体施工"])
    ws.append(["合计", None, 8000, 1800, 900])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_midyear_ledger_loaded_through_the_api_and_the_import(world):
    c = api(world.ls_editor)
    a = create(c, world, "甲:智能制造基地", "10000", f"{Y}-02-01",
               [{"to_stage": "signed", "date": f"{Y}-01-10"}, {"to_stage": "started", "date": f"{Y}-02-15"}],
               "1200", [(2, "100"), (3, "100"), (4, "100"), (6, "100")])  # May left unreported
    b = create(c, world, "乙:未开工项目", "5000", f"{Y}-03-01",
               [{"to_stage": "signed", "date": f"{Y - 1}-11-01"}], "600", [])
    d = create(c, world, "丁:回退项目", "3000", f"{Y}-03-01",
               [{"to_stage": "signed", "date": f"{Y}-01-05"}, {"to_stage": "started", "date": f"{Y}-03-01",
                                                               "reason": "跨过注册"}],
               "600", [(3, "50"), (4, "50")])
    # Moved back on 20 May: a recorded move in the past, put in its place.
    post(c, f"/api/projects/{d.pk}/move-stage/", {"to_stage": "signed", "date": f"{Y}-05-20",
                                                   "reason": "施工许可被撤回"})
    # A report for a month before the start is refused, as on the page.
    r = c.post("/api/progress/", {"project": a.pk, "year": Y, "month": 1, "investment": "10"}, format="json")
    assert r.status_code == 400 and "尚未开工" in r.content.decode()
    # D was building in March and April: those months stay correctable after the move back; June is not.
    post(c, "/api/progress/", {"project": d.pk, "year": Y, "month": 4, "investment": "50", "progress": "补充说明", "reason": "补充形象进度"})
    r = c.post("/api/progress/", {"project": d.pk, "year": Y, "month": 6, "investment": "10"}, format="json")
    assert r.status_code == 400

    preview = imports.read_projects(world.ls_editor, io.BytesIO(sheet()))
    assert not preview.errors, [(x.number, x.messages) for x in preview.errors]
    assert (preview.year, preview.month) == (Y, 6)
    services.apply_import(world.ls_editor, preview, "历史台账导入")
    cc = Project.objects.get(name="丙:海洋科技研发楼")
    assert (cc.stage, cc.actual_start) == ("started", dt.date(Y, 4, 20))

    a.refresh_from_db()
    d.refresh_from_db()
    assert (a.stage, a.actual_start) == ("started", dt.date(Y, 2, 15))
    assert (d.stage, d.actual_start) == ("signed", None)

    s = Snapshot(Project.objects.restrict(world.ls_editor), Y, 6, today=dt.date(Y, 7, 20))
    lines = {line.project.name: line for line in s.lines}
    # Hand-computed: 时序 50%; lag = rate - 50; yellow from 10 points behind, red beyond 30.
    expected = {
        "甲:智能制造基地": (D("400"), D("33.33"), D("-16.67"), "yellow", None),
        "乙:未开工项目": (D("0"), D("0.00"), D("-50.00"), "red", "red"),  # planned March, 3 months late
        "丙:海洋科技研发楼": (D("900"), D("50.00"), D("0.00"), "green", None),
        "丁:回退项目": (D("100"), D("16.67"), D("-33.33"), "red", "red"),  # moved back: warns again
    }
    for name, (done, rate, lag, colour, start) in expected.items():
        line = lines[name]
        assert (line.done, line.rate, line.lag, line.progress_warning, line.start_warning) == \
            (done, rate, lag, colour, start), name
    assert s.planned().value == D("4200.00") and s.completed().value == D("1400.00")
    assert s.completion_rate().value == D("33.33")
    assert s.start_rate().value == D("50.00")  # signed 4 (丙 entered at 开工), started at June's end 2
    assert sorted(s.new_starts().ids) == sorted([a.pk, cc.pk])  # 丁 is not at 开工 any more
    assert sorted(s.start_warnings("red").ids) == sorted([b.pk, d.pk])
    # Owed for June: the two projects building then; neither has submitted June's report yet.
    assert sorted(s.owed().ids) == sorted([a.pk, cc.pk]) and s.not_reported().value == 2
    assert s.unreviewed[0] == 7  # every report is still a draft: counted, and said so
    may_report = Snapshot(Project.objects.restrict(world.ls_editor), Y, 5, today=dt.date(Y, 7, 20))
    assert sorted(may_report.owed().ids) == sorted([a.pk, cc.pk, d.pk])  # 丁 was building until 20 May
