from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from taizhang.accounts.views import LoginView
from taizhang.core import views as core_views
from taizhang.core.views import healthz
from taizhang.reporting import views as reporting_views

admin.site.site_header = _("台账 管理后台")
admin.site.site_title = _("台账")


def _superusers_only(request) -> bool:
    """The admin knows nothing of districts and units, so only a superuser uses it; everyone
    else works through the platform's own pages, which keep to the user's scope."""
    return request.user.is_active and request.user.is_superuser


def _admin_login(request, extra_context=None):
    """The admin signs in through the platform's own login page: the same lockout after failed
    attempts, the same messages (the admin's own form would bypass both)."""
    return LoginView.as_view()(request)


admin.site.has_permission = _superusers_only
admin.site.login = _admin_login  # before admin.site.urls is read below

urlpatterns = [
    path("", reporting_views.home, name="home"),
    path("todo/", reporting_views.todo_list, name="todos"),
    path("healthz", healthz, name="healthz"),
    # browsers ask for /favicon.ico on pages that name no icon (the API docs, error pages)
    path("favicon.ico", core_views.Favicon.as_view(), name="favicon"),
    path("accounts/", include("taizhang.accounts.urls")),
    path("projects/", include("taizhang.projects.urls")),
    path("api/", include("taizhang.api_urls")),
    path("monitoring/", include("taizhang.monitoring.urls")),
    path("reporting/", include("taizhang.reporting.urls")),
    path("enterprises/", include("taizhang.enterprises.urls")),
    path("indicators/", include("taizhang.indicators.urls")),
    path("parks/", include("taizhang.parks.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# Uploaded files (evidence, import sheets) are never served from MEDIA_ROOT by URL, in any
# mode: evidence goes out only through reporting's attachment view, which checks scope.

handler400 = core_views.bad_request
handler403 = core_views.permission_denied
handler404 = core_views.page_not_found
handler500 = core_views.server_error
