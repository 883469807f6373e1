"""Work that outlasts a request (a large import), run where it survives best.

With ``TAIZHANG_REDIS_URL`` set, jobs go to an RQ queue on Redis and ``taizhang worker`` runs
them one after another; a restarted web worker loses nothing. On the embedded default (no
Redis) a job runs on a thread of the web process. Either way a job must leave its record
saying how it ended; one that was cut off is found stale by its caller.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.conf import settings

QUEUE = "taizhang"
TIMEOUT = 3600  # seconds a job may take


def redis_url() -> str:
    return getattr(settings, "TAIZHANG_REDIS_URL", "") or ""


def queue():
    from redis import Redis
    from rq import Queue

    return Queue(QUEUE, connection=Redis.from_url(redis_url()), default_timeout=TIMEOUT)


def enqueue(func: Callable, *args) -> str:
    """Run ``func(*args)`` in the background; says where ("rq" or "thread")."""
    if redis_url():
        queue().enqueue(func, *args, job_timeout=TIMEOUT)
        return "rq"
    threading.Thread(target=func, args=args, daemon=True, name=f"job-{func.__name__}").start()
    return "thread"
