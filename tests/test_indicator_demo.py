"""The demo's indicators: the seeds read as they are, ledger figures from the demo ledger, and
崂山区's generated key-task list (marked 演示) with a year of updates."""

import datetime as dt

import pytest

from taizhang.demo import builder as demo
from taizhang.demo.indicators import SEEDS
from taizhang.indicators import tasks
from taizhang.indicators.choices import Source, TaskOrigin, TaskState
from taizhang.indicators.figures import ledger_figures
from taizhang.indicators.models import Document, IndicatorValue, KeyTask, TaskUpdate

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 22)


def test_the_demo_has_indicators_and_laoshans_key_tasks():
    counts = demo.build(today=TODAY)
    # key tasks: generated, marked, with a year of updates, some late, some silent, one escalated
    laoshan = KeyTask.objects.filter(region__code="370212")
    assert counts["key_tasks"] == laoshan.count() >= 30
    assert set(laoshan.values_list("origin", flat=True)) == {TaskOrigin.GENERATED}
    assert all("演示" in t.title for t in laoshan)
    months = set(TaskUpdate.objects.filter(task__in=laoshan).values_list("month", flat=True))
    assert months == set(range(1, 11))
    states = {r.state for r in tasks.cycle(laoshan, 2026, 10, TODAY)}
    assert {TaskState.NOT_UPDATED, TaskState.ON_TRACK} <= states
    assert laoshan.filter(orders__isnull=False).exists()
    # ledger indicators: the monitoring figures of the demo ledger
    region = laoshan.first().region
    figures = ledger_figures(region, 2026, 10)
    for value in IndicatorValue.objects.filter(region=region, source=Source.LEDGER, year=2026, period_no=10):
        assert value.value == figures[value.indicator.ledger_metric], value.indicator
    # the seeds as they are: every value read from a report quotes its document
    if SEEDS.is_dir():
        assert Document.objects.count() == 5
        for value in IndicatorValue.objects.filter(source=Source.REPORT).select_related("fact__document"):
            doc = value.fact.document
            assert doc.text[value.fact.start:value.fact.end] == value.fact.quote
