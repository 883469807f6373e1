"""The one writer of monthly figures, and the steps of a report's review.

Every monthly figure, whether typed on the project page, posted to the API, read from
an Excel sheet, corrected after the month was locked, or made by the demo, is written by
:func:`write_reports`. It runs, in one transaction with the reports' rows locked:

1. who may report on the project (the one policy);
2. the month: not in the future; not 区已报送 or 市已锁定 (a correction of a locked month
   is its own numbered revision, :func:`correct_locked`);
3. the district's check rules (:mod:`.rules`), the "not started" rule among them, read
   from the project's dated stage history: hard findings refuse, soft ones need an
   explanation, which is kept;
4. a changed report needs a reason, keeps its old values in history, gets a new
   ``version``, and if it had been submitted or approved goes back to 待提交 for review.

An approval names the version it approves and is refused if the figure changed since
(:func:`approve_report`). With ``dry_run`` the writer checks everything and writes
nothing: the import preview shows exactly what confirming would do.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.core.bulk import insert_with_history
from taizhang.core.history import change_context
from taizhang.core.models import Verdicts, full_clean, instance
from taizhang.core.scope import Action, may, may_each
from taizhang.projects.models import MonthlyProgress, Project
from taizhang.projects.stages import history_of
from taizhang.regions.models import Region

from .choices import PeriodStatus, ReportStatus
from .models import ReportingPeriod, Revision
from .rules import Context, Finding, check, contexts, funds_of, rules_for

FIELDS = ("investment", "progress", "funds_domestic", "funds_foreign", "exchange_rate")
ZERO = Decimal("0")


@dataclass
class Entry:
    """One month of one project, as a page, the API, a sheet row or the demo gives it."""

    project: Project
    year: int
    month: int
    values: dict
    explanation: str = ""
    reason: str = ""
    label: str = ""  # where it came from, for messages: "第12行"


@dataclass
class Outcome:
    entry: Entry
    action: str = ""  # created, updated, unchanged
    report: MonthlyProgress | None = None
    findings: list[Finding] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)
    old_investment: Decimal | None = None

    def refuse(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


class ReportsRefused(ValidationError):
    """Some entries were refused; nothing was written. ``outcomes`` say which and why."""

    def __init__(self, outcomes: list[Outcome]):
        self.outcomes = outcomes
        bad = [o for o in outcomes if o.errors]
        if len(outcomes) == 1:
            super().__init__(bad[0].errors)
        else:
            super().__init__([f"{o.entry.label or _where(o.entry)} {m}" for o in bad for msgs in o.errors.values()
                              for m in msgs])


def _where(entry: Entry) -> str:
    return f"{entry.project.name} " + _("%(year)s年%(month)s月") % {"year": entry.year, "month": entry.month}


def save_progress(user, project: Project, year: int, month: int, data: dict, reason: str = "",
                  today: dt.date | None = None, explanation: str = "") -> MonthlyProgress:
    """Report one month of one project (the page's and the API's call)."""
    entry = Entry(project, year, month, dict(data), explanation=explanation or "", reason=reason or "")
    return write_reports(user, [entry], today=today)[0].report


def write_reports(user, entries: list[Entry], today: dt.date | None = None, dry_run: bool = False,
                  correction_reason: str = "", created=(), verdicts: Verdicts | None = None,
                  decided: list[Outcome] | None = None) -> list[Outcome]:
    """Check and write monthly reports, all or none. See the module's docstring.

    ``correction_reason``: the entries correct a locked month (a new numbered revision).
    ``created``: (project, its stage entries) of projects the caller creates in its own
    transaction (an import): they are taken as they are, not read again, and have no
    other months. In a dry run they need not be saved yet (the import's preview).
    ``verdicts``: values the reports' fields were found valid with before (an import's dry
    run), not validated again (:func:`taizhang.core.models.full_clean`).
    ``decided``: these entries' outcomes, one for each in the same place, decided before by
    this function, none refused, while everything they were decided by (the ledger, the
    user, the day, the entries and their projects' figures) is still as it was then; the
    caller knows it (an import confirming what its dry run decided, ``core.marks``). They
    are written as they are, not decided again, each report put on its entry's project.
    """
    today = today or timezone.localdate()
    if not entries:
        return []
    actor = user if getattr(user, "pk", None) else None  # a system writer (the demo) is nobody
    try:
        with transaction.atomic(), change_context(actor, _common_reason(entries, correction_reason)):
            if decided is not None:
                outcomes = _as_decided(entries, decided)
            else:
                outcomes = _decide(user, entries, today, correction_reason, created,
                                   Verdicts() if verdicts is None else verdicts)
            refused = any(o.errors for o in outcomes)
            if dry_run or refused:
                transaction.set_rollback(True)
                if refused and not dry_run:
                    raise ReportsRefused(outcomes)
                return outcomes
            _save(user, outcomes, correction_reason)
    except IntegrityError as e:
        # A report for the same month was created by someone else between our read and our
        # write (nothing to lock yet): nothing of this call is kept, and the user is told.
        raise ValidationError({"month": [_("该月报告刚刚由他人填报,未保存;请刷新后查看并按需更正")]}) from e
    return outcomes


def _common_reason(entries: list[Entry], correction_reason: str) -> str:
    if correction_reason:
        return f"锁定后更正:{correction_reason}"
    reasons = {e.reason for e in entries if e.reason}
    return reasons.pop() if len(reasons) == 1 else ""


def _key(project: Project):
    """A project's key in one call: its id, or for one not saved yet (a dry run's) the object."""
    return project.pk if project.pk is not None else ("new", id(project))


def _decide(user, entries: list[Entry], today: dt.date, correction_reason: str, created,
            verdicts: Verdicts) -> list[Outcome]:
    entry_keys = [_key(e.project) for e in entries]
    keys = set(entry_keys)
    made = {k: pair for pair in created if (k := _key(pair[0])) in keys}
    # The caller's new projects are asked of the policy as they are (saved in this
    # transaction or not); the others are read back within the user's scope.
    reread = {k for k in keys if not isinstance(k, tuple) and k not in made}
    allowed = set(Project.objects.restrict(user, Action.REPORT).filter(pk__in=reread)
                  .values_list("pk", flat=True)) if reread else set()
    new = [k for k in keys if k in made]
    allowed |= {k for k, ok in zip(new, may_each(user, Action.REPORT, [made[k][0] for k in new]), strict=True) if ok}
    projects = {p.pk: p for p in Project.objects.filter(pk__in=reread)} if reread else {}
    # Their districts, each read once (select_related would build one per project).
    regions = Region.objects.in_bulk({p.region_id for p in projects.values()})
    for p in projects.values():
        Project.region.field.set_cached_value(p, regions[p.region_id])
    projects.update({k: project for k, (project, _) in made.items()})
    years = {e.year for e in entries}
    # The rows are locked here: an approval waits for this write, and then sees the new version.
    existing = {(r.project_id, r.year, r.month): r for r in MonthlyProgress.objects.select_for_update()
                .filter(project_id__in=reread, year__in=years).order_by()} if reread else {}
    regions = {p.region_id for p in projects.values()}
    periods = {(p.region_id, p.year, p.month): p for p in ReportingPeriod.objects.filter(
        region_id__in=regions, year__in=years)}
    rules = {p.region_id: None for p in projects.values()}
    ctxs = contexts(reread)
    recorded = timezone.localdate()  # the day new entries are recorded (``today`` may be another)
    # New: their entries are their whole history, no months yet. Histories of the same
    # entries not saved yet (a dry run's) are the same (a history only answers questions of
    # its steps): each made once. Saved entries are each their own.
    shared: dict[tuple, object] = {}
    for k, (_project, changes) in made.items():
        if any(c.pk is not None for c in changes):
            ctxs[k] = Context(history=history_of(changes, recorded))
            continue
        key = tuple((c.to_stage, c.date, c.created, not c.from_stage) for c in changes)
        history = shared.get(key)
        if history is None:
            history = shared[key] = history_of(changes, recorded)
        ctxs[k] = Context(history=history)
    # The other months as they will stand once the whole batch is written.
    for e, k in zip(entries, entry_keys, strict=True):
        ctx = ctxs.get(k)
        if ctx is None:  # an unsaved project nobody said was new: refused below
            continue
        old = existing.get((k, e.year, e.month))
        merged = {f: getattr(old, f) for f in FIELDS} if old else {}
        merged.update({k: v for k, v in e.values.items() if k in FIELDS})
        if "investment" in merged and merged["investment"] is not None:
            ctx.investment[(e.year, e.month)] = merged["investment"]
        ctx.funds[(e.year, e.month)] = funds_of(merged)

    outcomes = []
    seen = set()
    for e, k in zip(entries, entry_keys, strict=True):
        o = Outcome(e)
        outcomes.append(o)
        project = projects.get(k)
        if project is None:
            o.refuse("project", _("项目不存在或不在您的管理范围内"))
            continue
        if correction_reason:
            if not may(user, Action.CORRECT, project):
                raise PermissionDenied(_("只有区级或市级管理员可以更正已锁定的月份"))
        elif k not in allowed:
            raise PermissionDenied(_("该项目不在您的管理范围内"))
        key = (k, e.year, e.month)
        if key in seen:
            o.refuse("month", _("%(year)s年%(month)s月重复填报") % {"year": e.year, "month": e.month})
            continue
        seen.add(key)
        if not (1 <= e.month <= 12):
            o.refuse("month", _("月份应为1-12"))
            continue
        if (e.year, e.month) > (today.year, today.month):
            o.refuse("month", _("不能填报未来月份的进展"))
            continue
        period = periods.get((project.region_id, e.year, e.month))
        status = period.status if period is not None else PeriodStatus.OPEN
        if correction_reason:
            if status != PeriodStatus.LOCKED:
                o.refuse("month", _("该月未锁定,请直接修改报告"))
                continue
        elif status == PeriodStatus.LOCKED:
            o.refuse("month", _("%(year)s年%(month)s月已锁定,不能修改;如需更正请走“锁定后更正”并说明原因")
                     % {"year": e.year, "month": e.month})
            continue
        elif status == PeriodStatus.SUBMITTED:
            o.refuse("month", _("%(region)s%(year)s年%(month)s月已报送,不能修改;如需修改请市级管理员退回本月")
                     % {"region": project.region, "year": e.year, "month": e.month})
            continue
        report = existing.get(key)
        before = copy.copy(report) if report is not None else None
        o.old_investment = report.investment if report else None
        new = instance(MonthlyProgress, project=project, year=e.year, month=e.month) if report is None else report
        changed = _apply(new, e, report is None)
        if report is not None and not changed:
            o.action, o.report = "unchanged", report
            continue
        if report is not None and not (correction_reason or e.reason or "").strip():
            o.refuse("reason", _("修改已填报的月度进展须填写更正原因"))
        try:
            full_clean(new, exclude=_NOT_CLEANED, verdicts=verdicts, skip_defaults=True)
        except ValidationError as err:
            for name, messages in err.message_dict.items():
                for m in messages:
                    o.refuse(name, m)
            continue
        if rules[project.region_id] is None:
            rules[project.region_id] = rules_for(project.region)
        o.findings = check(project, e.year, e.month, {f: getattr(new, f) for f in FIELDS}, before,
                           rules[project.region_id], ctxs[k])
        explained = (e.explanation or correction_reason or "").strip()
        for f in o.findings:
            if f.hard and not (correction_reason and f.kind == "cumulative_falls"):
                o.refuse("investment", f.message)
            elif not f.hard and not explained:
                o.refuse("explanation", f.message + _(";请填写情况说明后保存"))
        if e.explanation:
            new.explanation = e.explanation
        o.action, o.report = ("created" if report is None else "updated"), new
    return outcomes


def _as_decided(entries: list[Entry], decided: list[Outcome]) -> list[Outcome]:
    """Outcomes decided before for the same entries, put on these entries and their projects
    (the projects decided for may have been copies not saved)."""
    for e, o in zip(entries, decided, strict=True):
        if o.errors or o.report is None or (e.year, e.month) != (o.report.year, o.report.month):
            raise ValueError("the outcomes decided before are not these entries'")
        o.entry = e
        if o.report.project is not e.project:
            o.report.project = e.project
    return decided


_NOT_CLEANED = frozenset({"project"})  # the writer checks the project itself


def _apply(report: MonthlyProgress, entry: Entry, new: bool) -> bool:
    """Put the entry's values on the report; whether anything changed."""
    changed = new
    for name in FIELDS:
        if name not in entry.values:
            continue
        value = entry.values[name]
        if name == "progress":
            value = value or ""
        if name in ("funds_domestic", "funds_foreign") and value is None:
            value = ZERO
        if getattr(report, name) != value:
            setattr(report, name, value)
            changed = True
    if entry.explanation and entry.explanation != report.explanation:
        changed = True
    return changed


def _save(user, outcomes: list[Outcome], correction_reason: str) -> None:
    actor = user if getattr(user, "pk", None) else None
    created = []
    for o in outcomes:
        r = o.report
        if o.action == "created":
            r.reported_by, r.status, r.version = actor, ReportStatus.DRAFT, 1
            created.append(r)
        elif o.action == "updated":
            r.version += 1
            if not correction_reason:  # a revision of a locked, approved month stays approved
                r.reported_by = actor
                r.status = ReportStatus.DRAFT  # changed, so it goes back to review
            r._change_reason = o.entry.reason or correction_reason
            r.save()
    if created:
        reason = next((o.entry.reason for o in outcomes if o.entry.reason), "")
        insert_with_history(created, MonthlyProgress, default_user=actor,
                            default_change_reason=reason or correction_reason)
    if correction_reason:
        _record_revisions(user, [o for o in outcomes if o.action == "updated"], correction_reason)


def _record_revisions(user, outcomes: list[Outcome], reason: str) -> None:
    """Each locked month corrected gets its next revision number, and each report a Revision row."""
    by_period: dict[tuple, list[Outcome]] = {}
    for o in outcomes:
        r = o.report
        by_period.setdefault((r.project.region_id, r.year, r.month), []).append(o)
    for (region_id, year, month), items in by_period.items():
        period = ReportingPeriod.objects.select_for_update().get(region_id=region_id, year=year, month=month)
        period.revision += 1
        period.save()
        for o in items:
            Revision.objects.create(report=o.report, period=period, number=period.revision,
                                    old_investment=o.old_investment, new_investment=o.report.investment,
                                    reason=reason, user=user if getattr(user, "pk", None) else None)


def correct_locked(user, report: MonthlyProgress, investment: Decimal, reason: str) -> Revision:
    """A correction after locking: a new, visible revision of the month, with its reason."""
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("锁定后更正须说明原因")]})
    if not may(user, Action.CORRECT, report):
        raise PermissionDenied(_("只有区级或市级管理员可以更正已锁定的月份"))
    if investment is None:
        raise ValidationError({"investment": [_("请填写更正后的金额")]})
    entry = Entry(report.project, report.year, report.month, {"investment": investment}, reason=reason)
    outcome = write_reports(user, [entry], correction_reason=reason.strip())[0]
    if outcome.action == "unchanged":
        raise ValidationError({"investment": [_("更正后的金额与原值相同")]})
    return Revision.objects.filter(report=outcome.report).latest("number")


# -------------------------------------------------------------- review


def _locked_report(report: MonthlyProgress) -> MonthlyProgress:
    return MonthlyProgress.objects.select_for_update().select_related("project__region").get(pk=report.pk)


def _open_period(report) -> ReportingPeriod:
    from .services import period_for

    period = period_for(report.project.region, report.year, report.month)
    if period.status != PeriodStatus.OPEN:
        raise ValidationError(_("%(period)s已%(status)s,不能再变更报告") % {
            "period": period, "status": period.get_status_display()})
    return period


def _refresh(target: MonthlyProgress, source: MonthlyProgress) -> MonthlyProgress:
    for f in ("status", "submitted_at", "approved_by", "approved_at", "approved_version", "return_reason",
              "version", "investment"):
        setattr(target, f, getattr(source, f))
    return target


def submit_report(user, report: MonthlyProgress) -> MonthlyProgress:
    if not may(user, Action.REPORT, report):
        raise PermissionDenied(_("该项目不在您的管理范围内"))
    with transaction.atomic(), change_context(user, gettext_noop("提交月度进展")):
        current = _locked_report(report)
        _open_period(current)
        if current.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
            raise ValidationError(_("该报告已提交"))
        current.status = ReportStatus.SUBMITTED
        current.submitted_at = timezone.now()
        current.save(update_fields=["status", "submitted_at", "updated"])
    return _refresh(report, current)


def approve_report(user, report: MonthlyProgress, version: int | None = None) -> MonthlyProgress:
    """Approve the version of the report the reviewer saw (``version``; default: the one in hand).

    Refused if the figures changed since: the reviewer must look again.
    """
    if not may(user, Action.APPROVE, report):
        raise PermissionDenied(_("只有区级管理员可以审核"))
    version = report.version if version is None else version
    with transaction.atomic(), change_context(user, gettext_noop("审核通过")):
        current = _locked_report(report)
        _open_period(current)
        if current.version != version:
            raise ValidationError(_("该报告在您打开后已被修改(第%(current)s版,您审核的是第%(version)s版),请重新查看后再审核")
                                  % {"current": current.version, "version": version})
        if current.status != ReportStatus.SUBMITTED:
            raise ValidationError(_("只能审核已提交的报告"))
        current.status, current.approved_by, current.approved_at = ReportStatus.APPROVED, user, timezone.now()
        current.approved_version = current.version
        current.return_reason = ""
        current.save(update_fields=["status", "approved_by", "approved_at", "approved_version", "return_reason",
                                    "updated"])
    return _refresh(report, current)


def return_report(user, report: MonthlyProgress, reason: str, version: int | None = None,
                  submitted_only: bool = False) -> MonthlyProgress:
    """Send a report back with a reason. ``version`` (the one the reviewer saw) and
    ``submitted_only`` (a bulk return from the list of reports waiting) refuse a report that
    changed, or was approved by someone else, since the reviewer looked."""
    if not may(user, Action.APPROVE, report):
        raise PermissionDenied(_("只有区级管理员可以退回"))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("退回须说明原因")]})
    with transaction.atomic(), change_context(user, f"退回:{reason}"):
        current = _locked_report(report)
        _open_period(current)
        if version is not None and current.version != version:
            raise ValidationError(f"该报告在您打开后已被修改(第{current.version}版,您看到的是第{version}版),请重新查看")
        if submitted_only and current.status != ReportStatus.SUBMITTED:
            raise ValidationError(f"该报告已不在待审核状态(现为{current.get_status_display()})")
        if current.status not in (ReportStatus.SUBMITTED, ReportStatus.APPROVED):
            raise ValidationError(_("只能退回已提交或已审核的报告"))
        current.status, current.return_reason = ReportStatus.RETURNED, reason
        current.save(update_fields=["status", "return_reason", "updated"])
    return _refresh(report, current)


def waiting_for_review(user):
    """The submitted reports ``user`` may approve: the one question behind the 待办 list, its
    badge, the months to review and the bulk review on 月度调度."""
    return MonthlyProgress.objects.restrict(user, Action.APPROVE).filter(status=ReportStatus.SUBMITTED)


@dataclass
class Review:
    """What a bulk review did: the reports approved or returned, and those refused with why."""

    done: list[MonthlyProgress] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (project name or id, message)


def review_many(user, picks: list[tuple[int, int | None]], approve: bool, reason: str = "") -> Review:
    """Approve, or return with one reason, each picked report (id, the version the reviewer saw).

    Each goes through ``approve_report``/``return_report`` on its own: a report changed since
    the page was shown, or no longer waiting, is refused by name and the others go ahead.
    """
    if not approve and not (reason or "").strip():
        raise ValidationError({"reason": ["退回须说明原因"]})
    ids = [pk for pk, _version in picks]
    found = {r.pk: r for r in MonthlyProgress.objects.restrict(user, Action.VIEW)
             .filter(pk__in=ids).select_related("project__region")}
    review = Review()
    for pk, version in picks:
        report = found.get(pk)
        if report is None:
            review.refused.append((str(pk), "报告不存在或不在您的管理范围内"))
            continue
        try:
            review.done.append(approve_report(user, report, version) if approve
                               else return_report(user, report, reason, version=version, submitted_only=True))
        except ValidationError as e:
            review.refused.append((report.project.name, ";".join(e.messages)))
        except PermissionDenied as e:
            review.refused.append((report.project.name, str(e)))
    return review
