"""Confirming a previewed import with what its dry run decided, while nothing has changed.

The preview's dry run decides every new project's stage history and months; confirming the
same preview uses those decisions when, at the start of its transaction, the ledger's stamp
is the one read before the dry run (``core.marks``) and the user, the day, the reason and
the rows are as they were. These tests hold that it is used then and stores exactly what
deciding again would, and that any change in between (a month locked, a check rule turned
on, a project of the same name created, any other write) makes the confirm decide again
and refuse what it must. They run outside the test's transaction (a mark is only taken
outside one), on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from taizhang.core import marks
from taizhang.monitoring import stamp
from taizhang.projects import imports, services
from taizhang.projects.models import AnnualPlan, MonthlyProgress, Problem, Project
from taizhang.reporting import progress
from taizhang.reporting.choices import PeriodStatus, RuleKind
from taizhang.reporting.models import ReportingPeriod, ValidationRule

from .sheets import xlsx

pytestmark = pytest.mark.django_db(transaction=True)


def sheet(names=("甲产业园", "乙研发中心", "丙物流基地"), started=True) -> bytes:
    head = ["序号", "项目名称", "总投资(万元)", "2024年计划投资(万元)", "1-10月完成投资(万元)", "存在问题"]
    head += ["开工时间"] if started else []
    return xlsx([["崂山区2024年重点项目计划表"], head,
                 *[[i + 1, n, 1000 + i, 300, 250 + i, "用地未落实" if i == 0 else "", *(["2024-03-15"] if started else [])]
                   for i, n in enumerate(names)]])


def preview_of(user, data):
    preview = imports.read_projects(user, io.BytesIO(data))
    assert not preview.errors and not preview.questions, [(r.number, r.messages) for r in preview.errors]
    return preview


@pytest.fixture
def decided(monkeypatch):
    """The rows each decision of the monthly writer and each new history's check was asked for."""
    calls = {"months": 0, "histories": 0}
    decide, history = progress._decide, services.initial_history

    def counted_decide(user, entries, *args, **kwargs):
        calls["months"] += len(entries)
        return decide(user, entries, *args, **kwargs)

    def counted_history(*args, **kwargs):
        calls["histories"] += 1
        return history(*args, **kwargs)

    monkeypatch.setattr(progress, "_decide", counted_decide)
    monkeypatch.setattr(services, "initial_history", counted_history)
    return calls


def stored(names):
    """What an import stored for ``names``, without what differs by itself (keys, names, times)."""
    projects = Project.objects.filter(name__in=names).order_by("total_investment")
    out = []
    for p in projects:
        fields = {f.attname: getattr(p, f.attname) for f in Project._meta.concrete_fields
                  if f.attname not in ("id", "name", "created", "updated")}
        out.append((
            fields,
            [(c.from_stage, c.to_stage, c.date, c.precision, c.reason, c.user_id) for c in p.stage_changes.order_by("pk")],
            [(r.year, r.month, r.investment, r.progress, r.status, r.version, r.reported_by_id, r.explanation,
              r.funds_domestic, r.funds_foreign) for r in p.progress_reports.order_by("pk")],
            [(a.year, a.planned_investment) for a in AnnualPlan.objects.filter(project=p)],
            [(x.category, x.description, x.raised_by_id) for x in Problem.objects.filter(project=p)],
            [(h.history_type, h.history_user_id, h.history_change_reason) for h in p.history.all()],
            [(h.history_type, h.history_change_reason)
             for h in MonthlyProgress.history.filter(project_id=p.pk)],
        ))
    return out


def test_confirming_the_previewed_sheet_writes_what_its_dry_run_decided(world, decided):
    mine = ("甲产业园", "乙研发中心", "丙物流基地")
    preview = preview_of(world.ls_editor, sheet(mine))
    assert preview.decided is not None and decided == {"months": 3, "histories": 3}
    counts = services.apply_import(world.ls_editor, preview)
    assert decided == {"months": 3, "histories": 3}  # nothing decided again
    assert counts == {"created": 3, "updated": 0, "plans": 3, "progress": 3, "problems": 1, "stages": 3}
    assert preview.decided is None  # used once

    # The same rows under other names, decided again when confirmed: the same is stored.
    others = ("丁产业园", "戊研发中心", "己物流基地")
    again = preview_of(world.ls_editor, sheet(others))
    again.decided = None
    services.apply_import(world.ls_editor, again)
    assert decided == {"months": 9, "histories": 9}
    assert stored(mine) == stored(others) and len(stored(mine)) == 3
    assert MonthlyProgress.objects.filter(project__name__in=mine).count() == 3


def lock_the_month(world):
    ReportingPeriod.objects.create(region=world.laoshan, year=2024, month=10, deadline=dt.date(2024, 11, 5),
                                   status=PeriodStatus.LOCKED)


def turn_on_the_start_rule(world):
    ValidationRule.objects.filter(region=world.laoshan, kind=RuleKind.NOT_STARTED).update(active=True)


def create_a_twin(world):
    services.create_project(world.ls_admin, {"name": "乙研发中心", "region": world.laoshan,
                                             "total_investment": Decimal("10")})


@pytest.mark.parametrize("change, refusal", [
    (lock_the_month, "2024年10月已锁定"),
    (turn_on_the_start_rule, "尚未开工"),
    (create_a_twin, "在预览之后已由他人导入或新建"),
])
def test_a_change_between_preview_and_confirm_is_decided_again_and_refuses(world, decided, change, refusal):
    ValidationRule.objects.create(region=world.laoshan, kind=RuleKind.NOT_STARTED, active=False)
    before = Project.objects.count()
    preview = preview_of(world.ls_editor, sheet(started=False))
    assert preview.decided is not None
    change(world)
    after_change = Project.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.apply_import(world.ls_editor, preview)
    assert refusal in " ".join(refused.value.messages)
    assert decided["months"] > 3  # decided again
    assert Project.objects.count() == after_change >= before  # nothing of the import stored
    assert not Project.objects.filter(name__in=["甲产业园", "丙物流基地"]).exists()


def test_a_write_elsewhere_in_the_ledger_makes_the_confirm_decide_again(world, decided):
    preview = preview_of(world.ls_editor, sheet())
    services.save_plan(world.lc_editor, world.lc_project, 2024, {"planned_investment": Decimal("5")})
    services.apply_import(world.ls_editor, preview)
    assert decided == {"months": 6, "histories": 6}
    assert MonthlyProgress.objects.filter(project__name="甲产业园", year=2024, month=10).get().investment == 250


@pytest.mark.parametrize("how", ["another user", "another reason"])
def test_confirming_with_another_user_or_reason_decides_again(world, decided, how):
    preview = preview_of(world.ls_editor, sheet())
    if how == "another user":
        services.apply_import(world.ls_admin, preview)
    else:
        services.apply_import(world.ls_editor, preview, reason="另一原因")
    assert decided == {"months": 6, "histories": 6}
    report = MonthlyProgress.objects.get(project__name="甲产业园")
    assert report.reported_by == (world.ls_admin if how == "another user" else world.ls_editor)


def test_a_changed_row_is_decided_again(world, decided):
    preview = preview_of(world.ls_editor, sheet())
    preview.rows[0].reports[10] = Decimal("5000")  # above the project's total: refused when decided
    with pytest.raises(ValidationError) as refused:
        services.apply_import(world.ls_editor, preview)
    assert "超过剩余总投资" in " ".join(refused.value.messages) and decided["months"] == 6


def test_a_preview_inside_a_transaction_keeps_no_decisions(world, decided):
    with transaction.atomic():
        preview = preview_of(world.ls_editor, sheet())
    assert preview.decided is None
    services.apply_import(world.ls_editor, preview)
    assert decided == {"months": 6, "histories": 6}


def test_the_stamp_holds_only_in_a_transaction_that_sees_the_marked_ledger(world):
    mark = marks.take()
    assert mark is not None and mark == stamp.mark()
    assert not marks.holds(mark)  # outside a transaction nothing is held
    with transaction.atomic():
        assert marks.take() is None  # a mark inside a transaction could be given back
        assert marks.holds(mark)
        services.save_plan(world.ls_editor, world.ls_project, 2024, {"planned_investment": Decimal("1")})
        assert not marks.holds(mark)  # its own write
        transaction.set_rollback(True)
    with transaction.atomic():
        assert marks.holds(mark)  # the write was rolled back
    services.save_plan(world.ls_editor, world.ls_project, 2024, {"planned_investment": Decimal("1")})
    with transaction.atomic():
        assert not marks.holds(mark)  # committed since
