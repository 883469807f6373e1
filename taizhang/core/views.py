"""Operational endpoints, and what the views of several apps share."""

from django.contrib import messages
from django.db import connection
from django.http import JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.generic import RedirectView


def healthz(request):
    """For the load balancer and monitoring: 200 when the database answers, 503 when not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as e:  # noqa: BLE001 — any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": type(e).__name__}, status=503)
    return JsonResponse({"status": "ok"})


class Favicon(RedirectView):
    """Browsers ask for /favicon.ico on pages that name no icon (the API docs, error pages).
    The static name is looked up per request: production's hashed names exist only after
    collectstatic, which runs after the URLs are first imported."""

    permanent = False  # the target's hashed name changes with the icon

    def get_redirect_url(self, *args, **kwargs):
        return static("taizhang/favicon.svg")


def tell_reading(request, reading: dict) -> None:
    """Beside the result of an import confirmed in one step, the rows of its sheet the reading
    set aside and what it said (``Table.reading()``), as the previews of the others show them:
    no row is left out without the user seeing it. Rendered once, by the shared snippet."""
    if reading.get("skipped") or reading.get("notices"):
        messages.warning(request, render_to_string("includes/skipped_rows.html", {"reading": reading}, request))


# Error answers: the Chinese pages (templates/400.html …) for people; JSON under /api/, so an
# API client gets the documented ``{"detail": …}`` even for a URL no route matches.
API_PREFIX = "/api/"
_MESSAGES = {400: _("请求无效"), 403: _("无权访问"), 404: _("记录不存在或不在您的管理范围内"),
             500: _("服务器内部错误,请稍后再试")}


def _api_error(status: int) -> JsonResponse:
    return JsonResponse({"detail": gettext(_MESSAGES[status])}, status=status, json_dumps_params={"ensure_ascii": False})


def bad_request(request, exception, template_name="400.html"):
    if request.path.startswith(API_PREFIX):
        return _api_error(400)
    return defaults.bad_request(request, exception, template_name)


def permission_denied(request, exception, template_name="403.html"):
    if request.path.startswith(API_PREFIX):
        return _api_error(403)
    return defaults.permission_denied(request, exception, template_name)


def page_not_found(request, exception, template_name="404.html"):
    if request.path.startswith(API_PREFIX):
        return _api_error(404)
    return defaults.page_not_found(request, exception, template_name)


def server_error(request, template_name="500.html"):
    if request.path.startswith(API_PREFIX):
        return _api_error(500)
    return defaults.server_error(request, template_name)
