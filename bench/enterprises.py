"""Benchmark: the enterprise registry's list and a firm's page at scale.

5 districts x 10,000 firms (50,000), each with 10 tier recognitions of history (500,000 rows),
a few figures, visits and 诉求, and the demo's rule sets (so a firm page measures its gaps). Prints
p50/p95 of the registry list (first page, a tier few firms hold, a tier most firms hold, a name
search) and of firm pages (goal: p95 under 100 ms), and of the tier dashboard, with the wall and
CPU time of each request and the queries it makes.

    .venv/bin/python bench/enterprises.py [--reuse]          # SQLite in var/bench-enterprises.sqlite3
    DATABASE_URL=postgres://... .venv/bin/python bench/enterprises.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-enterprises.sqlite3'}")
os.environ.setdefault("TAIZHANG_DEBUG", "1")  # the development key; the figures do not depend on it
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taizhang.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from taizhang.accounts.choices import Role  # noqa: E402
from taizhang.accounts.models import User  # noqa: E402
from taizhang.core.bulk import insert_with_history  # noqa: E402
from taizhang.demo.firms import _rules as demo_rules  # noqa: E402
from taizhang.enterprises.choices import Metric, Source, TierKind, TierLevel  # noqa: E402
from taizhang.enterprises.models import AnnualFigure, Enterprise, Recognition, RuleSet  # noqa: E402
from taizhang.enterprises.services import default_expiry  # noqa: E402
from taizhang.projects.validators import credit_code_check_char  # noqa: E402
from taizhang.regions.choices import RegionLevel  # noqa: E402
from taizhang.regions.models import IndustryChain, Region  # noqa: E402

KINDS = list(TierKind)


def fill(districts: int, per_district: int, tiers: int) -> None:
    """Rows written in bulk (a benchmark's data, not a district's: no service checks them)."""
    rng = random.Random(7)
    call_command("flush", interactive=False, verbosity=0)
    province = Region.objects.create(code="370000", name="山东省", level=RegionLevel.PROVINCE)
    city = Region.objects.create(code="370200", name="青岛市", level=RegionLevel.CITY, parent=province)
    t0 = time.perf_counter()
    n = 0
    for d in range(districts):
        region = Region.objects.create(code=f"3702{d + 20:02d}", name=f"测试{d}区", level=RegionLevel.DISTRICT,
                                       parent=city)
        chains = [IndustryChain.objects.create(name=f"产业链{c}", region=region) for c in range(6)]
        firms = []
        for i in range(per_district):
            n += 1
            first = f"91{region.code}{n:09d}"
            name = f"青岛测试{d}企业{i}有限公司"
            firms.append(Enterprise(name=name, name_key=name, credit_code=first + credit_code_check_char(first),
                                    region=region, chain=rng.choice(chains), source=Source.GENERATED))
        insert_with_history(firms, Enterprise)
        recs, figures = [], []
        for firm in firms:
            for kind in rng.sample(KINDS, tiers if tiers <= len(KINDS) else len(KINDS)):
                year = rng.randint(2012, 2025)
                eff = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
                recs.append(Recognition(enterprise=firm, kind=kind, level=TierLevel.PROVINCIAL, year=year,
                                        effective=eff, starts=eff, expiry=default_expiry(kind, year, eff),
                                        source=Source.GENERATED))
            for year in (2024, 2025):
                figures.append(AnnualFigure(enterprise=firm, year=year, metric=Metric.REVENUE,
                                            value=Decimal(rng.randint(100, 90000))))
        insert_with_history(recs, Recognition)
        insert_with_history(figures, AnnualFigure)
        print(f"  district {d + 1}/{districts}: {time.perf_counter() - t0:.0f} s", flush=True)
    User.objects.create_user("bench_admin", password="pw", role=Role.DISTRICT_ADMIN,
                             region=Region.objects.get(code="370220"))
    User.objects.create_user("bench_city", password="pw", role=Role.CITY_ADMIN, region=city)
    if connection.vendor == "postgresql":  # as autovacuum leaves a table: counted, and visible from its indexes
        with connection.cursor() as c:
            c.execute("VACUUM ANALYZE")


def _db_cpu() -> float:
    """CPU milliseconds the database server's process for this connection has used (PostgreSQL on
    this machine: /proc of its backend; in steps of the kernel's clock tick, so summed over runs),
    or 0 when the database runs in this process (SQLite: counted in the process's own CPU time)."""
    if connection.vendor != "postgresql":
        return 0.0
    global _backend
    if _backend is None:
        with connection.cursor() as c:
            c.execute("SELECT pg_backend_pid()")
            _backend = c.fetchone()[0]
    try:
        with open(f"/proc/{_backend}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:  # a server elsewhere: its time is not ours to read
        return float("nan")
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


_backend = None


def timed(client, url: str, runs: int) -> list[tuple[float, float, float, int]]:
    """(wall, CPU, database CPU milliseconds, queries) of each request. The server is this process,
    so its CPU time is the request's cost whatever else the machine runs; PostgreSQL's share is
    read from its backend process (parallel workers' not included)."""
    out = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            t, c, d = time.perf_counter(), time.process_time(), _db_cpu()
            r = client.get(url)
            wall, cpu = (time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000
            db = _db_cpu() - d
        out.append((wall, cpu, db, len(queries)))
        assert r.status_code == 200, (url, r.status_code)
    return out


def report(label: str, samples: list[tuple[float, float, float, int]]) -> None:
    def p(values, q):
        values = sorted(values)
        return values[max(0, int(len(values) * q + 0.5) - 1)]
    wall, cpu = [s[0] for s in samples], [s[1] for s in samples]
    db = f" + db {statistics.mean(s[2] for s in samples):5.1f} mean" if connection.vendor == "postgresql" else ""
    print(f"{label:<40} wall p50 {statistics.median(wall):7.1f} p95 {p(wall, .95):7.1f} ms | "
          f"CPU p50 {statistics.median(cpu):7.1f} p95 {p(cpu, .95):7.1f}{db} ms | "
          f"queries {min(s[3] for s in samples)}-{max(s[3] for s in samples)}  (n={len(samples)})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--districts", type=int, default=5)
    parser.add_argument("--firms", type=int, default=10_000)
    parser.add_argument("--tiers", type=int, default=10)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if not args.reuse or not Enterprise.objects.exists():
        fill(args.districts, args.firms, args.tiers)
    if not RuleSet.objects.exists():
        demo_rules()
    print(f"{connection.vendor}: {Enterprise.objects.count():,} firms, "
          f"{Recognition.objects.count():,} recognitions")
    rng = random.Random(3)
    for username in ("bench_admin", "bench_city"):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(username=username))
        timed(client, "/enterprises/", 3)  # warm
        report(f"{username} registry list", timed(client, "/enterprises/", args.runs))
        report(f"{username} list, tier 高企 now", timed(client, "/enterprises/?tier=high_tech", args.runs))
        report(f"{username} list, tier 瞪羚 (most hold it)", timed(client, "/enterprises/?tier=gazelle", args.runs))
        report(f"{username} list, name search", timed(client, "/enterprises/?q=企业77", args.runs))
        ids = list(Enterprise.objects.restrict(User.objects.get(username=username)).values_list("pk", flat=True))
        samples = []
        for pk in rng.sample(ids, args.runs):
            samples += timed(client, f"/enterprises/{pk}/", 1)
        report(f"{username} firm page", samples)
        report(f"{username} tier dashboard", timed(client, "/enterprises/tiers/", max(3, args.runs // 10)))


if __name__ == "__main__":
    main()
