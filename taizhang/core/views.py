"""Operational endpoints."""

from django.db import connection
from django.http import JsonResponse


def healthz(request):
    """For the load balancer and monitoring: 200 when the database answers, 503 when not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as e:  # noqa: BLE001 — any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": type(e).__name__}, status=503)
    return JsonResponse({"status": "ok"})
