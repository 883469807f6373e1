"""Key tasks (重点工作): the monthly cycle (late, not updated this cycle, done), who may
update, and escalation through the reporting app's 督办单."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taizhang.indicators import services, tasks
from taizhang.indicators.choices import TaskState
from taizhang.indicators.models import KeyTask
from taizhang.reporting import supervision
from taizhang.reporting.choices import OrderLevel, OrderStatus
from taizhang.reporting.models import SupervisionOrder

pytestmark = pytest.mark.django_db

Y = 2024


@pytest.fixture
def key_tasks(world):
    w = world
    w.task = services.save_task(w.ls_admin, w.laoshan, Y, {
        "title": "推进虚拟现实产业园二期建设", "responsible_unit": w.ls_zs, "deadline": dt.date(2024, 12, 31),
        "milestones": "6月底前主体封顶\n10月底前投入使用", "cooperating_units": [w.ls_fgj],
        "projects": [w.ls_project]})
    w.short = services.save_task(w.ls_admin, w.laoshan, Y, {
        "title": "完成重点项目用地报批", "responsible_unit": w.ls_fgj, "deadline": dt.date(2024, 4, 30)})
    w.lc_task = services.save_task(w.city_admin, w.licang, Y, {
        "title": "李沧区城市更新", "responsible_unit": w.lc_fgj, "deadline": dt.date(2024, 12, 31)})
    return w


def update(user, task, month=5, **kw):
    data = {"progress": "主体施工完成60%", "percent": 60, "evidence": "区发改局〔2024〕12号文"}
    data.update(kw)
    return services.update_task(user, task, Y, month, **data)


def states(w, month, today):
    return {r.task.title: r.state for r in tasks.cycle(KeyTask.objects.restrict(w.ls_admin), Y, month, today)}


def test_a_task_without_this_months_update_after_the_deadline_is_red(key_tasks):
    w = key_tasks
    # May's updates are due on 5 June, as the district's project reports
    assert states(w, 5, dt.date(2024, 6, 5))["推进虚拟现实产业园二期建设"] == TaskState.ON_TRACK
    assert states(w, 5, dt.date(2024, 6, 6))["推进虚拟现实产业园二期建设"] == TaskState.NOT_UPDATED
    update(w.unit_user, w.task)
    row = next(r for r in tasks.cycle(KeyTask.objects.restrict(w.ls_admin), Y, 5, dt.date(2024, 6, 6))
               if r.task == w.task)
    assert row.state == TaskState.ON_TRACK and row.update.evidence.startswith("区发改局")


def test_a_task_past_its_deadline_unfinished_is_late(key_tasks):
    w = key_tasks
    assert states(w, 5, dt.date(2024, 5, 20))["完成重点项目用地报批"] == TaskState.LATE
    update(w.ls_editor, w.short, month=5, percent=100, progress="已全部报批")
    assert states(w, 5, dt.date(2024, 5, 20))["完成重点项目用地报批"] == TaskState.DONE


def test_the_summary_counts_the_late_and_the_silent(key_tasks):
    w = key_tasks
    rows = tasks.cycle(KeyTask.objects.restrict(w.ls_admin), Y, 5, dt.date(2024, 6, 10))
    s = tasks.summary(rows)
    assert s["total"] == 2 and [r.task for r in s["late"]] == [w.short]
    assert [r.task for r in s["not_updated"]] == [w.task] and s["updating_rate"] == 0


def test_only_the_responsible_unit_updates_among_units(key_tasks, django_user_model):
    w = key_tasks
    from taizhang.accounts.choices import Role

    from .conftest import make_user

    fgj_user = make_user(django_user_model, "ls_fgj_user", Role.UNIT_USER, w.laoshan, w.ls_fgj)
    with pytest.raises(PermissionDenied):
        update(fgj_user, w.task)  # it cooperates on the task, it does not lead it
    assert w.task in KeyTask.objects.restrict(fgj_user)  # but it sees it
    with pytest.raises(PermissionDenied):
        update(w.ls_viewer, w.task)
    with pytest.raises(PermissionDenied):
        update(w.ls_editor, w.lc_task)


def test_an_update_needs_progress_and_evidence(key_tasks):
    w = key_tasks
    with pytest.raises(ValidationError) as e:
        update(w.unit_user, w.task, progress="", evidence="", percent=140)
    assert set(e.value.message_dict) == {"progress", "evidence", "percent"}


def test_laoshan_never_sees_licangs_tasks(key_tasks):
    w = key_tasks
    assert w.lc_task not in KeyTask.objects.restrict(w.ls_viewer)
    assert set(KeyTask.objects.restrict(w.unit_user)) == {w.task}
    assert w.lc_task in KeyTask.objects.restrict(w.city_admin)


def test_a_silent_task_is_escalated_with_a_supervision_order(key_tasks):
    w = key_tasks
    order = services.escalate_task(w.ls_admin, w.task, content="5月未更新进展", deadline=dt.date(2024, 6, 20),
                                   today=dt.date(2024, 6, 10))
    assert order.unit == w.ls_zs and order.level == OrderLevel.DISTRICT and "虚拟现实产业园二期" in order.content
    assert list(w.task.orders.all()) == [order]
    # the order lives its life in the reporting app: answered by the unit, escalated to the leaders
    supervision.answer_order(w.unit_user, order, "已补报")
    supervision.escalate_order(w.ls_admin, order, "答复不实")
    assert SupervisionOrder.objects.get().level == OrderLevel.LEADER
    assert SupervisionOrder.objects.get().status == OrderStatus.ISSUED
    with pytest.raises(PermissionDenied):
        services.escalate_task(w.ls_editor, w.task, content="x", deadline=dt.date(2024, 6, 20),
                               today=dt.date(2024, 6, 10))
    with pytest.raises(PermissionDenied):
        services.escalate_task(w.ls_admin, w.lc_task, content="x", deadline=dt.date(2024, 6, 20),
                               today=dt.date(2024, 6, 10))


def test_a_task_needs_a_unit_of_its_own_district(key_tasks):
    w = key_tasks
    with pytest.raises(ValidationError, match="本区单位"):
        services.save_task(w.ls_admin, w.laoshan, Y, {"title": "x", "responsible_unit": w.lc_fgj,
                                                      "deadline": dt.date(2024, 12, 31)})
    with pytest.raises(PermissionDenied):
        services.save_task(w.ls_editor, w.laoshan, Y, {"title": "x", "responsible_unit": w.ls_fgj,
                                                       "deadline": dt.date(2024, 12, 31)})


def test_a_districts_task_list_comes_from_its_sheet_all_or_nothing(client, world):
    from django.core.files.base import ContentFile
    from django.urls import reverse

    from .sheets import xlsx

    w = world
    url = reverse("indicators:tasks") + f"?year={Y}&month=5"
    head = ["序号", "重点工作", "牵头单位", "配合单位", "完成时限", "节点目标"]
    client.force_login(w.ls_admin)
    bad = xlsx([head, [1, "园区二期建设", "崂山区投资促进中心", "崂山区发展和改革局", "2024年6月", "5月底封顶"],
                [2, "用地报批", "李沧区发展和改革局", "", "2024-04-30", ""], [3, "道路建设", "崂山区发展和改革局", "", "明年", ""]])
    text = client.post(url, {"file": ContentFile(bad, name="清单.xlsx")}, follow=True).content.decode()
    assert "第3行" in text and "李沧区发展和改革局" in text and "第4行" in text
    assert not KeyTask.objects.exists()
    good = xlsx([head, [1, "园区二期建设", "崂山区投资促进中心", "崂山区发展和改革局", "2024年6月", "5月底封顶"],
                 [2, "用地报批", "崂山区发展和改革局", "", "2024-04-30", ""]])
    client.post(url, {"file": ContentFile(good, name="清单.xlsx")})
    first = KeyTask.objects.get(number=1)
    assert first.deadline == dt.date(2024, 6, 30) and list(first.cooperating_units.all()) == [w.ls_fgj]
    assert KeyTask.objects.get(number=2).responsible_unit == w.ls_fgj
    client.force_login(w.ls_editor)  # a reporter does not set the district's list
    assert client.post(url, {"file": ContentFile(good, name="清单.xlsx")}).status_code == 403
