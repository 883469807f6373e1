"""The indicator system's one door: every value, target, fact and key task is written here.

Each function checks who may do it (``core.scope.may``), validates, writes in one
transaction and leaves history. Pages, the API, the ``ingest`` command and the demo all
call these.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.core.history import change_context
from taizhang.core.periods import month_end
from taizhang.core.scope import Action, home_region, may
from taizhang.monitoring.metrics import APPROVED
from taizhang.reader import ReaderError, load_path, read_text
from taizhang.regions.models import Region
from taizhang.reporting import supervision
from taizhang.reporting.choices import OrderSource

from .checks import check_value
from .choices import FactState, Kind, PeriodKind, Source, TaskOrigin, ValueStatus
from .figures import ledger_figures
from .models import (
    MAX_VALUE,
    Document,
    Fact,
    Indicator,
    IndicatorValue,
    KeyTask,
    Target,
    TaskUpdate,
)
from .units import check_period, convert, period_of_subperiod

# -------------------------------------------------------------- numbers and units


def to_decimal(raw, label: str = "") -> Decimal:
    """A finite, bounded Decimal from what a user, a sheet or the reader gave; a Chinese
    message naming ``label`` otherwise (NaN, Infinity, 1e30 and words are refused)."""
    label = label or _("数值")
    if isinstance(raw, float):
        raw = repr(raw)
    try:
        number = Decimal(str(raw).strip().replace(",", "")) if raw not in (None, "") else None
    except (InvalidOperation, ValueError):
        number = None
    if number is None:
        raise ValidationError(_("%(label)s不是有效的数字") % {"label": label})
    if not number.is_finite():
        raise ValidationError(_("%(label)s不能是非数字或无穷大") % {"label": label})
    if abs(number) >= MAX_VALUE:
        raise ValidationError(_("%(label)s超出允许范围(绝对值应小于1e14)") % {"label": label})
    return number.quantize(Decimal("0.0001"))


# -------------------------------------------------------------- values


def _may_write(user, region, action: Action = Action.CHANGE) -> None:
    if user is None:  # the system: the ingest command and the demo, run by the operator
        return
    if not may(user, action, region):
        raise PermissionDenied(_("该区域不在您的管理范围内"))


def save_value(user, indicator: Indicator, region: Region, year: int, period_kind: str, period_no: int, value,
               *, source: str = Source.ENTERED, fact: Fact | None = None, note: str = "", confirm: bool = False,
               public: bool = False) -> IndicatorValue:
    """Enter (or correct) a value. Hard findings refuse it; soft ones need ``confirm`` and a
    ``note`` saying why the figure is right."""
    _may_write(user, region)
    number = to_decimal(value, str(indicator))
    check_period(period_kind, period_no)
    if not (1949 <= int(year) <= 2100):
        raise ValidationError(_("年度超出范围"))
    if source in (Source.ENTERED, Source.IMPORTED):
        if indicator.is_derived:
            raise ValidationError(_("“%(name)s”是派生指标,由公式计算,不能直接填报") % {"name": indicator})
        if indicator.ledger_metric:
            raise ValidationError(_("“%(name)s”由重点项目台账计算,不能重复填报") % {"name": indicator})
    existing = IndicatorValue.objects.filter(indicator=indicator, region=region, year=year, period_kind=period_kind,
                                             period_no=period_no, source=source).first()
    if existing is not None and existing.status == ValueStatus.LOCKED:
        raise ValidationError(_("%(period)s的“%(name)s”已锁定,不能修改") % {
            "period": existing.period_label, "name": indicator})
    findings = check_value(indicator, region, int(year), period_kind, int(period_no), number)
    hard = [f.message for f in findings if f.hard]
    if hard:
        raise ValidationError(hard)
    soft = [f.message for f in findings if not f.hard]
    if soft and not (confirm and note.strip()):
        raise ValidationError([*soft, _("如确认无误,请勾选“确认无误”并说明原因")])
    if soft:
        note = (note + "\n" if note else "") + ";".join(soft)
    with transaction.atomic(), change_context(user, gettext_noop("填报指标值")):
        if existing is None:
            existing = IndicatorValue(indicator=indicator, region=region, year=year, period_kind=period_kind,
                                      period_no=period_no, source=source)
        existing.value, existing.fact, existing.note, existing.public = number, fact, note, public
        existing.status = ValueStatus.DRAFT if source == Source.ENTERED else ValueStatus.APPROVED
        existing.entered_by = user
        existing.full_clean(validate_unique=False)
        existing.save()
    return existing


def approve_values(user, region: Region, year: int, period_kind: str, period_no: int) -> int:
    """The district approves its entered values of a period."""
    _may_write(user, region, Action.APPROVE)
    with transaction.atomic(), change_context(user, gettext_noop("审核指标值")):
        rows = list(IndicatorValue.objects.filter(region=region, year=year, period_kind=period_kind,
                                                  period_no=period_no, status=ValueStatus.DRAFT))
        for row in rows:
            row.status = ValueStatus.APPROVED
            row.save(update_fields=["status", "updated"])
    return len(rows)


def lock_values(user, region: Region, year: int, period_kind: str, period_no: int) -> int:
    """The city locks a district's approved values of a period; a draft left blocks it."""
    _may_write(user, region, Action.LOCK)
    values = IndicatorValue.objects.filter(region__path__startswith=region.path, year=year,
                                           period_kind=period_kind, period_no=period_no)
    if values.filter(status=ValueStatus.DRAFT).exists():
        raise ValidationError(_("还有未审核的指标值,不能锁定"))
    with transaction.atomic(), change_context(user, gettext_noop("锁定指标值")):
        rows = list(values.filter(status=ValueStatus.APPROVED))
        for row in rows:
            row.status = ValueStatus.LOCKED
            row.save(update_fields=["status", "updated"])
    return len(rows)


def save_target(user, indicator: Indicator, region: Region, year: int, value, *, public: bool = False,
                fact: Fact | None = None) -> Target:
    _may_write(user, region)
    number = to_decimal(value, _("目标值"))
    if indicator.kind == Kind.SHARE and not indicator.allow_over_100 and not (0 <= number <= 100):
        raise ValidationError(_("比重类指标的目标应在0到100之间"))
    with transaction.atomic(), change_context(user, gettext_noop("设定年度目标")):
        target, _created = Target.objects.update_or_create(
            indicator=indicator, region=region, year=year, defaults={"value": number, "public": public, "fact": fact})
    return target


# -------------------------------------------------------------- values from the ledger


def refresh_ledger_values(user, region: Region, year: int, month: int, basis: str | None = None) -> list:
    """Store the ledger indicators of ``region`` for 1-``month``月 as computed by monitoring."""
    _may_write(user, region)
    figures = ledger_figures(region, year, month, basis or APPROVED)
    out = []
    for indicator in Indicator.objects.exclude(ledger_metric=""):
        value = figures.get(indicator.ledger_metric)
        if value is None:
            continue
        kind, number = (PeriodKind.MONTH, month) if indicator.ledger_metric == "month_completed" else (
            PeriodKind.CUMULATIVE, month)
        out.append(save_value(user, indicator, region, year, kind, number, Decimal(value), source=Source.LEDGER,
                              confirm=True, note=_("由重点项目台账计算")))
    return out


# -------------------------------------------------------------- reports into facts


_STRIP = str.maketrans("", "", " \u3000\t\r\n,.;:、,。;:“”\"'()()《》[]【】-—·")


def normalise(name: str) -> str:
    """An indicator name compared loosely: no spaces or punctuation, 规模以上 → 规上."""
    text = (name or "").translate(_STRIP)
    for long, short in (("规模以上", "规上"), ("全区", ""), ("全市", ""), ("累计", "")):
        text = text.replace(long, short)
    return text


def _catalogue_names() -> list[tuple[str, Indicator]]:
    names = []
    for indicator in Indicator.objects.all():
        for name in {indicator.name, *indicator.synonym_list()}:
            key = normalise(name)
            if key:
                names.append((key, indicator))
    return names


def match(name: str, kind: str, unit: str, names=None) -> list[Indicator]:
    """Catalogue indicators a fact's indicator name may be: an exact name or synonym first;
    otherwise the longest name or synonym (4 characters or more) the fact's name ends with
    (what a Chinese phrase measures comes last: 带动货物进出口总额).
    Only indicators of the fact's kind whose unit the fact's can be converted to qualify."""
    names = _catalogue_names() if names is None else names
    key = normalise(name)

    def fits(ind: Indicator) -> bool:
        return ind.kind == kind and convert(Decimal(1), unit, ind.unit) is not None

    exact = {ind.pk: ind for n, ind in names if n == key and fits(ind)}
    if exact:
        return list(exact.values())
    best, found = 0, {}
    for n, ind in names:
        if len(n) >= 4 and key.endswith(n) and fits(ind):
            if len(n) > best:
                best, found = len(n), {ind.pk: ind}
            elif len(n) == best:
                found[ind.pk] = ind
    return list(found.values())


def _region_named(name: str | None, cache: dict) -> Region | None:
    if not name:
        return None
    if name not in cache:
        cache[name] = Region.objects.filter(name=name).order_by("path").first()
    return cache[name]


#: lines of a web page's furniture, never a document's title
_FURNITURE = ("点击", "分享", "首页", "正在阅读", "来源", "发布时间", "朋友圈")


def _title(text: str, filename: str) -> str:
    """The document's first line that reads as a title (a web page's furniture skipped)."""
    for line in text.splitlines()[:40]:
        line = line.strip()
        if 6 <= len(line) <= 100 and not any(word in line for word in _FURNITURE):
            return line[:200]
    return filename[:200]


def ingest_document(user, path: str | Path | None = None, *, text: str | None = None, filename: str = "",
                    public: bool = True, accept: bool = True) -> tuple[Document, bool]:
    """Read a document, store it and its facts with where each stands, map the facts to the
    catalogue, and (``accept``) turn uniquely mapped facts about a known region into values
    (not the targets a report states: those wait for a person).
    The same text twice is stored once. Returns (document, created)."""
    if path is not None:
        try:
            text = load_path(path)
        except ReaderError as e:
            raise ValidationError(_("%(file)s:无法读取(%(error)s)") % {"file": Path(path).name, "error": e}) from e
        filename = filename or Path(path).name
    if not (text or "").strip():
        raise ValidationError(_("%(file)s:文档没有文字") % {"file": filename})
    own = home_region(user) if user is not None else None
    if user is not None and (own is None or not may(user, Action.CHANGE, own)):
        raise PermissionDenied(_("只有区级或市级填报人员可以导入报告"))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    found = Document.objects.filter(sha256=digest).first()
    if found is not None:
        return found, False
    facts = read_text(text, doc=filename)
    regions: dict = {}
    counted = Counter(f.region for f in facts if f.region)
    region = _region_named(counted.most_common(1)[0][0], regions) if counted else None
    if user is not None and not public and (region is None or not may(user, Action.CHANGE, region)):
        region = own  # an internal document belongs to the district that keeps it
    title = _title(text, filename)
    names = _catalogue_names()
    with transaction.atomic(), change_context(user, gettext_noop("导入报告")):
        doc = Document.objects.create(title=title, filename=filename[:200], sha256=digest, text=text,
                                      region=region, public=public, uploaded_by=user)
        rows = []
        for f in facts:
            try:
                value = to_decimal(f.value)
            except ValidationError:
                continue  # a number beyond any indicator is no fact to keep
            found_ind = match(f.indicator, f.kind, f.unit, names)
            state = (FactState.MAPPED if len(found_ind) == 1 else FactState.AMBIGUOUS if found_ind
                     else FactState.UNMAPPED)
            rows.append(Fact(document=doc, start=f.start, end=f.end, quote=f.quote[:2000],
                             region_name=(f.region or "")[:64], region=_region_named(f.region, regions),
                             year=int(f.period) if (f.period or "").isdigit() else None,
                             subperiod=(f.subperiod or "")[:12], indicator_name=f.indicator[:200], kind=f.kind,
                             value=value, unit=(f.unit or "")[:16], status=f.status, state=state,
                             indicator=found_ind[0] if len(found_ind) == 1 else None,
                             candidates=[i.pk for i in found_ind] if len(found_ind) > 1 else []))
        for row in rows:
            row.save()
        if accept:
            for row in rows:
                # a target is taken by hand: reports state several (新增, 总数) under one name
                if row.state == FactState.MAPPED and row.region is not None and row.year and row.status != "target":
                    try:
                        accept_fact(user, row)
                    except (ValidationError, PermissionDenied):
                        pass  # stays in the review queue, mapped but not taken
    return doc, True


def accept_fact(user, fact: Fact, indicator: Indicator | None = None) -> IndicatorValue | Target:
    """Take a fact as the value (or, for a target the report states, the target) of an
    indicator, with the fact as its source."""
    indicator = indicator or fact.indicator
    if fact.state == FactState.ACCEPTED:
        raise ValidationError(_("该事实已采用"))
    if indicator is None:
        raise ValidationError(_("请先选择对应的指标"))
    if fact.region is None:
        raise ValidationError(_("原文未说明所述区域(%(name)s),不能采用") % {"name": fact.region_name or "—"})
    _may_write(user, fact.region)
    if fact.year is None:
        raise ValidationError(_("原文未说明年度,不能采用"))
    if fact.kind != indicator.kind:
        raise ValidationError(_("事实的类型与指标“%(name)s”不一致") % {"name": indicator})
    value = convert(fact.value, fact.unit, indicator.unit)
    if value is None:
        raise ValidationError(_("单位“%(a)s”不能换算为指标的单位“%(b)s”") % {"a": fact.unit, "b": indicator.unit})
    period = period_of_subperiod(fact.subperiod)
    if period is None:
        raise ValidationError(_("无法识别的期间:%(p)s") % {"p": fact.subperiod})
    public = fact.document.public
    with transaction.atomic(), change_context(user, gettext_noop("采用报告事实")):
        if fact.status == "target":
            out = save_target(user, indicator, fact.region, fact.year, value, public=public, fact=fact)
        else:
            same = IndicatorValue.objects.filter(indicator=indicator, region=fact.region, year=fact.year,
                                                 period_kind=period[0], period_no=period[1],
                                                 source=Source.REPORT).first()
            if same is not None and same.value != value:
                raise ValidationError(_("%(period)s已有另一报告摘录值%(value)s") % {
                    "period": same.period_label, "value": same.value})
            out = same or save_value(user, indicator, fact.region, fact.year, period[0], period[1], value,
                                     source=Source.REPORT, fact=fact, public=public, confirm=True,
                                     note=_("摘自报告(预计数)") if fact.status == "expected" else _("摘自报告"))
        fact.indicator, fact.state, fact.candidates = indicator, FactState.ACCEPTED, []
        fact.save(update_fields=["indicator", "state", "candidates", "updated"])
    return out


def reject_fact(user, fact: Fact) -> Fact:
    _may_write(user, fact.document.region or fact.region)
    if fact.state == FactState.ACCEPTED:
        raise ValidationError(_("该事实已采用"))
    with transaction.atomic(), change_context(user, gettext_noop("不采用报告事实")):
        fact.state = FactState.REJECTED
        fact.save(update_fields=["state", "updated"])
    return fact


# -------------------------------------------------------------- key tasks


def save_task(user, region: Region, year: int, data: dict, *, origin: str = TaskOrigin.REAL) -> KeyTask:
    """Create a key task of ``region`` (its 区级管理员 or the city)."""
    _may_write(user, region, Action.SUPERVISE)
    unit = data.get("responsible_unit")
    errors = {}
    if not (data.get("title") or "").strip():
        errors["title"] = [_("请填写工作任务")]
    if unit is None or not unit.region.path.startswith(region.path):
        errors["responsible_unit"] = [_("牵头单位应为本区单位")]
    if data.get("deadline") is None:
        errors["deadline"] = [_("请填写完成时限")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), change_context(user, gettext_noop("新建重点工作")):
        number = data.get("number") or (KeyTask.objects.filter(region=region, year=year).count() + 1)
        task = KeyTask(region=region, year=year, number=number, title=data["title"].strip(), responsible_unit=unit,
                       deadline=data["deadline"], milestones=data.get("milestones", ""), origin=origin)
        task.full_clean(exclude=["cooperating_units", "indicators", "projects", "orders"])
        task.save()
        for field in ("cooperating_units", "indicators", "projects"):
            if data.get(field):
                getattr(task, field).set(data[field])
    return task


def update_task(user, task: KeyTask, year: int, month: int, *, progress: str, percent, evidence: str,
                evidence_file=None, now: dt.datetime | None = None) -> TaskUpdate:
    """The responsible unit's (or the district's) monthly update, with evidence."""
    if user is not None and not KeyTask.objects.restrict(user, Action.REPORT).filter(pk=task.pk).exists():
        raise PermissionDenied(_("只有牵头单位或本区填报人员可以更新该工作"))
    errors = {}
    if not (progress or "").strip():
        errors["progress"] = [_("请填写进展情况")]
    if not (evidence or "").strip() and not evidence_file:
        errors["evidence"] = [_("请提供佐证材料")]
    try:
        pct_value = int(percent)
    except (TypeError, ValueError):
        pct_value = -1
    if not 0 <= pct_value <= 100:
        errors["percent"] = [_("完成进度应为0到100之间的整数")]
    if not (1 <= int(month) <= 12) or int(year) != task.year:
        errors["month"] = [_("月份应在该工作的年度之内")]
    if evidence_file is not None and getattr(evidence_file, "size", 0) > 20 * 1024 * 1024:
        errors["evidence_file"] = [_("佐证文件不能超过20MB")]
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    with transaction.atomic(), change_context(user, gettext_noop("更新重点工作进展")):
        update = TaskUpdate.objects.filter(task=task, year=year, month=month).first() or TaskUpdate(
            task=task, year=year, month=month)
        update.progress, update.percent, update.evidence = progress.strip(), pct_value, evidence.strip()
        update.submitted_by, update.submitted_at = user, now
        if evidence_file is not None:
            update.evidence_file.save(evidence_file.name, evidence_file, save=False)
        update.save()
        if pct_value == 100 and task.completed_on is None:
            # done within the month the update is about (a late entry does not move it later)
            task.completed_on = min(timezone.localdate(now), month_end(int(year), int(month)))
            task.save(update_fields=["completed_on", "updated"])
    return update


def escalate_task(user, task: KeyTask, *, content: str, deadline: dt.date, today: dt.date | None = None):
    """督办 a late or silent task: a 督办单 to its responsible unit through the reporting app's
    supervision (the same orders, answers, escalation and overdue mark as for projects)."""
    if user is not None and not KeyTask.objects.restrict(user, Action.VIEW).filter(pk=task.pk).exists():
        raise PermissionDenied(_("该工作不在您的管理范围内"))
    text = _("重点工作“%(title)s”:%(content)s") % {"title": task.title, "content": content}
    with transaction.atomic():
        order = supervision.issue_order(user, unit=task.responsible_unit, content=text, deadline=deadline,
                                        source=OrderSource.OTHER, today=today)
        task.orders.add(order)
    return order
