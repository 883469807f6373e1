"""One writer of monthly figures: the page, the API and the Excel import give the same result.

Each case is driven through the three doors (``via_page``, ``via_api``, ``via_import``,
each returning ``(ok, messages)``) and must leave the same thing behind: the same stored
figures (or none), the same status and version, and the same history rows with the same
reasons and users. Then: an approval never lands on a figure changed after the reviewer
read it, also when the change and the approval race on two database connections.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from openpyxl import Workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from taizhang.projects import imports, services
from taizhang.projects.choices import ReportStatus, Stage
from taizhang.projects.models import MonthlyProgress
from taizhang.reporting import progress
from taizhang.reporting.choices import PeriodStatus
from taizhang.reporting.models import ReportingPeriod

TODAY = dt.date(2024, 12, 15)  # for calls made by the tests themselves; all months are in 2024
YEAR, MONTH = 2024, 4
REASON = "四月按月填报"
FIX = "更正统计口径"
EXPLANATION = "设备集中到货,当月付款"


# ------------------------------------------------------------------ the three doors


def _flat(detail) -> list[str]:
    if isinstance(detail, dict):
        return [m for v in detail.values() for m in _flat(v)]
    if isinstance(detail, list | tuple):
        return [m for v in detail for m in _flat(v)]
    return [str(detail)]


def via_page(user, project, year, month, amount, reason="", explanation=""):
    """POST /projects/<pk>/progress/ as the project page's form sends it (funds show 0 by default)."""
    client = Client()
    client.force_login(user)
    r = client.post(f"/projects/{project.pk}/progress/", {
        "year": year, "month": month, "investment": str(amount), "progress": "", "funds_domestic": "0",
        "funds_foreign": "0", "exchange_rate": "", "explanation": explanation, "reason": reason,
    })
    if r.status_code == 302:
        return True, []
    assert r.status_code == 400, r.status_code
    form = r.context["form"]
    return False, _flat(dict(form.errors))


def api(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def via_api(user, project, year, month, amount, reason="", explanation=""):
    """POST /api/progress/ (a month already reported is corrected by posting it again)."""
    r = api(user).post("/api/progress/", {
        "project": project.pk, "year": year, "month": month, "investment": str(amount),
        "reason": reason, "explanation": explanation,
    }, format="json")
    if r.status_code == 201:
        return True, []
    assert r.status_code == 400, (r.status_code, r.content)
    return False, _flat(r.json())


def xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def progress_sheet(project, year, month, ytd, explanation="", **columns) -> bytes:
    """A one-project sheet: title with the year, 项目名称, 1-N月完成投资 (year to date),
    optional 情况说明 and other columns (header -> value)."""
    header = ["项目名称", f"1-{month}月完成投资(万元)", *columns]
    values = [project if isinstance(project, str) else project.name, ytd, *columns.values()]
    if explanation:
        header.append("情况说明")
        values.append(explanation)
    return xlsx([[f"崂山区{year}年重点项目月进度表"], header, values])


IMPORT_ROW = 3  # the sheet's data row: title, header, then the project


def via_import(user, project, year, month, amount, reason="", explanation=""):
    """Read a sheet (the figure is 1-N月, so earlier months are added) and confirm it."""
    earlier = sum(MonthlyProgress.objects.filter(project=project, year=year, month__lt=month)
                  .values_list("investment", flat=True), Decimal("0"))
    data = progress_sheet(project, year, month, Decimal(amount) + earlier, explanation)
    preview = imports.read_projects(user, io.BytesIO(data))
    assert (preview.year, preview.month) == (year, month)
    try:
        services.apply_import(user, preview, reason)
    except ValidationError as e:
        # Messages as the import page lists them: by row.
        return False, [f"第{r.number}行 {m}" for r in preview.errors for m in r.messages] + e.messages
    return True, []


PATHS = {"page": via_page, "api": via_api, "import": via_import}


# ------------------------------------------------------------------ what is left behind


def stored(project, year=YEAR, month=MONTH):
    r = MonthlyProgress.objects.filter(project=project, year=year, month=month).first()
    if r is None:
        return None
    return {"investment": r.investment, "explanation": r.explanation, "status": r.status, "version": r.version,
            "approved_version": r.approved_version, "progress": r.progress, "funds_domestic": r.funds_domestic,
            "funds_foreign": r.funds_foreign, "exchange_rate": r.exchange_rate,
            "reported_by": r.reported_by.username if r.reported_by else None}


def history(project, year=YEAR, month=MONTH):
    rows = MonthlyProgress.history.filter(project_id=project.pk, year=year, month=month).order_by(
        "history_date", "history_id")
    return [(h.history_type, h.history_change_reason or "", h.history_user.username if h.history_user else None,
             h.status, h.version, h.investment) for h in rows]


def report(user, project, month, amount, reason="", year=YEAR, **kw):
    return progress.save_progress(user, project, year, month, {"investment": Decimal(amount)}, reason=reason,
                                  today=TODAY, **kw)


# ------------------------------------------------------------------ the cases


def _started_with_three_months(w):
    """Started on 10 January, 100 a month reported for January-March (by the service)."""
    p = w.ls_project
    services.move_stage(w.ls_admin, p, Stage.STARTED, dt.date(2024, 1, 10), reason="补录开工")
    for m in (1, 2, 3):
        report(w.ls_editor, p, m, "100")
    return p


def _started_in_may(w):
    p = w.ls_project
    services.move_stage(w.ls_admin, p, Stage.STARTED, dt.date(2024, 5, 10), reason="补录开工")
    return p


def _locked_april(w):
    p = _started_with_three_months(w)
    ReportingPeriod.objects.create(region=w.laoshan, year=YEAR, month=MONTH, deadline=dt.date(2024, 5, 5),
                                   status=PeriodStatus.LOCKED)
    return p


def _approved_april(w):
    p = _started_with_three_months(w)
    r = report(w.ls_editor, p, MONTH, "120", reason=REASON)
    progress.submit_report(w.ls_editor, r)
    progress.approve_report(w.ls_admin, r, version=r.version)
    assert stored(p)["status"] == ReportStatus.APPROVED
    return p


def _new(amount, explanation="", by="ls_editor"):
    """A new April report as every door should store it."""
    return ({"investment": Decimal(amount), "explanation": explanation, "status": ReportStatus.DRAFT, "version": 1,
             "approved_version": None, "progress": "", "funds_domestic": Decimal("0"),
             "funds_foreign": Decimal("0"), "exchange_rate": None, "reported_by": by},
            [("+", REASON, by, ReportStatus.DRAFT, 1, Decimal(amount))])


REFUSED = (None, [])
_a = _new("120")
_c = _new("400", EXPLANATION)
_f = ({"investment": Decimal("150"), "explanation": "", "status": ReportStatus.DRAFT, "version": 2,
       "approved_version": 1, "progress": "", "funds_domestic": Decimal("0"), "funds_foreign": Decimal("0"),
       "exchange_rate": None, "reported_by": "ls_editor"},
      [("+", REASON, "ls_editor", ReportStatus.DRAFT, 1, Decimal("120")),
       ("~", "提交月度进展", "ls_editor", ReportStatus.SUBMITTED, 1, Decimal("120")),
       ("~", "审核通过", "ls_admin", ReportStatus.APPROVED, 1, Decimal("120")),
       ("~", FIX, "ls_editor", ReportStatus.DRAFT, 2, Decimal("150"))])

# name: (setup, amount, reason, explanation, ok, message that must appear when refused, (stored, history))
CASES = {
    "a-normal": (_started_with_three_months, "120", REASON, "", True, None, _a),
    # remaining = 52000 - 300 already reported
    "b-above-remaining": (_started_with_three_months, "60000", REASON, "", False, "超过剩余总投资51700", REFUSED),
    # 400 > 3 x the usual 100: a soft rule, saved with the explanation kept
    "c-spike-explained": (_started_with_three_months, "400", REASON, EXPLANATION, True, None, _c),
    "c-spike-unexplained": (_started_with_three_months, "400", REASON, "", False, "请填写情况说明", REFUSED),
    "d-locked-month": (_locked_april, "120", REASON, "", False, "已锁定", REFUSED),
    "e-not-started": (_started_in_may, "100", REASON, "", False, "尚未开工", REFUSED),
    "f-approved-then-changed": (_approved_april, "150", FIX, "", True, None, _f),
}


@pytest.mark.django_db
@pytest.mark.parametrize("path", list(PATHS))
@pytest.mark.parametrize("case", list(CASES))
def test_the_page_the_api_and_the_import_leave_the_same_thing_behind(world, case, path):
    setup, amount, reason, explanation, ok, message, (want_stored, want_history) = CASES[case]
    p = setup(world)
    months_before = {m: stored(p, month=m) for m in range(1, 13) if m != MONTH}
    other_history = MonthlyProgress.history.exclude(month=MONTH).count()

    got_ok, messages = PATHS[path](world.ls_editor, p, YEAR, MONTH, amount, reason, explanation)

    assert got_ok is ok, messages
    if not ok:
        assert any(message in m for m in messages), messages
        if path == "import":
            assert any(m.startswith(f"第{IMPORT_ROW}行") and message in m for m in messages), messages
    assert stored(p) == want_stored
    assert history(p) == want_history
    # Nothing else was touched: the other months and their history are as they were.
    assert {m: stored(p, month=m) for m in months_before} == months_before
    assert MonthlyProgress.history.exclude(month=MONTH).count() == other_history
    if case == "f-approved-then-changed":
        # The approval of version 1 is not an approval of version 2: the reviewer must look again.
        r = MonthlyProgress.objects.get(project=p, year=YEAR, month=MONTH)
        with pytest.raises(ValidationError):
            progress.approve_report(world.ls_admin, r, version=1)
        assert stored(p)["status"] == ReportStatus.DRAFT


# ------------------------------------------------------------------ approval of what was read


@pytest.mark.django_db
def test_an_approval_names_the_version_the_reviewer_read(world):
    p = _started_with_three_months(world)
    r = report(world.ls_editor, p, MONTH, "120", reason=REASON)
    progress.submit_report(world.ls_editor, r)
    read = MonthlyProgress.objects.get(pk=r.pk)  # what the reviewer has on screen
    v = read.version
    assert (v, read.status) == (1, ReportStatus.SUBMITTED)

    corrected = report(world.unit_user, p, MONTH, "130", reason="补录发票")
    assert (corrected.version, corrected.status) == (v + 1, ReportStatus.DRAFT)

    with pytest.raises(ValidationError) as e:
        progress.approve_report(world.ls_admin, read, version=v)
    assert "已被修改" in str(e.value)
    # The object in the reviewer's hand, without naming a version, is the one read: refused too.
    with pytest.raises(ValidationError):
        progress.approve_report(world.ls_admin, read)
    now = MonthlyProgress.objects.get(pk=r.pk)
    assert (now.status, now.version, now.investment, now.approved_version, now.approved_by) == (
        ReportStatus.DRAFT, v + 1, Decimal("130"), None, None)
    assert not MonthlyProgress.history.filter(id=r.pk, status=ReportStatus.APPROVED).exists()

    # Submitted again and read again, the new version can be approved.
    progress.submit_report(world.unit_user, now)
    progress.approve_report(world.ls_admin, now, version=v + 1)
    now.refresh_from_db()
    assert (now.status, now.approved_version, now.investment) == (ReportStatus.APPROVED, v + 1, Decimal("130"))


ROUNDS = 20


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks on two connections need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_correction_racing_an_approval_never_leaves_an_approved_other_figure(world):
    p = _started_with_three_months(world)
    r = report(world.ls_editor, p, MONTH, "120", reason=REASON)
    outcomes = []
    for i in range(ROUNDS):
        current = MonthlyProgress.objects.get(pk=r.pk)
        if current.status != ReportStatus.SUBMITTED:
            progress.submit_report(world.ls_editor, current)
        seen = MonthlyProgress.objects.get(pk=r.pk)  # the reviewer reads version v
        submitted, v = seen.investment, seen.version
        corrected = submitted + 1  # a rise: a lower figure would be refused by "cumulative falls"
        barrier = threading.Barrier(2)
        errors: dict[str, BaseException | None] = {}

        def correct(corrected=corrected, barrier=barrier, errors=errors, i=i):
            try:
                barrier.wait()
                progress.save_progress(world.unit_user, p, YEAR, MONTH, {"investment": corrected},
                                       reason=f"第{i + 1}次更正", today=TODAY)
                errors["correct"] = None
            except BaseException as e:  # noqa: B036 - reported to the main thread
                errors["correct"] = e
            finally:
                connection.close()

        def approve(seen=seen, v=v, barrier=barrier, errors=errors):
            try:
                barrier.wait()
                progress.approve_report(world.ls_admin, seen, version=v)
                errors["approve"] = None
            except BaseException as e:  # noqa: B036
                errors["approve"] = e
            finally:
                connection.close()

        threads = [threading.Thread(target=correct), threading.Thread(target=approve)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not any(t.is_alive() for t in threads), f"round {i + 1}: a thread hangs"

        assert errors["correct"] is None, f"round {i + 1}: {errors['correct']!r}"
        assert errors["approve"] is None or isinstance(errors["approve"], ValidationError), errors["approve"]
        final = MonthlyProgress.objects.get(pk=r.pk)
        if final.status == ReportStatus.APPROVED:
            assert (final.approved_version, final.investment) == (final.version, submitted), f"round {i + 1}"
        # The correction always lands, on top of whatever the approval did.
        assert (final.status, final.version, final.investment) == (ReportStatus.DRAFT, v + 1, corrected)
        approved_now = errors["approve"] is None
        if approved_now:  # it approved version v, of the submitted figure, before the correction
            assert final.approved_version == v
        rows = list(MonthlyProgress.history.filter(id=r.pk, version=v, status=ReportStatus.APPROVED))
        assert len(rows) == (1 if approved_now else 0), f"round {i + 1}"
        if approved_now:
            assert rows[0].investment == submitted
        assert not MonthlyProgress.history.filter(id=r.pk, status=ReportStatus.APPROVED).exclude(
            investment=submitted).filter(version=v).exists()
        outcomes.append("approved first" if approved_now else "corrected first")
    # Every approved history row is of the figure of its version (never a later one).
    for h in MonthlyProgress.history.filter(id=r.pk, status=ReportStatus.APPROVED):
        assert h.approved_version == h.version
    print({o: outcomes.count(o) for o in set(outcomes)})
