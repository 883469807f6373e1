"""``taizhang backup FILE``: a complete, consistent copy of the data (gzip JSON)."""

import gzip
import io

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction

# Rebuilt by migrate on any database; copying them would clash with the target's own rows.
EXCLUDE = ["contenttypes", "auth.permission", "sessions"]


class Command(BaseCommand):
    help = "备份全部数据到一个 .json.gz 文件(一致的快照,可用 taizhang restore 恢复)"

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        buffer = io.StringIO()
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # One snapshot for every table: nothing written during the backup is half in it.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            call_command("dumpdata", natural_foreign=True, exclude=EXCLUDE, stdout=buffer, verbosity=0)
        data = buffer.getvalue().encode("utf-8")
        with gzip.open(path, "wb") as fh:
            fh.write(data)
        self.stdout.write(self.style.SUCCESS(f"已备份到 {path}({len(data) // 1024} KB 数据)"))
