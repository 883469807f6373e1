"""Number grammar: tables of (text, expected facts) written from how reports count."""

from __future__ import annotations

import pytest

from taizhang.reader import read_text


def facts(text):
    return {(f.kind, round(f.value, 4), f.unit) for f in read_text(text, doc="t.txt")}


# (text, expected (kind, value, unit) facts among those read)
GRAMMAR = [
    # 增长N倍 is growth N x 100 %; 是…的N倍 is growth (N - 1) x 100 %
    ("2020年,全县工业总产值增长4.5倍。", {("growth", 450, "%")}),
    ("2020年,全县工业总产值达到80亿元,是2010年的3倍。", {("level", 80, "亿元"), ("growth", 200, "%")}),
    ("2020年,全县粮食产量平均每年递增9.5%。", {("growth", 9.5, "%")}),
    # 成 is tenths
    ("2020年,全县民营经济占8成以上。", {("share", 80, "%")}),
    # a structure ratio is one share per sector
    ("2020年,全县三次产业结构为8.5:40.2:51.3。",
     {("share", 8.5, "%"), ("share", 40.2, "%"), ("share", 51.3, "%")}),
    ("2020年,全县三次产业比例由12∶45∶43调整为9∶41∶50。",
     {("share", 12, "%"), ("share", 9, "%"), ("share", 50, "%")}),
    # positions: a rank, and a move in rank
    ("2020年,全县综合实力排名由45位提升到30位。", {("rank", 45, "位"), ("rank", 30, "位")}),
    ("2020年,全县在全省位次前移6位。", {("growth", 6, "位")}),
    # a comma inside parentheses does not end the clause
    ("2020年,全县生产总值(按可比价格计算,下同)达到120亿元。", {("level", 120, "亿元")}),
    # mixed Chinese numerals and Chinese decimals
    ("2020年,全县新增就业三万六千人。", {("level", 36000, "人")}),
    ("2020年,全县新建道路一百零五条。", {("level", 105, "条")}),
    ("2020年,全县粮食产量增长百分之一点五。", {("growth", 1.5, "%")}),
    # a multiplier stays in the unit as written
    ("2020年,全县新增就业三万人。", {("level", 3, "万人")}),
    # a negative rate; a range is no minus
    ("2020年,第二产业对经济增长的贡献率为-19.9%。", {("share", -19.9, "%")}),
    ("2020年,全县新建示范村3-5个。", {("level", 5, "个")}),
    # a space before the percent sign
    ("2020年,全县生产总值增长2.6 %。", {("growth", 2.6, "%")}),
    # counter words for towns and townships, thousands of hectares, per-unit amounts
    ("2020年,全县有12个镇、3个乡开展试点。", {("level", 12, "个")}),
    ("2020年,全县播种面积52.3千公顷。", {("level", 52.3, "千公顷")}),
    ("2020年,全县商务楼宇税收4373元/平方米。", {("level", 4373, "元/平方米")}),
    ("2020年,全县出生率下降0.5个千分点。", {("growth", -0.5, "个千分点")}),
]


@pytest.mark.parametrize("text, expected", GRAMMAR)
def test_number_grammar(text, expected):
    assert expected <= facts(text)


NOT_FACTS = [
    "全县推行“1+3”模式,实现一倍速发展。",
    "全县三次产业协调发展,比例为1:2:3的格局形成。",
]


@pytest.mark.parametrize("text", NOT_FACTS)
def test_grammar_not_facts(text):
    assert not {f for f in facts(text) if f[2] in ("%", "位")}


def test_the_parts_of_a_structure_are_named_by_sector():
    got = {f.indicator for f in read_text("2020年,全县三次产业结构为8.5:40.2:51.3。")}
    assert got == {"第一产业结构", "第二产业结构", "第三产业结构"}


def test_the_indicator_before_a_parenthesis_is_kept():
    got = [f for f in read_text("2020年,全县生产总值(按可比价格计算,下同)达到120亿元。")]
    assert got[0].indicator.startswith("生产总值")


# (text, value, indicator)
TOPICS = [
    # a bare measure takes the subject of the count before it
    ("2023年,全市新开工工业项目20个,完成投资88.6亿元。", 88.6, "新开工工业项目投资"),
    ("1-9月,基础设施项目75个,完成投资102.3亿元,为年投资计划的59%。", 59, "基础设施项目投资为年投资计划"),
    # a growth after a comparison phrase refers back to the amount before it
    ("2023年,全市外贸进出口总值2700亿元,较2022年同期增长18.0%。", 18.0, "外贸进出口总值"),
    # 分别 shares the measure written after it among the listed items
    ("2023年,全市对东盟、欧盟分别进出口300亿元、200亿元。", 200, "欧盟进出口"),
]


@pytest.mark.parametrize("text, value, indicator", TOPICS)
def test_what_is_measured_carries_over(text, value, indicator):
    got = {f.value: f.indicator for f in read_text(text)}
    assert got[value] == indicator


LISTS = [
    # one value per sector
    ("2023年,一、二、三产业增加值分别达到9.9亿元、4.2亿元、10.7亿元。", 4.2, "第二产业增加值"),
    ("2023年,三次产业贡献率分别为25%、35.8%、39.2%。", 39.2, "第三产业贡献率"),
    ("2023年,三次产业贡献率分别为25%、35.8%、39.2%,分别拉动经济增长1.6个百分点、2.4个百分点和2.7个百分点。",
     2.7, "第三产业拉动经济"),
    # a share of the year's plan belongs to the amount before it
    ("2023年,全县固定资产投资10.1亿元,完成年度计划的119.1%。", 119.1, "固定资产投资完成年度计划"),
    # a converted amount in parentheses is the same measure
    ("2023年,人均地区生产总值63591元(按年平均汇率折算为9455美元),增长0.9%。", 9455, "人均地区生产总值"),
    ("2023年,人均地区生产总值63591元(按年平均汇率折算为9455美元),增长0.9%。", 0.9, "人均地区生产总值"),
    # an aside in parentheses is not part of what is measured
    ("2023年,全县地区生产总值比上年(下同)增长10.0%。", 10.0, "地区生产总值"),
    # 是…的N倍 refers back to the amount before it
    ("2023年,全县社会消费品零售总额125亿元,是2011年的2倍。", 100, "社会消费品零售总额"),
]


@pytest.mark.parametrize("text, value, indicator", LISTS)
def test_lists_and_references_back(text, value, indicator):
    got = {f.value: f.indicator for f in read_text(text)}
    assert got[value] == indicator


def test_a_two_character_county_needs_a_boundary():
    facts = read_text("会议确定的总体战略和县十六届人大一次会议精神,全县新开工项目30个。")
    assert {f.region for f in facts} == {None}
    facts = read_text("2023年,陕西省宝鸡市凤县新开工项目30个。")
    assert {f.region for f in facts} == {"凤县"}


JUNK = [
    "3829 1.5 % 万元 28.1% 392个 - 7/8 亿 元 2,311 个\n" * 200,
    "".join(f"{i * 37 % 9973}万元、" for i in range(2000)),
]


@pytest.mark.parametrize("text", JUNK)
def test_a_run_of_bare_numbers_yields_nothing(text):
    assert read_text(text) == []


CARRIED = [
    # the subject of a count carries over to the next sentence of its paragraph
    ("2023年,南充62个项目集中开工,总投资335.7亿元。年底预计完成投资14.2亿元。", 14.2, "项目集中开工"),
    # a bare verb after a count takes the count's subject
    ("2023年,全县引进亿元以上项目38个,开工31个,试投产12个。", 31, "亿元以上项目开工"),
    # a place with its figure in parentheses: the place's share of what was last measured
    ("2022年,全市4222家企业通过评价入库。排名前五位的区是滨海新区(1798家)、武清区(369家)。", 369, "企业通过评价入库"),
]


@pytest.mark.parametrize("text, value, words", CARRIED)
def test_topics_carry_over(text, value, words):
    got = {f.value: f for f in read_text(text)}
    assert words in got[value].indicator


def test_a_place_in_a_list_of_figures_is_the_figures_place():
    got = {f.value: f.region for f in read_text(
        "2022年天津市科技型企业情况\n全市4222家企业通过评价入库。排名前五位的区是滨海新区(1798家)、武清区(369家)。")}
    assert got == {4222: "天津市", 1798: "滨海新区", 369: "武清区"}


def test_an_order_is_not_a_position():
    assert not [f for f in read_text("2022年,排名前五位的区是滨海新区(1798家)。") if f.kind == "rank"]


# (text, value, status)
STATUSES = [
    # the nearest status word before a figure decides
    ("2015年底预计完成投资14.2亿元,2016年计划完成投资108.8亿元。", 108.8, "target"),
    ("2015年底预计完成投资14.2亿元,2016年计划完成投资108.8亿元。", 14.2, "expected"),
    ("年度计划完成投资1.6亿元,1月份已完成投资1000万元。", 1000, "actual"),
    # 预计(下同) makes every later figure an estimate
    ("全年预计(下同)地区生产总值24.9亿元。农民人均纯收入4300元。", 4300, "expected"),
    # 虚拟现实 is no plan
    ("锚定虚拟现实等7条重点产业链,新引进过亿元项目107个。", 107, "actual"),
    # growth after an aside
    ("预计全年地区生产总值同比增长(下同)4.5%。", 4.5, "expected"),
]


@pytest.mark.parametrize("text, value, status", STATUSES)
def test_status(text, value, status):
    got = {f.value: f.status for f in read_text(text)}
    assert got[value] == status


MORE = [
    # a magnitude without digits
    ("2023年,全区在校师生突破万人。", ("level", 1, "万人")),
    ("2023年,全区地区生产总值成功突破千亿大关。", ("level", 1000, "亿元")),
    # 是“九五”的N倍 refers back
    ("2023年,全市固定资产投资1424.6亿元,是“九五”的2.9倍。", ("growth", 190, "%")),
]


@pytest.mark.parametrize("text, expected", MORE)
def test_more_grammar(text, expected):
    assert expected in facts(text)


def test_a_sub_item_takes_the_whole_it_belongs_to():
    got = {f.value: f.indicator for f in read_text("2024年末,全市户籍总人口129.46万人,其中男性60.81万人。")}
    assert got[60.81] == "男性户籍总人口"


def test_a_short_list_item_keeps_the_first_items_qualifiers():
    got = {f.value: f.indicator for f in read_text("2018年,新创市级以上美丽乡村示范村21个、达标村170个。")}
    assert got[170] == "新创市级以上美丽乡村达标村"


OUTLINES = [
    "县长从五个方面对过去一年的工作进行了回顾。",
    "按亩均税收等六个指标进行计分排名。",
    "2022年,全市新开工项目120个,这三项数据均列全省第一。",
]


@pytest.mark.parametrize("text", OUTLINES)
def test_outlines_and_references_are_not_counts(text):
    assert not [f for f in read_text(text) if f.unit in ("个", "项") and f.value in (5, 6, 3)]


def test_a_count_of_named_things_is_still_a_count():
    assert [f.value for f in read_text("2018年,这两家地区总部型企业进驻中孚大厦。")] == [2]


def test_the_frame_of_a_clause_is_not_what_is_measured():
    got = {f.value: f.indicator for f in read_text(
        "2022年,在去年集中开工项目177个、总投资2374.6亿元的基础上,今年再开工项目300个。")}
    assert got[2374.6] == "集中开工项目总投资"


def test_a_share_of_a_target():
    got = {f.value: (f.indicator, f.status) for f in read_text(
        "1-5月,全县区外境内累计到位资金7.6亿元,完成目标任务28.1%。")}
    assert got[28.1] == ("区外境内累计到位资金完成目标任务", "actual")


def test_a_respective_list_of_places_gives_each_place_its_figure():
    facts = read_text("2022年柳州市工作报告\n鱼峰区、柳南区、柳北区分别完成投资120亿元、98亿元、86亿元。")
    assert [(f.region, f.value) for f in facts] == [("鱼峰区", 120), ("柳南区", 98), ("柳北区", 86)]
    facts = read_text("2006年合肥市政府工作报告\n五年来,肥西、肥东和长丰县在全省位次分别前移14位、3位和8位。")
    assert [(f.region, f.kind, f.value) for f in facts] == [
        ("肥西县", "growth", 14), ("肥东县", "growth", 3), ("长丰县", "growth", 8)]


NUMBER_TEXTS = [
    "2020年,全县生产总值达到1,234,567.89万元,增长-2.5%,新增就业三万六千人、两千余户。",
    "贡献率为-19.9%,a-5个,x.-5个,--5个,−3.5%,1-2处,5.-3万元,统一部署,一二三四项。",
    "三次产业结构为8.5:40.2:51.3,完成投资一百零五亿元,增长百分之一点五,突破千亿,PM2.5下降6个百分点。",
]


@pytest.mark.parametrize("text", NUMBER_TEXTS)
def test_the_lexer_pattern_is_the_plain_grammar(text):
    # NUMBER is written to start with one character class (fast); it must find exactly
    # what the plain grammar (an Arabic or a Chinese numeral, then multiplier and unit) finds.
    import re

    from taizhang.reader import _numbers as n

    plain = re.compile(
        rf"(?P<num>{n._ARABIC}|{n._CHINESE}(?=(?:余|多)?(?:{n._MULT}|{n._UNIT_RE})))"
        rf"(?P<approx1>余|多)?(?P<mult>{n._MULT})?(?P<approx2>余|多)?(?P<unit>(?:{n._UNIT_RE}){n._PER})?")
    for start in range(len(text)):
        assert [(m.span(), m.groups()) for m in n.NUMBER.finditer(text, start)] == \
            [(m.span(), m.groups()) for m in plain.finditer(text, start)]


@pytest.mark.parametrize("text, years", [
    ("2019年", ["2019"]), ("12019年", []), ("a2019年,2020年", ["2019", "2020"]), ("192019年", []),
    ("20192020年", []), ("1999年至2020年", ["1999", "2020"]),
])
def test_a_year_is_not_the_tail_of_a_longer_number(text, years):
    from taizhang.reader._periods import YEAR

    assert [m.group(1) for m in YEAR.finditer(text)] == years


def _last_characters(seq):
    """(characters, categories, can be empty) of what can end a match of a parsed pattern."""
    from re import _constants as c

    chars, cats = set(), set()
    for op, av in reversed(list(seq)):
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
                ch, ca, n = _last_characters(alt)
                chars |= ch
                cats |= ca
                nullable = nullable or n
        elif op is c.SUBPATTERN:
            ch, ca, nullable = _last_characters(av[3])
            chars |= ch
            cats |= ca
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
            ch, ca, n = _last_characters(av[2])
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


def test_the_trim_of_an_indicator_runs_only_where_it_can_match():
    # _clean_left skips _RIGHT_TRIM_INDICATOR unless the phrase ends with a character in
    # _TRIM_ENDS or whitespace: every character a match can end with must be there.
    from re import _parser

    from taizhang.reader import _grammar

    chars, cats, _ = _last_characters(_parser.parse(_grammar._RIGHT_TRIM_INDICATOR.pattern))
    assert chars <= _grammar._TRIM_ENDS
    assert cats <= {"CATEGORY_SPACE"}


def test_a_sentence_is_read_when_the_number_test_finds_something():
    from taizhang.reader._grammar import _HAS_NUMBER, _MAY_HOLD_NUMBER

    text = ("过去一年,全区上下统一思想,进一步深化改革。全年实现地区生产总值三千二百亿元,增长百分之六点五;"
            "综合实力排名第三,居全省首位,外贸增速领跑,位列榜首,经济总量翻一番,民营经济占一半以上,半数企业盈利。"
            "新增就业三万人,新建道路十多条,引进项目两千余个,完成投资一百零五亿元。"
            "首先,要坚持稳中求进;其次,半年来工作扎实;第,翻,零,千家万户,一是,二〇二〇年。"
            "2024年,崂山区新增企业100家。PM2.5浓度下降。")
    sentences = [s for s in text.split("。") if s] + ["首", "首位", "榜首", "居首"]
    for s in sentences:
        for start in range(len(s)):
            assert bool(_HAS_NUMBER.search(s, start)) == bool(_MAY_HOLD_NUMBER.search(s, start)), s[start:]
