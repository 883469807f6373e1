"""Login with a pause after repeated failures (per user name and per address)."""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny
from rest_framework.throttling import AnonRateThrottle


def client_address(request) -> str:
    """The client's address: X-Forwarded-For is read only when the request came from a
    configured trusted proxy, from the right, skipping the trusted ones; anything else a
    client writes in that header is ignored."""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = set(settings.TRUSTED_PROXIES)
    if remote not in trusted:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return remote


def _keys(request, username: str) -> tuple[str, str]:
    """Cache keys for a user name and an address; hashed, so any text a client sends is a
    valid key in every cache backend."""
    import hashlib

    def digest(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:32]

    # As the login form sees the name (NFKC: "ｌicang" is "licang"), so a look-alike spelling
    # of a name counts against the same pause instead of starting a fresh one.
    name = unicodedata.normalize("NFKC", str(username)).strip().casefold()
    return (f"login-fail:user:{digest(name)}",
            f"login-fail:addr:{digest(client_address(request))}")


def locked_out(request, username: str) -> bool:
    """A user name is paused after its own failures; an address after many failures is paused
    for the names that failed from it, so a colleague behind the same proxy still logs in."""
    user_key, addr_key = _keys(request, username)
    failures = cache.get(user_key) or 0
    return failures >= settings.LOGIN_FAILURE_LIMIT or (
        failures > 0 and (cache.get(addr_key) or 0) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT)


def record_failure(request, username: str) -> None:
    for key in _keys(request, username):
        cache.add(key, 0, settings.LOGIN_LOCKOUT_SECONDS)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, settings.LOGIN_LOCKOUT_SECONDS)


def clear_failures(request, username: str) -> None:
    cache.delete(_keys(request, username)[0])


def lockout_message() -> str:
    return _("登录失败次数过多,请%(m)s分钟后再试") % {"m": settings.LOGIN_LOCKOUT_SECONDS // 60}


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        if locked_out(request, username):
            form = self.get_form()
            form.is_valid()
            form.errors.clear()
            form.add_error(None, lockout_message())
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        record_failure(self.request, self.request.POST.get("username", ""))
        return super().form_invalid(form)

    def form_valid(self, form):
        clear_failures(self.request, form.get_user().get_username())
        return super().form_valid(form)


class LoginRateThrottle(AnonRateThrottle):
    scope = "login"


class TokenView(ObtainAuthToken):
    """POST username and password, get the API token: throttled, and paused after failures
    exactly as the login page is."""

    throttle_classes = [LoginRateThrottle]
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses={
            200: inline_serializer("Token", {"token": serializers.CharField()}),
            400: OpenApiResponse(description="用户名或密码错误(字段名 → 错误信息列表)"),
            429: OpenApiResponse(description="失败次数过多,暂停登录;或请求过于频繁"),
        })
    def post(self, request, *args, **kwargs):
        from rest_framework import status
        from rest_framework.response import Response

        data = request.data if hasattr(request.data, "get") else {}
        username = str(data.get("username", ""))[:150]
        if locked_out(request, username):
            return Response({"detail": lockout_message()}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            record_failure(request, username)
            return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        from rest_framework.authtoken.models import Token

        clear_failures(request, username)
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})
