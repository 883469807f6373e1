"""Serving firms: 一企一策 (who writes a firm's plan, which unit sees which measure, its history),
and the district's 诉求 clocks (set with their history, and kept: the on-time rate by unit and
channel, by the same rule that marks one 诉求 late)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from taizhang.accounts.choices import Role
from taizhang.core.scope import Action, may
from taizhang.enterprises import clocks, services
from taizhang.enterprises.choices import MeasureStatus
from taizhang.enterprises.models import Demand, Measure, ServiceLevel, Strategy

from .conftest import make_user

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def served(world, django_user_model):
    """A 崂山区 firm whose 服务专员 is a 投资促进中心 user, with a 诉求, and a 发改局 user."""
    w = world
    w.fgj_user = make_user(django_user_model, "ls_fgj_user", Role.UNIT_USER, w.laoshan, w.ls_fgj)
    w.firm = services.create_enterprise(w.ls_admin, {"name": "青岛檬豆网络科技有限公司", "region": w.laoshan})
    w.other_firm = services.create_enterprise(w.ls_admin, {"name": "青岛海纳光电有限公司", "region": w.laoshan})
    services.assign_commissioner(w.ls_admin, w.firm, w.unit_user)
    w.demand = services.raise_demand(w.unit_user, w.firm, {"category": "finance", "content": "流动资金贷款",
                                                            "unit": w.ls_fgj})
    return w


def plan(w):
    strategy = services.save_strategy(w.unit_user, w.firm, 2024, "年内申报高新技术企业")
    ours = services.save_measure(w.unit_user, strategy, {"content": "对接银行授信", "unit": w.ls_zs,
                                                         "deadline": dt.date(2024, 6, 30)})
    theirs = services.save_measure(w.ls_editor, strategy, {"content": "协调研发场地", "unit": w.ls_fgj,
                                                           "deadline": dt.date(2024, 9, 30),
                                                           "demands": [w.demand]})
    return strategy, ours, theirs


def test_the_commissioner_and_the_district_write_the_plan(served):
    w = served
    strategy, ours, theirs = plan(w)
    assert list(theirs.demands.all()) == [w.demand]
    with pytest.raises(PermissionDenied):  # a leader reads
        services.save_measure(w.ls_viewer, strategy, {"content": "x", "unit": w.ls_zs,
                                                      "deadline": dt.date(2024, 6, 30)})
    with pytest.raises(PermissionDenied):  # another unit's staff, not the firm's commissioner
        services.save_measure(w.fgj_user, strategy, {"status": MeasureStatus.DONE}, measure=theirs)
    with pytest.raises(PermissionDenied):  # another district
        services.save_strategy(w.lc_editor, w.firm, 2024, "x")
    with pytest.raises(PermissionDenied):  # a unit user is no commissioner of the other firm
        services.save_strategy(w.unit_user, w.other_firm, 2024, "x")
    services.save_strategy(w.ls_editor, w.other_firm, 2024, "规上培育")


def test_a_unit_sees_the_measures_it_is_responsible_for(served):
    w = served
    strategy, ours, theirs = plan(w)
    assert list(Measure.objects.restrict(w.fgj_user)) == [theirs]
    assert list(Strategy.objects.restrict(w.fgj_user)) == [strategy]
    assert set(Measure.objects.restrict(w.unit_user)) == {ours, theirs}  # the commissioner sees the whole plan
    assert set(Measure.objects.restrict(w.ls_viewer)) == {ours, theirs}
    assert not Measure.objects.restrict(w.lc_editor).exists() and not Strategy.objects.restrict(w.lc_editor).exists()


@pytest.mark.parametrize("who", ["ls_admin", "ls_editor", "ls_viewer", "unit_user", "fgj_user", "lc_editor",
                                 "city_admin"])
def test_restrict_selects_what_may_allows(served, who):
    """The plan's queryset scope and the policy are one rule: the same answer for every record."""
    w = served
    strategy, ours, theirs = plan(w)
    bare = services.save_strategy(w.ls_editor, w.other_firm, 2024, "")  # a plan without measures
    user = getattr(w, who)
    for action in (Action.VIEW, Action.REPORT, Action.CHANGE):
        for obj in (strategy, bare, ours, theirs):
            shown = type(obj).objects.restrict(user, action).filter(pk=obj.pk).exists()
            assert shown == may(user, action, obj), (who, action, obj)


def test_a_measure_keeps_its_rules_and_history(served):
    w = served
    strategy, ours, theirs = plan(w)
    with pytest.raises(ValidationError):  # a unit of another district
        services.save_measure(w.ls_editor, strategy, {"content": "x", "unit": w.lc_fgj,
                                                      "deadline": dt.date(2024, 6, 30)})
    other_demand = services.raise_demand(w.ls_editor, w.other_firm, {"category": "other", "content": "x",
                                                                      "unit": w.ls_zs})
    with pytest.raises(ValidationError):  # another firm's 诉求
        services.save_measure(w.ls_editor, strategy, {"demands": [other_demand]}, measure=ours)
    with pytest.raises(ValidationError):  # before the plan's year
        services.save_measure(w.ls_editor, strategy, {"deadline": dt.date(2023, 12, 31)}, measure=ours)
    done = services.save_measure(w.unit_user, strategy, {"status": MeasureStatus.DONE, "progress": "已获授信500万元"},
                                 measure=Measure.objects.get(pk=ours.pk), today=dt.date(2024, 6, 1))
    assert done.done_on == dt.date(2024, 6, 1)
    again = services.save_measure(w.unit_user, strategy, {"status": MeasureStatus.ACTIVE},
                                  measure=Measure.objects.get(pk=ours.pk))
    assert again.done_on is None
    assert [h.status for h in ours.history.order_by("history_date", "history_id")] == ["planned", "done", "active"]
    assert ours.history.first().history_user == w.unit_user
    assert services.save_strategy(w.ls_editor, w.firm, 2024, "营业收入过亿").pk == strategy.pk  # one a year
    assert strategy.history.count() == 2


def test_a_measures_history_says_which_demands_it_was_linked_to(client, served):
    """Linking a measure to a firm's 诉求 is a change its history names (not an empty row)."""
    w = served
    strategy, ours, theirs = plan(w)
    second = services.raise_demand(w.unit_user, w.firm, {"category": "land", "content": "扩产用地",
                                                          "unit": w.ls_zs})
    services.save_measure(w.ls_editor, strategy, {"demands": [w.demand, second]}, measure=theirs)
    services.save_measure(w.ls_editor, strategy, {"demands": [second]}, measure=theirs)
    client.force_login(w.ls_admin)
    rows = client.get(reverse("enterprises:measure_edit", args=[theirs.pk])).context["history"]
    first, both, only = str(w.demand), f"{w.demand}、{second}", str(second)
    # each save keeps a record (one changing no field says nothing), each change of the links one more
    assert [r["changes"] for r in rows if r["changes"]] == [[("关联诉求", both, only)], [("关联诉求", first, both)],
                                                            [("关联诉求", "", first)]]


def test_the_firm_page_shows_the_plan_as_each_may_see_it(client, served):
    w = served
    strategy, ours, theirs = plan(w)
    url = reverse("enterprises:enterprise_detail", args=[w.firm.pk])
    client.force_login(w.fgj_user)
    page = client.get(url)
    (shown,) = page.context["strategies"]
    assert shown.shown == [theirs] and not page.context["can_plan"]
    assert "协调研发场地" in page.content.decode() and "对接银行授信" not in page.content.decode()
    assert client.get(reverse("enterprises:measure_edit", args=[ours.pk])).status_code == 404
    assert client.get(reverse("enterprises:measure_edit", args=[theirs.pk])).status_code == 200
    r = client.post(reverse("enterprises:measure_edit", args=[theirs.pk]),
                    {"content": "改", "unit": w.ls_fgj.pk, "deadline": "2024-09-30", "status": "done"})
    assert r.status_code == 403
    client.force_login(w.unit_user)  # the commissioner
    page = client.get(url)
    assert page.context["can_plan"] and {m.pk for m in page.context["strategies"][0].shown} == {ours.pk, theirs.pk}
    r = client.post(reverse("enterprises:measure_add", args=[strategy.pk]),
                    {"content": "申报高企辅导", "unit": w.ls_zs.pk, "deadline": "2024-10-31", "status": "planned",
                     "demands": [w.demand.pk]})
    assert r.status_code == 302, r.content.decode()[:2000]
    assert Measure.objects.get(content="申报高企辅导").demands.get() == w.demand
    r = client.post(reverse("enterprises:strategy_save", args=[w.other_firm.pk]), {"year": 2024, "goal": "x"})
    assert r.status_code == 403
    client.force_login(w.ls_editor)
    r = client.post(reverse("enterprises:strategy_save", args=[w.other_firm.pk]), {"year": 2025, "goal": "规上培育"})
    assert r.status_code == 302 and Strategy.objects.filter(enterprise=w.other_firm, year=2025).exists()


# ---------------------------------------------------------------- 诉求 clocks


def test_the_district_admin_sets_the_clocks_with_their_history(client, world):
    url = reverse("enterprises:service_levels")
    client.force_login(world.ls_editor)
    assert client.get(url).status_code == 200
    r = client.post(url, {"region": world.laoshan.pk, "name": "加急", "acknowledge_hours": 1, "answer_days": 1,
                          "resolve_days": 5})
    assert r.status_code == 403 and not ServiceLevel.objects.exists()
    client.force_login(world.ls_admin)
    r = client.post(url, {"region": world.laoshan.pk, "name": "加急", "acknowledge_hours": 1, "answer_days": 7,
                          "resolve_days": 5})
    assert r.status_code == 400 and "答复时限不能长于办结时限" in r.content.decode()
    r = client.post(url, {"region": world.laoshan.pk, "name": "加急", "acknowledge_hours": 1, "answer_days": 1,
                          "resolve_days": 5})
    assert r.status_code == 302
    level = ServiceLevel.objects.get(region=world.laoshan, name="加急")
    firm = services.create_enterprise(world.ls_admin, {"name": "诉求企业", "region": world.laoshan})
    received = dt.datetime(2024, 5, 6, 9, 0, tzinfo=TZ)
    before = services.raise_demand(world.ls_admin, firm, {"category": "other", "content": "a", "unit": world.ls_zs,
                                                          "service_level": level}, now=received)
    r = client.post(reverse("enterprises:service_level_edit", args=[level.pk]),
                    {f"l{level.pk}-name": "加急", f"l{level.pk}-acknowledge_hours": 2, f"l{level.pk}-answer_days": 2,
                     f"l{level.pk}-resolve_days": 10})
    assert r.status_code == 302
    level.refresh_from_db()
    assert (level.answer_days, level.resolve_days) == (2, 10)
    assert [h.resolve_days for h in level.history.order_by("history_date", "history_id")] == [5, 10]
    assert level.history.first().history_change_reason == "设定诉求办理时限"
    before.refresh_from_db()  # a 诉求 already running keeps its deadline
    assert before.resolve_due == received + dt.timedelta(days=5)
    after = services.raise_demand(world.ls_admin, firm, {"category": "other", "content": "b", "unit": world.ls_zs,
                                                         "service_level": level}, now=received)
    assert after.resolve_due == received + dt.timedelta(days=10)
    page = client.get(url + f"?region={world.laoshan.pk}")
    assert len(page.context["history"]) == 2
    client.force_login(world.lc_editor)
    assert client.get(url + f"?region={world.laoshan.pk}").status_code == 404


@pytest.fixture
def clocked(world, django_user_model):
    """Five 诉求 of 崂山区 on the common clocks (2 h / 3 d / 15 d) received 1 May 2024, 9:00."""
    fgj_user = make_user(django_user_model, "ls_fgj_user", Role.UNIT_USER, world.laoshan, world.ls_fgj)
    firm = services.create_enterprise(world.ls_admin, {"name": "诉求企业", "region": world.laoshan})
    t0 = dt.datetime(2024, 5, 1, 9, 0, tzinfo=TZ)

    def demand(unit, channel, ack=None, answer=None, resolve=None):
        d = services.raise_demand(world.ls_admin, firm, {"category": "other", "content": "x", "unit": unit,
                                                         "channel": channel}, now=t0)
        user = world.unit_user if unit == world.ls_zs else fgj_user
        if ack is not None:
            d = services.acknowledge_demand(user, d, now=t0 + ack)
        if answer is not None:
            d = services.answer_demand(user, d, "已答复", now=t0 + answer)
        if resolve is not None:
            d = services.resolve_demand(world.ls_admin, d, now=t0 + resolve)
        return d

    h, day = dt.timedelta(hours=1), dt.timedelta(days=1)
    return [
        demand(world.ls_zs, "12345热线", ack=h, answer=2 * day, resolve=10 * day),  # all in time
        demand(world.ls_zs, "12345热线", ack=3 * h, answer=4 * day, resolve=20 * day),  # all late
        demand(world.ls_zs, "企业服务平台", ack=h),  # acknowledged; the others running or late by now
        demand(world.ls_fgj, "企业服务平台", answer=h),  # answered at once: acknowledged by its answer
        demand(world.ls_fgj, ""),  # nothing done
    ]


def test_on_time_rates_by_unit_and_channel(world, clocked):
    now = dt.datetime(2024, 5, 5, 9, 0, tzinfo=TZ)  # 4 days on: answers due, resolutions not yet
    demands = Demand.objects.restrict(world.ls_admin)
    by_unit = {r.label: r for r in clocks.on_time(demands, "unit", now)}
    zs = by_unit["崂山区投资促进中心"]
    assert zs.total == 3
    assert (zs.clocks["acknowledge"].in_time, zs.clocks["acknowledge"].late) == (2, 1)
    assert zs.clocks["acknowledge"].rate == 66.7
    # answered in 2 days (in time), in 4 (late), not answered and 3 days passed (late)
    assert (zs.clocks["answer"].in_time, zs.clocks["answer"].late, zs.clocks["answer"].running) == (1, 2, 0)
    # resolved in 10 days (in time), in 20 (late, though 'now' is earlier: done is done), one still running
    assert (zs.clocks["resolve"].in_time, zs.clocks["resolve"].late, zs.clocks["resolve"].running) == (1, 1, 1)
    fgj = by_unit["崂山区发展和改革局"]
    assert (fgj.clocks["acknowledge"].in_time, fgj.clocks["acknowledge"].late) == (1, 1)
    assert fgj.clocks["resolve"].rate is None  # nothing decided yet
    total = by_unit["合计"]
    assert total.total == 5 and total.clocks["answer"].in_time == 2
    by_channel = {r.label: r for r in clocks.on_time(demands, "channel", now)}
    assert by_channel["12345热线"].clocks["resolve"].rate == 50.0
    assert by_channel[""].total == 1


@pytest.mark.parametrize("days", [0, 1, 3, 10, 30])
def test_the_rates_count_as_each_demand_is_marked(world, clocked, days):
    """The grouped counts and the rule that marks one 诉求 late agree, at any moment."""
    now = dt.datetime(2024, 5, 1, 10, 30, tzinfo=TZ) + dt.timedelta(days=days)
    labels = {"acknowledge": "响应", "answer": "答复", "resolve": "办结"}
    total = clocks.on_time(Demand.objects.all(), "unit", now)[-1]
    for step, label in labels.items():
        late = sum(label in services.overdue_steps(d, now) for d in Demand.objects.all())
        assert total.clocks[step].late == late, (step, now)


def test_the_clocks_page_shows_the_rates_to_the_district(client, world, clocked):
    client.force_login(world.ls_admin)
    page = client.get(reverse("enterprises:service_levels") + "?year=2024")
    assert page.status_code == 200
    assert [r.label for r in page.context["by_unit"]][-1] == "合计"
    assert page.context["by_unit"][-1].total == 5
    client.force_login(world.unit_user)  # a unit's staff see their own unit's 诉求 only
    page = client.get(reverse("enterprises:service_levels") + "?year=2024")
    assert page.context["by_unit"][-1].total == 3 and not page.context["can_set"]
