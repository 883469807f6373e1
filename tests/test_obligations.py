"""One answer to "who owes a report", "who reported" and "who is late": the dashboard, 月度调度,
the briefing and the unit's 待办 give the same numbers."""

import datetime as dt
from decimal import Decimal as D

import pytest

from taizhang.monitoring import report
from taizhang.monitoring.metrics import Snapshot
from taizhang.projects import services as ledger
from taizhang.projects.choices import Stage
from taizhang.projects.models import Project
from taizhang.reporting import progress, services
from taizhang.reporting.todos import todos

from .conftest import make_project

pytestmark = pytest.mark.django_db
TODAY = dt.date(2024, 7, 10)  # June is the month being collected; its deadline is 5 July


def start(user, project, day):
    ledger.move_stage(user, project, Stage.STARTED, day, reason="直接开工")


def test_the_dashboard_the_month_page_the_briefing_and_the_todo_list_agree(world):
    u = world.ls_editor
    start(u, world.ls_project, dt.date(2024, 5, 1))  # the unit's: reports June as a draft
    start(u, world.ls_other, dt.date(2024, 6, 20))  # 发改局's: started in June, owes June, submits it
    third = make_project(world.ls_admin, world.laoshan, "投促中心第二个项目", "9000", unit=world.ls_zs)
    start(u, third, dt.date(2024, 3, 1))  # the unit's: owes June, has reported nothing
    done = make_project(world.ls_admin, world.laoshan, "已竣工项目", "9000", unit=world.ls_zs)
    start(u, done, dt.date(2024, 1, 1))
    ledger.move_stage(u, done, Stage.COMPLETED, dt.date(2024, 5, 31))  # finished before June: owes nothing
    progress.save_progress(world.unit_user, world.ls_project, 2024, 6, {"investment": D("10")}, today=TODAY)
    r = progress.save_progress(u, world.ls_other, 2024, 6, {"investment": D("10")}, today=TODAY)
    progress.submit_report(u, r)

    period = services.period_for(world.laoshan, 2024, 6)
    status = services.reporting_status(period, today=TODAY)
    snap = Snapshot(Project.objects.filter(region=world.laoshan), 2024, 6, today=TODAY)
    assert status["owed"] == snap.owed().value == 3
    assert status["not_reported"] == snap.not_reported().value == 2  # a draft is not reported
    assert {row.project.name for row in status["rows"]} == {"虚拟现实创享中心", "崂山区人民医院", "投促中心第二个项目"}
    assert status["late"] == 2  # past 5 July and not submitted
    assert "6月应报送月报的在建项目3个,未报送2个" in report.briefing(snap, "崂山区")

    items = [(what, detail) for what, detail, _ in todos(world.unit_user, today=TODAY)]
    assert ("逾期未填报", "投促中心第二个项目 2024年6月") in items  # owed, nothing reported
    assert ("待提交", "虚拟现实创享中心 2024年6月") in items  # owed, a draft
    assert not any("崂山区人民医院" in d or "已竣工项目" in d for _, d in items)  # not the unit's / not owed
