"""The shape of a document: page furniture to skip, articles, and sections of a report.

Works on normalised text and returns spans in it. A web page saved as text brings share
buttons, navigation, reading counters and "推荐阅读" lists; a crawl may hold several
articles, each with its headline and date; a government work report has a review of
last year and a plan for this one. Each gets its own place and year.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

from ._periods import HeadYears, is_base
from ._places import Matcher, Mention

_SEPARATOR = re.compile(r"^\s*(?:-{1,}|—{1,}|={3,}|\*{3,}|·{3,})\s*$")
_HEADLINE_TAG = re.compile(r"^\s*【[^】]{1,20}】")
_FURNITURE = re.compile(
    r"分享|朋友圈|微信好友|正在阅读|首页\s*>|当前位置|现在的位置|您的位置|扫一扫|二维码|打印本页|关闭窗口|字号|"
    r"点赞|收藏|评论\s*\d*$|阅读\s*\d+|浏览\s*\d+|阅读量|您此时的心情|新闻表情|加载更多|"
    r"视觉焦点|独家策划|^\s*-\s*\S{1,8}$|联系我们|企业入驻|^\s*•|^\s*[·•]\s|>>|»|进入移动版"
)
# _FURNITURE asked in two parts: its alternatives that start with ^ (they match at the start
# only), and the others, which each start with a literal, so the pattern of them alone is
# scanned fast (one with ^ among its alternatives is tried at every position). A line has
# furniture when either finds some (see _furniture; a test holds it to _FURNITURE).
_FURNITURE_ANYWHERE = re.compile("|".join(a for a in _FURNITURE.pattern.split("|") if not a.startswith("^")))
_FURNITURE_AT_START = re.compile("|".join(a for a in _FURNITURE.pattern.split("|") if a.startswith("^")))
_END_OF_ARTICLE = re.compile(
    r"^\s*(?:\[\s*责编|【\s*责任编辑|\(?责任编辑|责编[::]|编辑[::]|阅读剩余全文|相关阅读|推荐阅读|相关新闻|"
    r"热门推荐|猜你喜欢|延伸阅读|免责声明|版权声明|有想补充的信息|上一篇|下一篇)"
)
# The first characters (after spaces) a line matched by _END_OF_ARTICLE or _SEPARATOR can
# have (a test derives them from the patterns): other lines are not given to the regex engine.
_END_FIRSTS = "([【上下免延推有热版猜相编责阅"
_SEPARATOR_FIRSTS = "*-=·—"
_DATETIME_LINE = re.compile(r"^\s*(?:19|20)\d\d[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*$")
_PUB_DATE = re.compile(r"(?:来源|发布|时间|日期)[^\n]{0,20}?((?:19|20)\d\d)[-/.年]\d{1,2}[-/.月]\d{1,2}")
_YEAR = re.compile(r"((?:19|20)\d\d)年")
# _YEAR found from its 年 (a literal first: a fast scan), its digits by a lookbehind (group 1):
# each 年 has one year before it, so these are _YEAR's matches, one for one.
_YEAR_END = re.compile(r"年(?<=((?:19|20)\d\d)年)")
_EXECUTED = re.compile(r"((?:19|20)\d\d)\s*年[^。\n]{0,24}?(?:计划|预算)执行情况")
_DATELINE = re.compile(r"(?:^|\n)\s*((?:19|20)\d\d)[-/.年](\d{1,2})[-/.月]\d{1,2}")
_SECTION = re.compile(
    r"(?:^|\n|[。!:;])\s*[一二三四五六七八九十]{1,2}、\s*((?:19|20)\d\d)年([^。\n]{0,24})"
)
# _DATELINE and _SECTION past the text's first character, where ^ cannot match: they start
# with a line break or a mark, so the regex engine jumps between candidates (a pattern whose
# first alternative is ^ is tried at every position). See _dateline and _section_heads.
_DATELINE_AFTER = re.compile(r"\n\s*((?:19|20)\d\d)[-/.年](\d{1,2})[-/.月]\d{1,2}")
_SECTION_AFTER = re.compile(r"[\n。!:;]\s*[一二三四五六七八九十]{1,2}、\s*((?:19|20)\d\d)年([^。\n]{0,24})")
# What every _SECTION has, found fast (a literal first): most texts have no numbered year headings.
_SECTION_HINT = re.compile(r"、\s*(?:19|20)\d\d年")
_EXPECTED_ON = re.compile(r"预计(?:数)?[((,,]?\s*下同")
_PROSE_BETWEEN = re.compile(r"[^\n]{30,}")
_REVIEW_WORDS = re.compile(r"回顾|总结|工作情况|主要成绩|执行情况|完成情况")
_PLAN_WORDS = re.compile(r"重点|目标|任务|安排|计划|打算|主要工作|总体要求")
# A year that only bounds a stretch of time (2020年前, 2015年以来, 自2010年, 至2025年): a weak vote.
_WEAK_AFTER = re.compile(r"(?:前(?![一二三四五六七八九十\d]+个?(?:月|季度))|以来|起|底前|-|—|～|~|计划|目标)")
_WEAK_BEFORE = re.compile(r"自\s*$|(?<!截)至\s*$|到\s*$|[-—~]$")
_THIS_YEAR = re.compile(r"今年|本年")


@dataclass
class Section:
    start: int
    end: int
    year: int | None
    mode: str | None  # "review", "plan" or None


@dataclass
class Article:
    start: int
    end: int
    headline: str
    region: str | None
    year: int | None
    region_code: str | None = None
    places: Places | None = None
    head_years: HeadYears | None = None
    expected_from: int | None = None  # where 预计(下同) puts every later figure as an estimate
    # (position, mention) of lines led by a place and a colon (南昌:一季度开工…): that
    # place is the topic of what follows, up to the next such line
    heading_places: list = field(default_factory=list)
    # (region_code, its ancestors, its province), worked out by region_of once, not per fact
    home_context: tuple | None = field(default=None, repr=False, compare=False)

    def heading_place_at(self, pos: int) -> Mention | None:
        found = None
        for at, mention in self.heading_places:
            if at > pos:
                break
            found = mention
        return found
    skip: list[tuple[int, int]] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)

    def section_at(self, pos: int) -> Section | None:
        if not self.sections:
            return None
        for s in self.sections:
            if s.start <= pos < s.end:
                return s
        return None


def _furniture(line: str) -> bool:
    """Whether ``_FURNITURE.search(line)`` finds something."""
    return _FURNITURE_ANYWHERE.search(line) is not None or _FURNITURE_AT_START.match(line) is not None


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each line of text[start:end] (none for a last empty line)."""
    out = []
    pos = start
    for line in text[start:end].split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    if out and out[-1][0] == end:
        out.pop()  # the text ends with a line break, or is empty
    return out


class Places:
    """The places a document names, in order, with the matcher that found them."""

    def __init__(self, matcher: Matcher, text: str):
        self.matcher = matcher
        self.mentions: list[Mention] = matcher.find(text)
        self.starts = [m.start for m in self.mentions]

    def before(self, start: int, end: int):
        """The mentions of ``between(start, end)``, last first."""
        mentions = self.mentions
        i = bisect_left(self.starts, end) - 1
        while i >= 0 and mentions[i].start >= start:
            if mentions[i].end <= end:
                yield mentions[i]
            i -= 1

    def between(self, start: int, end: int) -> list[Mention]:
        i = bisect_left(self.starts, start)
        out = []
        while i < len(self.mentions) and self.mentions[i].start < end:
            if self.mentions[i].end <= end:
                out.append(self.mentions[i])
            i += 1
        return out


def split_articles(text: str, places: Places, before: Article | None = None) -> list[Article]:
    """Articles with the spans of page furniture inside them to skip.

    ``before`` is the first article of the text's earlier pieces (a large file is read in
    pieces): an article that names no place or year of its own takes that one's.
    """
    bounds: list[tuple[int, int]] = []
    start = 0
    lines = _lines(text, 0, len(text))
    ended = False  # past an article's end (责编, 相关阅读): a headline over prose opens the next
    for k, (ls, le) in enumerate(lines):
        line = text[ls:le]
        stripped = line.strip()
        head = stripped[:1]  # the first character after spaces: what each pattern below needs
        if head in _END_FIRSTS and _END_OF_ARTICLE.match(line):
            ended = True
            continue
        next_article = ended and stripped and len(stripped) <= 40 and "。" not in stripped and \
            not _furniture(stripped) and _prose_follows(text, lines, k)
        separator = head in _SEPARATOR_FIRSTS and _SEPARATOR.match(line)
        if separator or next_article or \
                (head == "【" and _HEADLINE_TAG.match(line) and ls > start and text[start:ls].strip()):
            if text[start:ls].strip():
                bounds.append((start, ls))
            start = ls if not separator else le + 1
            ended = False
    if text[start:].strip():
        bounds.append((start, len(text)))
    articles = [_article(text, s, e, places) for s, e in bounds] or [_article(text, 0, len(text), places)]
    if before is not None:
        for a in articles:
            if a.region is None:
                a.region, a.region_code = before.region, before.region_code
            if a.year is None:
                a.year = before.year
    return articles


def _heading_places(text: str, start: int, end: int, places: Places) -> list[tuple[int, Mention]]:
    """Lines that start (after spaces) with a place of at most 12 characters and a colon."""
    out = []
    i = bisect_left(places.starts, start)
    while i < len(places.mentions) and places.mentions[i].start < end:
        m = places.mentions[i]
        i += 1
        if not text.startswith((":", ":"), m.end) or m.end - m.start > 12 or m.end > end \
                or text.find("\n", m.start, m.end) != -1:
            continue
        ls = m.start  # back over the spaces before it (only), to the start of its line
        while ls > start and text[ls - 1] != "\n" and text[ls - 1].isspace():
            ls -= 1
        if ls == start or text[ls - 1] == "\n":
            out.append((ls, m))
    return out


def _prose_follows(text: str, lines: list[tuple[int, int]], k: int) -> bool:
    """Whether the first non-empty line after line ``k`` (or the one after it, past a
    date line) is prose: long, with sentence marks."""
    seen = 0
    for ls, le in lines[k + 1:k + 6]:
        line = text[ls:le].strip()
        if not line:
            continue
        if len(line) >= 30 and ("。" in line or line.count(",") >= 2):
            return True
        seen += 1
        if seen >= 2:
            return False
    return False


def _article(text: str, start: int, end: int, places: Places) -> Article:
    skip: list[tuple[int, int]] = []
    headline = ""
    headline_at = (start, start)
    ended_at = None
    for ls, le in _lines(text, start, end):
        line = text[ls:le].strip()
        if not line:
            continue
        if ended_at is not None:
            continue
        if line[:1] in _END_FIRSTS and _END_OF_ARTICLE.match(line):
            ended_at = ls
            skip.append((ls, end))
            continue
        short = len(line) < 40 and "。" not in line
        if short and (_furniture(line) or _DATETIME_LINE.match(line)):
            skip.append((ls, le))
            continue
        if not headline and len(line) <= 60 and "。" not in line:
            headline = line
            headline_at = (ls, le)
    body_end = ended_at if ended_at is not None else end
    region = _region(text, start, body_end, headline_at, places)
    year = _year(text, start, body_end, skip)
    article = Article(start=start, end=end, headline=headline, region=region.name if region else None,
                      year=year, skip=skip, region_code=region.code if region else None, places=places)
    article.sections = _sections(text, start, body_end, year)
    article.head_years = HeadYears(text, start, body_end)
    article.heading_places = _heading_places(text, start, body_end, places)
    m = _EXPECTED_ON.search(text, start, body_end)
    article.expected_from = m.start() if m else None
    return article


def _region(text: str, start: int, end: int, headline_at: tuple[int, int], places: Places) -> Mention | None:
    """The document's place: the most specific one its headline names, else its opening's."""
    gaz = places.matcher.gaz
    body = places.between(start, end)
    if not body:
        return None
    counts: dict[str, int] = {}  # (a dict: a Counter costs more to make than to fill)
    for m in body:
        counts[m.code] = counts.get(m.code, 0) + 1

    def best(found: list[Mention]) -> Mention:
        # the most specific place, then the most named, then the first
        return min(found, key=lambda m: (-gaz.level(m.code), -counts[m.code], m.start))

    head = places.between(*headline_at)
    if head:
        return best(head)
    opening = [m for m in body if m.start < start + 300]
    if opening:
        top = max(counts[m.code] for m in opening)
        return best([m for m in opening if counts[m.code] == top])
    top = max(counts.values())
    leaders = [m for m in body if counts[m.code] == top]
    if len(counts) >= 3 and (top == 1 or len({m.code for m in leaders}) > 1):
        # A round-up of several places, none leading: the one that holds them all.
        common = _common_ancestor(gaz, list(counts))
        if common is not None:
            return Mention(leaders[0].start, leaders[0].start, common, gaz.by_code[common].name, False)
    return min(leaders, key=lambda m: (-gaz.level(m.code), m.start))


def _common_ancestor(gaz, codes: list[str]) -> str | None:
    chains = [[c, *gaz.ancestors(c)] for c in codes]
    shared = set(chains[0]).intersection(*chains[1:])
    return max(shared, key=lambda c: len(gaz.ancestors(c))) if shared else None


def _year(text: str, start: int, end: int, skip) -> int | None:
    """The year an article speaks of: the year it names most, at the head of its sentences."""
    body = text[start:end]
    weights: dict[int, int] = {}  # (dicts: a Counter costs more to make than to fill)
    weak: dict[int, int] = {}  # plan years and the like: only when nothing else
    for m in _YEAR_END.finditer(body):
        at, m_end = m.start(1), m.end()  # (_YEAR's match: the year and its 年)
        pos = start + at
        if skip and any(s <= pos < e for s, e in skip):
            continue
        before = body[max(0, at - 12):at]
        after = body[m_end:m_end + 6]
        if "《" in before and "》" not in before:
            continue  # inside a title
        if is_base(text, pos, pos + 5):
            continue
        year = int(m.group(1))
        if _WEAK_AFTER.match(after) or _WEAK_BEFORE.search(before):
            weak[year] = weak.get(year, 0) + 1
            continue
        head = not before or before[-1] in ",。;:!\n ," or before.endswith(("在", "于"))
        weights[year] = weights.get(year, 0) + (3 if (head and (after[:1] in ",,是" or after[:1] == "")) else 1)
    executed = _EXECUTED.search(body[:600])
    if executed:
        return int(executed.group(1))  # 2021年…计划执行情况: the year the plan was carried out
    # An item dated 2015 speaks of 2015 when it says 今年; a dateline under the headline
    # dates the news (an "updated" stamp on a re-post does not).
    pub = _PUB_DATE.search(body[:400])
    if pub and _THIS_YEAR.search(body):
        weights[int(pub.group(1))] = weights.get(int(pub.group(1)), 0) + 4
    dateline = _dateline(body[:300])
    if dateline:
        dated = int(dateline.group(1))
        if int(dateline.group(2)) <= 2 and dated - 1 in weights:
            dated -= 1  # an item of January or February sums up the year before
        weights[dated] = weights.get(dated, 0) + 2
    weights = weights or weak
    if weights:
        best = max(weights.values())
        return max(y for y, w in weights.items() if w == best)
    m = _PUB_DATE.search(body[:400])
    return int(m.group(1)) if m else None


def _sections(text: str, start: int, end: int, year: int | None) -> list[Section]:
    heads = []
    found = _section_heads(text, start, end) if _SECTION_HINT.search(text, start, end) else []
    for k, m in enumerate(found):
        tail = m.group(2)
        mode = "review" if _REVIEW_WORDS.search(tail) else ("plan" if _PLAN_WORDS.search(tail) else None)
        if not mode:
            continue
        # A table of contents: headings one after the other with no text between them
        # open no section (the review would otherwise read as the plan the contents list).
        nxt = found[k + 1].start() if k + 1 < len(found) else end
        if k + 1 < len(found) and not _PROSE_BETWEEN.search(text, m.end(), nxt):
            continue
        heads.append((m.start(1), int(m.group(1)), mode))
    sections = []
    for i, (pos, y, mode) in enumerate(heads):
        stop = heads[i + 1][0] if i + 1 < len(heads) else end
        sections.append(Section(pos, stop, y, mode))
    return sections


def _dateline(head: str) -> re.Match | None:
    """``_DATELINE.search(head)``: its ^ tried at the start only, the rest by a fast scan."""
    return _DATELINE.match(head) or _DATELINE_AFTER.search(head)


def _section_heads(text: str, start: int, end: int) -> list[re.Match]:
    """``list(_SECTION.finditer(text, start, end))``: ^ matches at the text's first character
    only, so past it the pattern without ^ (a fast scan) finds the same headings."""
    first = _SECTION.match(text, start, end) if start == 0 else None
    found = [first] if first is not None else []
    found.extend(_SECTION_AFTER.finditer(text, first.end() if first is not None else start, end))
    return found
