"""The standard catalogue: the indicators the districts' reports and the ledger share, with
the names the reports use for them. ``ensure_standard_catalogue`` adds what is missing
(by code) and changes nothing a district has edited."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_noop

from taizhang.core.history import change_context

from .choices import Aggregation, Direction, Kind
from .models import Indicator, IndicatorSystem

SYSTEMS = [
    ("xjdn", "新旧动能转换监测指标体系", "崂山区等区市监测新旧动能转换的指标"),
    ("annual", "年度主要预期目标", "政府工作报告提出的年度主要预期目标"),
    ("ledger", "重点项目台账指标", "由重点项目台账计算,不另行填报"),
]

S, N = Aggregation.SUM, Aggregation.NONE
L, G, R = Kind.LEVEL, Kind.GROWTH, Kind.SHARE

#: code, name, unit, kind, aggregation, synonyms, systems, extra
INDICATORS = [
    ("gdp", "地区生产总值", "亿元", L, S, ["生产总值总量", "GDP总量"], ["annual"], {}),
    ("gdp_growth", "地区生产总值增速", "%", G, N, ["生产总值", "地区生产总值", "GDP"], ["annual", "xjdn"], {}),
    ("industry_va_growth", "规上工业增加值增速", "%", G, N, ["规上工业增加值", "规模以上工业增加值"],
     ["annual", "xjdn"], {}),
    ("fai_growth", "固定资产投资增速", "%", G, N, ["固定资产投资"], ["annual"], {}),
    ("private_investment_growth", "民间投资增速", "%", G, N, ["民间投资"], ["annual"], {}),
    ("trade_growth", "货物进出口总额增速", "%", G, N, ["货物进出口总额", "进出口总额", "带动货物进出口总额"],
     ["annual"], {}),
    ("rd_spend", "全社会研发投入", "亿元", L, S, ["研发经费投入", "全社会研发经费投入"], ["xjdn"], {}),
    ("rd_growth", "全社会研发投入增速", "%", G, N, ["全社会研发投入"], ["xjdn"], {}),
    ("rd_intensity", "研发投入强度", "%", R, N, ["规上企业研发投入强度", "研发经费投入强度"], ["xjdn"], {}),
    ("hightech_output_share", "高新技术产业产值占比", "%", R, N,
     ["高新技术产业产值占规模以上工业总产值比重", "高新技术产业产值占规上工业总产值比重"], ["xjdn"], {}),
    ("high_tech_firms", "高新技术企业", "家", L, S, ["高新技术企业总数"], ["xjdn"], {}),
    ("new_high_tech", "新认定高新技术企业", "家", L, S, ["新增高新技术企业"], ["xjdn"], {"part_of": "high_tech_firms"}),
    ("new_jobs", "城镇新增就业", "万人", L, S, ["新增城镇就业"], ["annual"], {}),
    ("illegal_demolition", "拆除各类违建", "万平方米", L, S, ["拆除违法建设", "拆违"], [], {}),
    # from the ledger (monitoring figures), never typed
    ("new_over_100m", "新落地过亿元项目", "个", L, S, ["新引进过亿元项目", "落地过亿元项目", "新落户过亿元项目"],
     ["ledger", "xjdn"], {"ledger_metric": "new_over_100m"}),
    ("key_projects", "重点项目个数", "个", L, S, ["重点项目"], ["ledger"], {"ledger_metric": "key_projects"}),
    ("key_project_plan", "重点项目年度计划投资", "万元", L, S, ["年度计划投资"], ["ledger"],
     {"ledger_metric": "planned"}),
    ("key_project_done", "重点项目完成投资", "万元", L, S, ["完成年度投资", "重点项目完成年度投资", "省市区重点项目完成年度投资"],
     ["ledger"], {"ledger_metric": "completed"}),
    ("key_project_rate", "重点项目年度投资完成率", "%", R, N, ["年度投资完成率", "投资完成率"], ["ledger"],
     {"ledger_metric": "completion_rate", "allow_over_100": True}),
    ("start_rate", "重点项目开工率", "%", R, N, ["开工率"], ["ledger"], {"ledger_metric": "start_rate"}),
    ("new_starts", "新开工项目", "个", L, S, ["项目实现新开工", "新开工重点项目"], ["ledger"],
     {"ledger_metric": "new_starts"}),
    ("completions", "竣工投用项目", "个", L, S, ["项目竣工投用", "竣工投用重点项目"], ["ledger"],
     {"ledger_metric": "completions"}),
    # derived: a formula over two others (DHIS2's numerator / denominator)
    ("rd_intensity_calc", "研发投入强度(测算)", "%", R, N, [], ["xjdn"],
     {"numerator": "rd_spend", "denominator": "gdp", "factor": Decimal("100")}),
]


def ensure_standard_catalogue() -> int:
    """Add the standard systems and indicators that are missing. Returns how many indicators it added."""
    added = 0
    with transaction.atomic(), change_context(None, gettext_noop("标准指标目录")):
        systems = {}
        for code, name, description in SYSTEMS:
            systems[code], _ = IndicatorSystem.objects.get_or_create(code=code, defaults={
                "name": name, "description": description})
        existing = {i.code: i for i in Indicator.objects.all()}
        for code, name, unit, kind, aggregation, synonyms, in_systems, extra in INDICATORS:
            if code in existing:
                continue
            fields = {k: v for k, v in extra.items() if k not in ("part_of", "numerator", "denominator")}
            for ref in ("part_of", "numerator", "denominator"):
                if ref in extra:
                    fields[ref] = existing[extra[ref]]
            indicator = Indicator.objects.create(code=code, name=name, unit=unit, kind=kind, aggregation=aggregation,
                                                 synonyms="\n".join(synonyms), direction=Direction.HIGHER, **fields)
            indicator.systems.set([systems[s] for s in in_systems])
            existing[code] = indicator
            added += 1
    return added
