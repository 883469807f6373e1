"""The evaluation's lists as a workbook ready to print: one sheet per pool (each firm's
indicator scores, total, rank and class, as published), the T firms with their reasons, and
the 差别化电价 list. Sheets are in Chinese, as the districts print and file them."""

from __future__ import annotations

import io
from collections import defaultdict
from copy import copy

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from taizhang.core.printing import fit_width, for_print
from taizhang.core.workbook import xlsx_cells

from .choices import Klass, Pool
from .evaluation import differential_list
from .indicators import INDICATORS
from .models import Evaluation, IndicatorScore, Publication

POOL_NAMES = {Pool.ABOVE: "规上企业", Pool.BELOW_LARGE: "规下企业(3亩及以上)", Pool.BELOW_SMALL: "规下企业(3亩以下)",
              Pool.LEASED: "租赁企业"}
_thin = Side(style="thin", color="999999")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def workbook_name(evaluation: Evaluation, publication: Publication) -> str:
    kind = "最终名单" if publication.final else f"第{publication.number}次公示名单"
    return f"{evaluation.region}{evaluation.year}年度亩均效益综合评价{kind}.xlsx"


def _sheet(wb, title: str, heading: str, headers: list[str], rows: list[list], widths: list[float], footer: str):
    ws = wb.create_sheet(title[:31])
    ncol = len(headers)
    ws.append([heading])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
    ws["A1"].font = Font(bold=True, size=15)
    ws["A1"].alignment = CENTER
    ws.append(headers)
    for cell in ws[2]:
        cell.font, cell.alignment, cell.border = Font(bold=True), CENTER, BORDER
    widths = list(widths)
    # one style per column, built once and copied: openpyxl hashes every style object it is given
    styles: dict[tuple, object] = {}
    for r, values in enumerate(rows, start=3):
        ws.append(xlsx_cells(ws, values))
        for i, v in enumerate(values):
            widths[i] = fit_width(widths[i], v)
            cell = ws.cell(r, i + 1)
            key = (i, isinstance(v, str))
            if key not in styles:
                cell.border = BORDER
                if not isinstance(v, str):
                    cell.number_format = "#,##0.00" if i >= 3 else "0"
                styles[key] = copy(cell._style)
            else:
                cell._style = copy(styles[key])
    last = len(rows) + 2
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "C3"
    for_print(ws, last_col=ncol, last_row=last, title_rows="1:2", footer=footer)
    return ws


def final_workbook(evaluation: Evaluation, publication: Publication) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    footer = f"{publication}({publication.published_on})"
    entries = list(publication.entries.select_related("enterprise").order_by("pool", "rank", "enterprise__name"))
    breakdown: dict[int, dict[int, object]] = defaultdict(dict)
    for s in IndicatorScore.objects.filter(result__evaluation=evaluation).values_list(
            "result__enterprise_id", "indicator_id", "score"):
        breakdown[s[0]][s[1]] = s[2]
    pools = {p.pool: list(p.indicators.all()) for p in evaluation.scheme.pools.prefetch_related("indicators")}
    place = f"{evaluation.region}{evaluation.year}年度"
    for pool, indicators in pools.items():
        members = [e for e in entries if e.pool == pool]
        headers = ["序号", "企业名称", "统一社会信用代码",
                   *[f"{INDICATORS[i.key].label}得分({i.weight}分)" for i in indicators], "综合得分", "组内排名", "类别"]
        rows = [[n, e.enterprise.name, e.enterprise.credit_code,
                 *[breakdown[e.enterprise_id].get(i.pk) for i in indicators], e.score, e.rank, f"{e.klass}类"]
                for n, e in enumerate(members, start=1)]
        widths = [6, 30, 22, *[12] * len(indicators), 10, 8, 8]
        _sheet(wb, POOL_NAMES[pool], f"{place}{POOL_NAMES[pool]}亩均效益综合评价结果", headers, rows, widths, footer)
    t_rows = [[n, e.enterprise.name, e.enterprise.credit_code, e.reason]
              for n, e in enumerate((e for e in entries if e.klass == Klass.T), start=1)]
    _sheet(wb, "T类企业", f"{place}暂不评价(T类)企业", ["序号", "企业名称", "统一社会信用代码", "原因"], t_rows,
           [6, 30, 22, 40], footer)
    d_rows = [[n, r["firm"].name, r["firm"].credit_code, POOL_NAMES.get(r["result"].pool, ""), r["years"],
               r["price"], r["electricity"], r["amount"]]
              for n, r in enumerate(differential_list(evaluation), start=1)]
    _sheet(wb, "差别化电价名单", f"{place}D类企业差别化电价名单",
           ["序号", "企业名称", "统一社会信用代码", "评价组", "连续D类年数", "加价标准(元/千瓦时)", "用电量(万千瓦时)",
            "加价金额(万元)"], d_rows, [6, 30, 22, 18, 12, 16, 16, 14], footer)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
