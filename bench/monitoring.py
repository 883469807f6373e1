"""Benchmark: the district dashboard, the city dashboard and the city's monthly workbook at scale.

10 districts x 1,000 projects x 5 years of monthly progress (600,000 reports). Prints
wall and CPU times of each page first (figures never asked for in this process: computed
afresh), cold (the first request after a write: the figures kept are brought up to date,
``Snapshot.patched``), warm (figures kept, ``monitoring.kept``) and ahead (after a write, once
the keeper thread has brought them up to date). A write here changes one report, as a unit's
report does. Goals: district dashboard p95 under 100 ms, city dashboard under 500 ms, city
workbook under 1 s.

    .venv/bin/python bench/monitoring.py                      # SQLite in var/bench-monitoring.sqlite3
    DATABASE_URL=postgres://... .venv/bin/python bench/monitoring.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-monitoring.sqlite3'}")
os.environ.setdefault("TAIZHANG_DEBUG", "1")  # the development key; the figures do not depend on it
os.environ.setdefault("TAIZHANG_KEEP_AHEAD", "0")  # the bench calls the keeper itself, in the open
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taizhang.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from taizhang.accounts.choices import Role  # noqa: E402
from taizhang.accounts.models import User  # noqa: E402
from taizhang.monitoring import kept  # noqa: E402
from taizhang.projects.choices import STAGE_ORDER, Level, Stage  # noqa: E402
from taizhang.projects.models import AnnualPlan, MonthlyProgress, Problem, Project, StageChange  # noqa: E402
from taizhang.regions.choices import RegionLevel  # noqa: E402
from taizhang.regions.models import IndustryChain, Region, Unit  # noqa: E402

YEAR = 2024


def fill(districts: int, per_district: int, years: int) -> None:
    rng = random.Random(11)
    call_command("flush", interactive=False, verbosity=0)
    province = Region.objects.create(code="370000", name="山东省", level=RegionLevel.PROVINCE)
    city = Region.objects.create(code="370200", name="青岛市", level=RegionLevel.CITY, parent=province)
    t0 = time.perf_counter()
    stages = [Stage.SIGNED, Stage.REGISTERED, Stage.STARTED, Stage.STARTED, Stage.STARTED, Stage.COMPLETED]
    for d in range(districts):
        region = Region.objects.create(code=f"3702{d + 20:02d}", name=f"测试{d}区", level=RegionLevel.DISTRICT,
                                       parent=city)
        units = [Unit.objects.create(name=f"单位{u}", region=region) for u in range(10)]
        chains = [IndustryChain.objects.create(name=f"产业链{c}", region=region) for c in range(6)]
        projects = Project.objects.bulk_create([
            Project(name=f"测试项目{d}-{i}", region=region, chain=rng.choice(chains), responsible_unit=rng.choice(units),
                    total_investment=Decimal(rng.randint(500, 500000)), level=rng.choice(list(Level)),
                    contract_amount=Decimal(rng.randint(500, 50000)), stage=rng.choice(stages),
                    planned_start=dt.date(YEAR - rng.randint(0, 4), rng.randint(1, 12), 1))
            for i in range(per_district)
        ])
        changes = []
        for p in projects:
            day = dt.date(YEAR - years + 1, 1, 1)
            for s in STAGE_ORDER[1:STAGE_ORDER.index(p.stage) + 1]:
                day += dt.timedelta(days=rng.randint(20, 200))
                changes.append(StageChange(project=p, from_stage="", to_stage=s, date=min(day, dt.date(YEAR, 12, 1))))
        StageChange.objects.bulk_create(changes, batch_size=5000)
        AnnualPlan.objects.bulk_create([
            AnnualPlan(project=p, year=y, planned_investment=Decimal(rng.randint(100, 50000)))
            for p in projects for y in range(YEAR - years + 1, YEAR + 1)
        ], batch_size=5000)
        MonthlyProgress.objects.bulk_create([
            MonthlyProgress(project=p, year=y, month=m, investment=Decimal(rng.randint(0, 5000)), progress="施工",
                            funds_domestic=Decimal(rng.randint(0, 300)))
            for p in projects for y in range(YEAR - years + 1, YEAR + 1) for m in range(1, 13)
        ], batch_size=10000)
        Problem.objects.bulk_create([
            Problem(project=p, category="land", description="用地", deadline=dt.date(YEAR, 6, 1)) for p in projects[:60]
        ])
        if d == 0:
            User.objects.create(username="bench_district", role=Role.DISTRICT_ADMIN, region=region)
    User.objects.create(username="bench_city", role=Role.CITY_ADMIN, region=city)
    if connection.vendor == "postgresql":
        # As a database in service has them (autovacuum analyzes what changed): without
        # statistics the planner guesses, e.g. a count of the reports waiting for review
        # scanned a district's 60,000 reports (3.5 ms) instead of the status index (0.1 ms).
        with connection.cursor() as c:
            c.execute("ANALYZE")
    print(f"filled {Project.objects.count()} projects, {MonthlyProgress.objects.count()} reports "
          f"in {time.perf_counter() - t0:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--districts", type=int, default=10)
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if not (args.reuse and Project.objects.exists()):
        fill(args.districts, args.projects, args.years)
    print(f"database: {connection.vendor}")
    print("first = figures never asked for (computed afresh); cold = the first request after a write (figures "
          "kept brought up to date); warm = the same page again (figures kept); ahead = after a write once the "
          "keeper has brought them up to date")
    district = Client()
    district.force_login(User.objects.get(username="bench_district"))
    city = Client()
    city.force_login(User.objects.get(username="bench_city"))
    report = MonthlyProgress.objects.filter(project__region__name="测试0区", year=YEAR).order_by("pk").first()

    def write() -> None:  # one report's progress text changed, as a unit would: the stamp moves
        MonthlyProgress.objects.filter(pk=report.pk).update(progress=f"施工{time.perf_counter_ns()}")

    def timed(client, url) -> tuple[float, float]:
        t, c = time.perf_counter(), time.process_time()
        r = client.get(url, HTTP_HOST="127.0.0.1")
        assert r.status_code == 200, r.status_code
        return (time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000

    def show(name, rows) -> None:
        walls, cpus = sorted(w for w, _ in rows), sorted(c for _, c in rows)
        p95 = max(math.ceil(len(walls) * .95) - 1, 0)  # the nearest rank
        print(f"{name:30s} p50 {statistics.median(walls):7.1f} ms  p95 {walls[p95]:7.1f} ms   "
              f"(CPU p50 {statistics.median(cpus):7.1f}  p95 {cpus[p95]:7.1f} ms)")

    first, cold, warm = [], [], []
    for i in range(args.rounds):
        url = f"/monitoring/?year={YEAR}&month={1 + i % 12}"
        write()
        first.append(timed(district, url))
        write()
        cold.append(timed(district, url))
        warm.extend(timed(district, url) for _ in range(4))
    show("district dashboard, first", first)
    show("district dashboard, cold", cold)
    show("district dashboard, warm", warm)

    for name, url in (("city dashboard", f"/monitoring/?year={YEAR}&month=10"),
                      ("city workbook", f"/monitoring/monthly.xlsx?year={YEAR}&month=10")):
        write()
        show(f"{name}, first", [timed(city, url)])
        rows = []
        for _ in range(max(args.rounds // 4, 1)):
            write()
            rows.append(timed(city, url))
        show(f"{name}, cold", rows)
        show(f"{name}, warm", [timed(city, url) for _ in range(5)])
    write()
    t, c = time.perf_counter(), time.process_time()
    n = kept.refresh()
    print(f"keeper: {n} snapshots (and their workbooks) computed again in {time.perf_counter() - t:.2f} s "
          f"(CPU {time.process_time() - c:.2f} s), off the request")
    for name, url in (("city dashboard", f"/monitoring/?year={YEAR}&month=10"),
                      ("city workbook", f"/monitoring/monthly.xlsx?year={YEAR}&month=10")):
        show(f"{name}, ahead", [timed(city, url)])

if __name__ == "__main__":
    main()
