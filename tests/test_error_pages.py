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
