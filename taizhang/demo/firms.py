"""The demo's enterprise registry: the firms the seed reports name, as they name them, and
generated firms (marked 演示) recognised so that each district's tier counts equal its report's.

What the reports say, and the count that reproduces it (``tiers`` definitions):
- 崂山区, press conference of 2024-11-21 (seed 000): 累计培育独角兽企业9家、专精特新“小巨人”企业28家、
  省级瞪羚企业47家、高新技术企业920家 — cumulative at 2024-11-21; 新认定创新型中小企业109家、增长38%
  — new in 2024 (to the day), and so 79 in 2023.
- 崂山区, 2019 government work report on 2018 (seed 003): 新认定“专精特新”企业18家、高新技术企业100家,
  总数分别达到105家、350家; 新认定国家制造业单项冠军企业3家、瞪羚企业31家; 杰华生物成为全省首家硬科技
  独角兽企业 (a real firm; who recognised it the report does not say).
- 即墨区, 2019 report on 2018 (seed 003): 新发展高新技术企业134家、增长67.5% (80 in 2017);
  即发集团获评国家制造业单项冠军 (real).
- 市北区, 2024-03-07 (seed 004): 全年新认定高新技术企业55家; 青岛檬豆网络科技有限公司等2家企业入选高企上市
  培育库,累计入库企业数量达到8家; 新增2家国家级专精特新“小巨人”企业、2家山东省瞪羚企业 — 2023.
A real firm's unknown facts stay unknown: no credit code, no day, no level it was not given.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from taizhang.enterprises import services
from taizhang.enterprises.choices import MeasureStatus, Metric, Op, Source, TierKind, TierLevel
from taizhang.enterprises.models import Criterion, RuleSet

SEED_000 = "000_ae2e3fa0d0eb144b.txt"
SEED_003 = "003_4d90ecaaaaa7b24b.txt"
SEED_004 = "004_783a20e69d1b9b74.txt"
LAOSHAN, SHIBEI, JIMO = "370212", "370203", "370215"
PRESS_DAY = dt.date(2024, 11, 21)

REAL_FIRMS = [
    {"name": "杰华生物", "region": LAOSHAN, "source_doc": SEED_003,
     "tiers": [{"kind": TierKind.UNICORN, "level": TierLevel.UNKNOWN, "year": 2018}]},
    {"name": "即发集团", "region": JIMO, "source_doc": SEED_003,
     "tiers": [{"kind": TierKind.CHAMPION, "level": TierLevel.NATIONAL, "year": 2018}]},
    {"name": "青岛檬豆网络科技有限公司", "region": SHIBEI, "source_doc": SEED_004,
     "tiers": [{"kind": TierKind.IPO_POOL, "level": TierLevel.UNKNOWN, "year": 2023}]},
]

#: (district, kind, level, year, how many firms first recognised that year, up to which day);
#: the tallies that reproduce the reports with the real firms above
PLAN = [
    # 崂山区 2018 and before: 350 高企 at the end of 2018, 100 of them new in 2018
    (LAOSHAN, TierKind.HIGH_TECH, TierLevel.NATIONAL, 2016, 130, None),
    (LAOSHAN, TierKind.HIGH_TECH, TierLevel.NATIONAL, 2017, 120, None),
    (LAOSHAN, TierKind.HIGH_TECH, TierLevel.NATIONAL, 2018, 100, None),
    # 920 cumulative at 2024-11-21: 570 more from 2019
    *[(LAOSHAN, TierKind.HIGH_TECH, TierLevel.NATIONAL, y, n, PRESS_DAY if y == 2024 else None)
      for y, n in ((2019, 80), (2020, 90), (2021, 100), (2022, 110), (2023, 110), (2024, 80))],
    (LAOSHAN, TierKind.SRDI_SME, TierLevel.PROVINCIAL, 2017, 87, None),
    (LAOSHAN, TierKind.SRDI_SME, TierLevel.PROVINCIAL, 2018, 18, None),
    (LAOSHAN, TierKind.CHAMPION, TierLevel.NATIONAL, 2018, 3, None),
    (LAOSHAN, TierKind.GAZELLE, TierLevel.PROVINCIAL, 2018, 31, None),
    *[(LAOSHAN, TierKind.GAZELLE, TierLevel.PROVINCIAL, y, n, PRESS_DAY if y == 2024 else None)
      for y, n in ((2020, 5), (2022, 6), (2024, 5))],
    *[(LAOSHAN, TierKind.LITTLE_GIANT, TierLevel.NATIONAL, y, n, PRESS_DAY if y == 2024 else None)
      for y, n in ((2019, 3), (2020, 5), (2021, 6), (2022, 6), (2023, 5), (2024, 3))],
    # nine unicorns by 2024-11-21: 杰华生物 (2018) and eight more
    *[(LAOSHAN, TierKind.UNICORN, TierLevel.PROVINCIAL, y, 2, PRESS_DAY if y == 2024 else None)
      for y in (2021, 2022, 2023, 2024)],
    (LAOSHAN, TierKind.INNOVATIVE_SME, TierLevel.PROVINCIAL, 2023, 79, None),
    (LAOSHAN, TierKind.INNOVATIVE_SME, TierLevel.PROVINCIAL, 2024, 109, PRESS_DAY),
    (LAOSHAN, TierKind.SEEDLING, TierLevel.CITY, 2023, 60, None),
    # 即墨区: 80 高企 new in 2017, 134 in 2018
    (JIMO, TierKind.HIGH_TECH, TierLevel.NATIONAL, 2017, 80, None),
    (JIMO, TierKind.HIGH_TECH, TierLevel.NATIONAL, 2018, 134, None),
    # 市北区 2023: 55 高企; the 培育库 8 by the end of 2023 (檬豆 and one more in 2023)
    (SHIBEI, TierKind.HIGH_TECH, TierLevel.NATIONAL, 2022, 40, None),
    (SHIBEI, TierKind.HIGH_TECH, TierLevel.NATIONAL, 2023, 55, None),
    (SHIBEI, TierKind.IPO_POOL, TierLevel.CITY, 2021, 3, None),
    (SHIBEI, TierKind.IPO_POOL, TierLevel.CITY, 2022, 3, None),
    (SHIBEI, TierKind.IPO_POOL, TierLevel.CITY, 2023, 2, None),
    (SHIBEI, TierKind.LITTLE_GIANT, TierLevel.NATIONAL, 2023, 2, None),
    (SHIBEI, TierKind.GAZELLE, TierLevel.PROVINCIAL, 2023, 2, None),
]

#: the firm a later tier is given to comes from the firms of an earlier one, as firms climb
CLIMB_FROM = {TierKind.IPO_POOL: TierKind.HIGH_TECH, TierKind.LITTLE_GIANT: TierKind.SRDI_SME,
              TierKind.GAZELLE: TierKind.HIGH_TECH, TierKind.UNICORN: TierKind.GAZELLE,
              TierKind.HIGH_TECH: TierKind.SEEDLING}

WORDS = ["海", "蓝", "智", "创", "科", "源", "星", "光", "华", "瑞", "泰", "恒", "达", "信", "融", "联", "新", "云",
         "康", "宇", "航", "芯", "微", "博", "合", "盛", "景", "润", "鼎", "锐"]
TRADES = ["生物科技", "信息技术", "智能装备", "新材料", "医疗器械", "软件", "海洋科技", "检测技术", "电子", "数据科技"]


def build(rng: random.Random, regions: dict, chains: dict, parks: dict, admins: dict, commissioner=None,
          today: dt.date | None = None) -> dict[str, int]:
    """``admins``: a district code -> the user the records are made by (its administrator, or the
    city's); ``commissioner``: a unit's user who serves some of 崂山区's firms. Returns counts."""
    made = {"real_firms": 0, "generated_firms": 0, "recognitions": 0}
    for spec in REAL_FIRMS:
        firm = services.create_enterprise(admins[spec["region"]], {
            "name": spec["name"], "region": regions[spec["region"]], "source": Source.SEED,
            "source_doc": spec["source_doc"]})
        for tier in spec["tiers"]:  # the year only: the report gives no day
            services.recognise(admins[spec["region"]], firm, {**tier, "source": Source.SEED,
                                                              "source_doc": spec["source_doc"]})
            made["recognitions"] += 1
        made["real_firms"] += 1
    holders: dict[tuple[str, str], list] = {}
    names: set[str] = set()
    for code, kind, level, year, count, until in PLAN:
        user, region = admins[code], regions[code]
        real = [r for r in REAL_FIRMS if r["region"] == code and any(
            t["kind"] == kind and t["year"] == year for t in r["tiers"])]
        count -= len(real)  # the real firm is one of the report's count
        pool = [f for f in holders.get((code, CLIMB_FROM.get(kind, "")), [])
                if f.pk not in {g.pk for g in holders.get((code, kind), [])}]
        rng.shuffle(pool)
        for i in range(count):
            firm = pool[i] if i < len(pool) and rng.random() < 0.7 else _new_firm(
                rng, user, region, chains.get(code, {}), parks.get(code, {}), names, made)
            last = until or dt.date(year, 12, 31)
            start = dt.date(year, 1, 1)
            day = start + dt.timedelta(days=rng.randrange((last - start).days + 1))
            services.recognise(user, firm, {"kind": kind, "level": level, "year": year, "effective": day,
                                            "batch": f"{year}年第{rng.choice('一二')}批",
                                            "source": Source.GENERATED})
            made["recognitions"] += 1
            holders.setdefault((code, kind), []).append(firm)
    _rules()
    _figures(rng, admins[LAOSHAN], holders.get((LAOSHAN, TierKind.INNOVATIVE_SME), [])[:80])
    if commissioner is not None:
        made["demands"] = _service(rng, admins[LAOSHAN], commissioner,
                                   holders.get((LAOSHAN, TierKind.LITTLE_GIANT), []), today or dt.date.today())
    return made


def _service(rng, admin, commissioner, firms, today: dt.date) -> int:
    """The commissioner's firms, their visits (one planned by two departments, to merge) and 诉求 at
    every step, some late."""
    from django.utils import timezone

    from taizhang.enterprises.choices import DemandCategory

    asks = [("finance", "申请科技成果转化贷款贴息,需协调合作银行"), ("talent", "研发人员子女入学咨询"),
            ("land", "扩产需新增厂房约3000平方米"), ("permit", "新产线环评审批进度"),
            ("policy", "咨询专精特新“小巨人”复核材料要求"), ("infra", "园区双回路供电改造")]
    made = 0
    for i, firm in enumerate(firms[:12]):
        services.assign_commissioner(admin, firm, commissioner)
        services.log_visit(commissioner, firm, {"date": today - dt.timedelta(days=3 + 5 * i), "done": True,
                                                "purpose": "走访了解生产经营情况", "notes": "企业经营正常(演示)"})
        if i < 2:  # planned by two departments in the same week: the calendar offers to merge
            services.log_visit(commissioner, firm, {"date": today + dt.timedelta(days=5), "purpose": "政策宣讲"})
            services.log_visit(admin, firm, {"date": today + dt.timedelta(days=7), "purpose": "统计报表辅导",
                                             "unit": admin.region.units.exclude(pk=commissioner.unit_id).first()})
        if i < len(asks):
            category, text = asks[i]
            received = timezone.now() - dt.timedelta(days=rng.choice((1, 4, 9, 20)), hours=rng.randint(0, 8))
            demand = services.raise_demand(commissioner, firm, {
                "category": DemandCategory(category), "content": text + "(演示)", "unit": commissioner.unit,
                "channel": "走访", "received_at": received})
            made += 1
            if i % 3 != 2:
                demand = services.acknowledge_demand(commissioner, demand,
                                                     now=received + dt.timedelta(hours=rng.choice((1, 5))))
            if i % 3 == 0:
                demand = services.answer_demand(commissioner, demand, "已对接相关部门,正在办理(演示)",
                                                now=received + dt.timedelta(days=2))
                if i == 0:
                    services.resolve_demand(admin, demand, rating=5, now=received + dt.timedelta(days=6))
        if i < 3:  # 一企一策, written by the commissioner, one measure the other department's
            _strategy(admin, commissioner, firm, today, firm.demands.first())
    return made


def _strategy(admin, commissioner, firm, today: dt.date, demand) -> None:
    other = admin.region.units.exclude(pk=commissioner.unit_id).first() or commissioner.unit
    strategy = services.save_strategy(commissioner, firm, today.year, "巩固专精特新“小巨人”资格,年内申报单项冠军(演示)")
    services.save_measure(commissioner, strategy, {
        "content": "对接合作银行,落实科技成果转化贷款贴息(演示)", "unit": commissioner.unit,
        "deadline": today + dt.timedelta(days=30), "demands": [demand] if demand else []})
    services.save_measure(commissioner, strategy, {
        "content": "辅导准备单项冠军申报材料(演示)", "unit": other, "deadline": today + dt.timedelta(days=90),
        "status": MeasureStatus.ACTIVE, "progress": "已完成材料清单梳理(演示)"})
    earlier = max(today - dt.timedelta(days=10), dt.date(today.year, 1, 1))  # a plan's measures are of its year
    services.save_measure(admin, strategy, {
        "content": "协调扩产用地选址(演示)", "unit": other, "deadline": earlier, "status": MeasureStatus.DONE},
        today=earlier)


def _new_firm(rng, user, region, chains, parks, names, made):
    while True:
        name = f"青岛{''.join(rng.sample(WORDS, 2))}{rng.choice(TRADES)}有限公司"
        if name not in names:
            names.add(name)
            break
    firm = services.create_enterprise(user, {
        "name": name, "region": region, "source": Source.GENERATED,
        "chain": rng.choice(list(chains.values())) if chains and rng.random() < 0.7 else None,
        "park": rng.choice(list(parks.values())) if parks and rng.random() < 0.4 else None,
        "established": dt.date(rng.randint(2000, 2020), rng.randint(1, 12), rng.randint(1, 28))})
    made["generated_firms"] += 1
    return firm


def _rules() -> None:
    """The thresholds a firm is measured against for the next tier. The 专精特新 one is the ministry's
    (its measurable part); the gazelle one is an example, named as such."""
    srdi = RuleSet.objects.create(
        kind=TierKind.SRDI_SME, level=TierLevel.PROVINCIAL, first_year=2022,
        name="专精特新中小企业认定条件(可量化部分)",
        source_doc="工业和信息化部《优质中小企业梯度培育管理暂行办法》(工信部企业〔2022〕63号)",
        note="仅含可量化的门槛:从事特定细分市场2年以上;上年度研发费用不低于100万元且占营业收入不低于3%;"
             "上年度营业收入1000万元以上。未含:近2年新增股权融资2000万元以上的替代条件、评价得分60分以上。")
    for metric, threshold in ((Metric.YEARS, "2"), (Metric.RD_EXPENSE, "100"), (Metric.RD_INTENSITY, "3"),
                              (Metric.REVENUE, "1000")):
        Criterion.objects.create(ruleset=srdi, metric=metric, op=Op.GTE, threshold=Decimal(threshold))
    gazelle = RuleSet.objects.create(kind=TierKind.GAZELLE, level=TierLevel.PROVINCIAL, first_year=2022,
                                     name="瞪羚企业示例条件(演示,非官方)",
                                     note="演示用:各省市瞪羚企业认定条件不同,请按本地文件录入。")
    for metric, threshold, group in ((Metric.REVENUE, "2000", ""), (Metric.REVENUE_GROWTH, "20", ""),
                                     (Metric.INVENTION_PATENTS, "2", "ip"), (Metric.IP_RIGHTS, "10", "ip")):
        Criterion.objects.create(ruleset=gazelle, metric=metric, op=Op.GTE, threshold=Decimal(threshold),
                                 group=group)


def _figures(rng, user, firms) -> None:
    """Two years of figures for some generated firms, so the gap pages have something to measure,
    each department's as one report through the figures' one writer (as its sheet would be)."""
    reports: dict[tuple[int, str], list] = {}
    for firm in firms:
        revenue = Decimal(rng.randint(600, 6000))
        for year, factor in ((2023, Decimal("1")), (2024, Decimal(rng.randint(95, 135)) / 100)):
            value = (revenue * factor).quantize(Decimal("1"))
            reports.setdefault((year, "区统计局(演示)"), []).append((firm, Metric.REVENUE, value))
            if year == 2024:
                rd = (value * Decimal(rng.randint(15, 60)) / 1000).quantize(Decimal("1"))
                reports.setdefault((year, "区科技局(演示)"), []).append((firm, Metric.RD_EXPENSE, rd))
                reports.setdefault((year, "区市场监管局(演示)"), []).append(
                    (firm, Metric.INVENTION_PATENTS, rng.randint(0, 6)))
    for (year, department), entries in reports.items():
        services.record_figures(user, year, entries, department=department)
