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
