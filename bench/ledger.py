"""Benchmark: project list (filtered, paginated) and project page at district scale.

Fills a database with 10 districts x 1,000 projects x 24 months of progress (240,000
reports), then requests pages as a district user and as the city admin and prints the
p50/p95 in ms. Goal (issue 2): p95 under 150 ms on SQLite.

    .venv/bin/python bench/ledger.py                  # SQLite in var/bench.sqlite3
    DATABASE_URL=postgres://... .venv/bin/python bench/ledger.py
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
os.environ.setdefault("TAIZHANG_DEBUG", "1")  # the development key; the figures do not depend on it
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taizhang.settings")

import django  # noqa: E402

django.setup()

import datetime as dt  # noqa: E402
from decimal import Decimal  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from taizhang.accounts.choices import Role  # noqa: E402
from taizhang.accounts.models import User  # noqa: E402
from taizhang.projects.choices import Level, ProblemCategory, Stage  # noqa: E402
from taizhang.projects.models import AnnualPlan, MonthlyProgress, Problem, Project  # noqa: E402
from taizhang.regions.choices import RegionLevel  # noqa: E402
from taizhang.regions.models import IndustryChain, Region, Unit  # noqa: E402


def fill(districts: int, per_district: int, months: int) -> None:
    rng = random.Random(7)
    call_command("flush", interactive=False, verbosity=0)
    province = Region.objects.create(code="370000", name="山东省", level=RegionLevel.PROVINCE)
    city = Region.objects.create(code="370200", name="青岛市", level=RegionLevel.CITY, parent=province)
    today = dt.date.today()
    ym = []
    y, m = today.year, today.month
    for _ in range(months):
        m -= 1
        if m == 0:
            y, m = y - 1, 12
        ym.append((y, m))
    t0 = time.perf_counter()
    for d in range(districts):
        region = Region.objects.create(code=f"3702{d + 20:02d}", name=f"测试{d}区", level=RegionLevel.DISTRICT, parent=city)
        units = [Unit.objects.create(name=f"单位{u}", region=region) for u in range(10)]
        chains = [IndustryChain.objects.create(name=f"产业链{c}", region=region) for c in range(6)]
        projects = Project.objects.bulk_create([
            Project(name=f"测试项目{d}-{i}", region=region, chain=rng.choice(chains),
                    responsible_unit=rng.choice(units), total_investment=Decimal(rng.randint(500, 500000)),
                    level=rng.choice(list(Level)), stage=rng.choice([Stage.STARTED, Stage.SIGNED, Stage.COMPLETED]),
                    planned_start=dt.date(2024, 1, 1))
            for i in range(per_district)
        ])
        AnnualPlan.objects.bulk_create([
            AnnualPlan(project=p, year=y, planned_investment=Decimal(rng.randint(100, 50000)))
            for p in projects for y in {y for y, _ in ym}
        ], batch_size=5000)
        MonthlyProgress.objects.bulk_create([
            MonthlyProgress(project=p, year=y, month=m, investment=Decimal(rng.randint(0, 5000)), progress="施工")
            for p in projects for (y, m) in ym
        ], batch_size=5000)
        Problem.objects.bulk_create([
            Problem(project=p, category=ProblemCategory.LAND, description="用地", deadline=today - dt.timedelta(days=5))
            for p in projects[:50]
        ])
        if d == 0:
            user = User(username="bench_district", role=Role.DISTRICT_REPORTER, region=region)
            user.set_password("pw")
            user.save()
    admin = User(username="bench_city", role=Role.CITY_ADMIN, region=city)
    admin.set_password("pw")
    admin.save()
    print(f"filled {Project.objects.count()} projects, {MonthlyProgress.objects.count()} reports "
          f"in {time.perf_counter() - t0:.1f} s")


def measure(client: Client, urls: list[str], rounds: int) -> tuple[float, float]:
    timings = []
    for _ in range(rounds):
        for url in urls:
            t = time.perf_counter()
            r = client.get(url, HTTP_HOST="127.0.0.1")
            if r.status_code != 200:
                raise SystemExit(f"{url} -> {r.status_code}")
            timings.append((time.perf_counter() - t) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--districts", type=int, default=10)
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep the filled database")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if not (args.reuse and Project.objects.exists()):
        fill(args.districts, args.projects, args.months)
    print(f"database: {connection.vendor}")
    district = Region.objects.filter(level=RegionLevel.DISTRICT).first()
    chain = district.chains.first()
    pks = list(Project.objects.filter(region=district).values_list("pk", flat=True)[:50])
    list_urls = [
        "/projects/",
        "/projects/?stage=started&over_100m=true",
        f"/projects/?chain={chain.pk}&page=2",
        "/projects/?q=项目1&level=municipal",
        "/projects/?overdue_problems=true",
        "/projects/?page=10",
    ]
    for username in ("bench_district", "bench_city"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        urls = list_urls if username == "bench_city" else list_urls[:-1] + [f"/projects/?region={district.pk}"]
        p50, p95 = measure(client, urls, args.rounds)
        print(f"{username:15s} project list  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")
        detail = [f"/projects/{pk}/" for pk in pks]
        p50, p95 = measure(client, detail, max(args.rounds // 10, 1))
        print(f"{username:15s} project page  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")


if __name__ == "__main__":
    main()
