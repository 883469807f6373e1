"""Where, when and how sure: the status, period and place of a fact, from its sentence,
its section and its article."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from ._layout import Article, Section
from ._periods import fact_years, is_base, year_spans

# Status words: the nearest before a number decides its status. Every branch starts with a
# literal character (no named group, no lookbehind first), so the regex engine jumps from
# one candidate character to the next instead of trying each branch at every position
# (8x faster); the kind of a match is told by its first characters.
_EXPECTED = ("预计", "预估")
_TARGET = (r"力争|争取|目标|预期|确保|规划(?=总?投资)|拟(?<![虚模]拟)(?!人|合|定的)|将(?!近|军|士)|计划(?!的|单列|生育)|"
           r"年内|明年|今后|力促")
_DONE_WORDS = (r"已经|已|实际完成|累计完成|完成[^,;。]{0,6}(?:目标|计划|任务)|"
               r"占[^,;。]{0,8}计划[^,;。]{0,4}的|为[^,;。]{0,8}计划[^,;。]{0,4}的")
_DONE_START = ("已", "实际完成", "累计完成", "完成", "占", "为")  # no target word starts so
_STATUS_WORDS = re.compile("|".join(_EXPECTED) + "|" + _TARGET + "|" + _DONE_WORDS)


def _status_kind(word: str) -> str:
    if word in _EXPECTED:
        return "expected"
    return "actual" if word.startswith(_DONE_START) else "target"


SUBPERIODS = [
    (re.compile(r"前三季度|1-9月|1至9月"), "Q1-Q3"),
    (re.compile(r"上半年|1-6月|1至6月"), "H1"),
    (re.compile(r"一季度|第一季度|1-3月"), "Q1"),
    (re.compile(r"前(\d{1,2}|[一二三四五六七八九十]{1,2})个?月|1-(\d{1,2})月|1至(\d{1,2})月"), "M"),
    (re.compile(r"(?<!前)三季度"), "Q3"),
    (re.compile(r"(?<!前)二季度"), "Q2"),
    (re.compile(r"四季度"), "Q4"),
]
CN_SMALL = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
             "十一": 11, "十二": 12}
_LIST_SPLIT = re.compile(r"、|和|及|与")
_WHOLE_PROVINCE = re.compile(r"^(?:全省|我省)")
_PROVINCE_BEFORE = re.compile(r"全省[^,。]{0,12}$")
_US = re.compile(r"我区|我市|我县")
_SINCE_YEAR = re.compile(r"自(?:19|20)\d\d年")
# (?<![比较])(?:去年|上年末), with each word's first character before the lookbehind: the
# pattern starts with a literal, so the regex engine jumps between candidates instead of
# trying the lookbehind at every position (a test holds it to the plain form).
_LAST_YEAR = re.compile(r"去(?<![比较]去)年|上(?<![比较]上)年末")


class SentenceMarks:
    """Words of one sentence that reach every number after them, found once per sentence
    (searching the sentence's prefix again for each number made long sentences quadratic)."""

    def __init__(self, text: str, s_start: int, s_end: int):
        # Status words, by where they end: the nearest before a number decides its status
        # (2015年底预计完成…,2016年计划完成…; 年度计划完成投资1.6亿元,1月份已完成…).
        self.status_at: list[tuple[int, str]] = [
            (m.end(), _status_kind(m.group())) for m in _STATUS_WORDS.finditer(text, s_start, s_end)]
        self.status_ends = [e for e, _ in self.status_at]
        self.subperiods: list[tuple[int, int, str | None]] = []  # (start, end, label)
        sentence = text[s_start:s_end]
        subperiods = SUBPERIODS if ("季度" in sentence or "月" in sentence or "半年" in sentence) else ()
        for rx, label in subperiods:
            for m in rx.finditer(text, s_start, s_end):
                if label == "M":
                    n = next(g for g in m.groups() if g)
                    n = int(n) if n.isdigit() else CN_SMALL.get(n, 0)
                    self.subperiods.append((m.start(), m.end(), f"M1-M{n}" if n else None))
                else:
                    self.subperiods.append((m.start(), m.end(), label))
        self.subperiods.sort()
        self.sub_starts = [sp[0] for sp in self.subperiods]
        self._span = (text, s_start, s_end)
        self._years: list[tuple[int, int, int]] | None = None
        self._year_ends: list[int] = []

    def last_fact_year(self, lo: int, pos: int) -> int | None:
        """The last of ``fact_years(text, lo, pos)`` (a window of this sentence): the
        sentence's years are found and judged once, not again for each number."""
        if self._years is None:
            text, start, end = self._span
            self._years = [(a, b, y) for a, b, y in year_spans(text, start, end) if not is_base(text, a, b)]
            self._year_ends = [b for _, b, _ in self._years]
        i = bisect_right(self._year_ends, pos) - 1  # the last that ends before pos (a bisection:
        # a long sentence of many years and figures stays linear)
        return self._years[i][2] if i >= 0 and self._years[i][0] >= lo else None

    def subperiod(self, pos: int) -> str | None:
        i = bisect_right(self.sub_starts, pos) - 1
        while i >= 0:
            start, end, label = self.subperiods[i]
            if end <= pos:
                return label
            i -= 1
        return None


# ``section`` may be given by a caller that asks both status_of and period_of (``...``: look it up).
def status_of(text: str, s_start: int, pos: int, article: Article, marks: SentenceMarks | None = None,
              section: Section | None = ...) -> str:
    if marks is None:
        marks = SentenceMarks(text, s_start, pos)
    if marks.status_ends:
        i = bisect_right(marks.status_ends, pos) - 1
        said = marks.status_at[i][1] if i >= 0 else None
    else:
        i, said = -1, None
    if said in (None, "actual") and article.expected_from is not None and article.expected_from <= pos:
        said = "expected"  # 预计(下同): every figure after it is an estimate, achieved or not
    if said == "expected":
        return "expected"
    if said == "actual" and any(w == "expected" for _, w in marks.status_at[:i]):
        return "expected"  # 预计…已完成: still an estimate
    if section is ...:
        section = article.section_at(pos)
    if section is not None and section.mode == "plan":
        return "target"
    return said or "actual"


def period_of(text: str, s_start: int, pos: int, article: Article,
            marks: SentenceMarks | None = None, section: Section | None = ...) -> tuple[str | None, str | None]:
    if section is ...:
        section = article.section_at(pos)
    year = section.year if section is not None and section.year else article.year
    heads = article.head_years
    if heads is not None and heads.pos:
        i = bisect_right(heads.pos, pos) - 1  # HeadYears.at, without the call
        head = heads.year[i] if i >= 0 else None
        if head is not None and (section is None or section.start < pos and head >= (section.year or 0)):
            year = head
    lo = pos - 200 if pos - 200 > s_start else s_start
    if text.find("年", lo, pos) == -1:  # no year, 明年 or 去年 to read
        if marks is None:
            marks = SentenceMarks(text, s_start, pos)
        return (str(year) if year is not None else None), (marks.subperiod(pos) if marks.subperiods else None)
    before = text[lo:pos]
    last = marks.last_fact_year(lo, pos) if marks is not None else (fact_years(text, lo, pos) or [None])[-1]
    if last is not None and not _SINCE_YEAR.search(before):
        year = last
    if year is not None:
        if "明年" in before:
            year += 1
        elif _LAST_YEAR.search(before):
            year -= 1  # but "比上年末增加" compares with last year: the fact is this year's
    if marks is None:
        marks = SentenceMarks(text, s_start, pos)
    return (str(year) if year is not None else None), marks.subperiod(pos)


def region_of(text: str, s_start: int, pos: int, article: Article, left: str) -> str | None:
    """The most specific place the sentence ties the fact to, else the article's place.

    The article's own province or city named in passing (居全市第一, 占全省的) is a
    comparison, not the fact's place.
    """
    places = article.places
    if places is None:
        return article.region
    gaz = places.matcher.gaz
    home = article.region_code
    known = article.home_context  # (home, its ancestors, its province): the same for every fact
    if known is None or known[0] != home:
        known = article.home_context = (home, gaz.ancestors(home) if home else [], gaz.province_of(home))
    _, above, province = known
    near = pos - 20 if pos - 20 > s_start else s_start
    if "全省" in left or "我省" in left or text.find("全省", near, pos) != -1:
        if _WHOLE_PROVINCE.match(left) or _PROVINCE_BEFORE.search(text, near, pos) and \
                _US.search(text, pos, pos + 20):
            whole = [c for c in above if gaz.level(c) == 1]
            if whole:
                return gaz.by_code[whole[0]].name
    # The places named in the 400 characters before, nearest first (Places.before, without
    # the generator). A place far from the article's (another province) is a street, a
    # partner or a comparison in a local report: 株洲路, 深圳客商; the nearest other place
    # is the fact's.
    lo = pos - 400 if pos - 400 > s_start else s_start
    mentions = places.mentions
    i = bisect_left(places.starts, pos) - 1
    named = False
    while i >= 0:
        m = mentions[i]
        if m.start < lo:
            break
        if m.end <= pos:
            named = True
            code = m.code
            if code not in above and (province is None or code == province or province in gaz.ancestors(code)):
                return m.name if code != home else article.region
        i -= 1
    if not named and article.heading_places:
        heading = article.heading_place_at(pos)
        return heading.name if heading is not None else article.region
    return article.region


def places_listed(article: Article, raw_left: str, count: int) -> tuple[list[str], str] | None:
    """``count`` places listed before 分别, and the words that follow the last one:
    肥西、肥东和长丰县在全省位次分别前移 -> ([肥西, 肥东, 长丰县], 在全省位次前移)."""
    if article.places is None:
        return None
    head, _, tail = raw_left.partition("分别")
    items = [i for i in _LIST_SPLIT.split(head.strip(" ,、:;")) if i]
    if len(items) != count:
        return None
    names, rest = [], ""
    for k, item in enumerate(items):
        found = article.places.matcher.find(item)
        if not found or found[0].start != 0 or (k < count - 1 and found[0].end != len(item)):
            return None
        names.append(item[:found[0].end])
        rest = item[found[0].end:]
    return names, rest + tail


def place_before_paren(article: Article, raw_left: str) -> str | None:
    """The place named right before an opening parenthesis: 滨海新区( in 滨海新区(1798家)."""
    if not raw_left.endswith("(") or article.places is None:
        return None
    found = article.places.matcher.find(raw_left[-12:-1])
    if found and found[-1].end == len(raw_left[-12:-1]):
        tail = raw_left[-12:-1]
        return tail[found[-1].start:found[-1].end]
    return None


def item_place(article: Article, name: str | None) -> str | None:
    if not name or article.places is None:
        return None
    found = article.places.matcher.find(name)
    return found[0].name if found and found[0].start == 0 and found[0].end == len(name) else None
