"""Values from a sheet (表格导入): a district's sheet of indicators and figures for a period,
read by ``core.workbook`` as the ledger's import reads sheets, each row through the one
writer, all or nothing, errors naming the row and column."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.core.workbook import Field, WorkbookError, clean, filled, open_workbook, read_table

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


def import_values(user, region, file, year: int, period_kind: str, period_no: int, filename: str = "") -> int:
    """Store every row's value (and target) or none; returns how many values were stored."""
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
    try:
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
    except PermissionDenied:
        raise
    return n
