"""The 亩均效益评价: a published county method reproduced on a hand-computed data set, share-based
classes at their cut-offs (ties, small pools), departments' sheets (all or nothing, Chinese
messages naming sheet, row and column), the missing-data rule, T firms, objection → correction →
republished list with history, consecutive-D surcharges, and who sees which evaluation."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taizhang.enterprises.models import Enterprise
from taizhang.enterprises.services import create_enterprise
from taizhang.parks import evaluation as ev
from taizhang.parks import scoring
from taizhang.parks.choices import BatchStatus, ClassifyBy, Department, Metric, Missing, Pool
from taizhang.parks.models import MujunFigure, Publication, Result
from taizhang.projects.validators import credit_code_check_char

from .sheets import xlsx

pytestmark = pytest.mark.django_db
YEAR = 2022


def code(n: int, region: str = "370212") -> str:
    first = f"91{region}{n:09d}"
    return first + credit_code_check_char(first)


# ---------------------------------------------------------------- the published method

#: 黄岩区's 2022 formula: 规上 = 亩均税收÷24.097×30 + 亩均增加值÷136.16×20 + 单位能耗增加值÷2.694×20
#: + 单位排放增加值÷4929.81×10 + 全员劳动生产率÷18.14×10 + R&D占比÷0.0302×10; 规下 = 亩均税收÷11.5932×50
#: + 单位电耗税收÷0.2352×50; a 规上 firm without emission data gets the pool's average score on it.
HUANGYAN_2022 = {
    Pool.ABOVE: {"a_share": D("25"), "ab_share": D("70"), "d_share": D("5"), "indicators": [
        {"key": "tax_per_mu", "weight": D("30"), "fixed_value": D("24.097")},
        {"key": "va_per_mu", "weight": D("20"), "fixed_value": D("136.16")},
        {"key": "va_per_energy", "weight": D("20"), "fixed_value": D("2.694")},
        {"key": "va_per_emission", "weight": D("10"), "fixed_value": D("4929.81"), "missing": Missing.POOL_AVERAGE},
        {"key": "labour_productivity", "weight": D("10"), "fixed_value": D("18.14")},
        {"key": "rd_ratio", "weight": D("10"), "fixed_value": D("0.0302")},
    ]},
    Pool.BELOW_LARGE: {"a_share": D("25"), "ab_share": D("70"), "d_share": D("5"), "indicators": [
        {"key": "tax_per_mu", "weight": D("50"), "fixed_value": D("11.5932")},
        {"key": "tax_per_kwh", "weight": D("50"), "fixed_value": D("0.2352")},
    ]},
}

#: (name, 证载亩, 租赁亩, 税收万元, 增加值万元, 能耗吨标煤, 排放吨, 职工人, 营收万元, R&D万元)
ABOVE = [
    ("甲", "20", "0", "600", "3000", "1000", "0.5", "150", "10000", "350"),
    ("乙", "15", "5", "300", "2400", "1200", "0.6", "120", "8000", "200"),
    ("丙", "30", "0", "450", "3600", "1500", "0.8", "200", "12000", "300"),
    ("丁", "10", "0", "120", "1000", "500", None, "80", "4000", "100"),
    ("戊", "25", "0", "200", "2000", "1000", "0.5", "160", "7000", "140"),
    ("己", "40", "0", "300", "3000", "2500", "1.2", "250", "9000", "90"),
    ("庚", "12", "0", "500", "2400", "600", "0.4", "100", "9000", "400"),
    ("辛", "50", "0", "150", "1500", "3000", "2.0", "300", "6000", "30"),
]
#: (name, 证载亩, 税收万元, 用电万千瓦时)
BELOW = [("子", "8", "100", "400"), ("丑", "5", "30", "150"), ("寅", "4", "60", "300"), ("卯", "6", "20", "200")]

#: each firm's six indicator scores, computed by hand (each rounded half up to 0.01):
#: 甲: 600/20=30 → 30/24.097×30=37.35; 3000/20=150 → 150/136.16×20=22.03; 3000/1000=3 → 3/2.694×20=22.27;
#:     3000/0.5=6000 → 6000/4929.81×10=12.17; 3000/150=20 → 20/18.14×10=11.03; 350/10000=0.035 → ×10/0.0302=11.59
#: 乙 (land 15+5=20): 15→18.67; 120→17.63; 2→14.85; 4000→8.11; 20→11.03; 0.025→8.28
#: 丙: 15→18.67; 120→17.63; 2.4→17.82; 4500→9.13; 18→9.92; 0.025→8.28
#: 丁: 12→14.94; 100→14.69; 2→14.85; no emission data → pool average of the seven others'
#:     (12.17+8.11+9.13+8.11+5.07+12.17+1.52)/7 = 56.28/7 = 8.04; 12.5→6.89; 0.025→8.28
#: 戊: 8→9.96; 80→11.75; 2→14.85; 4000→8.11; 12.5→6.89; 0.02→6.62
#: 己: 7.5→9.34; 75→11.02; 1.2→8.91; 2500→5.07; 12→6.62; 0.01→3.31
#: 庚: 41.6667→51.87; 200→29.38; 4→29.70; 6000→12.17; 24→13.23; 0.04444→14.72
#: 辛: 3→3.73; 30→4.41; 0.5→3.71; 750→1.52; 5→2.76; 0.005→1.66
HAND_ABOVE = {
    "甲": ["37.35", "22.03", "22.27", "12.17", "11.03", "11.59"],
    "乙": ["18.67", "17.63", "14.85", "8.11", "11.03", "8.28"],
    "丙": ["18.67", "17.63", "17.82", "9.13", "9.92", "8.28"],
    "丁": ["14.94", "14.69", "14.85", "8.04", "6.89", "8.28"],
    "戊": ["9.96", "11.75", "14.85", "8.11", "6.89", "6.62"],
    "己": ["9.34", "11.02", "8.91", "5.07", "6.62", "3.31"],
    "庚": ["51.87", "29.38", "29.70", "12.17", "13.23", "14.72"],
    "辛": ["3.73", "4.41", "3.71", "1.52", "2.76", "1.66"],
}
#: totals (sums of the rounded scores) and classes: 8 firms → A at most ⌊8×25%⌋=2, A+B at most
#: ⌊8×70%⌋=5, D at least ⌈8×5%⌉=1: 庚151.07 A, 甲116.44 A, 丙81.45 B, 乙78.57 B, 丁67.69 B,
#: 戊58.18 C, 己44.27 C, 辛17.79 D
HAND_TOTALS = {"庚": ("151.07", "A", 1), "甲": ("116.44", "A", 2), "丙": ("81.45", "B", 3), "乙": ("78.57", "B", 4),
               "丁": ("67.69", "B", 5), "戊": ("58.18", "C", 6), "己": ("44.27", "C", 7), "辛": ("17.79", "D", 8)}
#: 规下: 子 100/8=12.5 → 12.5/11.5932×50=53.91, 100/400=0.25 → 0.25/0.2352×50=53.15, 107.06;
#: 丑 6→25.88, 0.2→42.52, 68.40; 寅 15→64.69, 0.2→42.52, 107.21; 卯 3.3333→14.38, 0.1→21.26, 35.64.
#: 4 firms → A ⌊1⌋=1, A+B ⌊2.8⌋=2, D ⌈0.2⌉=1: 寅 A, 子 B, 丑 C, 卯 D
HAND_BELOW = {"寅": ("107.21", "A", 1), "子": ("107.06", "B", 2), "丑": ("68.40", "C", 3), "卯": ("35.64", "D", 4)}


def figures_sheet(firms: list[tuple], columns: list[str]) -> bytes:
    rows = [["2022年度亩均效益评价企业数据"], ["企业名称", "统一社会信用代码", *columns]]
    rows += [list(f) for f in firms]
    return xlsx(rows, title="数据")


@pytest.fixture
def huangyan(world):
    """The hand-computed data set imported as the departments would send it, reviewed, and a
    scheme of 黄岩区's formula with the published share rule."""
    w = world
    above, below, codes = [], [], {}
    for i, (name, cert, leased, tax, va, energy, emis, emp, rev, rd) in enumerate(ABOVE, start=1):
        codes[name] = code(i)
        above.append((f"{name}公司", code(i), cert, leased, tax, va, energy, emis, emp, rev, rd))
    for i, (name, cert, tax, power) in enumerate(BELOW, start=20):
        codes[name] = code(i)
        below.append((f"{name}公司", code(i), cert, tax, power))
    for i, row in enumerate(ABOVE, start=1):
        create_enterprise(w.ls_admin, {"name": f"{row[0]}公司", "credit_code": code(i), "region": w.laoshan,
                                       "scale": "above"})
    sheet = figures_sheet(above, ["证载用地面积", "租赁用地面积", "实缴税收", "工业增加值", "综合能耗",
                                  "主要污染物排放量", "年平均职工人数", "营业收入", "研发经费支出"])
    b1 = ev.import_figures(w.ls_editor, w.laoshan, YEAR, Department.STATS, io.BytesIO(sheet), "规上.xlsx")
    sheet = figures_sheet(below, ["证载用地面积", "实缴税收", "用电量"])
    b2 = ev.import_figures(w.ls_editor, w.laoshan, YEAR, Department.TAX, io.BytesIO(sheet), "规下.xlsx")
    for b in (b1, b2):
        ev.review_batch(w.ls_admin, b, accept=True)
    scheme = ev.save_scheme(w.ls_admin, w.laoshan, {
        "name": "黄岩区工业企业综合评价(2022年度)", "source_doc": "工业企业综合评价得分计算说明",
        "source_url": "https://www.chacewang.com/newsdetail/news430850.html", "classify_by": ClassifyBy.SHARES,
        "min_pool_for_d": 0}, HUANGYAN_2022)
    evaluation = ev.create_evaluation(w.ls_admin, w.laoshan, YEAR, scheme)
    w.codes, w.scheme, w.evaluation = codes, scheme, evaluation
    return w


def results_by_name(evaluation) -> dict[str, Result]:
    return {r.enterprise.name.removesuffix("公司"): r
            for r in Result.objects.filter(evaluation=evaluation).select_related("enterprise")}


def test_a_published_county_method_is_reproduced_exactly(huangyan):
    """黄岩区深化"亩均论英雄"改革工作领导小组办公室, 2022年度工业企业综合评价结果公示, 附件2
    《工业企业综合评价得分计算说明》(2023-09-25), https://www.chacewang.com/newsdetail/news430850.html:
    the 规上 and 规下 formulas with their fixed benchmarks and the rule for missing emission data.
    The notice gives no class shares; the classes use the share rule another published notice
    states (A 前25%(含), B 26%-70%(含), C 71%-95%(含), D 后5%:
    http://www.gu456.com/OpennessContent/show/3457811.html). Every score and class was computed by
    hand (see HAND_ABOVE, HAND_TOTALS, HAND_BELOW)."""
    w = huangyan
    counts = ev.run_evaluation(w.ls_admin, w.evaluation)
    assert counts == {"A": 3, "B": 4, "C": 3, "D": 2}
    results = results_by_name(w.evaluation)
    for name, expected in HAND_ABOVE.items():
        r = results[name]
        lines = list(r.scores.order_by("indicator__order"))
        assert [str(s.score) for s in lines] == expected, name
        assert r.pool == Pool.ABOVE
        total, klass, rank = HAND_TOTALS[name]
        assert (str(r.score), r.klass, r.rank) == (total, klass, rank), name
    for name, (total, klass, rank) in HAND_BELOW.items():
        r = results[name]
        assert r.pool == Pool.BELOW_LARGE
        assert (str(r.score), r.klass, r.rank) == (total, klass, rank), name
    # the breakdown shows value and benchmark; 丁's emission score came from the rule
    ding = results["丁"].scores.order_by("indicator__order")
    assert ding[3].value is None and ding[3].by_rule and ding[3].score == D("8.04")
    assert ding[0].value == D("12") and ding[0].benchmark == D("24.097")
    # 乙's land is certificate plus leased
    assert results["乙"].land_mu == D("20")


def test_shares_at_the_cut_offs_never_split_a_tie():
    """A at most x % (rounded down), ties that would pass it fall to B; D at least y % (rounded
    up), a tie at its boundary all in D; a pool too small gets no D by share."""
    def outcomes(scores):
        out = [scoring.Outcome(i, Pool.ABOVE, D(1), "", score=D(s)) for i, s in enumerate(scores)]
        groups = scoring.rank(out)
        return out, groups

    # 10 firms, A ≤ 20 % = 2: the top two tie with a third → none of them fit, all B
    out, groups = outcomes([90, 90, 90, 80, 70, 60, 50, 40, 30, 20])
    scoring.classify_shares(groups, D(20), D(60), D(10))
    assert [o.klass for o in out] == ["B", "B", "B", "B", "B", "B", "C", "C", "C", "D"]
    assert [o.rank for o in out[:4]] == [1, 1, 1, 4]
    # exactly at the limit: two firms fit A
    out, groups = outcomes([90, 85, 80, 80, 70, 60, 50, 40, 30, 20])
    scoring.classify_shares(groups, D(20), D(60), D(10))
    assert [o.klass for o in out] == ["A", "A", "B", "B", "B", "B", "C", "C", "C", "D"]
    # a tie at the D boundary: both in D (D ≥ 10 %)
    out, groups = outcomes([90, 85, 80, 75, 70, 60, 50, 40, 20, 20])
    scoring.classify_shares(groups, D(20), D(60), D(10))
    assert [o.klass for o in out][-3:] == ["C", "D", "D"]
    # 10 × 25 % = 2.5 → at most 2 in A; 10 × 5 % = 0.5 → at least 1 in D
    out, groups = outcomes([90, 85, 80, 75, 70, 60, 50, 40, 30, 20])
    scoring.classify_shares(groups, D(25), D(70), D(5))
    assert [o.klass for o in out] == ["A", "A", "B", "B", "B", "B", "B", "C", "C", "D"]
    # a pool of three: no A (⌊0.75⌋ = 0); D only where the scheme allows it for so few firms
    out, groups = outcomes([90, 80, 70])
    scoring.classify_shares(groups, D(25), D(70), D(5), allow_d=False)
    assert [o.klass for o in out] == ["B", "B", "C"]
    out, groups = outcomes([90, 80, 70])
    scoring.classify_shares(groups, D(25), D(70), D(5), allow_d=True)
    assert [o.klass for o in out] == ["B", "B", "D"]
    # a pool of one
    out, groups = outcomes([50])
    scoring.classify_shares(groups, D(25), D(70), D(5), allow_d=False)
    assert out[0].klass == "C"


def test_thresholds_caps_benchmarks_and_directions():
    pool = scoring.PoolSpec(Pool.ABOVE, [
        scoring.IndicatorSpec(1, "tax_per_mu", D(60), benchmark="max", cap=D(60)),
        scoring.IndicatorSpec(2, "va_per_mu", D(40), benchmark="average_k", factor=D("1.5"), cap=D(50)),
    ], a_min=D(80), b_min=D(60), c_min=D(40))
    scheme = scoring.SchemeSpec({Pool.ABOVE: pool}, ClassifyBy.THRESHOLDS)
    firms = [scoring.FirmInput(1, {Metric.LAND_CERTIFICATE: D(10), Metric.TAX: D(100), Metric.ADDED_VALUE: D(900)},
                               above_scale=True),
             scoring.FirmInput(2, {Metric.LAND_CERTIFICATE: D(10), Metric.TAX: D(50), Metric.ADDED_VALUE: D(300)},
                               above_scale=True),
             scoring.FirmInput(3, {Metric.LAND_CERTIFICATE: D(10), Metric.TAX: D(20)}, above_scale=True)]
    out = {o.firm_id: o for o in scoring.evaluate(scheme, firms, 2022)}
    # tax/mu 10, 5, 2: max 10 → 60, 30, 12; va/mu 90, 30 (firm 3 missing → 0): average 60 × 1.5 = 90
    # → 40, 13.33; firm 1 capped at 50 would need 112.5 — 40 is under the cap
    assert [line.score for line in out[1].lines] == [D("60.00"), D("40.00")]
    assert [line.score for line in out[2].lines] == [D("30.00"), D("13.33")]
    assert [line.score for line in out[3].lines] == [D("12.00"), D("0")]
    assert out[3].lines[1].by_rule
    assert [out[i].klass for i in (1, 2, 3)] == ["A", "C", "D"]
    lower = scoring.IndicatorSpec(9, "va_per_energy", D(10), direction="lower", benchmark="max", cap=D(15))
    assert scoring.score_of(lower, D(4), D(2)) == D("5.00")
    assert scoring.score_of(lower, D(0), D(2)) == D("15")


def test_t_firms_transition_exemption_no_land_and_leased_pool():
    pools = {p: scoring.PoolSpec(p, [scoring.IndicatorSpec(1, "tax_per_mu", D(100), fixed_value=D(10))],
                                 a_share=D(25), ab_share=D(70), d_share=D(5))
             for p in (Pool.ABOVE, Pool.BELOW_SMALL, Pool.LEASED)}
    scheme = scoring.SchemeSpec(pools, transition_years=2)
    firms = [scoring.FirmInput(1, {Metric.LAND_CERTIFICATE: D(5), Metric.TAX: D(10)}, established=dt.date(2022, 3, 1)),
             scoring.FirmInput(2, {Metric.LAND_CERTIFICATE: D(5), Metric.TAX: D(10)}, exempt_reason="重大项目建设期"),
             scoring.FirmInput(3, {Metric.TAX: D(10)}),
             scoring.FirmInput(4, {Metric.LAND_LEASED: D(2), Metric.TAX: D(10)}),
             scoring.FirmInput(5, {Metric.LAND_CERTIFICATE: D(2), Metric.TAX: D(10)}),
             scoring.FirmInput(6, {Metric.LAND_CERTIFICATE: D(5), Metric.TAX: D(10)}, established=dt.date(2020, 6, 1))]
    out = {o.firm_id: o for o in scoring.evaluate(scheme, firms, 2022)}
    assert (out[1].klass, out[1].reason) == ("T", "成立未满过渡期年限")
    assert (out[2].klass, out[2].reason) == ("T", "重大项目建设期")
    assert (out[3].klass, out[3].reason) == ("T", "缺少用地面积数据")
    assert out[4].pool == Pool.LEASED and out[4].score == D("50.00")
    assert out[5].pool == Pool.BELOW_SMALL
    assert out[6].pool == ""  and out[6].reason == "不在本办法的评价组内"  # 规下 ≥ 3 亩 not evaluated here
    assert all(o.rank is None for o in out.values() if o.klass == "T")


# ---------------------------------------------------------------- departments' sheets


def test_a_bad_sheet_saves_nothing_and_names_sheet_row_and_column(world):
    rows = [["企业名称", "统一社会信用代码", "实缴税收", "证载用地面积"],
            ["好公司", code(1), "100", "10"],
            ["坏数公司", code(2), "NaN", "10"],
            ["大数公司", code(3), "1e30", "10"],
            ["负地公司", code(4), "10", "-3"],
            ["错码公司", "123", "10", "3"],
            ["好公司二", code(1), "10", "3"]]
    with pytest.raises(ValidationError) as exc:
        ev.import_figures(world.ls_editor, world.laoshan, YEAR, Department.TAX, io.BytesIO(xlsx(rows, title="税务")),
                          "税务.xlsx")
    text = " ".join(exc.value.messages)
    assert "工作表“税务”第3行 实缴税收:不是有效数字" in text
    assert "工作表“税务”第4行 实缴税收:数值过大" in text
    assert "工作表“税务”第5行 证载用地面积:不能为负数" in text
    assert "工作表“税务”第6行 统一社会信用代码" in text
    assert "第7行 统一社会信用代码:与第2行重复" in text
    assert not MujunFigure.objects.exists() and not Enterprise.objects.filter(name="好公司").exists()


def test_a_firm_of_another_district_is_refused(world):
    create_enterprise(world.lc_editor, {"name": "李沧某公司", "credit_code": code(7, "370213"), "region": world.licang})
    rows = [["企业名称", "统一社会信用代码", "实缴税收"], ["李沧某公司", code(7, "370213"), "100"]]
    with pytest.raises(ValidationError, match="登记在其他区"):
        ev.import_figures(world.ls_editor, world.laoshan, YEAR, Department.TAX, io.BytesIO(xlsx(rows)), "x.xlsx")


def test_only_reviewed_figures_count_and_a_later_sheet_replaces_with_history(huangyan):
    w = huangyan
    rows = [["企业名称", "统一社会信用代码", "实缴税收"], ["甲公司", w.codes["甲"], "1200"]]
    batch = ev.import_figures(w.ls_editor, w.laoshan, YEAR, Department.TAX, io.BytesIO(xlsx(rows)), "更正.xlsx")
    figure = MujunFigure.objects.get(enterprise__credit_code=w.codes["甲"], year=YEAR, metric=Metric.TAX)
    assert figure.value == D("1200") and figure.history.count() == 2
    ev.run_evaluation(w.ls_admin, w.evaluation)
    assert results_by_name(w.evaluation)["甲"].scores.count() == 6
    # the replacing batch is not reviewed: 甲's tax is missing, its 亩均税收 scores 0 by the rule
    first = results_by_name(w.evaluation)["甲"].scores.order_by("indicator__order").first()
    assert first.value is None and first.score == 0
    with pytest.raises(ValidationError):
        ev.review_batch(w.ls_admin, batch, accept=False)  # returning needs a reason
    with pytest.raises(PermissionDenied):
        ev.review_batch(w.ls_editor, batch, accept=True)  # a reporter does not review
    ev.review_batch(w.ls_admin, batch, accept=True)
    ev.run_evaluation(w.ls_admin, w.evaluation)
    assert results_by_name(w.evaluation)["甲"].scores.order_by("indicator__order").first().score == D("74.70")


# ---------------------------------------------------------------- publication and objections


def test_objection_correction_and_republished_list_with_history(huangyan):
    w = huangyan
    ev.run_evaluation(w.ls_admin, w.evaluation)
    first = ev.publish(w.ls_admin, w.evaluation, dt.date(2023, 9, 25), dt.date(2023, 9, 28))
    assert w.evaluation.scheme.__class__.objects.get(pk=w.scheme.pk).frozen
    xin = Enterprise.objects.get(credit_code=w.codes["辛"])
    with pytest.raises(ValidationError, match="公示期"):
        ev.lodge_objection(w.ls_editor, w.evaluation, xin, {"content": "晚了"}, today=dt.date(2023, 9, 29))
    with pytest.raises(PermissionDenied):
        ev.lodge_objection(w.lc_editor, w.evaluation, xin, {"content": "越界"}, today=dt.date(2023, 9, 26))
    objection = ev.lodge_objection(w.ls_editor, w.evaluation, xin, {
        "metric": Metric.TAX, "claimed_value": D("1500"), "content": "税收漏计了分支机构缴纳部分"},
        today=dt.date(2023, 9, 26))
    with pytest.raises(ValidationError, match="未审核的异议"):
        ev.publish(w.ls_admin, w.evaluation, dt.date(2023, 9, 30), final=True)
    with pytest.raises(PermissionDenied):
        ev.review_objection(w.ls_editor, objection, True, "同意")
    ev.review_objection(w.ls_admin, objection, True, "经税务局核实,分支机构税收应并入", D("1500"))
    ev.run_evaluation(w.ls_admin, w.evaluation)
    second = ev.publish(w.ls_admin, w.evaluation, dt.date(2023, 10, 8), dt.date(2023, 10, 10), note="更正后再次公示")
    final = ev.publish(w.ls_admin, w.evaluation, dt.date(2023, 10, 12), final=True)
    # 辛: 1500/50 = 30 亩均税收 → 30/24.097×30 = 37.35; total 37.35+4.41+3.71+1.52+2.76+1.66 = 51.41 → C
    shown = {p.number: p.entries.get(enterprise=xin) for p in Publication.objects.filter(evaluation=w.evaluation)}
    assert (shown[1].score, shown[1].klass) == (D("17.79"), "D")
    assert (shown[2].score, shown[2].klass) == (D("51.41"), "C")
    assert shown[3].klass == "C" and final.final and second.number == 2 and first.number == 1
    # 己 (44.27) now ranks last and takes the D
    ji = Enterprise.objects.get(credit_code=w.codes["己"])
    assert final.entries.get(enterprise=ji).klass == "D"
    assert MujunFigure.objects.get(enterprise=xin, metric=Metric.TAX).history.count() == 2
    with pytest.raises(ValidationError):
        ev.run_evaluation(w.ls_admin, w.evaluation)  # final lists do not change


def test_consecutive_d_years_raise_the_surcharge(huangyan):
    w = huangyan
    for year in (2020, 2021):
        evaluation = ev.create_evaluation(w.ls_admin, w.laoshan, year, w.scheme)
        rows = [["企业名称", "统一社会信用代码", "证载用地面积", "实缴税收", "用电量"]]
        rows += [[f"{n}公司", w.codes[n], cert, tax, power] for n, cert, tax, power in BELOW]
        batch = ev.import_figures(w.ls_editor, w.laoshan, year, Department.TAX, io.BytesIO(xlsx(rows)), "x.xlsx")
        ev.review_batch(w.ls_admin, batch, accept=True)
        ev.run_evaluation(w.ls_admin, evaluation)
        ev.publish(w.ls_admin, evaluation, dt.date(year + 1, 9, 1), dt.date(year + 1, 9, 5))
        ev.publish(w.ls_admin, evaluation, dt.date(year + 1, 9, 10), final=True)
    ev.run_evaluation(w.ls_admin, w.evaluation)
    rows = {r["firm"].name: r for r in ev.differential_list(w.evaluation)}
    # 卯 was D in 2020 and 2021 (规下 alone in those years) and is D again: third year → 0.15
    assert rows["卯公司"]["years"] == 3 and rows["卯公司"]["price"] == D("0.15")
    assert rows["卯公司"]["amount"] == D("30.00")  # 200 万千瓦时 × 0.15 元 = 30 万元
    # 辛 has D for the first time (规上 had no evaluation in those years)
    assert rows["辛公司"]["years"] == 1 and rows["辛公司"]["price"] == D("0.05")


def test_a_frozen_scheme_gets_a_new_version(huangyan):
    w = huangyan
    v2 = ev.new_version(w.ls_admin, w.scheme, {"transition_years": 2})
    assert v2.version == 2 and v2.pools.count() == 2 and v2.transition_years == 2
    assert sum(p.indicators.count() for p in v2.pools.all()) == 8


def test_scoping_of_evaluations(huangyan):
    from taizhang.parks.models import Evaluation

    w = huangyan
    assert not Evaluation.objects.restrict(w.lc_editor).exists()
    assert Evaluation.objects.restrict(w.ls_viewer).exists()
    assert Evaluation.objects.restrict(w.unit_user).exists()
    assert Evaluation.objects.restrict(w.city_admin).exists()
    with pytest.raises(PermissionDenied):
        ev.run_evaluation(w.city_admin, w.evaluation)  # the district runs its own evaluation
    with pytest.raises(PermissionDenied):
        ev.import_figures(w.lc_editor, w.laoshan, YEAR, Department.TAX, io.BytesIO(b""), "x.xlsx")
    assert BatchStatus.REVIEWED


def test_the_final_list_workbook_is_ready_to_print(huangyan):
    from openpyxl import load_workbook

    from taizhang.parks.exports import final_workbook

    w = huangyan
    ev.run_evaluation(w.ls_admin, w.evaluation)
    ev.publish(w.ls_admin, w.evaluation, dt.date(2023, 9, 25), dt.date(2023, 9, 28))
    final = ev.publish(w.ls_admin, w.evaluation, dt.date(2023, 10, 1), final=True)
    wb = load_workbook(io.BytesIO(final_workbook(w.evaluation, final)))
    assert wb.sheetnames == ["规上企业", "规下企业(3亩及以上)", "T类企业", "差别化电价名单"]
    ws = wb["规上企业"]
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$2"
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert rows[0][1] == "庚公司" and rows[0][-3:] == (151.07, 1, "A类")
    assert rows[0][3:9] == (51.87, 29.38, 29.7, 12.17, 13.23, 14.72)
    d = list(wb["差别化电价名单"].iter_rows(min_row=3, values_only=True))
    assert [r[1] for r in d] == ["辛公司", "卯公司"]
    assert d[1][5:] == (0.05, 200, 10)  # 200 万千瓦时 × 0.05 元


def test_an_exempt_firm_is_t_with_its_reason_and_leaves_the_shares(huangyan):
    w = huangyan
    jia = Enterprise.objects.get(credit_code=w.codes["甲"])
    with pytest.raises(ValidationError):
        ev.exempt(w.ls_admin, w.evaluation, jia, " ")
    with pytest.raises(PermissionDenied):
        ev.exempt(w.ls_editor, w.evaluation, jia, "重大项目建设期")
    ev.exempt(w.ls_admin, w.evaluation, jia, "重大项目建设期")
    ev.run_evaluation(w.ls_admin, w.evaluation)
    results = results_by_name(w.evaluation)
    assert (results["甲"].klass, results["甲"].reason, results["甲"].rank) == ("T", "重大项目建设期", None)
    # seven firms left in 规上: A at most ⌊1.75⌋ = 1 (庚), A+B at most ⌊4.9⌋ = 4, D at least ⌈0.35⌉ = 1 (辛)
    assert [results[n].klass for n in ("庚", "丙", "乙", "丁", "戊", "己", "辛")] == list("ABBBCCD")


# ---------------------------------------------------------------- one writer of a firm's annual figures


def test_reviewed_figures_the_registry_keeps_are_recorded_there_by_its_writer(world):
    """营业收入, 税收, R&D and 职工人数 are facts the registry keeps too (its figures and the gap to the
    next tier): a reviewed batch's are stored there through ``record_figures`` (its history naming
    the reviewer, the department and the file), a returned one's never; land is the 亩均's own. An
    accepted objection's correction reaches the registry the same way."""
    from taizhang.enterprises.models import AnnualFigure

    w = world
    firm = create_enterprise(w.ls_admin, {"name": "甲公司", "credit_code": code(1), "region": w.laoshan})
    head = ["企业名称", "统一社会信用代码", "证载用地面积", "实缴税收", "营业收入", "研发经费支出", "年平均职工人数"]

    def registry() -> dict:
        return dict(AnnualFigure.objects.filter(enterprise=firm, year=YEAR).values_list("metric", "value"))

    returned = ev.import_figures(w.ls_editor, w.laoshan, YEAR, Department.STATS,
                                 io.BytesIO(xlsx([head, ["甲公司", code(1), "20", "500", "9000", "300", "150"]])),
                                 "错表.xlsx")
    ev.review_batch(w.ls_admin, returned, accept=False, note="单位有误")
    assert registry() == {}  # neither before review nor after a return
    batch = ev.import_figures(w.ls_editor, w.laoshan, YEAR, Department.STATS,
                              io.BytesIO(xlsx([head, ["甲公司", code(1), "20", "600", "10000", "350", "150"]])),
                              "规上.xlsx")
    assert registry() == {}
    ev.review_batch(w.ls_admin, batch, accept=True)
    assert registry() == {"tax": D("600"), "revenue": D("10000"), "rd_expense": D("350"), "employees": D("150")}
    figure = AnnualFigure.objects.get(enterprise=firm, year=YEAR, metric="revenue")
    assert (figure.department, figure.source_doc) == ("统计局(亩均评价数据)", "规上.xlsx")
    assert figure.history.get().history_user == w.ls_admin
    # the firm's gap to the next tier is measured on the same number the evaluation uses
    assert ev.reviewed_figures(w.laoshan, YEAR)[firm.pk][Metric.REVENUE] == registry()["revenue"]
    # an objection's accepted correction: the same door
    scheme = ev.save_scheme(w.ls_admin, w.laoshan, {"name": "示例办法", "classify_by": ClassifyBy.SHARES,
                                                    "min_pool_for_d": 0}, HUANGYAN_2022)
    evaluation = ev.create_evaluation(w.ls_admin, w.laoshan, YEAR, scheme)
    ev.run_evaluation(w.ls_admin, evaluation)
    ev.publish(w.ls_admin, evaluation, dt.date(2023, 9, 25), dt.date(2023, 9, 28))
    objection = ev.lodge_objection(w.ls_editor, evaluation, firm, {
        "metric": Metric.TAX, "claimed_value": D("650"), "content": "分支机构税收漏计"}, today=dt.date(2023, 9, 26))
    ev.review_objection(w.ls_admin, objection, True, "经税务局核实", D("650"))
    assert registry()["tax"] == D("650")
    tax = AnnualFigure.objects.get(enterprise=firm, year=YEAR, metric="tax")
    assert [h.value for h in tax.history.order_by("history_date", "history_id")] == [D("600"), D("650")]
