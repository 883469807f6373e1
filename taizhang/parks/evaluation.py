"""Writes of the 亩均效益评价 (the one door for pages, API, imports, commands and the demo):
departments' data, schemes, runs, publications, objections, final lists. Reads that several
paths share (the 差别化 list, aggregates) are here too."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.core.history import change_context
from taizhang.core.scope import Action, may
from taizhang.core.workbook import (
    CellError,
    Field,
    WorkbookError,
    clean,
    open_workbook,
    read_table,
)
from taizhang.enterprises.choices import Metric as FirmMetric
from taizhang.enterprises.choices import Scale
from taizhang.enterprises.choices import Source as FirmSource
from taizhang.enterprises.models import Enterprise
from taizhang.enterprises.services import create_enterprise, record_figures
from taizhang.projects.validators import validate_credit_code
from taizhang.regions.choices import RegionLevel

from . import scoring
from .choices import (
    BatchStatus,
    ClassifyBy,
    Department,
    EvaluationStatus,
    ExemptionKind,
    Klass,
    Metric,
    ObjectionStatus,
)
from .indicators import INDICATORS, land_of
from .models import (
    DataBatch,
    Evaluation,
    Exemption,
    Indicator,
    IndicatorScore,
    MujunFigure,
    Objection,
    Publication,
    PublishedEntry,
    Result,
    Scheme,
    SchemePool,
)
from .models.base import MAX_MU, MAX_QUANTITY, refuse_non_finite


def _require(user, action: Action, obj=None, message: str | None = None) -> None:
    if not may(user, action, obj):
        raise PermissionDenied(message or _("您没有权限执行此操作"))


def _district(region) -> None:
    if region is None or region.level != RegionLevel.DISTRICT:
        raise ValidationError(_("亩均效益评价由区/县组织,请选择区/县"))


# ---------------------------------------------------------------- departments' data

#: the sheet's columns: firm identity, then each figure (headers as departments write them)
FIELDS = {
    "name": Field(gettext_noop("企业名称"), ("企业名称", "单位名称", "纳税人名称", "企业"), kind="name"),
    "credit_code": Field(gettext_noop("统一社会信用代码"), ("统一社会信用代码", "信用代码", "社会信用代码",
                                                      "纳税人识别号")),
    Metric.LAND_CERTIFICATE: Field(gettext_noop("证载用地面积"), ("证载用地面积", "证载面积", "自有用地面积",
                                                              "土地证面积", "不动产证面积")),
    Metric.LAND_LEASED: Field(gettext_noop("租赁用地面积"), ("租赁用地面积", "租用土地面积", "租赁面积")),
    Metric.TAX: Field(gettext_noop("实缴税收"), ("实缴税收", "税收", "实缴税金", "税收实际贡献", "入库税收")),
    Metric.ADDED_VALUE: Field(gettext_noop("工业增加值"), ("工业增加值", "增加值")),
    Metric.REVENUE: Field(gettext_noop("营业收入"), ("营业收入", "主营业务收入", "销售收入")),
    Metric.RD: Field(gettext_noop("研发经费支出"), ("研发经费支出", "R&D经费支出", "研发费用", "R&D经费")),
    Metric.ENERGY: Field(gettext_noop("综合能耗"), ("综合能耗", "能耗", "能源消费量")),
    Metric.EMISSIONS: Field(gettext_noop("主要污染物排放量"), ("主要污染物排放量", "污染物排放量", "排放量")),
    Metric.ELECTRICITY: Field(gettext_noop("用电量"), ("用电量", "工业用电量", "全年用电量")),
    Metric.EMPLOYEES: Field(gettext_noop("年平均职工人数"), ("年平均职工人数", "职工人数", "从业人员", "从业人数")),
}
#: figures that cannot be negative (tax can: refunds may exceed what was paid)
_NON_NEGATIVE = {Metric.LAND_CERTIFICATE, Metric.LAND_LEASED, Metric.ENERGY, Metric.EMISSIONS,
                 Metric.ELECTRICITY, Metric.EMPLOYEES, Metric.REVENUE, Metric.RD}
_BLANK = {"", "-", "--", "—", "/", "无", "暂无"}


def parse_number(cell, metric: str) -> Decimal | None:
    """A figure's cell: a finite number within bounds (None for a blank), or a Chinese message."""
    if cell is None:
        return None
    if isinstance(cell, bool):
        raise CellError(_("应为数字"))
    if isinstance(cell, dt.date | dt.datetime):
        raise CellError(_("应为数字,实为日期“%(cell)s”") % {"cell": cell})
    text = repr(cell) if isinstance(cell, float) else clean(cell).replace(",", "")
    if text in _BLANK:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise CellError(_("应为数字,实为“%(cell)s”") % {"cell": cell}) from exc
    if not number.is_finite():
        raise CellError(_("不是有效数字:“%(cell)s”") % {"cell": cell})
    limit = MAX_MU if metric in (Metric.LAND_CERTIFICATE, Metric.LAND_LEASED) else MAX_QUANTITY
    if abs(number) > limit:
        raise CellError(_("数值过大:“%(cell)s”,请核对单位") % {"cell": cell})
    if number < 0 and metric in _NON_NEGATIVE:
        raise CellError(_("不能为负数:“%(cell)s”") % {"cell": cell})
    if metric == Metric.EMPLOYEES and number != number.to_integral_value():
        raise CellError(_("职工人数应为整数:“%(cell)s”") % {"cell": cell})
    return number.quantize(Decimal("0.0001"))


def read_figures(file, filename: str = "") -> tuple[list[dict[str, Any]], list[str], dict[str, list]]:
    """The sheet's rows as {name, credit_code, metric: value …}, the errors, each naming
    the sheet, row and column, and what the reading set aside and said (:meth:`Table.reading`)."""
    try:
        sheets = open_workbook(file, filename)
    except WorkbookError as exc:
        raise ValidationError(str(exc)) from exc
    except Exception as exc:  # noqa: BLE001 — a damaged file is the user's to fix, not a 500
        raise ValidationError(_("无法读取该文件,请确认是完好的 Excel 工作簿")) from exc
    if not sheets:
        raise ValidationError(_("工作簿中没有工作表"))
    sheet = sheets[0]
    try:
        table = read_table(sheet, FIELDS, required="name")
    except WorkbookError as exc:
        raise ValidationError(str(exc)) from exc
    columns = {c.field: c for c in table.columns if c.field}
    if "credit_code" not in columns:
        raise ValidationError(_("工作表“%(sheet)s”没有“统一社会信用代码”列") % {"sheet": sheet.name})
    metrics = [m for m in Metric.values if m in columns]
    if not metrics:
        raise ValidationError(_("工作表“%(sheet)s”没有可导入的数据列(如实缴税收、工业增加值、用地面积)")
                              % {"sheet": sheet.name})
    rows, errors, seen = [], [], {}
    for number, cells in table.rows:
        def cell(name, cells=cells):
            index = columns[name].index
            return cells[index] if index < len(cells) else None

        where = {"sheet": sheet.name, "row": number}
        code = clean(cell("credit_code")).upper()
        name = str(cell("name") or "").strip()
        try:
            validate_credit_code(code)
        except ValidationError as exc:
            errors.append(_("工作表“%(sheet)s”第%(row)s行 统一社会信用代码:%(msg)s")
                          % {**where, "msg": " ".join(exc.messages)})
            continue
        if not code:
            errors.append(_("工作表“%(sheet)s”第%(row)s行 统一社会信用代码:不能为空") % where)
            continue
        if code in seen:
            errors.append(_("工作表“%(sheet)s”第%(row)s行 统一社会信用代码:与第%(first)s行重复")
                          % {**where, "first": seen[code]})
            continue
        seen[code] = number
        row = {"name": name, "credit_code": code, "row": number}
        for metric in metrics:
            try:
                value = parse_number(cell(metric), metric)
            except CellError as exc:
                errors.append(_("工作表“%(sheet)s”第%(row)s行 %(column)s:%(msg)s")
                              % {**where, "column": columns[metric].title, "msg": exc})
                continue
            if value is not None:
                row[metric] = value
        rows.append(row)
    if not rows and not errors:
        errors.append(_("工作表“%(sheet)s”没有企业数据行") % {"sheet": sheet.name})
    return rows, errors, table.reading()


def import_figures(user, region, year: int, department: str, file, filename: str = "") -> DataBatch:
    """One department's sheet for a district and year: all rows or none. Firms are found by
    统一社会信用代码; a code the registry does not know becomes a new firm of the district (by
    the registry's one writer); a code registered in another district is refused."""
    _district(region)
    _require(user, Action.CHANGE, region, _("您没有权限导入该区的亩均数据"))
    if department not in Department.values:
        raise ValidationError(_("请选择报送部门"))
    if not 2000 <= int(year) <= 2100:
        raise ValidationError(_("数据年度应在2000年至2100年之间"))
    rows, errors, reading = read_figures(file, filename)
    known = {code: (pk, region_id) for code, pk, region_id in Enterprise.objects.filter(
        credit_code__in=[r["credit_code"] for r in rows]).values_list("credit_code", "pk", "region_id")}
    for row in rows:
        found = known.get(row["credit_code"])
        if found is not None and found[1] != region.pk:
            errors.append(_("第%(row)s行 统一社会信用代码:该企业登记在其他区,不能计入本区的评价") % row)
        elif found is None and not row["name"]:
            errors.append(_("第%(row)s行 企业名称:新企业须填写名称") % row)
    if errors:
        raise ValidationError(errors[:200])
    reason = gettext_noop("导入亩均数据")
    with transaction.atomic(), change_context(user, reason):
        firms = {code: pk for code, (pk, _region) in known.items()}
        for row in rows:
            if row["credit_code"] not in firms:
                try:
                    firms[row["credit_code"]] = create_enterprise(
                        user, {"name": row["name"], "credit_code": row["credit_code"], "region": region,
                               "source": FirmSource.IMPORTED, "source_doc": filename[:200]}, reason=reason).pk
                except ValidationError as exc:
                    raise ValidationError(_("第%(row)s行 %(name)s:%(msg)s")
                                          % {**row, "msg": " ".join(exc.messages)}) from exc
        batch = DataBatch.objects.create(region=region, year=year, department=department, filename=filename[:200],
                                         submitted_by=user, rows=len(rows), reading=reading)
        existing = {(firm_id, metric): pk for pk, firm_id, metric in MujunFigure.objects.filter(
            year=year, enterprise_id__in=list(firms.values())).values_list("pk", "enterprise_id", "metric")}
        new, changed = [], []
        for row in rows:
            firm_id = firms[row["credit_code"]]
            for metric in Metric.values:
                if metric in row:
                    pk = existing.get((firm_id, metric))
                    if pk is None:
                        new.append((firm_id, metric, row[metric]))
                    else:
                        changed.append(MujunFigure(pk=pk, value=row[metric], batch=batch))
        saved = _save_figures(user, batch, year, new, changed, reason)
        batch.figures = saved
        batch.save(update_fields=["figures", "updated"])
    return batch


def _save_figures(user, batch: DataBatch, year: int, new: list[tuple], changed: list[MujunFigure],
                  reason: str) -> int:
    """Write a batch's figures and their history in bulk. A district's sheet holds some 100,000
    figures: through the ORM one by one (or its bulk_create, which prepares each value through
    the field machinery) that took a minute, so new rows go in with one parameterised
    executemany and the history rows are copied from the saved rows by INSERT … SELECT."""
    table, history = MujunFigure._meta.db_table, MujunFigure.history.model._meta.db_table
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    user_id = getattr(user, "pk", None)
    quote = connection.ops.quote_name

    def copy_history(kind: str, where: str, params: list) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {quote(history)} (id, created, year, metric, value, enterprise_id, batch_id, "
                f"history_date, history_change_reason, history_type, history_user_id) "
                f"SELECT id, created, year, metric, value, enterprise_id, batch_id, %s, %s, %s, %s "
                f"FROM {quote(table)} WHERE batch_id = %s {where}", [now, reason, kind, user_id, batch.pk, *params])

    if changed:
        MujunFigure.objects.bulk_update(changed, ["value", "batch"], batch_size=1000)
        copy_history("~", "", [])
    if new:
        last = MujunFigure.objects.aggregate(last=Max("pk"))["last"] or 0
        adapt = connection.ops.adapt_decimalfield_value
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {quote(table)} (created, updated, enterprise_id, year, metric, value, batch_id) "
                f"VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [(now, now, firm_id, year, metric, adapt(value, 20, 4), batch.pk) for firm_id, metric, value in new])
        copy_history("+", "AND id > %s", [last])
    return len(new) + len(changed)


#: the 亩均 figures that are facts the registry keeps too (each importer reads the same sheet
#: columns into either): a reviewed one is the firm's figure of the year, stored in the registry by
#: its one writer (:func:`taizhang.enterprises.services.record_figures`), so the firm's page, its gap
#: to the next tier and the 亩均 evaluation read one number
REGISTRY_METRICS = {Metric.REVENUE: FirmMetric.REVENUE, Metric.TAX: FirmMetric.TAX,
                    Metric.RD: FirmMetric.RD_EXPENSE, Metric.EMPLOYEES: FirmMetric.EMPLOYEES}


def _to_registry(user, batch: DataBatch, figures, reason: str) -> None:
    """Record a reviewed batch's figures that are the registry's facts (all or none, with the
    batch's department and file as their source)."""
    entries = [(f.enterprise, REGISTRY_METRICS[f.metric], f.value) for f in figures if f.metric in REGISTRY_METRICS]
    if entries:
        with translation.override(settings.LANGUAGE_CODE):  # stored in the data's language, not the reader's
            department = _("%(dept)s(亩均评价数据)") % {"dept": batch.get_department_display()}
        record_figures(user, batch.year, entries, department=department, source_doc=batch.filename, reason=reason)


def review_batch(user, batch: DataBatch, accept: bool, note: str = "") -> DataBatch:
    """The district accepts a department's batch (its figures count, and those the registry keeps
    too become the firm's figures there) or returns it."""
    _require(user, Action.APPROVE, batch.region, _("只有区管理员可以审核数据"))
    if not accept and not (note or "").strip():
        raise ValidationError({"review_note": [_("退回请说明原因")]})
    reason = gettext_noop("审核亩均数据")
    with transaction.atomic(), change_context(user, reason):
        batch = DataBatch.objects.select_for_update().get(pk=batch.pk)
        batch.status = BatchStatus.REVIEWED if accept else BatchStatus.RETURNED
        batch.reviewed_by, batch.reviewed_at, batch.review_note = user, timezone.now(), (note or "").strip()[:200]
        batch.save()
        if accept:  # the batch's figures not since replaced by a later batch's
            _to_registry(user, batch, MujunFigure.objects.filter(
                batch=batch, metric__in=list(REGISTRY_METRICS)).select_related("enterprise__region"), reason)
    return batch


# ---------------------------------------------------------------- schemes


def save_scheme(user, region, data: dict[str, Any], pools: dict[str, dict[str, Any]]) -> Scheme:
    """A scheme with its pools and indicators, from plain data: ``pools`` maps a pool to its
    class fields and ``indicators`` (a list of indicator fields)."""
    _district(region)
    _require(user, Action.SET_RULES, region, _("只有区管理员可以设定评价办法"))
    with transaction.atomic(), change_context(user, gettext_noop("设定亩均评价办法")):
        scheme = Scheme(region=region, **data)
        refuse_non_finite(scheme)
        scheme.full_clean()
        scheme.save()
        for pool_key, spec in pools.items():
            spec = dict(spec)
            indicators = spec.pop("indicators")
            pool = SchemePool(scheme=scheme, pool=pool_key, **spec)
            refuse_non_finite(pool)
            pool.full_clean()
            pool.save()
            if not indicators:
                raise ValidationError(_("评价组“%(pool)s”没有指标") % {"pool": pool.get_pool_display()})
            for order, ind in enumerate(indicators):
                indicator = Indicator(pool=pool, order=order, **ind)
                indicator.full_clean()
                indicator.save()
    return scheme


def new_version(user, scheme: Scheme, changes: dict[str, Any] | None = None) -> Scheme:
    """A copy of the scheme as its next version (the old one stays for the years it governed)."""
    pools = {}
    for pool in scheme.pools.prefetch_related("indicators"):
        fields = {f: getattr(pool, f) for f in POOL_FIELDS}
        fields["indicators"] = [{f: getattr(i, f) for f in INDICATOR_FIELDS if f != "order"}
                                for i in pool.indicators.all()]
        pools[pool.pool] = fields
    data = {f: getattr(scheme, f) for f in SCHEME_FIELDS}
    latest = Scheme.objects.filter(region=scheme.region, name=scheme.name).aggregate(v=Max("version"))["v"]
    data.update(changes or {}, version=latest + 1)
    return save_scheme(user, scheme.region, data, pools)


SCHEME_FIELDS = ("name", "source_doc", "source_url", "classify_by", "small_land_mu", "transition_years",
                 "min_pool_for_d", "d_surcharge_1", "d_surcharge_2", "d_surcharge_3", "note")
POOL_FIELDS = ("a_min", "b_min", "c_min", "a_share", "ab_share", "d_share")
INDICATOR_FIELDS = ("key", "weight", "direction", "benchmark", "factor", "fixed_value", "cap", "missing", "order")


def scheme_in_use(scheme: Scheme) -> bool:
    """Whether the scheme governs a published (公示 or final) evaluation: such a version is
    never changed in place, a new version is made."""
    return scheme.frozen or scheme.evaluations.exclude(status=EvaluationStatus.DRAFT).exists()


def _editable(user, scheme: Scheme) -> None:
    _require(user, Action.SET_RULES, scheme.region, _("只有区管理员可以设定评价办法"))
    if scheme_in_use(scheme):
        raise ValidationError(_("该版本已用于公示的评价,不能修改;请新建版本后修改"))


def update_scheme(user, scheme: Scheme, data: dict[str, Any]) -> Scheme:
    """Change a scheme version's own fields (its version and district stay)."""
    _editable(user, scheme)
    unknown = set(data) - set(SCHEME_FIELDS)
    if unknown:
        raise ValidationError(_("不能修改:%(fields)s") % {"fields": "、".join(sorted(unknown))})
    with transaction.atomic(), change_context(user, gettext_noop("修改亩均评价办法")):
        scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
        _editable(user, scheme)  # not published meanwhile
        for field, value in data.items():
            setattr(scheme, field, value)
        refuse_non_finite(scheme)
        scheme.full_clean()
        scheme.save()
        for pool in scheme.pools.all():  # a change of 分类方式 asks the pools for other figures
            try:
                pool.full_clean()
            except ValidationError as exc:
                raise ValidationError(_("评价组“%(pool)s”:%(msg)s")
                                      % {"pool": pool.get_pool_display(), "msg": " ".join(exc.messages)}) from exc
    return scheme


def save_pool(user, scheme: Scheme, pool_key: str, data: dict[str, Any]) -> SchemePool:
    """A pool of a scheme version with its class thresholds or shares, made on first save."""
    _editable(user, scheme)
    unknown = set(data) - set(POOL_FIELDS)
    if unknown:
        raise ValidationError(_("不能修改:%(fields)s") % {"fields": "、".join(sorted(unknown))})
    with transaction.atomic(), change_context(user, gettext_noop("设定亩均评价组")):
        pool = SchemePool.objects.filter(scheme=scheme, pool=pool_key).first() or SchemePool(scheme=scheme,
                                                                                           pool=pool_key)
        for field, value in data.items():
            setattr(pool, field, value)
        refuse_non_finite(pool)
        pool.full_clean()
        pool.save()
    return pool


def _refuse_scored(indicators) -> None:
    if IndicatorScore.objects.filter(indicator__in=indicators).exists():
        raise ValidationError(_("该指标已有试算得分,不能删除;请新建版本后修改"))


def remove_pool(user, pool: SchemePool) -> None:
    _editable(user, pool.scheme)
    _refuse_scored(pool.indicators.all())
    with transaction.atomic(), change_context(user, gettext_noop("删除亩均评价组")):
        pool.delete()


def save_indicator(user, pool: SchemePool, data: dict[str, Any], indicator: Indicator | None = None) -> Indicator:
    """An indicator of a pool: its direction, weight, benchmark rule and cap; new unless
    ``indicator`` (one of the pool's) is given."""
    _editable(user, pool.scheme)
    if indicator is not None and indicator.pool_id != pool.pk:
        raise ValidationError(_("指标不属于该评价组"))
    unknown = set(data) - set(INDICATOR_FIELDS)
    if unknown:
        raise ValidationError(_("不能修改:%(fields)s") % {"fields": "、".join(sorted(unknown))})
    if indicator is None:
        indicator = Indicator(pool=pool, order=pool.indicators.count())
    for field, value in data.items():
        setattr(indicator, field, value)
    refuse_non_finite(indicator)
    indicator.full_clean(validate_constraints=False)
    if pool.indicators.exclude(pk=indicator.pk).filter(key=indicator.key).exists():
        raise ValidationError({"key": [_("该评价组已有该指标")]})
    with transaction.atomic(), change_context(user, gettext_noop("设定亩均评价指标")):
        indicator.save()
    return indicator


def remove_indicator(user, indicator: Indicator) -> None:
    _editable(user, indicator.pool.scheme)
    _refuse_scored([indicator])
    with transaction.atomic(), change_context(user, gettext_noop("删除亩均评价指标")):
        indicator.delete()


def scheme_problems(scheme: Scheme) -> list[str]:
    """What keeps a scheme version from governing a run: no pool, or a pool without indicators."""
    pools = list(scheme.pools.prefetch_related("indicators"))
    if not pools:
        return [_("评价办法还没有评价组")]
    return [_("评价组“%(pool)s”没有指标") % {"pool": p.get_pool_display()} for p in pools if not p.indicators.all()]


def scheme_spec(scheme: Scheme) -> scoring.SchemeSpec:
    pools = {}
    for pool in scheme.pools.prefetch_related("indicators"):
        pools[pool.pool] = scoring.PoolSpec(
            pool.pool, [scoring.IndicatorSpec(i.pk, i.key, i.weight, i.direction, i.benchmark, i.factor,
                                              i.fixed_value, i.cap, i.missing) for i in pool.indicators.all()],
            pool.a_min, pool.b_min, pool.c_min, pool.a_share, pool.ab_share, pool.d_share)
    return scoring.SchemeSpec(pools, scheme.classify_by, scheme.small_land_mu, scheme.transition_years,
                              scheme.min_pool_for_d)


# ---------------------------------------------------------------- the run


def create_evaluation(user, region, year: int, scheme: Scheme, note: str = "") -> Evaluation:
    _district(region)
    _require(user, Action.APPROVE, region, _("只有区管理员可以组织评价"))
    if scheme.region_id != region.pk:
        raise ValidationError({"scheme": _("评价办法不属于该区")})
    if Evaluation.objects.filter(region=region, year=year).exists():
        raise ValidationError({"year": _("该区该年度已有评价")})
    problems = scheme_problems(scheme)
    if problems:
        raise ValidationError({"scheme": problems})
    evaluation = Evaluation(region=region, year=year, scheme=scheme, note=note)
    evaluation.full_clean()
    with transaction.atomic(), change_context(user, gettext_noop("新建亩均评价")):
        evaluation.save()
    return evaluation


def exempt(user, evaluation: Evaluation, firm: Enterprise, reason: str,
           kind: str = ExemptionKind.EXEMPT) -> Exemption:
    """List a firm as T for this evaluation (免评, or in its 过渡期), with the reason; it
    takes effect at the next run."""
    _require(user, Action.APPROVE, evaluation, _("只有区管理员可以登记免评企业"))
    if evaluation.status == EvaluationStatus.FINAL:
        raise ValidationError(_("评价已公布,不能再调整"))
    if firm.region_id != evaluation.region_id:
        raise ValidationError({"enterprise": [_("企业不属于该区")]})
    if kind not in ExemptionKind.values:
        raise ValidationError({"kind": [_("请选择类型")]})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("请填写原因")]})
    with transaction.atomic(), change_context(user, gettext_noop("登记免评企业")):
        item, _created = Exemption.objects.update_or_create(evaluation=evaluation, enterprise=firm,
                                                            defaults={"reason": reason.strip()[:200], "kind": kind})
    return item


def remove_exemption(user, item: Exemption) -> None:
    """The firm is evaluated again from the next run."""
    _require(user, Action.APPROVE, item.evaluation, _("只有区管理员可以登记免评企业"))
    if item.evaluation.status == EvaluationStatus.FINAL:
        raise ValidationError(_("评价已公布,不能再调整"))
    with transaction.atomic(), change_context(user, gettext_noop("撤销免评")):
        item.delete()


def reviewed_figures(region, year: int) -> dict[int, dict[str, Decimal]]:
    """The district's firms' figures of the year from reviewed batches, by firm."""
    out: dict[int, dict[str, Decimal]] = defaultdict(dict)
    rows = MujunFigure.objects.filter(year=year, enterprise__region=region, batch__status=BatchStatus.REVIEWED)
    for firm_id, metric, value in rows.values_list("enterprise_id", "metric", "value").iterator(chunk_size=5000):
        out[firm_id][metric] = value
    return out


def run_evaluation(user, evaluation: Evaluation) -> dict[str, int]:
    """Compute (or recompute after corrections) every firm's result and breakdown."""
    _require(user, Action.APPROVE, evaluation, _("只有区管理员可以计算评价"))
    evaluation.refresh_from_db()
    if evaluation.status == EvaluationStatus.FINAL:
        raise ValidationError(_("评价已公布,不能重新计算"))
    figures = reviewed_figures(evaluation.region, evaluation.year)
    firms = Enterprise.objects.filter(pk__in=list(figures)).values_list("pk", "scale", "established")
    exemptions = dict(evaluation.exemptions.values_list("enterprise_id", "reason"))
    inputs = [scoring.FirmInput(pk, figures[pk], scale == Scale.ABOVE, established, exemptions.get(pk, ""))
              for pk, scale, established in firms]
    for firm_id, reason in exemptions.items():  # an exempt firm without figures is still listed
        if firm_id not in figures:
            inputs.append(scoring.FirmInput(firm_id, {}, exempt_reason=reason))
    outcomes = scoring.evaluate(scheme_spec(evaluation.scheme), inputs, evaluation.year)
    with transaction.atomic(), change_context(user, gettext_noop("计算亩均评价")):
        evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        IndicatorScore.objects.filter(result__evaluation=evaluation).delete()
        evaluation.results.all().delete()
        results = Result.objects.bulk_create(
            [Result(evaluation=evaluation, enterprise_id=o.firm_id, pool=o.pool,
                    land_mu=None if o.land is None else o.land.quantize(Decimal("0.0001")),
                    score=o.score, klass=o.klass, rank=o.rank, reason=o.reason) for o in outcomes],
            batch_size=2000)
        six = Decimal("0.000001")
        IndicatorScore.objects.bulk_create(
            [IndicatorScore(result=r, indicator_id=line.indicator_id,
                            value=None if line.value is None else line.value.quantize(six),
                            benchmark=None if line.benchmark is None else line.benchmark.quantize(six),
                            score=line.score, by_rule=line.by_rule)
             for r, o in zip(results, outcomes, strict=True) for line in o.lines], batch_size=5000)
        evaluation.computed_at, evaluation.runs = timezone.now(), evaluation.runs + 1
        evaluation.save(update_fields=["computed_at", "runs", "updated"])
    counts: dict[str, int] = defaultdict(int)
    for o in outcomes:
        counts[o.klass] += 1
    return dict(counts)


# ---------------------------------------------------------------- publication and objections


def publish(user, evaluation: Evaluation, published_on: dt.date, objections_until: dt.date | None = None,
            note: str = "", final: bool = False) -> Publication:
    """Show the current results: the first 公示, a list republished after corrections, or
    (``final``) the final list, after which nothing changes."""
    _require(user, Action.APPROVE, evaluation, _("只有区管理员可以发布评价结果"))
    evaluation.refresh_from_db()
    if evaluation.status == EvaluationStatus.FINAL:
        raise ValidationError(_("评价已公布最终名单"))
    if not evaluation.results.exists():
        raise ValidationError(_("请先计算评价结果"))
    if final and evaluation.objections.filter(status=ObjectionStatus.OPEN).exists():
        raise ValidationError(_("还有未审核的异议,不能公布最终名单"))
    if final and not evaluation.publications.exists():
        raise ValidationError(_("最终名单须先经公示"))
    if not final and (objections_until is None or objections_until < published_on):
        raise ValidationError({"objections_until": [_("请填写异议截止日期(不早于公示日期)")]})
    with transaction.atomic(), change_context(user, gettext_noop("发布亩均评价结果")):
        evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        number = (evaluation.publications.aggregate(n=Max("number"))["n"] or 0) + 1
        publication = Publication.objects.create(evaluation=evaluation, number=number, final=final,
                                                 published_on=published_on,
                                                 objections_until=None if final else objections_until,
                                                 note=(note or "")[:200], published_by=user)
        PublishedEntry.objects.bulk_create(
            [PublishedEntry(publication=publication, enterprise_id=firm_id, pool=pool, score=score, klass=klass,
                            rank=rank, reason=reason)
             for firm_id, pool, score, klass, rank, reason in evaluation.results.values_list(
                 "enterprise_id", "pool", "score", "klass", "rank", "reason")],
            batch_size=5000)
        evaluation.status = EvaluationStatus.FINAL if final else EvaluationStatus.PUBLISHED
        evaluation.save(update_fields=["status", "updated"])
        if not evaluation.scheme.frozen:
            evaluation.scheme.frozen = True
            evaluation.scheme.save(update_fields=["frozen", "updated"])
    return publication


def lodge_objection(user, evaluation: Evaluation, firm: Enterprise, data: dict[str, Any],
                    today: dt.date | None = None) -> Objection:
    """A firm's objection to the list on 公示, lodged before the deadline."""
    _require(user, Action.REPORT, evaluation, _("您没有权限登记该评价的异议"))
    evaluation.refresh_from_db()
    today = today or timezone.localdate()
    latest = evaluation.publications.order_by("-number").first()
    if evaluation.status != EvaluationStatus.PUBLISHED or latest is None or latest.final:
        raise ValidationError(_("该评价不在公示期,不能提出异议"))
    if latest.objections_until and today > latest.objections_until:
        raise ValidationError(_("公示期已于%(day)s截止") % {"day": latest.objections_until})
    if not evaluation.results.filter(enterprise=firm).exists():
        raise ValidationError({"enterprise": [_("该企业不在本次评价名单中")]})
    objection = Objection(evaluation=evaluation, enterprise=firm, submitted_by=user, **data)
    refuse_non_finite(objection)
    objection.full_clean()
    with transaction.atomic(), change_context(user, gettext_noop("登记评价异议")):
        objection.save()
    return objection


def review_objection(user, objection: Objection, accept: bool, note: str,
                     corrected_value: Decimal | None = None) -> Objection:
    """The district's answer to an objection. Accepting one that disputes a figure corrects
    the figure (a reviewed correction batch, so history says who changed it and why); the list
    is then recomputed and republished by :func:`run_evaluation` and :func:`publish`."""
    _require(user, Action.APPROVE, objection.evaluation, _("只有区管理员可以审核异议"))
    if not (note or "").strip():
        raise ValidationError({"review_note": [_("请填写审核意见")]})
    evaluation = Evaluation.objects.get(pk=objection.evaluation_id)
    if evaluation.status == EvaluationStatus.FINAL:
        raise ValidationError(_("评价已公布最终名单"))
    if accept and objection.metric and corrected_value is None:
        corrected_value = objection.claimed_value
    if accept and objection.metric and corrected_value is not None:
        try:
            corrected_value = parse_number(corrected_value, objection.metric)
        except CellError as exc:
            raise ValidationError({"corrected_value": [str(exc)]}) from exc
    with transaction.atomic(), change_context(user, gettext_noop("审核评价异议")):
        locked = Objection.objects.select_for_update().get(pk=objection.pk)
        if locked.status != ObjectionStatus.OPEN:
            raise ValidationError(_("该异议已审核"))
        locked.status = ObjectionStatus.ACCEPTED if accept else ObjectionStatus.REJECTED
        locked.reviewed_by, locked.reviewed_at, locked.review_note = user, timezone.now(), note.strip()
        if accept and locked.metric and corrected_value is not None:
            locked.corrected_value = corrected_value
            batch = DataBatch.objects.create(
                region=evaluation.region, year=evaluation.year, department=Department.OTHER,
                filename=(_("异议更正:%(firm)s") % {"firm": locked.enterprise.name})[:200], rows=1, figures=1,
                status=BatchStatus.REVIEWED, submitted_by=user, reviewed_by=user, reviewed_at=timezone.now(),
                review_note=note.strip()[:200])
            figure, created = MujunFigure.objects.get_or_create(
                enterprise=locked.enterprise, year=evaluation.year, metric=locked.metric,
                defaults={"value": corrected_value, "batch": batch})
            if not created:
                figure.value, figure.batch = corrected_value, batch
                figure.save()
            _to_registry(user, batch, [figure], gettext_noop("审核评价异议"))
        locked.full_clean()
        locked.save()
    return locked


# ---------------------------------------------------------------- lists


def years_in_d(evaluation: Evaluation, firm_ids: list[int]) -> dict[int, int]:
    """For each firm in D this year: how many consecutive years, this one included, its final
    class was D (earlier years counted only while each had a final list with the firm in D)."""
    finals = {p.evaluation.year: p for p in Publication.objects.filter(
        final=True, evaluation__region=evaluation.region, evaluation__year__lt=evaluation.year).select_related(
        "evaluation")}
    d_by_year = {year: set(p.entries.filter(klass=Klass.D, enterprise_id__in=firm_ids).values_list(
        "enterprise_id", flat=True)) for year, p in finals.items()}
    out = {}
    for firm_id in firm_ids:
        years, year = 1, evaluation.year - 1
        while firm_id in d_by_year.get(year, ()):
            years, year = years + 1, year - 1
        out[firm_id] = years
    return out


def differential_list(evaluation: Evaluation) -> list[dict[str, Any]]:
    """The 差别化电价 list: each D firm, its consecutive years in D, the surcharge per kWh and
    the year's surcharge on its reported electricity (万千瓦时 × 元/千瓦时 = 万元)."""
    results = list(evaluation.results.filter(klass=Klass.D).select_related("enterprise").order_by("pool", "rank"))
    years = years_in_d(evaluation, [r.enterprise_id for r in results])
    power = dict(MujunFigure.objects.filter(year=evaluation.year, metric=Metric.ELECTRICITY,
                                            enterprise_id__in=[r.enterprise_id for r in results],
                                            batch__status=BatchStatus.REVIEWED).values_list("enterprise_id", "value"))
    rows = []
    for r in results:
        price = evaluation.scheme.surcharge(years[r.enterprise_id])
        kwh = power.get(r.enterprise_id)
        rows.append({"result": r, "firm": r.enterprise, "years": years[r.enterprise_id], "price": price,
                     "electricity": kwh, "amount": None if kwh is None else (kwh * price).quantize(Decimal("0.01"))})
    return rows


def aggregates(evaluation: Evaluation, by: str = "park") -> list[dict[str, Any]]:
    """亩均税收 and 亩均增加值 of the evaluated firms (T apart) by park or chain: the sums of tax
    and added value over the sum of land (not an average of the firms' ratios)."""
    figures = reviewed_figures(evaluation.region, evaluation.year)
    results = evaluation.results.exclude(klass=Klass.T).select_related("enterprise__park", "enterprise__chain")
    groups: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for r in results:
        target = getattr(r.enterprise, by)
        key = str(target) if target else _("未标注")
        f = figures.get(r.enterprise_id, {})
        g = groups[key]
        g["firms"] += 1
        g["land"] += land_of(f) or 0
        g["tax"] += f.get(Metric.TAX) or 0
        g["added_value"] += f.get(Metric.ADDED_VALUE) or 0
        g["with_value"] += Metric.ADDED_VALUE in f
    rows = []
    for key, g in sorted(groups.items()):
        land = g["land"]
        rows.append({"name": key, "firms": int(g["firms"]), "land": land, "tax": g["tax"],
                     "tax_per_mu": (g["tax"] / land).quantize(Decimal("0.01")) if land else None,
                     "va_per_mu": (g["added_value"] / land).quantize(Decimal("0.01"))
                     if land and g["with_value"] else None})
    return rows


def indicator_label(key: str) -> str:
    return str(INDICATORS[key].label)


def classify_note(scheme: Scheme) -> str:
    return _("按比例") if scheme.classify_by == ClassifyBy.SHARES else _("按得分线")
