"""The REST API: token auth, the same scoping and rules as the pages, a stable schema."""


from pathlib import Path

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from taizhang.projects.models import MonthlyProgress, Project

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_start_rule")]

SNAPSHOT = Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml"


def api(user):
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def names(response):
    assert response.status_code == 200, response.content
    return {p["name"] for p in response.json()["results"]}


def test_a_token_is_obtained_with_a_password(world):
    r = APIClient().post("/api/token/", {"username": "ls_editor", "password": "pw"}, format="json")
    assert r.status_code == 200 and r.json()["token"]
    r = APIClient().post("/api/token/", {"username": "ls_editor", "password": "wrong"}, format="json")
    assert r.status_code == 400


def test_without_a_token_nothing_is_served(world):
    assert APIClient().get("/api/projects/").status_code == 401


def test_a_district_token_sees_only_its_district(world):
    client = api(world.ls_editor)
    assert names(client.get("/api/projects/")) == {"虚拟现实创享中心", "崂山区人民医院"}
    assert client.get(f"/api/projects/{world.lc_project.pk}/").status_code == 404
    assert client.patch(f"/api/projects/{world.lc_project.pk}/", {"name": "x"}, format="json").status_code == 404
    r = client.get("/api/progress/", {"project": world.lc_project.pk})
    assert r.status_code in (200, 400) and not r.json().get("results")
    assert {x["code"] for x in client.get("/api/regions/").json()["results"]} == {"370212", "P37021201"}
    # Creating in another district: that region is not a valid choice.
    r = client.post("/api/projects/", {"name": "越界项目", "region": world.licang.pk, "total_investment": "1"},
                    format="json")
    assert r.status_code == 400 and "region" in r.json()
    assert not Project.objects.filter(name="越界项目").exists()


def test_filters_and_pagination(world):
    client = api(world.city_admin)
    assert names(client.get("/api/projects/", {"over_100m": "true"})) == {"虚拟现实创享中心", "中化·云谷"}
    r = client.get("/api/projects/", {"page_size": 1})
    assert r.json()["count"] == 3


def test_a_unit_token_reports_only_on_its_own_projects(world):
    client = api(world.unit_user)
    assert names(client.get("/api/projects/")) == {"虚拟现实创享中心"}
    ok = client.post("/api/progress/", {"project": world.ls_project.pk, "year": 2024, "month": 3,
                                        "investment": "120.5", "progress": "主体施工"}, format="json")
    assert ok.status_code == 201, ok.content
    for project in (world.ls_other, world.lc_project):
        r = client.post("/api/progress/", {"project": project.pk, "year": 2024, "month": 3, "investment": "1"},
                        format="json")
        assert r.status_code in (400, 403)
    assert client.patch(f"/api/projects/{world.ls_project.pk}/", {"name": "改名"}, format="json").status_code == 403
    assert MonthlyProgress.objects.count() == 1


def test_a_correction_through_the_api_needs_a_reason_and_keeps_history(world):
    client = api(world.ls_editor)
    body = {"project": world.ls_project.pk, "year": 2024, "month": 3, "investment": "100"}
    assert client.post("/api/progress/", body, format="json").status_code == 201
    r = client.post("/api/progress/", {**body, "investment": "150"}, format="json")
    assert r.status_code == 400 and "reason" in r.json()
    r = client.post("/api/progress/", {**body, "investment": "150", "reason": "补录发票"}, format="json")
    assert r.status_code == 201
    report = MonthlyProgress.objects.get()
    assert report.investment == 150 and report.history.count() == 2


def test_bad_values_are_refused_with_chinese_messages(world):
    client = api(world.ls_editor)
    r = client.post("/api/progress/", {"project": world.ls_project.pk, "year": 2024, "month": 13,
                                       "investment": "-1"}, format="json")
    assert r.status_code == 400
    errors = r.json()
    assert set(errors) == {"month", "investment"}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in msg) for msgs in errors.values() for msg in msgs)
    assert not MonthlyProgress.objects.exists()


def test_stage_moves_through_the_api_follow_the_same_rules(world):
    client = api(world.ls_editor)
    url = f"/api/projects/{world.ls_project.pk}/move-stage/"
    r = client.post(url, {"to_stage": "started", "date": "2024-02-01"}, format="json")
    assert r.status_code == 400 and "原因" in str(r.json())
    r = client.post(url, {"to_stage": "negotiating", "date": "2024-02-01"}, format="json")
    assert r.status_code == 201
    assert Project.objects.get(pk=world.ls_project.pk).stage == "negotiating"
    assert api(world.ls_viewer).post(url, {"to_stage": "signed", "date": "2024-03-01"}, format="json").status_code == 403


def test_the_second_of_two_concurrent_api_edits_gets_409(world):
    client = api(world.ls_editor)
    url = f"/api/projects/{world.ls_project.pk}/"
    version = client.get(url).json()["version"]
    first = client.patch(url, {"content": "第一次", "version": version}, format="json")
    assert first.status_code == 200 and first.json()["version"] == version + 1
    second = client.patch(url, {"content": "第二次", "version": version}, format="json")
    assert second.status_code == 409 and "他人修改" in second.json()["detail"]
    assert Project.objects.get(pk=world.ls_project.pk).content == "第一次"


def test_problems_raised_and_solved_through_the_api(world):
    client = api(world.unit_user)
    r = client.post("/api/problems/", {"project": world.ls_project.pk, "category": "land",
                                       "description": "用地未落实", "deadline": str(timezone.localdate())},
                    format="json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    r = client.patch(f"/api/problems/{pk}/", {"status": "solved"}, format="json")
    assert r.status_code == 400 and "resolution" in r.json()
    r = client.patch(f"/api/problems/{pk}/", {"status": "solved", "resolution": "已调整"}, format="json")
    assert r.status_code == 200 and r.json()["resolved_on"]


def test_the_openapi_schema_matches_the_committed_snapshot():
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiYamlRenderer

    schema = SchemaGenerator().get_schema(request=None, public=True)
    current = OpenApiYamlRenderer().render(schema, renderer_context={}).decode()
    assert SNAPSHOT.exists(), "run: taizhang spectacular --file docs/openapi.yaml"
    assert current == SNAPSHOT.read_text(encoding="utf-8"), (
        "The API changed: review it, then run taizhang spectacular --file docs/openapi.yaml"
    )


def test_a_wrong_stage_entry_is_corrected_and_removed_through_the_api(world):
    import datetime as dt

    from taizhang.projects import services
    from taizhang.projects.models import StageChange

    p = world.ls_project
    services.move_stage(world.ls_editor, p, "negotiating", dt.date(2024, 2, 1))
    entry = p.stage_changes.get(to_stage="negotiating")
    c = APIClient()
    c.force_authenticate(world.ls_editor)
    url = f"/api/stage-changes/{entry.pk}/"
    assert c.patch(url, {"date": "2024-03-01"}, format="json").status_code == 400  # no reason
    r = c.patch(url, {"date": "2024-03-01"}, format="json", HTTP_X_CHANGE_REASON="以会议纪要为准")
    assert r.status_code == 200 and r.json()["date"] == "2024-03-01"
    assert StageChange.history.filter(id=entry.pk).first().history_change_reason == "以会议纪要为准"
    other = APIClient()
    other.force_authenticate(world.lc_editor)
    assert other.delete(url, HTTP_X_CHANGE_REASON="x").status_code == 404
    assert c.delete(url, HTTP_X_CHANGE_REASON="误录").status_code == 204
    p.refresh_from_db()
    assert p.stage == "lead"


def test_a_body_in_a_media_type_the_api_does_not_read_is_a_documented_415(world):
    import yaml

    before = Project.objects.count()
    r = api(world.ls_editor).post("/api/projects/", data=b"name=x", content_type="text/plain")
    assert r.status_code == 415 and r.json()["detail"]
    assert Project.objects.count() == before
    schema = yaml.safe_load(SNAPSHOT.read_text(encoding="utf-8"))
    writes = [op for path in schema["paths"].values() for method, op in path.items()
              if method in ("post", "put", "patch") and "security" in op and {} not in op["security"]]
    assert writes and all("415" in op["responses"] for op in writes)
