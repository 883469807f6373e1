"""The demo district: Qingdao's districts, the real projects the seed reports name,
and generated projects (marked as such) sized so each district's totals look like
its reports. Everything is deterministic (a fixed random seed).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from taizhang.accounts.choices import Role
from taizhang.core.history import change_context
from taizhang.demo import firms as demo_firms
from taizhang.parks.demo import build_parks
from taizhang.projects.choices import (
    STAGE_ORDER,
    Category,
    DataSource,
    Level,
    Nature,
    Origin,
    ProblemCategory,
    ProblemStatus,
    Stage,
)
from taizhang.projects.models import AnnualPlan, MonthlyProgress, Problem, Project, StageChange
from taizhang.regions import data as region_data
from taizhang.regions.choices import RegionLevel, UnitKind
from taizhang.regions.models import IndustryChain, Region, Unit

from . import indicators

DEMO_PASSWORD = "taizhang-demo"

SEED_001 = "001_6c350b1063970f34.txt"  # 崂山区 2024 plan article
SEED_002 = "002_1efeef788511bbb6.txt"  # 李沧区 2022 review
SEED_003 = "003_4d90ecaaaaa7b24b.txt"  # 即墨区 2019 work report + Qingdao investment news
SEED_004 = "004_783a20e69d1b9b74.txt"  # 市北区 2023 review

PARKS = {
    "370212": ["青岛市虚拟现实产业园", "青岛市人工智能产业园", "崂山区生物医药产业园", "崂山区微电子产业园"],
    "370213": ["医养健康产业园"],
    "370687": ["海阳经济开发区"],
    "370215": ["青岛蓝谷", "汽车产业新城"],
}

CHAINS = {
    "370212": ["虚拟现实", "人工智能", "软件和信息服务", "生物医药", "机器视觉", "集成电路", "现代金融"],
    "370213": ["数字经济", "医养健康", "现代金融", "新能源"],
    "370203": ["现代金融", "数字经济", "海洋科技", "邮轮文旅"],
    "370215": ["汽车", "海洋科技", "纺织服装", "智能制造"],
}
DEFAULT_CHAINS = ["先进制造", "数字经济", "现代服务"]

UNITS = ["发展和改革局", "投资促进中心", "科学技术局", "住房和城乡建设局", "自然资源局"]
STREETS = {
    "370212": ["中韩街道", "沙子口街道", "王哥庄街道", "北宅街道", "金家岭街道"],
    "370213": ["浮山路街道", "李村街道", "虎山路街道", "九水街道"],
}

# Real projects named by the seeds, with only the figures the seeds give
# (万元; 0 where a report names a project without its investment).
REAL_PROJECTS = [
    dict(region="370213", name="中化·云谷项目", total=Decimal("521200"), stage=Stage.STARTED, park=None, chain="数字经济", level=Level.MUNICIPAL,
         content="以数字经济产业为龙头、总部经济为核心,位于浮山路街道;报道称总投资52.12亿元",
         source_doc=SEED_002),
    dict(region="370213", name="联东U谷青岛中心项目", total=Decimal("300000"), stage=Stage.STARTED, chain="数字经济", level=Level.MUNICIPAL,
         content="报道称投资30亿元,2022年开工建设", source_doc=SEED_002),
    dict(region="370213", name="人民金服青岛中心项目", total=Decimal("0"), stage=Stage.STARTED, chain="现代金融", level=Level.MUNICIPAL,
         content="报道称与中化云谷项目合计投资102亿元,未单列本项目投资", source_doc=SEED_002),
    dict(region="370213", name="医养健康产业园", total=Decimal("0"), stage=Stage.STARTED, park="医养健康产业园", chain="医养健康",
         content="报道称总面积155.7万平方米", source_doc=SEED_002),
    dict(region="370212", name="青岛虚拟现实整机和光学模组项目", total=Decimal("0"),
         stage=Stage.OPERATING, park="青岛市虚拟现实产业园",
         chain="虚拟现实", level=Level.MUNICIPAL, nature=Nature.NEW,
         content="株洲路,建筑面积约35万平方米的专业化楼宇,从签约落地到部分投产用时一年左右",
         source_doc=SEED_001),
    dict(region="370212", name="青岛虚拟现实创享中心项目", total=Decimal("0"), stage=Stage.STARTED, park="青岛市虚拟现实产业园", chain="虚拟现实",
         level=Level.MUNICIPAL, content="株洲路,预计2024年3月部分交付,年内建成投用", source_doc=SEED_001),
    dict(region="370212", name="观海文创产业园", total=Decimal("0"), stage=Stage.STARTED, content="株洲路,2023年12月举行开工仪式", source_doc=SEED_001),
    dict(region="370212", name="虚拟现实产业园总部基地", total=Decimal("0"), stage=Stage.SIGNED, park="青岛市虚拟现实产业园", chain="虚拟现实",
         content="计划2024年内开工建设", source_doc=SEED_001, planned_start=dt.date(2024, 12, 31)),
    dict(region="370212", name="崂山区人民医院", total=Decimal("0"), stage=Stage.SIGNED, category=Category.LIVELIHOOD,
         content="计划2024年内开工建设", source_doc=SEED_001, planned_start=dt.date(2024, 12, 31)),
    dict(region="370212", name="崂山文化艺术中心", total=Decimal("0"), stage=Stage.SIGNED, category=Category.URBAN_RENEWAL,
         content="张村河片区城市地标,计划2024年内开工建设", source_doc=SEED_001,
         planned_start=dt.date(2024, 12, 31)),
    dict(region="370212", name="若七文化艺术综合体", total=Decimal("0"), stage=Stage.STARTED, category=Category.LIVELIHOOD,
         content="计划2024年内建成投用", source_doc=SEED_001, planned_completion=dt.date(2024, 12, 31)),
    dict(region="370212", name="新华锦小蓬莱国际康复医院", total=Decimal("0"), stage=Stage.STARTED, category=Category.LIVELIHOOD,
         content="计划2024年内建成投用", source_doc=SEED_001, planned_completion=dt.date(2024, 12, 31)),
    dict(region="370203", name="国寿嘉园青岛长者公寓项目", total=Decimal("0"), stage=Stage.REGISTERED, category=Category.LIVELIHOOD, chain="现代金融",
         content="报道称2023年完成投资2.1亿元并注册", source_doc=SEED_004),
    dict(region="370203", name="青岛沅信医疗项目", total=Decimal("10000"), stage=Stage.REGISTERED, content="报道称投资1亿元,2023年注册", source_doc=SEED_004),
    dict(region="370687", name="青岛易科项目", total=Decimal("8000"), stage=Stage.SIGNED, park="海阳经济开发区", level=Level.ORDINARY,
         builder="青岛易科空调工程材料有限公司",
         content="中央空调核心零部件生产;2019年11月与海阳市人民政府签署项目落地协议,建成后预计年产值可达1亿元",
         source_doc=SEED_003),
    dict(region="370215", name="联东U谷(即墨)", total=Decimal("0"), stage=Stage.STARTED, chain="智能制造", content="2019年计划建成投产", source_doc=SEED_003),
    dict(region="370215", name="三迪时空创新基地", total=Decimal("0"), stage=Stage.SIGNED, content="2019年计划开工建设", source_doc=SEED_003),
    dict(region="370215", name="国信金融中心", total=Decimal("0"), stage=Stage.STARTED, chain="智能制造", content="2018年开工建设", source_doc=SEED_003),
    dict(region="370215", name="宜家家居", total=Decimal("0"), stage=Stage.STARTED, content="2018年开工建设", source_doc=SEED_003),
    dict(region="370215", name="黄海制药三期", total=Decimal("0"), stage=Stage.STARTED, content="2018年开工建设", source_doc=SEED_003),
]

# The dates the seeds give for a real project's stage, with their precision. Every other real
# project's stage date is unknown and stays unknown: nothing is invented about a real record.
KNOWN_STAGE_DATES = {
    "联东U谷青岛中心项目": (dt.date(2022, 1, 1), "year"),  # "2022年开工建设"
    "观海文创产业园": (dt.date(2023, 12, 1), "month"),  # "2023年12月举行开工仪式"
    "国寿嘉园青岛长者公寓项目": (dt.date(2023, 1, 1), "year"),  # "2023年…注册"
    "青岛沅信医疗项目": (dt.date(2023, 1, 1), "year"),  # "2023年注册"
    "青岛易科项目": (dt.date(2019, 11, 1), "month"),  # "2019年11月…签署项目落地协议"
    "国信金融中心": (dt.date(2018, 1, 1), "year"),  # "2018年开工建设"
    "宜家家居": (dt.date(2018, 1, 1), "year"),
    "黄海制药三期": (dt.date(2018, 1, 1), "year"),
}

# What each district's reports say of its key projects: (count, total 万元), the
# generated projects fill up to these. Districts whose seeds give no totals get a modest book.
TARGETS = {
    "370212": (315, Decimal("23000000"), "崂山区2024年:总投资约2300亿元的315个重点项目(种子001)"),
    "370203": (100, Decimal("6000000"), "市北区2023年:100个省市区重点项目(种子004)"),
    "370215": (115, Decimal("11000000"), "即墨区2019年:总投资1100亿元的115个项目(种子003)"),
    "370213": (60, Decimal("3500000"), "演示生成"),
}
DEFAULT_TARGET = (40, Decimal("1500000"), "演示生成")

GENERATED_NAMES = [
    "{chain}产业基地", "{chain}创新中心", "{chain}研发总部", "{chain}智能制造", "{chain}产业园二期",
    "{street}片区城市更新", "{street}安置区", "{street}综合体", "{street}学校", "{street}道路改造",
]


def _wan(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def build(today: dt.date | None = None, seed: int = 20241121) -> dict[str, int]:
    """Fill an empty database with the demo. Returns counts of what it made."""
    today = today or timezone.localdate()
    rng = random.Random(seed)
    with change_context(None, "演示数据"):
        regions = _regions()
        units, chains, parks = _catalogues(regions)
        users = _users(regions, units)
        real = _real_projects(regions, units, chains, parks)
        generated = _generated_projects(rng, regions, units, chains, parks, real, today)
        progress, problems = _plans_progress_problems(rng, generated, units, today)
        _reporting(rng, regions, units, users, today)
        by_name = {u.username: u for u in users}
        admins = {code: by_name["city_admin"] for code in regions}
        admins.update({"370212": by_name["laoshan_admin"], "370213": by_name["licang_admin"]})
        firms = demo_firms.build(rng, regions, chains, parks, admins, commissioner=by_name["laoshan_unit"],
                                 today=today)
        made = indicators.build(rng, regions, units, users, today)
        laoshan_admin = next(u for u in users if u.username == "laoshan_admin")
        space = build_parks(rng, regions["370212"], chains["370212"], parks["370212"], laoshan_admin, today)
    return {**firms, **made,
        "regions": len(regions), "users": len(users), "real_projects": len(real),
        "generated_projects": len(generated), "progress_reports": progress, "problems": problems, **space,
    }


def _regions() -> dict[str, Region]:
    code, name, short = region_data.PROVINCE
    province = Region.objects.create(code=code, name=name, short_name=short, level=RegionLevel.PROVINCE)
    out = {code: province}
    for code, name, short in region_data.CITIES:
        out[code] = Region.objects.create(code=code, name=name, short_name=short,
                                          level=RegionLevel.CITY, parent=province)
    for code, name, short, city in region_data.DISTRICTS:
        out[code] = Region.objects.create(code=code, name=name, short_name=short,
                                          level=RegionLevel.DISTRICT, parent=out[city])
    return out


def _catalogues(regions):
    units, chains, parks = {}, {}, {}
    for code, region in regions.items():
        if region.level != RegionLevel.DISTRICT:
            continue
        units[code] = [Unit.objects.create(name=f"{region.short_name}区{u}" if region.name.endswith("区")
                                           else f"{region.short_name}市{u}", region=region,
                                           contact_person=f"{u[:2]}联络员", contact_phone="0532-8000000")
                       for u in UNITS]
        for street in STREETS.get(code, []):
            units[code].append(Unit.objects.create(name=f"{street}办事处", region=region, kind=UnitKind.STREET))
        chains[code] = {n: IndustryChain.objects.create(region=region, name=n)
                        for n in CHAINS.get(code, DEFAULT_CHAINS)}
        parks[code] = {}
        for i, name in enumerate(PARKS.get(code, []), start=1):
            parks[code][name] = Region.objects.create(code=f"P{code}{i:02d}", name=name,
                                                      level=RegionLevel.PARK, parent=region)
    return units, chains, parks


def _users(regions, units):
    User = get_user_model()
    specs = [
        ("city_admin", "青岛市管理员", Role.CITY_ADMIN, "370200", None),
        ("city_leader", "青岛市领导", Role.LEADER, "370200", None),
        ("laoshan_admin", "崂山区管理员", Role.DISTRICT_ADMIN, "370212", None),
        ("laoshan_reporter", "崂山区填报员", Role.DISTRICT_REPORTER, "370212", None),
        ("laoshan_leader", "崂山区领导", Role.LEADER, "370212", None),
        ("laoshan_unit", "崂山区投资促进中心", Role.UNIT_USER, "370212", 1),
        ("licang_admin", "李沧区管理员", Role.DISTRICT_ADMIN, "370213", None),
        ("licang_reporter", "李沧区填报员", Role.DISTRICT_REPORTER, "370213", None),
    ]
    users = []
    for username, full_name, role, code, unit_index in specs:
        user = User(username=username, full_name=full_name, role=role, region=regions[code],
                    unit=units[code][unit_index] if unit_index is not None else None,
                    is_staff=False, is_superuser=False)
        user.set_password(DEMO_PASSWORD)
        user.save()
        users.append(user)
    return users


def _real_projects(regions, units, chains, parks):
    from taizhang.projects.services import initial_history

    made = []
    for spec in REAL_PROJECTS:
        code = spec["region"]
        project = Project(
            name=spec["name"], region=regions[code],
            park=parks[code].get(spec.get("park")) if spec.get("park") else None,
            chain=chains[code].get(spec.get("chain")) if spec.get("chain") else None,
            builder=spec.get("builder", ""), total_investment=spec["total"],
            level=spec.get("level", Level.DISTRICT), category=spec.get("category", Category.INDUSTRY),
            nature=spec.get("nature", Nature.NEW), content=spec.get("content", ""),
            planned_start=spec.get("planned_start"), planned_completion=spec.get("planned_completion"),
            responsible_unit=units[code][1], source=DataSource.SEED, source_doc=spec["source_doc"],
        )
        date, precision = KNOWN_STAGE_DATES.get(spec["name"], (None, "day"))
        rows = initial_history(None, project, [{"to_stage": spec["stage"], "date": date, "precision": precision,
                                                "reason": f"据公开报道({spec['source_doc']})建档"}])
        project.save()
        for r in rows:
            r.project = project
        StageChange.objects.bulk_create(rows)
        made.append(project)
    return made


def _generated_projects(rng, regions, units, chains, parks, real, today):
    real_by_region: dict[str, list[Project]] = {}
    for p in real:
        real_by_region.setdefault(p.region.code, []).append(p)
    projects: list[Project] = []
    stage_weights = [(Stage.NEGOTIATING, 6), (Stage.SIGNED, 8), (Stage.REGISTERED, 6), (Stage.STARTED, 45),
                     (Stage.COMPLETED, 18), (Stage.OPERATING, 12), (Stage.SUSPENDED, 3), (Stage.LEAD, 2)]
    stages, weights = zip(*stage_weights, strict=True)
    for code, region in regions.items():
        if region.level != RegionLevel.DISTRICT:
            continue
        count, total, note = TARGETS.get(code, DEFAULT_TARGET)
        existing = real_by_region.get(code, [])
        n = max(count - len(existing), 0)
        remaining = total - sum(p.total_investment for p in existing)
        # Log-normal sizes: a few very large projects, many small ones, as in real books.
        raw = [rng.lognormvariate(0, 1.1) for _ in range(n)]
        scale = float(remaining) / sum(raw) if raw else 0
        chain_list = list(chains[code].values())
        park_list = list(parks[code].values())
        streets = STREETS.get(code, ["城区", "新城", "开发区"])
        for i, r in enumerate(raw):
            chain = rng.choice(chain_list)
            street = rng.choice(streets).replace("街道", "")
            template = GENERATED_NAMES[i % len(GENERATED_NAMES)]
            name = f"{template.format(chain=chain.name, street=street)}项目(演示{code[-2:]}-{i + 1:03d})"
            stage = rng.choices(stages, weights)[0]
            start = today.replace(day=1) - dt.timedelta(days=rng.randint(60, 900))
            start = start.replace(day=1)
            urban = "片区" in template or "安置" in template or "道路" in template or "学校" in template
            projects.append(Project(
                name=name, region=region, chain=None if urban else chain,
                park=rng.choice(park_list) if park_list and not urban and rng.random() < 0.4 else None,
                builder=f"青岛{chain.name}{'建设' if urban else '科技'}有限公司",
                origin=rng.choices([Origin.DOMESTIC, Origin.FOREIGN, Origin.HMT], [85, 10, 5])[0],
                nature=rng.choices([Nature.NEW, Nature.EXPANSION, Nature.RENOVATION, Nature.CONTINUED], [60, 15, 10, 15])[0],
                level=rng.choices([Level.PROVINCIAL, Level.MUNICIPAL, Level.DISTRICT], [8, 25, 67])[0],
                category=(rng.choice([Category.URBAN_RENEWAL, Category.LIVELIHOOD, Category.INFRASTRUCTURE])
                          if urban else Category.INDUSTRY),
                total_investment=_wan(r * scale),
                content="演示生成的项目,不对应真实项目",
                planned_start=start, planned_completion=start + dt.timedelta(days=rng.randint(365, 1100)),
                responsible_unit=rng.choice(units[code]), responsible_person=f"责任人{i % 37 + 1}",
                commissioner=f"专员{i % 19 + 1}", stage=stage,
                stage_date=start if stage not in (Stage.LEAD, Stage.NEGOTIATING) else today.replace(day=1),
                actual_start=start if stage in (Stage.STARTED, Stage.COMPLETED, Stage.OPERATING) else None,
                source=DataSource.GENERATED, source_doc=note,
            ))
    for p in projects:
        if p.stage not in (Stage.LEAD, Stage.NEGOTIATING):
            p.contract_amount = _wan(float(p.total_investment) * rng.uniform(0.6, 1.0))  # 合同引资
        if p.origin != Origin.DOMESTIC:
            p.foreign_investment = _wan(float(p.total_investment) / 7.1 * 0.6)
        if p.stage in (Stage.COMPLETED, Stage.OPERATING):
            p.actual_completion = min(p.actual_start + dt.timedelta(days=400), today)
    created = bulk_create_with_history(projects, Project, batch_size=500, default_change_reason="演示数据")
    created = list(Project.objects.filter(source=DataSource.GENERATED).select_related("region"))
    from taizhang.projects.services import initial_history

    changes = []
    for p in created:
        path = STAGE_ORDER[: STAGE_ORDER.index(p.stage) + 1] if p.stage in STAGE_ORDER else [Stage.SIGNED, p.stage]
        day = p.planned_start - dt.timedelta(days=30 * len(path))
        steps = []
        for s in path:
            when = p.actual_start if s == Stage.STARTED else (
                p.actual_completion if s == Stage.COMPLETED else day)
            when = min(when or day, today)
            steps.append({"to_stage": s, "date": when, "reason": "" if s in STAGE_ORDER else "演示:暂停"})
            day = when + dt.timedelta(days=20)
        changes.extend(initial_history(None, p, steps))  # the ledger's own rules check the history
    Project.objects.bulk_update(created, ["stage", "stage_date", "actual_start", "actual_completion"],
                                batch_size=500)
    StageChange.objects.bulk_create(changes, batch_size=2000)
    return created


def _reporting(rng, regions, units, users, today):
    """Earlier months approved and locked; last month open with reports at every step; a few 督办单."""
    from taizhang.reporting import services as reporting
    from taizhang.reporting.models import ReportingPeriod, SupervisionOrder

    months = _months_back(today, 24)
    last = months[-1]
    districts = [r for r in regions.values() if r.level == RegionLevel.DISTRICT]
    periods = []
    for region in districts:
        for y, m in months:
            periods.append(ReportingPeriod(region=region, year=y, month=m, deadline=reporting.deadline_for(region, y, m),
                                           status="locked" if (y, m) != last else "open"))
    ReportingPeriod.objects.bulk_create(periods)
    MonthlyProgress.objects.exclude(year=last[0], month=last[1]).update(status="approved")
    deadline = reporting.deadline_for(districts[0], *last)
    on_time = timezone.make_aware(dt.datetime.combine(min(deadline, today), dt.time(9)))
    for report in MonthlyProgress.objects.filter(year=last[0], month=last[1]).only("id"):
        step = rng.random()
        if step < 0.5:
            MonthlyProgress.objects.filter(pk=report.pk).update(status="submitted", submitted_at=on_time)
        elif step < 0.75:
            MonthlyProgress.objects.filter(pk=report.pk).update(status="approved", submitted_at=on_time)
    admin = next(u for u in users if u.username == "laoshan_admin")
    for problem in Problem.objects.filter(project__region__code="370212").overdue(today)[:3]:
        unit = problem.solving_unit or problem.project.responsible_unit
        SupervisionOrder.objects.create(source="problem", region=problem.project.region, project=problem.project,
                                        problem=problem, unit=unit, content=f"请尽快解决:{problem.description}",
                                        deadline=today + dt.timedelta(days=10), issued_by=admin)


def _months_back(today: dt.date, n: int):
    y, m = today.year, today.month
    out = []
    for _ in range(n):
        m -= 1
        if m == 0:
            y, m = y - 1, 12
        out.append((y, m))
    return list(reversed(out))


def _write_reports(reports: list[MonthlyProgress], today: dt.date) -> None:
    """The generated months go through the one writer of monthly figures, month by month, as a
    district would have reported them; figures are kept within what the rules allow."""
    from django.contrib.auth import get_user_model

    from taizhang.reporting.progress import Entry, write_reports

    system = get_user_model()(username="演示数据", is_superuser=True, is_active=True)  # not saved: no author
    spent: dict[int, Decimal] = {}
    funded: dict[int, Decimal] = {}
    by_month: dict[tuple, list[Entry]] = {}
    for r in sorted(reports, key=lambda r: (r.year, r.month)):
        p = r.project
        left = p.total_investment - spent.get(p.pk, Decimal("0"))
        investment = max(min(r.investment, left), Decimal("0"))
        spent[p.pk] = spent.get(p.pk, Decimal("0")) + investment
        funds = r.funds_domestic
        if p.contract_amount:
            funds = max(min(funds, p.contract_amount - funded.get(p.pk, Decimal("0"))), Decimal("0"))
        funded[p.pk] = funded.get(p.pk, Decimal("0")) + funds
        by_month.setdefault((r.year, r.month), []).append(Entry(
            p, r.year, r.month, {"investment": investment, "progress": r.progress, "funds_domestic": funds},
            explanation="演示数据:随机生成的月度投资"))
    for entries in by_month.values():
        write_reports(system, entries, today=today)


def _plans_progress_problems(rng, projects, units, today):
    months = _months_back(today, 24)
    years = sorted({y for y, _ in months})
    plans, reports, problems = [], [], []
    for p in projects:
        building = p.stage in (Stage.STARTED, Stage.COMPLETED, Stage.OPERATING)
        monthly = float(p.total_investment) * rng.uniform(0.012, 0.03)
        for y in years:
            # Plans as districts set them: the months the project builds that year at its pace,
            # some ambitious, some cautious.
            active = sum(
                1 for m in range(1, 13)
                if building and (y, m) >= (p.actual_start.year, p.actual_start.month)
                and not (p.actual_completion and (y, m) > (p.actual_completion.year, p.actual_completion.month))
            )
            planned = (monthly * active * rng.uniform(0.85, 1.25) if building
                       else float(p.total_investment) * rng.uniform(0, 0.1))
            plans.append(AnnualPlan(project=p, year=y, planned_investment=_wan(planned),
                                    planned_start_month=p.planned_start.month if p.planned_start.year == y else None))
        if not building:
            continue
        for y, m in months:
            if (y, m) < (p.actual_start.year, p.actual_start.month):
                continue
            if p.actual_completion and (y, m) > (p.actual_completion.year, p.actual_completion.month):
                continue
            if (y, m) == months[-1] and rng.random() < 0.12:
                continue  # some projects have not reported last month yet
            reports.append(MonthlyProgress(project=p, year=y, month=m,
                                           investment=_wan(monthly * rng.uniform(0.4, 1.6)),
                                           progress=rng.choice(["主体施工", "基础施工", "设备安装", "装饰装修", "室外配套"]),
                                           funds_domestic=_wan(monthly * rng.uniform(0.5, 1.2))))
        if rng.random() < 0.15:
            raised = today - dt.timedelta(days=rng.randint(10, 200))
            status = rng.choices(list(ProblemStatus), [4, 3, 5])[0]
            problems.append(Problem(
                project=p, category=rng.choice(list(ProblemCategory)),
                description=rng.choice(["用地指标尚未落实", "施工许可证办理中", "配套电力增容未完成",
                                        "融资到位慢", "周边拆迁未完成", "用工短缺"]),
                raised_on=raised, solving_unit=rng.choice(units[p.region.code]),
                deadline=raised + dt.timedelta(days=rng.randint(20, 90)), status=status,
                resolution="已协调解决" if status == ProblemStatus.SOLVED else "",
                resolved_on=min(raised + dt.timedelta(days=30), today) if status == ProblemStatus.SOLVED else None,
            ))
    AnnualPlan.objects.bulk_create(plans, batch_size=2000)
    _write_reports(reports, today)
    Problem.objects.bulk_create(problems, batch_size=2000)
    return len(reports), len(problems)
