"""On an intranet nothing may come from outside: with every non-local request blocked, the API
docs and the dashboard (charts included) render, and none was even attempted."""

from urllib.parse import urlparse

import pytest

from .browser import login, page, screenshot  # noqa: F401  (page is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def offline(pg) -> list[str]:
    """Abort every request that leaves the live server; return the list of those attempted,
    and of those the Content-Security-Policy refused before they left (a page that tries is
    broken on an intranet even when the CSP saves it)."""
    local = urlparse(pg.base_url).netloc
    attempted = []

    def route(r):
        url = r.request.url
        if urlparse(url).netloc == local or url.startswith(("data:", "blob:", "about:")):
            r.continue_()
        else:
            attempted.append(url)
            r.abort()

    def console(message):
        text = message.text
        if "Content Security Policy" in text and REDOC_ATTRIBUTION not in text:
            attempted.append(text)

    pg.context.route("**/*", route)
    pg.on("console", console)
    return attempted


#: Redoc's "API docs by Redocly" footer image: the bundle has no option to leave it out; the CSP
#: stops it before any request leaves, and Redoc hides the image when it fails to load.
REDOC_ATTRIBUTION = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def test_the_api_docs_render_with_nothing_from_outside(page, world):  # noqa: F811
    attempted = offline(page)
    page.goto(page.base_url + "/api/docs/")
    page.wait_for_selector("text=Taizhang API", timeout=20000)
    page.wait_for_selector("text=/api/projects/", timeout=20000)
    screenshot(page, "api-docs-offline")
    assert attempted == []


def test_the_dashboard_renders_its_charts_with_nothing_from_outside(page, world):  # noqa: F811
    attempted = offline(page)
    login(page, "ls_admin")
    page.goto(page.base_url + "/monitoring/")
    page.wait_for_selector("canvas", timeout=20000)  # ECharts drew
    screenshot(page, "dashboard-offline")
    assert attempted == []
