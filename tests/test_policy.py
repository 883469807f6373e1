"""One permission policy: ``may(user, action, obj)``, asked alike by services, querysets, views
and templates. Each role × action × object below is worked out from who does what, not read
off the code."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied
from django.template import Context, Template

from taizhang.accounts.choices import Role
from taizhang.core.scope import Action, may
from taizhang.projects.choices import ReportStatus
from taizhang.projects.models import MonthlyProgress, Project
from taizhang.reporting import progress, supervision
from taizhang.reporting.choices import OrderLevel, OrderStatus, PeriodStatus
from taizhang.reporting.models import Attachment, ReportingPeriod, Revision, SupervisionOrder

from .conftest import make_user

pytestmark = pytest.mark.django_db

#: one letter per action, so that a row of the table reads at a glance
CODES = {
    "V": Action.VIEW, "C": Action.CHANGE, "R": Action.REPORT, "D": Action.DELETE, "A": Action.APPROVE,
    "L": Action.LOCK, "X": Action.CORRECT, "S": Action.SUPERVISE, "N": Action.ANSWER, "T": Action.SET_RULES,
}
ALL = "".join(CODES)
assert set(CODES.values()) == set(Action), "a new Action needs a column in the table"

# Groups of objects that every user treats alike:
#   own       a 崂山 project of the unit user's unit (投资促进中心), its report, a correction, a photo
#   other     a 崂山 project of another unit (发改局), its report and a correction
#   district  崂山 itself and its month
#   lc        李沧: a project, its report, a correction, its month, the district itself
#   order_*   崂山 督办单 to 投资促进中心 at each level; order_fgj: to 发改局; order_lc: a 李沧 one
EXPECTED = {
    #              own         other       district    lc          order_d  order_l  order_c  order_fgj order_lc  anywhere
    "ls_admin":   ("VCRDAXST", "VCRDAXST", "VCRDAXST", "",         "VS",    "VS",    "V",     "VS",     "",       "VCRDAXST"),
    "ls_editor":  ("VCR",      "VCR",      "VCR",      "",         "V",     "V",     "V",     "V",      "",       "VCR"),
    "ls_viewer":  ("V",        "V",        "V",        "",         "V",     "VS",    "V",     "V",      "",       "V"),
    "lc_editor":  ("",         "",         "",         "VCR",      "",      "",      "",      "",       "V",      "VCR"),
    "city_admin": ("VCRDLXS",  "VCRDLXS",  "VCRDLXS",  "VCRDLXS",  "VS",    "V",     "VS",    "VS",     "VS",     "VCRDLXS"),
    "unit_user":  ("VR",       "",         "V",        "",         "VN",    "VN",    "VN",    "",       "",       "VRN"),
    "superuser":  (ALL,        ALL,        ALL,        ALL,        ALL,     ALL,     ALL,     ALL,      ALL,      ALL),
}
USERS = list(EXPECTED)
GROUPS = ("own", "other", "district", "lc", "order_d", "order_l", "order_c", "order_fgj", "order_lc", "anywhere")


def order(world, unit, level=OrderLevel.DISTRICT, region=None, content="请说明进度", status=OrderStatus.ISSUED):
    return SupervisionOrder.objects.create(region=region or world.laoshan, unit=unit, content=content,
                                           deadline=dt.date(2099, 1, 1), level=level, status=status)


def report(project, status=ReportStatus.DRAFT, year=2024, month=1):
    return MonthlyProgress.objects.create(project=project, year=year, month=month, investment=D("10"), status=status)


@pytest.fixture
def things(world, django_user_model):
    """The objects of the table, grouped as in ``EXPECTED``."""
    world.superuser = make_user(django_user_model, "root", Role.LEADER, None, is_superuser=True)
    ls_period = ReportingPeriod.objects.create(region=world.laoshan, year=2024, month=1, deadline=dt.date(2024, 2, 5))
    lc_period = ReportingPeriod.objects.create(region=world.licang, year=2024, month=1, deadline=dt.date(2024, 2, 5))
    own_r, other_r, lc_r = report(world.ls_project), report(world.ls_other), report(world.lc_project)

    def revision(r, period):
        return Revision.objects.create(report=r, period=period, number=2, old_investment=D("10"),
                                       new_investment=D("11"), reason="更正")

    photo = Attachment.objects.create(report=own_r, file="evidence/x.png", original_name="x.png", kind="png", size=1)
    return {
        "own": [world.ls_project, own_r, revision(own_r, ls_period), photo],
        "other": [world.ls_other, other_r, revision(other_r, ls_period)],
        "district": [world.laoshan, ls_period],
        "lc": [world.lc_project, lc_r, revision(lc_r, lc_period), lc_period, world.licang],
        "order_d": [order(world, world.ls_zs)],
        "order_l": [order(world, world.ls_zs, OrderLevel.LEADER)],
        "order_c": [order(world, world.ls_zs, OrderLevel.CITY)],
        "order_fgj": [order(world, world.ls_fgj)],
        "order_lc": [order(world, world.lc_fgj, region=world.licang)],
        "anywhere": [None],
    }


def test_the_policy_table(world, things):
    wrong = []
    for username, row in EXPECTED.items():
        user = getattr(world, username)
        for group, allowed in zip(GROUPS, row, strict=True):
            for obj in things[group]:
                for code, action in CODES.items():
                    if may(user, action, obj) != (code in allowed):
                        wrong.append(f"{username} {action} {group}:{type(obj).__name__} expected {code in allowed}")
    assert not wrong, "\n".join(wrong)


def test_the_querysets_select_exactly_what_the_policy_allows(world, things):
    """``restrict(user, action)`` on the scoped models agrees with ``may`` row by row."""
    scoped = (ReportingPeriod, SupervisionOrder, Revision, Attachment, Project, MonthlyProgress)
    wrong = []
    for username in EXPECTED:
        user = getattr(world, username)
        for group in GROUPS[:-1]:
            for obj in things[group]:
                if not isinstance(obj, scoped):
                    continue
                for action in Action:
                    if action == Action.ANSWER and isinstance(obj, Project | MonthlyProgress):
                        continue  # projects' own querysets scope records, not 督办 answers
                    found = type(obj).objects.restrict(user, action).filter(pk=obj.pk).exists()
                    if found != may(user, action, obj):
                        wrong.append(f"{username} {action} {group}:{type(obj).__name__} restrict={found}")
    assert not wrong, "\n".join(wrong)


def test_nobody_inactive_or_anonymous(world, things):
    from django.contrib.auth.models import AnonymousUser

    world.ls_admin.is_active = False
    for user in (world.ls_admin, AnonymousUser()):
        assert not any(may(user, a, obj) for a in Action for group in GROUPS for obj in things[group])
        assert not SupervisionOrder.objects.restrict(user).exists()
        assert not ReportingPeriod.objects.restrict(user).exists()


def test_the_template_tag_asks_the_same_policy(world, things):
    template = Template('{% load taizhang %}{% may user "approve" obj as ok %}{{ ok }}')
    r = things["own"][1]
    for username in EXPECTED:
        user = getattr(world, username)
        assert template.render(Context({"user": user, "obj": r})) == str(may(user, Action.APPROVE, r))
    assert template.render(Context({"user": world.ls_admin, "obj": things["lc"][1]})) == "False"


@pytest.mark.parametrize("username", USERS)
def test_the_督办_services_refuse_exactly_what_the_policy_refuses(world, things, username):
    user = getattr(world, username)
    for group in ("order_d", "order_l", "order_c", "order_fgj", "order_lc"):
        template = things[group][0]
        answered = order(world, template.unit, template.level, template.region, status=OrderStatus.ANSWERED)
        assert _allowed(supervision.close_order, user, answered) == may(user, Action.SUPERVISE, answered), group
        issued = order(world, template.unit, template.level, template.region)
        assert _allowed(supervision.answer_order, user, issued, "已办") == may(user, Action.ANSWER, issued), group
    for unit, district in ((world.ls_zs, world.laoshan), (world.lc_fgj, world.licang)):
        issued = _allowed(supervision.issue_order, user, unit=unit, content="请说明", source="other",
                          deadline=dt.date(2099, 1, 1))
        assert issued == may(user, Action.SUPERVISE, district), unit
    # a project outside the user's scope cannot be named in an order
    if may(user, Action.SUPERVISE, world.laoshan) and not may(user, Action.VIEW, world.lc_project):
        with pytest.raises(PermissionDenied):
            supervision.issue_order(user, unit=world.ls_zs, project=world.lc_project, content="请说明",
                                    source="other", deadline=dt.date(2099, 1, 1))


def _allowed(action, *args, **kwargs) -> bool:
    try:
        action(*args, **kwargs)
    except PermissionDenied:
        return False
    return True


# -------------------------------------------------------------- pages show what the policy allows

@pytest.mark.parametrize("username", USERS)
def test_the_report_page_shows_review_buttons_iff_may_approve(client, world, things, username):
    user = getattr(world, username)
    r = report(world.ls_other, ReportStatus.SUBMITTED, month=3)
    client.force_login(user)
    page = client.get(f"/reporting/reports/{r.pk}/")
    if not may(user, Action.VIEW, r):
        assert page.status_code == 404
        return
    assert page.status_code == 200
    html = page.content.decode()
    assert ('id="approve-report"' in html) == may(user, Action.APPROVE, r)
    assert ('value="upload"' in html) == may(user, Action.REPORT, r)


@pytest.mark.parametrize("username", USERS)
def test_the_period_page_buttons_follow_the_policy(client, world, things, username):
    user = getattr(world, username)
    period = ReportingPeriod.objects.create(region=world.laoshan, year=2024, month=6, deadline=dt.date(2024, 7, 5),
                                            status=PeriodStatus.SUBMITTED)
    client.force_login(user)
    page = client.get(f"/reporting/?region={world.laoshan.pk}&year=2024&month=6")
    if not may(user, Action.VIEW, period):
        assert page.status_code == 404 or f"{world.laoshan} 2024年6月" not in page.content.decode()
        return
    html = page.content.decode()
    assert ('value="lock"' in html) == may(user, Action.LOCK, period)
    assert ("/reporting/rules/?region=" in html) == may(user, Action.SET_RULES, world.laoshan)
    # the rules page opens exactly for those who get the link
    rules = client.get(f"/reporting/rules/?region={world.laoshan.pk}")
    assert (rules.status_code == 200) == may(user, Action.SET_RULES, world.laoshan)


@pytest.mark.parametrize("username", USERS)
def test_the_orders_pages_follow_the_policy(client, world, things, username):
    user = getattr(world, username)
    client.force_login(user)
    listing = client.get("/reporting/orders/").content.decode()
    assert ("/reporting/orders/new/" in listing) == may(user, Action.SUPERVISE)
    assert (client.get("/reporting/orders/new/").status_code == 200) == may(user, Action.SUPERVISE)
    for group in ("order_d", "order_l", "order_c", "order_fgj", "order_lc"):
        o = things[group][0]
        SupervisionOrder.objects.filter(pk=o.pk).update(status=OrderStatus.ANSWERED, answer="已办")
        page = client.get(f"/reporting/orders/{o.pk}/")
        assert page.status_code == (200 if may(user, Action.VIEW, o) else 404), group
        if page.status_code == 200:
            assert ('id="close-order"' in page.content.decode()) == may(user, Action.SUPERVISE, o), group


# -------------------------------------------------------------- what a 责任单位 sees


def test_a_unit_sees_no_other_units_corrections_on_the_month_page(client, world, no_start_rule):
    """Corrections after locking are listed on 月度调度; a 责任单位 sees only its own projects' ones."""
    ReportingPeriod.objects.create(region=world.laoshan, year=2024, month=2, deadline=dt.date(2024, 3, 5),
                                   status=PeriodStatus.LOCKED)
    theirs = report(world.ls_other, ReportStatus.APPROVED, month=2)  # 发改局's project
    ours = report(world.ls_project, ReportStatus.APPROVED, month=2)  # the unit user's own
    progress.correct_locked(world.ls_admin, theirs, D("12"), "发改局项目补录漏报投资")
    progress.correct_locked(world.ls_admin, ours, D("13"), "投促中心项目更正笔误")
    url = f"/reporting/?region={world.laoshan.pk}&year=2024&month=2"

    client.force_login(world.unit_user)
    html = client.get(url).content.decode()
    assert "投促中心项目更正笔误" in html
    assert "发改局项目补录漏报投资" not in html
    assert not re.search(r"第\d+版</td><td>崂山区人民医院", html)

    client.force_login(world.ls_admin)
    html = client.get(url).content.decode()
    assert "投促中心项目更正笔误" in html and "发改局项目补录漏报投资" in html


def test_another_districts_order_is_404_and_a_unit_sees_only_its_own(client, world):
    lc_order = order(world, world.lc_fgj, region=world.licang, content="李沧项目进度滞后")
    mine = order(world, world.ls_zs, content="投促中心请说明进度")
    fgj = order(world, world.ls_fgj, content="发改局请说明进度")

    for user in (world.ls_admin, world.ls_editor, world.ls_viewer):
        client.force_login(user)
        assert client.get(f"/reporting/orders/{lc_order.pk}/").status_code == 404
        assert "李沧项目进度滞后" not in client.get("/reporting/orders/").content.decode()
        assert client.post(f"/reporting/orders/{lc_order.pk}/", {"action": "close"}).status_code == 404
    client.force_login(world.city_admin)
    assert client.get(f"/reporting/orders/{lc_order.pk}/").status_code == 200

    client.force_login(world.unit_user)
    listing = client.get("/reporting/orders/").content.decode()
    assert "投促中心请说明进度" in listing
    assert "发改局请说明进度" not in listing and "李沧项目进度滞后" not in listing
    assert client.get(f"/reporting/orders/{fgj.pk}/").status_code == 404
    assert client.post(f"/reporting/orders/{fgj.pk}/", {"action": "answer", "answer": "x"}).status_code == 404
    fgj.refresh_from_db()
    assert fgj.status == OrderStatus.ISSUED
    assert client.get(f"/reporting/orders/{mine.pk}/").status_code == 200
