"""Every change to the enterprise registry and its service record goes through these functions.

Pages, the API, the 认定名单 import, commands and the demo call them alike: check the user may
(``taizhang.core.scope.may``, the one policy), validate, save in one transaction with who and
why (``change_context``), and re-check the firm is still in the user's reach.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.core.bulk import insert_with_history
from taizhang.core.history import change_context
from taizhang.core.scope import Action, may
from taizhang.reporting import supervision
from taizhang.reporting.choices import OrderSource

from .choices import DERIVED_METRICS, TERM_YEARS, DemandStatus, MeasureStatus, Metric
from .models import (
    MAX_FIGURE,
    AnnualFigure,
    Demand,
    Enterprise,
    FormerName,
    Measure,
    Recognition,
    ServiceLevel,
    Strategy,
    Visit,
    firm_key,
)


def _require(user, action: Action, obj=None, message: str | None = None) -> None:
    if not may(user, action, obj):
        raise PermissionDenied(message or _("您没有权限执行此操作"))


# ---------------------------------------------------------------- the registry


def duplicates_of(name: str, credit_code: str = "", exclude: int | None = None):
    """Firms that are this one: the same credit code anywhere, or the same name (or former
    name) after normalising. Two firms never share a code; one name in two districts may be
    two firms, so a name match is shown for review, not refused."""
    code = (credit_code or "").strip().upper()
    key = firm_key(name or "")
    by_code = Enterprise.objects.filter(credit_code=code) if code else Enterprise.objects.none()
    by_name = Enterprise.objects.filter(name_key=key) | Enterprise.objects.filter(former_names__name_key=key)
    found = (by_code | by_name).distinct()
    return found.exclude(pk=exclude) if exclude else found


def create_enterprise(user, data: dict[str, Any], reason: str = "") -> Enterprise:
    firm = Enterprise(**data)
    _require(user, Action.CHANGE, firm.region if firm.region_id else None)
    firm.full_clean(validate_constraints=False)  # _refuse_twin says which firm
    with transaction.atomic(), change_context(user, reason or gettext_noop("新建企业")):
        _refuse_twin(user, firm)
        _save(firm)
    return firm


def _save(firm: Enterprise) -> None:
    """Save; a twin saved by someone else in the same instant is refused by the database."""
    try:
        with transaction.atomic():
            firm.save()
    except IntegrityError as exc:
        raise ValidationError(_("已有相同统一社会信用代码或同名的企业,请刷新后核对")) from exc


def _refuse_twin(user, firm: Enterprise) -> None:
    """One code, one firm; one name, one firm in a district. A twin the user may see is named;
    one in another district is not (its name is that district's)."""
    if firm.credit_code:
        twin = Enterprise.objects.filter(credit_code=firm.credit_code).exclude(pk=firm.pk).first()
        if twin is not None and may(user, Action.VIEW, twin):
            raise ValidationError({"credit_code": _("统一社会信用代码与已有企业“%(name)s”(%(region)s)相同")
                                   % {"name": twin.name, "region": twin.region}})
        if twin is not None:
            raise ValidationError({"credit_code": _("该统一社会信用代码已登记在其他区的企业名下,请联系市级管理员核实")})
    twin = Enterprise.objects.filter(region_id=firm.region_id, name_key=firm_key(firm.name)).exclude(pk=firm.pk)
    if twin.exists():
        raise ValidationError({"name": _("该区已有同名企业")})


def update_enterprise(user, firm: Enterprise, data: dict[str, Any], reason: str = "") -> Enterprise:
    _require(user, Action.CHANGE, firm)
    old_name = Enterprise.objects.values_list("name", flat=True).get(pk=firm.pk)
    for field, value in data.items():
        setattr(firm, field, value)
    firm.full_clean(validate_constraints=False)  # _refuse_twin says which firm
    _require(user, Action.CHANGE, firm.region)  # not moved out of the user's reach
    with transaction.atomic(), change_context(user, reason or gettext_noop("修改企业信息")):
        _refuse_twin(user, firm)
        _save(firm)
        if firm_key(old_name) != firm.name_key:  # a renamed firm keeps its old name findable
            FormerName.objects.get_or_create(enterprise=firm, name_key=firm_key(old_name),
                                             defaults={"name": old_name, "until": timezone.localdate()})
    return firm


def assign_commissioner(user, firm: Enterprise, commissioner) -> Enterprise:
    """Make a user the firm's 服务专员: someone who works in the firm's district."""
    _require(user, Action.CHANGE, firm)
    if commissioner is not None and not may(commissioner, Action.REPORT, firm):
        raise ValidationError({"commissioner": _("服务专员须为该区的工作人员")})
    with transaction.atomic(), change_context(user, gettext_noop("指定服务专员")):
        firm.commissioner = commissioner
        firm.save(update_fields=["commissioner", "updated"])
    return firm


# ---------------------------------------------------------------- tiers


def default_expiry(kind: str, year: int, effective: dt.date | None) -> dt.date | None:
    """The end of a certificate's term when the list gives none: its years from the day it took
    effect, less a day; with only the year known, the earliest the term can end (a certificate of
    year Y issued on 1 January ends on 31 December of Y+2), so it is never counted valid longer
    than it surely was."""
    years = TERM_YEARS.get(kind)
    if years is None:
        return None
    if effective is not None:
        try:
            return effective.replace(year=effective.year + years) - dt.timedelta(days=1)
        except ValueError:  # 29 February
            return effective.replace(year=effective.year + years, day=28)
    return dt.date(year + years - 1, 12, 31)


def recognise(user, firm: Enterprise, data: dict[str, Any], reason: str = "") -> Recognition:
    """Record a firm's recognition in a tier (one line of a 认定名单)."""
    _require(user, Action.CHANGE, firm)
    rec = Recognition(enterprise=firm, **data)
    if rec.expiry is None and rec.year:
        rec.expiry = default_expiry(rec.kind, rec.year, rec.effective)
    rec.full_clean()
    with transaction.atomic(), change_context(user, reason or gettext_noop("登记梯度认定")):
        try:
            with transaction.atomic():
                rec.save()
        except IntegrityError as exc:
            raise ValidationError(_("该企业本年度已有同一梯度、同一级别的认定")) from exc
    return rec


def end_recognition(user, rec: Recognition, day: dt.date, end_reason: str, reason: str = "") -> Recognition:
    """A recognition ends (revoked, lapsed, moved away): kept, with the day it ended."""
    _require(user, Action.CHANGE, rec)
    rec.ended, rec.end_reason = day, end_reason
    rec.full_clean()
    with transaction.atomic(), change_context(user, reason or gettext_noop("终止梯度认定")):
        rec.save()
    return rec


# ---------------------------------------------------------------- figures


def parse_figure(value) -> Decimal:
    """A figure as typed or read from a sheet: a finite number within bounds, or a message."""
    if isinstance(value, bool | dt.date):
        raise ValidationError(_("“%(value)s”不是数字") % {"value": value})
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(_("“%(value)s”不是数字") % {"value": value}) from exc
    if not number.is_finite():
        raise ValidationError(_("“%(value)s”不是有限的数字") % {"value": value})
    if abs(number) > MAX_FIGURE:
        raise ValidationError(_("数值过大:超过10万亿,请核对单位"))
    return number


#: figures that may be negative: tax (refunds may exceed what was paid); growth is computed
MAY_BE_NEGATIVE = frozenset({Metric.TAX, Metric.REVENUE_GROWTH})
#: figures that count things, in whole numbers
WHOLE = frozenset({Metric.EMPLOYEES, Metric.INVENTION_PATENTS, Metric.IP_RIGHTS, Metric.YEARS})
#: shares of a whole, in percent
PERCENT = frozenset({Metric.RD_INTENSITY, Metric.RD_STAFF_SHARE, Metric.MAIN_SHARE})
#: the figures a department reports (the others are computed from them: intensity, growth, age)
TYPED_METRICS = tuple(m for m in Metric if m not in DERIVED_METRICS)


def check_figure(metric: str, value) -> Decimal:
    """One figure of ``metric`` as the registry keeps it, or why not (the one rule for every
    path: a page, the API, a department's sheet)."""
    if metric not in TYPED_METRICS:
        raise ValidationError(_("未知指标:%(metric)s") % {"metric": metric})
    number = parse_figure(value)
    if number < 0 and metric not in MAY_BE_NEGATIVE:
        raise ValidationError(_("不能为负数:“%(value)s”") % {"value": value})
    if metric in WHOLE and number != number.to_integral_value():
        raise ValidationError(_("应为整数:“%(value)s”") % {"value": value})
    if metric in PERCENT and number > 100:
        raise ValidationError(_("比重不能超过100%%:“%(value)s”") % {"value": value})
    if number != number.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP):
        number = number.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return number


def record_figure(user, firm: Enterprise, year: int, metric: str, value, department: str = "",
                  source_doc: str = "") -> AnnualFigure:
    """Set one figure of a firm's year (a later report of the same figure replaces it; history keeps
    the old value and who reported it)."""
    record_figures(user, year, [(firm, metric, value)], department, source_doc)
    return AnnualFigure.objects.get(enterprise=firm, year=year, metric=metric)


def record_figures(user, year: int, entries, department: str = "", source_doc: str = "",
                   reason: str = "") -> dict[str, int]:
    """The one writer of firms' annual figures: ``entries`` are (firm, metric, value) of ``year``.
    Each is checked (the user may change the firm; :func:`check_figure`), then all are stored in
    one transaction, or none: a new figure inserted, a changed one updated (its history keeps the
    old value, department and file), an unchanged one left alone. Returns the counts."""
    if not 1980 <= int(year) <= 2100:
        raise ValidationError(_("年度应在1980年至2100年之间"))
    checked: dict[tuple[int, str], Decimal] = {}
    asked: dict[int, bool] = {}
    for firm, metric, value in entries:
        if firm.pk not in asked:
            asked[firm.pk] = may(user, Action.CHANGE, firm)
        if not asked[firm.pk]:
            raise PermissionDenied(_("您没有权限报送该企业的数据"))
        if (firm.pk, metric) in checked:  # which of the two is right is not the writer's to guess
            raise ValidationError(_("“%(firm)s”的“%(metric)s”报送了两次") % {
                "firm": firm.name, "metric": Metric(metric).label if metric in Metric.values else metric})
        checked[(firm.pk, metric)] = check_figure(metric, value)
    counts = {"created": 0, "changed": 0, "unchanged": 0}
    department, source_doc = (department or "")[:64], (source_doc or "")[:200]
    reason = reason or gettext_noop("报送企业年度数据")
    with transaction.atomic(), change_context(user, reason):
        firm_ids = sorted({fid for fid, _m in checked})
        existing: dict[tuple[int, str], AnnualFigure] = {}
        for i in range(0, len(firm_ids), 500):
            for figure in AnnualFigure.objects.select_for_update().filter(
                    enterprise_id__in=firm_ids[i:i + 500], year=year, metric__in={m for _f, m in checked}):
                existing[(figure.enterprise_id, figure.metric)] = figure
        new, changed = [], []
        for (fid, metric), number in checked.items():
            figure = existing.get((fid, metric))
            if figure is None:
                new.append(AnnualFigure(enterprise_id=fid, year=year, metric=metric, value=number,
                                        department=department, source_doc=source_doc))
            elif figure.value != number or figure.department != department or figure.source_doc != source_doc:
                figure.value, figure.department, figure.source_doc = number, department, source_doc
                changed.append(figure)
            else:
                counts["unchanged"] += 1
        user_id = getattr(user, "pk", None)
        insert_with_history(new, AnnualFigure, default_user=user if user_id else None, default_change_reason=reason)
        if changed:
            now = timezone.now()
            for figure in changed:
                figure.updated = now
            AnnualFigure.objects.bulk_update(changed, ["value", "department", "source_doc", "updated"],
                                             batch_size=500)
            bulk_history_create(changed, user, reason)
        counts["created"], counts["changed"] = len(new), len(changed)
    return counts


def bulk_history_create(objs, user, reason: str) -> None:
    """The "~" history rows of updated ``objs`` (``bulk_update`` writes none)."""
    if objs:
        type(objs[0]).history.bulk_history_create(objs, update=True, default_user=user if getattr(user, "pk", None)
                                                  else None, default_change_reason=reason)


# ---------------------------------------------------------------- visits


def log_visit(user, firm: Enterprise, data: dict[str, Any]) -> Visit:
    _require(user, Action.REPORT, firm)
    visit = Visit(enterprise=firm, visitor=user, unit=data.pop("unit", None) or user.unit, **data)
    visit.full_clean()
    if visit.done and visit.date > timezone.localdate():
        raise ValidationError({"date": _("已走访的日期不能晚于今天")})
    with transaction.atomic(), change_context(user, gettext_noop("登记走访")):
        visit.save()
    return visit


def planned_together(visit: Visit, days: int = 7):
    """Other departments' planned visits to the same firm within ``days`` of this one: the
    calendar offers to merge them, so the firm is visited once."""
    window = (visit.date - dt.timedelta(days=days), visit.date + dt.timedelta(days=days))
    return (Visit.objects.filter(enterprise_id=visit.enterprise_id, done=False, merged_into=None,
                                 date__range=window).exclude(pk=visit.pk).exclude(unit_id=visit.unit_id))


def merge_visits(user, keep: Visit, others: list[Visit]) -> Visit:
    """Fold other planned visits to the same firm into one: they keep their record, pointing to it."""
    _require(user, Action.REPORT, keep.enterprise)
    for other in others:
        if other.enterprise_id != keep.enterprise_id or other.done or other.pk == keep.pk:
            raise ValidationError(_("只能合并同一企业尚未进行的走访"))
    with transaction.atomic(), change_context(user, gettext_noop("合并走访")):
        Visit.objects.filter(pk__in=[o.pk for o in others]).update(merged_into=keep)
        for other in others:  # the update above writes no history; record the merge on each
            other.refresh_from_db()
            other.save()
    return keep


# ---------------------------------------------------------------- 诉求


def service_level_for(region, name: str | None = None) -> ServiceLevel:
    """The district's class of 诉求 by name; its first (fastest) one otherwise. A district that set
    none gets the common one (2 hours to acknowledge, 3 days to answer, 15 days to resolve)."""
    levels = ServiceLevel.objects.filter(region=region)
    level = (levels.filter(name=name).first() if name else None) or levels.first()
    if level is None:
        level, _created = ServiceLevel.objects.get_or_create(
            region=region, name=gettext_noop("一般"), defaults={"acknowledge_hours": 2, "answer_days": 3, "resolve_days": 15})
    return level


def raise_demand(user, firm: Enterprise, data: dict[str, Any], now: dt.datetime | None = None) -> Demand:
    """Register a firm's 诉求 for a unit of its district, with its clock started."""
    _require(user, Action.REPORT, firm)
    now = now or timezone.now()
    level = data.pop("service_level", None) or service_level_for(firm.region)
    demand = Demand(enterprise=firm, region=firm.region, raised_by=user, service_level=level,
                    received_at=data.pop("received_at", None) or now, **data)
    if demand.unit_id and not demand.unit.region.path.startswith(firm.region.path):
        raise ValidationError({"unit": _("承办单位不属于该企业所在区")})
    if level.region_id != firm.region_id:
        raise ValidationError({"service_level": _("办理时限不属于该企业所在区")})
    demand.acknowledge_due = demand.received_at + dt.timedelta(hours=level.acknowledge_hours)
    demand.answer_due = demand.received_at + dt.timedelta(days=level.answer_days)
    demand.resolve_due = demand.received_at + dt.timedelta(days=level.resolve_days)
    demand.full_clean()
    with transaction.atomic(), change_context(user, gettext_noop("登记企业诉求")):
        demand.save()
    return demand


def _step(user, demand: Demand, action: Action, allowed: tuple, message: str, reason: str, **values) -> Demand:
    _require(user, action, demand, message)
    with transaction.atomic(), change_context(user, reason):
        locked = Demand.objects.select_for_update().get(pk=demand.pk)
        if locked.status not in allowed:
            raise ValidationError(_("该诉求当前状态为“%(status)s”,不能这样处理")
                                  % {"status": locked.get_status_display()})
        for field, value in values.items():
            setattr(locked, field, value)
        locked.full_clean()
        locked.save()
    return locked


def acknowledge_demand(user, demand: Demand, now: dt.datetime | None = None) -> Demand:
    return _step(user, demand, Action.ANSWER, (DemandStatus.RECEIVED,), _("只有承办单位可以响应"),
                 gettext_noop("响应企业诉求"), status=DemandStatus.ACKNOWLEDGED,
                 acknowledged_at=now or timezone.now())


def answer_demand(user, demand: Demand, answer: str, now: dt.datetime | None = None) -> Demand:
    if not (answer or "").strip():
        raise ValidationError({"answer": [_("请填写答复内容")]})
    now = now or timezone.now()
    return _step(user, demand, Action.ANSWER, (DemandStatus.RECEIVED, DemandStatus.ACKNOWLEDGED),
                 _("只有承办单位可以答复"), gettext_noop("答复企业诉求"), status=DemandStatus.ANSWERED,
                 answer=answer.strip(), answered_at=now, acknowledged_at=demand.acknowledged_at or now)


def resolve_demand(user, demand: Demand, rating: int | None = None, note: str = "",
                   now: dt.datetime | None = None) -> Demand:
    """The district closes an answered 诉求 with the firm's rating of the answer (1–5)."""
    if rating is not None and not 1 <= int(rating) <= 5:
        raise ValidationError({"rating": [_("评价应为1到5分")]})
    return _step(user, demand, Action.REPORT, (DemandStatus.ANSWERED,), _("只有企业所在区可以办结诉求"),
                 gettext_noop("办结企业诉求"), status=DemandStatus.RESOLVED, resolved_at=now or timezone.now(),
                 rating=rating, rating_note=note)


def overdue_steps(demand: Demand, now: dt.datetime | None = None) -> list[str]:
    """Which of the 诉求's clocks have run out: 响应, 答复, 办结 (each judged by when it was done,
    or by now if it is not done yet)."""
    now = now or timezone.now()
    late = []
    for label, done, due in ((gettext_noop("响应"), demand.acknowledged_at or demand.answered_at,
                              demand.acknowledge_due),
                             (gettext_noop("答复"), demand.answered_at, demand.answer_due),
                             (gettext_noop("办结"), demand.resolved_at, demand.resolve_due)):
        if (done or now) > due:
            late.append(label)
    return late


def escalate_demand(user, demand: Demand, today: dt.date | None = None) -> Demand:
    """A 诉求 whose clock ran out becomes a 督办单 to its unit (the reporting app's orders: the
    unit answers it, the district closes or escalates it to its leaders)."""
    if demand.order_id is not None:
        raise ValidationError(_("该诉求已转为督办单"))
    if demand.status == DemandStatus.RESOLVED:
        raise ValidationError(_("该诉求已办结"))
    today = today or timezone.localdate()
    deadline = max(today + dt.timedelta(days=3), timezone.localtime(demand.resolve_due).date())
    content = _("企业诉求超时未办:%(firm)s——%(content)s") % {"firm": demand.enterprise.name,
                                                          "content": demand.content[:200]}
    with transaction.atomic():
        order = supervision.issue_order(user, unit=demand.unit, content=content, deadline=deadline,
                                        source=OrderSource.DEMAND, today=today)
        return _step(user, demand, Action.SUPERVISE, tuple(DemandStatus.values), _("您没有权限督办"),
                     gettext_noop("诉求转督办"), order=order)



def save_service_level(user, region, data: dict[str, Any], level: ServiceLevel | None = None) -> ServiceLevel:
    """A district's class of 诉求 and its clocks, set by whoever sets the district's rules. A
    changed clock governs 诉求 registered after it; those already running keep the deadlines they
    were given (each 诉求 stores its own)."""
    if level is not None:
        region = level.region
    _require(user, Action.SET_RULES, region, _("只有区管理员可以设定办理时限"))
    level = level or ServiceLevel(region=region)
    for field in ("name", "acknowledge_hours", "answer_days", "resolve_days"):
        if field in data:
            setattr(level, field, data[field])
    level.name = (level.name or "").strip()
    level.full_clean()
    if level.answer_days > level.resolve_days:
        raise ValidationError({"answer_days": [_("答复时限不能长于办结时限")]})
    if level.acknowledge_hours > level.answer_days * 24:
        raise ValidationError({"acknowledge_hours": [_("响应时限不能长于答复时限")]})
    with transaction.atomic(), change_context(user, gettext_noop("设定诉求办理时限")):
        level.save()
    return level


# ---------------------------------------------------------------- 一企一策


def save_strategy(user, firm: Enterprise, year: int, goal: str = "") -> Strategy:
    """A firm's 一企一策 for a year, made or its goal changed (by the firm's 服务专员 or the
    district's staff)."""
    strategy = Strategy.objects.filter(enterprise=firm, year=year).first() or Strategy(enterprise=firm, year=year)
    _require(user, Action.REPORT, strategy, _("只有该企业的服务专员或所在区工作人员可以编制一企一策"))
    strategy.goal = (goal or "").strip()
    strategy.full_clean(validate_constraints=False)
    with transaction.atomic(), change_context(user, gettext_noop("编制一企一策")):
        try:
            with transaction.atomic():
                strategy.save()
        except IntegrityError as exc:
            raise ValidationError(_("该企业本年度已有一企一策")) from exc
    return strategy


MEASURE_FIELDS = ("content", "unit", "deadline", "status", "progress")


def save_measure(user, strategy: Strategy, data: dict[str, Any], measure: Measure | None = None,
                 today: dt.date | None = None) -> Measure:
    """Add a measure to a firm's 一企一策, or change one: its unit must be of the firm's district,
    its 诉求 the firm's own; a measure marked done keeps the day it was done."""
    measure = measure or Measure(strategy=strategy)
    if measure.strategy_id != strategy.pk:
        raise ValidationError(_("该措施不属于此一企一策"))
    _require(user, Action.REPORT, strategy, _("只有该企业的服务专员或所在区工作人员可以修改一企一策"))
    firm = strategy.enterprise
    demands = data.get("demands")
    for field in MEASURE_FIELDS:
        if field in data:
            setattr(measure, field, data[field])
    measure.content = (measure.content or "").strip()
    errors: dict[str, list[str]] = {}
    if measure.unit_id and not measure.unit.region.path.startswith(firm.region.path):
        errors["unit"] = [_("责任单位不属于该企业所在区")]
    if measure.deadline and measure.deadline.year < strategy.year:
        errors["deadline"] = [_("完成时限不能早于一企一策的年度")]
    if demands is not None and any(d.enterprise_id != firm.pk for d in demands):
        errors["demands"] = [_("只能关联该企业自己的诉求")]
    if errors:
        raise ValidationError(errors)
    if measure.status == MeasureStatus.DONE:
        measure.done_on = measure.done_on or today or timezone.localdate()
    else:
        measure.done_on = None
    measure.full_clean(exclude=["strategy"])
    reason = gettext_noop("修改一企一策措施") if measure.pk else gettext_noop("新增一企一策措施")
    with transaction.atomic(), change_context(user, reason):
        measure.save()
        if demands is not None and set(measure.demands.values_list("pk", flat=True)) != {d.pk for d in demands}:
            measure.demands.set(demands)  # recorded in the measure's history as it changes
    return measure
