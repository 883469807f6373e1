"""Benchmark: importing a 10,000-row project sheet (preview, then confirm); the goal is 3 s
on SQLite. Also reads a 1 MB sheet whose rows reach column XFD (16,384 columns claimed) in a
process of its own and prints that process's peak memory, which must stay bounded (goal:
under 200 MB).

    .venv/bin/python bench/excel_import.py [--rows 10000] [--wide-kb 1024]

The pages confirm by reading the sheet again (the ledger may have changed since the preview);
that way is timed too. Django runs with DEBUG off, as in production (``TAIZHANG_DEBUG=1`` to measure it on: the
debug cursor then renders every statement's parameters). Each phase shows its wall-clock
time and its CPU time: on a machine shared with other work the CPU time varies less.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-import.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taizhang.settings")
os.environ.setdefault("TAIZHANG_DEBUG", "0")
os.environ.setdefault("TAIZHANG_SECRET_KEY", "bench-only-key")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from taizhang.accounts.choices import Role  # noqa: E402
from taizhang.accounts.models import User  # noqa: E402
from taizhang.projects import imports, services  # noqa: E402
from taizhang.regions.choices import RegionLevel  # noqa: E402
from taizhang.regions.models import IndustryChain, Region, Unit  # noqa: E402


def sheet(rows: int) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(["2024年重点项目计划表"])
    ws.append(["序号", "项目名称", "建设单位", "建设性质", "产业链", "总投资(万元)", "2024年计划投资(万元)",
               "1-10月完成投资(万元)", "形象进度", "存在问题", "责任单位", "责任人", "计划开工时间", "计划竣工时间", "开工时间"])
    for i in range(rows):
        ws.append([i + 1, f"导入项目{i:05d}", f"建设单位{i % 300}", "新建", f"产业链{i % 6}", 1000 + i, 300, 250,
                   "主体施工", "用地未落实" if i % 50 == 0 else "", f"单位{i % 10}", "张三", "2024-03-01", "2026-12-31", "2024-03-15"])
    ws.append(["合计"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def wide_sheet(size_kb: int) -> bytes:
    """About ``size_kb`` of sheet whose every row holds a cell in column XFD (and whose
    dimension says so): a reader that trusts the sheet's extent builds rows x 16,384 cells.
    Written as XML directly: openpyxl takes half a minute to write 70,000 such rows."""
    import zipfile

    def build(rows: int) -> bytes:
        wb = Workbook()
        wb.active.append(["项目名称"])
        buf = io.BytesIO()
        wb.save(buf)
        body = "".join(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>宽表项目{i}</t></is></c>'
                       f'<c r="B{i}"><v>10</v></c><c r="XFD{i}" t="inlineStr"><is><t>x</t></is></c></row>'
                       for i in range(2, rows + 2))
        xml = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               f'<dimension ref="A1:XFD{rows + 1}"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>项目名称'
               '</t></is></c><c r="B1" t="inlineStr"><is><t>总投资(万元)</t></is></c></row>'
               f"{body}</sheetData></worksheet>")
        src, out = zipfile.ZipFile(buf), io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                dst.writestr(item, xml.encode() if item.filename == "xl/worksheets/sheet1.xml" else src.read(item))
        return out.getvalue()

    sample = build(10_000)
    return build(int(10_000 * size_kb * 1024 / len(sample)))


def read_wide(path: str) -> None:
    """In a process of its own, so that its peak memory is the reading's alone."""
    import tracemalloc

    from taizhang.core.workbook import open_workbook, read_table

    before = peak_mb()
    tracemalloc.start()
    t0 = time.perf_counter()
    table = read_table(open_workbook(path)[0], imports.FIELDS)
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"wide sheet: {os.path.getsize(path) // 1024} KB, {len(table.rows)} rows each reaching column XFD; "
          f"read in {time.perf_counter() - t0:.2f} s, widest row kept {max(len(c) for _, c in table.rows)} cells; "
          f"peak memory of the reading process (RSS) {peak_mb():.0f} MB ({before:.0f} MB before reading; "
          f"Python objects at most {traced / 2**20:.0f} MB)")


def peak_mb() -> float:
    """This process's peak resident memory. Linux's VmHWM starts afresh in a new program,
    where ru_maxrss keeps the parent's peak across fork and exec."""
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _world() -> User:
    """A district with its units and chains, and the user who imports."""
    province = Region.objects.create(code="370000", name="山东省", level=RegionLevel.PROVINCE)
    city = Region.objects.create(code="370200", name="青岛市", level=RegionLevel.CITY, parent=province)
    district = Region.objects.create(code="370212", name="崂山区", level=RegionLevel.DISTRICT, parent=city)
    for i in range(10):
        Unit.objects.create(name=f"单位{i}", region=district)
    for i in range(6):
        IndustryChain.objects.create(name=f"产业链{i}", region=district)
    user = User(username="bench", role=Role.DISTRICT_REPORTER, region=district)
    user.save()
    return user


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--wide-kb", type=int, default=1024)
    parser.add_argument("--read-wide", help=argparse.SUPPRESS)  # the child process's part
    args = parser.parse_args()
    if args.read_wide:
        read_wide(args.read_wide)
        return
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    user = _world()
    data = sheet(args.rows)
    print(f"database: {connection.vendor}, DEBUG {'on' if settings.DEBUG else 'off'}; "
          f"sheet: {args.rows} rows, {len(data) // 1024} KB")
    for attempt in ("first import", "same file again"):
        t0, c0 = time.perf_counter(), time.process_time()
        preview = imports.read_projects(user, io.BytesIO(data))
        t1, c1 = time.perf_counter(), time.process_time()
        counts = services.apply_import(user, preview)
        t2, c2 = time.perf_counter(), time.process_time()
        print(f"{attempt:16s} preview {t1 - t0:5.2f} s  confirm {t2 - t1:5.2f} s  total {t2 - t0:5.2f} s  "
              f"(CPU {c1 - c0:.2f} + {c2 - c1:.2f} = {c2 - c0:.2f} s; {args.rows / (t2 - t0):,.0f} rows/s)  {counts}")
    # The pages' way: the preview reads and checks; confirming reads the sheet again (the
    # ledger may have changed since) without the dry run, then writes.
    call_command("flush", interactive=False, verbosity=0)
    user = _world()
    t0, c0 = time.perf_counter(), time.process_time()
    imports.read_projects(user, io.BytesIO(data))
    t1, c1 = time.perf_counter(), time.process_time()
    counts = services.apply_import(user, imports.read_projects(user, io.BytesIO(data), check=False))
    t2, c2 = time.perf_counter(), time.process_time()
    print(f"{'as the pages do':16s} preview {t1 - t0:5.2f} s  confirm {t2 - t1:5.2f} s (reads the sheet again)  "
          f"(CPU {c1 - c0:.2f} + {c2 - c1:.2f} s)  {counts}")
    print(f"peak memory of the import (RSS): {peak_mb():.0f} MB")
    path = ROOT / "var" / "bench-wide.xlsx"
    path.write_bytes(wide_sheet(args.wide_kb))
    subprocess.run([sys.executable, __file__, "--read-wide", str(path)], check=True)
    path.unlink()


if __name__ == "__main__":
    main()
