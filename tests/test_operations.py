"""Running it for real: backup and restore, production settings, login throttling."""

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from taizhang.projects import services
from taizhang.projects.models import MonthlyProgress, Problem, Project
from taizhang.regions.models import Region
from taizhang.reporting import progress


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("no_start_rule")
def test_backup_and_restore_round_trip(world, tmp_path):
    progress.save_progress(world.ls_editor, world.ls_project, 2024, 3, {"investment": Decimal("12.34")},
                           today=dt.date(2024, 12, 1))
    services.raise_problem(world.unit_user, world.ls_project, {"category": "land", "description": "用地"})
    before = {
        "projects": sorted(Project.objects.values_list("name", "total_investment", "version")),
        "history": Project.history.count(),
        "progress": list(MonthlyProgress.objects.values_list("investment", flat=True)),
        "problems": Problem.objects.count(),
        "regions": Region.objects.count(),
    }
    path = tmp_path / "backup.json.gz"
    call_command("backup", str(path))
    with pytest.raises(CommandError, match="已有数据"):
        call_command("restore", str(path))
    call_command("flush", interactive=False, verbosity=0)
    assert not Project.objects.exists()
    call_command("restore", str(path))
    after = {
        "projects": sorted(Project.objects.values_list("name", "total_investment", "version")),
        "history": Project.history.count(),
        "progress": list(MonthlyProgress.objects.values_list("investment", flat=True)),
        "problems": Problem.objects.count(),
        "regions": Region.objects.count(),
    }
    assert after == before
    # The restored ledger works: new records get fresh keys (sequences were reset).
    services.create_project(world.ls_admin, {"name": "恢复后新建", "region": Region.objects.get(code="370212"),
                                             "total_investment": Decimal(1)})


@pytest.mark.django_db(transaction=True)
def test_a_broken_backup_file_changes_nothing(world, tmp_path):
    bad = tmp_path / "bad.json.gz"
    bad.write_bytes(b"not a backup")
    with pytest.raises(CommandError, match="无法读取备份文件"):
        call_command("restore", str(bad), replace=True)
    assert Project.objects.count() == 3


def _run(env_extra, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TAIZHANG_", "DJANGO_"))}
    env.update(env_extra)
    return subprocess.run([sys.executable, "-m", "taizhang", *args], capture_output=True, text=True, env=env)


def test_production_settings_pass_check_deploy(tmp_path):
    run = _run({"TAIZHANG_DEBUG": "0", "TAIZHANG_SECRET_KEY": "k" * 10 + "Zq8#fL2@xR7!vN4$wP9&hT3*yB6^mC1%" * 2,
                "TAIZHANG_ALLOWED_HOSTS": "taizhang.example.gov.cn", "TAIZHANG_VAR_DIR": str(tmp_path)},
               "check", "--deploy", "--fail-level", "WARNING")
    assert run.returncode == 0, run.stdout + run.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    run = _run({"TAIZHANG_DEBUG": "0", "TAIZHANG_VAR_DIR": str(tmp_path)}, "check")
    assert run.returncode != 0 and "TAIZHANG_SECRET_KEY" in run.stderr


def test_debug_is_off_unless_asked_for(tmp_path):
    """A deployment that sets nothing runs without DEBUG (and so refuses to start without a key)."""
    run = _run({"TAIZHANG_VAR_DIR": str(tmp_path)}, "check")
    assert run.returncode != 0 and "TAIZHANG_SECRET_KEY" in run.stderr
    key = {"TAIZHANG_SECRET_KEY": "s" * 60, "TAIZHANG_VAR_DIR": str(tmp_path)}
    run = _run(key, "shell", "--no-imports", "-c", "from django.conf import settings; print(settings.DEBUG)")
    assert run.stdout.strip() == "False", run.stderr


def test_the_demo_runs_without_debug_with_a_key_of_its_own(tmp_path):
    code = "from django.conf import settings as s; print(s.DEBUG, s.SECURE_SSL_REDIRECT, len(s.SECRET_KEY) > 40)"
    run = _run({"TAIZHANG_DEMO": "1", "TAIZHANG_VAR_DIR": str(tmp_path)}, "shell", "--no-imports", "-c", code)
    assert run.stdout.split() == ["False", "False", "True"], run.stderr
    key = (tmp_path / "demo-secret-key").read_text()
    again = _run({"TAIZHANG_DEMO": "1", "TAIZHANG_VAR_DIR": str(tmp_path)}, "shell", "--no-imports", "-c",
                 "from django.conf import settings as s; print(s.SECRET_KEY)")
    assert again.stdout.strip() == key  # sessions survive a restart of the demo
    assert (tmp_path / "demo-secret-key").stat().st_mode & 0o077 == 0  # its owner's only
    public = _run({"TAIZHANG_DEMO": "1", "TAIZHANG_VAR_DIR": str(tmp_path),
                   "TAIZHANG_ALLOWED_HOSTS": "taizhang.example.gov.cn"}, "check")
    assert public.returncode != 0 and "TAIZHANG_DEMO" in public.stderr  # never on a real host name


@pytest.mark.django_db
def test_login_pauses_after_repeated_failures(client, world, settings):
    from django.core.cache import cache

    cache.clear()
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        r = client.post("/accounts/login/", {"username": "ls_editor", "password": "wrong"})
        assert r.status_code == 200
    r = client.post("/accounts/login/", {"username": "ls_editor", "password": "pw"})
    assert r.status_code == 429 and "登录失败次数过多" in r.content.decode()
    cache.clear()
    r = client.post("/accounts/login/", {"username": "ls_editor", "password": "pw"})
    assert r.status_code == 302


@pytest.mark.django_db
def test_the_health_endpoint_answers_without_login(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
