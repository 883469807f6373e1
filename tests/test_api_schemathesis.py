"""Schemathesis generates requests from our OpenAPI schema: none may end in a server error, and
every answer (status code, content type, headers, body) must be the one the schema documents,
for a user who may write and for one who may only read."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from taizhang.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """The WSGI app closes database connections after each request; inside a test's
    transaction that would drop it (PostgreSQL), so keep it open as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
@pytest.mark.parametrize("role", ["ls_editor", "ls_viewer"])
def test_every_answer_is_the_documented_one(case, world, role):
    token, _ = Token.objects.get_or_create(user=getattr(world, role))
    case.call_and_validate(headers={"Authorization": f"Token {token.key}"},
                           checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                                   response_headers_conformance, response_schema_conformance])
