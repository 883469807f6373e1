"""Excel import of project lists and their progress, in the layouts districts already use.

A sheet is read (header over one or two rows, units in the header, totals rows and
notes skipped), every row becomes the same form data the project page validates, and a
preview says row by row what will be created, updated or is wrong. Nothing is written
until :func:`taizhang.projects.services.apply_import` runs, and then all rows or none.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from taizhang.core.scope import Action, restrict_regions
from taizhang.core.workbook import (
    WorkbookError,
    data_rows,
    find_header,
    open_sheet,
    to_date,
    to_dated,
    to_decimal,
)
from taizhang.regions.choices import RegionLevel
from taizhang.regions.models import IndustryChain, Region, Unit

from .choices import STAGE_ORDER, Category, Level, Nature, Origin, Stage
from .forms import ProjectForm
from .models import AnnualPlan, MonthlyProgress, Project, StageChange

MAX_UPLOAD_BYTES = 20 * 1024 * 1024

SYNONYMS: dict[str, list[str]] = {
    "name": ["项目名称"],
    "code": ["项目代码"],
    "region": ["所属区", "所在区", "区市", "县区", "所属区域"],
    "park": ["所在园区", "园区"],
    "builder": ["建设单位", "项目单位", "投资方", "建设主体", "项目法人"],
    "credit_code": ["统一社会信用代码", "信用代码"],
    "origin": ["资金来源"],
    "nature": ["建设性质"],
    "level": ["项目级别", "级别"],
    "category": ["项目类别", "类别"],
    "chain": ["产业链"],
    "content": ["建设规模及内容", "建设内容", "主要建设内容", "建设规模"],
    "total_investment": ["总投资"],
    "foreign_investment": ["外资"],
    "contract_amount": ["合同引资"],
    "year_plan": ["年度计划投资", "年计划投资", "计划投资", "年度计划"],
    "ytd": ["月完成投资", "月累计完成", "累计完成投资", "累计完成"],
    "progress": ["形象进度", "进展情况"],
    "problems": ["存在问题", "存在的问题", "困难问题"],
    "explanation": ["情况说明", "偏差说明", "异常说明"],
    "responsible_unit": ["责任单位", "牵头单位"],
    "responsible_person": ["责任人"],
    "commissioner": ["服务专员"],
    "planned_start": ["计划开工"],
    "planned_completion": ["计划竣工"],
    # The project's past, recorded as dated stage history.
    "stage": ["项目阶段", "建设阶段", "所处阶段"],
    "signed_on": ["签约时间", "签约日期"],
    "registered_on": ["注册时间", "注册日期"],
    "started_on": ["实际开工", "开工时间", "开工日期"],
    "completed_on": ["实际竣工", "竣工时间", "竣工日期"],
    "operating_on": ["投产时间", "投产日期"],
}
#: stage columns -> the stage their date records
STAGE_COLUMNS = {"signed_on": Stage.SIGNED, "registered_on": Stage.REGISTERED, "started_on": Stage.STARTED,
                 "completed_on": Stage.COMPLETED, "operating_on": Stage.OPERATING}
STAGE_NAMES = {**{str(label): value for value, label in Stage.choices}, "在建": Stage.STARTED,
               "续建": Stage.STARTED, "新开工": Stage.STARTED, "已开工": Stage.STARTED, "已竣工": Stage.COMPLETED,
               "已投产": Stage.OPERATING, "已签约": Stage.SIGNED, "已注册": Stage.REGISTERED}
TEMPLATE_COLUMNS = [
    ("项目代码", "code"), ("项目名称", "name"), ("所属区", "region"), ("所在园区", "park"),
    ("产业链", "chain"), ("建设单位", "builder"), ("统一社会信用代码", "credit_code"),
    ("资金来源", "origin"), ("建设性质", "nature"), ("项目级别", "level"), ("项目类别", "category"),
    ("建设规模及内容", "content"), ("总投资(万元)", "total_investment"), ("年度计划投资(万元)", "year_plan"),
    ("1-N月完成投资(万元)", "ytd"), ("形象进度", "progress"), ("存在问题", "problems"),
    ("责任单位", "responsible_unit"), ("责任人", "responsible_person"), ("服务专员", "commissioner"),
    ("计划开工时间", "planned_start"), ("计划竣工时间", "planned_completion"),
    ("情况说明", "explanation"), ("项目阶段", "stage"), ("签约时间", "signed_on"), ("开工时间", "started_on"), ("竣工时间", "completed_on"),
]
_MONEY = {"total_investment", "foreign_investment", "contract_amount", "year_plan", "ytd"}
_CHOICES = {
    "origin": {str(label): value for value, label in Origin.choices},
    "nature": {str(label): value for value, label in Nature.choices},
    "level": {**{str(label): value for value, label in Level.choices},
              "省级重点": Level.PROVINCIAL, "市级重点": Level.MUNICIPAL, "区级重点": Level.DISTRICT},
    "category": {str(label): value for value, label in Category.choices},
}
_FIELD_LABELS = {f: label.split("(")[0] for label, f in TEMPLATE_COLUMNS}


@dataclass
class Row:
    number: int
    name: str
    action: str = ""  # create, update, unchanged, error
    messages: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    project: Project | None = None
    data: dict = field(default_factory=dict)
    plan: Decimal | None = None
    ytd: Decimal | None = None
    progress_text: str = ""
    problem: str = ""
    explanation: str = ""  # why a figure a soft check rule asks about is right
    stages: list = field(default_factory=list)  # [{"to_stage", "date", "precision"}] to record, oldest first
    stage_fills: list = field(default_factory=list)  # [(entry id, stage dict)]: unknown dates the sheet gives

    def refuse(self, label: str, error) -> None:
        """Mark the row wrong with ``error`` (a message or a ValidationError), under ``label``."""
        messages = error.messages if isinstance(error, ValidationError) else [str(error)]
        self.action = "error"
        self.messages.extend(f"{label}: {m}" if label else m for m in messages)

    @property
    def action_label(self) -> str:
        return {"create": "新建", "update": "更新", "unchanged": "无变化", "error": "错误"}.get(self.action, "")


@dataclass
class ImportPreview:
    rows: list[Row]
    year: int
    month: int | None
    columns: list[str]
    ignored_columns: list[str]

    @property
    def errors(self) -> list[Row]:
        return [r for r in self.rows if r.action == "error"]

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)


def build_template() -> bytes:
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "重点项目"
    ws.append([f"{timezone.localdate().year}年重点项目计划表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(TEMPLATE_COLUMNS))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([label for label, _ in TEMPLATE_COLUMNS])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    ws.append(["", "示例:人工智能产业园二期", "崂山区", "", "人工智能", "青岛某科技有限公司", "", "内资", "新建",
               "市重点", "产业", "建设研发楼及配套", 150000, 30000, 12000, "主体施工", "", "崂山区投资促进中心",
               "张三", "李四", "2024-03-01", "2026-12-31"])
    ws.append(["注:金额单位为万元(表头写“亿元”时按亿元读取);“1-N月完成投资”为本年累计,系统按月份换算为当月完成额;示例行请删除。"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


class _Catalogue:
    """Names the sheet uses -> records in the user's scope, loaded once per import."""

    def __init__(self, user):
        regions = restrict_regions(Region.objects.all(), user)
        self.districts = {}
        self.parks = {}
        for r in regions:
            if r.level == RegionLevel.DISTRICT:
                for key in {r.name, r.short_name, r.code} - {""}:
                    self.districts[key] = r
            elif r.level == RegionLevel.PARK:
                self.parks[(r.parent_id, r.name)] = r
        units = restrict_regions(Unit.objects.all(), user, "region__")
        # By name: a row names its unit, and the district decides among same-named ones.
        self.units: dict[str, list[Unit]] = {}
        for u in units.select_related("region"):
            self.units.setdefault(u.name, []).append(u)
        chains = restrict_regions(IndustryChain.objects.all(), user, "region__")
        self.chains = {(c.region_id, c.name): c for c in chains}
        self.default_district = user.region if user.region and user.region.level == RegionLevel.DISTRICT else None


    def unit(self, district: Region, name: str):
        return next((u for u in self.units.get(name, []) if u.region.path.startswith(district.path)), None)


def _year_month(columns, rows, start, year, month):
    text = " ".join(c.title for c in columns) + " " + " ".join(str(v) for row in rows[:start] for v in row if v)
    if year is None:
        m = re.search(r"(20\d\d)年", text)
        year = int(m.group(1)) if m else timezone.localdate().year
    if month is None:
        ytd_titles = [c.title for c in columns if c.field == "ytd"]
        m = re.search(r"1\s*[-—~至到]\s*(\d{1,2})\s*月", " ".join(ytd_titles))
        month = int(m.group(1)) if m else None
    return year, month


def read_projects(user, file, year: int | None = None, month: int | None = None) -> ImportPreview:
    """Parse and validate a project sheet. Writes nothing."""
    rows = open_sheet(file)
    columns, start = find_header(rows, SYNONYMS, "name")
    year, month = _year_month(columns, rows, start, year, month)
    if month is not None and not 1 <= month <= 12:
        raise WorkbookError(f"表头中的月份不正确:{month}")
    if any(c.field == "ytd" for c in columns) and month is None:
        raise WorkbookError("有“累计完成投资”列但看不出是几月:请在表头写明“1-N月”,或在导入时选择月份")
    catalogue = _Catalogue(user)
    in_scope = Project.objects.restrict(user, Action.CHANGE)
    existing = list(in_scope.select_related("region", "park", "chain", "responsible_unit__region"))
    by_code = {p.code: p for p in existing if p.code}
    by_name = {(p.name, p.region_id): p for p in existing}
    visible_elsewhere = set(Project.objects.exclude(pk__in=in_scope.values("pk")).values_list("name", "region__name"))
    plans = {(p.project_id): p.planned_investment for p in AnnualPlan.objects.filter(project__in=in_scope, year=year)}
    from .models import Problem

    recorded: dict = {}
    for pid, stage, date, pk in StageChange.objects.filter(project__in=in_scope).values_list(
            "project_id", "to_stage", "date", "id"):
        recorded.setdefault(pid, {}).setdefault(stage, {})[date] = pk
    open_problems = set(Problem.objects.filter(project__in=in_scope).unsolved().values_list("project_id", "description"))
    earlier = {}
    if month:
        for pid, m_, inv in MonthlyProgress.objects.filter(project__in=in_scope, year=year).values_list(
                "project_id", "month", "investment"):
            earlier.setdefault(pid, {})[m_] = inv
    seen: dict[tuple, int] = {}
    out: list[Row] = []
    for number, values in data_rows(rows, columns, start, "name"):
        row = _read_row(user, number, values, columns, catalogue)
        if row.action != "error":
            _match(row, by_code, by_name, visible_elsewhere)
        key = (row.data.get("code") or row.name, getattr(row.data.get("region"), "pk", None))
        if row.name and key in seen:
            row.action = "error"
            row.messages.append(f"与第{seen[key]}行是同一项目(重复)")
        elif row.name:
            seen[key] = number
        if row.action != "error":
            _validate(user, row)
        if row.action != "error":
            _stage_changes(row, recorded)
            _progress_changes(row, plans, earlier, month)
            if row.problem and (getattr(row.project, "pk", None), row.problem) not in open_problems:
                row.changes.append(f"登记问题: {row.problem}")
                if row.action == "unchanged":
                    row.action = "update"
        out.append(row)
    if not out:
        raise WorkbookError("表中没有项目行")
    mapped = [c.title for c in columns if c.field]
    ignored = [c.title for c in columns if not c.field and c.title]
    preview = ImportPreview(out, year, month, mapped, ignored)
    # Everything confirming would do, done and undone: the rules of the ledger and of the
    # monthly figures (locked months, check rules, not started) put their refusals on the rows.
    from .services import apply_import

    apply_import(user, preview, dry_run=True)
    return preview


def _read_row(user, number, values, columns, catalogue) -> Row:
    multipliers = {c.field: c.multiplier for c in columns if c.field}
    name = str(values.get("name") or "").strip()
    row = Row(number=number, name=name)
    if not name:
        row.action = "error"
        row.messages.append("项目名称: 不能为空")
        return row
    data: dict = {"name": name}
    for f in ("code", "builder", "credit_code", "content", "responsible_person", "commissioner"):
        if f in values and values[f] is not None:
            data[f] = str(values[f]).strip()
    region_name = str(values.get("region") or "").strip()
    district = catalogue.districts.get(region_name) if region_name else catalogue.default_district
    if district is None:
        row.messages.append(f"所属区: 未知或不在您的管理范围内“{region_name}”" if region_name
                            else "所属区: 未填写(市级用户导入须填写所属区)")
    data["region"] = district
    for f, key_fn in (("park", lambda v: (district.pk, v)), ("chain", lambda v: (district.pk, v))):
        v = str(values.get(f) or "").strip()
        if v and district is not None:
            found = (catalogue.parks if f == "park" else catalogue.chains).get(key_fn(v))
            if found is None:
                row.messages.append(f"{_FIELD_LABELS[f]}: 未知“{v}”")
            data[f] = found
    unit_name = str(values.get("responsible_unit") or "").strip()
    if unit_name and district is not None:
        unit = catalogue.unit(district, unit_name)
        if unit is None:
            row.messages.append(f"责任单位: 未知“{unit_name}”")
        data["responsible_unit"] = unit
    for f, mapping in _CHOICES.items():
        v = str(values.get(f) or "").strip()
        if v:
            if v not in mapping and v not in mapping.values():
                row.messages.append(f"{_FIELD_LABELS.get(f, f)}: 不认识的取值“{v}”,可选 {'、'.join(mapping)}")
            data[f] = mapping.get(v, v)
    for f in _MONEY:
        if f in values:
            try:
                number_value = to_decimal(values[f], multipliers.get(f, Decimal("1")))
            except ValueError as e:
                row.messages.append(f"{_FIELD_LABELS.get(f, f)}: {e}")
                continue
            if f == "year_plan":
                row.plan = number_value
            elif f == "ytd":
                row.ytd = number_value
            else:
                data[f] = number_value
    for f in ("planned_start", "planned_completion"):
        if f in values:
            try:
                data[f] = to_date(values[f])
            except ValueError as e:
                row.messages.append(f"{_FIELD_LABELS[f]}: {e}")
    _read_stages(row, values)
    row.progress_text = str(values.get("progress") or "").strip()
    row.explanation = str(values.get("explanation") or "").strip()
    row.problem = str(values.get("problems") or "").strip()
    if row.problem in ("无", "暂无", "/", "-"):
        row.problem = ""
    row.data = data
    if row.messages:
        row.action = "error"
    return row


def _read_stages(row: Row, values: dict) -> None:
    """Stage dates become dated history; a stage alone (no date) is recorded with its date unknown."""
    dated = []
    for f, stage in STAGE_COLUMNS.items():
        if values.get(f) in (None, "", "-", "—", "/", "无"):
            continue
        try:
            date, precision = to_dated(values[f])
        except ValueError as e:
            row.messages.append(f"{_label(f)}: {e}")
            continue
        if date is not None:
            dated.append({"to_stage": stage, "date": date, "precision": precision})
    dated.sort(key=lambda st: (st["date"], STAGE_ORDER.index(st["to_stage"])))
    name = str(values.get("stage") or "").strip()
    if name:
        stage = STAGE_NAMES.get(name)
        if stage is None:
            row.messages.append(f"项目阶段: 不认识的取值“{name}”,可选 {'、'.join(str(s.label) for s in Stage)}")
            return
        if dated and stage not in {st["to_stage"] for st in dated}:
            last = dated[-1]["to_stage"]
            if stage in STAGE_ORDER and STAGE_ORDER.index(stage) > STAGE_ORDER.index(last):
                row.messages.append(f"项目阶段: “{name}”晚于表中最后一个有日期的阶段,请填写{name}时间")
                return
        if not dated:
            dated = [{"to_stage": stage, "date": None, "precision": "day"}]
    row.stages = dated


def _label(f: str) -> str:
    return next((label for label, field_ in TEMPLATE_COLUMNS if field_ == f), SYNONYMS.get(f, [f])[0])


def _match(row, by_code, by_name, visible_elsewhere) -> None:
    code = row.data.get("code")
    from .validators import normalize_project_code

    existing = by_code.get(normalize_project_code(code)) if code else None
    region = row.data.get("region")
    if existing is None and region is not None:
        existing = by_name.get((row.name, region.pk))
        if existing is not None and code and existing.code and existing.code != normalize_project_code(code):
            row.action = "error"
            row.messages.append(f"项目代码: 与已有同名项目的代码 {existing.code} 不一致")
            return
    if existing is None and region is not None and (row.name, region.name) in visible_elsewhere:
        row.action = "error"
        row.messages.append("该项目已存在但不在您的修改范围内")
        return
    row.project = existing


_FK = ("region", "park", "chain", "responsible_unit")
_FIELDS = [f for f in ProjectForm.Meta.fields]


def _validate(user, row) -> None:
    """The model's own rules decide (the project form calls the same ones); messages name the field.

    Related objects come from the user's scoped catalogue, so they are not looked up again.
    """
    existing = row.project
    project = copy.copy(existing) if existing is not None else Project(
        origin=Origin.DOMESTIC, nature=Nature.NEW, level=Level.DISTRICT, category=Category.INDUSTRY)
    for f, v in row.data.items():
        if f == "code":
            from .validators import normalize_project_code

            v = normalize_project_code(v) if v else None
        if f == "credit_code":
            v = (v or "").upper()
        setattr(project, f, v)
    errors: dict[str, list[str]] = {}
    try:
        project.clean_fields(exclude=list(_FK))
    except ValidationError as e:
        errors.update(e.message_dict)
    if not errors:
        try:
            project.clean()
        except ValidationError as e:
            errors.update(e.message_dict)
    if errors:
        row.action = "error"
        for f, messages in errors.items():
            label = Project._meta.get_field(f).verbose_name if f != "__all__" else ""
            row.messages.extend(f"{label}: {m}" if label else m for m in messages)
        return
    cleaned = {f: getattr(project, f) for f in _FIELDS}
    row.data = cleaned
    if existing is None:
        row.action = "create"
        return
    for f, v in cleaned.items():
        if getattr(existing, f) != v:
            row.changes.append(f"{Project._meta.get_field(f).verbose_name}: {getattr(existing, f) or '—'} → {v or '—'}")
    row.action = "update" if row.changes else "unchanged"


def _stage_changes(row, recorded: dict) -> None:
    """What the sheet's stage dates add to the ledger's history (``recorded``: project id ->
    stage -> {date: entry id}). A date the ledger does not know is filled in; a date the
    ledger knows differently is refused, not added beside it: a sheet does not overrule a
    history silently."""
    known = recorded.get(row.project.pk, {}) if row.project is not None else {}
    new, fills = [], []
    for st in row.stages:
        label = Stage(st["to_stage"]).label
        dates = known.get(st["to_stage"], {})
        if st["date"] in dates:
            continue
        when = st["date"].isoformat() if st["date"] else "日期不详"
        if st["date"] is None and dates:
            continue  # the ledger knows the stage; the sheet only names it
        others = sorted(d for d in dates if d is not None)
        if others:
            row.refuse(f"{label}时间", f"台账已记{label}于{others[-1].isoformat()},表中为{when};"
                                      f"如表中日期正确,请在项目页更正阶段记录")
            return
        if None in dates:
            fills.append((dates[None], st))
            row.changes.append(f"阶段记录: {label} 日期不详 → {when}")
        else:
            new.append(st)
            row.changes.append(f"阶段记录: {label} {when}")
    if row.project is not None:
        row.stages, row.stage_fills = new, fills
    if row.action == "unchanged" and row.changes:
        row.action = "update"


def _progress_changes(row, plans, earlier, month) -> None:
    pid = row.project.pk if row.project else None
    if row.plan is not None and plans.get(pid) != row.plan:
        row.changes.append(f"年度计划投资: {plans.get(pid, '—')} → {row.plan}")
    if row.ytd is not None and month:
        before = sum((v for m, v in (earlier.get(pid) or {}).items() if m < month), Decimal("0"))
        this_month = row.ytd - before
        if this_month < 0:
            row.action = "error"
            row.messages.append(f"1-{month}月完成投资: {row.ytd} 小于此前各月已填报之和 {before}")
            return
        current = (earlier.get(pid) or {}).get(month)
        if current is None and this_month == 0:
            row.ytd = None  # nothing done this month and nothing reported: no report to make
        elif current != this_month:
            row.changes.append(f"{month}月完成投资: {current if current is not None else '—'} → {this_month}")
    if row.action == "unchanged" and row.changes:
        row.action = "update"


