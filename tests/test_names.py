"""Look-alike names: invisible and direction characters are not part of a name, and a name that
differs from one in the same district only by spaces, width or invisible characters is refused,
on the page, the API and the import alike."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError

from taizhang.projects import imports, services
from taizhang.projects.models import Project

from .conftest import make_project
from .sheets import xlsx

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["\u200b\u200b", "\u202e", " \ufeff "])
def test_a_name_of_only_invisible_characters_is_refused(world, name):
    with pytest.raises(ValidationError, match="不可见字符"):
        make_project(world.ls_admin, world.laoshan, name, "100")


@pytest.mark.parametrize("twin", ["虚拟现实创享中心\u200b", "虚拟现实 创享中心", "\u202d虚拟现实创享中心", "虚拟现实创享中心 "])
def test_a_twin_of_an_existing_name_is_refused(world, twin):
    with pytest.raises(ValidationError, match="同名项目“虚拟现实创享中心”"):
        make_project(world.ls_admin, world.laoshan, twin, "100")
    with pytest.raises(ValidationError, match="同名项目"):
        services.update_project(world.ls_admin, world.ls_other, {"name": twin}, world.ls_other.version)
    assert Project.objects.filter(region=world.laoshan).count() == 2


def test_invisible_characters_are_dropped_from_a_stored_name(world):
    p = make_project(world.ls_admin, world.laoshan, "智慧\u200b港口\u202e", "100")
    assert p.name == "智慧港口"
    # The same name in another district is another project.
    assert make_project(world.city_admin, world.licang, "智慧港口", "100").name == "智慧港口"


def test_the_api_refuses_a_twin(client, world):
    client.force_login(world.ls_admin)
    r = client.post("/api/projects/", {"name": "虚拟现实创享中心\u200b", "region": world.laoshan.pk,
                                       "total_investment": "100"}, content_type="application/json")
    assert r.status_code == 400 and "同名项目" in r.content.decode()


def test_the_import_matches_a_twin_to_the_existing_project(world):
    data = xlsx([["项目名称", "总投资(万元)"], ["虚拟现实\u200b创享中心", 52000]])
    preview = imports.read_projects(world.ls_admin, io.BytesIO(data))
    assert [(r.name, r.action) for r in preview.rows] == [("虚拟现实创享中心", "unchanged")]
