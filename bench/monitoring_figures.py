"""Every figure of the monitoring snapshots written out as text, to compare two versions of the code.

A change meant to make the figures faster must not change one of them: run this before and
after on the same database and ``diff`` the two files (they must be identical). It writes,
for several scopes (the city, two districts, a 责任单位's projects), months, bases and an
``as_of``: every registry metric (value, the projects behind it, last year's value and 同比),
the funnel, flows, rankings, the city's district table, totals and groups, the curve,
health checks, problems, each project line, the stage histories, last year's snapshot's
lines, the briefing and notes, every cell of the monthly workbook (value, format, fill,
font, merges, widths), and the rendered dashboard and drill pages of the bench's users.

    .venv/bin/python bench/monitoring_figures.py --prepare var/bench-monitoring.sqlite3 var/figures.sqlite3
    DATABASE_URL=sqlite:///var/figures.sqlite3 .venv/bin/python bench/monitoring_figures.py out.txt

``--prepare`` copies a SQLite bench database (bench/monitoring.py) and gives it what the bench
leaves out, so that every rule has something to find: reports at every review status,
foreign funds, stage entries with unknown dates and moves back, corrections after locking
(and their history), a district with relative warnings and switched-off checks.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import re
import shutil
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TAIZHANG_DEBUG", "1")
os.environ.setdefault("TAIZHANG_KEEP_AHEAD", "0")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taizhang.settings")


def prepare(source: str, target: str) -> None:
    shutil.copyfile(source, target)
    os.environ["DATABASE_URL"] = f"sqlite:///{Path(target).resolve()}"
    import django

    django.setup()
    import random

    from django.db import connection, transaction
    from django.utils import timezone

    from taizhang.monitoring.models import LagMode, MonitoringRules
    from taizhang.projects.models import MonthlyProgress, Project, StageChange
    from taizhang.regions.models import Region
    from taizhang.reporting.models import ReportingPeriod, Revision

    rng = random.Random(7)
    with transaction.atomic(), connection.cursor() as c:
        table = MonthlyProgress._meta.db_table
        c.execute(f"UPDATE {table} SET status = CASE id % 5 WHEN 0 THEN 'draft' WHEN 1 THEN 'submitted' "
                  f"WHEN 4 THEN 'returned' ELSE 'approved' END")
        c.execute(f"UPDATE {table} SET funds_foreign = id % 40, exchange_rate = 7.1 WHERE id % 7 = 0")
        c.execute(f"UPDATE {table} SET funds_domestic = 0 WHERE id % 11 < 4")
        c.execute(f"UPDATE {table} SET submitted_at = '2024-11-03 10:00:00' WHERE status IN ('submitted', 'approved')")
        districts = list(Region.objects.filter(level="district").order_by("code"))
        MonitoringRules.objects.create(region=districts[1], lag_mode=LagMode.RELATIVE, check_no_funds=False,
                                       low_funds_ratio=Decimal("30"), start_red_months=5)
        MonitoringRules.objects.create(region=districts[2], no_funds_months=5, signed_not_started_days=200,
                                       check_low_funds=False)
        projects = list(Project.objects.filter(region__in=districts[:3]).order_by("pk"))
        created = timezone.make_aware(dt.datetime(2024, 5, 20, 12))
        changes = []
        for p in rng.sample(projects, 300):  # an entry on a date nobody knows, recorded in 2024
            changes.append(StageChange(project=p, from_stage="x", to_stage=rng.choice(["signed", "registered",
                                                                                       "started", "suspended"]),
                                       date=None, reason="日期不详"))
        for p in rng.sample(projects, 200):  # moved back, and sometimes forward again
            changes.append(StageChange(project=p, from_stage="x", to_stage="signed",
                                       date=dt.date(2024, rng.randint(1, 12), rng.randint(1, 28)), reason="退回"))
        for p in rng.sample(projects, 100):
            changes.append(StageChange(project=p, from_stage="", to_stage="negotiating", date=None, reason="建档"))
        for p in rng.sample(projects, 50):
            changes.append(StageChange(project=p, from_stage="x", to_stage="terminated",
                                       date=dt.date(2024, rng.randint(1, 12), 2), reason="终止"))
        StageChange.objects.bulk_create(changes)
        StageChange.objects.filter(pk__in=[x.pk for x in changes]).update(created=created)
        # corrections after locking, in 2024 and 2023, with their history
        user = None
        for region in districts[:2]:
            for year, month in ((2024, 2), (2024, 9), (2023, 9)):
                period = ReportingPeriod.objects.create(region=region, year=year, month=month,
                                                        deadline=dt.date(year, month + 1, 5), status="locked")
                reports = list(MonthlyProgress.objects.filter(project__region=region, year=year, month=month)
                               .order_by("pk")[:40:4])
                for number, report in enumerate(reports, start=2):
                    old = report.investment
                    new = old - 100 if number % 2 else old + 50
                    MonthlyProgress.objects.filter(pk=report.pk).update(investment=new)
                    rev = Revision.objects.create(report=report, period=period, number=number, old_investment=old,
                                                  new_investment=new, reason="更正", user=user)
                    Revision.objects.filter(pk=rev.pk).update(
                        created=timezone.make_aware(dt.datetime(2024, 11, 1 + number, 9)))
                    history = MonthlyProgress.history.model
                    base = {f.attname: getattr(report, f.attname) for f in MonthlyProgress._meta.fields
                            if f.attname != "updated"}
                    for kind, value, day in (("+", old, 1), ("~", old, 2), ("~", new, 3)):
                        history.objects.create(**{**base, "investment": value}, history_type=kind,
                                               history_date=timezone.make_aware(dt.datetime(2024, 11, day, 8)))
        from taizhang.accounts.choices import Role
        from taizhang.accounts.models import User

        unit = districts[0].units.order_by("pk").first()
        User.objects.create(username="figures_unit", role=Role.UNIT_USER, region=districts[0], unit=unit)
        User.objects.create(username="figures_leader", role=Role.LEADER, region=districts[0].parent)
    print(f"prepared {target}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", nargs="?")
    parser.add_argument("--prepare", nargs=2, metavar=("SOURCE", "TARGET"))
    parser.add_argument("--no-pages", action="store_true")
    args = parser.parse_args()
    if args.prepare:
        prepare(*args.prepare)
        return
    import django

    django.setup()
    dump(args.out, pages=not args.no_pages)


def text(value) -> str:
    if isinstance(value, Decimal | float | int | str | bool) or value is None:
        return repr(value)
    if hasattr(value, "_meta"):
        return f"<{value._meta.model_name} {value.pk}>"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{text(k)}: {text(v)}" for k, v in value.items()) + "}"
    return repr(value)


def dump_snapshot(out, snap, name: str) -> None:
    from taizhang.monitoring import kept, registry, report
    from taizhang.projects.choices import Stage

    w = out.write
    kept.warm(snap)
    w(f"== {name}\n")
    for metric in registry.METRICS:
        fig = registry.figure(snap, metric.key)
        w(f"{metric.key}: {text(fig.value)} ly={text(fig.last_year)} yoy={text(fig.yoy)} ids={text(fig.ids)}\n")
    for key in ("stage_signed", "stage_started", "health_no_funds", "health_low_funds", "health_signed_not_started",
                "health_cumulative_falls"):
        fig = registry.figure(snap, key)
        w(f"{key}: {fig.value} {text(fig.ids)}\n")
    w(f"unreviewed {text(snap.unreviewed)} undone {text(snap.undone)} lag {text(snap.lag())} "
      f"on_time_rate {text(snap.on_time_start_rate())} timing {text(snap.timing)}\n")
    for m in ("funds_in_place", "new_over_100m_investment"):
        fig = getattr(snap, m)()
        w(f"{m}: {text(fig.value)} ly={text(fig.last_year)} ids={text(fig.ids)}\n")
    for stage, label, fig, total in snap.funnel():
        w(f"funnel {stage} {label} {fig.value} {total} {text(fig.ids)}\n")
    w(f"flows {text(snap.flows())}\n")
    for by in ("region", "chain", "unit"):
        for row in snap.ranking(by):
            w(f"ranking {by} {text(row)}\n")
    for row in snap.by_district():
        w(f"district {text(row)}\n")
    w(f"totals {text(snap.totals())}\n")
    for by in ("level", "chain"):
        for label, lines in snap.groups(by):
            w(f"group {by} {label} {text([x.project.pk for x in lines])}\n")
    w(f"curve {text(snap.monthly_curve())}\n")
    for rule, p, finding in snap.health_checks():
        w(f"health {rule} {p.pk} {finding}\n")
    w(f"unknown_signing {text(snap.unknown_signing)}\n")
    for key in ("category", "unit"):
        w(f"problems_by {key} {text(snap.problems_by(key))}\n")
    w(f"open {text(snap.open_problems().value)} {text(snap.open_problems().ids)} overdue "
      f"{text(snap.overdue_problems().value)} {text(snap.overdue_problems().ids)}\n")
    for a, b in ((Stage.SIGNED, Stage.STARTED), (Stage.NEGOTIATING, Stage.SIGNED), (Stage.STARTED, Stage.COMPLETED)):
        w(f"median {a} {b} {text(snap.median_days(a, b))} conversion {text(snap.conversion(a, b))}\n")
    w(f"briefing {report.briefing(snap, '某地')}\n")
    w(f"basis_note {report.basis_note(snap)}\nrevision {report.revision(snap)}\n")
    w(f"projects {text([p.pk for p in snap.projects])}\n")
    for s, label in ((snap, "line"), (snap.last_year, "ly-line")):
        if s is None:
            continue
        s._load_funds()
        s.problems  # noqa: B018
        for x in s.lines:
            p = x.project
            w(f"{label} {p.pk} {p.name} r{p.region_id} c{p.chain_id} u{p.responsible_unit_id} {p.level} "
              f"{text(p.total_investment)} {text(p.contract_amount)} {p.planned_start} {text(x.plan)} "
              f"{text(x.done)} {text(x.month_done)} {x.reported} {x.stage} {text(x.rate)} {text(x.lag)} "
              f"{x.progress_warning} {x.start_warning} {x.start_late_months} {text(x.funds)} "
              f"{text([o.pk for o in x.open_problems])} {x.progress_text!r} "
              f"{str(p.region)} {str(p.responsible_unit or '')} {str(p.chain or '')} {p.builder!r}\n")
    if snap.last_year is not None:
        ly = snap.last_year
        w(f"ly by_month {text(ly.by_month)} quarter {text(sorted(ly.quarter_done.items()))}\n")
    w(f"by_month {text(snap.by_month)}\n")
    w(f"quarter {text(sorted(snap.quarter_done.items()))}\n")
    w(f"statuses {text(sorted(snap.statuses.items()))}\n")
    w(f"last_funded {text(sorted(snap.last_funded.items()))}\n")
    if snap.last_year is not None:
        w(f"ly last_funded {text(sorted(snap.last_year.last_funded.items()))}\n")
    for pid in snap.ids:
        h = snap.histories[pid]
        w(f"history {pid} {text([(s.to_stage, str(s.date), str(s.recorded), s.id, s.lead) for s in h.steps])}\n")
    if snap.last_year is not None:
        for pid in snap.ids:
            h = snap.last_year.histories[pid]
            w(f"ly-history {pid} {text([(s.to_stage, str(s.date), s.id) for s in h.steps])}\n")
    for group in ("level", "chain"):
        dump_workbook(out, report.workbook(snap, "某地", group), f"{name} workbook {group}")


def dump_workbook(out, content: bytes, name: str) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(content))
    w = out.write
    for ws in wb.worksheets:
        w(f"-- {name} sheet {ws.title} merged {sorted(str(r) for r in ws.merged_cells.ranges)} "
          f"freeze {ws.freeze_panes} print {ws.print_title_rows} {ws.print_area} {ws.oddFooter.center.text}\n")
        w(f"widths {[(k, v.width) for k, v in sorted(ws.column_dimensions.items())]}\n")
        w(f"heights {[(k, v.height) for k, v in sorted(ws.row_dimensions.items()) if v.height]}\n")
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None and not cell.has_style:
                    continue
                w(f"{cell.coordinate} {cell.value!r} {cell.number_format} {cell.font.b} "
                  f"{cell.fill.fgColor.rgb if cell.fill and cell.fill.fill_type else ''} "
                  f"{cell.alignment.horizontal} {cell.alignment.wrap_text} {bool(cell.border.left.style)}\n")


CSRF = re.compile(r'(csrfmiddlewaretoken" value="|csrf-token" content="|"csrfToken": ")[^"]+')


def dump(path: str, pages: bool = True) -> None:
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from taizhang.accounts.models import User
    from taizhang.monitoring import kept
    from taizhang.monitoring.metrics import ALL, APPROVED, Snapshot
    from taizhang.projects.models import Project
    from taizhang.regions.models import Region, Unit

    today = dt.date(2025, 1, 20)
    with open(path, "w") as out:
        districts = list(Region.objects.filter(level="district", projects__isnull=False).distinct().order_by("code"))
        unit = Unit.objects.annotate(n=Count("projects")).filter(n__gt=0).order_by("-n", "pk").first()
        latest = Project.objects.order_by().values_list("progress_reports__year", flat=True).distinct()
        year = max(y for y in latest if y)
        scopes = [("city", Project.objects.all())]
        scopes += [(f"district {d.code}", Project.objects.filter(region=d)) for d in (districts[:2] + districts[-1:])]
        if unit is not None:
            scopes.append((f"unit {unit.pk}", Project.objects.filter(responsible_unit=unit)))
        cases = [(year, 10, ALL, None), (year, 10, APPROVED, None), (year, 3, APPROVED, None), (year, 12, ALL, None),
                 (year - 1, 1, ALL, None),
                 (year, 10, APPROVED, timezone.make_aware(dt.datetime(year, 11, 4, 12)))]
        for scope_name, projects in scopes:
            for y, m, basis, as_of in cases:
                if scope_name == "city" and (y, m) == (year, 3):
                    continue  # time: the city in three cases is enough
                snap = Snapshot(projects, y, m, today=today, basis=basis, as_of=as_of)
                dump_snapshot(out, snap, f"{scope_name} {y}-{m} {basis} as_of={as_of}")
                out.flush()
        if not pages:
            return
        host = {"HTTP_HOST": "127.0.0.1"}
        for user in User.objects.filter(is_active=True).exclude(region=None).exclude(username="figures_leader").order_by("username")[:6]:
            client = Client()
            client.force_login(user)
            for query in (f"year={year}&month=10", f"year={year}&month=10&basis=approved", f"year={year}&month=6"):
                kept.clear()
                r = client.get(f"/monitoring/?{query}", **host)
                out.write(f"== page {user.username} {query} {r.status_code}\n")
                out.write(CSRF.sub(r"\1…", r.content.decode()) + "\n")
                for metric in ("completed", "warn_red", "health_no_funds", "stage_started", "not_reported"):
                    r = client.get(f"/monitoring/drill/?{query}&metric={metric}", **host)
                    out.write(f"== drill {user.username} {query} {metric} {r.status_code}\n")
                    out.write(CSRF.sub(r"\1…", r.content.decode()) + "\n")
            kept.clear()
            r = client.get(f"/monitoring/monthly.xlsx?year={year}&month=10", **host)
            out.write(f"== workbook {user.username} {r.status_code} {r.get('Content-Disposition')}\n")
            if r.status_code == 200:
                dump_workbook(out, r.content, f"view {user.username}")


if __name__ == "__main__":
    main()
