"""The monthly report: the 重点项目月进度表 workbook and its briefing, from one Snapshot."""

from __future__ import annotations

from decimal import Decimal
from operator import attrgetter

from django.utils.translation import gettext
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from taizhang.core.numbers import yi as to_yi
from taizhang.core.printing import fit_widths, for_print
from taizhang.core.xlsx import Book
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


_investment = attrgetter("project.total_investment")


def workbook_name(place: str, year: int, month: int) -> str:
    """The file name a district uses: 崂山区2026年1-10月重点项目进度表.xlsx."""
    months = "1月" if month == 1 else f"1-{month}月"
    return f"{place}{year}年{months}重点项目进度表.xlsx"


def workbook(snap: Snapshot, place: str, group: str = "level") -> bytes:
    """The 月进度表 of ``snap``: title, two header rows, the 合计 row, each group's projects
    (largest first) and 小计, the briefing and the notes; boxed, fitted and set up for paper.
    Written row by row (core.xlsx): the city's 10,000 projects are 130,000 cells."""
    snap.problems  # noqa: B018  (loads each line's open problems for the 存在问题 column)
    book = Book()
    sheet = book.sheet(f"{snap.month}月进度表")
    ws = sheet.ws
    headers = [h.format(year=snap.year, month=snap.month) for h in HEADERS]
    ncol = len(headers)
    style = book.style
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(bold=True)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    top_left = Alignment(vertical="top", wrap_text=True)

    def merge_row(r: int) -> None:
        sheet.merge(r, 1, r, ncol)

    merge_row(sheet.append([f"{place}{snap.year}年重点项目月进度表(1-{snap.month}月)"],
                           style(font=Font(bold=True, size=16), alignment=center)))
    merge_row(sheet.append(["单位:万元"], style(alignment=Alignment(horizontal="right"))))
    # Two header rows: the investment columns under one merged "投资情况" heading.
    heading = [style(font=bold, alignment=center, border=border)] * ncol
    sheet.append(["序号", "项目名称", "建设单位", "项目级别", "投资情况", None, None, None, None,
                  "形象进度", "存在问题", "责任单位", "预警"], heading)
    sheet.append([None, None, None, None] + headers[4:9] + [None] * 4, heading)
    sheet.merge(3, 5, 3, 9)
    for col in (1, 2, 3, 4, 10, 11, 12, 13):
        sheet.merge(3, col, 4, col)

    def boxed(col: int, **more) -> int:
        """A boxed cell's style in column ``col``: text columns wrap at the top, amounts in 分."""
        kinds = {"border": border}
        if col in (2, 3, 10, 11, 12):
            kinds["alignment"] = top_left
        if 5 <= col <= 9:
            kinds["number_format"] = "#,##0.00"
        return style(**kinds, **more)

    columns = range(1, ncol + 1)
    plain = [boxed(col) for col in columns]
    warned = {k: plain[:-1] + [boxed(ncol, fill=PatternFill("solid", fgColor=v))] for k, v in _FILL.items()}
    summed = {fill: [boxed(col, font=bold, fill=PatternFill("solid", fgColor=fill)) for col in columns]
              for fill in ("DDEBF7", "F2F2F2")}
    # A group's heading is merged across: the cells under the merge carry the box's edges.
    edge = {"left": Side(), "right": Side(), "top": thin, "bottom": thin, "diagonal": Side()}
    titled = ([boxed(1, font=bold)] + [style(border=Border(**edge))] * (ncol - 2)
              + [style(border=Border(**{**edge, "right": thin}))])
    amounts: list[list] = [[], [], [], [], []]  # what the amount columns show, to fit their widths to

    def write_totals(label: str, t: dict, fill: str) -> None:
        figures = [t["total_investment"], t["plan"], t["month_done"], t["done"], t["rate"]]
        for column, figure in zip(amounts, figures, strict=True):
            column.append(figure)
        sheet.append([label, f"{t['count']}个项目", None, None, *figures, None, None, None, None], summed[fill])

    write_totals("合计", snap.totals(), "DDEBF7")
    levels = {value: str(label) for value, label in Level.choices}  # translated once, not per row
    units: dict[int | None, str] = {}  # a unit's name, once per unit rather than once per project
    investments, plans, month_done, done, rates = amounts
    for i, (label, lines) in enumerate(snap.groups(group)):
        merge_row(sheet.append([f"{_cn_index(i)}、{label}" + ("项目" if group == "level" else "")], titled))
        # Largest first (reverse=True keeps equal ones in their order, as the negated key did).
        for n, line in enumerate(sorted(lines, key=_investment, reverse=True), start=1):
            p = line.project
            unit = units.get(p.responsible_unit_id)
            if unit is None:
                unit = units[p.responsible_unit_id] = str(p.responsible_unit or "")
            problems = ";".join([x.description for x in line.open_problems]) if line.open_problems else ""
            sheet.append([n, p.name, p.builder, levels.get(p.level, p.level), p.total_investment, line.plan,
                          line.month_done, line.done, line.rate, line.progress_text, problems, unit,
                          _WARN[line.progress_warning]],
                         warned.get(line.progress_warning, plain))
            investments.append(p.total_investment)
            plans.append(line.plan)
            month_done.append(line.month_done)
            done.append(line.done)
            rates.append(line.rate)
        write_totals("小计", totals(lines), "F2F2F2")
    sheet.append([])
    r = sheet.append([f"说明:{briefing(snap, place)}"], style(alignment=Alignment(wrap_text=True, vertical="top")))
    merge_row(r)
    ws.row_dimensions[r].height = 60
    sheet.append([f"注:时序进度{_num(snap.timing)}%;完成率为完成投资占年度计划投资的比例,无年度计划的项目不计完成率。"])
    sheet.append([basis_note(snap)])
    version = revision(snap)
    sheet.append([f"数据版本:{version}"])
    widths = list(WIDTHS)
    for i, column in enumerate(amounts, start=4):  # the amount columns grow to fit their largest figure
        widths[i] = fit_widths(widths[i], column)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "C5"
    for_print(ws, last_col=ncol, last_row=sheet.rows, title_rows="1:4", footer=f"数据版本:{version}")
    return book.save()
