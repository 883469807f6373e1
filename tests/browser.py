"""Playwright driving Debian's chromium; it never downloads a browser of its own."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("TAIZHANG_CHROMIUM", "/usr/bin/chromium")
OUTPUT = Path(os.environ.get("TAIZHANG_TEST_OUTPUT", "test-results"))


def chromium_or_skip() -> str:
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return CHROMIUM
    if os.environ.get("TAIZHANG_REQUIRE_BROWSER"):
        pytest.fail(f"chromium not found at {CHROMIUM}; install it with apt-get install chromium")
    pytest.skip("chromium is not installed (apt-get install chromium)")


@contextmanager
def _chromium(live_server, **context_options):
    """A page of Debian's chromium on the live server (Playwright's sync API runs an event
    loop; Django's ORM in the live server thread is fine)."""
    from playwright.sync_api import sync_playwright

    path = chromium_or_skip()
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=path,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        context = browser.new_context(locale="zh-CN", **context_options)
        pg = context.new_page()
        pg.set_default_timeout(15000)
        pg.base_url = live_server.url
        try:
            yield pg
        finally:
            context.close()
            browser.close()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(live_server):
    """A desk: 1366 × 900."""
    with _chromium(live_server, viewport={"width": 1366, "height": 900}) as pg:
        yield pg


@pytest.fixture
def phone(live_server):
    """A phone: 390 × 844, touch, mobile viewport rules."""
    with _chromium(live_server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                   device_scale_factor=2) as pg:
        yield pg


def login(page, username: str, password: str = "pw") -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login" not in url)


def screenshot(page, name: str) -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
