"""The monthly report: the 重点项目月进度表 workbook and its briefing, from one Snapshot."""

from __future__ import annotations

import io
from copy import copy
from decimal import Decimal

from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from taizhang.core.bulk import few_collections
from taizhang.core.numbers import yi as to_yi
from taizhang.core.printing import fit_width, for_print
from taizhang.core.workbook import xlsx_cells
from taizhang.projects.choices import Level

from .metrics import Snapshot, totals

HEADERS = ["序号", "项目名称", "建设单位", "项目级别", "总投资", "{year}年计划投资", "本月完成",
           "1-{month}月累计完成", "完成率(%)", "形象进度", "存在问题", "责任单位", "预警"]
WIDTHS = [6, 36, 24, 9, 12, 14, 12, 16, 10, 24, 30, 22, 8]
_CN_NUM = "一二三四五六七八九十"
_WARN = {"red": "红", "yellow": "黄", "green": "绿", None: ""}
_FILL = {"red": "FFC7CE", "yellow": "FFEB9C", "green": "C6EFCE"}


def _cn_index(i: int) -> str:
    """0 -> 一, 9 -> 十, 10 -> 十一, ... for group headings."""
    n = i + 1
    if n <= 10:
        return _CN_NUM[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_NUM[tens - 1]) + "十" + (_CN_NUM[ones - 1] if ones else "")


def _yi(wan: Decimal | None) -> str:
    """万元 -> 亿元 text, as briefings write it (2 decimals, trailing zeros dropped)."""
    if wan is None:
        return "0"
    text = f"{to_yi(wan)}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _num(value) -> str:
    text = f"{value}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def revision(snap: Snapshot) -> str:
    from taizhang.reporting.services import revision_note

    return revision_note({p.region_id for p in snap.projects}, snap.year, snap.month, snap.as_of)


def basis_note(snap: Snapshot) -> str:
    """What a figure counts, in words every figure on the page and in the workbook carries."""
    n, amount = snap.unreviewed
    if snap.basis == "approved":
        text = gettext("口径:仅计审核通过的月度报告")
        if n:
            text += gettext(",另有未审核报告%(n)s条、%(x)s万元未计入") % {"n": n, "x": f"{amount:,.2f}"}
        return text
    text = gettext("口径:全部已填报的月度报告")
    if n:
        text += gettext(",含未审核%(n)s条、%(x)s万元") % {"n": n, "x": f"{amount:,.2f}"}
    return text


def briefing(snap: Snapshot, place: str) -> str:
    """A paragraph in the style of the districts' own reports; every number is the workbook's."""
    t = snap.totals()
    rate = snap.completion_rate().value
    lag = snap.lag()
    parts = [gettext("1-%(month)s月,%(place)s%(count)s个重点项目完成投资%(done)s亿元") % {
        "month": snap.month, "place": place, "count": t["count"], "done": _yi(t["done"])}]
    if rate is not None:
        parts[0] += gettext(",年度投资完成率%(rate)s%%") % {"rate": _num(rate)}
        if lag is not None and lag != 0:
            parts[0] += (gettext(",超时序进度%(n)s个百分点") if lag > 0 else
                         gettext(",落后时序进度%(n)s个百分点")) % {"n": _num(abs(lag))}
    yoy = snap.completed().yoy
    if yoy is not None:
        parts[0] += (gettext(",完成投资同比增长%(n)s%%") if yoy >= 0 else
                     gettext(",完成投资同比下降%(n)s%%")) % {"n": _num(abs(yoy))}
    parts.append(gettext("新开工项目%(starts)s个,竣工投用%(done)s个") % {
        "starts": snap.new_starts().value, "done": snap.completions().value})
    owed, missing = snap.owed().value, snap.not_reported().value
    if owed:
        parts.append(gettext("%(month)s月应报送月报的在建项目%(owed)s个,未报送%(missing)s个") % {
            "month": snap.month, "owed": owed, "missing": missing})
    n100 = snap.new_over_100m()
    if n100.value:
        parts.append(gettext("新落地过亿元项目%(n)s个、总投资%(total)s亿元") % {
            "n": n100.value, "total": _yi(snap.new_over_100m_investment().value)})
    red, yellow = snap.warnings("red").value, snap.warnings("yellow").value
    if red or yellow:
        parts.append(gettext("进度红色预警%(red)s个、黄色预警%(yellow)s个") % {"red": red, "yellow": yellow})
    open_, overdue = snap.open_problems().value, snap.overdue_problems().value
    parts.append(gettext("待解决问题%(open)s个,其中逾期%(overdue)s个") % {"open": open_, "overdue": overdue})
    return gettext(";").join(parts) + gettext("。")


def workbook_name(place: str, year: int, month: int) -> str:
    """The file name a district uses: 崂山区2026年1-10月重点项目进度表.xlsx."""
    months = "1月" if month == 1 else f"1-{month}月"
    return f"{place}{year}年{months}重点项目进度表.xlsx"


@few_collections()  # a city's sheet is 130,000 cells, all alive until it is saved
def workbook(snap: Snapshot, place: str, group: str = "level") -> bytes:
    snap.problems  # noqa: B018  (loads each line's open problems for the 存在问题 column)
    wb = Workbook()
    ws = wb.active
    ws.title = f"{snap.month}月进度表"
    headers = [h.format(year=snap.year, month=snap.month) for h in HEADERS]
    ncol = len(headers)
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(bold=True)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)

    ws.append([f"{place}{snap.year}年重点项目月进度表(1-{snap.month}月)"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = center
    ws.append(["单位:万元"])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncol)
    ws["A2"].alignment = Alignment(horizontal="right")
    # Two header rows: the investment columns under one merged "投资情况" heading.
    top = ["序号", "项目名称", "建设单位", "项目级别", "投资情况", None, None, None, None,
           "形象进度", "存在问题", "责任单位", "预警"]
    ws.append(top)
    ws.append([None, None, None, None] + headers[4:9] + [None] * 4)
    ws.merge_cells(start_row=3, start_column=5, end_row=3, end_column=9)
    for col in (1, 2, 3, 4, 10, 11, 12, 13):
        ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
    for row in ws.iter_rows(min_row=3, max_row=4):
        for cell in row:
            cell.font, cell.alignment, cell.border = bold, center, border

    # ws.max_row scans every cell: count rows ourselves (the city's sheet has 10,000+).
    row_no = 4
    widths = list(WIDTHS)
    top_left = Alignment(vertical="top", wrap_text=True)

    # Each column's boxed style is built once and copied: assigning styles cell by cell costs
    # openpyxl a hash of every style object (most of a city workbook's time).
    boxed_style: dict[int, object] = {}

    def append(values, boxed: bool = False) -> int:
        nonlocal row_no
        ws.append(xlsx_cells(ws, values))
        row_no += 1
        for i in range(4, 9):  # the amount columns grow to fit their largest figure
            if i < len(values):
                widths[i] = fit_width(widths[i], values[i])
        if boxed:
            for col in range(1, ncol + 1):
                cell = ws.cell(row_no, col)
                if col in boxed_style:
                    cell._style = copy(boxed_style[col])
                    continue
                cell.border = border
                if col in (2, 3, 10, 11, 12):
                    cell.alignment = top_left
                if 5 <= col <= 9:
                    cell.number_format = "#,##0.00"
                boxed_style[col] = copy(cell._style)
        return row_no

    def write_totals(label: str, t: dict, style_fill: str) -> None:
        r = append([label, f"{t['count']}个项目", None, None, t["total_investment"], t["plan"], t["month_done"],
                    t["done"], t["rate"], None, None, None, None], boxed=True)
        for col in range(1, ncol + 1):
            cell = ws.cell(r, col)
            cell.font, cell.border = bold, border
            cell.fill = PatternFill("solid", fgColor=style_fill)

    write_totals("合计", totals(snap.lines), "DDEBF7")
    fills = {k: PatternFill("solid", fgColor=v) for k, v in _FILL.items()}
    warned_style: dict[str, object] = {}
    levels = {value: str(label) for value, label in Level.choices}  # translated once, not per row
    for i, (label, lines) in enumerate(snap.groups(group)):
        r = append([f"{_cn_index(i)}、{label}" + ("项目" if group == "level" else "")], boxed=True)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncol)
        ws.cell(r, 1).font = bold
        for n, line in enumerate(sorted(lines, key=lambda x: -x.project.total_investment), start=1):
            p = line.project
            problems = ";".join(x.description for x in line.open_problems)
            r = append([n, p.name, p.builder, levels.get(p.level, p.level), p.total_investment, line.plan, line.month_done,
                        line.done, line.rate, line.progress_text, problems,
                        str(p.responsible_unit or ""), _WARN[line.progress_warning]], boxed=True)
            if line.progress_warning in fills:
                cell = ws.cell(r, ncol)
                if line.progress_warning in warned_style:  # as the boxed styles: built once, copied
                    cell._style = copy(warned_style[line.progress_warning])
                else:
                    cell.fill = fills[line.progress_warning]
                    warned_style[line.progress_warning] = copy(cell._style)
        write_totals("小计", totals(lines), "F2F2F2")
    append([])
    r = append([f"说明:{briefing(snap, place)}"])
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncol)
    ws.cell(r, 1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[r].height = 60
    append([f"注:时序进度{_num(snap.timing)}%;完成率为完成投资占年度计划投资的比例,无年度计划的项目不计完成率。"])
    append([basis_note(snap)])
    version = revision(snap)
    append([f"数据版本:{version}"])
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "C5"
    for_print(ws, last_col=ncol, last_row=row_no, title_rows="1:4", footer=f"数据版本:{version}")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
