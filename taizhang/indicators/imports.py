"""Values from a sheet (表格导入): a district's sheet of indicators and figures for a period,
read by ``core.workbook`` as the ledger's import reads sheets, each row through the one
writer, all or nothing, errors naming the row and column."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.core.periods import month_end
from taizhang.core.workbook import (
    CellError,
    Field,
    WorkbookError,
    clean,
    filled,
    open_workbook,
    read_table,
    to_dated,
)
from taizhang.regions.models import Unit

from . import services
from .choices import Source
from .models import Indicator

FIELDS: dict[str, Field] = {
    "name": Field(gettext_noop("指标名称"), ("指标名称", "指标", "指标项目", "主要指标"), kind="name"),
    "value": Field(gettext_noop("数值"), ("数值", "本期数", "实际值", "完成值", "累计", "本年累计", "1-N月"), kind="text"),
    "target": Field(gettext_noop("年度目标"), ("年度目标", "全年目标", "目标值", "目标"), kind="text"),
}


def _indicators() -> dict[str, Indicator]:
    out = {}
    for indicator in Indicator.objects.all():
        for name in {indicator.name, *indicator.synonym_list()}:
            out.setdefault(services.normalise(name), indicator)
    return out


def import_values(user, region, file, year: int, period_kind: str, period_no: int,
                  filename: str = "") -> tuple[int, dict[str, list]]:
    """Store every row's value (and target) or none; returns how many values were stored and
    what the reading set aside and said (:meth:`Table.reading`)."""
    try:
        sheets = open_workbook(file, filename)
        if not sheets:
            raise WorkbookError(_("文件中没有工作表"))
        table = read_table(sheets[0], FIELDS, "name", year=year)
    except WorkbookError as e:
        raise ValidationError(str(e)) from e
    columns = {c.field: c.index for c in table.columns if c.field}
    if "value" not in columns and "target" not in columns:
        raise ValidationError(_("没有找到“数值”或“年度目标”列"))
    by_name = _indicators()
    errors, n = [], 0
    with transaction.atomic():
        for number, row in table.rows:
            name = clean(row[columns["name"]]) if columns["name"] < len(row) else ""
            indicator = by_name.get(services.normalise(name))
            if indicator is None:
                errors.append(_("第%(row)s行 指标名称:目录中没有“%(name)s”") % {"row": number, "name": name})
                continue
            for key in ("value", "target"):
                at = columns.get(key)
                cell = row[at] if at is not None and at < len(row) else None
                if not filled(cell):
                    continue
                label = str(FIELDS[key].label)
                try:
                    if key == "value":
                        services.save_value(user, indicator, region, year, period_kind, period_no, cell,
                                            source=Source.IMPORTED)
                        n += 1
                    else:
                        services.save_target(user, indicator, region, year, cell)
                except ValidationError as e:
                    errors.append(_("第%(row)s行 %(column)s:%(message)s") % {
                        "row": number, "column": _(label), "message": ";".join(e.messages)})
        if errors:
            raise ValidationError(errors)
    return n, table.reading()


TASK_FIELDS: dict[str, Field] = {
    "seq": Field(gettext_noop("序号"), ("序号", "编号"), kind="seq"),
    "name": Field(gettext_noop("工作任务"), ("工作任务", "重点工作", "重点任务", "工作内容", "任务"), kind="name"),
    "unit": Field(gettext_noop("牵头单位"), ("牵头单位", "责任单位", "牵头部门", "责任部门")),
    "helpers": Field(gettext_noop("配合单位"), ("配合单位", "协办单位", "配合部门", "参与单位")),
    "deadline": Field(gettext_noop("完成时限"), ("完成时限", "完成时间", "时限", "截止时间"), kind="date"),
    "milestones": Field(gettext_noop("节点目标"), ("节点目标", "节点安排", "阶段目标", "进度安排")),
}


def import_tasks(user, region, file, year: int, filename: str = "") -> tuple[int, dict[str, list]]:
    """A district's key-task list from its sheet: every row a task through ``save_task``, or
    none; a deadline given as a month ("6月", "2026年6月") is that month's last day. Returns how
    many tasks were stored and what the reading set aside and said (:meth:`Table.reading`)."""
    try:
        sheets = open_workbook(file, filename)
        if not sheets:
            raise WorkbookError(_("文件中没有工作表"))
        table = read_table(sheets[0], TASK_FIELDS, "name", year=year)
    except WorkbookError as e:
        raise ValidationError(str(e)) from e
    at = {c.field: c.index for c in table.columns if c.field}
    missing = [str(_(TASK_FIELDS[f].label)) for f in ("unit", "deadline") if f not in at]
    if missing:
        raise ValidationError(_("没有找到这些列:%(columns)s") % {"columns": "、".join(missing)})
    units = {u.name: u for u in Unit.objects.filter(region__path__startswith=region.path)}

    def cell(row, key):
        i = at.get(key)
        return row[i] if i is not None and i < len(row) else None

    errors, n = [], 0
    with transaction.atomic():
        for number, row in table.rows:
            where = _("第%(row)s行") % {"row": number}
            names = [clean(x) for x in str(cell(row, "helpers") or "").replace(",", "、").replace(",", "、").split("、")]
            unknown = [x for x in [clean(cell(row, "unit"))] + names if x and x not in units]
            if unknown:
                errors.append(where + " " + _("单位不在本区:%(names)s") % {"names": "、".join(unknown)})
                continue
            try:
                deadline, precision = to_dated(cell(row, "deadline"), year)
            except CellError as e:
                errors.append(where + " " + _("完成时限") + ":" + str(e))
                continue
            if deadline is not None and precision != "day":
                deadline = month_end(deadline.year, 12 if precision == "year" else deadline.month)
            seq = cell(row, "seq")
            try:
                services.save_task(user, region, year, {
                    "number": int(seq) if str(seq or "").isdigit() else None,
                    "title": clean(cell(row, "name")), "responsible_unit": units.get(clean(cell(row, "unit"))),
                    "cooperating_units": [units[x] for x in names if x], "deadline": deadline,
                    "milestones": str(cell(row, "milestones") or "").strip()})
                n += 1
            except ValidationError as e:
                errors.append(where + " " + ";".join(e.messages))
        if errors:
            transaction.set_rollback(True)
            raise ValidationError(errors)
    return n, table.reading()
