"""The reader on small texts of our own: one table per promise (Click style)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from taizhang.reader import BinaryInput, EmptyInput, read_bytes, read_text


def facts_of(text, **filters):
    out = []
    for f in read_text(text, doc="t.txt"):
        if all(getattr(f, k) == v for k, v in filters.items()):
            out.append(f)
    return out


def simple(text):
    return {(f.kind, f.value, f.unit) for f in read_text(text, doc="t.txt")}


# (text, expected (kind, value, unit) facts among those read)
NUMBER_CASES = [
    ("崂山区前三季度全区生产总值增长5.7%。", {("growth", 5.7, "%")}),
    ("崂山区新引进过亿元项目１０７个。", {("level", 107, "个")}),  # full-width digits
    ("崂山区统筹推进总投资约2300亿元的315个重点项目。", {("level", 2300, "亿元"), ("level", 315, "个")}),
    ("崂山区发放消费券1500余万元。", {("level", 1500, "万元")}),
    ("崂山区清理市容“十乱”1.9万余处。", {("level", 1.9, "万处")}),
    ("崂山区城镇新增就业2.8万人。", {("level", 2.8, "万人")}),
    ("崂山区打造三十个示范社区。", {("level", 30, "个")}),
    ("崂山区将聚力做强科技+金融两个核心引擎。", {("level", 2, "个")}),
    ("即墨区金融机构存款余额首次达到千亿。", {("level", 1000, "亿元")}),
    ("李沧区货物进出口总额增长30%左右。", {("growth", 30, "%")}),
    ("李沧区拆除各类违建超过50万平方米。", {("level", 50, "万平方米")}),
    ("即墨区税收占比较上年提升7个百分点。", {("growth", 7, "个百分点")}),
    ("即墨区刑事案件总量下降54.5%。", {("growth", -54.5, "%")}),
    ("即墨区高新技术企业数量比上年翻一番。", {("growth", 100, "%")}),
    ("即墨区海联金汇第三方支付量居全国第四位。", {("rank", 4, "位")}),
    ("崂山区完成技术交易额35亿元,增长20%,居全市首位。",
     {("level", 35, "亿元"), ("growth", 20, "%"), ("rank", 1, "位")}),
    ("崂山区建成14处口袋公园。", {("level", 14, "处")}),
    ("市北区小微企业奖励比例为百分之五。", {("share", 5, "%")}),
    ("市北区引进12家总部企业,占全市总量的1/4。", {("level", 12, "家"), ("share", 25, "%")}),
    ("即墨区打造1-2处示范农贸市场。", {("level", 2, "处")}),
]


@pytest.mark.parametrize("text, expected", NUMBER_CASES)
def test_numbers_units_and_kinds(text, expected):
    assert expected <= simple(text)


NOT_FACTS = [
    "2019年11月21日,市政府召开发布会。",
    "崂山区推进5G基站建设和11号线建设,引进世界500强企业。",
    "崂山区召开区第十八届人大二次会议。",
    "我们要认真落实中央八项规定精神。",
    "新闻发布会第11场在崂山区举行。",
    "崂山区连续7年获评全国百强区。",
    "一处处园区、一个个项目竞相落地。",
    "崂山区“十四五”规划和“13456”总体思路。",
    "崂山区推出H135直升机,PM2.5浓度下降。",
]


@pytest.mark.parametrize("text", NOT_FACTS)
def test_numbers_that_are_not_facts(text):
    assert read_text(text) == []


def test_a_fact_from_a_starting_value_has_no_period():
    facts = read_text("2024年,崂山区算力规模由250P拓展到超过2000P。")
    by_value = {f.value: f for f in facts}
    assert by_value[250].period is None and by_value[2000].period == "2024"


def test_counts_take_the_noun_after_the_number():
    [f] = read_text("2024年,崂山区132个项目实现新开工。")
    assert "项目" in f.indicator and "新开工" in f.indicator


def test_growth_refers_back_to_the_level_before_it():
    facts = read_text("2018年,即墨区地方公共财政预算收入111.2亿元、增长6.6%。")
    growth = [f for f in facts if f.kind == "growth"][0]
    assert growth.indicator == "地方公共财政预算收入" and growth.value == 6.6


@pytest.mark.parametrize("sep", ["、", ""])
def test_lists_with_respectively(sep):
    facts = read_text(f"2018年,即墨区PM2.5、PM10平均浓度分别下降19%{sep}13%。")
    got = {(f.indicator, f.value) for f in facts}
    assert got == {("PM2.5平均浓度", -19), ("PM10平均浓度", -13)}


def test_a_list_of_totals_answers_to_the_list_before_it():
    facts = read_text("2018年,崂山区新认定专精特新企业18家、高新技术企业100家,总数分别达到105家、350家。")
    totals = {f.value: f.indicator for f in facts if f.value in (105, 350)}
    assert "专精特新" in totals[105] and "高新技术企业" in totals[350]


@pytest.mark.parametrize(
    "text, status",
    [
        ("2018年,即墨区实现地区生产总值1420亿元。", "actual"),
        ("2018年,即墨区预计实现地区生产总值1420亿元。", "expected"),
        ("2024年,崂山区力争新一代信息技术产业总规模达到1000亿元。", "target"),
        ("2024年,崂山区将建设10处口袋公园。", "target"),
    ],
)
def test_status(text, status):
    [f] = read_text(text)
    assert f.status == status


def test_a_work_report_reviews_last_year_and_plans_this_one():
    text = (
        "【即墨区招商】2019年即墨区政府工作报告\n"
        "一、2018年政府工作的回顾2018年,全区新建口袋公园12处。\n"
        "二、2019年政府工作的重点2019年是关键一年。新建4处口袋公园。\n"
    )
    by_value = {f.value: f for f in read_text(text)}
    assert (by_value[12].period, by_value[12].status, by_value[12].region) == ("2018", "actual", "即墨区")
    assert (by_value[4].period, by_value[4].status) == ("2019", "target")


def test_each_article_gets_its_own_region_and_period():
    text = (
        "-\n【崂山区招商】崂山区外贸\n2023年,崂山区外贸企业新增120家。\n2025-07-09\n"
        "-\n【青岛招商】青岛易科项目签约\n2019年11月,青岛易科与海阳市人民政府签署协议,总投资8000万元的项目落户。\n"
        "2025-07-09\n"
    )
    facts = read_text(text)
    by_value = {f.value: f for f in facts}
    assert (by_value[120].region, by_value[120].period) == ("崂山区", "2023")
    assert (by_value[8000].region, by_value[8000].period) == ("海阳市", "2019")


def test_page_furniture_is_skipped():
    text = (
        "点击右上角微信好友\n\n朋友圈\n\n请使用浏览器分享功能进行分享\n\n"
        "正在阅读:青岛李沧:高质量发展\n首页> 地方频道> 要闻 > 正文\n\n青岛李沧:高质量发展\n\n"
        "来源:青岛日报2023-01-13 09:02\n\n  2022年,李沧区出让土地1122.8亩。\n\n[ 责编:某某 ]\n"
        "推荐阅读\n2023年全国科普工作经费投入首次突破200亿元。\n2024-12-31 09:14\n阅读 1234\n"
    )
    facts = read_text(text)
    assert [(f.value, f.region, f.period) for f in facts] == [(1122.8, "李沧区", "2022")]


def test_traditional_characters_and_pinyin_read_simplified_with_original_offsets():
    text = "嶗山區(qū)新引進(jìn)過億元項(xiàng)目107個(gè)!前三季度全區(qū)生產(chǎn)總值增長5.7%。"
    facts = read_text(text)
    level = [f for f in facts if f.kind == "level"][0]
    assert level.indicator == "新引进过亿元项目" and level.region == "崂山区"
    growth = [f for f in facts if f.kind == "growth"][0]
    assert growth.indicator == "生产总值" and growth.subperiod == "Q1-Q3"
    for f in facts:
        assert text[f.start:f.end] == f.quote


def test_real_parentheses_stay():
    facts = read_text("第11场(崂山区专场)。2024年,崂山区新增高新技术企业(含培育)100家。")
    assert all("(" not in f.indicator or "含" in f.indicator for f in facts)


def test_no_fact_is_taken_from_a_broken_run():
    assert read_text("2024年,崂山区??萍紕5.7%??新增12家。") == []


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "big5", "utf-16", "utf-16-le", "utf-16-be"])
def test_encodings_are_detected(encoding):
    text = "2022年,李沧区新增产业发展空间55.8万平方米,民间投资增长44.7%。"
    if encoding == "big5":
        text = "2022年,李滄區新增產業發展空間55.8萬平方米,民間投資增長44.7%。"
    facts = read_bytes(text.encode(encoding), doc="t.txt")
    assert {(f.kind, f.value, f.unit) for f in facts} == {("level", 55.8, "万平方米"), ("growth", 44.7, "%")}
    assert all(f.region == "李沧区" for f in facts)


@pytest.mark.parametrize("data, error", [(b"", EmptyInput), (b"  \n", EmptyInput),
                                         (b"\x89PNG\r\n\x1a\n\x00\x00\x00", BinaryInput)])
def test_bad_input_is_refused_with_a_chinese_message(data, error):
    with pytest.raises(error) as e:
        read_bytes(data)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(e.value))


def test_the_command_goes_on_after_a_bad_file_and_exits_nonzero_only_when_nothing_was_read(tmp_path):
    (tmp_path / "a.txt").write_text("2022年,李沧区出让土地1122.8亩。", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"")
    (tmp_path / "c.bin").write_bytes(b"\x00\x01\x02\x03" * 10)
    (tmp_path / "d.txt").write_text("没有数字的一段话。", encoding="utf-8")
    out = tmp_path / "facts.jsonl"
    run = subprocess.run([sys.executable, "-m", "taizhang", "read", str(tmp_path), "--jsonl", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [(x["doc"], x["value"], x["unit"]) for x in lines] == [("a.txt", 1122.8, "亩")]
    assert "b.txt: 文件为空" in run.stderr and "c.bin: 不是文本文件" in run.stderr
    assert "d.txt: 未找到数据事实" in run.stderr
    bad = subprocess.run([sys.executable, "-m", "taizhang", "read", str(tmp_path / "b.txt")],
                         capture_output=True, text=True)
    assert bad.returncode == 1


def test_the_reader_imports_nothing_from_django():
    code = "import sys, taizhang.reader as r; r.read_text('2022年,李沧区出让土地1122.8亩。'); " \
           "sys.exit(1 if any(m.startswith('django') for m in sys.modules) else 0)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


@pytest.mark.parametrize(
    "text, indicator, value, unit",
    [
        ("2023年,市南区空气质量优良天数达到320天。", "空气质量优良天数", 320, "天"),
        ("2023年,市南区城镇登记失业率控制在3%以内。", "城镇登记失业率", 3, "%"),
        ("2024年,黄岛区新签约过亿元项目156个,总投资1280亿元。", "新签约过亿元项目总投资", 1280, "亿元"),
        ("2022年,李沧区总投资52.12亿元的项目正在加紧建设。", "项目正在加紧建设总投资", 52.12, "亿元"),
    ],
)
def test_indicators_read_in_context(text, indicator, value, unit):
    facts = {(f.indicator, f.value, f.unit) for f in read_text(text)}
    assert (indicator, value, unit) in facts, facts


def test_a_duration_in_days_is_not_a_fact():
    assert read_text("2023年,市南区仅用30天完成改造。") == []


@pytest.mark.parametrize(
    "text, expected_words, value",
    [
        ("2023年,市北区打造22处“就享家”乐业服务站。", ["就享家", "乐业服务站"], 22),
        ("2023年,市北区协助2家单位完成青岛市2023年海洋产业关键技术攻关计划立项。", ["海洋产业", "立项"], 2),
        ("2018年,即墨区新增6家3A级以上景区。", ["3A级以上景区"], 6),
        ("2018年,崂山区80家企业在三板、四板市场挂牌。", ["四板市场挂牌"], 80),
        ("2023年,市北区RCEP成员国间13个多领域项目集中签约。", ["多领域项目"], 13),
        ("2023年,市北区新增18所优质幼儿园。", ["优质幼儿园"], 18),
        ("2018年,崂山区民生投入69.5亿元,占区级一般公共预算支出的70.4%。", ["民生投入占区级一般公共预算支出"], 70.4),
    ],
)
def test_phrases_around_counts_and_shares(text, expected_words, value):
    facts = [f for f in read_text(text) if f.value == value]
    assert facts, read_text(text)
    assert all(w in facts[0].indicator for w in expected_words), facts[0].indicator


@pytest.mark.parametrize(
    "text",
    [
        "推动中船重工705所青岛中心等项目尽快落地。",
        "2018年,即墨区在实践中突出抓好五方面工作。",
        "卡奥斯成为工业互联网首个千亿品牌。",
        "市政府召开系列新闻发布会第11场。",
        "形成“政策-平台-企业”三位一体的培育生态。",
        "打造全国五人制足球基地。",
    ],
)
def test_more_numbers_that_are_not_facts(text):
    assert read_text(text) == []


def test_a_statistical_bulletin():
    text = ("2023年城阳区统计公报\n全年全区实现地区生产总值1,234.56亿元,比上年增长6.2%。三次产业结构调整为1.0:37.0:62.0。"
            "年末全区户籍人口58.6万人,比上年末增加1.2万人。全区在校学生13.5万人。")
    facts = {(f.indicator, f.kind, f.value, f.unit, f.period) for f in read_text(text)}
    assert ("地区生产总值", "level", 1234.56, "亿元", "2023") in facts
    assert ("年末全区户籍人口增加", "level", 1.2, "万人", "2023") in facts
    assert ("在校学生", "level", 13.5, "万人", "2023") in facts
    assert not any(unit == "次" for _, _, _, unit, _ in facts)  # 三次产业 names the sectors


def test_windows_line_endings_and_at_least_one():
    text = "2024年,崂山区新增高新技术企业100家。\r\n每个镇街至少拥有一处新型产业园区。\r\n"
    facts = read_text(text)
    assert [(f.value, f.unit) for f in facts] == [(100, "家"), (1, "处")]
    assert all("\r" not in f.quote and text[f.start:f.end] == f.quote for f in facts)


def test_each_of_a_respective_list_gets_the_rank_that_follows():
    facts = read_text("2018年,即墨区PM2.5、PM10平均浓度分别下降19%、13%,改善率均居十区市首位。")
    ranks = sorted(f.indicator for f in facts if f.kind == "rank")
    assert ranks == ["PM10平均浓度改善率", "PM2.5平均浓度改善率"]


def test_a_county_level_city_in_gb18030():
    text = ("平度市2022年经济运行情况\n2022年,全市完成地区生产总值1012亿元,同比增长4.3%,总量首次突破千亿元大关。"
            "粮食总产量保持在28亿斤以上,连续多年居全省县级首位。全年引进过亿元项目52个,其中过10亿元项目8个。"
            "城乡居民人均可支配收入分别达到4.5万元和2.6万元。")
    facts = read_bytes(text.encode("gb18030"), doc="t.txt")
    got = {(f.indicator, f.kind, f.value, f.unit) for f in facts}
    assert ("地区生产总值总量", "level", 1000, "亿元") in got
    assert ("粮食总产量", "level", 28, "亿斤") in got and ("粮食总产量", "rank", 1, "位") in got
    assert ("过10亿元项目", "level", 8, "个") in got
    assert not any(v == 10 and u == "亿元" for _, _, v, u in got)  # 过10亿元 names a class of projects
    assert {(i, v) for i, k, v, u in got if i.endswith("居民人均可支配收入")} == {
        ("城镇居民人均可支配收入", 4.5), ("农村居民人均可支配收入", 2.6)}
    assert all(f.region == "平度市" and f.period == "2022" for f in facts)


def test_the_command_flags_broken_runs(tmp_path):
    (tmp_path / "a.txt").write_text("2024年,崂山区新增企业12家。观海新闻??萍紕5.7%。", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "taizhang", "read", str(tmp_path / "a.txt")],
                         capture_output=True, text=True)
    assert run.returncode == 0 and "1处乱码" in run.stderr
    assert [json.loads(x)["value"] for x in run.stdout.splitlines()] == [12]


def test_a_file_over_the_size_limit_is_refused_and_the_batch_goes_on(tmp_path, monkeypatch, capsys):
    import taizhang.reader as reader
    from taizhang.reader.cli import main

    monkeypatch.setattr(reader, "MAX_BYTES", 100)
    (tmp_path / "big.txt").write_text("2022年,李沧区出让土地1122.8亩。" * 20, encoding="utf-8")
    (tmp_path / "small.txt").write_text("2022年,李沧区出让土地1122.8亩。", encoding="utf-8")
    assert main([str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert "big.txt: 文件过大" in err and len(out.splitlines()) == 1
