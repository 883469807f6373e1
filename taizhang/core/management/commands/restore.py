"""``taizhang restore FILE``: load a backup, all of it or nothing."""

import gzip
import json
import os
import tempfile

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "从 taizhang backup 生成的文件恢复数据(目标库须为空,或加 --replace 先清空)"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--replace", action="store_true", help="先清空当前数据再恢复")

    def handle(self, *args, path, replace=False, **options):
        try:
            with gzip.open(path, "rb") as fh:
                raw = fh.read()
            json.loads(raw)
        except (OSError, EOFError, ValueError) as e:
            raise CommandError(f"无法读取备份文件 {path}:{e}") from e
        call_command("migrate", verbosity=0, interactive=False)
        has_data = apps.get_model("regions", "Region").objects.exists() or \
            apps.get_model("accounts", "User").objects.exists()
        if has_data and not replace:
            raise CommandError("目标数据库已有数据;确认覆盖请加 --replace")
        with tempfile.NamedTemporaryFile("wb", suffix=".json", delete=False) as tmp:
            tmp.write(raw)
        try:
            with transaction.atomic():
                if replace:
                    # Inside the same transaction: a restore that fails leaves the old data as it was.
                    call_command("flush", interactive=False, verbosity=0)
                call_command("loaddata", tmp.name, verbosity=0)
        finally:
            os.unlink(tmp.name)
        self.stdout.write(self.style.SUCCESS(f"已从 {path} 恢复"))
