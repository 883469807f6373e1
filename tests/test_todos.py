"""待办 for every role: everything waiting, counted, none silently cut off; the nav shows the
count; leaders land on the 驾驶舱; the city sees districts that have not submitted."""

import datetime as dt

import pytest
from django.utils import timezone

from taizhang.core.periods import last_finished_month
from taizhang.reporting import services as reporting_services
from taizhang.reporting.todos import SHOWN, todos

from .test_bulk_review import submitted

pytestmark = pytest.mark.django_db


def test_a_reviewer_sees_every_waiting_report_counted_and_by_month(client, world):
    reports = submitted(world, SHOWN + 5)
    client.force_login(world.ls_admin)
    page = client.get("/todo/")
    body = page.content.decode()
    review = next(g for g in page.context["groups"] if g.what == "待审核")
    assert review.count == SHOWN + 5 and len(review.items) == SHOWN
    assert f"显示前 {SHOWN} 项,共 {SHOWN + 5} 项" in body
    assert review.by_month == [("崂山区 2024年3月", SHOWN + 5,
                                f"/reporting/?region={world.laoshan.pk}&year=2024&month=3#review")]
    assert f'id="todo-count">{page.context["total"]}<' in body  # the nav's badge
    every = client.get("/todo/?show=待审核").context["groups"]
    assert len(next(g for g in every if g.what == "待审核").items) == len(reports)
    assert client.get("/").status_code == 200  # the home page is the same list


def test_a_leader_lands_on_the_dashboard_and_still_reaches_the_list(client, world):
    client.force_login(world.ls_viewer)
    r = client.get("/")
    assert r.status_code == 302 and r["Location"] == "/monitoring/"
    assert client.get("/todo/").status_code == 200


def test_the_city_sees_districts_past_their_deadline_that_have_not_submitted(world):
    today = timezone.localdate()
    year, month = last_finished_month(today)
    after_deadline = dt.date(today.year, today.month, 28)
    items = [d for what, d, _ in todos(world.city_admin, today=after_deadline) if what == "区未报送"]
    assert any(d.startswith(f"崂山区 {year}年{month}月") for d in items)
    assert any(d.startswith(f"李沧区 {year}年{month}月") for d in items)
    # a district that has submitted its month drops off the list
    period = reporting_services.period_for(world.licang, year, month)
    period.status = "submitted"
    period.save(update_fields=["status"])
    items = [d for what, d, _ in todos(world.city_admin, today=after_deadline) if what == "区未报送"]
    assert not any(d.startswith("李沧区") for d in items) and any(d.startswith("崂山区") for d in items)
    # before the deadline nothing is late yet
    first = dt.date(today.year, today.month, 1)
    assert not [d for what, d, _ in todos(world.city_admin, today=first) if what == "区未报送"]
