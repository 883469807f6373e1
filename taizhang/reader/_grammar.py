"""From numbers to facts: what each number measures, its kind, status, period and place.

The pipeline, per article: clauses and sentences of the normalised text -> numbers from
the lexer -> drop the ones that are not facts (dates, codes, ordinals, qualifiers) ->
classify (level, growth, share, rank) -> indicator (to the left for amounts and
percentages, and the noun to the right for counts) -> resolve lists ("分别", "均") and
references back ("、增长6.6%") -> status, period and region from the sentence, section
and article.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from ._context import (
    CN_SMALL,
    SentenceMarks,
    item_place,
    period_of,
    place_before_paren,
    places_listed,
    region_of,
    status_of,
)
from ._facts import Fact
from ._layout import Article
from ._normalize import BROKEN, Normalized
from ._numbers import CN_NUMERALS, DOUBLE, FRACTION, HALF, MULTIPLIERS, UNIT_PATTERN, Number, lex
from ._periods import base_year
from ._tables import read_table_facts, table_spans

# ";" separates clauses of one sentence: what the sentence opened (预计, its subject, its
# year) still applies after it.
SENTENCE_END = "。!?\n\r"
_LONGEST_CLAUSE = 200
_LOOK_BACK = 40  # facts of the same sentence looked back at for a subject or a list
CLAUSE_END = SENTENCE_END + ",:;"
_CLAUSE_MARK = re.compile(f"[{re.escape(CLAUSE_END)}]")
_COUNT_UNITS = set("个家处条项人名件座所套户支张场次辆架只台栋幢间艘株棵部篇种类批宗笔例起床盏块") | {
    "人次", "场次", "户次", "架次", "艘次", "车次", "台套", "方面"}

_TIMES_OF = re.compile(r"(?:是|为|相当于|达到?)[^,;。]{0,16}的$")
_RANK_MOVE = re.compile(r"(?:前移|前进|上升|提升|后移|后退|下降|下滑|回落)(?:了)?$")
_RANK_AT = re.compile(r"(?:由|从|到|至|为|居|列|第|排名|排|位次|位列|位居)$|排名|位次|名次")
_GROWTH_VERB = re.compile(
    r"(同比|比上年|较上年|比去年|年均|平均|平均每年|每年)?(增长|增加|递增|递减|增|提高|提升|上升|上涨|扩大|下降|降低|减少|回落|"
    r"下滑|缩小|缩减|减)(了)?"
    r"(约|近|超过?|达到?)?$"
)
# Whether _GROWTH_VERB finds something: its first group may be empty, so it finds something
# exactly where the rest of it does, a pattern that starts with literals (a fast scan).
_GROWTH_VERB_FOUND = re.compile(_GROWTH_VERB.pattern[_GROWTH_VERB.pattern.index(")?") + 2:])
_GROWTH_NOUN = re.compile(r"(增速|增幅|涨幅|降幅)(为|达到?|约|超过?)?$")
_FALL = re.compile(r"下降|降低|减少|回落|下滑|缩小|缩减|降幅|减$")
_SHARE_WORDS = re.compile(r"率|比重|占比|比例|份额|强度|覆盖|占")
_RANK = re.compile(
    r"(?P<each>均|都|分别)?(?:位居|跃居|稳居|位列|居|排名|排在?|名列|领跑)[^,。;!?\n]{0,14}?"
    r"(?:第(?P<n>[一二三四五六七八九十\d]{1,3})(?:位|名)?|(?P<first>首位|榜首|第一|首))"
)
_NON_FACT_AFTER = re.compile(r"^(?:以上的|以下的|以内的|级|强|号|型|期|届|代|版|倍速)")
_QUALIFIER_BEFORE = re.compile(r"(?:过|超|近)$")
_LEFT_STRIP = re.compile(
    r"^(?:其中|同时|另外|此外|目前|截至目前|截至[^,]{0,10}|在(?=去年|今年|全年|上年|[1-9]\d{3}年)|今年以来|今年|"
    r"去年|明年|全年|年内|年底前?|"
    r"上半年|下半年|前三季度|[一二三四]季度|前\d{1,2}个?月|\d{1,2}-\d{1,2}月份?|\d{1,2}月份?|[1-9]\d{3}年(?:\d{1,2}月)?(?:底|末)?|"
    r"全区|全市|全县|全省|全镇|我区|我市|本区|该区|新区|全新区|预计|力争|争取|计划|确保|要|将|已经|已|共|累计|"
    r"还|并|通过|实现了?|完成了?|均|都|分别|先后|相继|其中|的|一是|二是|三是|"
    r"[,、::\s“”\"'()]+)+"
)
_RIGHT_TRIM_INDICATOR = re.compile(
    r"(?:同比|比上年|较上年)?(?:达到|达|突破|超过|超|约|近|为|是|至|到|了|共|计|合计|总计|累计|增长|增加|增|"
    r"提高|提升|下降|降低|减少|增速|增幅|分别|均|都|以上|左右|余|多|逾|占据?|实现|完成|首次|全部|已|新|控制在|保持在|稳定在|"
    r"递增|递减|年均|平均每年|每年|平均|由|从|上涨|下跌|上升|回落|是|(?:是|为)(?:(?:19|20)\d\d年|上年|去年|“[^”]{1,8}”)的|"
    r"[一二三四五六七八九十两\d]+年(?:来)?|(?:比|较|与)(?:上年|去年|(?:19|20)\d\d年)(?:同期|末|底)?|"
    r"[,、::\s“”\"'()的])+$"
)
# The characters _RIGHT_TRIM_INDICATOR's matches can end with (and whitespace): a phrase
# ending otherwise has nothing to trim, and the pattern, tried at each of its characters, is
# not run at all (a test derives this set from the pattern).
_TRIM_ENDS = frozenset("\"'(),:“”、上为了从低余共减别到加升占右在均增多少已幅年底成据新是期末来次涨现由的破约至落计超跌达过近速逾部都长降高")
_GENERIC = re.compile(r"^(?:总数|总量|总规模|总额|规模|数量|总计|合计|累计|总数量|总面积|均|"
                      r"(?:计划)?总投资(?:额)?|投资总额|总注册规模)$")
@dataclass(slots=True)
class _Cand:
    number: Number
    kind: str
    value: float
    unit: str
    left_start: int  # where its own words start (after the previous number in the clause)
    quote_start: int
    quote_end: int
    indicator: str = ""
    period_override: object = ...
    right: str = ""
    of_phrase: bool = False
    list_group: list | None = None
    fixed: bool = False  # its indicator is known already (a structure ratio's part)
    place: str | None = None  # a place written as the item itself (滨海新区(1798家))


def read_article(norm: Normalized, article: Article, doc: str) -> list[Fact]:
    text = norm.text
    facts: list[Fact] = []
    skips = sorted(article.skip)
    broken = [(m.start(), m.end()) for m in BROKEN.finditer(text, article.start, article.end)] \
        if text.find("?", article.start, article.end) != -1 or text.find("\ufffd", article.start, article.end) != -1 \
        else []  # (a broken run is made of ? and U+FFFD: most articles have neither)
    tables = [t for t in table_spans(text, article.start, article.end)
              if not any(a <= t[0] < b for a, b in skips)]
    for t_start, t_end in tables:
        facts.extend(read_table_facts(norm, article, doc, t_start, t_end))
    skips = sorted(skips + tables)
    topic = _Topic()
    for s_start, s_end in _sentences(text, article.start, article.end):
        if skips and any(a <= s_start < b for a, b in skips):
            continue
        facts.extend(_read_sentence(norm, article, doc, s_start, s_end, broken, topic))
    return facts


class _Topic:
    """What the text has been talking about, carried from sentence to sentence: the subject
    of the last count (南充:62个项目集中开工。…预计完成投资14.2亿元) within its paragraph,
    and the last measure of each unit (全市4222家企业通过评价入库。…滨海新区(1798家))."""

    def __init__(self) -> None:
        self.subject: str | None = None
        self.subject_line = -1
        self.by_unit: dict[str, str] = {}

    def subject_at(self, text: str, pos: int) -> str | None:
        if self.subject is None or text.rfind("\n", self.subject_line, pos) != -1:
            return None  # a new paragraph: a new topic
        return self.subject

    def learn(self, done: list) -> None:
        for d in done:
            if d.kind != "level" or not d.indicator or d.place:
                continue
            if d.unit in _COUNT_UNITS and not _bare_measure(d.indicator) and not _bare_verb(d.indicator):
                self.subject, self.subject_line = d.indicator, d.number.start
            self.by_unit[d.unit] = d.indicator


_SENTENCE = re.compile(r"[^。!?\n\r]+")
# A sentence can hold a fact only with a digit, a Chinese numeral before a unit, a rank, a
# doubling, a half or a percentage in words: the others are not read at all.
_HAS_NUMBER = re.compile(
    rf"\d|[{CN_NUMERALS}]+(?:余|多)?(?:{MULTIPLIERS}|{UNIT_PATTERN})|首位|榜首|第[一二三四五六七八九十]|首$|翻|一半|半数|百分之"
)

# Whether _HAS_NUMBER finds something, asked with a pattern that starts with one character
# class (so the regex engine skips to candidate characters) and goes on by which it was.
_MAY_HOLD_NUMBER = re.compile(
    rf"[\d{CN_NUMERALS}首榜第翻半](?:(?<=\d)|(?<=[{CN_NUMERALS}])(?:余|多)?(?:{MULTIPLIERS}|{UNIT_PATTERN})"
    r"|(?<=首)(?:位|$)|(?<=榜)首|(?<=第)[一二三四五六七八九十]|(?<=翻)|(?<=一)半|(?<=半)数|(?<=百)分之)"
)


def _sentences(text: str, start: int, end: int):
    for m in _SENTENCE.finditer(text, start, end):
        if _MAY_HOLD_NUMBER.search(text, m.start(), m.end()):
            yield m.start(), m.end()


class _Clauses:
    """Where the clauses of one sentence start: its clause marks are found once, so the
    clause of each number is a bisection (not eight searches back through the sentence)."""

    def __init__(self, text: str, s_start: int, s_end: int):
        self.text = text
        self.floor = s_start
        self.end = s_end
        self.marks: list[int] | None = None  # found when first asked (many sentences hold no number)

    def start(self, pos: int) -> int:
        """Where the clause holding ``pos`` starts; a comma inside parentheses does not end
        it (国民生产总值(按1990年不变价,下同)由1325万元)."""
        text = self.text
        if self.marks is None:
            self.marks = _clause_marks(text, self.floor, self.end)
        floor = pos - _LONGEST_CLAUSE if pos - _LONGEST_CLAUSE > self.floor else self.floor  # longer is no
        # clause: keeps a run-on text linear
        end = pos
        while True:
            k = bisect_left(self.marks, end) - 1  # the last mark before ``end``
            if k < 0 or self.marks[k] < floor:
                return floor
            i = self.marks[k] + 1
            opened = text.rfind("(", max(floor, i - 40), i)
            if opened != -1 and text.rfind(")", opened, i) == -1 and text.find(")", i, pos) != -1:
                end = opened  # the boundary is inside parentheses that close before pos
                continue
            return i


_INNER_MARKS = CLAUSE_END[len(SENTENCE_END):]  # , : ;


def _clause_marks(text: str, start: int, end: int) -> list[int]:
    """Where _CLAUSE_MARK finds a mark in one sentence (as _sentences cuts them: it holds none
    of SENTENCE_END): its , : and ; each found by str.find (a test holds it to the pattern)."""
    marks: list[int] = []
    find = text.find
    for mark in _INNER_MARKS:
        i = find(mark, start, end)
        while i != -1:
            marks.append(i)
            i = find(mark, i + 1, end)
    marks.sort()
    return marks


def _inside_quotes(text: str, s_start: int, pos: int) -> bool:
    # Only a short quotation is a name (“十四五”, 《…》 titles): look 12 characters around.
    lo = pos - 12 if pos - 12 > s_start else s_start
    seg = text[lo:pos]
    if "“" not in seg and "《" not in seg:
        return False
    opened = max(seg.rfind("“"), seg.rfind("《"))
    closed = max(seg.rfind("”"), seg.rfind("》"))
    if closed > opened:
        return False
    close_at = min((i for i in (text.find("”", pos, pos + 13), text.find("》", pos, pos + 13)) if i != -1),
                   default=-1)
    return close_at != -1 and close_at - (lo + opened) <= 12


def _not_a_fact(text: str, n: Number, s_start: int) -> bool:
    start = n.start
    before = text[start - 2 if start - 2 > s_start else s_start:start]
    after = text[n.end:n.end + 4]
    last, next_, first = before[-1:], after[:1], n.raw[:1]  # (each sliced once)
    if last in ("第", "届"):
        return True  # an ordinal: 第11场
    if last == "前" and n.unit in ("位", "名"):
        return True  # 排名前五位: an order, not a position
    if before.endswith(_REFERENCE_BEFORE):
        return True  # 这三项数据, 该省16个市: a reference to things counted elsewhere
    if last.isascii() and last.isalpha() or next_.isascii() and next_.isalpha() and n.unit != "P":
        return True  # a code or a name: PM2.5, H135, 5G, 3A
    if first in "-−":
        # a negative rate (贡献率为-19.9%); a dash before anything else is no minus
        return n.unit not in ("%", "‰", "个百分点") or not _MINUS_AFTER.search(last or ",")
    if first in "./" or text[start - 1:start] in (".", "/", "-"):
        return True
    if next_ in _NON_FACT_FIRSTS and _NON_FACT_AFTER.match(after):
        return True
    if n.chinese and not n.raw.startswith("百分之"):
        numeral = _NUMERAL.match(n.raw).group(0)
        if numeral == "一" and not _AT_LEAST_ONE.search(text[max(s_start, n.start - 6):n.start]):
            return True  # "一个", "一处": an article, not a count
        if numeral in ("百", "千", "万") and not (before.endswith(("上", "近", "超", "逾", "达", "破")) or "亿" in n.unit):
            return True  # 千家万户
        if next_ and next_ == n.raw[-1:]:
            return True  # 一处处, 一个个
        if numeral in ("十", "百") and next_ in "大项":
            return True
        if numeral == "零" or before.endswith(("数", "几", "届")):
            return True
        if n.unit in ("个", "项") and _OUTLINE_AFTER.match(after):
            return True  # 从五个方面, 六个环节, 六个指标: how a speech or a rule is laid out
    # _inside_quotes, asked only where its first test (a quote mark in the 12 characters
    # before) does not already say no
    seg = text[start - 12 if start - 12 > s_start else s_start:start]
    return ("“" in seg or "《" in seg) and _inside_quotes(text, s_start, start)


def _classify(text: str, n: Number, left: str) -> tuple[str, float, str] | None:
    """Kind, value and unit of a number, from the words before it; None if it is no fact."""
    if ")" in left:
        left = _ASIDE_CLOSED.sub("", left)  # 同比增长(下同)4.5%
    if n.unit == "倍":
        if _TIMES_OF.search(left):
            return "growth", round((n.value - 1) * 100, 6), "%"  # 是上年的2.4倍: up 140 %
        if _GROWTH_VERB_FOUND.search(left):
            return "growth", round(n.value * 100, 6), "%"  # 增长4.2倍: up 420 %
        return None
    if n.unit == "成":
        return "share", n.value * 10, "%"  # 占8成: 80 %
    if n.unit == "位":
        if _RANK_MOVE.search(left):
            sign = -1 if _RANK_DOWN.search(left[-4:]) else 1
            return "growth", sign * n.value, "位"  # 位次前移14位
        if _RANK_AT.search(left):
            return "rank", n.value, "位"  # 排名由38位提升到29位
    if n.unit in ("%", "‰"):
        if _GROWTH_VERB_FOUND.search(left) or _GROWTH_NOUN.search(left) or _GROWTH_END.search(left):
            sign = -1 if _FALL.search(left[-6:]) else 1
            return "growth", sign * n.value, n.unit
        return "share", n.value, n.unit
    if n.unit in ("个百分点", "百分点", "个千分点", "千分点"):
        sign = -1 if _FALL.search(left[-8:]) else 1
        return "growth", sign * n.value, "个" + n.unit.removeprefix("个")
    return "level", n.value, n.unit


def _clean_left(left: str, article: Article | None = None) -> str:
    if "(" in left:
        left = _ASIDE.sub("", left)  # (下同), (按可比价格计算): asides, not names
    # _LEFT_STRIP starts at the start (^) and takes all it can: its match, cut off, is its sub
    if article is not None and article.places:
        strip = article.places.matcher.strip_prefix
        left = strip(left)
        while True:
            # a second pass of _LEFT_STRIP would take nothing, so another round is needed
            # only when a place name was stripped after it
            m = _LEFT_STRIP.match(left)
            stripped = left[m.end():] if m else left
            left = strip(stripped)
            if left == stripped:
                break
    else:
        m = _LEFT_STRIP.match(left)
        left = left[m.end():] if m else left
    if left and (left[-1] in _TRIM_ENDS or left[-1].isspace()):
        left = _RIGHT_TRIM_INDICATOR.sub("", left)
    if _QUOTES.search(left):
        left = _QUOTES.sub("", left)
    if "】" in left:
        left = left[left.rindex("】") + 1:]
    left = left.strip()
    return "" if left in _CONJUNCTIONS else left


# Patterns used for each number and sentence, compiled once (re's cache lookup is itself a cost there).
_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百千]+")
_AT_LEAST_ONE = re.compile(r"(?:至少|仅|只有|新增|增加)\w{0,2}$")
_RANK_DOWN = re.compile(r"后移|后退|下降|下滑|回落")
_GROWTH_END = re.compile(r"(增长|下降|提高|降低|减少|增速)(了)?(分别|均)?(为|达|约|近)?$")
_DIGITS_DOTS = re.compile(r"[\d.]")
_DAY_COUNT = re.compile(r"天数|日数")
_SCHOOL = re.compile(r"[学校院园]")
_COUNT_IN_PHRASE = re.compile(r"[\d.]+(?:余|多)?[万亿]?[个家处条项座所套户支张名人件]")
_YEARS_RUNNING = re.compile(r"(?:连续[^,]{0,4}年?|多年)$")
_RANK_VERBS = re.compile(r"(?:位居|跃居|稳居|位列|居|排名|排在?|名列|领跑|均|都|分别)")
_RANK_SCOPE = re.compile(r"第.*$|首位.*$|榜首.*$|首$|全国|全省|全市|青岛|十区市|区市|各区市|同类城市|同类|全球|城区|增长")
_LIST_SEP = re.compile(r"、|和|及|与")
_CODE_HEAD = re.compile(r"^[A-Za-z0-9.]+")
_CODE = re.compile(r"[A-Za-z0-9.]+")
_STRUCTURE_HEADS = re.compile(r"结构|比例|比重|构成|占比")
_FROM_BEFORE = re.compile(r"(?:由|从)[^,;。]{0,12}$")
_CHANGE = re.compile(r"(?:比|较)(?:上年|去年|年初|(?:19|20)\d\d年)(?:末|底|同期)?(增加|减少|新增|增长|多|少)(?:了)?$")
# What is measured is said in words: two Chinese characters, or an abbreviation (GDP).
_WORDS = re.compile(r"(?:(?![零〇一二两三四五六七八九十百千万亿元个])[\u4e00-\u9fff]){2}|[A-Za-z]{2}")
_MINUS_AFTER = re.compile(r"[为是::,,(\s率长降]")
_FRAME_AFTER = re.compile(r"基础上|同时|情况下|前提下")
_OUTLINE_AFTER = re.compile(r"方面|环节|指标|维度|层面|板块|数据")
_REFERENCE_BEFORE = ("上述", "该省", "该市", "该区", "该县")
_BARE_MAGNITUDE = re.compile(r"(?:突破|超过|超|近|逾|达到?|上)(万|千)(人次|人|家|户|个|亩|名|件|辆|套)(?![\u4e00-\u9fff]{0,1}[级元])")
_RANK_HINT = re.compile(r"居|排|列|领跑")
_QUOTES = re.compile(r"[“”\"'《》]")
_QUOTES_PARENS = re.compile(r"[“”\"'《》()]")
_CONJUNCTIONS = frozenset(("和", "及", "与", "以及"))  # alone, no words of a measure
_FROM = re.compile(r"(?:由|从)\s*(?:约|近)?$")
_BARE_VERB = re.compile(r"^(?:新开工|开工|复工|开复工|竣工|投产|试投产|签约|落地|续建|新建|新引进|引进|在建|完工|建成|"
                        r"新签约|开工建设|建成投产)$")
_LEADING_VERB = re.compile(r"^(?:新开工|开工|复工|开复工|竣工|投产|试投产|签约|落地|续建|新建|新引进|引进|在建|完工|"
                           r"建成|共有|共|实施|推进)")
_PLACE_ITEM = re.compile(r"^(?:为|是|其中)?([\u4e00-\u9fff]{2,8}?(?:区|县|市|州|旗))\(?$")
_BARE_MEASURE = re.compile(
    r"^(?:项目)?(?:完成|实现|累计完成|累计)?(?:年度|全年|年)?(?:计划)?(?:总)?(?:投资|产值|营业收入|营收|税收|销售收入|"
    r"完成投资|开复工率|开工率|竣工率|完成率|投资额|投资完成率)"
)
_RATIO = re.compile(r"(?<![\d.])(\d{1,2}(?:\.\d+)?)\s*[:∶]\s*(\d{1,2}(?:\.\d+)?)\s*[:∶]\s*(\d{1,2}(?:\.\d+)?)(?![\d.:∶])")
_THRESHOLD = re.compile(r"(?:\((?:含|不含)\))?(?:以上|以下)(?:的)?[\u4e00-\u9fff“]")
_PAIRS = {"城乡": ("城镇", "农村"), "中外": ("中方", "外方"), "进出口": ("进口", "出口"), "内外资": ("内资", "外资")}
_ASIDE = re.compile(r"\((?:[^()]{0,24}(?:下同|计算|价格|口径|不含|含)[^()]{0,8})\)?|\([^()]{0,24}$")
_ASIDE_CLOSED = re.compile(r"\([^()]{0,24}\)")
_SHARE_OF = re.compile(r"^(?:为|完成|达到?|相当于)[^,;。]{1,16}的$|^完成[^,;。的]{0,6}(?:目标|计划|任务)$")
_CONVERTED = re.compile(r"\((?:按[^,()]{0,12})?(?:折算为|折合|约合|合)(?:人民币|美元)?$")
_SECTORS = re.compile(r"^(?:一、二、三产业|一二三产业|第一、二、三产业|三次产业|三大产业)(.*)$")
_SECTOR_OF = re.compile(r"^第[一二三]产业")
_PAIRED = re.compile(r"^(城乡|中外|内外资)(.+)$")
_STOP_RIGHT = re.compile(r"^(?:以上|以下|以内|左右|,|、|和|及|与|增长|同比|比上年|下降|提高|占|达到|达|的比重|提升|上升|增至|增加到|"
                         r"降至|降到|减少到|调整为|调整到|前移|后移|到|至|"
                         r"大关|台阶|关口)")
_RIGHT_PHRASE_TRIM = re.compile(r"[,、::\s“”\"'()《》的]+$")
# What _RIGHT_PHRASE_TRIM.sub("", s) cuts, cut by str.rstrip: its characters and the
# whitespace of \s (a test holds both lists to the pattern and to str.isspace).
_WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
               "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_RIGHT_PHRASE_ENDS = ",、::“”\"'()《》的" + _WHITESPACE
_DURATION_OK = re.compile(r"缩短|提前|节约|节省|减少")
_NAME_AFTER = re.compile(r"^(?:规定|会议|全会|全体会议|党代会|人制|制|一体|方面工作|个方面工作|工作|更加|个更加|全省领先|次会议)")


# The characters a match of an anchored pattern can start with (a test derives each set from
# its pattern): a string that starts otherwise is not given to the regex engine at all (a
# call costs more than the test).
_NON_FACT_FIRSTS = "代以倍号型届强期版级"
_NAME_AFTER_FIRSTS = "一个人会党全制工方更次规"
_STOP_RIGHT_FIRSTS = ",、上下与以关减到前占及台同后和增大左提比的至调达降"
_GENERIC_FIRSTS = "合均总投数累规计"
_SHARE_OF_FIRSTS = "为完相达"
_BARE_VERB_FIRSTS = "在复完建开引投新竣签续落试"
_BARE_MEASURE_FIRSTS = "产全完实年开总投税竣累营计销项"


def _bare_measure(s: str) -> bool:
    return s[:1] in _BARE_MEASURE_FIRSTS and _BARE_MEASURE.match(s) is not None


def _bare_verb(s: str) -> bool:
    return s[:1] in _BARE_VERB_FIRSTS and _BARE_VERB.match(s) is not None


_NEXT_ITEM = re.compile(r"\d|[一二两三四五六七八九十]+[个家处条项人名件座所套户支张场次辆架只台栋]")
_SKIP_IN_PHRASE = re.compile(r"(?:19|20)\d\d年(?:度)?|\d+[A-Za-z]+级?|[A-Za-z]+\d+(?:\.\d+)?")
_NOT_HAN = re.compile(r"[^\u4e00-\u9fff]")


def _right_phrase(text: str, pos: int, ceiling: int, stop_at_number: bool = True) -> str:
    """The words after a number up to the end of its clause, or up to the next number.

    Years (2023年) and codes (3A级, PM2.5) inside the phrase are words, not numbers; a 、
    ends the phrase only where the next list item starts with a number.
    """
    end = pos
    ceiling = min(ceiling, pos + _LONGEST_CLAUSE)
    # Chinese characters neither end a phrase nor start a number: the scan jumps over them
    # to the next other character (a test holds this to the character by character walk).
    search = _NOT_HAN.search
    while True:
        found = search(text, end, ceiling)
        if found is None:
            end = ceiling if ceiling > end else end
            break
        end = found.start()
        ch = text[end]
        if ch in CLAUSE_END:
            break
        if ch == "、" and (end + 1 >= ceiling or _NEXT_ITEM.match(text, end + 1)):
            break
        if stop_at_number and (ch.isdigit() or ch.isascii() and ch.isalpha()):
            m = _SKIP_IN_PHRASE.match(text, end)
            if m and m.end() <= ceiling and _DIGITS_DOTS.sub("", m.group(0)).rstrip("级") not in ("P", "TEU"):
                end = m.end()
                continue
            if ch.isdigit():
                break
        end += 1
    return text[pos:end]


def _trim_examples(phrase: str) -> str:
    """"太清海上游览线二期、大河东文旅小镇等34个项目" reads as the 项目: drop the examples."""
    cut = phrase.rfind("等")
    return phrase[cut + 1:] if cut != -1 else phrase


def _read_sentence(norm: Normalized, article: Article, doc: str, s_start: int, s_end: int, broken,
                   topic: _Topic | None = None) -> list[Fact]:
    text = norm.text
    numbers = [n for n in lex(text, s_start, s_end) if not _not_a_fact(text, n, s_start)]
    # A clause with a broken run in it is unreliable up to its end: nothing is read from it.
    clauses = _Clauses(text, s_start, s_end)
    if broken:
        numbers = [n for n in numbers if not any(clauses.start(n.start) <= b and a <= n.end for a, b in broken)]
    cands: list[_Cand] = []
    consumed = s_start
    for n in numbers:
        if n.start < consumed:
            continue
        c_start = clauses.start(n.start)
        left_start = c_start if c_start > consumed else consumed
        left_raw = text[left_start:n.start]
        after = text[n.end:n.end + 6]
        a0 = after[:1]  # (asked by several tests below: sliced once)
        if n.unit == "个月" and not _DURATION_OK.search(left_raw):
            consumed = n.end
            continue  # a duration, not a result measured in time
        if n.unit == "天" and not _DAY_COUNT.search(left_raw):
            consumed = n.end
            continue  # "用时30天": a duration; "优良天数320天" is a count
        institute = n.unit == "所" and n.value >= 100 and not _SCHOOL.search(after[:4])  # 705所青岛中心
        structure = n.chinese and n.unit in ("方面", "个方面")  # 五方面工作: the report's outline
        qualifier = n.chinese and n.unit.endswith("亿元") and n.raw.endswith("亿") and after[:1] and \
            "\u4e00" <= after[:1] <= "\u9fff" and not after.startswith(("元", "以上", "左右", "大关", "关口", "台阶"))  # 千亿品牌
        sectors = n.unit == "次" and after.startswith("产业")  # 三次产业: the three sectors
        over = left_raw.endswith("过") and not left_raw.endswith("超过") and after[:1] and \
            "\u4e00" <= after[:1] <= "\u9fff"  # "过10亿元项目": a class of projects, not an amount
        # "500万元以上固定资产投资", "3亩(含)以上规模以下工业企业": a threshold inside a class name
        over = over or (a0 in "(以" and bool(_THRESHOLD.match(text, n.end)))  # (its first characters)
        if over:
            continue  # and its words stay with the count that follows ("过10亿元项目8个")
        if sectors:
            continue  # and 三次产业 stays in the words of the number after it
        if (a0 in _NAME_AFTER_FIRSTS and _NAME_AFTER.match(after)) or institute or structure or qualifier:
            consumed = n.end
            continue
        classified = _classify(text, n, left_raw)
        if classified is None:
            consumed = n.end
            continue
        kind, value, unit = classified
        cand = _Cand(n, kind, value, unit, left_start, c_start, n.end)
        if ("由" in left_raw or "从" in left_raw) and _FROM.search(left_raw):
            # the starting value of 由…增至: the base year, if the sentence names one
            cand.period_override = base_year(text, s_start, n.start)
        # Words after the number that belong to what it measures.
        cand.right = ""
        if after.startswith("的") and kind == "level" and not _FRAME_AFTER.match(text, n.end + 1):
            whole = _right_phrase(text, n.end + 1, s_end, stop_at_number=False)
            phrase = _COUNT_IN_PHRASE.sub("", _trim_examples(whole))
            cand.right = phrase
            cand.of_phrase = True  # "总投资2300亿元的315个重点项目": 重点项目 + 总投资
            cand.quote_end = n.end + 1 + len(whole)
        elif a0 and ("\u4e00" <= a0 <= "\u9fff" or a0 in "“《\"" or _SKIP_IN_PHRASE.match(after)) \
                and not (a0 in _STOP_RIGHT_FIRSTS and _STOP_RIGHT.match(after)) \
                and not (a0 == "的" and _FRAME_AFTER.match(text, n.end + 1)):
            phrase = _right_phrase(text, n.end, s_end)
            cand.right = phrase
            cand.quote_end = n.end + len(phrase)
            consumed = cand.quote_end
        if consumed < n.end:
            consumed = n.end
        cands.append(cand)
    extra = _extra_patterns(text, s_start, s_end, [c.number for c in cands], clauses)
    if extra:  # (the numbers' candidates are in order already: lex sorts them)
        cands.extend(extra)
        cands.sort(key=lambda c: c.number.start)

    done: list[_Cand] = []
    assigned: set[int] = set()
    for i, c in enumerate(cands):
        if c.fixed:
            done.append(c)
            continue
        if c.kind == "rank" or id(c) in assigned:
            if id(c) in assigned:
                done.append(c)
            continue
        raw_left = text[c.left_start:c.number.start]
        left = _clean_left(raw_left, article)
        right = getattr(c, "right", "")
        if right:
            right = _QUOTES_PARENS.sub("", right.rstrip(_RIGHT_PHRASE_ENDS))
            if c.kind == "level" and left.endswith("等"):
                left = ""
            left = _trim_examples(left) if right and "等" in left else left
        # A list run: this and the following numbers of the same kind, side by side.
        run = [c]
        for x in cands[i + 1:i + 1 + _LOOK_BACK]:
            gap = text[run[-1].number.end:x.number.start]
            if x.kind == "rank" or x.unit != c.unit or gap not in ("", "、", "和", "及"):
                break
            if x.kind != c.kind and c.unit in ("%", "‰", "个百分点", "位"):
                x.kind, x.value = c.kind, (abs(x.value) if c.value >= 0 else -abs(x.value))
            run.append(x)
        if "分别" in raw_left and len(run) > 1:
            spread = places_listed(article, raw_left, len(run))
            if spread is not None:
                # 鱼峰区、柳南区、柳北区分别完成投资a、b、c: one figure per place
                measure = _clean_left(spread[1], article)
                for x, place in zip(run, spread[0], strict=True):
                    x.indicator = measure
                    x.place = place
                    x.quote_start = min(x.quote_start, c.quote_start)
                    x.list_group = run
                    assigned.add(id(x))
                done.append(c)
                continue
            prefix = _clean_left(raw_left.split("分别")[0], article)
            parts = _split_list(prefix) if prefix else []
            pair = _PAIRED.match(prefix or "")
            sectors = _SECTORS.match(prefix or "")
            if len(run) == 2 and len(parts) < 2 and pair:
                # 城乡居民人均可支配收入分别…: the 城镇 one and the 农村 one
                parts = [w + pair.group(2) for w in _PAIRS[pair.group(1)]]
            elif len(run) == 3 and sectors:
                # 一、二、三产业增加值分别…, 三次产业贡献率分别…: one per sector
                parts = [w + sectors.group(1) for w in ("第一产业", "第二产业", "第三产业")]
            measure = _clean_left(raw_left.split("分别", 1)[1], article)
            if len(parts) >= len(run):
                names = parts[-len(run):]
                if measure and not _GENERIC.match(measure) and len(measure) <= 8:
                    names = [p + measure for p in names]  # 对美国、印度分别进出口…: 对印度进出口
            else:
                clause_group = text.rfind(";", s_start, c.number.start)
                earlier = [d for d in done[-_LOOK_BACK:] if d.kind == "level" and d.number.start > clause_group
                           ][-len(run):]
                head = prefix if _GENERIC.match(prefix or "") else ""
                names = [d.indicator + head for d in earlier] if len(earlier) == len(run) else []
                if not names and measure:
                    # 分别拉动经济增长a、b、c after a list of the three sectors: each sector's
                    last = next((d.list_group for d in reversed(done[-_LOOK_BACK:])
                                 if d.list_group and len(d.list_group) == len(run)), None)
                    items = [_SECTOR_OF.match(d.indicator) for d in last] if last else []
                    if items and all(items):
                        names = [m.group(0) + measure for m in items]
            if names:
                for x, name in zip(run, names, strict=False):
                    x.indicator = name
                    x.quote_start = min(x.quote_start, c.quote_start)
                    x.list_group = run  # "…分别下降19%、13%,改善率均居首位" ranks each of them
                    assigned.add(id(x))
                done.append(c)
                continue
        if done and "(" in raw_left and _CONVERTED.search(raw_left):
            # 63591元(按年平均汇率折算为9455美元): the same amount in another currency
            c.indicator = done[-1].indicator
            done.append(c)
            continue
        change = _CHANGE.search(raw_left.strip(" ,、:;")) \
            if c.kind == "level" and not right and ("比" in raw_left or "较" in raw_left) else None
        if change and done and not _clean_left(raw_left[:raw_left.rfind(change.group(0))], article):
            # "户籍人口58.6万人,比上年末增加1.2万人": the change of what came before.
            c.indicator = done[-1].indicator + (change.group(1) or "增加")
            c.quote_start = min(c.quote_start, done[-1].quote_start)
            done.append(c)
            continue
        generic = left[:1] in _GENERIC_FIRSTS and _GENERIC.match(left) is not None  # ("" is not generic)
        if c.kind in ("growth",) or generic or not (left or right):
            ref = done[-1] if done else None
            # "…项目149个,总投资额达到448.6亿元": a bare head word answers to the fact before it
            # (but "总投资52.12亿元的项目" names its own subject after 的).
            if ref is not None and (not left or generic) and not right:
                c.indicator = ref.indicator + (left if generic else "")
                c.quote_start = min(c.quote_start, ref.quote_start)
                done.append(c)
                continue
        share_of = raw_left.strip(" ,、;")
        share_of = _SHARE_OF.match(share_of) if share_of[:1] in _SHARE_OF_FIRSTS else None
        if c.kind == "share" and (left.startswith("占") or share_of) and done and not right:
            # "民生投入69.5亿元,占区级一般公共预算支出的70.4%", "…,完成年度计划的105.7%":
            # the share of what came before.
            indicator = done[-1].indicator + (share_of.group(0).rstrip("的") if share_of and
                                              share_of.group(0).startswith("完成") else left)
            c.quote_start = min(c.quote_start, done[-1].quote_start)
        elif c.kind == "growth":
            indicator = left
        else:
            indicator = right + left if getattr(c, "of_phrase", False) else left + right
        # "产业发展项目172个,完成投资295.9亿元": a bare measure takes the subject of the count
        # before it in the sentence.
        bare_verb = c.kind == "level" and c.unit in _COUNT_UNITS and _bare_verb(indicator)
        if c.kind in ("level", "share") and _bare_measure(indicator) or bare_verb:
            subject = next((d.indicator for d in reversed(done[-_LOOK_BACK:]) if d.unit in _COUNT_UNITS
                            and d.kind == "level" and not _bare_measure(d.indicator)
                            and not _bare_verb(d.indicator)), None)
            if subject is None and topic is not None:
                subject = topic.subject_at(text, c.number.start)
            if subject and bare_verb:
                # 引进亿元以上项目38个,开工31个: the projects' 开工
                indicator = _LEADING_VERB.sub("", subject) + indicator
            elif subject:
                indicator = (subject + indicator[2:]) if indicator.startswith("项目") and subject.endswith("项目") \
                    else subject + indicator
        item = raw_left.strip(" ,、:;)")
        item = _PLACE_ITEM.match(item) if item[-1:] in "区县市州旗(\n" else None  # (how a match can end)
        item_name = item.group(1) if item else place_before_paren(article, raw_left)
        if item_name and topic is not None and topic.by_unit.get(c.unit) and c.kind == "level" \
                and not right and item_place(article, item_name):
            # 滨海新区(1798家), 分别为武清区369家: the place's figure of what was last measured
            indicator = topic.by_unit[c.unit]
            c.place = item_name
        # "新创市级示范村21个、达标村170个": a short item inherits the first item's qualifiers.
        if done and len(left) <= 4 and not right and "、" in text[c.left_start - 1:c.left_start + 1]:
            prev = done[-1]
            if prev.unit == c.unit and len(prev.indicator) > len(left) + 2:
                indicator = prev.indicator[: len(prev.indicator) - len(left)] + left
        elif done and raw_left.lstrip(" ,、").startswith("其中") and 2 <= len(left) <= 3 and not right \
                and done[-1].unit == c.unit and c.kind == "level" and left not in done[-1].indicator:
            indicator = left + done[-1].indicator  # 户籍总人口…,其中男性60.81万人: 男性户籍总人口
        c.indicator = indicator
        done.append(c)

    for r in [c for c in cands if c.kind == "rank"]:
        earlier = [c for c in done[-_LOOK_BACK:] if c.number.end <= r.number.start and c.kind != "rank"]
        left = _clean_left(text[r.left_start:r.number.start], article)
        left = _YEARS_RUNNING.sub("", left)
        middle = _RANK_VERBS.sub("", text[r.number.start:r.number.end])
        middle = _RANK_SCOPE.sub("", middle)
        if r.number.raw.startswith("均") and earlier:
            heads = _split_list(left) if left else []
            if len(heads) > 1:
                prev = earlier[-1].indicator
                for h in heads:
                    name = h if len(h) > 3 else (prev if prev.endswith(h) else prev + h)
                    done.append(_Cand(r.number, "rank", r.value, "位", r.left_start, r.quote_start, r.quote_end, name))
                continue
            listed = getattr(earlier[-1], "list_group", None)
            if listed and left and len(left) <= 4:
                for c in listed:
                    done.append(_Cand(r.number, "rank", r.value, "位", r.left_start, c.quote_start, r.quote_end,
                                      c.indicator + left))
                continue
            group = [c for c in earlier if c.kind == "level"][-2:] or earlier[-1:]
            for c in group:
                done.append(_Cand(r.number, "rank", r.value, "位", r.left_start, c.quote_start, r.quote_end, c.indicator))
            continue
        if len(left) < 2:
            before = earlier or [c for c in done[-_LOOK_BACK:] if c.number.end <= r.number.start]  # 由38位…到29位
            if before:
                r.indicator = before[-1].indicator
                r.quote_start = before[-1].quote_start
            elif len(middle) >= 2:
                r.indicator = middle  # a headline: "崂山区领跑青岛外贸增速增长首位"
        else:
            r.indicator = left
        done.append(r)

    facts = []
    if topic is not None:
        topic.learn(done)
    if not done:
        return facts
    marks = SentenceMarks(text, s_start, s_end)
    for c in done:
        indicator = c.indicator.strip()
        if not indicator or len(indicator) < 2 or c.value == 0 or not _WORDS.search(indicator):
            continue
        q_start = c.quote_start
        while q_start < c.number.start and text[q_start] in " \t,、::“\"'(【":
            q_start += 1
        if text.startswith("【", q_start, c.number.start):
            q_start = text.index("】", q_start) + 1
        start, end = norm.span(q_start, c.quote_end)
        pos = c.number.start
        section = article.section_at(pos) if article.sections else None
        period, sub = period_of(text, s_start, pos, article, marks, section)
        if c.period_override is not ...:
            period = None if c.period_override is None else str(c.period_override)
        value = c.value  # round(value, 6), without its cost for a whole number (most are)
        facts.append(Fact(
            doc, start, end, norm.original[start:end],
            (c.place and item_place(article, c.place)) or region_of(text, s_start, pos, article, text[c.left_start:pos]),
            period, sub, indicator, c.kind,
            value if type(value) is float and value.is_integer() else round(value, 6), c.unit,
            status_of(text, s_start, pos, article, marks, section),
        ))
    return facts


def _split_list(s: str) -> list[str]:
    parts = [p for p in _LIST_SEP.split(s) if p]
    if len(parts) >= 2:
        # "PM2.5、PM10平均浓度": the shared head of the last item belongs to each.
        last = parts[-1]
        head = _CODE_HEAD.sub("", last)
        if head and head != last:
            parts = [p + head if _CODE.fullmatch(p) else p for p in parts]
    return parts


def _extra_patterns(text: str, s_start: int, s_end: int, numbers: list[Number], clauses: _Clauses) -> list[_Cand]:
    """Ranks, 翻一番, 一半, fractions, structure ratios: facts written without a number-and-unit."""
    out: list[_Cand] = []
    sentence = text[s_start:s_end]
    for m in (_RATIO.finditer(text, s_start, s_end) if ":" in sentence or "∶" in sentence else ()):
        parts = [float(g) for g in m.groups()]
        c_start = clauses.start(m.start())
        clause = text[c_start:m.start()]
        if not 95 <= sum(parts) <= 105 or "产业" not in clause:
            continue  # only a structure whose parts add up to 100 is three shares
        heads = _STRUCTURE_HEADS.findall(clause)
        head = heads[-1] if heads else "结构"
        for k, (part, name) in enumerate(zip(parts, ("第一产业", "第二产业", "第三产业"), strict=True)):
            n = Number(m.start(), m.end(), part, "%", False, False, m.group(0))
            cand = _Cand(n, "share", part, "%", c_start, c_start, m.end(), name + head, fixed=True)
            if _FROM_BEFORE.search(text[c_start:m.start()]):
                cand.period_override = base_year(text, s_start, m.start())
            cand.number = Number(m.start() + k, m.end(), part, "%", False, False, m.group(0))
            out.append(cand)
        numbers.append(Number(m.start(), m.end(), 0, "", False, False, m.group(0)))
    # (a rank ends with 第… or 首: a sentence with neither holds none)
    ranked = ("第" in sentence or "首" in sentence) and _RANK_HINT.search(sentence)
    for m in (_RANK.finditer(text, s_start, s_end) if ranked else ()):
        raw = m.group("n")
        value = 1.0 if m.group("first") else (float(raw) if raw and raw.isdigit() else float(CN_SMALL.get(raw, 0)))
        if not value:
            continue
        each = m.group("each") or ""
        n = Number(m.start(), m.end(), value, "位", True, False, each + m.group(0)[len(each):])
        if each:
            n.raw = "均" + m.group(0)[len(each):]
        c_start = clauses.start(m.start())
        out.append(_Cand(n, "rank", value, "位", c_start, c_start, m.end()))
    for m in (_BARE_MAGNITUDE.finditer(text, s_start, s_end) if "万" in sentence or "千" in sentence else ()):
        # 在校师生突破万人, 近万家: one 万 of the unit
        if any(x.start <= m.start(1) < x.end for x in numbers):
            continue
        c_start = clauses.start(m.start())
        unit = m.group(1) + m.group(2) if m.group(1) == "万" else m.group(2)
        value = 1.0 if m.group(1) == "万" else 1000.0
        n = Number(m.start(1), m.end(), value, unit, True, True, m.group(0)[len(m.group(0)) - len(m.group(1)) - len(m.group(2)):])
        out.append(_Cand(n, "level", value, unit, c_start, c_start, m.end()))
    for m in (DOUBLE.finditer(text, s_start, s_end) if "番" in sentence else ()):
        times = {"一": 1, "两": 2, "二": 2, "三": 3}.get(m.group("n") or "一", 1)
        value = (2 ** times - 1) * 100.0
        c_start = clauses.start(m.start())
        n = Number(m.start(), m.end(), value, "%", True, False, m.group(0))
        out.append(_Cand(n, "growth", value, "%", c_start, c_start, m.end()))
    for m in (HALF.finditer(text, s_start, s_end) if "半" in sentence else ()):
        if "占" not in text[clauses.start(m.start()):m.start()]:
            continue
        c_start = clauses.start(m.start())
        n = Number(m.start(), m.end(), 50.0, "%", True, True, m.group(0))
        out.append(_Cand(n, "share", 50.0, "%", c_start, c_start, m.end()))
    for m in (FRACTION.finditer(text, s_start, s_end) if "/" in sentence else ()):
        a, b = int(m.group("a")), int(m.group("b"))
        if not b or a >= b or any(x.start <= m.start() < x.end for x in numbers):
            continue
        if "占" not in text[clauses.start(m.start()):m.start()]:
            continue
        c_start = clauses.start(m.start())
        n = Number(m.start(), m.end(), a / b * 100, "%", False, False, m.group(0))
        out.append(_Cand(n, "share", a / b * 100, "%", c_start, c_start, m.end()))
    return out
