"""A figure of exactly 0 is shown as 0, not as "—" (which means "no figure").

``{{ x|default:"—" }}`` treats 0 and 0.00 as missing; numbers use ``default_if_none``.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from taizhang.projects import services
from taizhang.projects.choices import Stage
from taizhang.reporting import progress

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_start_rule")]

TODAY = dt.date(2024, 12, 15)


def _cells(html: str, table_id: str, name: str) -> list[str]:
    """The numeric cells of the row naming ``name`` in the table ``table_id``."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    row = next(r for r in re.findall(r"<tr>.*?</tr>", table, re.S) if f">{name}</a>" in r)
    return [c.strip() for c in re.findall(r'<td class="num">(.*?)</td>', row, re.S)]


def _by_id(html: str, element_id: str) -> str:
    return re.search(rf'id="{element_id}">(.*?)<', html, re.S).group(1).strip()


@pytest.fixture
def on_time_and_idle(world):
    """For 1-6月 of 2024 (时序 50%): one project exactly on 时序, one with nothing done."""
    for p in (world.ls_project, world.ls_other):
        services.save_plan(world.ls_admin, p, 2024, {"planned_investment": Decimal("1000")})
    progress.save_progress(world.ls_editor, world.ls_project, 2024, 3, {"investment": Decimal("500")},
                           today=TODAY)
    return world


def test_the_drill_down_shows_a_rate_and_a_lag_of_zero(client, on_time_and_idle):
    w = on_time_and_idle
    client.force_login(w.ls_admin)
    html = client.get("/monitoring/drill/?year=2024&month=6&metric=planned").content.decode()
    # total, plan, done, rate, lag
    assert _cells(html, "drill-table", w.ls_project.name)[1:] == ["1,000.00", "500.00", "50.00", "0.00"]
    assert _cells(html, "drill-table", w.ls_other.name)[1:] == ["1,000.00", "0.00", "0.00", "-50.00"]


def test_a_project_without_a_plan_still_shows_no_rate(client, on_time_and_idle):
    w = on_time_and_idle
    client.force_login(w.ls_admin)
    html = client.get("/monitoring/drill/?year=2024&month=6&metric=key_projects").content.decode()
    assert _cells(html, "drill-table", w.ls_project.name)[3:] == ["50.00", "0.00"]
    services.save_plan(w.ls_admin, w.ls_other, 2024, {"planned_investment": Decimal("0")})
    html = client.get("/monitoring/drill/?year=2024&month=6&metric=key_projects").content.decode()
    assert _cells(html, "drill-table", w.ls_other.name)[1:] == ["0.00", "0.00", "—", "—"]


def test_the_dashboard_shows_a_completion_rate_of_zero(client, world):
    services.save_plan(world.ls_admin, world.ls_project, 2024, {"planned_investment": Decimal("1000")})
    client.force_login(world.ls_admin)
    html = client.get("/monitoring/?year=2024&month=6").content.decode()
    assert _by_id(html, "kpi-rate") == "0.00"


def test_the_month_page_shows_a_reporting_rate_of_zero(client, world):
    services.move_stage(world.ls_admin, world.ls_project, Stage.STARTED, dt.date(2024, 1, 10), reason="补录开工")
    client.force_login(world.ls_admin)
    html = client.get(f"/reporting/?region={world.laoshan.pk}&year=2024&month=3").content.decode()
    assert _by_id(html, "owed") == "1"
    assert _by_id(html, "rate") == "0.00"


def test_a_correction_from_zero_shows_the_zero_it_replaced(client, world):
    p = world.ls_project
    progress.save_progress(world.ls_editor, p, 2024, 3, {"investment": Decimal("0")}, today=TODAY)
    progress.save_progress(world.ls_editor, p, 2024, 3, {"investment": Decimal("80")}, reason="补录发票",
                           today=TODAY)
    client.force_login(world.ls_admin)
    html = client.get(f"/projects/{p.pk}/").content.decode()
    assert re.search(r"本月完成投资\(万元\):<del>0\.00</del> → <ins>80\.00</ins>", html), re.findall(
        r"本月完成投资.{0,80}", html)
