"""Reading and confirming a sheet in the import's tests, and the promise every accepted
workbook keeps: each total the preview shows is what the ledger then holds."""

from __future__ import annotations

import io
from decimal import Decimal as D

from taizhang.projects import imports, services
from taizhang.projects.models import AnnualPlan, MonthlyProgress, Project


def read(user, data, **kw):
    return imports.read_projects(user, io.BytesIO(data), **kw)


def confirm(user, data, **kw):
    preview = read(user, data, **kw)
    assert not preview.questions, preview.questions
    assert not preview.errors, [(r.number, r.messages) for r in preview.errors]
    services.apply_import(user, preview)
    assert_totals_stored(preview)
    return preview


def assert_totals_stored(preview) -> None:
    """For every workbook accepted: each total the preview shows is what the ledger now holds
    for the sheet's rows (a cumulative in 亿元 to its written precision)."""
    from django.db.models import Sum

    ids = [r.project.pk if r.project else Project.objects.get(name=r.name).pk for r in preview.rows]
    projects = Project.objects.filter(pk__in=ids)
    year, month_ = preview.year, preview.month
    reports = MonthlyProgress.objects.filter(project__in=projects, year=year)

    def total(qs, field):
        return qs.aggregate(s=Sum(field))["s"] or D(0)

    for t in preview.totals:
        field = next(c.field for c in preview.columns if c.field and imports._label(c.field) == t.label)
        slack = D("0")
        if field in ("total_investment", "contract_amount", "foreign_investment"):
            stored = total(projects, field)
        elif field == "year_plan":
            rows = [r for r in preview.rows if r.plan is not None]
            stored = total(AnnualPlan.objects.filter(project__name__in=[r.name for r in rows], year=year),
                           "planned_investment")
        elif field == "ytd":
            rows = [r for r in preview.rows if r.ytd is not None]
            stored = total(reports.filter(project__name__in=[r.name for r in rows], month__lte=month_), "investment")
            slack = sum((r.ytd_step / 2 for r in rows if r.ytd_step > D("0.01")), D(0))
        elif field == "month_investment":
            stored = total(reports.filter(month=month_), "investment")
        else:
            stored = total(reports.filter(month=int(field.split(":")[1])), "investment")
        assert abs(stored - t.rows) <= slack, (t.label, t.rows, stored)


def reasons(preview) -> list[tuple[int, str]]:
    """(row, reason without its explanation) of each row set aside."""
    return [(s.number, s.reason.split("(")[0]) for s in preview.skipped]
