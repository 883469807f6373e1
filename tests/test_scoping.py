"""No page, export or form shows or changes a record outside the user's scope."""

import csv
import io

import pytest
from openpyxl import load_workbook

from taizhang.core.scope import Action
from taizhang.projects.models import Project

pytestmark = pytest.mark.django_db


def names_in_list(client):
    r = client.get("/projects/")
    assert r.status_code == 200
    return {p.name for p in r.context["page"]}


def exported(client, fmt):
    r = client.get(f"/projects/export.{fmt}")
    assert r.status_code == 200
    if fmt == "csv":
        text = b"".join(r.streaming_content).decode("utf-8-sig")
        return {row[1] for row in list(csv.reader(io.StringIO(text)))[1:]}
    ws = load_workbook(io.BytesIO(r.content)).active
    return {row[1] for row in ws.iter_rows(min_row=2, values_only=True)}


def test_a_district_user_lists_and_exports_only_its_district(client, world):
    client.force_login(world.ls_editor)
    expected = {"虚拟现实创享中心", "崂山区人民医院"}
    assert names_in_list(client) == expected
    assert exported(client, "csv") == expected
    assert exported(client, "xlsx") == expected
    # A filter naming another district does not widen the scope either.
    r = client.get(f"/projects/?region={world.licang.pk}")
    assert not list(r.context["page"])


def test_a_district_user_can_neither_open_nor_edit_another_district(client, world):
    client.force_login(world.ls_editor)
    pk = world.lc_project.pk
    assert client.get(f"/projects/{pk}/").status_code == 404
    assert client.get(f"/projects/{pk}/edit/").status_code == 404
    r = client.post(f"/projects/{pk}/edit/", {"name": "改名", "region": world.licang.pk, "total_investment": "1"})
    assert r.status_code == 404
    r = client.post(f"/projects/{pk}/progress/", {"year": 2024, "month": 1, "investment": "1"})
    assert r.status_code == 404
    assert Project.objects.get(pk=pk).name == "中化·云谷"


def test_a_district_user_cannot_move_a_project_to_another_district(client, world):
    client.force_login(world.ls_editor)
    p = world.ls_project
    r = client.post(f"/projects/{p.pk}/edit/", {
        "name": p.name, "region": world.licang.pk, "total_investment": "52000",
        "origin": "domestic", "nature": "new", "level": "district", "category": "industry",
        "version": p.version,
    })
    assert r.status_code == 200  # the form is shown again: 李沧区 is not a choice
    assert "region" in r.context["form"].errors
    p.refresh_from_db()
    assert p.region == world.laoshan


def test_a_unit_user_sees_only_its_units_projects(client, world):
    client.force_login(world.unit_user)
    assert names_in_list(client) == {"虚拟现实创享中心"}
    assert exported(client, "csv") == {"虚拟现实创享中心"}
    assert client.get(f"/projects/{world.ls_other.pk}/").status_code == 404
    # It may report, but not edit the project itself.
    assert client.get(f"/projects/{world.ls_project.pk}/").status_code == 200
    assert client.get(f"/projects/{world.ls_project.pk}/edit/").status_code == 403


def test_a_leader_reads_but_changes_nothing(client, world):
    client.force_login(world.ls_viewer)
    assert names_in_list(client) == {"虚拟现实创享中心", "崂山区人民医院"}
    assert client.get("/projects/add/").status_code == 403
    assert client.get(f"/projects/{world.ls_project.pk}/edit/").status_code == 403
    r = client.post(f"/projects/{world.ls_project.pk}/stage/", {"to_stage": "negotiating", "date": "2024-01-10"})
    assert r.status_code == 403


def test_the_city_sees_every_district(client, world):
    client.force_login(world.city_admin)
    assert names_in_list(client) == {"虚拟现实创享中心", "崂山区人民医院", "中化·云谷"}


def test_anonymous_users_are_sent_to_log_in(client, world):
    for url in ("/projects/", f"/projects/{world.ls_project.pk}/", "/projects/export.csv"):
        r = client.get(url)
        assert r.status_code == 302 and "/accounts/login/" in r["Location"]


@pytest.mark.parametrize(
    "username, action, expected",
    [
        ("ls_editor", Action.DELETE, set()),
        ("ls_admin", Action.DELETE, {"虚拟现实创享中心", "崂山区人民医院"}),
        ("ls_unit", Action.REPORT, {"虚拟现实创享中心"}),
        ("ls_unit", Action.CHANGE, set()),
        ("city_admin", Action.CHANGE, {"虚拟现实创享中心", "崂山区人民医院", "中化·云谷"}),
    ],
)
def test_restrict_is_the_one_rule(world, django_user_model, username, action, expected):
    user = django_user_model.objects.get(username=username)
    assert set(Project.objects.restrict(user, action).values_list("name", flat=True)) == expected


def test_the_list_page_does_not_query_per_row(client, world):
    """The same number of queries for 3 projects as for 33 (the page's figures and warnings
    come from one snapshot of the page, not from a query per row)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .conftest import make_project

    client.force_login(world.city_admin)
    client.get("/projects/")  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        client.get("/projects/")
    for i in range(30):
        make_project(world.city_admin, world.licang, f"多行项目{i}", "100", unit=world.lc_fgj, chain=world.lc_chain)
    with CaptureQueriesContext(connection) as many:
        r = client.get("/projects/")
    assert len(r.context["page"].object_list) == 33
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]
