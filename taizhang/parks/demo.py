"""The parks part of the demo district (崂山区): the four professional parks' profiles, the
buildings the seeds name (their unknown figures left empty: no units, no tenants, no tax), and
generated buildings (marked 演示) whose tenancies give plausible occupancy and whose tenants'
tax puts three of them over 1亿元 in the latest complete year — the seed's "新培育税收过亿元楼宇3座";
and one year's 亩均 evaluation of generated firms (演示), on 公示 with an objection to review.
Everything goes through the services, deterministically (a seeded random)."""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal as D

from openpyxl import Workbook

from taizhang.enterprises.services import create_enterprise
from taizhang.projects.validators import credit_code_check_char

from . import evaluation as ev
from . import services
from .choices import BuildingKind, Department, Source

SEED_001 = "001_6c350b1063970f34.txt"  # 崂山区 2024: 4个专业化园区, 新培育税收过亿元楼宇3座
SEED_003 = "003_4d90ecaaaaa7b24b.txt"  # 崂山区 2019 government report: 特色产业楼宇, 微电子产业园

#: park → (chain, the seed that names the park, or "" when only the demo does)
PARK_PROFILES = {
    "青岛市虚拟现实产业园": ("虚拟现实", SEED_001),
    "青岛市人工智能产业园": ("人工智能", SEED_001),
    "崂山区微电子产业园": ("集成电路", SEED_003),
    "崂山区生物医药产业园": ("生物医药", ""),
}
#: buildings the seeds name, with what they say and nothing more
REAL_BUILDINGS = [
    {"name": "智慧产业大厦", "kind": BuildingKind.FEATURED, "source_doc": SEED_003},
    {"name": "虚拟现实大厦", "kind": BuildingKind.FEATURED, "theme": "虚拟现实", "source_doc": SEED_003},
    {"name": "千山大厦", "kind": BuildingKind.FEATURED, "source_doc": SEED_003},
    # "建筑面积约35万平方米的专业化楼宇" on 株洲路 (an approximate figure, as the seed gives it)
    {"name": "青岛虚拟现实整机和光学模组项目楼宇", "kind": BuildingKind.INDUSTRIAL, "theme": "虚拟现实",
     "gross_area_m2": D("350000"), "address": "株洲路", "source_doc": SEED_001},
]
#: generated buildings: (name, park, kind, floors, units per floor, unit area, tax path)
GENERATED_BUILDINGS = [
    ("虚拟现实创新大厦(演示)", "青岛市虚拟现实产业园", BuildingKind.FEATURED, 12, 4, 450, "rising"),
    ("VR光学智造楼(演示)", "青岛市虚拟现实产业园", BuildingKind.INDUSTRIAL, 6, 2, 1200, "small"),
    ("人工智能应用大厦(演示)", "青岛市人工智能产业园", BuildingKind.FEATURED, 15, 4, 400, "rising"),
    ("算法与算力中心(演示)", "青岛市人工智能产业园", BuildingKind.FEATURED, 8, 3, 500, "small"),
    ("微电子封测楼(演示)", "崂山区微电子产业园", BuildingKind.INDUSTRIAL, 5, 2, 1500, "rising"),
    ("生物医药孵化楼(演示)", "崂山区生物医药产业园", BuildingKind.INDUSTRIAL, 6, 3, 800, "small"),
]


def _code(n: int) -> str:
    first = f"91370212{n:09d}"
    return first + credit_code_check_char(first)


def _sheet(header: list[str], rows: list[list]) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def build_parks(rng: random.Random, region, chains: dict, parks: dict, admin, today: dt.date) -> dict[str, int]:
    """``chains`` and ``parks`` by name for 崂山区; ``admin`` is its district administrator."""
    for name, (chain, seed) in PARK_PROFILES.items():
        if name in parks:
            services.save_park_profile(admin, parks[name], {
                "chain": chains.get(chain), "source": Source.REAL if seed else Source.GENERATED,
                "source_doc": seed, "description": "" if seed else "演示:园区概况为生成数据"})
    for spec in REAL_BUILDINGS:
        services.create_building(admin, {"region": region, "source": Source.REAL, **spec})
    latest = today.year - 1  # the latest complete year
    firms, n = [], 900_000_000
    buildings = []
    for name, park, kind, floors, per_floor, area, path in GENERATED_BUILDINGS:
        industrial = kind == BuildingKind.INDUSTRIAL
        building = services.create_building(admin, {
            "region": region, "park": parks.get(park), "name": name, "kind": kind, "source": Source.GENERATED,
            "gross_area_m2": D(floors * per_floor * area) * D("1.25"), "floors": floors,
            "floor_load_kn": D("8.0") if industrial else D("3.5"), "ceiling_m": D("5.4") if industrial else D("3.9"),
            "freight_lifts": 2 if industrial else 1, "freight_lift_kg": 3000 if industrial else 1600,
            "opened": dt.date(latest - 3, 6, 1)})
        units = [services.add_unit(admin, building, {
            "floor": f, "code": f"{f}{u + 1:02d}", "area_m2": D(area + rng.randint(-40, 40)),
            "asking_rent": D(rng.choice([35, 40, 45, 50, 60]))}) for f in range(1, floors + 1) for u in range(per_floor)]
        rate = rng.uniform(0.78, 0.93)  # 6座特色楼宇平均入驻率85%以上 is 市北区's; ours are in that range
        tenants = []
        for unit in units:
            if rng.random() > rate:
                continue
            n += 1
            firm = create_enterprise(admin, {"name": f"{name[:4]}入驻企业{n % 10000:04d}(演示)",
                                             "credit_code": _code(n), "region": region, "park": parks.get(park),
                                             "source": "generated", "scale": rng.choice(["above", "below"])})
            start = dt.date(latest - rng.randint(1, 3), rng.randint(1, 12), 1)
            end = None
            if rng.random() < 0.12:  # some moved out in the current year: occupancy warnings have something
                end = dt.date(today.year, max(1, today.month - rng.randint(1, 3)), 1) - dt.timedelta(days=1)
            services.lease(admin, unit, firm, start, end, rent=unit.asking_rent, source=Source.GENERATED)
            tenants.append(firm)
        firms.extend(tenants)
        buildings.append((building, tenants, path))
    # monthly tax: the rising buildings from about 8,400 万元 in the year before the latest to about
    # 11,400 in the latest (newly over 1亿), the others a few hundred to a few thousand
    months = [(y, m) for y in (latest - 1, latest, today.year) for m in range(1, 13)
              if (y, m) < (today.year, today.month)]
    per_firm: dict[int, dict] = {}
    for _building, tenants, path in buildings:
        if not tenants:
            continue
        for y, m in months:
            total = (D(700) if y < latest else D(950)) if path == "rising" else D(rng.randint(30, 250))
            shares = [rng.uniform(0.5, 1.5) for _ in tenants]
            whole = sum(shares)
            for firm, share in zip(tenants, shares, strict=True):
                per_firm.setdefault(firm.pk, {})[(y, m)] = (total * D(share / whole)).quantize(D("0.01"))
    codes = {f.pk: f.credit_code for f in firms}
    for y, m in months:
        rows = [(codes[pk], series[(y, m)]) for pk, series in per_firm.items() if (y, m) in series]
        services.record_firm_taxes(admin, region, y, m, rows, source_doc="演示:生成的月度税收")
    evaluation = _evaluation(rng, region, admin, latest, today)
    return {"buildings": len(REAL_BUILDINGS) + len(buildings), "tenants": len(firms),
            "evaluated_firms": evaluation.results.count()}


def _evaluation(rng: random.Random, region, admin, year: int, today: dt.date):
    """One year's evaluation of 150 generated industrial firms under 黄岩区's published formula."""
    firms = [create_enterprise(admin, {"name": f"演示制造企业{i:03d}(演示)", "credit_code": _code(950_000_000 + i),
                                       "region": region, "source": "generated",
                                       "scale": "above" if i % 3 == 0 else "below",
                                       "established": dt.date(year - (1 if i % 25 == 0 else rng.randint(3, 20)),
                                                              rng.randint(1, 12), 1)})
             for i in range(1, 151)]
    stats, tax = [], []
    for i, f in enumerate(firms, start=1):
        cert = 0 if i % 10 == 0 else round(rng.uniform(3, 60), 2)
        leased = round(rng.uniform(1, 5), 2) if i % 10 == 0 else 0
        va = round(rng.uniform(200, 15000), 2)
        stats.append([f.name, f.credit_code, cert, leased, va, round(va * rng.uniform(2.5, 5), 2),
                      round(va * rng.uniform(0, 0.05), 2), round(rng.uniform(50, 4000), 2),
                      round(rng.uniform(0.05, 3), 3) if i % 12 else None, rng.randint(20, 600)])
        tax.append([f.name, f.credit_code, round(rng.uniform(5, 2500), 2), round(rng.uniform(20, 3000), 2)])
    batches = [
        ev.import_figures(admin, region, year, Department.STATS, _sheet(
            ["企业名称", "统一社会信用代码", "证载用地面积", "租赁用地面积", "工业增加值", "营业收入", "研发经费支出",
             "综合能耗", "主要污染物排放量", "年平均职工人数"], stats), "演示-统计局.xlsx"),
        ev.import_figures(admin, region, year, Department.TAX, _sheet(
            ["企业名称", "统一社会信用代码", "实缴税收", "用电量"], tax), "演示-税务局.xlsx")]
    for b in batches:
        ev.review_batch(admin, b, accept=True)
    below = {"a_share": D("25"), "ab_share": D("70"), "d_share": D("5"), "indicators": [
        {"key": "tax_per_mu", "weight": D("50"), "fixed_value": D("11.5932")},
        {"key": "tax_per_kwh", "weight": D("50"), "fixed_value": D("0.2352")}]}
    scheme = ev.save_scheme(admin, region, {
        "name": "工业企业亩均效益综合评价(演示)", "transition_years": 2,
        "source_doc": "演示:指标与基准值取自黄岩区2022年度《工业企业综合评价得分计算说明》",
        "source_url": "https://www.chacewang.com/newsdetail/news430850.html"}, {
        "above": {"a_share": D("25"), "ab_share": D("70"), "d_share": D("5"), "indicators": [
            {"key": "tax_per_mu", "weight": D("30"), "fixed_value": D("24.097")},
            {"key": "va_per_mu", "weight": D("20"), "fixed_value": D("136.16")},
            {"key": "va_per_energy", "weight": D("20"), "fixed_value": D("2.694")},
            {"key": "va_per_emission", "weight": D("10"), "fixed_value": D("4929.81"), "missing": "pool_average"},
            {"key": "labour_productivity", "weight": D("10"), "fixed_value": D("18.14")},
            {"key": "rd_ratio", "weight": D("10"), "fixed_value": D("0.0302")}]},
        "below_large": below, "below_small": below, "leased": below})
    evaluation = ev.create_evaluation(admin, region, year, scheme, note="演示数据")
    ev.run_evaluation(admin, evaluation)
    ev.publish(admin, evaluation, today - dt.timedelta(days=3), today + dt.timedelta(days=4), note="演示公示")
    last = evaluation.results.filter(klass="D").select_related("enterprise").first()
    if last is not None:
        ev.lodge_objection(admin, evaluation, last.enterprise, {
            "metric": "tax", "claimed_value": D("1800"), "content": "演示:企业称分支机构税收未计入",
            "contact": "演示联系人"}, today=today)
    return evaluation
