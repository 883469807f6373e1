"""The reader's fast paths held to the plain code they replace.

Each rewrite for speed keeps its plain form here, and a table of texts shows the two agree
at every position that matters (each number, each character of a sentence).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter

import pytest

from taizhang.reader import _context, _grammar
from taizhang.reader import _layout as L
from taizhang.reader._context import SentenceMarks
from taizhang.reader._grammar import _sentences
from taizhang.reader._layout import Places, split_articles
from taizhang.reader._normalize import normalize
from taizhang.reader._numbers import lex
from taizhang.reader._places import Mention, gazetteer

TEXTS = [
    "2023年,崂山区实现地区生产总值800亿元,增长5.1%;李沧区完成投资120亿元。全省排名第三,占全省的12%。",
    "青岛市2023年国民经济和社会发展统计公报\n全市生产总值15760亿元,比上年增长5.9%。市南区、市北区分别完成投资"
    "12亿元、15亿元。我省全省规模以上工业增加值增长6%,我市增长7%。\n",
    "南昌:一季度开工重大项目70个\n记者获悉,一季度开工重大项目总投资847.2亿元。\n"
    "赣州:一季度开工重大项目133个\n该市共实施省大中型项目526个,1-6月完成投资30亿元,上半年增长8%。\n",
    "政府工作报告\n一、2022年工作回顾\n过去一年,全县生产总值完成120亿元,预计增长6%,已完成年度计划的105%。"
    "去年新增企业300家,明年力争新增400家。\n二、2023年工作安排\n今年全县生产总值目标增长6.5%,计划完成投资80亿元,"
    "前三季度实现收入12亿元;2021年实现利税3亿元,比2020年增长10%。\n",
    "预计(下同)全年完成投资50亿元,2020年起新增项目20个,由2015年的10个增至30个。自2010年以来累计投资1000亿元。"
    "景宁畲族自治县全县农民人均收入2.5万元。浙江省丽水市景宁县:一季度工业产值8亿元。",
    "地区 | 项目个数 | 完成投资额 |\n平江县 | 12 | 30.5 |\n浏阳市 | 20 | 41.2 |\n全年实现增加值12亿元。",
    "<p>嫩江县1991年粮食总产量4.5万吨,增长2.\n0倍。</p>黑龙江省全省粮食增产,其中嫩江县增产1万吨。",
]


def _documents():
    """(normalised text, article, sentence start, sentence end) of each sentence of TEXTS."""
    for text in TEXTS:
        norm = normalize(text)
        places = Places(gazetteer().matcher(norm.text), norm.text)
        for article in split_articles(norm.text, places):
            for s_start, s_end in _sentences(norm.text, article.start, article.end):
                yield norm, article, s_start, s_end


def _positions(text, s_start, s_end):
    """Where facts are asked about: each number's start, and every other character."""
    return sorted({n.start for n in lex(text, s_start, s_end)} | set(range(s_start, s_end, 2)))


# --- the plain forms ---------------------------------------------------------------------


def plain_region_of(text, s_start, pos, article, left):
    places = article.places
    if places is None:
        return article.region
    gaz = places.matcher.gaz
    home = article.region_code
    above = gaz.ancestors(home) if home else []
    if "全省" in left or "我省" in left or "全省" in text[max(s_start, pos - 20):pos]:
        if _context._WHOLE_PROVINCE.match(left) or _context._PROVINCE_BEFORE.search(
                text, max(s_start, pos - 20), pos) and _context._US.search(text, pos, pos + 20):
            province = [c for c in above if gaz.level(c) == 1]
            if province:
                return gaz.by_code[province[0]].name
    province = gaz.province_of(home)
    named = False
    for m in places.before(max(s_start, pos - 400), pos):
        named = True
        if m.code not in above and (province is None or m.code == province or province in gaz.ancestors(m.code)):
            return m.name if m.code != home else article.region
    if not named:
        heading = article.heading_place_at(pos)
        return heading.name if heading is not None else article.region
    return article.region


def plain_status_of(text, s_start, pos, article, marks):
    i = bisect_right(marks.status_ends, pos) - 1
    said = marks.status_at[i][1] if i >= 0 else None
    if said in (None, "actual") and article.expected_from is not None and article.expected_from <= pos:
        said = "expected"
    if said == "expected":
        return "expected"
    if said == "actual" and any(w == "expected" for _, w in marks.status_at[:i]):
        return "expected"
    section = article.section_at(pos)
    if section is not None and section.mode == "plan":
        return "target"
    return said or "actual"


def plain_period_of(text, s_start, pos, article, marks):
    section = article.section_at(pos)
    year = section.year if section is not None and section.year else article.year
    head = article.head_years.at(pos) if article.head_years is not None else None
    if head is not None and (section is None or section.start < pos and head >= (section.year or 0)):
        year = head
    lo = pos - 200 if pos - 200 > s_start else s_start
    before = text[lo:pos]
    if "年" not in before:
        return (str(year) if year is not None else None), marks.subperiod(pos)
    last = marks.last_fact_year(lo, pos)
    if last is not None and not _context._SINCE_YEAR.search(before):
        year = last
    if year is not None:
        if "明年" in before:
            year += 1
        elif _context._LAST_YEAR.search(before):
            year -= 1
    return (str(year) if year is not None else None), marks.subperiod(pos)


def plain_strip_prefix(matcher, s):
    pair = s[:2]
    for names in (matcher.gaz.names.all_by_pair, matcher.local_names.all_by_pair):
        for name in names.get(pair, ()):
            if s.startswith(name):
                return s[len(name):]
    return s


def plain_clean_left(left, article=None):
    g = _grammar
    strip = (lambda s: plain_strip_prefix(article.places.matcher, s)) if article is not None and article.places \
        else (lambda s: s)
    if "(" in left:
        left = g._ASIDE.sub("", left)
    left = strip(left)
    while True:
        stripped = g._LEFT_STRIP.sub("", left)
        left = strip(stripped)
        if left == stripped:
            break
    if left and (left[-1] in g._TRIM_ENDS or left[-1].isspace()):
        left = g._RIGHT_TRIM_INDICATOR.sub("", left)
    left = g._QUOTES.sub("", left)
    if "】" in left:
        left = left[left.rindex("】") + 1:]
    left = left.strip()
    if left in g._CONJUNCTIONS:
        left = ""
    return left.strip()


LEFTS = [
    "", " ", "和", " 以及 ", "其中", "崂山区生产总值", "全年崂山区实现地区生产总值", "截至2023年底,全市崂山区李沧区规模以上工业增加值",
    "同比增长", "2023年全区新增“专精特新”企业", "(按可比价格计算)生产总值", "地区生产总值(下同", "【聚焦】全县完成投资",
    "预计全年全省“十四五”规划《纲要》项目", "市南区、市北区分别完成投资", "青岛市市北区投资", "平江县浏阳市农民人均收入",
    "景宁县全县", "其中:崂山崂山区", "已完成了", "  全年  实现 ", "上半年1-6月城阳区规上工业产值增长了",
]


# --- the tests ---------------------------------------------------------------------------


def test_the_table_reaches_every_branch():
    asked = [(a, s, e) for _, a, s, e in _documents()]
    assert any(a.sections for a, _, _ in asked) and any(a.heading_places for a, _, _ in asked)
    assert any(a.expected_from is not None for a, _, _ in asked)
    assert any(a.head_years is not None and a.head_years.pos for a, _, _ in asked)


@pytest.mark.parametrize("section_given", [False, True])
def test_region_status_and_period_are_the_plain_ones(section_given):
    for norm, article, s_start, s_end in _documents():
        text = norm.text
        marks = SentenceMarks(text, s_start, s_end)
        for pos in _positions(text, s_start, s_end):
            for left_start in (s_start, max(s_start, pos - 6), pos):
                left = text[left_start:pos]
                assert _context.region_of(text, s_start, pos, article, left) == \
                    plain_region_of(text, s_start, pos, article, left), (text[s_start:pos], left)
            section = article.section_at(pos) if section_given else ...
            assert _context.status_of(text, s_start, pos, article, marks, section) == \
                plain_status_of(text, s_start, pos, article, marks), text[s_start:pos]
            assert _context.period_of(text, s_start, pos, article, marks, section) == \
                plain_period_of(text, s_start, pos, article, marks), text[s_start:pos]


def test_a_span_maps_back_as_origin_does():
    for text in TEXTS:
        norm = normalize(text)
        for start in range(len(norm.text)):
            for end in range(start + 1, min(len(norm.text), start + 30) + 1):
                assert norm.span(start, end) == (norm.origin(start), norm.origin(end - 1) + 1)


def test_a_prefix_is_stripped_as_before():
    for _, article, _, _ in _documents():
        for left in LEFTS:
            for k in range(len(left) + 1):
                assert article.places.matcher.strip_prefix(left[k:]) == plain_strip_prefix(article.places.matcher, left[k:])


def test_the_words_before_a_number_are_cleaned_as_before():
    articles = [None] + [a for _, a, _, _ in _documents()]
    for article in articles:
        for left in LEFTS:
            for k in range(len(left) + 1):
                assert _grammar._clean_left(left[k:], article) == plain_clean_left(left[k:], article), left[k:]


CN_YEARS = [
    "二〇一二年", "一九九一年至二〇〇〇年", "一二〇一二年", "二〇一二年年", "〇九年", "二〇一年", "一九年二〇二〇年底",
    "二零二三年,一二三四年五六七八年", "年二〇二〇", "二〇二〇 年", "全年实现增长", "",
]


@pytest.mark.parametrize("text", CN_YEARS)
def test_chinese_years_become_digits_as_the_plain_pattern_does(text):
    from taizhang.reader import _periods

    def plain(t):
        if "年" not in t:
            return t
        return _periods.CN_YEAR.sub(lambda m: m.group(0).translate(_periods._CN_DIGIT), t)

    for k in range(len(text) + 1):
        for padded in (text[k:], "x" + text[k:] + "y", text[:k] + "2024年" + text[k:]):
            assert _periods.digits_for_chinese_years(padded) == plain(padded)


WIDTHS = ["2023年,全区(全县)生产总值１２３亿元；增长５．１％。\u3000\xa0畬族", "abc", "", ",,,,,", "\u3000\u3000"]


@pytest.mark.parametrize("text", WIDTHS)
def test_full_width_characters_are_replaced_as_before(text):
    import importlib

    n = importlib.import_module("taizhang.reader._normalize")
    plain = text
    for ch in set(n._NEEDS_WIDTH.findall(text)):
        plain = plain.replace(ch, chr(n._WIDTH[ord(ch)]))
    assert n.normalize(text).text == n.normalize(plain).text
    assert n.normalize(text).original == text


def test_the_edits_of_a_text_without_tags_or_entities_are_the_full_patterns():
    import importlib

    n = importlib.import_module("taizhang.reader._normalize")
    texts = [t for t in TEXTS if "<" not in t and "&" not in t] + [
        "进(jìn)一步 地 区生产总值 2590 亿元 28. 1% 20 19年\n下一行,\r\n继续 \t 表格  列\n",
        "全年实现地区生产总值一百二十亿元,比上\n年增长。(注)a b 12 34",
    ]
    assert texts
    for text in texts:
        for k in range(len(text)):
            assert [(m.span(), m.groups()[:0]) for m in n._EDITS_PLAIN.finditer(text, k)] == \
                [(m.span(), m.groups()[:0]) for m in n._EDITS.finditer(text, k)]


EDIT_TEXTS = [
    "进(jìn)一步 地 区生产总值 2590 亿元 28. 1% 20 19年\n下一行,\r\n继续 \t 表格  列\n",
    "全年实现地区生产总值一百二十亿元,比上\n年增长。(注)a b 12 34",
    "地区\t\t项目  \t 投资\t\n 平江县 \t12\t 30.5 \n \t\t \n<p>嫩江县 1991 年</p>&nbsp; <br/>a\tb  c\t",
    "\t", " ", "  ", "\t ", " \t", "年 \t", "2 .5", "20 21年 \t\t\t", "<td> 12 </td><!-- x -->\t&nbsp;\t",
]


def test_the_edits_pattern_finds_what_its_plain_form_finds():
    """Spaces written " [ \\t]+|\\t[ \\t]*" (every alternative starts with a literal: a fast
    scan) match as "[ \\t]{2,}|\\t" did."""
    import importlib
    import re

    n = importlib.import_module("taizhang.reader._normalize")
    for fast in (n._EDITS, n._EDITS_PLAIN):
        plain = re.compile(fast.pattern.replace(r"| [ \t]+|\t[ \t]*", r"|[ \t]{2,}|\t", 1), fast.flags)
        assert plain.pattern != fast.pattern
        for text in TEXTS + EDIT_TEXTS:
            for k in range(len(text) + 1):
                assert [(m.span(), m.groups()) for m in fast.finditer(text, k)] == \
                    [(m.span(), m.groups()) for m in plain.finditer(text, k)]


HEAD_TEXTS = [
    "一、2022年工作回顾\n过去一年。二、2023年工作安排\n今年。三、 2024年重点任务:三、2025年",
    "\n 一、2022年工作回顾\n二、2023年工作安排\n", ":十一、2019年计划执行情况;五、 2020年主要任务",
    "2019-02-03 10:00\n正文。\n 2020年3月4日\n2018.1.2", "\n2021/12/1", "一、20",
    "比上年末增加,较去年,去年同期,上年末,较上年末,比去年。去年,上年末总数", "去年", "比去年", "上年末上年",
    "全市排名第三,位居全省第一,均居首位;居民收入增长,排放下降,列入名单,领跑全国", "居首", "列第十二位",
]


def test_patterns_that_start_with_a_literal_find_what_their_plain_forms_find():
    """_LAST_YEAR with its lookbehind after the first character; _DATELINE and _SECTION tried
    with ^ at the start only, then without it; _RANK read only where 第 or 首 is."""
    import re

    plain_last_year = re.compile(r"(?<![比较])(?:去年|上年末)")
    texts = TEXTS + HEAD_TEXTS + [normalize(t).text for t in TEXTS]
    for text in texts:
        for k in range(len(text) + 1):
            for e in (len(text), k + 3, k + 12):
                assert [m.span() for m in _context._LAST_YEAR.finditer(text, k, e)] == \
                    [m.span() for m in plain_last_year.finditer(text, k, e)]
                assert [(m.span(), m.groups()) for m in L._section_heads(text, k, e)] == \
                    [(m.span(), m.groups()) for m in L._SECTION.finditer(text, k, e)]
            head = text[k:]
            got, want = L._dateline(head), L._DATELINE.search(head)
            assert (got and (got.span(), got.groups())) == (want and (want.span(), want.groups()))
            for e in (len(text), k + 8, k + 30):
                sentence = text[k:e]
                ranked = list(_grammar._RANK.finditer(text, k, e))
                if ranked:
                    assert "第" in sentence or "首" in sentence
                    assert _grammar._RANK_HINT.search(sentence)


def plain_right_phrase(text, pos, ceiling, stop_at_number=True):
    g = _grammar
    end = pos
    ceiling = min(ceiling, pos + g._LONGEST_CLAUSE)
    while end < ceiling and text[end] not in g.CLAUSE_END:
        ch = text[end]
        if ch == "、" and (end + 1 >= ceiling or g._NEXT_ITEM.match(text, end + 1)):
            break
        if stop_at_number and (ch.isdigit() or ch.isascii() and ch.isalpha()):
            m = g._SKIP_IN_PHRASE.match(text, end)
            if m and m.end() <= ceiling and g._DIGITS_DOTS.sub("", m.group(0)).rstrip("级") not in ("P", "TEU"):
                end = m.end()
                continue
            if ch.isdigit():
                break
        end += 1
    return text[pos:end]


PHRASE_TEXTS = [
    "个重点项目、3个园区和5家企业,2023年度新建PM2.5监测站3A级景区2处、二十个村;建成5G基站",
    "家企业(含“专精特新”)入选²³①②⑴名单、TEU集装箱300TEU、P级算力20P、H135直升机。三个",
    "项目、、、企业 \t 园区。ab12c3.4d级x、一二个", "、", "a", "²", "",
]


def test_the_words_after_a_number_are_found_as_the_plain_walk_finds_them():
    texts = TEXTS + PHRASE_TEXTS + [normalize(t).text for t in TEXTS]
    for text in texts:
        for pos in range(len(text) + 1):
            for ceiling in {min(c, len(text)) for c in (len(text), pos + 3, pos + 9, pos, pos - 1)}:
                for stop in (True, False):
                    assert _grammar._right_phrase(text, pos, ceiling, stop) == \
                        plain_right_phrase(text, pos, ceiling, stop), (text, pos, ceiling, stop)


def test_no_chinese_character_ends_a_phrase_or_starts_a_number():
    """What the phrase scan jumps over (U+4E00-U+9FFF) the plain walk would only step over."""
    for c in range(0x4E00, 0xA000):
        ch = chr(c)
        assert not _grammar._NOT_HAN.match(ch)
        assert ch not in _grammar.CLAUSE_END and ch != "、" and not ch.isdigit() and not ch.isascii()


def _first_characters(seq):
    """(characters, categories, can be empty) of what can start a match of a parsed pattern."""
    from re import _constants as c

    chars, cats = set(), set()
    for op, av in list(seq):
        nullable = False
        if op is c.LITERAL:
            chars.add(chr(av))
        elif op is c.IN:
            for o, a in av:
                if o is c.LITERAL:
                    chars.add(chr(a))
                elif o is c.RANGE:
                    chars.update(chr(x) for x in range(a[0], a[1] + 1))
                else:
                    cats.add(str(a) if o is c.CATEGORY else "any")
        elif op is c.BRANCH:
            for alt in av[1]:
                ch, ca, n = _first_characters(alt)
                chars |= ch
                cats |= ca
                nullable = nullable or n
        elif op is c.SUBPATTERN:
            ch, ca, nullable = _first_characters(av[3])
            chars |= ch
            cats |= ca
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
            ch, ca, n = _first_characters(av[2])
            chars |= ch
            cats |= ca
            nullable = n or av[0] == 0
        elif op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            nullable = True
        else:
            cats.add("any")
        if not nullable:
            return chars, cats, False
    return chars, cats, True


def test_anchored_patterns_are_asked_only_of_strings_that_start_as_they_can():
    """Each set of first characters holds every character a match of its pattern can start
    with (after the spaces of ^\\s* for the line patterns); a match can't be empty."""
    import re
    from re import _parser

    from taizhang.reader import _places

    from .test_grammar import _last_characters

    g = _grammar
    pairs = [(g._NON_FACT_AFTER, g._NON_FACT_FIRSTS), (g._NAME_AFTER, g._NAME_AFTER_FIRSTS),
             (g._STOP_RIGHT, g._STOP_RIGHT_FIRSTS), (g._GENERIC, g._GENERIC_FIRSTS),
             (g._SHARE_OF, g._SHARE_OF_FIRSTS), (g._BARE_VERB, g._BARE_VERB_FIRSTS),
             (g._BARE_MEASURE, g._BARE_MEASURE_FIRSTS), (g._THRESHOLD, "(以"), (g._FROM, "由从"),
             (g._CONVERTED, "("), (g._CHANGE, "比较"), (_places._NAME_GOES_ON, _places._GOES_ON_FIRSTS),
             (re.compile(L._END_OF_ARTICLE.pattern.removeprefix(r"^\s*")), L._END_FIRSTS),
             (re.compile(L._SEPARATOR.pattern.removeprefix(r"^\s*")), L._SEPARATOR_FIRSTS),
             (re.compile(L._HEADLINE_TAG.pattern.removeprefix(r"^\s*")), "【")]
    for pattern, firsts in pairs:
        chars, cats, nullable = _first_characters(_parser.parse(pattern.pattern, pattern.flags))
        assert chars <= set(firsts) and not cats and not nullable, pattern.pattern
    for pattern in (L._END_OF_ARTICLE, L._SEPARATOR, L._HEADLINE_TAG):
        assert pattern.pattern.startswith(r"^\s*")
    # (_FROM, _CONVERTED and _CHANGE are searched: each match holds one of its first characters)
    # _PLACE_ITEM ends with a suffix or a parenthesis ($ also before a last line break)
    chars, cats, nullable = _last_characters(_parser.parse(g._PLACE_ITEM.pattern))
    assert chars <= set("区县市州旗(") and not cats and not nullable
    # a broken run is made of ? and U+FFFD
    assert set(chr(c) for c in range(0x10000) if re.fullmatch(r"[?\ufffd]", chr(c))) == {"?", "\ufffd"}
    assert g.BROKEN.pattern == r"[?\ufffd][?\ufffd]+"


def test_clause_marks_inside_a_sentence_are_the_patterns():
    import re

    texts = TEXTS + PHRASE_TEXTS + [normalize(t).text for t in TEXTS] + ["a,b:c;d,,;:", ",", ""]
    for text in texts:
        for m in re.finditer(r"[^。!?\n\r]+", text):
            for start in range(m.start(), m.end() + 1):
                clauses = _grammar._Clauses(text, start, m.end())
                clauses.start(m.end())
                assert clauses.marks == [k.start() for k in _grammar._CLAUSE_MARK.finditer(text, start, m.end())]


YEAR_TEXTS = [
    "2019年2020年,20192020年,12023年,1999年末;2101年,1900年 2000 年,年2022年年", "2023年", "年", "",
    "由2015年的10个增至2020年的30个,与1949年比较,按1990年不变价", "x2024年", "22024年",
]


def test_years_found_from_their_year_character_are_the_patterns():
    import importlib

    periods = importlib.import_module("taizhang.reader._periods")
    texts = TEXTS + HEAD_TEXTS + YEAR_TEXTS + [normalize(t).text for t in TEXTS]
    for text in texts:
        assert [(m.start(1), m.end(), m.group(1)) for m in L._YEAR_END.finditer(text)] == \
            [(m.start(), m.end(), m.group(1)) for m in L._YEAR.finditer(text)]
        for k in range(len(text) + 1):
            for e in {len(text), min(len(text), k + 5), min(len(text), k + 12)}:
                assert periods._years(text, k, e) == \
                    [(m.start(), m.end(), int(m.group(1))) for m in periods.YEAR.finditer(text, k, e)]


def plain_not_a_fact(text, n, s_start):
    g = _grammar
    before = text[n.start - 2 if n.start - 2 > s_start else s_start:n.start]
    after = text[n.end:n.end + 4]
    if before.endswith(("第", "届")):
        return True
    if before.endswith("前") and n.unit in ("位", "名"):
        return True
    if before.endswith(g._REFERENCE_BEFORE):
        return True
    if before[-1:].isascii() and before[-1:].isalpha() or after[:1].isascii() and after[:1].isalpha() and n.unit != "P":
        return True
    if n.raw[:1] in "-−":
        return n.unit not in ("%", "‰", "个百分点") or not g._MINUS_AFTER.search(before[-1:] or ",")
    if n.raw[:1] in "./" or text[n.start - 1:n.start] in (".", "/", "-"):
        return True
    if g._NON_FACT_AFTER.match(after):
        return True
    if n.chinese and not n.raw.startswith("百分之"):
        numeral = g._NUMERAL.match(n.raw).group(0)
        if numeral == "一" and not g._AT_LEAST_ONE.search(text[max(s_start, n.start - 6):n.start]):
            return True
        if numeral in ("百", "千", "万") and not (before.endswith(("上", "近", "超", "逾", "达", "破")) or "亿" in n.unit):
            return True
        if after[:1] and after[:1] == n.raw[-1:]:
            return True
        if numeral in ("十", "百") and after[:1] in "大项":
            return True
        if numeral == "零" or before.endswith(("数", "几", "届")):
            return True
        if n.unit in ("个", "项") and g._OUTLINE_AFTER.match(after):
            return True
    if g._inside_quotes(text, s_start, n.start):
        return True
    return False


NUMBER_TEXTS = [
    "第11场,排名前五位,这三项数据,该省16个市,PM2.5浓度,H135直升机,5G基站,3A级景区,贡献率为-19.9%,1-2处,",
    "./3个,3.5/4个,“十四五”规划,《2023年100个项目》,“13456”,新增一个项目,千家万户,突破千亿元,一处处,十大项目,",
    "零个,数十个,几百家,从五个方面,六个环节,20个以上的企业,3级,至少一个,增长20P,10TEU,-5个,为-3.2个百分点",
]


def test_numbers_that_are_no_facts_are_the_plain_ones():
    texts = TEXTS + NUMBER_TEXTS + PHRASE_TEXTS + [normalize(t).text for t in TEXTS]
    seen = 0
    for text in texts:
        for s_start in range(0, len(text), 3):
            for n in lex(text, s_start, len(text)):
                assert _grammar._not_a_fact(text, n, s_start) == plain_not_a_fact(text, n, s_start), (text, n)
                seen += plain_not_a_fact(text, n, s_start)
    assert seen  # (the table reaches numbers that are no facts)


FURNITURE_LINES = [
    "分享到:微信 朋友圈", "首页 > 新闻", "评论 12", "评论12条", "阅读 1234", "阅读量", "- 首页", " -  新闻中心", "-",
    "• 要闻", "  · 文章", "·文章", "x - y", "a>>b", "» 更多", "进入移动版", "联系我们", "全年增长5%", "", "  ",
    "——", "2024-01-02", "【责任编辑:王】", "- 一二三四五六七八九", "-一二三四五六七八",
]


def test_furniture_is_found_as_the_whole_pattern_finds_it():
    lines = FURNITURE_LINES + [line for t in TEXTS + HEAD_TEXTS for line in normalize(t).text.split("\n")]
    assert {L._FURNITURE_ANYWHERE.pattern, L._FURNITURE_AT_START.pattern} and \
        sorted((L._FURNITURE_ANYWHERE.pattern + "|" + L._FURNITURE_AT_START.pattern).split("|")) == \
        sorted(L._FURNITURE.pattern.split("|"))
    found = 0
    for line in lines:
        for k in range(len(line) + 1):
            for piece in (line[k:], line[:k]):
                assert L._furniture(piece) == bool(L._FURNITURE.search(piece)), piece
                found += L._furniture(piece)
    assert found


def test_a_sentences_numbers_come_in_order():
    """_read_sentence sorts its candidates only when patterns without a number add some:
    the numbers' own come from lex in order."""
    texts = TEXTS + NUMBER_TEXTS + PHRASE_TEXTS + [normalize(t).text for t in TEXTS]
    for text in texts:
        for k in range(len(text)):
            starts = [n.start for n in lex(text, k, len(text))]
            assert starts == sorted(starts)


def test_a_phrase_is_trimmed_and_a_growth_verb_found_as_the_patterns_do():
    import re

    g = _grammar
    # rstrip(_RIGHT_PHRASE_ENDS) cuts what _RIGHT_PHRASE_TRIM.sub("", ...) cuts: the same characters
    ends = {chr(c) for c in range(0x110000) if g._RIGHT_PHRASE_TRIM.fullmatch(chr(c))}
    assert ends == set(g._RIGHT_PHRASE_ENDS)
    assert set(g._WHITESPACE) == {chr(c) for c in range(0x110000) if chr(c).isspace()}
    pieces = [t for t in TEXTS + PHRASE_TEXTS + [normalize(t).text for t in TEXTS]] + [
        "重点项目的 ,“”", "项目\n", "项目(的)\u3000", " ", "的的", "a\n\n", "“十四五”规划、", ""]
    for text in pieces:
        for k in range(0, len(text) + 1):
            for e in {len(text), min(len(text), k + 3), min(len(text), k + 9)}:
                piece = text[k:e]
                assert piece.rstrip(g._RIGHT_PHRASE_ENDS) == g._RIGHT_PHRASE_TRIM.sub("", piece)
                assert bool(g._GROWTH_VERB_FOUND.search(piece)) == bool(g._GROWTH_VERB.search(piece))
    for left in ("同比增长", "比上年增长了约", "平均每年增长超过", "增", "减", "下降了", "增长率", "同比"):
        assert bool(g._GROWTH_VERB_FOUND.search(left)) == bool(g._GROWTH_VERB.search(left))
    assert g._GROWTH_VERB.pattern.startswith("(同比|") and re.compile(g._GROWTH_VERB_FOUND.pattern).groups == 3


def plain_scan(names, text, start, end):
    import re

    found = []
    if names.few:
        found = [(i, -j, w) for i, j, w in names._search(text, start, end)]
    if not names.few and names.by_tail:
        tails = re.compile("[" + re.escape("".join(sorted({k[1] for k in names.by_tail}))) + "]")
        for m in tails.finditer(text, start, end):
            j = m.end()
            for n, group in names.tail_lengths.get(text[j - 2:j], ()):
                word = text[j - n:j]
                if word in group and j - n >= start:
                    found.append((j - n, j, word))
                    break
    if names.starts is not None:
        for m in names.starts.finditer(text, start, end):
            i = m.start()
            for name in names.by_pair.get(text[i:i + 2], ()):
                if text.startswith(name, i) and i + len(name) <= end:
                    found.append((i, i + len(name), name))
                    break
    found.sort(key=lambda f: (f[0], -f[1]))
    pos = start
    for i, j, name in found:
        if i >= pos:
            yield i, j, name
            pos = j


def test_names_are_found_as_the_plain_scan_finds_them():
    from taizhang.reader._places import _Names

    gaz = gazetteer()
    finders = [gaz.names, gaz._short_names, _Names(["崂山", "李沧", "市北", "城阳区", "崂山区", "胶州湾区", "北区"])]
    texts = [normalize(t).text for t in TEXTS] + ["区青岛市北区、市南和崂山区崂山,李沧区城阳区即墨区黄岛胶州湾区北区区崂山崂胶州市"]
    for names in finders:
        for text in texts:
            for start in range(0, len(text), 7):
                for end in (len(text), start + 5, start + 17):
                    assert list(names.scan(text, start, end)) == list(plain_scan(names, text, start, end))



# _region and _year of the layout as they were, with Counters (the fast ones count in dicts)
def plain_region(text: str, start: int, end: int, headline_at: tuple[int, int], places: Places) -> Mention | None:
    """The document's place: the most specific one its headline names, else its opening's."""
    gaz = places.matcher.gaz
    body = places.between(start, end)
    if not body:
        return None
    counts = Counter(m.code for m in body)

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
        common = L._common_ancestor(gaz, list(counts))
        if common is not None:
            return Mention(leaders[0].start, leaders[0].start, common, gaz.by_code[common].name, False)
    return min(leaders, key=lambda m: (-gaz.level(m.code), m.start))


def plain_year(text: str, start: int, end: int, skip) -> int | None:
    """The year an article speaks of: the year it names most, at the head of its sentences."""
    body = text[start:end]
    weights: Counter[int] = Counter()
    weak: Counter[int] = Counter()  # plan years and the like: only when nothing else
    for m in L._YEAR.finditer(body):
        pos = start + m.start()
        if any(s <= pos < e for s, e in skip):
            continue
        before = body[max(0, m.start() - 12):m.start()]
        after = body[m.end():m.end() + 6]
        if "《" in before and "》" not in before:
            continue  # inside a title
        if L.is_base(text, pos, pos + 5):
            continue
        if L._WEAK_AFTER.match(after) or L._WEAK_BEFORE.search(before):
            weak[int(m.group(1))] += 1
            continue
        head = not before or before[-1] in ",。;:!\n ," or before.endswith(("在", "于"))
        weights[int(m.group(1))] += 3 if (head and (after[:1] in ",,是" or after[:1] == "")) else 1
    executed = L._EXECUTED.search(body[:600])
    if executed:
        return int(executed.group(1))  # 2021年…计划执行情况: the year the plan was carried out
    # An item dated 2015 speaks of 2015 when it says 今年; a dateline under the headline
    # dates the news (an "updated" stamp on a re-post does not).
    pub = L._PUB_DATE.search(body[:400])
    if pub and L._THIS_YEAR.search(body):
        weights[int(pub.group(1))] += 4
    dateline = L._DATELINE.search(body[:300])
    if dateline:
        dated = int(dateline.group(1))
        if int(dateline.group(2)) <= 2 and dated - 1 in weights:
            dated -= 1  # an item of January or February sums up the year before
        weights[dated] += 2
    weights = weights or weak
    if weights:
        best = max(weights.values())
        return max(y for y, w in weights.items() if w == best)
    m = L._PUB_DATE.search(body[:400])
    return int(m.group(1)) if m else None


def test_an_articles_place_and_year_are_the_plain_ones():
    texts = TEXTS + [
        "2021年计划执行情况\n2022年,全县生产总值120亿元。2021年增长5%,2020年以来累计投资300亿元。",
        "来源:某日报 2015-01-20 今年全市新增企业100家。\n2015-01-20\n去年崂山区、李沧区、城阳区、即墨区各增长3%。",
        "四川省、江西省、安徽省、湖北省集中开工项目100个。", "没有年份的文字。", "《2019年工作要点》2018年完成投资",
    ]
    for text in texts:
        norm = normalize(text)
        places = Places(gazetteer().matcher(norm.text), norm.text)
        t = norm.text
        for start in range(0, len(t), 5):
            for end in (len(t), min(len(t), start + 40)):
                for skip in ([], [(start, start + 10)]):
                    assert L._year(t, start, end, skip) == plain_year(t, start, end, skip)
                for headline_at in ((start, start), (start, min(end, start + 12))):
                    assert L._region(t, start, end, headline_at, places) == plain_region(t, start, end, headline_at, places)
