"""Benchmark: a district's whole 亩均效益评价 for 10,000 firms, step by step.

Registers 10,000 firms (the registry exists before an evaluation; timed apart), then times:
importing three departments' sheets (统计局 6 figures, 税务局 tax, 供电公司 electricity; read,
checked and saved all-or-nothing), reviewing them, scoring and classifying (four pools, 黄岩区's
indicators with fixed benchmarks, shares 25/70/5), publishing the list, and writing the final
list and the 差别化 list as a print-ready workbook. Goal (issue 15): under 60 s.

    .venv/bin/python bench/mujun.py                  # SQLite in var/bench-mujun.sqlite3
    DATABASE_URL=postgres://... .venv/bin/python bench/mujun.py
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-mujun.sqlite3'}")
os.environ.setdefault("TAIZHANG_DEBUG", "1")  # the development key; the figures do not depend on it
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taizhang.settings")

import django  # noqa: E402

django.setup()

import datetime as dt  # noqa: E402
from decimal import Decimal as D  # noqa: E402

from django.core.management import call_command  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from taizhang.accounts.choices import Role  # noqa: E402
from taizhang.accounts.models import User  # noqa: E402
from taizhang.enterprises.services import create_enterprise  # noqa: E402
from taizhang.parks import evaluation as ev  # noqa: E402
from taizhang.parks.exports import final_workbook  # noqa: E402
from taizhang.projects.validators import credit_code_check_char  # noqa: E402
from taizhang.regions.choices import RegionLevel  # noqa: E402
from taizhang.regions.models import Region  # noqa: E402

ABOVE = [("tax_per_mu", "30", "24.097"), ("va_per_mu", "20", "136.16"), ("va_per_energy", "20", "2.694"),
         ("va_per_emission", "10", "4929.81"), ("labour_productivity", "10", "18.14"), ("rd_ratio", "10", "0.0302")]
BELOW = [("tax_per_mu", "50", "11.5932"), ("tax_per_kwh", "50", "0.2352")]


def code(n: int) -> str:
    first = f"91370212{n:09d}"
    return first + credit_code_check_char(first)


def sheet(header: list[str], rows: list[list]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("数据")
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--firms", type=int, default=10_000)
    args = parser.parse_args()
    rng = random.Random(15)
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    province = Region.objects.create(code="370000", name="山东省", level=RegionLevel.PROVINCE)
    city = Region.objects.create(code="370200", name="青岛市", level=RegionLevel.CITY, parent=province)
    district = Region.objects.create(code="370212", name="崂山区", level=RegionLevel.DISTRICT, parent=city)
    admin = User.objects.create(username="bench_admin", role=Role.DISTRICT_ADMIN, region=district)
    times: dict[str, float] = {}

    t = time.perf_counter()
    firms = []
    for i in range(args.firms):
        above = i % 3 == 0
        firms.append(create_enterprise(admin, {"name": f"演示企业{i:05d}", "credit_code": code(i + 1),
                                               "region": district, "scale": "above" if above else "below",
                                               "source": "generated"}))
    times["registry (10,000 firms via create_enterprise; before the evaluation)"] = time.perf_counter() - t

    stats, tax, power = [], [], []
    for i, f in enumerate(firms):
        leased_only = i % 10 == 9
        cert = 0 if leased_only else round(rng.uniform(1, 80), 2)
        leased = round(rng.uniform(0.5, 6), 2) if leased_only or i % 7 == 0 else 0
        va = round(rng.uniform(50, 20000), 2)
        stats.append([f.name, f.credit_code, cert, leased, va, round(va * rng.uniform(2, 5), 2),
                      round(va * rng.uniform(0, 0.06), 2), round(rng.uniform(10, 5000), 2),
                      round(rng.uniform(0.01, 5), 3) if rng.random() > 0.05 else None, rng.randint(5, 800)])
        tax.append([f.name, f.credit_code, round(rng.uniform(-5, 3000), 2)])
        power.append([f.name, f.credit_code, round(rng.uniform(1, 3000), 2)])
    files = [("stats", sheet(["企业名称", "统一社会信用代码", "证载用地面积", "租赁用地面积", "工业增加值", "营业收入",
                               "研发经费支出", "综合能耗", "主要污染物排放量", "年平均职工人数"], stats)),
             ("tax", sheet(["企业名称", "统一社会信用代码", "实缴税收"], tax)),
             ("power", sheet(["企业名称", "统一社会信用代码", "用电量"], power))]

    total = time.perf_counter()
    t = time.perf_counter()
    batches = [ev.import_figures(admin, district, 2024, dept, io.BytesIO(data), f"{dept}.xlsx") for dept, data in files]
    times["import (3 sheets, read, checked, saved with history)"] = time.perf_counter() - t
    t = time.perf_counter()
    for b in batches:
        ev.review_batch(admin, b, accept=True)
    times["review"] = time.perf_counter() - t

    pools = {pool: {"a_share": D("25"), "ab_share": D("70"), "d_share": D("5"), "indicators": [
        {"key": k, "weight": D(w), "fixed_value": D(b), **({"missing": "pool_average"} if k == "va_per_emission"
                                                          else {})} for k, w, b in spec]}
        for pool, spec in (("above", ABOVE), ("below_large", BELOW), ("below_small", BELOW), ("leased", BELOW))}
    scheme = ev.save_scheme(admin, district, {"name": "基准测试办法"}, pools)
    evaluation = ev.create_evaluation(admin, district, 2024, scheme)
    t = time.perf_counter()
    counts = ev.run_evaluation(admin, evaluation)
    times["scoring and classification"] = time.perf_counter() - t
    t = time.perf_counter()
    ev.publish(admin, evaluation, dt.date(2025, 6, 1), dt.date(2025, 6, 8))
    final = ev.publish(admin, evaluation, dt.date(2025, 6, 10), final=True)
    times["publish (公示 + final list)"] = time.perf_counter() - t
    t = time.perf_counter()
    data = final_workbook(evaluation, final)
    times["lists workbook (pools, T, 差别化)"] = time.perf_counter() - t
    evaluation_total = time.perf_counter() - total

    for step, seconds in times.items():
        print(f"{step:<72} {seconds:8.2f} s")
    print(f"{'evaluation total (import to workbook)':<72} {evaluation_total:8.2f} s   (goal < 60 s)")
    print(f"classes: {dict(sorted(counts.items()))}; workbook {len(data) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
