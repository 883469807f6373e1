"""The demo's indicators and key tasks, made through the indicators app's services:

- the seeds are read into documents and facts as they are (real: each value keeps its sentence);
- ledger indicators of 崂山区, 李沧区 and 市北区 are computed from the demo ledger, with the
  year's plan as the target of 重点项目完成投资 (the plan is what the district set itself);
- 崂山区's key-task list is generated (marked 演示) with a year of monthly updates, some late,
  some silent, one escalated by a 督办单.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from django.utils import timezone

from taizhang.indicators import services
from taizhang.indicators.catalogue import ensure_standard_catalogue
from taizhang.indicators.choices import TaskOrigin
from taizhang.indicators.models import Indicator
from taizhang.reporting.services import deadline_for

#: the seed reports, beside the project (``TAIZHANG_SEEDS`` to point elsewhere)
SEEDS = Path(os.environ.get("TAIZHANG_SEEDS") or Path(__file__).resolve().parents[3] / "shared" / "seeds")

TASK_VERBS = ["推进", "加快", "完成", "启动", "深化", "落实"]
TASK_OBJECTS = [
    "虚拟现实产业园二期建设", "人工智能产业园招商", "张村河片区城市更新", "金家岭金融区楼宇招商", "崂山湾国际生态健康城开发",
    "科创平台认定与培育", "高新技术企业培育", "专精特新企业梯度培育", "重点项目“双月攻坚”", "过亿元项目签约落地",
    "工业楼宇载体建设", "算力中心扩容", "大模型应用场景开放", "口袋公园建设", "老旧小区改造",
    "学校和幼儿园新建扩建", "社区养老服务站建设", "人才住房分配", "四好农村路提升", "乡村振兴示范片区建设",
    "营商环境改革", "全域通办事项清单", "消费券发放与促消费活动", "外贸企业出口扩容", "税收过亿元楼宇培育",
    "基金集聚区建设", "停车场建设", "违法建设拆除", "河道综合治理", "村改社区转型",
]


def build(rng, regions, units, users, today: dt.date) -> dict[str, int]:
    ensure_standard_catalogue()
    documents = 0
    if SEEDS.is_dir():
        for path in sorted(SEEDS.glob("*.txt")):
            services.ingest_document(None, path, public=True)
            documents += 1
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    by_name = {u.username: u for u in users}
    _ledger(regions, by_name, year, month)
    tasks, updates = _key_tasks(rng, regions["370212"], units["370212"], by_name, year, month, today)
    return {"documents": documents, "key_tasks": tasks, "task_updates": updates}


def _ledger(regions, users, year: int, month: int) -> None:
    done = Indicator.objects.get(code="key_project_done")
    for code, user in (("370212", users["laoshan_admin"]), ("370213", users["licang_admin"]),
                       ("370203", users["city_admin"])):
        region = regions[code]
        services.refresh_ledger_values(user, region, year, month)
        plan = services.ledger_figures(region, year, month).get("planned")
        if plan:
            services.save_target(user, done, region, year, plan)


def _key_tasks(rng, region, units, users, year: int, month: int, today: dt.date) -> tuple[int, int]:
    admin, unit_user = users["laoshan_admin"], users["laoshan_unit"]
    indicators = list(Indicator.objects.filter(code__in=["new_over_100m", "high_tech_firms", "key_project_done",
                                                         "new_jobs", "illegal_demolition"]))
    made, n_updates = [], 0
    for i, obj in enumerate(TASK_OBJECTS, start=1):
        responsible = units[1] if i % 4 == 1 else rng.choice(units)  # the 投资促进中心 leads every fourth
        cooperating = rng.sample([u for u in units if u != responsible], 2)
        deadline = dt.date(year, rng.choice([6, 9, 12, 12, 12]), 28 if rng.random() < 0.5 else 30)
        task = services.save_task(admin, region, year, {
            "number": i, "title": f"{rng.choice(TASK_VERBS)}{obj}(演示)", "responsible_unit": responsible,
            "deadline": deadline, "cooperating_units": cooperating, "indicators": rng.sample(indicators, 1),
            "milestones": f"{min(deadline.month, 6)}月底前完成阶段目标\n{deadline.month}月底前全面完成",
        }, origin=TaskOrigin.GENERATED)
        made.append(task)
        silent_from = month - rng.choice([0] * 6 + [1, 2]) + 1  # a few stop updating near the end
        percent = 0
        for m in range(1, month + 1):
            if m >= silent_from or (m > deadline.month and percent >= 100):
                continue
            step = 100 // max(deadline.month, 1) + rng.randint(-3, 5)
            percent = min(100, percent + max(step, 0)) if not (i % 7 == 0 and m > 3) else min(percent + 2, 90)
            due = deadline_for(region, year, m)
            submitted = timezone.make_aware(dt.datetime.combine(min(due, today), dt.time(10)))
            services.update_task(unit_user if task.responsible_unit_id == unit_user.unit_id else admin, task,
                                 year, m, progress=f"{m}月:{obj}按计划推进,累计完成{percent}%(演示)",
                                 percent=percent, evidence=f"{responsible.name}工作台账{year}-{m:02d}(演示)",
                                 now=submitted)
            n_updates += 1
    late = next((t for t in made if t.deadline < today and t.completed_on is None), None)
    if late is not None:
        services.escalate_task(admin, late, content="逾期未完成,请说明原因并提出整改措施(演示)",
                               deadline=today + dt.timedelta(days=10), today=today)
    return len(made), n_updates
