"""The monthly cycle's actions: each checks who may do it, validates, and keeps history."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.core.history import change_context
from taizhang.core.numbers import pct
from taizhang.core.scope import Action, may
from taizhang.projects.models import MonthlyProgress, Project

from . import obligations
from .choices import PeriodStatus, ReportStatus
from .models import Attachment, ReportingPeriod, ReportingSettings, Revision
from .rules import check, contexts, rules_for

# -------------------------------------------------------------- periods and who owes what


DEFAULT_DEADLINE_DAY = 5


def _due(year: int, month: int, day: int) -> dt.date:
    """A month's reports are due on ``day`` of the next month."""
    ny, nm = (year + 1, 1) if month == 12 else (year, month + 1)
    return dt.date(ny, nm, day)


def deadline_for(region, year: int, month: int) -> dt.date:
    """The deadline a district's month gets when it is opened (from its settings)."""
    day = getattr(ReportingSettings.objects.filter(region=region).first(), "deadline_day", DEFAULT_DEADLINE_DAY)
    return _due(year, month, day)


def deadlines(regions, year: int, month: int) -> dict[int, dt.date]:
    """Each district's deadline for the month in two queries: its stored month's deadline, or
    the one its settings give (as ``deadline_for``)."""
    ids = [r.pk for r in regions]
    stored = dict(ReportingPeriod.objects.filter(region_id__in=ids, year=year, month=month)
                  .values_list("region_id", "deadline"))
    days = dict(ReportingSettings.objects.filter(region_id__in=ids).values_list("region_id", "deadline_day"))
    return {pk: stored.get(pk) or _due(year, month, days.get(pk, DEFAULT_DEADLINE_DAY)) for pk in ids}


def period_for(region, year: int, month: int) -> ReportingPeriod:
    """The district's month, created when something is about to be written into it."""
    period, _ = ReportingPeriod.objects.get_or_create(
        region=region, year=year, month=month, defaults={"deadline": deadline_for(region, year, month)})
    return period


def period_of(region, year: int, month: int) -> ReportingPeriod:
    """The district's month for reading: the stored one, or an open month with the district's
    deadline that is not saved (looking at a page writes nothing)."""
    period = ReportingPeriod.objects.filter(region=region, year=year, month=month).first()
    return period or ReportingPeriod(region=region, year=year, month=month,
                                     deadline=deadline_for(region, year, month))


def reporting_status(period: ReportingPeriod, today: dt.date | None = None, user=None) -> dict:
    """Who owes, who reported, who is late; rates by responsible unit and by park."""
    today = today or timezone.localdate()
    projects = Project.objects.filter(region=period.region)
    if user is not None:
        projects = projects.restrict(user, Action.VIEW)
    rows = obligations.owed(projects, period.year, period.month, period.deadline, today)

    def rates(key):
        groups = defaultdict(list)
        for row in rows:
            groups[key(row.project)].append(row)
        out = []
        for label, items in sorted(groups.items(), key=lambda kv: str(kv[0])):
            n = len(items)
            out.append({"label": str(label or _("未指定")), "owed": n,
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
    reported = sum(1 for x in rows if x.submitted)
    return {
        "rows": rows, "owed": n, "reported": reported, "not_reported": n - reported,
        "late": sum(1 for x in rows if x.late and not x.submitted),
        "rate": pct(reported, n),
        "on_time_rate": pct(sum(1 for x in rows if x.on_time), n),
        "by_unit": rates(lambda p: p.responsible_unit), "by_park": rates(lambda p: p.park),
        "late_units": list(late_units.values()),
    }


def period_findings(period: ReportingPeriod) -> list[tuple[MonthlyProgress, str, str]]:
    """The rules run again over every report of the month (imported ones included)."""
    reports = list(MonthlyProgress.objects.filter(project__region=period.region, year=period.year,
                                                  month=period.month).select_related("project__region"))
    ctxs = contexts({r.project_id for r in reports})
    rules = rules_for(period.region)
    out = []
    for report in reports:
        values = {"investment": report.investment, "funds_domestic": report.funds_domestic,
                  "funds_foreign": report.funds_foreign, "exchange_rate": report.exchange_rate}
        for f in check(report.project, period.year, period.month, values, None, rules, ctxs[report.project_id]):
            if f.hard or not report.explanation:
                out.append((report, f.severity, f.message))
    return out


# -------------------------------------------------------------- revisions


def revisions_included(regions, year: int, month: int, as_of: dt.datetime | None = None) -> list[tuple]:
    """(region, month, revision) of the months 1..``month`` of ``year`` corrected after locking,
    as they stood at ``as_of`` (now, by default)."""
    from django.db.models import Count, Q

    counted = Q(revisions__created__lte=as_of) if as_of is not None else Q()
    periods = (ReportingPeriod.objects.filter(region__in=regions, year=year, month__lte=month)
               .annotate(n=Count("revisions__number", filter=counted, distinct=True))
               .filter(n__gt=0).select_related("region").order_by("region__path", "month"))
    return [(p.region, p.month, 1 + p.n) for p in periods]


def revision_note(regions, year: int, month: int, as_of: dt.datetime | None = None) -> str:
    """Which revisions of which months a figure as of (year, month) includes, e.g.
    "含崂山区2025年3月第2版;其余月份为第1版", and the state of the month itself."""
    included = revisions_included(regions, year, month, as_of)
    by_region: dict = defaultdict(list)
    for region, m, number in included:
        by_region[region].append(_("%(month)s月第%(number)s版") % {"month": m, "number": number})
    parts = [_("含%(region)s%(year)s年") % {"region": region, "year": year} + _("、").join(items)
             for region, items in by_region.items()]
    text = ";".join(parts) + (_(";其余月份为第1版") if parts else
                              _("%(year)s年1-%(month)s月均为第1版(无锁定后更正)") % {"year": year, "month": month})
    states = ReportingPeriod.objects.filter(region__in=regions, year=year, month=month)
    counts = defaultdict(int)
    for p in states:
        counts[p.get_status_display()] += 1
    if counts:
        text += ";" + _("%(month)s月:") % {"month": month} + _("、").join(
            _("%(label)s%(n)s个区") % {"label": label, "n": n} if len(states) > 1 else label
                                                 for label, n in counts.items())
    else:
        text += ";" + _("%(month)s月:填报中") % {"month": month}
    if as_of is not None:
        text += _("(截至%(time)s的数据)") % {"time": f"{timezone.localtime(as_of):%Y-%m-%d %H:%M}"}
    return text


def revision_choices(regions, year: int, month: int) -> list[Revision]:
    """The corrections a figure as of (year, month) includes, oldest first: each can be undone
    to show the figures as they stood before it."""
    return list(Revision.objects.filter(period__region__in=regions, period__year=year, period__month__lte=month)
                .select_related("period__region").order_by("created", "id"))


# -------------------------------------------------------------- the district's month


def submit_period(user, period: ReportingPeriod, today: dt.date | None = None) -> ReportingPeriod:
    if not may(user, Action.APPROVE, period):
        raise PermissionDenied(_("只有区级管理员可以报送本月"))
    with transaction.atomic(), change_context(user, gettext_noop("区报送本月")):
        period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
        if period.status != PeriodStatus.OPEN:
            raise ValidationError(_("该月已报送"))
        status = reporting_status(period, today)
        missing = [row.project.name for row in status["rows"]
                   if row.report is None or row.report.status != ReportStatus.APPROVED]
        if missing:
            raise ValidationError(_("还有%(n)s个项目的报告未审核通过:%(names)s") % {
                "n": len(missing), "names": _("、").join(missing[:5])})
        period.status, period.submitted_by, period.submitted_at = PeriodStatus.SUBMITTED, user, timezone.now()
        period.save()
    return period


def lock_period(user, period: ReportingPeriod) -> ReportingPeriod:
    if not may(user, Action.LOCK, period):
        raise PermissionDenied(_("只有市级管理员可以锁定"))
    with transaction.atomic(), change_context(user, gettext_noop("市锁定本月")):
        period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
        if period.status != PeriodStatus.SUBMITTED:
            raise ValidationError(_("区尚未报送,不能锁定"))
        period.status, period.locked_by, period.locked_at = PeriodStatus.LOCKED, user, timezone.now()
        period.save()
    return period


def reopen_period(user, period: ReportingPeriod, reason: str) -> ReportingPeriod:
    """The city sends a submitted (not yet locked) month back to the district to change."""
    if not may(user, Action.LOCK, period):
        raise PermissionDenied(_("只有市级管理员可以退回报送"))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("退回报送须说明原因")]})
    with transaction.atomic(), change_context(user, gettext_noop("退回报送") + f":{reason}"):
        period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
        if period.status != PeriodStatus.SUBMITTED:
            raise ValidationError(_("只有区已报送、市未锁定的月份可以退回"))
        period.status, period.submitted_by, period.submitted_at = PeriodStatus.OPEN, None, None
        period.save()
    return period


# -------------------------------------------------------------- evidence

ALLOWED = {"jpg": (b"\xff\xd8\xff",), "jpeg": (b"\xff\xd8\xff",), "png": (b"\x89PNG\r\n\x1a\n",),
           "pdf": (b"%PDF-",), "docx": (b"PK\x03\x04",), "xlsx": (b"PK\x03\x04",)}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def add_attachment(user, report: MonthlyProgress, upload) -> Attachment:
    """Keep a photo or document with the report: its type, size and content must agree."""
    if not may(user, Action.REPORT, report):
        raise PermissionDenied(_("该项目不在您的管理范围内"))
    name = Path(upload.name or "").name
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED:
        raise ValidationError({"file": [_("不支持的文件类型“.%(ext)s”,可上传 jpg、png、pdf、docx、xlsx") % {"ext": ext}]})
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": [_("文件过大(%(mb)s MB),上限 10 MB") % {"mb": upload.size // 1024 // 1024}]})
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(m) for m in ALLOWED[ext]):
        raise ValidationError({"file": [_("文件内容与扩展名“.%(ext)s”不符,请检查文件") % {"ext": ext}]})
    if ext in ("docx", "xlsx"):
        import zipfile

        try:
            with zipfile.ZipFile(upload) as z:
                ok = "[Content_Types].xml" in z.namelist()
        except zipfile.BadZipFile:
            ok = False
        upload.seek(0)
        if not ok:
            raise ValidationError({"file": [_("文件内容与扩展名“.%(ext)s”不符,请检查文件") % {"ext": ext}]})
    with transaction.atomic():
        return Attachment.objects.create(report=report, file=upload, original_name=name[:200],
                                         kind="jpg" if ext == "jpeg" else ext, size=upload.size, uploaded_by=user)
