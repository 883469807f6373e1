"""A department's sheet of firms' annual figures (营业收入, 研发费用, 从业人员 …) into the registry.

Each row is matched to a firm as the 认定名单 are (:func:`imports.match_firms`: by credit code,
then by name or former name, near-matches for the user to settle); every cell is read by the
registry's one rule for figures (:func:`services.check_figure`) and a bad one is named by its row
and column. Nothing is stored until the user confirms; then every figure goes through the one
writer (:func:`services.record_figures`), all or none, with the department and the file recorded.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.core.history import change_context
from taizhang.core.scope import Action, may
from taizhang.core.workbook import (
    BLANKS,
    CellError,
    Field,
    WorkbookError,
    clean,
    open_workbook,
    read_amount,
    read_table,
)

from . import services
from .choices import Metric
from .imports import FIELDS as LIST_FIELDS
from .imports import _why as code_problem
from .imports import changeable, match_firms, settle
from .models import MAX_FIGURE, FigureImport

MAX_ROWS = 50_000
#: figures in 万元, read with the unit the header names (营业收入(亿元) is multiplied by 10,000)
MONEY = frozenset({Metric.REVENUE, Metric.TAX, Metric.RD_EXPENSE})

FIELDS = {
    "name": LIST_FIELDS["name"],
    "credit_code": LIST_FIELDS["credit_code"],
    Metric.REVENUE: Field(gettext_noop("营业收入"), ("营业收入", "主营业务收入", "营收", "销售收入"), kind="money"),
    Metric.TAX: Field(gettext_noop("纳税总额"), ("纳税总额", "纳税额", "实缴税金", "税收", "实缴税收"), kind="money"),
    Metric.RD_EXPENSE: Field(gettext_noop("研发费用"), ("研发费用", "研发投入", "研发经费支出", "R&D经费支出",
                                                    "研究开发费用"), kind="money"),
    Metric.EMPLOYEES: Field(gettext_noop("从业人员"), ("从业人员", "从业人数", "职工人数", "员工人数",
                                                   "年平均职工人数", "从业人员期末人数")),
    Metric.RD_STAFF_SHARE: Field(gettext_noop("研发人员占比"), ("研发人员占比", "研发人员比重", "科技人员占比")),
    Metric.INVENTION_PATENTS: Field(gettext_noop("发明专利"), ("发明专利", "有效发明专利", "发明专利数",
                                                           "拥有发明专利")),
    Metric.IP_RIGHTS: Field(gettext_noop("知识产权"), ("知识产权", "知识产权数", "有效知识产权", "一类知识产权")),
    Metric.VALUATION: Field(gettext_noop("估值(亿美元)"), ("估值", "企业估值", "最新估值")),
    Metric.MAIN_SHARE: Field(gettext_noop("主营业务收入占比"), ("主营业务收入占比", "主营业务收入占营业收入比重",
                                                           "主营业务占比")),
}


def _json(value):
    """A cell as JSON keeps it, to be read again as it was."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # NaN and infinities are not JSON
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


def read_cell(metric: str, cell, unit: str | None) -> Decimal | None:
    """A figure's cell as the registry keeps it (None for a blank), or :class:`CellError`
    saying why not. Money is read in the header's unit and kept in 万元."""
    if cell is None or isinstance(cell, str) and clean(cell) in BLANKS:
        return None
    if isinstance(cell, bool | dt.date | dt.datetime | dt.time):
        raise CellError(_("应为数字,实为“%(cell)s”") % {"cell": cell})
    if metric in MONEY:
        amount = read_amount(cell, unit, negative=metric in services.MAY_BE_NEGATIVE, limit=MAX_FIGURE)
        if amount.value is None:
            return None
        cell = amount.value
    elif isinstance(cell, str):
        cell = clean(cell).rstrip("%件人")
    try:
        return services.check_figure(metric, cell)
    except ValidationError as exc:
        raise CellError(" ".join(exc.messages)) from exc


def read(file, filename: str) -> tuple[list[dict], list[dict], dict[str, list]]:
    """The sheet's figure columns and rows: each row with its sheet row number, name, code, the
    figures read (as text) and the cells that are wrong (kept as written, said when shown); and
    what the reading set aside and said (:meth:`Table.reading`)."""
    try:
        sheets = open_workbook(file, filename)
        table = read_table(sheets[0], FIELDS, required="name", max_rows=MAX_ROWS)
    except WorkbookError as exc:
        raise ValidationError(str(exc)) from exc
    columns = []
    for c in table.columns:
        if c.field in Metric.values:
            columns.append({"metric": c.field, "title": c.title, "unit": table.unit_of(c) or "",
                            "index": c.index})
    unsure = [c.title for c in table.columns if c.asks]
    if unsure:  # two columns may be one figure: neither is read, and the user is told which
        raise ValidationError(_("这些列可能是同一项数据,请只保留其中一列或修改表头后重新上传:%(titles)s")
                              % {"titles": _("、").join(unsure)})
    if not columns:
        raise ValidationError(_("表中没有可导入的数据列(如营业收入、研发费用、从业人员)"))
    name_at = next(c.index for c in table.columns if c.field == "name")
    code_at = next((c.index for c in table.columns if c.field == "credit_code"), None)
    rows = []
    for number, cells in table.rows:
        def cell(index, cells=cells):
            return cells[index] if index is not None and index < len(cells) else None

        name = clean(cell(name_at) or "")
        if not name:
            continue
        row = {"row": number, "name": name, "credit_code": clean(cell(code_at) or "").upper(),
               "values": {}, "errors": []}
        if row["credit_code"] and code_problem("credit_code", row["credit_code"]):
            row["errors"].append({"column": "credit_code", "value": row["credit_code"]})
        for col in columns:
            value = cell(col["index"])
            try:
                number_read = read_cell(col["metric"], value, col["unit"] or None)
            except CellError:
                row["errors"].append({"column": col["metric"], "value": _json(value)})
                continue
            if number_read is not None:
                row["values"][col["metric"]] = str(number_read)
        rows.append(row)
    if not rows:
        raise ValidationError(_("表中没有读到企业名称"))
    return columns, rows, table.reading()


def row_errors(batch: FigureImport, row: dict) -> list[str]:
    """A row's errors in the reader's language, each naming its row and column."""
    titles = {c["metric"]: (c["title"], c["unit"]) for c in batch.columns}
    out = []
    for problem in row["errors"]:
        column = problem["column"]
        if column == "credit_code":
            title, why = _("统一社会信用代码"), code_problem("credit_code", problem["value"])
        elif column == "duplicate":
            title, why = _("企业名称"), _("与第%(row)s行是同一企业") % {"row": problem["value"]}
        else:
            title, unit = titles.get(column, (column, ""))
            try:
                read_cell(column, problem["value"], unit or None)
                why = _("无法读取")
            except CellError as exc:
                why = str(exc)
        out.append(_("第%(row)s行“%(column)s”:%(msg)s") % {"row": row["row"], "column": title, "msg": why})
    return out


def start(user, region, file, filename: str, year: int, department: str) -> FigureImport:
    """Read and match a department's sheet; nothing of the registry changes until :func:`apply`."""
    if not may(user, Action.CHANGE, region):
        raise PermissionDenied(_("您没有权限导入该区的企业数据"))
    if not (department or "").strip():
        raise ValidationError(_("请填写报送部门"))
    columns, rows, reading = read(file, filename)
    rows = match_firms(rows, user, region)
    for r in rows:  # one firm twice in a department's sheet: which figure is right is the department's to say
        if r["match"] == "duplicate":
            r["errors"].append({"column": "duplicate", "value": r.pop("duplicate_of")})
            r["match"] = "error"
    return FigureImport.objects.create(token=uuid.uuid4().hex, user=user, region=region, filename=filename[:200],
                                       year=year, department=department.strip()[:64],
                                       columns=[{k: c[k] for k in ("metric", "title", "unit")} for c in columns],
                                       rows=rows, reading=reading)


def apply(user, batch: FigureImport, choices: dict[int, str]) -> dict[str, int]:
    """Store the sheet's figures: ``choices`` settles near-matches (row -> firm id, "new" or
    "skip"). All rows or none; a second confirm of the same upload does nothing."""
    if not may(user, Action.CHANGE, batch.region):
        raise PermissionDenied(_("您没有权限导入该区的企业数据"))
    errors: list[str] = []
    counts = {"firms": 0, "created_firms": 0, "skipped": 0}
    why = gettext_noop("导入企业年度数据") + f":{batch.filename}"  # every figure's history names the sheet
    with transaction.atomic(), change_context(user, why):
        locked = FigureImport.objects.select_for_update().get(pk=batch.pk)
        if locked.applied is not None:
            raise ValidationError(_("该数据已经导入过"))
        allowed = changeable(user, batch.region)
        entries = []
        for r in locked.rows:
            if r["match"] == "error":
                errors.extend(row_errors(locked, r))
                continue
            if r["match"] == "foreign":
                counts["skipped"] += 1
                continue
            try:
                created = r["firm"] is None and choices.get(r["row"], "new") == "new"
                firm = settle(user, batch.region, r, choices, allowed, batch.filename, why)
            except ValidationError as exc:
                errors.append(_("第%(row)s行“%(name)s”:") % r + ";".join(exc.messages))
                continue
            if firm is None:
                counts["skipped"] += 1
                continue
            counts["firms"] += 1
            counts["created_firms"] += created
            entries += [(firm, metric, Decimal(value)) for metric, value in r["values"].items()]
        if errors:  # leaving the block by an exception undoes every row
            raise ValidationError(errors)
        counts.update(services.record_figures(user, locked.year, entries, locked.department, locked.filename,
                                              reason=why))
        locked.applied = timezone.now()
        locked.save(update_fields=["applied"])
    return counts
