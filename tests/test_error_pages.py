"""In production the error pages speak Chinese, and say what happened to the user's work."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.views import defaults

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("view, args, status, text", [
    (defaults.bad_request, (Exception(),), 400, "请求有误"),
    (defaults.permission_denied, (PermissionDenied("您没有导入项目的权限"),), 403, "您没有导入项目的权限"),
    (defaults.page_not_found, (Exception(),), 404, "页面不存在"),
    (defaults.server_error, (), 500, "未保存任何数据"),
])
def test_error_pages_are_in_chinese(view, args, status, text):
    response = view(RequestFactory().get("/x/"), *args)
    body = response.content.decode()
    assert response.status_code == status and text in body and "Not Found" not in body and "Server Error" not in body


def test_a_missing_page_in_production_answers_in_chinese(client, world, settings):
    settings.DEBUG = False
    client.force_login(world.ls_admin)
    r = client.get("/no-such-page/")
    assert r.status_code == 404 and "页面不存在" in r.content.decode()


def test_the_api_answers_errors_in_json_even_where_no_route_matches(client, world, settings):
    settings.DEBUG = False
    client.force_login(world.ls_admin)
    for url in ("/api/no-such-thing/", "/api/plans/1.5e-3/", f"/api/projects/{world.lc_project.pk}/"):
        r = client.get(url)
        assert r.status_code == 404 and r["Content-Type"] == "application/json", url
        assert r.json()["detail"] and "<html" not in r.content.decode()
    page = client.get("/projects/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_a_user_changes_their_own_password_with_messages_in_chinese(client, world):
    client.force_login(world.ls_editor)
    page = client.get("/accounts/password/")
    assert page.status_code == 200 and "修改密码" in page.content.decode()
    short = client.post("/accounts/password/", {"old_password": "pw", "new_password1": "a1", "new_password2": "a1"})
    body = short.content.decode()
    assert short.status_code == 200 and "密码" in body and "too short" not in body and "This password" not in body
    ok = client.post("/accounts/password/", {"old_password": "pw", "new_password1": "Lao-shan-2026!",
                                             "new_password2": "Lao-shan-2026!"})
    assert ok.status_code == 302
    world.ls_editor.refresh_from_db()
    assert world.ls_editor.check_password("Lao-shan-2026!")


@pytest.mark.parametrize("body", ["[" * 100_000 + "]" * 100_000, '{"a":' * 40 + "1" + "}" * 40])
def test_deeply_nested_json_is_a_400_in_words(client, world, body):
    client.force_login(world.ls_admin)
    r = client.post("/api/projects/", body, content_type="application/json")
    assert r.status_code == 400 and "嵌套层数过多" in r.content.decode()


@pytest.mark.parametrize("url, extra", [
    ("/api/plans/", {"year": 2026, "planned_investment": "10"}),
    ("/api/problems/", {"category": "other", "description": "x", "raised_on": "2026-11-01"}),
    ("/api/progress/", {"year": 2026, "month": 10, "investment": "10"}),
])
def test_the_api_answers_the_same_for_another_districts_project_and_a_missing_one(client, world, url, extra):
    client.force_login(world.ls_editor)
    theirs = client.post(url, {"project": world.lc_project.pk, **extra}, content_type="application/json")
    missing = client.post(url, {"project": 987654, **extra}, content_type="application/json")
    assert theirs.status_code == missing.status_code == 400
    assert theirs.json() == missing.json() == {"project": ["项目不存在或不在您的管理范围内"]}


def test_every_page_carries_a_content_security_policy_of_our_own_origin(client, world):
    client.force_login(world.ls_admin)
    for url in ("/", "/projects/", "/monitoring/", "/projects/import/"):
        r = client.get(url, follow=True)
        csp = r["Content-Security-Policy"]
        assert "script-src 'self';" in csp and "default-src 'self'" in csp and "unsafe-eval" not in csp, url
        assert "onchange=" not in r.content.decode() and "<script>" not in r.content.decode(), url
    assert "'unsafe-inline'" in client.get("/api/docs/")["Content-Security-Policy"]


def test_the_favicon_is_ours(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 302 and r["Location"].endswith("favicon.svg")
    assert client.get(r["Location"]).status_code == 200
