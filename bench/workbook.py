"""Benchmark: the city's monthly workbook (月进度表) written from a snapshot already computed.

Times ``report.workbook()`` alone (CPU, best and median of ``--rounds``) for the city of the
bench database of bench/monitoring.py (10 districts x 1,000 projects; it only reads it), and
with ``--compare OLD.xlsx`` checks that the file is the same document as OLD, saved with
``--save`` by another version of the code: every cell as written (value and its type, number
format, font, fill, border, alignment, protection; read-only, so that merged cells are not
remade), which cells there are, merges, widths, heights, panes, print titles and area, page
setup, margins, header and footer, defined names.

    .venv/bin/python bench/workbook.py --save /tmp/old.xlsx        # on the old code
    .venv/bin/python bench/workbook.py --compare /tmp/old.xlsx     # on the new
    .venv/bin/python bench/workbook.py --basis all --group chain --compare /tmp/old-all-chain.xlsx
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-monitoring.sqlite3'}")
os.environ.setdefault("TAIZHANG_DEBUG", "1")
os.environ.setdefault("TAIZHANG_KEEP_AHEAD", "0")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taizhang.settings")


def _tree(obj) -> str | None:
    from openpyxl.xml.functions import tostring

    return None if obj is None else tostring(obj.to_tree()).decode()


def _sheet(ws) -> dict:
    return {
        "title": ws.title,
        "merges": sorted(str(r) for r in ws.merged_cells.ranges),
        "widths": {k: (d.width, d.customWidth, d.hidden) for k, d in ws.column_dimensions.items()},
        "heights": {k: (d.height, d.customHeight, d.hidden) for k, d in ws.row_dimensions.items()
                    if d.height is not None or d.hidden},
        "panes": _tree(ws.views),
        "titles": (ws.print_title_rows, ws.print_title_cols),
        "area": ws.print_area,
        "page setup": _tree(ws.page_setup),
        "properties": _tree(ws.sheet_properties),
        "print options": _tree(ws.print_options),
        "margins": _tree(ws.page_margins),
        "header and footer": _tree(ws.HeaderFooter),
        "format": _tree(ws.sheet_format),
        "dimension": ws.dimensions,
    }


def _cells(data: bytes, title: str) -> dict:
    """Each cell the file holds: (value, type, format, its style's index, its style)."""
    from openpyxl import load_workbook
    from openpyxl.cell.read_only import ReadOnlyCell

    out = {}
    for row in load_workbook(io.BytesIO(data), read_only=True)[title].iter_rows():
        for c in row:
            if isinstance(c, ReadOnlyCell):
                out[c.row, c.column] = (c.value, c.data_type, c.number_format, tuple(c.style_array),
                                        lambda c=c: tuple(_tree(x) for x in (c.font, c.fill, c.border, c.alignment,
                                                                              c.protection)))
    return out


def differences(old: bytes, new: bytes, limit: int = 20) -> list:
    from openpyxl import load_workbook

    a, b = load_workbook(io.BytesIO(old)), load_workbook(io.BytesIO(new))
    found = []
    if a.sheetnames != b.sheetnames:
        found.append(("sheets", a.sheetnames, b.sheetnames))
    names = [{k: str(v.value) for k, v in wb.defined_names.items()} for wb in (a, b)]
    if names[0] != names[1]:
        found.append(("defined names", *names))
    for sa, sb in zip(a.worksheets, b.worksheets, strict=False):
        fa, fb = _sheet(sa), _sheet(sb)
        found += [(sa.title, k, fa[k], fb[k]) for k in fa if fa[k] != fb[k]]
        ca, cb = _cells(old, sa.title), _cells(new, sb.title)
        if ca.keys() != cb.keys():
            found.append((sa.title, "cells", sorted(ca.keys() - cb.keys())[:5], sorted(cb.keys() - ca.keys())[:5]))
        styles = {}  # a pair of style indexes is compared once
        for key in sorted(ca.keys() & cb.keys()):
            x, y = ca[key], cb[key]
            if x[:3] != y[:3] or type(x[0]) is not type(y[0]):
                found.append((sa.title, key, x[:3], y[:3]))
            if (x[3], y[3]) not in styles:
                styles[x[3], y[3]] = x[4]() == y[4]()
                if not styles[x[3], y[3]]:
                    found.append((sa.title, key, "style", x[4](), y[4]()))
            if len(found) >= limit:
                return found
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--basis", default="approved", choices=["approved", "all"])
    parser.add_argument("--group", default="level", choices=["level", "chain"])
    parser.add_argument("--save", help="write the workbook here")
    parser.add_argument("--compare", help="a workbook saved by --save, to compare with")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.utils import translation

    from taizhang.accounts.models import User
    from taizhang.core.scope import Action
    from taizhang.monitoring import metrics, report
    from taizhang.projects.models import Project

    with translation.override(settings.LANGUAGE_CODE):
        c = time.process_time()
        city = Project.objects.restrict(User.objects.get(username="bench_city"), Action.VIEW)
        snap = metrics.Snapshot(city, 2024, 10, basis=args.basis)
        snap.problems  # noqa: B018  (what the workbook asks of the snapshot, computed before the clock starts)
        report.briefing(snap, "青岛市")
        print(f"snapshot {time.process_time() - c:.2f} s CPU (not counted)")
        report.workbook(snap, "青岛市", args.group)  # the first: imports, translations
        times = []
        for _ in range(args.rounds):
            c = time.process_time()
            data = report.workbook(snap, "青岛市", args.group)
            times.append(time.process_time() - c)
    print(f"workbook() CPU best {min(times) * 1000:.0f} ms, median {statistics.median(times) * 1000:.0f} ms "
          f"({args.rounds} rounds; {args.basis}, by {args.group}); {len(data):,} bytes; load {os.getloadavg()[0]:.1f}")
    if args.save:
        Path(args.save).write_bytes(data)
    if args.compare:
        found = differences(Path(args.compare).read_bytes(), data)
        for d in found:
            print("  ", d)
        print("the same document" if not found else f"{len(found)} differences (the first {len(found)})")
        sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
