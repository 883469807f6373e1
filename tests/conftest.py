"""Personas and small ledgers shared by the suite (Healthchecks' Alice/Bob/Charlie)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings

from taizhang.accounts.choices import Role
from taizhang.projects import services
from taizhang.projects.models import Project
from taizhang.regions.choices import RegionLevel
from taizhang.regions.models import IndustryChain, Region, Unit


def pytest_configure(config):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Persistent connections would keep the test database busy at teardown (live server thread).
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0


@pytest.fixture(autouse=True)
def chinese():
    """Each test starts in the default language: a page visited in English earlier in the
    same thread must not change another test's messages."""
    from django.utils import translation

    with translation.override("zh-hans"):
        yield


class World:
    """A province, Qingdao, 崂山区 and 李沧区, their units, and one user per role."""


def make_user(django_user_model, username, role, region=None, unit=None, **extra):
    user = django_user_model(username=username, full_name=username, role=role, region=region, unit=unit, **extra)
    user.set_password("pw")
    user.save()
    return user


@pytest.fixture
def world(db, django_user_model):
    w = World()
    w.shandong = Region.objects.create(code="370000", name="山东省", level=RegionLevel.PROVINCE)
    w.qingdao = Region.objects.create(code="370200", name="青岛市", level=RegionLevel.CITY, parent=w.shandong)
    w.laoshan = Region.objects.create(code="370212", name="崂山区", short_name="崂山",
                                      level=RegionLevel.DISTRICT, parent=w.qingdao)
    w.licang = Region.objects.create(code="370213", name="李沧区", short_name="李沧",
                                     level=RegionLevel.DISTRICT, parent=w.qingdao)
    w.vr_park = Region.objects.create(code="P37021201", name="青岛市虚拟现实产业园",
                                      level=RegionLevel.PARK, parent=w.laoshan)
    w.ls_fgj = Unit.objects.create(name="崂山区发展和改革局", region=w.laoshan)
    w.ls_zs = Unit.objects.create(name="崂山区投资促进中心", region=w.laoshan)
    w.lc_fgj = Unit.objects.create(name="李沧区发展和改革局", region=w.licang)
    w.vr = IndustryChain.objects.create(region=w.laoshan, name="虚拟现实")
    w.lc_chain = IndustryChain.objects.create(region=w.licang, name="数字经济")

    w.ls_editor = make_user(django_user_model, "ls_editor", Role.DISTRICT_REPORTER, w.laoshan)
    w.ls_admin = make_user(django_user_model, "ls_admin", Role.DISTRICT_ADMIN, w.laoshan)
    w.ls_viewer = make_user(django_user_model, "ls_viewer", Role.LEADER, w.laoshan)
    w.lc_editor = make_user(django_user_model, "lc_editor", Role.DISTRICT_REPORTER, w.licang)
    w.city_admin = make_user(django_user_model, "city_admin", Role.CITY_ADMIN, w.qingdao)
    w.unit_user = make_user(django_user_model, "ls_unit", Role.UNIT_USER, w.laoshan, w.ls_zs)

    w.ls_project = make_project(w.ls_admin, w.laoshan, "虚拟现实创享中心", "52000", unit=w.ls_zs, chain=w.vr)
    w.ls_other = make_project(w.ls_admin, w.laoshan, "崂山区人民医院", "8000", unit=w.ls_fgj)
    w.lc_project = make_project(w.city_admin, w.licang, "中化·云谷", "521200", unit=w.lc_fgj)
    return w


def make_project(user, region, name, total, unit=None, chain=None, **extra) -> Project:
    data = dict(name=name, region=region, total_investment=Decimal(total), responsible_unit=unit, chain=chain,
                stage_date=dt.date(2024, 1, 1))
    data.update(extra)
    return services.create_project(user, data)


def walk(user, project, *stages, start=dt.date(2024, 1, 10)):
    """Move a project forward one stage a week from ``start``."""
    day = start
    for stage in stages:
        services.move_stage(user, project, stage, day)
        day += dt.timedelta(days=7)
    project.refresh_from_db()
    return project


@pytest.fixture
def no_start_rule(world):
    """For tests about sums and reports rather than the start rule: projects in these tests
    report investment before their stage says 开工."""
    from taizhang.reporting.choices import RuleKind
    from taizhang.reporting.models import ValidationRule

    for region in (world.laoshan, world.licang):
        ValidationRule.objects.create(region=region, kind=RuleKind.NOT_STARTED, active=False)


@pytest.fixture
def held_jobs(monkeypatch):
    """Background jobs that start only when the test runs them (on this thread and database
    connection): a list of (target, args) as they were started."""
    from taizhang.core import jobs

    started = []

    class Thread:
        def __init__(self, target, args, **kw):
            started.append((target, args))

        def start(self):
            pass

    monkeypatch.setattr(jobs.threading, "Thread", Thread)
    return started
