"""Password guessing is paused whatever worker answers, whatever X-Forwarded-For says, on the
login page and /api/token/ alike, and one person's failures do not lock out a colleague
behind the same proxy."""

from __future__ import annotations

import pytest
from django.core.cache import cache, caches

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh(settings):
    cache.clear()
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    yield
    cache.clear()


def fail(client, username, **headers):
    return client.post("/accounts/login/", {"username": username, "password": "wrong"}, **headers)


def test_failures_are_counted_in_a_store_every_worker_shares(client, world):
    assert caches["default"].__class__.__name__ in ("DatabaseCache", "RedisCache")
    for _ in range(3):
        fail(client, "ls_editor")
    from django.test import RequestFactory

    from taizhang.accounts.views import _keys

    other_worker = caches.create_connection("default")  # a new cache object, as another process has
    assert other_worker.get(_keys(RequestFactory().get("/"), "LS_editor ")[0]) == 3


def test_a_forged_forwarded_for_does_not_reset_the_count(client, world):
    for i in range(3):
        fail(client, "ls_editor", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
    r = client.post("/accounts/login/", {"username": "ls_editor", "password": "pw"}, HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert r.status_code == 429


def test_behind_a_trusted_proxy_one_users_failures_do_not_lock_out_a_colleague(client, world, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    office = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "172.16.5.20"}
    for _ in range(3):
        fail(client, "ls_editor", **office)
    assert client.post("/accounts/login/", {"username": "ls_editor", "password": "pw"}, **office).status_code == 429
    assert client.post("/accounts/login/", {"username": "ls_admin", "password": "pw"}, **office).status_code == 302


def test_spraying_many_names_from_one_address_pauses_them(client, world, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    attacker = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    for name in ["ls_editor", "ls_admin", "ls_viewer", "lc_editor", "city_admin", "ls_unit"]:
        fail(client, name, **attacker)
    r = client.post("/accounts/login/", {"username": "ls_admin", "password": "pw"}, **attacker)
    assert r.status_code == 429
    # The same colleague from her own desk is not paused.
    desk = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "172.16.5.21"}
    assert client.post("/accounts/login/", {"username": "ls_admin", "password": "pw"}, **desk).status_code == 302


def test_the_token_endpoint_pauses_like_the_login_page(client, world, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"login": "1000/min"}}
    for _ in range(3):
        r = client.post("/api/token/", {"username": "ls_editor", "password": "wrong"})
        assert r.status_code == 400
    r = client.post("/api/token/", {"username": "ls_editor", "password": "pw"})
    assert r.status_code == 429 and "登录失败次数过多" in r.json()["detail"]
    cache.clear()
    r = client.post("/api/token/", {"username": "ls_editor", "password": "pw"})
    assert r.status_code == 200 and r.json()["token"]
