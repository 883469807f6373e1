"""Excel import of project lists and their progress, in the layouts districts already use.

A sheet is read (header over one or two rows, units in the header, totals rows and
notes skipped), every row becomes the same form data the project page validates, and a
preview says row by row what will be created, updated or is wrong. Nothing is written
until :func:`taizhang.projects.services.apply_import` runs, and then all rows or none.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from taizhang.core.bulk import few_collections
from taizhang.core.models import Verdicts, clean_fields, instance
from taizhang.core.numbers import MAX_AMOUNT_WAN, ZERO
from taizhang.core.scope import Action, restrict_regions
from taizhang.core.text import name_key
from taizhang.core.workbook import (
    BLANKS,
    NOT_PROGRESS,
    NOT_THIS_YEAR,
    CellError,
    Field,
    Table,
    WorkbookError,
    clean,
    filled,
    month_in,
    open_workbook,
    period_in,
    read_amount,
    read_table,
    to_date,
    to_dated,
)
from taizhang.regions.choices import RegionLevel
from taizhang.regions.models import IndustryChain, Region, Unit

from .choices import STAGE_ORDER, Category, Level, Nature, Origin, Stage
from .forms import ProjectForm
from .models import AnnualPlan, MonthlyProgress, Project, StageChange, date_shown
from .validators import normalize_project_code

MAX_UPLOAD_BYTES = 20 * 1024 * 1024

_MONEY_NEVER = NOT_THIS_YEAR
#: The vocabulary of the headers real sheets use, field by field.
FIELDS: dict[str, Field] = {
    "seq": Field(gettext_noop("序号"), ("序号", "编号", "序"), kind="seq"),
    "name": Field(gettext_noop("项目名称"), ("项目名称", "项目名"), kind="name"),
    "code": Field(gettext_noop("项目代码"), ("项目代码", "项目编码", "统一项目代码", "投资项目代码", "项目赋码")),
    "region": Field(gettext_noop("所属区"), ("所属区", "所在区", "区市", "县区", "区县", "所属区域", "所属地区", "属地", "所在区市",
                              "所属区市", "所属县区", "所在区县", "区(市)", "县(市、区)")),
    "park": Field(gettext_noop("所在园区"), ("所在园区", "所属园区", "园区", "所在功能区", "功能区", "所属片区")),
    "builder": Field(gettext_noop("建设单位"), ("项目业主", "业主单位", "建设单位", "项目单位", "投资方", "建设主体", "项目法人",
                                 "投资主体", "实施主体", "项目业主单位", "投资企业", "签约企业", "项目建设单位")),
    "credit_code": Field(gettext_noop("统一社会信用代码"), ("统一社会信用代码", "信用代码", "社会信用代码")),
    "origin": Field(gettext_noop("资金来源"), ("资金来源", "内外资")),
    "nature": Field(gettext_noop("建设性质"), ("建设性质", "项目性质", "新建/续建", "新建续建")),
    "level": Field(gettext_noop("项目级别"), ("项目级别", "级别", "重点级别", "项目层级")),
    "category": Field(gettext_noop("项目类别"), ("项目类别", "类别", "项目类型", "类型", "产业类别")),
    "chain": Field(gettext_noop("产业链"), ("产业链", "所属产业链")),
    "content": Field(gettext_noop("建设规模及内容"), ("建设规模及内容", "建设内容", "主要建设内容", "建设规模", "建设内容及规模",
                                       "项目概况", "项目简介", "主要建设内容及规模")),
    "total_investment": Field(gettext_noop("总投资"), ("总投资", "计划总投资", "项目总投资", "总投资额", "投资总额", "估算总投资"),
                              kind="money", never=_MONEY_NEVER),
    "foreign_investment": Field(gettext_noop("外资"), ("外资", "利用外资", "合同外资"), kind="money", never=_MONEY_NEVER),
    "contract_amount": Field(gettext_noop("合同引资"), ("合同引资", "协议投资额", "协议投资", "签约金额", "签约额", "合同金额",
                                          "合同投资", "协议引资", "签约投资额", "协议总投资"),
                             kind="money", never=_MONEY_NEVER),
    "year_plan": Field(gettext_noop("年度计划投资"), ("年度计划投资", "年计划投资", "计划投资", "年度计划", "本年计划投资",
                                        "年度投资计划", "全年计划投资", "计划完成投资", "年度计划完成投资",
                                        "年度投资目标", "全年投资目标", "投资计划", "本年计划", "本年计划投资", "本年度计划投资"),
                       kind="money", never=_MONEY_NEVER,
                       under=("全年目标", "年度目标", "全年计划", "年度计划", "计划", "目标", "计划数", "本年计划"),
                       group=("投资",)),
    "ytd": Field(gettext_noop("1-N月完成投资"), ("1-N月完成投资", "累计完成投资", "本年累计完成投资", "年累计完成投资",
                                   "1-N月累计完成投资", "本年完成投资", "1-N月完成", "累计完成", "完成投资",
                                   "年度累计完成投资", "1-N月投资", "1-N月累计完成", "本年度累计完成投资", "1-N月累计"),
                 kind="money", never=_MONEY_NEVER,
                 under=("累计", "本年累计", "年累计", "1-N月", "1-N月累计", "累计完成", "累计数", "本年"),
                 group=("投资", "完成")),
    "month_investment": Field(gettext_noop("当月完成投资"), ("当月完成投资", "本月完成投资", "单月完成投资", "N月完成投资",
                                              "月度完成投资", "当月投资", "本月投资"),
                              kind="money", never=_MONEY_NEVER,
                              under=("单月", "当月", "本月", "当月数", "本月数", "本月完成", "当月完成", "单月完成"),
                              group=("投资", "完成")),
    "month": Field(gettext_noop("完成投资"), ("完成投资",), kind="month"),
    "progress": Field(gettext_noop("形象进度"), ("形象进度", "进展情况", "推进情况", "项目进展", "工程进度", "进度情况", "目前进展",
                                   "建设进度", "项目进展情况", "当前进度", "工程形象进度", "项目推进情况",
                                   "形象进度及进展情况"), never=NOT_PROGRESS),
    "problems": Field(gettext_noop("存在问题"), ("存在问题", "存在的问题", "困难问题", "问题", "存在困难", "需协调解决的问题",
                                   "困难和问题", "需协调事项", "需要协调解决的问题", "存在问题及建议")),
    "explanation": Field(gettext_noop("情况说明"), ("情况说明", "偏差说明", "异常说明")),
    "responsible_unit": Field(gettext_noop("责任单位"), ("责任单位", "牵头单位", "牵头协调部门", "牵头部门", "责任部门",
                                           "主责单位", "推进单位", "包联单位", "牵头责任单位")),
    "responsible_person": Field(gettext_noop("责任人"), ("责任人", "项目负责人", "联系人")),
    "commissioner": Field(gettext_noop("服务专员"), ("服务专员", "项目专员", "帮办专员")),
    "planned_start": Field(gettext_noop("计划开工时间"), ("计划开工", "计划开工时间", "计划开工日期", "开工计划"), kind="date"),
    "planned_completion": Field(gettext_noop("计划竣工时间"), ("计划竣工", "计划竣工时间", "计划竣工日期", "竣工计划"),
                                kind="date"),
    "span": Field(gettext_noop("建设起止年限"), ("建设起止年限", "起止年限", "建设年限", "项目工期", "建设工期", "建设周期",
                                  "起止时间", "建设起止时间")),
    # The project's past, recorded as dated stage history.
    "stage": Field(gettext_noop("项目阶段"), ("项目阶段", "建设阶段", "所处阶段", "项目状态", "推进阶段", "当前阶段")),
    "signed_on": Field(gettext_noop("签约时间"), ("签约时间", "签约日期"), kind="date", never=("计划",)),
    "registered_on": Field(gettext_noop("注册时间"), ("注册时间", "注册日期", "注册成立时间"), kind="date", never=("计划",)),
    "started_on": Field(gettext_noop("开工时间"), ("实际开工", "开工时间", "开工日期", "实际开工时间"), kind="date",
                        never=("计划",)),
    "completed_on": Field(gettext_noop("竣工时间"), ("实际竣工", "竣工时间", "竣工日期", "实际竣工时间"), kind="date",
                          never=("计划",)),
    "operating_on": Field(gettext_noop("投产时间"), ("投产时间", "投产日期", "实际投产", "实际投产时间"), kind="date",
                          never=("计划",)),
    "remarks": Field(gettext_noop("备注"), ("备注",)),
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
    ("情况说明", "explanation"), ("项目阶段", "stage"), ("签约时间", "signed_on"), ("开工时间", "started_on"),
    ("竣工时间", "completed_on"),
]
_MONEY = {f for f, spec in FIELDS.items() if spec.kind == "money"}
_CHOICES = {
    "origin": {str(label): value for value, label in Origin.choices},
    "nature": {str(label): value for value, label in Nature.choices},
    "level": {**{str(label): value for value, label in Level.choices},
              "省级重点": Level.PROVINCIAL, "市级重点": Level.MUNICIPAL, "区级重点": Level.DISTRICT,
              "省级": Level.PROVINCIAL, "市级": Level.MUNICIPAL, "区级": Level.DISTRICT},
    "category": {str(label): value for value, label in Category.choices},
}
_LEVEL_IN_REMARKS = [("省重点", Level.PROVINCIAL), ("省级重点", Level.PROVINCIAL), ("市重点", Level.MUNICIPAL),
                     ("市级重点", Level.MUNICIPAL), ("区重点", Level.DISTRICT), ("区级重点", Level.DISTRICT)]
#: what a choice column's cell may say: the labels, and for the level the words of 备注 too
_CHOICES_READ = {f: {**m, **(dict(_LEVEL_IN_REMARKS) if f == "level" else {})} for f, m in _CHOICES.items()}

#: the amount units a column can be read in (core.workbook), by name, for the preview in English
UNIT_NAMES = (gettext_noop("亿元"), gettext_noop("亿"), gettext_noop("万元"), gettext_noop("万"), gettext_noop("元"),
              gettext_noop("万美元"), gettext_noop("亿美元"), gettext_noop("美元"), gettext_noop("万欧元"),
              gettext_noop("万港元"))


def _label(f: str) -> str:
    base, _, month = f.partition(":")
    return (gettext("%(month)s月完成投资") % {"month": month} if month else gettext(FIELDS[base].label) if base in FIELDS
            else base)


@dataclass
class Row:
    number: int
    name: str
    action: str = ""  # create, update, unchanged, error
    messages: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    shown: list[tuple[str, str]] = field(default_factory=list)  # (field, "as written → as stored")
    project: Project | None = None
    data: dict = field(default_factory=dict)
    draft: Project | None = None  # a new row's project as validated; confirming stores a copy of it
    plan: Decimal | None = None
    ytd: Decimal | None = None
    ytd_step: Decimal = Decimal("0.01")  # how finely the sheet writes the cumulative, in 万元
    this_month: Decimal | None = None  # the month's own figure (当月/单月)
    months: dict[int, Decimal] = field(default_factory=dict)  # month columns: the months' own figures
    reports: dict[int, Decimal] = field(default_factory=dict)  # month -> investment to write
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
        return {"create": gettext("新建"), "update": gettext("更新"), "unchanged": gettext("无变化"),
                "error": gettext("错误")}.get(self.action, "")

    @property
    def total_shown(self) -> str:
        return _wan(self.data.get("total_investment"))

    @property
    def plan_shown(self) -> str:
        return _wan(self.plan)

    @property
    def stages_shown(self) -> list[str]:
        return [f"{Stage(st['to_stage']).label} {date_shown(st['date'], st.get('precision') or 'day')}"
                for st in self.stages]


@dataclass
class Total:
    """A money column's total: as the sheet states it, and as the rows to be stored add up."""

    label: str
    rows: Decimal
    sheet: Decimal | None = None
    sheet_text: str = ""

    @property
    def rows_shown(self) -> str:
        return f"{self.rows:,.2f}"

    @property
    def sheet_shown(self) -> str:
        return "—" if self.sheet is None else f"{self.sheet:,.2f}"

    @property
    def agrees(self) -> bool | None:
        if self.sheet is None:
            return None
        return abs(self.sheet - self.rows) <= max(Decimal("0.05"), abs(self.sheet) * Decimal("0.0005"))


@dataclass
class ImportPreview:
    rows: list[Row]
    year: int
    month: int | None
    table: Table | None = None
    sheets: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)  # to be answered before confirming
    notices: list[str] = field(default_factory=list)  # what the reading assumed, shown
    totals: list[Total] = field(default_factory=list)
    period_source: str = ""
    template: str = ""  # the saved column template applied, if any
    #: values the rows' fields were found valid with: confirming does not validate them again
    verdicts: Verdicts = field(default_factory=Verdicts, repr=False)
    #: the new projects' stage histories found right (services.initial_history's ``checked``)
    histories: dict = field(default_factory=dict, repr=False)
    #: what the dry run decided, for confirming this preview (services.apply_import)
    decided: object = field(default=None, repr=False)

    @property
    def errors(self) -> list[Row]:
        return [r for r in self.rows if r.action == "error"]

    @property
    def disagreeing_totals(self) -> list[Total]:
        return [t for t in self.totals if t.agrees is False]

    @property
    def columns(self) -> list:
        return self.table.columns if self.table else []

    @property
    def skipped(self) -> list:
        return self.table.skipped if self.table else []

    @property
    def cautions(self) -> list[str]:
        """What the reader says of rows it did not import though they may hold projects (hidden
        rows, rows with figures under a note): shown as warnings, not as a reading's remarks."""
        return self.table.notices if self.table else []

    @property
    def not_started_new(self) -> bool:
        """New rows refused only because they are not started: the stage select can help."""
        not_started = gettext("尚未开工")  # the "not started" rule's refusal, in the language it was written in
        return any(r.project is None and any(not_started in m for m in r.messages) for r in self.errors)

    @property
    def blocked(self) -> bool:
        return bool(self.errors or self.questions)

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
        self._abbreviations: dict = {}
        self._exact: dict = {}  # (district, name) -> its unit, or False

    def unit(self, district: Region, name: str):
        """(unit, None) by its name; an abbreviation (区投促中心) found as the one unit of the
        district whose name holds its characters in order; else (None, closest names)."""
        key = (district.pk, name)
        found = self._exact.get(key)
        if found is None:
            found = self._exact[key] = next(
                (u for u in self.units.get(name, []) if u.region.path.startswith(district.path)), False)
        if found:
            return found, None
        if key not in self._abbreviations:
            mine = [u for units in self.units.values() for u in units if u.region.path.startswith(district.path)]
            bare = re.sub(f"^(?:{re.escape(district.name)}|{re.escape(district.short_name or district.name)})", "", name)
            found = [u for u in mine if _in_order(bare.lstrip("区县市"), u.name)]
            if len(found) == 1:
                self._abbreviations[key] = (found[0], None)
            else:
                close = found or sorted(mine, key=lambda u: -_shared(name, u.name))[:3]
                self._abbreviations[key] = (None, [u.name for u in close[:3]])
        return self._abbreviations[key]


def _in_order(short: str, full: str) -> bool:
    """Every character of ``short`` appears in ``full`` in order (区投促中心 in 崂山区投资促进中心)."""
    if len(short) < 2:
        return False
    it = iter(full)
    return all(ch in it for ch in short)


def _shared(a: str, b: str) -> int:
    return len(set(a) & set(b))


def _period(table: Table, year: int | None, month: int | None) -> tuple[int | None, int | None, str, list[str]]:
    """The year and month the figures are for: the user's choice, else the title, else the
    headers. Signals that disagree are not settled by guessing: they become a question."""
    questions = []
    header_months = {}
    header_years = set()
    for c in table.columns:
        if c.field == "ytd":
            m = month_in(c.title)
            if m:
                header_months[m] = c.title
        if c.field and (c.field in _MONEY or c.field.startswith("month:")):
            p = period_in(c.title)
            if p.year and c.field != "total_investment":
                header_years.add(p.year)
            if c.field == "month_investment" and (p.month or _month_named(c.title)):
                # "9月完成投资" names its month as surely as "1-9月" does.
                header_months[p.month or _month_named(c.title)] = c.title
    title = table.period
    source = []
    if year is not None:
        source.append(gettext("年度为导入时选择"))
    elif title.year:
        year = title.year
        source.append(gettext("标题“%(title)s”") % {"title": title.source})
    elif len(header_years) == 1:
        year = header_years.pop()
        source.append(gettext("表头年份"))
    elif title.years:
        questions.append(gettext("标题“%(title)s”含多个年份:请在下方选择年度,或把对应年份的列选为“年度计划投资”")
                         % {"title": title.source})
    if month is not None:
        source.append(gettext("月份为导入时选择"))
    elif title.month and header_months and set(header_months) != {title.month}:
        m, t = next(iter(header_months.items()))
        questions.append(gettext("标题写的是“%(title)s”,表头“%(header)s”却是%(month)s月:请在下方选择截至月份后重新预览")
                         % {"title": title.source, "header": t, "month": m})
    elif title.month:
        month = title.month
    elif len(header_months) == 1:
        month, t = next(iter(header_months.items()))
        source.append(gettext("表头“%(header)s”") % {"header": t})
    elif len(header_months) > 1:
        questions.append(gettext("表头中的月份不一致(%(months)s):请选择截至月份") % {
            "months": gettext("、").join(header_months.values())})
    return year, month, gettext("、").join(source), questions


_ONE_MONTH = re.compile(r"(?<![\d\-—–~～至到－])(\d{1,2})\s*月")


def _month_named(title: str) -> int | None:
    """The one month a column's header names ("9月完成投资", "完成投资 / 9月份"), not a
    range's end ("1-9月")."""
    m = _ONE_MONTH.search(unicodedata.normalize("NFKC", title))
    return int(m.group(1)) if m and 1 <= int(m.group(1)) <= 12 else None


def _single_month_column(table: Table, month: int | None) -> None:
    """"完成投资 / 10月 | 1-10月": one month column beside the cumulative is that month's own
    figure, not a month of a 逐月 series."""
    months = [c for c in table.columns if c.field and c.field.startswith("month:")]
    if len(months) != 1 or any(c.field == "month_investment" for c in table.columns):
        return
    (c,) = months
    k = int(c.field.split(":")[1])
    ytd = next((x for x in table.columns if x.field == "ytd"), None)
    if (ytd is not None and month_in(ytd.title) == k) or month == k:
        c.field, c.note = "month_investment", gettext("%(month)s月的当月数(旁边是1-%(month)s月累计)") % {"month": k}


@few_collections()
def read_projects(user, file, year: int | None = None, month: int | None = None, *, sheet: str | None = None,
                  mapping: dict[int, str | None] | None = None, filename: str = "",
                  check: bool = True, new_stage: str | None = None) -> ImportPreview:
    """Parse and validate a project sheet. Writes nothing. With ``check`` the ledger's and the
    monthly figures' rules are run too (a dry run of confirming); without, the caller is about
    to confirm, which runs them anyway."""
    sheets = open_workbook(file, filename)

    def saved(sig):
        from .models import ImportTemplate

        region = user.region if user.region_id else None
        t = ImportTemplate.objects.filter(region=region, signature=sig).first()
        return (t.name, {int(k): (v or None) for k, v in t.mapping.items()}) if t else None

    if not sheets:
        raise WorkbookError(gettext("工作簿中没有工作表"))
    table = None
    if sheet is not None:
        chosen = next((s for s in sheets if s.name == sheet), None)
        if chosen is None:
            raise WorkbookError(gettext("工作簿中没有名为“%(sheet)s”的工作表") % {"sheet": sheet})
        table = read_table(chosen, FIELDS, "name", mapping, saved=saved, year=year)
    else:
        problems = []
        for candidate in sheets:  # the first sheet that holds a project table
            try:
                table = read_table(candidate, FIELDS, "name", mapping, saved=saved, year=year)
                break
            except WorkbookError as e:
                problems.append(str(e))
        if table is None:
            raise WorkbookError(problems[0] if len(problems) == 1 else
                                gettext("%(n)s个工作表中都没有找到项目表:") % {"n": len(problems)} + ";".join(problems[:3]))
    preview = ImportPreview([], year or 0, month, table, [s.name for s in sheets], template=table.template)
    preview.questions.extend(table.questions)
    year, month, preview.period_source, questions = _period(table, year, month)
    preview.questions.extend(questions)
    _single_month_column(table, month)
    money_columns = [c for c in table.columns if c.field and (c.field in _MONEY or c.field.startswith("month:"))]
    needs_year = any(c.field in ("year_plan", "ytd", "month_investment") or c.field.startswith("month:")
                     for c in money_columns)
    if year is None and needs_year:
        preview.questions.append(gettext("看不出这张表是哪一年的:标题、工作表名和表头中都没有年份,请在上方选择年度"))
    if month is None and any(c.field in ("ytd", "month_investment") for c in money_columns) and not preview.questions:
        preview.questions.append(gettext("有“累计完成投资”或“当月完成投资”列,但看不出截至几月:请在上方选择截至月份"))
    if month is not None and not 1 <= month <= 12:
        raise WorkbookError(gettext("月份不正确:%(month)s") % {"month": month})
    preview.year, preview.month = year or timezone.localdate().year, month
    for c in money_columns:
        if not table.unit_of(c):
            preview.notices.append((gettext("“%(title)s”与表头上方都未注明金额单位,按万美元读取")
                                    if c.field == "foreign_investment" else
                                    gettext("“%(title)s”与表头上方都未注明金额单位,按万元读取")) % {"title": c.title})
    if table.unit:
        where = table.unit_source if table.unit_source.startswith("表尾") else (
            gettext("表头上方“%(unit)s”") % {"unit": table.unit_source})
        preview.notices.append(gettext("金额单位取自%(where)s(列标题另有单位的以列标题为准)") % {"where": where})
    if preview.questions or not any(c.field == "name" for c in table.columns):
        return preview

    catalogue = _Catalogue(user)
    in_scope = Project.objects.restrict(user, Action.CHANGE)
    existing = in_scope.load_shared()
    by_code = {p.code: p for p in existing if p.code}
    by_name = {(name_key(p.name), p.region_id): p for p in existing}
    elsewhere = Project.objects.exclude(pk__in=in_scope.values("pk"))
    visible_elsewhere = {(name_key(n), r) for n, r in elsewhere.values_list("name", "region__name")}
    # A project code is unique across the city: one taken out of the user's reach refuses the row
    # here, rather than the database refusing the whole import when it is confirmed.
    codes_elsewhere = set(elsewhere.exclude(code=None).values_list("code", flat=True))
    plans = {(p.project_id): p.planned_investment for p in AnnualPlan.objects.filter(project__in=in_scope, year=year)}
    from .models import Problem

    recorded: dict = {}
    for pid, stage, date, pk, precision in StageChange.objects.filter(project__in=in_scope).values_list(
            "project_id", "to_stage", "date", "id", "precision"):
        recorded.setdefault(pid, {}).setdefault(stage, {})[date] = (pk, precision)
    open_problems = set(Problem.objects.filter(project__in=in_scope).unsolved().values_list("project_id", "description"))
    earlier: dict = {}
    for pid, m_, inv in MonthlyProgress.objects.filter(project__in=in_scope, year=preview.year).values_list(
            "project_id", "month", "investment"):
        earlier.setdefault(pid, {})[m_] = inv
    similar = _Similar(by_name)
    units = {c.field: table.unit_of(c) for c in table.columns if c.field}
    seen: dict[tuple, int] = {}
    stage_labels = {s: str(s.label) for s in Stage}
    words = _Words()
    for number, cells in table.rows:
        values = {c.field: cells[c.index] for c in table.columns if c.field and c.index < len(cells)}
        row = _read_row(number, values, units, catalogue, preview.year)
        if row.action != "error":
            _match(row, by_code, by_name, visible_elsewhere, similar, codes_elsewhere)
        if row.action != "error" and row.project is None and not row.stages and new_stage:
            # The user said what stage the sheet's new projects are at; when, nobody knows.
            row.stages = [{"to_stage": new_stage, "date": None, "precision": "day"}]
            row.shown.append((gettext("项目阶段"), f"{Stage(new_stage).label}" + gettext("(日期不详,按导入时的选择)")))
        key = (row.data.get("code") or name_key(row.name), getattr(row.data.get("region"), "pk", None))
        if row.name and key in seen:
            row.action = "error"
            row.messages.append(gettext("与第%(number)s行是同一项目(重复)") % {"number": seen[key]})
        elif row.name:
            seen[key] = number
        if row.action != "error":
            _validate(user, row, preview.verdicts)
        if row.action != "error":
            _stage_changes(row, recorded, stage_labels, words)
            _progress_changes(row, plans, earlier, preview.month, words)
            if row.problem and (getattr(row.project, "pk", None), row.problem) not in open_problems:
                row.changes.append(gettext("登记问题") + f": {row.problem}")
                if row.action == "unchanged":
                    row.action = "update"
        preview.rows.append(row)
    if not preview.rows:
        raise WorkbookError(gettext("工作表“%(sheet)s”中没有项目行") % {"sheet": table.sheet} + (
            gettext("(跳过了%(n)s行:%(reason)s等)") % {"n": len(table.skipped), "reason": gettext(table.skipped[0].reason)}
            if table.skipped else ""))
    preview.totals = _totals(preview)
    # Everything confirming would do, done and undone: the rules of the ledger and of the
    # monthly figures (locked months, check rules, not started) put their refusals on the rows.
    if check:
        from .services import apply_import

        apply_import(user, preview, dry_run=True)
    return preview


def _totals(preview: ImportPreview) -> list[Total]:
    """Each money column: the sheet's own 合计 beside the sum of the rows read."""
    table = preview.table
    sums: dict[str, Decimal] = {}
    for row in preview.rows:
        for f, v in _row_amounts(row).items():
            sums[f] = sums.get(f, ZERO) + v
    out = []
    for c in table.columns:
        if not c.field or not (c.field in _MONEY or c.field.startswith("month:")):
            continue
        total = Total(_label(c.field), sums.get(c.field, ZERO))
        if table.totals is not None:
            number, cells = table.totals
            cell = cells[c.index] if c.index < len(cells) else None
            try:
                total.sheet = read_amount(cell, table.unit_of(c), negative=True, limit=MAX_AMOUNT_WAN * 1000,
                                          usd=c.field == "foreign_investment").value
            except CellError:
                total.sheet = None
            total.sheet_text = str(cell).strip() if filled(cell) else ""
        out.append(total)
    return out


def _row_amounts(row: Row) -> dict[str, Decimal]:
    out = {}
    for f in ("total_investment", "foreign_investment", "contract_amount"):
        if row.data.get(f) is not None:
            out[f] = row.data[f]
    if row.plan is not None:
        out["year_plan"] = row.plan
    if row.ytd is not None:
        out["ytd"] = row.ytd
    if row.this_month is not None:
        out["month_investment"] = row.this_month
    for m, v in row.months.items():
        out[f"month:{m}"] = v
    return out


_NAME_STATUS = re.compile(r"[(](续建|新建|新开工|在建|已开工|竣工|已竣工|投产|计划新开工|预备|前期|新签约|签约)[)]$")


_NOT_A_NAME = re.compile(r"[\d.,\s:-]+")  # a figure or a date where the name should be


def _read_row(number, values, units: dict, catalogue, year: int) -> Row:
    """One sheet row as the ledger's fields; ``units``: field -> the money unit its column is in."""
    name = str(values.get("name") or "").strip()
    row = Row(number=number, name=name)
    folded = unicodedata.normalize("NFKC", name)
    status = _NAME_STATUS.search(folded)
    if status:
        row.name = name = folded[: status.start()].strip()
        row.shown.append((gettext("项目名称"), gettext("名称后的“%(status)s”不计入名称") % {"status": status.group(0)}))
    if not name:
        row.action = "error"
        row.messages.append(gettext("项目名称: 不能为空"))
        return row
    if not isinstance(values.get("name"), str) or _NOT_A_NAME.fullmatch(name):
        row.action = "error"
        row.messages.append(gettext("项目名称: 应为文字,实为“%(name)s”") % {"name": name})
        return row
    data: dict = {"name": name}
    for f in ("code", "builder", "credit_code", "content", "responsible_person", "commissioner"):
        if values.get(f) is not None and clean(values[f]) not in BLANKS:
            data[f] = str(values[f]).strip()
    region_name = str(values.get("region") or "").strip()
    district = catalogue.districts.get(region_name) if region_name else catalogue.default_district
    if district is None:
        row.messages.append(gettext("所属区: 未知或不在您的管理范围内“%(region)s”") % {"region": region_name}
                            if region_name else gettext("所属区: 未填写(市级用户导入须填写所属区)"))
    data["region"] = district
    for f in ("park", "chain"):
        v = str(values.get(f) or "").strip()
        if v and clean(v) not in BLANKS and district is not None:
            found = (catalogue.parks if f == "park" else catalogue.chains).get((district.pk, v))
            if found is None:
                row.messages.append(f"{_label(f)}: " + gettext("未知“%(value)s”") % {"value": v})
            data[f] = found
    unit_name = str(values.get("responsible_unit") or "").strip()
    if unit_name and clean(unit_name) not in BLANKS and district is not None:
        unit, close = catalogue.unit(district, unit_name)
        if unit is None:
            row.messages.append(gettext("责任单位: 未知“%(unit)s”") % {"unit": unit_name} + (
                gettext(",是否为:%(units)s?") % {"units": gettext("、").join(close)} if close else ""))
        elif unit.name != unit_name:
            row.shown.append((gettext("责任单位"), f"{unit_name} → {unit.name}"))
        data["responsible_unit"] = unit
    remarks = clean(values.get("remarks"))
    for f, mapping in _CHOICES.items():
        v = clean(values.get(f))
        if f == "level" and not v and remarks:
            v = next((word for word, _ in _LEVEL_IN_REMARKS if word in remarks), "")
            if v:
                row.shown.append((gettext("项目级别"), gettext("备注“%(remarks)s”") % {"remarks": values['remarks']} + f" → {v}"))
        if v and v not in BLANKS:
            mapping = _CHOICES_READ[f]
            if v not in mapping and v not in mapping.values():
                row.messages.append(f"{_label(f)}: " + gettext("不认识的取值“%(value)s”,可选 %(choices)s") % {
                    "value": v, "choices": gettext("、").join(mapping)})
            data[f] = mapping.get(v, v)
    for f, cell in values.items():
        if f not in _MONEY and not f.startswith("month:"):
            continue
        try:
            amount = read_amount(cell, units.get(f), usd=f == "foreign_investment")
        except CellError as e:
            row.messages.append(f"{_label(f)}: {e}")
            continue
        if amount.value is None:
            continue
        if amount.converted or amount.approximate or not isinstance(cell, int | float | Decimal):
            row.shown.append((_label(f), f"{amount.source} → {amount.value:,.2f} "
                                         + (gettext("万美元") if f == "foreign_investment" else gettext("万元"))))
        if f == "year_plan":
            row.plan = amount.value
        elif f == "ytd":
            row.ytd, row.ytd_step = amount.value, amount.step
        elif f == "month_investment":
            row.this_month = amount.value
        elif f.startswith("month:"):
            row.months[int(f.split(":")[1])] = amount.value
        else:
            data[f] = amount.value
    for f in ("planned_start", "planned_completion"):
        if f in values:
            try:
                data[f] = to_date(values[f], year)
            except CellError as e:
                row.messages.append(f"{_label(f)}: {e}")
    if values.get("span") is not None and clean(values["span"]) not in BLANKS:
        _read_span(row, data, values["span"])
    _read_stages(row, values, year)
    row.progress_text = str(values.get("progress") or "").strip()
    row.explanation = str(values.get("explanation") or "").strip()
    row.problem = str(values.get("problems") or "").strip()
    if clean(row.problem) in BLANKS or row.problem in ("暂无问题", "无问题"):
        row.problem = ""
    row.data = data
    if row.messages:
        row.action = "error"
    return row


def _read_span(row: Row, data: dict, cell) -> None:
    """建设起止年限 "2024-2026", "2024.3-2026.12", "2024年3月至2026年": the planned start and
    completion, unless the sheet gives them in their own columns."""
    text = clean(cell)
    parts = re.split(r"[-—–~至到]+", text)
    if len(parts) != 2:
        row.messages.append(gettext("建设起止年限: 看不懂“%(cell)s”(如 2024-2026 或 2024.3-2026.12)") % {"cell": cell})
        return
    try:
        start, _ = to_dated(parts[0])
        end, precision = to_dated(parts[1] if re.match(r"\d{4}", parts[1]) else f"{parts[0][:4]}年{parts[1]}")
    except CellError as e:
        row.messages.append(gettext("建设起止年限") + f": {e}")
        return
    if precision == "year":
        end = end.replace(month=12)
    if data.get("planned_start") is None:
        data["planned_start"] = start
    if data.get("planned_completion") is None:
        data["planned_completion"] = end
    row.shown.append((gettext("建设起止年限"), f"{cell} → " + gettext("计划开工 %(start)s、计划竣工 %(end)s") % {
        "start": f"{start:%Y-%m}", "end": f"{end:%Y-%m}"}))


def _read_stages(row: Row, values: dict, year: int) -> None:
    """Stage dates become dated history; a stage alone (no date) is recorded with its date unknown."""
    dated = []
    for f, stage in STAGE_COLUMNS.items():
        if f not in values:
            continue
        try:
            date, precision = to_dated(values[f], year)
        except CellError as e:
            row.messages.append(f"{_label(f)}: {e}")
            continue
        if date is not None:
            dated.append({"to_stage": stage, "date": date, "precision": precision})
    dated.sort(key=lambda st: (st["date"], STAGE_ORDER.index(st["to_stage"])))
    for st in dated:
        earlier = next((o for o in dated if STAGE_ORDER.index(o["to_stage"]) < STAGE_ORDER.index(st["to_stage"])
                        and _before(st["date"], st["precision"], o["date"], o["precision"])), None)
        if earlier:
            # Put in date order, the project would go back to an earlier stage and be stored there.
            row.messages.append(f"{_label(_STAGE_FIELDS[st['to_stage']])}: " + gettext(
                "%(when)s早于%(stage)s时间%(other)s,阶段日期先后矛盾,请核对") % {
                    "when": date_shown(st["date"], st["precision"]), "stage": Stage(earlier["to_stage"]).label,
                    "other": date_shown(earlier["date"], earlier["precision"])})
            return
    name = clean(values.get("stage"))
    if name and name not in BLANKS:
        stage = STAGE_NAMES.get(name)
        if stage is None:
            row.messages.append(gettext("项目阶段: 不认识的取值“%(value)s”,可选 %(choices)s") % {
                "value": name, "choices": gettext("、").join(str(s.label) for s in Stage)})
            return
        if dated and stage not in {st["to_stage"] for st in dated}:
            last = dated[-1]["to_stage"]
            if stage in STAGE_ORDER and STAGE_ORDER.index(stage) > STAGE_ORDER.index(last):
                row.messages.append(gettext("项目阶段: “%(stage)s”晚于表中最后一个有日期的阶段,请填写%(stage)s时间") % {"stage": name})
                return
        if not dated:
            dated = [{"to_stage": stage, "date": None, "precision": "day"}]
    row.stages = dated


_STAGE_FIELDS = {stage: f for f, stage in STAGE_COLUMNS.items()}
_CUT = {"year": 1, "month": 2}


def _before(date, precision: str, other, other_precision: str) -> bool:
    """``date`` is before ``other`` as surely as their precisions tell: "2023年" is not
    before "2023-05-10", "2023年4月" is."""
    cut = min(_CUT.get(precision, 3), _CUT.get(other_precision, 3))
    return (date.year, date.month, date.day)[:cut] < (other.year, other.month, other.day)[:cut]


class _Similar:
    """Existing names one of which holds the other ("智慧港口" and "智慧港口二期"), found
    through their four-character pieces rather than by comparing every pair."""

    def __init__(self, by_name):
        self.pieces: dict[tuple, set] = {}
        self.starts: dict[tuple, set] = {}
        for (key, region), p in by_name.items():
            if len(key) < 4:
                continue
            self.starts.setdefault((region, key[:4]), set()).add((key, p.name))
            for i in range(len(key) - 3):
                self.pieces.setdefault((region, key[i:i + 4]), set()).add((key, p.name))

    def __call__(self, name: str, region: int) -> list[str]:
        key = name_key(name)
        if len(key) < 4:
            return []
        found = {n for k, n in self.pieces.get((region, key[:4]), ()) if key in k}
        for i in range(len(key) - 3):
            found |= {n for k, n in self.starts.get((region, key[i:i + 4]), ()) if k in key}
        return sorted(found)[:3]


def _match(row, by_code, by_name, visible_elsewhere, similar=None, codes_elsewhere=frozenset()) -> None:
    code = row.data.get("code")
    code = normalize_project_code(code) if code else code
    existing = by_code.get(code) if code else None
    if existing is None and code and code in codes_elsewhere:
        row.action = "error"
        row.messages.append(f"项目代码: {code} 已是您管理范围以外的项目的代码")
        return
    region = row.data.get("region")
    key = name_key(row.name)
    if existing is None and region is not None:
        existing = by_name.get((key, region.pk))
        if existing is not None and code and existing.code and existing.code != code:
            row.action = "error"
            row.messages.append(gettext("项目代码: 与已有同名项目的代码 %(code)s 不一致") % {"code": existing.code})
            return
    if existing is None and region is not None and (key, region.name) in visible_elsewhere:
        row.action = "error"
        row.messages.append(gettext("该项目已存在但不在您的修改范围内"))
        return
    if existing is not None and existing.name != row.name:
        row.name = existing.name  # the same name written with other spaces or widths
    row.project = existing
    if existing is None and region is not None and similar is not None:
        close = similar(row.name, region.pk)
        if close:
            row.shown.append((gettext("注意"), gettext("与已有项目“%(names)s”名称相近;如是同一项目,请把表中名称改成与台账一致") % {
                "names": "”“".join(close[:3])}))


_FK = ("region", "park", "chain", "responsible_unit")
_FK_SET = frozenset(_FK)  # their objects come from the user's catalogue: not looked up again
_FIELDS = [f for f in ProjectForm.Meta.fields]
_FIELD_VALUES = attrgetter(*_FIELDS)  # a project's values of _FIELDS, read in one call


def _same(stored, given) -> bool:
    if isinstance(given, str) and isinstance(stored, str):
        return stored == given.strip()
    return stored == given


def _validate(user, row, verdicts: Verdicts | None = None) -> None:
    """The model's own rules decide (the project form calls the same ones); messages name the field.

    Related objects come from the user's scoped catalogue, so they are not looked up again.
    """
    existing = row.project
    if existing is not None and all(_same(getattr(existing, f), v) for f, v in row.data.items()):
        # What the ledger holds, validated when it was stored: nothing to check again.
        row.data = dict(zip(_FIELDS, _FIELD_VALUES(existing), strict=True))
        row.action = "unchanged"
        return
    values = dict(row.data)
    if "code" in values:
        values["code"] = normalize_project_code(values["code"]) if values["code"] else None
    if "credit_code" in values:
        values["credit_code"] = (values["credit_code"] or "").upper()
    if existing is None:
        project = instance(Project, **{"origin": Origin.DOMESTIC, "nature": Nature.NEW, "level": Level.DISTRICT,
                                       "category": Category.INDUSTRY, **values})
    else:
        project = copy.copy(existing)
        for f, v in values.items():
            setattr(project, f, v)
    errors: dict[str, list[str]] = {}
    try:
        clean_fields(project, exclude=_FK_SET, verdicts=verdicts, skip_defaults=True)
    except ValidationError as e:
        errors.update(e.message_dict)
    if not errors:
        try:
            project.clean()
        except ValidationError as e:
            errors.update(e.message_dict)
    if existing is None and project.total_investment is None and "total_investment" in errors:
        errors["total_investment"] = [gettext("新建项目须填写总投资")]
    if errors:
        row.action = "error"
        for f, messages in errors.items():
            label = (FIELDS[f].label if f in FIELDS else Project._meta.get_field(f).verbose_name) if f != "__all__" else ""
            row.messages.extend(f"{label}: {m}" if label else m for m in messages)
        return
    cleaned = dict(zip(_FIELDS, _FIELD_VALUES(project), strict=True))
    row.data = cleaned
    if existing is None:
        row.action, row.draft = "create", project
        return
    for f, v in cleaned.items():
        if getattr(existing, f) != v:
            row.changes.append(f"{Project._meta.get_field(f).verbose_name}: {getattr(existing, f) or '—'} → {v or '—'}")
    row.action = "update" if row.changes else "unchanged"


def _stage_changes(row, recorded: dict, labels: dict | None = None, gettext=gettext) -> None:
    """What the sheet's stage dates add to the ledger's history (``recorded``: project id ->
    stage -> {date: entry id}). A date the ledger does not know is filled in; a date the
    ledger knows differently is refused, not added beside it: a sheet does not overrule a
    history silently. ``labels``: the stages' labels, translated once for many rows."""
    labels = labels or {s: str(s.label) for s in Stage}
    known = recorded.get(row.project.pk, {}) if row.project is not None else {}
    new, fills = [], []
    for st in row.stages:
        label = labels[st["to_stage"]]
        dates = known.get(st["to_stage"], {})
        if st["date"] in dates:
            continue
        when = date_shown(st["date"], st["precision"], gettext)
        if st["date"] is None and dates:
            continue  # the ledger knows the stage; the sheet only names it
        others = sorted((d, p) for d, (_pk, p) in dates.items() if d is not None)
        if any(_within(st, d, p) for d, p in others):
            continue  # the sheet gives the month (or year) of a day the ledger knows
        if others:
            row.refuse(gettext("%(stage)s时间") % {"stage": label},
                       gettext("台账已记%(stage)s于%(date)s,表中为%(when)s;如表中日期正确,请在项目页更正阶段记录") % {
                           "stage": label, "date": date_shown(*others[-1], gettext), "when": when})
            return
        clash = _against_ledger(st, known) if st["date"] else None
        if clash:
            row.refuse(gettext("%(stage)s时间") % {"stage": label}, clash)
            return
        if None in dates:
            fills.append((dates[None][0], st))
            row.changes.append(gettext("阶段记录") + f": {label} " + gettext("日期不详") + f" → {when}")
        else:
            new.append(st)
            row.changes.append(gettext("阶段记录") + f": {label} {when}")
    if row.project is not None:
        row.stages, row.stage_fills = new, fills
    if row.action == "unchanged" and row.changes:
        row.action = "update"


def _within(st: dict, date, precision: str) -> bool:
    """A sheet's stage date written less precisely than the ledger's, that holds it."""
    coarser = _CUT.get(st["precision"], 3) < _CUT.get(precision, 3)
    return coarser and not _before(st["date"], st["precision"], date, precision) and not _before(
        date, precision, st["date"], st["precision"])


def _against_ledger(st: dict, known: dict) -> str | None:
    """Why a stage date of the sheet contradicts the stage order with a date the ledger has
    (a 开工 before the 签约 it records, a 签约 after its 开工), or None."""
    rank = STAGE_ORDER.index(st["to_stage"])
    for stage, dates in known.items():
        if stage not in STAGE_ORDER or stage == Stage.LEAD or stage == st["to_stage"]:
            continue
        for date, (_pk, precision) in dates.items():
            if date is None:
                continue
            if STAGE_ORDER.index(stage) < rank and _before(st["date"], st["precision"], date, precision):
                message = gettext("%(when)s早于台账中的%(stage)s时间%(other)s,阶段日期先后矛盾,请核对")
            elif STAGE_ORDER.index(stage) > rank and _before(date, precision, st["date"], st["precision"]):
                message = gettext("%(when)s晚于台账中的%(stage)s时间%(other)s,阶段日期先后矛盾,请核对")
            else:
                continue
            return message % {"when": date_shown(st["date"], st["precision"]), "stage": Stage(stage).label,
                              "other": date_shown(date, precision)}
    return None


class _Words(dict):
    """``gettext`` for the rows of one sheet: each message looked up once (a lookup in the
    active catalogue costs more than the rest of a row's wording). The functions that take it
    call it ``gettext``, so their messages are still found for translation."""

    def __call__(self, message: str) -> str:
        try:
            return self[message]
        except KeyError:
            self[message] = found = gettext(message)
            return found


def _wan(value, gettext=gettext) -> str:
    return "—" if value is None else f"{value:,.2f} " + gettext("万元")


def _progress_changes(row, plans, earlier, month, gettext=gettext) -> None:
    """The plan and the months' own figures the row sets (``row.reports``: month -> amount).

    Month columns (1月…12月) are the months' own figures; a 当月 column is the month's own
    figure and is checked against a 1-N月 column beside it; a 1-N月 column alone gives the
    month as the cumulative less the months already reported."""
    pid = row.project.pk if row.project else None
    if row.plan is not None and plans.get(pid) != row.plan:
        row.changes.append(gettext("年度计划投资") + f": {_wan(plans.get(pid), gettext)} → {_wan(row.plan, gettext)}")
    mine = earlier.get(pid) or {}
    reports: dict[int, Decimal] = {}
    if row.months:
        last = month or max(row.months)
        for m, v in sorted(row.months.items()):
            if m > last:
                if v:
                    row.refuse(gettext("%(month)s月完成投资") % {"month": m},
                               gettext("晚于本表截至的%(last)s月,却有数值 %(value)s") % {"last": last, "value": v})
                continue
            reports[m] = v
        if row.ytd is not None:
            total = sum((v for m, v in row.months.items() if m <= last), ZERO)
            if total != row.ytd:
                row.refuse(gettext("1-%(month)s月完成投资") % {"month": last},
                           gettext("%(ytd)s 与逐月之和 %(total)s 不符") % {"ytd": row.ytd, "total": total})
    elif row.this_month is not None and month:
        reports[month] = row.this_month
        if row.ytd is not None:
            before = sum((v for m, v in mine.items() if m < month), ZERO)
            if before + row.this_month != row.ytd:
                row.refuse(gettext("1-%(month)s月完成投资") % {"month": month},
                           gettext("%(ytd)s 不等于此前各月已填报之和 %(before)s 加当月 %(this)s") % {
                               "ytd": row.ytd, "before": before, "this": row.this_month})
    elif row.ytd is not None and month:
        before = sum((v for m, v in mine.items() if m < month), ZERO)
        this_month = row.ytd - before
        # A cumulative written to 0.01亿元 knows the sum only to ±50万元: within that it
        # agrees with the ledger, and it cannot say a month's figure more finely.
        slack = row.ytd_step / 2 if row.ytd_step > Decimal("0.01") else ZERO
        current = mine.get(month)
        if slack and current is not None and abs(this_month - current) <= slack:
            this_month = current
        elif slack and abs(this_month) <= slack:
            this_month = ZERO
        elif row.ytd_step > 1:  # coarser than the 万元 the ledger keeps: say so
            row.shown.append((gettext("%(month)s月完成投资") % {"month": month},
                              gettext("1-%(month)s月累计 %(ytd)s 减此前各月 %(before)s 得 %(this)s(表中累计精确到 %(step)s 万元)")
                              % {"month": month, "ytd": row.ytd, "before": before, "this": this_month,
                                 "step": f"{row.ytd_step.normalize():f}"}))
        if this_month < 0:
            row.refuse(gettext("1-%(month)s月完成投资") % {"month": month},
                       gettext("%(ytd)s 小于此前各月已填报之和 %(before)s") % {"ytd": row.ytd, "before": before})
        reports[month] = this_month
    if row.action == "error":
        return
    for m, v in sorted(reports.items()):
        current = mine.get(m)
        if current is None and v == 0:
            continue  # nothing done that month and nothing reported: no report to make
        if current == v:
            continue  # as the ledger has it: nothing to write (a locked month stays untouched)
        row.reports[m] = v
        if current != v:
            row.changes.append(gettext("%(month)s月完成投资") % {"month": m} + f": {_wan(current, gettext)} → {_wan(v, gettext)}")
    if row.progress_text and row.reports:
        row.changes.append(gettext("%(month)s月形象进度") % {"month": max(row.reports)} + f": {row.progress_text}")
    if row.action == "unchanged" and row.changes:
        row.action = "update"


def save_template(user, preview: ImportPreview, name: str):
    """Keep the preview's column mapping for the next sheet of the same layout."""
    from .models import ImportTemplate

    mapping = {str(c.index): c.field or "" for c in preview.columns if c.title}
    template, _ = ImportTemplate.objects.update_or_create(
        region=user.region if user.region_id else None, signature=preview.table.signature,
        defaults={"name": name, "mapping": mapping, "headers": [c.title for c in preview.columns],
                  "created_by": user})
    return template


def field_choices() -> list[tuple[str, str]]:
    """Every field a column can be, for the preview's column selects."""
    out = [("", gettext("不导入"))]
    for name, spec in FIELDS.items():
        if spec.kind == "month":
            out.extend((f"month:{m}", gettext("%(month)s月完成投资") % {"month": m}) for m in range(1, 13))
        else:
            out.append((name, gettext(spec.label)))
    return out
