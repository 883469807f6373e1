"""Benchmark: the indicator system at a district's scale.

Reads the five seed reports (facts per second), enters a year of values for 10 districts and
20 indicators through the one writer, makes a district's 300 key tasks with 12 monthly
updates each, and times the pages a leader opens: the period page, the comparison and the
key-task list (p50/p95 of 10 loads, with their query counts).

    .venv/bin/python bench/indicators.py                     # SQLite in var/bench-indicators.sqlite3
    DATABASE_URL=postgres://... .venv/bin/python bench/indicators.py
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-indicators.sqlite3'}")
os.environ.setdefault("TAIZHANG_DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taizhang.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from taizhang.accounts.choices import Role  # noqa: E402
from taizhang.accounts.models import User  # noqa: E402
from taizhang.demo.builder import _regions  # noqa: E402
from taizhang.demo.indicators import SEEDS  # noqa: E402
from taizhang.indicators import services  # noqa: E402
from taizhang.indicators.catalogue import ensure_standard_catalogue  # noqa: E402
from taizhang.indicators.models import Fact, Indicator  # noqa: E402
from taizhang.regions.choices import RegionLevel  # noqa: E402
from taizhang.regions.models import Unit  # noqa: E402

YEAR = 2024


def timed(client, url: str, n: int = 10) -> str:
    times = []
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    for _ in range(n):
        start = time.perf_counter()
        r = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert r.status_code == 200, (url, r.status_code)
    times.sort()
    return (f"p50 {statistics.median(times):.0f} ms, p95 {times[int(len(times) * 0.95) - 1]:.0f} ms, "
            f"{len(queries)} queries")


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    rng = random.Random(7)
    regions = _regions()
    ensure_standard_catalogue()
    start = time.perf_counter()
    for path in sorted(SEEDS.glob("*.txt")):
        services.ingest_document(None, path)
    took = time.perf_counter() - start
    print(f"ingest of the seeds: {Fact.objects.count()} facts in {took:.2f} s "
          f"({Fact.objects.count() / took:.0f} facts/s)")

    laoshan = regions["370212"]
    admin = User.objects.create(username="admin", role=Role.DISTRICT_ADMIN, region=laoshan)
    city = User.objects.create(username="city", role=Role.CITY_ADMIN, region=regions["370200"])
    districts = [r for r in regions.values() if r.level == RegionLevel.DISTRICT and r.parent.code == "370200"]
    typed = list(Indicator.objects.filter(ledger_metric="", numerator__isnull=True, part_of__isnull=True,
                                          kind="level"))[:20]
    start, n = time.perf_counter(), 0
    for region in districts:
        for indicator in typed:
            for month in range(1, 13):
                services.save_value(city, indicator, region, YEAR, "cumulative", month, rng.randint(100, 200) * month)
                n += 1
    took = time.perf_counter() - start
    print(f"values entered through the writer: {n} in {took:.1f} s ({took / n * 1000:.1f} ms each)")

    units = [Unit.objects.create(name=f"单位{i}", region=laoshan) for i in range(20)]
    start, n = time.perf_counter(), 0
    for i in range(1, 301):
        task = services.save_task(admin, laoshan, YEAR, {"title": f"重点工作{i}", "responsible_unit": rng.choice(units),
                                                         "deadline": dt.date(YEAR, 12, 31)})
        for month in range(1, 13):
            services.update_task(admin, task, YEAR, month, progress="按计划推进", percent=month * 8, evidence="台账")
            n += 1
    took = time.perf_counter() - start
    print(f"key-task updates through the writer: {n} in {took:.1f} s ({took / n * 1000:.1f} ms each)")

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin)
    reset_queries()
    gdp = Indicator.objects.get(code="gdp")
    print("period page (20 indicators):", timed(client, f"/indicators/period/?region={laoshan.pk}&year={YEAR}&month=10"))
    print("comparison (10 districts, 5-year trend):", timed(client, f"/indicators/compare/?indicator={gdp.pk}"))
    print("key-task list (300 tasks):", timed(client, f"/indicators/tasks/?year={YEAR}&month=10"))


if __name__ == "__main__":
    main()
