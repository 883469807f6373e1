"""The monthly cycle's actions: each checks who may do it, validates, and keeps history."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from taizhang.accounts.choices import Role
from taizhang.core.history import change_context
from taizhang.core.scope import Action, is_admin_of
from taizhang.monitoring.metrics import month_end, pct
from taizhang.projects.models import MonthlyProgress, Project

from .choices import PeriodStatus, ReportStatus
from .models import Attachment, ReportingPeriod, ReportingSettings, Revision
from .rules import check

# -------------------------------------------------------------- periods and who owes what


def deadline_for(region, year: int, month: int) -> dt.date:
    day = getattr(ReportingSettings.objects.filter(region=region).first(), "deadline_day", 5)
    ny, nm = (year + 1, 1) if month == 12 else (year, month + 1)
    return dt.date(ny, nm, day)


def period_for(region, year: int, month: int) -> ReportingPeriod:
    period, _ = ReportingPeriod.objects.get_or_create(
        region=region, year=year, month=month, defaults={"deadline": deadline_for(region, year, month)})
    return period


def owing_projects(period: ReportingPeriod, user=None):
    """Projects that owe a report for the month: started by its end, not completed before it began."""
    start, end = dt.date(period.year, period.month, 1), month_end(period.year, period.month)
    qs = Project.objects.filter(region=period.region, actual_start__lte=end).exclude(actual_completion__lt=start)
    if user is not None:
        qs = qs.restrict(user, Action.VIEW)
    return qs.select_related("responsible_unit", "park").order_by("responsible_unit__name", "name")


@dataclass
class Owed:
    project: Project
    report: MonthlyProgress | None
    submitted: bool
    on_time: bool
    late: bool


def reporting_status(period: ReportingPeriod, today: dt.date | None = None, user=None) -> dict:
    """Who owes, who reported, who is late; rates by responsible unit and by park."""
    today = today or timezone.localdate()
    projects = list(owing_projects(period, user))
    reports = {r.project_id: r for r in MonthlyProgress.objects.filter(
        project__in=projects, year=period.year, month=period.month)}
    rows = []
    for p in projects:
        r = reports.get(p.pk)
        submitted_at = r.submitted_at if r is not None and r.status in (ReportStatus.SUBMITTED,
                                                                         ReportStatus.APPROVED) else None
        submitted = submitted_at is not None
        on_time = submitted and timezone.localdate(submitted_at) <= period.deadline
        late = (not submitted and today > period.deadline) or (submitted and not on_time)
        rows.append(Owed(p, r, submitted, on_time, late))

    def rates(key):
        groups = defaultdict(list)
        for row in rows:
            groups[key(row.project)].append(row)
        out = []
        for label, items in sorted(groups.items(), key=lambda kv: str(kv[0])):
            n = len(items)
            out.append({"label": str(label or "未指定"), "owed": n,
                        "reported": sum(1 for x in items if x.submitted),
                        "on_time": sum(1 for x in items if x.on_time),
                        "rate": pct(sum(1 for x in items if x.submitted), n),
                        "on_time_rate": pct(sum(1 for x in items if x.on_time), n)})
        return out

    late_units = {}
    for row in rows:
        if row.late and not row.submitted:
            unit = row.project.responsible_unit
            key = unit.pk if unit else None
            late_units.setdefault(key, {"unit": unit, "projects": []})["projects"].append(row.project)
    n = len(rows)
    return {
        "rows": rows, "owed": n, "reported": sum(1 for x in rows if x.submitted),
        "rate": pct(sum(1 for x in rows if x.submitted), n),
        "on_time_rate": pct(sum(1 for x in rows if x.on_time), n),
        "by_unit": rates(lambda p: p.responsible_unit), "by_park": rates(lambda p: p.park),
        "late_units": list(late_units.values()),
    }


def period_findings(period: ReportingPeriod) -> list[tuple[MonthlyProgress, str, str]]:
    """The rules run again over every report of the month (imported ones included)."""
    out = []
    for report in MonthlyProgress.objects.filter(project__region=period.region, year=period.year,
                                                 month=period.month).select_related("project__region"):
        values = {"investment": report.investment, "funds_domestic": report.funds_domestic,
                  "funds_foreign": report.funds_foreign, "exchange_rate": report.exchange_rate}
        for f in check(report.project, period.year, period.month, values, existing=None):
            if f.hard or not report.explanation:
                out.append((report, f.severity, f.message))
    return out


def revision_note(regions, year: int, month: int) -> str:
    """Which version of the month a total was built on, e.g. "崂山区2024年1月:市已锁定,第2版"."""
    parts = []
    for p in ReportingPeriod.objects.filter(region__in=regions, year=year, month=month).select_related("region"):
        parts.append(f"{p.region}{p.year}年{p.month}月:{p.get_status_display()},第{p.revision}版")
    return ";".join(parts) or f"{year}年{month}月:填报中(未锁定)"


# -------------------------------------------------------------- approval and locking


def is_district_admin(user, region) -> bool:
    return is_admin_of(user, region, Role.DISTRICT_ADMIN)


def is_city_admin(user, region) -> bool:
    return is_admin_of(user, region, Role.CITY_ADMIN)


def _report_in_scope(user, report, action) -> None:
    if not Project.objects.restrict(user, action).filter(pk=report.project_id).exists():
        raise PermissionDenied("该项目不在您的管理范围内")


def _open_period(report) -> ReportingPeriod:
    period = period_for(report.project.region, report.year, report.month)
    if period.status != PeriodStatus.OPEN:
        raise ValidationError(f"{period}已{period.get_status_display()},不能再变更报告")
    return period


def submit_report(user, report: MonthlyProgress) -> MonthlyProgress:
    _report_in_scope(user, report, Action.REPORT)
    _open_period(report)
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        raise ValidationError("该报告已提交")
    with transaction.atomic(), change_context(user, "提交月度进展"):
        report.status = ReportStatus.SUBMITTED
        report.submitted_at = timezone.now()
        report.save(update_fields=["status", "submitted_at", "updated"])
    return report


def approve_report(user, report: MonthlyProgress) -> MonthlyProgress:
    if not is_district_admin(user, report.project.region):
        raise PermissionDenied("只有区级管理员可以审核")
    _open_period(report)
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError("只能审核已提交的报告")
    with transaction.atomic(), change_context(user, "审核通过"):
        report.status, report.approved_by, report.approved_at = ReportStatus.APPROVED, user, timezone.now()
        report.return_reason = ""
        report.save(update_fields=["status", "approved_by", "approved_at", "return_reason", "updated"])
    return report


def return_report(user, report: MonthlyProgress, reason: str) -> MonthlyProgress:
    if not is_district_admin(user, report.project.region):
        raise PermissionDenied("只有区级管理员可以退回")
    _open_period(report)
    if not (reason or "").strip():
        raise ValidationError({"reason": ["退回须说明原因"]})
    if report.status not in (ReportStatus.SUBMITTED, ReportStatus.APPROVED):
        raise ValidationError("只能退回已提交或已审核的报告")
    with transaction.atomic(), change_context(user, f"退回:{reason}"):
        report.status, report.return_reason = ReportStatus.RETURNED, reason
        report.save(update_fields=["status", "return_reason", "updated"])
    return report


def submit_period(user, period: ReportingPeriod, today: dt.date | None = None) -> ReportingPeriod:
    if not is_district_admin(user, period.region):
        raise PermissionDenied("只有区级管理员可以报送本月")
    if period.status != PeriodStatus.OPEN:
        raise ValidationError("该月已报送")
    status = reporting_status(period, today)
    missing = [row.project.name for row in status["rows"]
               if row.report is None or row.report.status != ReportStatus.APPROVED]
    if missing:
        raise ValidationError(f"还有{len(missing)}个项目的报告未审核通过:{'、'.join(missing[:5])}")
    with transaction.atomic(), change_context(user, "区报送本月"):
        period.status, period.submitted_by, period.submitted_at = PeriodStatus.SUBMITTED, user, timezone.now()
        period.save()
    return period


def lock_period(user, period: ReportingPeriod) -> ReportingPeriod:
    if not is_city_admin(user, period.region):
        raise PermissionDenied("只有市级管理员可以锁定")
    if period.status != PeriodStatus.SUBMITTED:
        raise ValidationError("区尚未报送,不能锁定")
    with transaction.atomic(), change_context(user, "市锁定本月"):
        period.status, period.locked_by, period.locked_at = PeriodStatus.LOCKED, user, timezone.now()
        period.save()
    return period


def correct_locked(user, report: MonthlyProgress, investment: Decimal, reason: str) -> Revision:
    """A correction after locking: a new, visible revision of the month, with its reason."""
    period = period_for(report.project.region, report.year, report.month)
    if period.status != PeriodStatus.LOCKED:
        raise ValidationError("该月未锁定,请直接修改报告")
    if not (is_district_admin(user, period.region) or is_city_admin(user, period.region)):
        raise PermissionDenied("只有区级或市级管理员可以更正已锁定的月份")
    if not (reason or "").strip():
        raise ValidationError({"reason": ["锁定后更正须说明原因"]})
    if investment is None or investment < 0:
        raise ValidationError({"investment": ["本月完成投资不能为负数"]})
    with transaction.atomic(), change_context(user, f"锁定后更正:{reason}"):
        period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
        period.revision += 1
        period.save()
        revision = Revision.objects.create(report=report, period=period, number=period.revision,
                                           old_investment=report.investment, new_investment=investment,
                                           reason=reason, user=user)
        report.investment = investment
        report.save(update_fields=["investment", "updated"])
    return revision


# -------------------------------------------------------------- evidence

ALLOWED = {"jpg": (b"\xff\xd8\xff",), "jpeg": (b"\xff\xd8\xff",), "png": (b"\x89PNG\r\n\x1a\n",),
           "pdf": (b"%PDF-",), "docx": (b"PK\x03\x04",), "xlsx": (b"PK\x03\x04",)}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def add_attachment(user, report: MonthlyProgress, upload) -> Attachment:
    """Keep a photo or document with the report: its type, size and content must agree."""
    _report_in_scope(user, report, Action.REPORT)
    name = Path(upload.name or "").name
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED:
        raise ValidationError({"file": [f"不支持的文件类型“.{ext}”,可上传 jpg、png、pdf、docx、xlsx"]})
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": [f"文件过大({upload.size // 1024 // 1024} MB),上限 10 MB"]})
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(m) for m in ALLOWED[ext]):
        raise ValidationError({"file": [f"文件内容与扩展名“.{ext}”不符,请检查文件"]})
    if ext in ("docx", "xlsx"):
        import zipfile

        try:
            with zipfile.ZipFile(upload) as z:
                ok = "[Content_Types].xml" in z.namelist()
        except zipfile.BadZipFile:
            ok = False
        upload.seek(0)
        if not ok:
            raise ValidationError({"file": [f"文件内容与扩展名“.{ext}”不符,请检查文件"]})
    with transaction.atomic():
        return Attachment.objects.create(report=report, file=upload, original_name=name[:200],
                                         kind="jpg" if ext == "jpeg" else ext, size=upload.size, uploaded_by=user)
