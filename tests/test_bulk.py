"""The import's fast paths store and read exactly what the slower standard ones do."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from simple_history.utils import bulk_create_with_history

from taizhang.core.bulk import insert, insert_with_history
from taizhang.core.history import change_context
from taizhang.core.workbook import _openpyxl_sheets, _xlsx_sheets
from taizhang.projects.choices import Origin, Stage
from taizhang.projects.models import MonthlyProgress, Project, StageChange

from .sheets import xlsx

#: what differs between two inserts of the same objects by construction
_OWN = {"id", "created", "updated", "history_id", "history_date", "project_id"}


def _projects(world, tag: str) -> list[Project]:
    return [Project(name=f"{tag}项目{i}", region=world.laoshan, chain=world.vr if i % 2 else None,
                    responsible_unit=world.ls_zs, total_investment=Decimal("1234.50") + i,
                    foreign_investment=Decimal("12.30") if i == 1 else None, origin=Origin.FOREIGN if i == 1
                    else Origin.DOMESTIC, planned_start=dt.date(2024, 3, 1), builder="某公司", stage=Stage.STARTED)
            for i in range(3)]


def _rows(queryset) -> list[dict]:
    return [{k: v for k, v in row.items() if k not in _OWN and k != "name"} for row in queryset.order_by("id").values()]


def test_insert_with_history_stores_what_bulk_create_with_history_does(world):
    standard, fast = _projects(world, "甲"), _projects(world, "乙")
    with change_context(world.ls_editor, "导入"):
        bulk_create_with_history(standard, Project, default_user=world.ls_editor, default_change_reason="Excel 导入")
        insert_with_history(fast, Project, default_user=world.ls_editor, default_change_reason="Excel 导入")
    assert all(p.pk is not None and not p._state.adding for p in fast)
    assert [p.pk for p in fast] == sorted(p.pk for p in fast)
    ours, theirs = Project.objects.filter(name__startswith="乙"), Project.objects.filter(name__startswith="甲")
    assert _rows(ours) == _rows(theirs)
    assert [p.created is not None for p in fast] == [True] * 3
    history = Project.history.filter(name__startswith="乙")
    assert _rows(history) == _rows(Project.history.filter(name__startswith="甲"))
    assert {(h.history_user_id, h.history_change_reason, h.history_type) for h in history} == {
        (world.ls_editor.pk, "Excel 导入", "+")}
    assert [h.id for h in history.order_by("history_id")] == [p.pk for p in fast]


def test_insert_takes_the_key_of_a_related_object_saved_after_it_was_assigned(world):
    project = Project(name="后存的项目", region=world.laoshan, total_investment=Decimal("1"))
    entry = StageChange(project=project, to_stage=Stage.LEAD)
    with pytest.raises(ValueError, match="unsaved related object"):
        insert([entry], StageChange)
    insert([project])
    insert([entry])
    assert StageChange.objects.get(pk=entry.pk).project_id == project.pk


def test_per_object_history_user_and_reason_are_kept(world):
    project = Project.objects.create(name="有月报的项目", region=world.laoshan, total_investment=Decimal("100"))
    reports = [MonthlyProgress(project=project, year=2024, month=m, investment=Decimal("1")) for m in (1, 2)]
    reports[1]._change_reason = "补报"
    insert_with_history(reports, MonthlyProgress, default_user=world.ls_editor, default_change_reason="导入")
    assert list(MonthlyProgress.history.order_by("month").values_list("history_change_reason", flat=True)) == [
        "导入", "补报"]


def _cells(source, width=300) -> list[tuple]:
    return [tuple(r[:width]) + (None,) * (width - len(r[:width])) for r in source.rows(width)]


def test_the_fast_xlsx_reader_reads_what_openpyxl_reads():
    data = xlsx([
        ["2024年重点项目表"],
        [],
        ["序号", "项目名称", "总投资(万元)", "开工时间", "备注", None, "空"],
        [1, "甲", 1000, dt.date(2024, 3, 1), "省重点", None, None],
        [2.5, "乙", 12.75, dt.datetime(2024, 3, 1, 8, 30), True, "x", ""],
        [3, "丙", 1e20, "2024年3月", None, None, 0],
    ], more=[("第二表", [["项目名称"]])])
    fast, standard = _xlsx_sheets(data), _openpyxl_sheets(data)
    assert all(s._rows.__qualname__.startswith("_calamine_sheets") for s in fast)
    assert [s.name for s in fast] == [s.name for s in standard] == ["Sheet", "第二表"]
    for ours, theirs in zip(fast, standard, strict=True):
        assert [[(type(v), v) for v in r] for r in _cells(ours)] == [[(type(v), v) for v in r] for r in _cells(theirs)]


def test_a_sheet_whose_cells_reach_far_columns_is_streamed_by_openpyxl():
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["项目名称", "总投资(万元)"])
    wb.active.cell(row=2, column=16_384, value="x")
    buf = io.BytesIO()
    wb.save(buf)
    (sheet,) = _xlsx_sheets(buf.getvalue())
    assert sheet._rows.__qualname__.startswith("_openpyxl_sheets")
    assert [len(r) for r in sheet.rows(2)] == [2, 2]


def test_a_cell_without_a_reference_is_not_trusted_to_the_fast_reader():
    data = xlsx([["项目名称", "总投资(万元)"], ["甲", 1]])
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b'<c r="B2"', b"<c")
            dst.writestr(item, content)
    (sheet,) = _xlsx_sheets(out.getvalue())
    assert sheet._rows.__qualname__.startswith("_openpyxl_sheets")


def test_only_defaults_found_valid_are_left_out_of_validation():
    from django.core.exceptions import ValidationError

    from taizhang.core.models import at_valid_defaults

    project = Project(name="某项目", total_investment=Decimal("1"))
    skipped = set(at_valid_defaults(project))
    assert {"version", "stage", "origin"} <= skipped
    assert not skipped & {"name", "total_investment", "region"}
    # A value that only looks like the default, or is not it, is validated as usual.
    project.version, project.origin = "1", "no-such-origin"
    assert not {"version", "origin"} & set(at_valid_defaults(project))
    with pytest.raises(ValidationError) as e:
        project.clean_fields(exclude={"region", *at_valid_defaults(project)})
    assert "origin" in e.value.message_dict
    report = MonthlyProgress(year=2024, month=3, investment=Decimal("-1"), funds_domestic=Decimal("-5"))
    assert "funds_domestic" not in at_valid_defaults(report)
    with pytest.raises(ValidationError) as e:
        report.full_clean(exclude={"project", *at_valid_defaults(report)}, validate_constraints=False)
    assert {"investment", "funds_domestic"} <= set(e.value.message_dict)


def test_few_collections_puts_the_collector_back_when_the_last_work_ends():
    import gc
    import threading

    from taizhang.core.bulk import few_collections

    before = gc.get_threshold()
    entered, leave = threading.Event(), threading.Event()

    def other():
        with few_collections():
            entered.set()
            leave.wait(5)

    with few_collections(first=12_345):
        assert gc.get_threshold()[0] == max(12_345, before[0])
        worker = threading.Thread(target=other)
        worker.start()
        entered.wait(5)
    assert gc.get_threshold()[0] == max(12_345, before[0])  # the other work still runs
    leave.set()
    worker.join(5)
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), few_collections():
        raise RuntimeError("the work failed")
    assert gc.get_threshold() == before


def _state(obj) -> tuple:
    fields = {k: v for k, v in obj.__dict__.items() if k != "_state"}
    return fields, obj._state.db, obj._state.adding, dict(obj._state.fields_cache)


@pytest.mark.parametrize("saved", [True, False])
def test_instance_makes_what_the_keyword_path_makes(world, saved):
    from taizhang.core.models import instance
    from taizhang.projects.models import AnnualPlan, Problem

    project = _projects(world, "丙")[0]
    if saved:
        project.save()
        project = Project.objects.get(pk=project.pk)  # read back: its state is the database's
    cases = [
        (MonthlyProgress, {"project": project, "year": 2024, "month": 3}),
        (MonthlyProgress, {"project": project, "year": 2024, "month": 3, "investment": Decimal("5"),
                           "reported_by": world.ls_editor}),
        (StageChange, {"project": project, "to_stage": Stage.STARTED, "date": dt.date(2024, 3, 1),
                       "precision": "day", "reason": "", "user": None}),
        (AnnualPlan, {"project": project, "year": 2024, "planned_investment": Decimal("300")}),
        (Problem, {"project": project, "category": "other", "description": "用地", "raised_by": world.ls_editor}),
        (Project, {"origin": Origin.DOMESTIC, "name": "某项目", "region": world.laoshan, "chain": None}),
    ]
    for model, values in cases:
        fresh = [model(**values), instance(model, **values)]
        assert _state(fresh[1]) == _state(fresh[0]), model  # a callable default (提出日期) too
    with pytest.raises(ValueError):
        instance(MonthlyProgress, project=world.laoshan, year=2024, month=3)  # not a project
    unrouted = _projects(world, "戊")[0]
    instance(MonthlyProgress, project=unrouted, year=2024, month=3)
    assert unrouted._state.db == "default"  # as assigning it routes it


def test_instance_is_made_by_init_when_something_listens_to_its_making(world):
    """A receiver of post_init (or pre_init) must see the object made: then no copying."""
    from django.db.models.signals import post_init

    from taizhang.core.models import instance

    project = _projects(world, "己")[0]
    seen = []

    def listen(sender, instance, **kwargs):
        seen.append((instance.year, instance.month, instance.project_id))

    post_init.connect(listen, sender=MonthlyProgress)
    try:
        made = instance(MonthlyProgress, project=project, year=2024, month=3)
        instance(StageChange, project=project, to_stage=Stage.LEAD)  # another model: not heard
    finally:
        post_init.disconnect(listen, sender=MonthlyProgress)
    assert seen == [(2024, 3, None)]
    assert _state(made) == _state(MonthlyProgress(project=project, year=2024, month=3))
    again = instance(MonthlyProgress, project=project, year=2024, month=4)
    assert seen == [(2024, 3, None)] and again.month == 4


def test_insert_prepares_each_value_whatever_the_types_of_the_rows_before_it(world):
    """Rows of one insert may hold values of other types in the same field (an int or a lazy
    translation in a text field, an int or a float for a decimal): each is prepared as
    bulk_create prepares it, not as the rows before it were."""
    from django.db import connection
    from django.utils.translation import gettext_lazy

    from taizhang.core.bulk import _prepared, _preparers
    from taizhang.core.bulk import _rows as prepared_rows

    def made(tag):
        values = [("某公司", Decimal("1.50"), dt.date(2024, 3, 1)), (123, 7, None),
                  (gettext_lazy("建设单位"), Decimal("2"), dt.date(2024, 3, 2)), ("", 2.25, dt.date(2024, 3, 3))]
        return [Project(name=f"{tag}{i}", region=world.laoshan, builder=b, total_investment=t, planned_start=d)
                for i, (b, t, d) in enumerate(values)]

    fields = [f for f in Project._meta.concrete_fields if f is not Project._meta.pk]
    preparers = _preparers(fields, connection)
    objs = made("丙型")
    expected = [_prepared(o, preparers, connection) for o in objs]
    assert [[(type(v), v) for v in row] for row in prepared_rows(objs, preparers, connection)] == [
        [(type(v), v) for v in row] for row in expected]
    assert [row[[f.attname for f in fields].index("builder")] for row in expected] == ["某公司", "123", "建设单位", ""]
    Project.objects.bulk_create(made("甲型"))
    insert(made("乙型"))
    assert _rows(Project.objects.filter(name__startswith="乙型")) == _rows(Project.objects.filter(name__startswith="甲型"))


def _verdict(obj, exclude, verdicts=None):
    from django.core.exceptions import ValidationError

    from taizhang.core.models import full_clean

    try:
        full_clean(obj, exclude, verdicts) if verdicts is not None else obj.full_clean(
            exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as e:
        return e.message_dict
    return {}


def test_remembered_verdicts_decide_as_validation_does(world):
    """full_clean with verdicts refuses and accepts what Model.full_clean does, the first time
    and when the values were seen before: a decimal equal to a valid one but with more places,
    the same value in another field, a refused value seen again."""
    from taizhang.core.models import Verdicts

    verdicts = Verdicts()

    def reports():
        return [MonthlyProgress(year=2024, month=3, investment=Decimal("1.50"), progress="主体施工"),
                MonthlyProgress(year=2024, month=3, investment=Decimal("1.500")),  # three places: refused
                MonthlyProgress(year=2024, month=13, investment=Decimal("-1")),
                MonthlyProgress(year=2024, month=3, investment=Decimal("2024")),  # 2024 valid as a year too
                MonthlyProgress(year=2024, month=2024, investment=Decimal("1.5"), funds_foreign=Decimal("3")),
                MonthlyProgress(year=True, month=3, investment=Decimal("1E+3"), exchange_rate=Decimal("7.1"))]

    for _ in range(2):
        for ours, theirs in zip(reports(), reports(), strict=True):
            assert _verdict(ours, {"project"}, verdicts) == _verdict(theirs, {"project"}), theirs.__dict__
            assert ours.investment == theirs.investment and str(ours.investment) == str(theirs.investment)
    assert verdicts  # some were remembered
    assert not any(isinstance(k[2], Decimal) for k in verdicts)  # decimals by their digits and exponent


def test_remembered_verdicts_leave_out_what_depends_on_more_than_the_value(world):
    """A foreign key (the database says whether the row exists), a validator not marked as
    deciding by the value alone, or a limit asked each time, are asked every time."""
    from django.core.exceptions import ValidationError
    from django.core.validators import MaxValueValidator

    from taizhang.core.models import (
        Verdicts,
        _of_value_alone,
        _remembered,
        clean_fields,
        of_value_alone,
    )

    remembered = {f.name: r for f, r in _remembered(Project)}
    assert remembered["name"] and remembered["total_investment"] and remembered["planned_start"]
    assert remembered["code"] and remembered["credit_code"]  # their validators are marked
    assert not remembered["region"] and not remembered["responsible_unit"] and not remembered["created"]
    assert not _of_value_alone(lambda value: None)
    assert not _of_value_alone(MaxValueValidator(lambda: dt.date(2024, 1, 1)))
    assert _of_value_alone(MaxValueValidator(dt.date(2024, 1, 1)))
    assert _of_value_alone(of_value_alone(lambda value: None))
    # A unit gone since: the foreign key is validated against the database again.
    verdicts = Verdicts()
    project = Project(name="某项目", region=world.laoshan, responsible_unit=world.ls_zs, total_investment=Decimal("1"))
    clean_fields(project, exclude={"region"}, verdicts=verdicts)
    project.responsible_unit_id += 10_000
    with pytest.raises(ValidationError) as e:
        clean_fields(project, exclude={"region"}, verdicts=verdicts)
    assert set(e.value.message_dict) == {"responsible_unit"}
