"""Layout and places: tables of (text, expected facts) written from how reports are laid out."""

from __future__ import annotations

import pytest

from taizhang.reader import read_text


def facts(text):
    return read_text(text, doc="t.txt")


def triples(text):
    return {(f.indicator, f.kind, f.value, f.unit) for f in facts(text)}


# (text, a fact that must be read as (kind, value, unit))
LAYOUT_CASES = [
    # a hard line break inside a word
    ("2023年,某县实现地区生\n产总值45.6亿元,比上年增长5.1%。", ("level", 45.6, "亿元")),
    # a hard line break inside a number
    ("2023年,某县粮食总产量由2.1万吨增至6.3万吨,增长2.\n0倍,粮食播种面积稳定。", ("level", 6.3, "万吨")),
    # spaces from a PDF text layer inside words and between number and unit
    ("2023年,全区完成固定资产 投资 318 亿元,增 长 6.5%。", ("level", 318, "亿元")),
    ("2023年,全区完成固定资产 投资 318 亿元,增 长 6.5%。", ("growth", 6.5, "%")),
    # a space inside a decimal
    ("1-5月,全县到位资金3.4亿元,完成目标任务 41. 5%。", ("share", 41.5, "%")),
    # HTML tags of a saved page
    ("<p>2023年,全区新增<b>市场主体</b>1.2万户。</p>", ("level", 1.2, "万户")),
]


@pytest.mark.parametrize("text, expected", LAYOUT_CASES)
def test_layout_is_undone_before_reading(text, expected):
    assert expected in {(f.kind, f.value, f.unit) for f in facts(text)}


def test_offsets_still_point_into_the_original_after_the_layout_pass():
    text = "<div>2023年,全区完成固定资产 投资 318 亿元,增\n长 6.5%,社会消费品零售总额增长4.2%。</div>"
    for f in facts(text):
        assert text[f.start:f.end] == f.quote


TABLES = [
    # one row per line, units in a separate line, places as row labels
    ("2023年重点项目完成情况\n单位:个、亿元\n地区 | 项目个数 | 完成投资额 |\n"
     "平江县 | 12 | 30.5 |\n浏阳市 | 20 | 41.2 |\n",
     {("浏阳市", "level", 41.2, "亿元"), ("平江县", "level", 12, "个")}),
    # a whole table flattened onto one line, units in the header and in row labels
    ("表1 2023年主要农产品产量 产品名称 | 产量(吨) | 比上年增长(%) | 小麦 | 1500 | 2.5 | "
     "油菜(万亩) | 3.2 | -1.0 |",
     {(None, "level", 1500, "吨"), (None, "growth", 2.5, "%"), (None, "level", 3.2, "万亩"),
      (None, "growth", -1.0, "%")}),
    # one cell per line, rows opened by an empty cell, numbers without counter words
    ("附表:2023年各区企业入库情况\n|\n地区 |\n科技型企业 |\n|\n长安区 |\n88 |\n|\n桥西区 |\n67 |\n",
     {("长安区", "level", 88, "家"), ("桥西区", "level", 67, "家")}),
]


@pytest.mark.parametrize("text, expected", TABLES)
def test_pipe_tables_read_row_by_column(text, expected):
    got = {(f.region if f.region in {e[0] for e in expected} else None, f.kind, f.value, f.unit)
           for f in facts(text)}
    assert expected <= got


PLACES = [
    # full names anywhere in the country, the most specific in the title
    ("2023年宁乡市国民经济和社会发展统计公报\n全市生产总值1100亿元。", "宁乡市"),
    ("长沙市宁乡市2023年统计公报\n全市生产总值1100亿元。", "宁乡市"),
    # a former name in an old text
    ("1990年,双流县工业总产值5.2亿元。", "双流县"),
    # an autonomous county by its short name and suffix
    ("2023年,都安县新签约项目12个。", "都安瑶族自治县"),
    # a county's short name counts once its prefecture is named
    ("2023年合肥市政府工作报告\n肥西全年新开工项目120个。", "肥西县"),
    # a text that names nowhere has no place
    ("2023年,全县新开工项目120个。", None),
    # streets and schools named after cities are not those cities
    ("2023年,崂山区株洲路等16条道路竣工通车。", "崂山区"),
    # a round-up of several counties belongs to their prefecture
    ("重点项目简讯\n吉首市开工项目12个,凤凰县开工项目8个,泸溪县开工项目5个。", None),
]


@pytest.mark.parametrize("text, region", PLACES)
def test_the_place_a_fact_is_about(text, region):
    got = facts(text)
    assert got
    if region is None and "吉首市" not in text:
        assert all(f.region is None for f in got)
    elif region is None:
        assert {f.region for f in got} == {"吉首市", "凤凰县", "泸溪县"}
    else:
        assert got[0].region == region


# (text, value, expected period)
PERIODS = [
    # a year in Chinese numerals
    ("二〇一二年,全县粮食总产量达到12.5万吨。", 12.5, "2012"),
    # a base year is the starting value's year, not the fact's
    ("2020年与2010年比较,全县财政收入由3.2亿元增至9.8亿元。", 3.2, "2010"),
    ("2020年与2010年比较,全县财政收入由3.2亿元增至9.8亿元。", 9.8, "2020"),
    ("2020年,全县工业产值达到56亿元,是2015年的2倍。", 56, "2020"),
    # a year at the head of a sentence carries over to the next sentences
    ("县长在报告中说,2018年全县经济稳中有进。地区生产总值达到120亿元。", 120, "2018"),
    # a plan year ahead does not
    ("2018年,全县新开工项目30个,2019年计划完成投资50亿元。全县新增就业3000人。", 3000, "2018"),
    # the year of a plan being carried out, from the title
    ("2021年国民经济和社会发展计划执行情况及2022年计划草案的报告\n全区市场主体突破15万户。", 15, "2021"),
    # ";" does not end the sentence: its year still applies
    ("1990年与1980年比较,全县粮食产量由2万吨增至3万吨;油料产量由0.5万吨增至0.8万吨。", 0.5, "1980"),
]


@pytest.mark.parametrize("text, value, period", PERIODS)
def test_the_year_a_fact_belongs_to(text, value, period):
    got = {f.value: f.period for f in facts(text)}
    assert got[value] == period


# (text, a fact that must be read, a fact that must not)
THRESHOLDS = [
    ("2023年,全县500万元以上固定资产投资增长8.2%。", ("growth", 8.2, "%"), ("level", 500, "万元")),
    ("2023年,全县引进亿元以上项目38个。", ("level", 38, "个"), None),
    ("2023年,规模以下3亩(含)以上工业企业共120家。", ("level", 120, "家"), ("level", 3, "亩")),
]


@pytest.mark.parametrize("text, wanted, unwanted", THRESHOLDS)
def test_thresholds_stay_inside_class_names(text, wanted, unwanted):
    got = {(f.kind, f.value, f.unit) for f in facts(text)}
    assert wanted in got and unwanted not in got


def test_town_and_country_share_one_respective_list():
    got = {f.indicator: f.value for f in facts("2023年,城乡居民人均可支配收入分别达26000元、11000元。")}
    assert got == {"城镇居民人均可支配收入": 26000, "农村居民人均可支配收入": 11000}


def test_a_large_file_is_read_in_pieces_with_offsets_into_the_whole(tmp_path, monkeypatch):
    import taizhang.reader as reader

    monkeypatch.setattr(reader, "PIECE_CHARS", 200)
    text = "2023年宁乡市统计公报\n" + "".join(f"全市新增企业{i}家,投资{i}.5亿元。\n" for i in range(1, 80))
    path = tmp_path / "big.txt"
    path.write_text(text, encoding="utf-8")
    facts = list(reader.iter_path(path))
    assert len(facts) == 2 * 79
    assert all(text[f.start:f.end] == f.quote for f in facts)
    assert {f.region for f in facts} == {"宁乡市"} and {f.period for f in facts} == {"2023"}


def test_a_table_aligned_with_spaces_is_read_row_by_column():
    text = ("2023年汇川区主要经济指标\n"
            "指标名称            单位        2023年        比上年增长(%)\n"
            "地区生产总值        亿元        612.35        5.2\n"
            "常住人口            万人        58.9          1.0\n")
    got = {(f.indicator, f.kind, f.value, f.unit) for f in facts(text)}
    assert got == {("地区生产总值", "level", 612.35, "亿元"), ("地区生产总值", "growth", 5.2, "%"),
                   ("常住人口", "level", 58.9, "万人"), ("常住人口", "growth", 1.0, "%")}
    assert all(text[f.start:f.end] == f.quote for f in facts(text))


def test_double_spaces_in_prose_stay_prose():
    assert [f.value for f in facts("会员登录  新用户注册 退出\n2023年,全区新增企业120家。")] == [120]


def test_reading_goes_on_after_the_end_of_an_article_in_a_crawl():
    text = ("李沧区推进城市更新\n2022年,李沧区出让土地1122.8亩,新增产业空间55.8万平方米。\n[ 责编:某某 ]\n"
            "相关阅读\n崂山区新引进项目\n2023-01-02\n崂山区持续推进高质量发展\n"
            "2023年,崂山区新引进过亿元项目107个,实际使用外资8.6亿美元,增长12.3%,为全区发展注入新动能。\n")
    got = {(f.value, f.region, f.period) for f in facts(text)}
    assert (1122.8, "李沧区", "2022") in got and (107, "崂山区", "2023") in got
    assert len(got) == 5  # the related-reading list itself gives nothing


def test_a_table_of_contents_opens_no_section():
    text = ("2023年某区政府工作报告\n目录\n一、2022年工作回顾\n二、2023年工作安排\n"
            "一、2022年工作回顾\n2022年,全区地区生产总值完成612亿元,增长5.2%,新开工项目136个,发展质量稳步提升。\n"
            "二、2023年工作安排\n2023年,全区地区生产总值增长6%左右,新开工项目150个,确保经济运行在合理区间。\n")
    got = {f.value: (f.period, f.status) for f in facts(text)}
    assert got[612] == ("2022", "actual") and got[136] == ("2022", "actual")
    assert got[150] == ("2023", "target")


@pytest.mark.parametrize("text", [
    "全县大力发展新兴产业,建成富民工程12项,安居工程住房300套。",
    "全区推进合作社建设,新增合作社30家,中华人民共和国成立以来首次。",
    "全区大兴调查研究之风,东城片区新建停车场3处。",
])
def test_everyday_words_that_are_also_county_names_are_no_places(text):
    assert {f.region for f in facts(text)} == {None}


def test_a_line_led_by_a_place_and_a_colon_makes_that_place_the_topic():
    text = ("您现在的位置是: 资讯 > 正文\n江西全省一季度开工重大项目2051个\n"
            "南昌:一季度开工重大项目70个\n记者获悉,一季度开工重大项目总投资847.2亿元。\n"
            "赣州:一季度开工重大项目133个\n该市共实施省大中型项目526个。\n")
    got = {f.value: f.region for f in facts(text)}
    assert got[2051] == "江西省" and got[847.2] == "南昌市" and got[526] == "赣州市"


def test_a_development_zone_written_with_its_city_is_a_place():
    got = [f.region for f in facts("2019年,石家庄高新区新认定科技型中小企业545家。")]
    assert got == ["石家庄高新区"]


def test_an_item_dated_january_sums_up_the_year_before():
    text = ("首页>>区县新闻>>\n石家庄高新区科技型企业总数达2292家\n2020-01-22 07:02:52 来源:某日报\n"
            "截至2019年底,石家庄高新区新认定科技型中小企业545家,总数达到2292家。\n")
    assert {(f.region, f.period) for f in facts(text)} == {("石家庄高新区", "2019")}


def test_a_few_names_are_found_as_a_pattern_finds_many(monkeypatch):
    # A document's own short names are searched pair by pair; the gazetteer's thousands by
    # patterns. Both must find the same places.
    from taizhang.reader import _places

    names = ["崂山", "李沧", "市北", "市南", "城阳区", "即墨区", "黄岛", "崂山区", "胶州", "胶州湾区", "市北区", "北区"]
    few = _places._Names(names)
    monkeypatch.setattr(_places, "_FEW", 0)
    many = _places._Names(names)
    assert few.few and not many.few
    text = "青岛市北区、市南和崂山区崂山,李沧区城阳区即墨区黄岛胶州湾区北区区崂山崂胶州"
    for start in range(len(text)):
        for end in range(start, len(text) + 1):
            assert list(few.scan(text, start, end)) == list(many.scan(text, start, end))


@pytest.mark.parametrize("text, expected", [
    ("地 区生产总值", "地区生产总值"), ("2590 亿元", "2590亿元"), ("增长28. 1%", "增长28.1%"), ("增长28 .1%", "增长28.1%"),
    ("20 19年", "2019年"), ("120 19年", "120 19年"), ("12 34", "12 34"), ("a b", "a b"), ("地区 GDP", "地区 GDP"),
    ("全年实现地区生产总值一百二十亿元,比上\n年增长百分之十。", "全年实现地区生产总值一百二十亿元,比上年增长百分之十。"),
    ("全年实现地区生产总值一百二十亿元,比上\r\n年增长百分之十。", "全年实现地区生产总值一百二十亿元,比上年增长百分之十。"),
    ("全年实现地区生产总值一百二十亿元,比上 \r\r\n年增长。", "全年实现地区生产总值一百二十亿元,比上 \r年增长。"),
    ("全年实现地区生产总值一百二十亿元。\n二、工业", "全年实现地区生产总值一百二十亿元。\n二、工业"),
])
def test_spaces_and_line_breaks_inside_words_go(text, expected):
    from taizhang.reader._normalize import normalize

    assert normalize(text).text == expected
