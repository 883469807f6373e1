"""Load benchmark: gunicorn with N workers on the loopback address, C clients for a fixed time
against the project list, a project page, the dashboard and the API list, as the demo's
区级管理员 of 崂山区 (the largest district). Prints requests per second, p50/p95/p99 per page
and the errors (any answer but 200, or no answer).

    .venv/bin/python bench/load.py [--workers 3] [--clients 8] [--seconds 30]

It builds the demo database once (var/bench-load.sqlite3, or DATABASE_URL) and needs gunicorn
(`pip install '.[prod]'`). Bounded: loopback only, at most 120 s and 64 clients.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-load.sqlite3'}")
KEY = "bench-load-" + "k" * 50  # the same key here and in gunicorn, so the session made here is valid there
os.environ.setdefault("TAIZHANG_SECRET_KEY", KEY)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taizhang.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from taizhang.accounts.models import User  # noqa: E402
from taizhang.projects.models import Project  # noqa: E402
from taizhang.regions.models import Region  # noqa: E402

SERVER_ENV = {
    "TAIZHANG_DEBUG": "0", "TAIZHANG_ALLOWED_HOSTS": HOST, "TAIZHANG_STATIC_ROOT": str(ROOT / "var" / "bench-static"),
    "TAIZHANG_SSL_REDIRECT": "0", "TAIZHANG_SECURE_COOKIES": "0", "TAIZHANG_HSTS_SECONDS": "0",
}


def ensure_demo() -> None:
    call_command("migrate", verbosity=0, interactive=False)
    if not Region.objects.exists():
        from taizhang.demo import builder

        print("building the demo database …", flush=True)
        builder.build()


def credentials(username: str) -> tuple[str, str]:
    """A session cookie and an API token for the user, made directly (no login round trip)."""
    user = User.objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    token, _ = Token.objects.get_or_create(user=user)
    return session.session_key, token.key


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_for(port: int, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def client(port, targets, headers_for, stop_at, results, errors, lock):
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    i = 0
    local = defaultdict(list)
    local_errors = defaultdict(int)
    while time.monotonic() < stop_at:
        label, path = targets[i % len(targets)]
        i += 1
        started = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers_for(label))
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                local_errors[f"{label}: {response.status}"] += 1
        except (OSError, http.client.HTTPException) as e:
            local_errors[f"{label}: {type(e).__name__}"] += 1
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
            continue
        local[label].append(time.perf_counter() - started)
    conn.close()
    with lock:
        for k, v in local.items():
            results[k].extend(v)
        for k, v in local_errors.items():
            errors[k] += v


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--user", default="laoshan_admin")
    args = parser.parse_args()
    seconds = min(args.seconds, 120)
    clients = max(1, min(args.clients, 64))

    ensure_demo()
    session, token = credentials(args.user)
    project = Project.objects.filter(region__code="370212").order_by("-total_investment").first()
    targets = [
        ("项目列表 /projects/", "/projects/"),
        ("项目页 /projects/<id>/", f"/projects/{project.pk}/"),
        ("驾驶舱 /monitoring/", "/monitoring/"),
        ("API 项目列表 /api/projects/", "/api/projects/"),
    ]

    def headers_for(label):
        if label.startswith("API"):
            return {"Authorization": f"Token {token}", "Accept": "application/json"}
        return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"}

    port = free_port()
    env = {**os.environ, **SERVER_ENV}
    subprocess.run([str(Path(sys.executable).with_name("taizhang")), "collectstatic", "--noinput", "-v", "0"],
                   cwd=ROOT, env=env, check=True)  # production serves the collected, hashed files
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "taizhang.wsgi", "-b", f"{HOST}:{port}",
         "-w", str(args.workers), "--log-level", "warning", "--timeout", "60"],
        cwd=ROOT, env=env, start_new_session=True)
    try:
        wait_for(port)
        # one warm-up pass, not counted
        warm = http.client.HTTPConnection(HOST, port, timeout=60)
        for label, path in targets * args.workers:
            warm.request("GET", path, headers=headers_for(label))
            warm.getresponse().read()
        warm.close()

        results, errors, lock = defaultdict(list), defaultdict(int), threading.Lock()
        stop_at = time.monotonic() + seconds
        threads = [threading.Thread(target=client, args=(port, targets, headers_for, stop_at, results, errors, lock))
                   for _ in range(clients)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    total = sum(len(v) for v in results.values())
    print(f"gunicorn {args.workers} workers, {clients} clients, {elapsed:.1f} s, database {db}, "
          f"{Project.objects.count()} projects ({Project.objects.filter(region__code='370212').count()} in 崂山区)")
    print(f"{'page':34} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for label, _path in targets:
        times = sorted(results[label])
        if not times:
            print(f"{label:34} {0:>8}")
            continue
        q = statistics.quantiles(times, n=100) if len(times) > 1 else [times[0]] * 99
        print(f"{label:34} {len(times):>8} {len(times) / elapsed:>7.1f} {q[49] * 1000:>7.0f} "
              f"{q[94] * 1000:>7.0f} {q[98] * 1000:>7.0f}")
    print(f"{'all':34} {total:>8} {total / elapsed:>7.1f}")
    print(f"errors: {sum(errors.values())}" + (f" {dict(errors)}" if errors else ""))


if __name__ == "__main__":
    main()
