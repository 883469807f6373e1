"""Tables written with pipes: each number is a fact of its row and its column.

Three shapes occur in saved pages and all become one stream of cells:

- one row per line (``吉首市 | 57 | 82.5 | 65.1 | 78.9% |``);
- a whole table flattened onto one line (``产品名称 | 产量(吨) | 比上年增长(%) | 粮食 | 124735 | 3.2 |``);
- one cell per line, rows opened by an empty cell (``|\\n和平区 |\\n120 |``).

The header is the run of label cells before the first row; its length is the number of
columns. A row of labels alone inside the table is a new header, a row with a single
label a group (``滨海新区 | ||``). The indicator is the column header (with the row label
when the row is not a place, and the table's title when the header alone says too
little); the unit comes from the header, the row label, a ``单位:`` line, or the counter
word of the header's noun.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._context import CN_SMALL, SUBPERIODS
from ._facts import Fact
from ._layout import Article
from ._normalize import Normalized

_NUMBER = re.compile(r"^[-−]?\d+(?:,\d{3})*(?:\.\d+)?%?$")
_UNIT_IN = re.compile(r"\s*[((]([^()()]{1,6})[))]\s*$")
_UNIT_LINE = re.compile(r"单位[::]\s*([^\n|]{1,30})")
_TITLE = re.compile(r"(?:^|\n)\s*((?:附?表\s*\d*[::.、 ]?)?[^\n|。]{2,60})\s*\n?\s*$")
# A row named like a place or zone (经开区, 其他街镇): its figures are the table's measure.
_PLACE_LIKE = re.compile(r"(?:区|县|市|州|镇|乡|街道|街镇|园区)$")
_UNIT_HEADER = re.compile(r"^(?:计量)?单位$")
_VALUE_HEADER = re.compile(r"^(?:(?:19|20)\d\d年?(?:[1-9]|1[0-2])?月?(?:末|底)?|本年|本期|今年|全年|绝对值|绝对数|数值|数量|总量|实绩|完成)$")
_GENERIC_HEADER = re.compile(r"^(?:排名|排序|位次|数量|个数|合计|总计|总数|金额|数值|本期|累计)$")
# Patterns used per cell, row and table, compiled once (re's cache lookup is itself a cost there).
_LINE = re.compile(r"[^\n]+")
_SPACES = re.compile(r"\s+")
_UNIT_LIST = re.compile(r"[、,,]")
_AMONG = re.compile(r"^(?:其中|其中[::])[::]?")
_RANK_HEAD = re.compile(r"排名|排序|位次")
_GROWTH_HEAD = re.compile(r"增长|增速|增幅|涨幅|比上年|同比")
_SHARE_HEAD = re.compile(r"率|比重|占比")
_COUNT_HEAD = re.compile(r"个数|数量|家数|人数|户数|件数|项数")
_MONEY_HEAD = re.compile(r"投资|金额|资金|收入|产值|额|计划")
_MEASURE_LABEL = re.compile(r"(?:产量|面积|总量|产值|采伐|人数|金额|收入|投资|总额|数量|增加值)$")
_TABLE_NUMBER = re.compile(r"^附?表\s*\d*[::.、\s]*")
_TITLE_PERIOD = re.compile(r"(?:19|20)\d\d年|\d{1,2}[-—至]\d{1,2}月份?|[一二三四]季度|上半年|前三季度|全年")
_TITLE_SCOPE = re.compile(r"^(?:各区县?|各县市区?|各市|各地|全市|全区|全县|主要)")
_TITLE_CLOSE = re.compile(r"(?:情况)?(?:汇总表|统计表|一览表|表)?$")
_TITLE_YEAR = re.compile(r"((?:19|20)\d\d)年")
_PLAN_HEAD = re.compile(r"计划|目标|预期")
_NOUN_COUNTER = [("企业", "家"), ("公司", "家"), ("机构", "家"), ("单位", "家"), ("项目", "个"),
                 ("个数", "个"), ("人数", "人"), ("人员", "人"), ("户数", "户"), ("件数", "件")]


@dataclass
class Cell:
    start: int
    end: int
    text: str

    @property
    def numeric(self) -> bool:
        return bool(_NUMBER.match(self.text))


@dataclass
class TableFact:
    start: int  # the row label
    end: int  # after the value
    indicator: str
    kind: str
    value: float
    unit: str
    place: str | None  # the row or group label, as written (a place name or not)
    header: str  # the column header as written (for status and period words)


def table_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of pipe tables: runs of lines with pipes (from the last sentence end before them)."""
    spans: list[tuple[int, int]] = []
    pos = start
    while True:
        bar = text.find("|", pos, end)
        if bar == -1:
            return spans
        line_start = text.rfind("\n", start, bar) + 1
        cut = max(text.rfind("。", line_start, bar), text.rfind(";", line_start, bar))
        t_start = cut + 1 if cut != -1 else line_start
        t_end = bar
        while True:
            nl = text.find("\n", t_end, end)
            line_end = end if nl == -1 else nl
            if "|" not in text[t_end:line_end] and t_end != bar:
                break
            t_end = line_end
            if nl == -1:
                break
            nxt_end = text.find("\n", nl + 1, end)
            nxt = text[nl + 1:end if nxt_end == -1 else nxt_end]
            if "|" not in nxt:
                break
            t_end = nl + 1
        if text.count("|", t_start, t_end) >= 4:
            spans.append((t_start, t_end))
        pos = max(t_end, bar + 1)


def _cells(text: str, start: int, end: int) -> list[Cell | None]:
    """Cells in order; None marks an empty cell (a row opener in one-cell-per-line tables)."""
    out: list[Cell | None] = []
    pos = start
    while pos <= end:
        bar = text.find("|", pos, end)
        stop = end if bar == -1 else bar
        empty = True
        for m in _LINE.finditer(text[pos:stop]):
            piece = m.group(0).strip()
            if piece:
                lead = len(m.group(0)) - len(m.group(0).lstrip())
                at = pos + m.start() + lead
                out.append(Cell(at, at + len(piece), _SPACES.sub("", piece)))
                empty = False
        if empty:
            out.append(None)
        if bar == -1:
            break
        pos = bar + 1
    return out


def _rows(cells: list[Cell | None], text: str) -> list[list[Cell]]:
    lines: dict[int, list[Cell]] = {}
    for c in cells:
        if c is not None:
            lines.setdefault(text.count("\n", 0, c.start), []).append(c)
    # A line that holds a header and then rows is a whole table flattened onto it.
    flattened = []
    for key, line in list(lines.items()):
        first = next((i for i, c in enumerate(line) if c.numeric), None)
        if first is not None and first >= 3 and len(line) >= 2 * (first - 1):
            flattened.extend(_flat_rows(line))
            del lines[key]
    if flattened:
        return flattened + (_rows([c for line in lines.values() for c in line], text) if lines else [])
    # One row per line when most lines hold several cells.
    if sum(1 for r in lines.values() if len(r) >= 2) >= max(2, len(lines) // 2) and len(lines) >= 3:
        return list(lines.values())
    # Rows opened by an empty cell.
    if sum(1 for c in cells if c is None) >= 3:
        rows: list[list[Cell]] = [[]]
        for c in cells:
            if c is None:
                if rows[-1]:
                    rows.append([])
            else:
                rows[-1].append(c)
        return [r for r in rows if r]
    return _flat_rows([c for c in cells if c is not None])


def _flat_rows(flat: list[Cell]) -> list[list[Cell]]:
    """A flattened table: the header's length is the number of columns."""
    first = next((i for i, c in enumerate(flat) if c.numeric), None)
    if first is None or first < 2:
        return []
    width = first - 1
    rows = [flat[:width]]
    i = width
    while i < len(flat):
        rows.append(flat[i:i + width])
        i += width
    return rows


def _unit_of(label: str) -> tuple[str, str]:
    m = _UNIT_IN.search(label)
    if m:
        return label[:m.start()].strip(), m.group(1)
    return label, ""


def _counter_for(header: str) -> str:
    for noun, counter in _NOUN_COUNTER:
        if noun in header:
            return counter
    return ""


def read_table(text: str, start: int, end: int, title: str, is_place) -> list[TableFact]:
    cells = _cells(text, start, end)
    rows = _rows(cells, text)
    if not rows:
        return []
    unit_line = _UNIT_LINE.search(title)
    line_units = _UNIT_LIST.split(unit_line.group(1)) if unit_line else []
    title_subject = _subject(title)
    header: list[str] = []
    group: str | None = None
    facts: list[TableFact] = []
    for row in rows:
        numeric = [c for c in row[1:] if c.numeric]
        if not numeric:
            if len(row) == 1:
                group = row[0].text
            elif len(row) >= 2:
                header = [c.text for c in row]
            continue
        if not header:
            continue
        label_cell = row[0]
        label, label_unit = _unit_of(_AMONG.sub("", label_cell.text))
        place = label if is_place(label) else None
        # a column of units (单位 | 亿元) gives the unit of the row's numbers
        unit_column = next((k for k, h in enumerate(header) if _UNIT_HEADER.match(h)), None)
        if unit_column is not None and unit_column < len(row) and not row[unit_column].numeric:
            label_unit = label_unit or row[unit_column].text
        for j, c in enumerate(row[1:], start=1):
            if not c.numeric or j >= len(header):
                continue
            head, head_unit = _unit_of(header[j])
            if _VALUE_HEADER.match(head):
                head = ""  # 2023年, 本年, 绝对值: the row's own measure
            value_text = c.text.replace(",", "").replace("−", "-")
            pct = value_text.endswith("%")
            value = float(value_text.rstrip("%"))
            unit = "%" if pct else (label_unit or head_unit)
            if _RANK_HEAD.search(head):
                kind, unit = "rank", "位"
            elif _GROWTH_HEAD.search(head) and (pct or head_unit == "%"):
                kind, unit = "growth", "%"
            elif pct or head_unit == "%" or _SHARE_HEAD.search(head):
                kind, unit = "share", "%"
            else:
                kind = "level"
                if not unit:
                    unit = _unit_from_line(line_units, head) or _counter_for(head) or _counter_for(title_subject)
            if not unit:
                continue
            if kind == "growth":
                measure = _measure(label, header, j)
                indicator = measure
            elif place is not None or (group and not label):
                indicator = (title_subject + head) if _GENERIC_HEADER.match(head) or len(head) <= 3 else head
            elif _PLACE_LIKE.search(label):
                # a zone (经开区, 湘西高新区): its name, and the table's measure
                indicator = label + ((title_subject + head) if _GENERIC_HEADER.match(head) or len(head) <= 3 else head)
            else:
                indicator = label if _is_measure(label) else label + head
            facts.append(TableFact(label_cell.start, c.end, indicator, kind, value, unit,
                                   place or group, header[j]))
    return facts


def _unit_from_line(units: list[str], head: str) -> str:
    if not units:
        return ""
    for u in units:
        u = u.strip()
        if u and u[-1] in "个家人户件项" and _COUNT_HEAD.search(head):
            return u
        if u.endswith("元") and _MONEY_HEAD.search(head):
            return u
    return ""


def _measure(label: str, header: list[str], j: int) -> str:
    """What a growth column measures: the row's amount (粮食产量)."""
    heads = [_unit_of(h)[0] for h in header[1:j]]
    first = next((h for h in heads if h and not _UNIT_HEADER.match(h) and not _VALUE_HEADER.match(h)), "")
    if _is_measure(label) or not first:
        return label
    return label + first


def _is_measure(label: str) -> bool:
    return bool(_MEASURE_LABEL.search(label))


def _subject(title: str) -> str:
    """A table's title without its number, period and closing words: 创新型企业评价考评."""
    lines = [ln.strip() for ln in title.strip().splitlines() if ln.strip() and not _UNIT_LINE.search(ln)]
    t = lines[-1] if lines else ""
    t = _TABLE_NUMBER.sub("", t)
    t = _TITLE_PERIOD.sub("", t)
    t = _TITLE_SCOPE.sub("", t)
    return _TITLE_CLOSE.sub("", t).removesuffix("情况")


def read_table_facts(norm: Normalized, article: Article, doc: str, t_start: int, t_end: int) -> list[Fact]:
    text = norm.text
    above = t_start
    for _ in range(3):  # the title and a units line sit just above the table
        if above <= article.start:
            break
        above = text.rfind("\n", article.start, above - 1) + 1 if above - 1 > article.start else article.start
    first_bar = text.find("|", t_start, t_end)
    title = text[above:first_bar]
    matcher = article.places.matcher if article.places else None

    named: dict[str, str | None] = {}  # row labels recur: each is looked up once

    def place_of(label: str) -> str | None:
        if matcher is None:
            return None
        if label not in named:
            found = matcher.find(label)
            named[label] = found[0].name if found and found[0].start == 0 and found[0].end >= len(label) - 1 else None
        return named[label]

    years = _TITLE_YEAR.findall(title)
    year = years[-1] if years else (str(article.year) if article.year else None)
    sub = None
    for rx, label in SUBPERIODS:
        m = rx.search(title)
        if m:
            if label == "M":
                n = next(g for g in m.groups() if g)
                n = int(n) if n.isdigit() else CN_SMALL.get(n, 0)
                sub = f"M1-M{n}" if n else None
            else:
                sub = label
            break
    facts = []
    for t in read_table(text, t_start, t_end, title, place_of):
        start, end = norm.span(t.start, t.end)
        plan = bool(_PLAN_HEAD.search(t.header))
        region = place_of(t.place) if t.place else None
        facts.append(Fact(
            doc=doc, start=start, end=end, quote=norm.original[start:end],
            region=region or article.region, period=year,
            subperiod=None if plan and "年" in t.header else sub, indicator=t.indicator, kind=t.kind,
            value=round(t.value, 6), unit=t.unit, status="target" if plan and "完成" not in t.header
            else "actual",
        ))
    return facts
