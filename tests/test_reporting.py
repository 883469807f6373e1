"""A month end to end, reporting rates, uploads, and 督办 — answers worked out by hand."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from taizhang.accounts.choices import Role
from taizhang.monitoring import report as monthly
from taizhang.monitoring.metrics import Snapshot
from taizhang.projects import services as ledger
from taizhang.projects.choices import Stage
from taizhang.projects.models import Project
from taizhang.reporting import progress, services, supervision
from taizhang.reporting.choices import OrderLevel, OrderStatus, PeriodStatus, ReportStatus
from taizhang.reporting.models import Attachment, SupervisionOrder, ValidationRule
from taizhang.reporting.todos import todos

from .conftest import make_project, make_user

pytestmark = pytest.mark.django_db
TODAY = dt.date(2024, 2, 3)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def started(world, project, day=dt.date(2024, 1, 5)):
    ledger.move_stage(world.ls_admin, project, Stage.STARTED, day, "直接开工")
    project.refresh_from_db()
    return project


def save(user, project, month, amount, year=2024, **kw):
    reason = kw.pop("reason", "")
    explanation = kw.pop("explanation", "")
    return progress.save_progress(user, project, year, month, {"investment": D(amount), **kw}, reason=reason,
                                today=dt.date(2024, 12, 31), explanation=explanation)


def test_a_month_from_reports_to_locking_and_a_revision(world):
    unit, admin, city = world.unit_user, world.ls_admin, world.city_admin
    p = started(world, world.ls_project)  # 总投资 52000, responsible unit: 投资促进中心
    q = started(world, world.ls_other)    # 总投资 8000
    # A hard rule blocks the save, with a message in Chinese.
    with pytest.raises(ValidationError, match="超过剩余总投资"):
        save(admin, q, 1, "9000")
    # A soft rule asks for an explanation, which is kept with the report.
    for month in (1, 2, 3):
        save(unit, p, month, "100")
    with pytest.raises(ValidationError) as e:
        save(unit, p, 4, "900")
    assert "explanation" in e.value.message_dict
    r4 = save(unit, p, 4, "900", explanation="设备集中采购")
    assert r4.explanation == "设备集中采购"

    # April: the unit reports, the district returns, the unit corrects and resubmits, the district approves.
    period = services.period_for(world.laoshan, 2024, 4)
    assert period.deadline == dt.date(2024, 5, 5)
    progress.submit_report(unit, r4)
    with pytest.raises(ValidationError, match="退回须说明原因"):
        progress.return_report(admin, r4, "")
    progress.return_report(admin, r4, "请补充设备采购合同")
    r4.refresh_from_db()
    assert (r4.status, r4.return_reason) == (ReportStatus.RETURNED, "请补充设备采购合同")
    r4 = save(unit, p, 4, "950", reason="补录运费", explanation="设备集中采购")
    progress.submit_report(unit, r4)
    with pytest.raises(PermissionDenied):
        progress.approve_report(unit, r4)
    progress.approve_report(admin, r4)
    # The district cannot submit the month while a project that owes a report has none approved.
    with pytest.raises(ValidationError, match="未审核通过"):
        services.submit_period(admin, period)
    rq = save(admin, q, 4, "50")
    progress.submit_report(admin, rq)
    progress.approve_report(admin, rq)
    with pytest.raises(PermissionDenied):
        services.lock_period(admin, period)
    services.submit_period(admin, period)
    with pytest.raises(ValidationError, match="已报送"):
        progress.submit_report(unit, r4)
    services.lock_period(city, period)
    period.refresh_from_db()
    assert period.status == PeriodStatus.LOCKED and period.label == "2024年4月 第1版"

    # A locked month cannot change, not through the ledger either.
    with pytest.raises(ValidationError, match="已锁定"):
        save(unit, p, 4, "960", reason="再改", explanation="x")
    # A correction after locking is a new, visible revision with its reason.
    with pytest.raises(ValidationError, match="原因"):
        progress.correct_locked(admin, r4, D("940"), "")
    rev = progress.correct_locked(admin, r4, D("940"), "发票重复计入10万元")
    period.refresh_from_db()
    r4.refresh_from_db()
    assert (rev.number, rev.old_investment, rev.new_investment, r4.investment) == (2, D("950"), D("940"), D("940"))
    assert period.label == "2024年4月 第2版"
    # Totals built on the month say which revision they used.
    snap = Snapshot(Project.objects.restrict(admin), 2024, 4, today=dt.date(2024, 12, 31))
    assert snap.completed().value == D("100") * 3 + D("940") + D("50")
    rows = list(load_workbook(io.BytesIO(monthly.workbook(snap, "崂山区"))).active.iter_rows(values_only=True))
    assert any(isinstance(r[0], str) and r[0].startswith("数据版本:含崂山区2024年4月第2版") for r in rows)


@pytest.mark.parametrize(
    "setup, message",
    [
        ("not_started", "尚未开工"),
        ("funds", "超过合同引资"),
        ("falls", "累计投资不得下降"),
    ],
)
def test_hard_rules(world, setup, message):
    p = world.ls_project
    if setup == "not_started":
        with pytest.raises(ValidationError, match=message):
            save(world.ls_editor, p, 1, "10")
        return
    started(world, p)
    if setup == "funds":
        ledger.update_project(world.ls_admin, p, {"contract_amount": D("1000")}, None)
        save(world.ls_editor, p, 1, "10", funds_domestic=D("900"))
        with pytest.raises(ValidationError, match=message):
            save(world.ls_editor, p, 2, "10", funds_domestic=D("200"))
    if setup == "falls":
        save(world.ls_editor, p, 1, "300")
        with pytest.raises(ValidationError, match=message):
            save(world.ls_editor, p, 1, "200", reason="更正")


def test_an_admin_tunes_the_rules(world):
    p = started(world, world.ls_project)
    for month in (1, 2, 3):
        save(world.ls_editor, p, month, "100")
    ValidationRule.objects.create(region=world.laoshan, kind="spike", severity="soft", threshold=D("10"))
    save(world.ls_editor, p, 4, "900")  # 9x the usual: under the district's 10x
    ValidationRule.objects.filter(kind="spike").update(severity="hard", threshold=D("2"))
    with pytest.raises(ValidationError, match="2"):
        save(world.ls_editor, p, 5, "300")


def test_reporting_rate_and_late_list(world, django_user_model):
    admin = world.ls_admin
    a = started(world, world.ls_project)      # unit 投资促进中心
    b = started(world, world.ls_other)        # unit 发改局
    c = started(world, make_project(admin, world.laoshan, "第三个项目", "5000", unit=world.ls_fgj))
    make_project(admin, world.laoshan, "未开工项目", "5000", unit=world.ls_fgj)  # owes nothing
    world.ls_fgj.contact_person, world.ls_fgj.contact_phone = "王五", "0532-88990000"
    world.ls_fgj.save()
    period = services.period_for(world.laoshan, 2024, 1)  # deadline 2024-02-05
    r = save(admin, a, 1, "10")
    progress.submit_report(admin, r)
    type(r).objects.filter(pk=r.pk).update(submitted_at=timezone.make_aware(dt.datetime(2024, 2, 1, 10)))  # on time
    r = save(admin, b, 1, "10")
    progress.submit_report(admin, r)
    type(r).objects.filter(pk=r.pk).update(submitted_at=timezone.make_aware(dt.datetime(2024, 2, 9, 10)))  # late
    status = services.reporting_status(period, today=dt.date(2024, 2, 10))
    assert (status["owed"], status["reported"], status["rate"], status["on_time_rate"]) == (3, 2, D("66.67"), D("33.33"))
    by_unit = {g["label"]: (g["owed"], g["reported"], g["on_time"]) for g in status["by_unit"]}
    assert by_unit == {"崂山区投资促进中心": (1, 1, 1), "崂山区发展和改革局": (2, 1, 0)}
    [late] = status["late_units"]
    assert late["unit"].contact_person == "王五" and [x.name for x in late["projects"]] == [c.name]
    # Before the deadline nobody is late yet.
    assert services.reporting_status(period, today=dt.date(2024, 2, 5))["late_units"] == []


@pytest.mark.parametrize(
    "name, content, size, message",
    [
        ("photo.exe", b"MZ" + b"\x00" * 10, None, "不支持的文件类型"),
        ("photo.png", b"GIF89a" + b"\x00" * 10, None, "不符"),
        ("photo.png", PNG, 11 * 1024 * 1024, "文件过大"),
        ("contract.docx", b"PK\x03\x04not a zip", None, "不符"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(world, settings, tmp_path, name, content, size, message):
    settings.MEDIA_ROOT = tmp_path
    p = started(world, world.ls_project)
    r = save(world.unit_user, p, 1, "10")
    upload = SimpleUploadedFile(name, content)
    if size:
        upload.size = size
    with pytest.raises(ValidationError, match=message):
        services.add_attachment(world.unit_user, r, upload)
    assert not Attachment.objects.exists() and not any(tmp_path.rglob("*.*"))


def test_a_photo_is_kept_with_the_report_and_shown_only_in_scope(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    p = started(world, world.ls_project)
    r = save(world.unit_user, p, 1, "10")
    a = services.add_attachment(world.unit_user, r, SimpleUploadedFile("现场.png", PNG))
    assert a.kind == "png" and a.size == len(PNG)
    client.force_login(world.ls_viewer)
    assert client.get(f"/reporting/attachments/{a.pk}/").status_code == 200
    client.force_login(world.lc_editor)
    assert client.get(f"/reporting/attachments/{a.pk}/").status_code == 404


def test_supervision_from_issue_to_close_and_escalation(world, django_user_model):
    admin, unit = world.ls_admin, world.unit_user
    leader = world.ls_viewer
    with pytest.raises(ValidationError):
        supervision.issue_order(admin, unit=world.ls_zs, content="", deadline=dt.date(2020, 1, 1), source="warning")
    with pytest.raises(PermissionDenied):
        supervision.issue_order(world.ls_editor, unit=world.ls_zs, content="x", deadline=dt.date(2099, 1, 1),
                             source="warning")
    order = supervision.issue_order(admin, unit=world.ls_zs, project=world.ls_project, content="进度滞后,请说明原因",
                                 deadline=timezone.localdate() + dt.timedelta(days=7), source="warning")
    assert any(what == "督办待答复" for what, _, _ in todos(unit))
    with pytest.raises(ValidationError, match="尚未答复"):
        supervision.close_order(admin, order)
    with pytest.raises(PermissionDenied):
        supervision.answer_order(world.ls_editor, order, "x")
    supervision.answer_order(unit, order, "已协调施工队伍,本月赶上进度")
    assert any(what == "督办待办结" for what, _, _ in todos(admin))
    supervision.close_order(admin, order)
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED and order.history.count() == 3

    second = supervision.issue_order(admin, unit=world.ls_zs, content="问题逾期", source="problem",
                                  deadline=timezone.localdate() + dt.timedelta(days=1))
    supervision.escalate_order(admin, second, "逾期未解决")
    assert second.level == OrderLevel.LEADER
    assert any(what == "领导督办" for what, _, _ in todos(leader))
    supervision.escalate_order(admin, second, "仍未解决")
    assert second.level == OrderLevel.CITY
    with pytest.raises(PermissionDenied):
        supervision.close_order(admin, second)  # now the city's
    with pytest.raises(ValidationError, match="已是市级"):
        supervision.escalate_order(world.city_admin, second)
    # The daily job marks what fell overdue, once.
    assert supervision.mark_overdue(timezone.localdate() + dt.timedelta(days=30)) == 1
    assert supervision.mark_overdue(timezone.localdate() + dt.timedelta(days=30)) == 0
    assert SupervisionOrder.objects.get(pk=second.pk).overdue


def test_todos_for_each_role(world, django_user_model):
    p = started(world, world.ls_project)
    r = save(world.unit_user, p, 1, "10")
    assert ("待提交", f"{p} 2024年1月") in [(w, d) for w, d, _ in todos(world.unit_user)]
    progress.submit_report(world.unit_user, r)
    assert ("待审核", f"{p} 2024年1月") in [(w, d) for w, d, _ in todos(world.ls_admin)]
    progress.approve_report(world.ls_admin, r)
    period = services.period_for(world.laoshan, 2024, 1)
    services.submit_period(world.ls_admin, period)
    assert any(w == "待锁定" for w, _, _ in todos(world.city_admin))
    other_city = make_user(django_user_model, "other_admin", Role.CITY_ADMIN, world.shandong)
    assert todos(other_city)  # the province sees Qingdao's too (subtree)


def test_a_district_admin_sets_rules_and_deadline_on_a_page(client, world):
    from taizhang.reporting.choices import RuleKind

    client.force_login(world.ls_editor)
    assert client.get("/reporting/rules/").status_code == 403
    client.force_login(world.ls_admin)
    page = client.get("/reporting/rules/")
    assert page.status_code == 200
    data = {"form-TOTAL_FORMS": "6", "form-INITIAL_FORMS": "6", "deadline_day": "8"}
    for i, kind in enumerate(RuleKind.values):
        data[f"form-{i}-kind"] = kind
        data[f"form-{i}-severity"] = "hard"
        if kind != RuleKind.NOT_STARTED:
            data[f"form-{i}-active"] = "on"
        if kind == RuleKind.SPIKE:
            data[f"form-{i}-severity"], data[f"form-{i}-threshold"] = "soft", "5"
    assert client.post("/reporting/rules/", data).status_code == 302
    assert not ValidationRule.objects.get(region=world.laoshan, kind=RuleKind.NOT_STARTED).active
    assert ValidationRule.objects.get(region=world.laoshan, kind=RuleKind.SPIKE).threshold == 5
    assert services.deadline_for(world.laoshan, 2024, 12) == dt.date(2025, 1, 8)
    save(world.ls_editor, world.ls_project, 1, "10")  # the start rule is off now


def test_the_daily_job_marks_overdue_orders_and_clears_abandoned_imports(world, settings, tmp_path):
    from django.core.management import call_command

    from taizhang.projects.import_views import _path
    from taizhang.projects.models import ImportBatch

    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "imports").mkdir()
    old = ImportBatch.objects.create(token="old", user=world.ls_admin, filename="a.xlsx")
    fresh = ImportBatch.objects.create(token="fresh", user=world.ls_admin, filename="b.xlsx")
    ImportBatch.objects.filter(pk=old.pk).update(created=timezone.now() - dt.timedelta(days=3))
    for b in (old, fresh):
        _path(b).write_bytes(b"x")
    order = supervision.issue_order(world.ls_admin, unit=world.ls_zs, content="x", source="other",
                                 deadline=timezone.localdate())
    SupervisionOrder.objects.filter(pk=order.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    out = io.StringIO()
    call_command("daily", stdout=out)
    assert "新标记逾期督办单 1 个" in out.getvalue() and "清理过期未确认的导入 1 个" in out.getvalue()
    assert not _path(old).exists() and _path(fresh).exists()
    assert list(ImportBatch.objects.values_list("token", flat=True)) == ["fresh"]
    assert SupervisionOrder.objects.get(pk=order.pk).overdue
