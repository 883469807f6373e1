"""``taizhang daily``: the daily job (cron): mark what fell overdue, clear abandoned uploads."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from taizhang.reporting.supervision import mark_overdue

#: an import preview not confirmed within a day is abandoned
IMPORT_TTL_SECONDS = 24 * 3600


class Command(BaseCommand):
    help = "每日任务:标记逾期的督办单,清理过期未确认的导入文件"

    def handle(self, *args, **options):
        n = mark_overdue()
        self.stdout.write(f"新标记逾期督办单 {n} 个")
        removed = 0
        folder = Path(settings.MEDIA_ROOT) / "imports"
        if folder.is_dir():
            cutoff = time.time() - IMPORT_TTL_SECONDS
            for path in folder.glob("*.xlsx"):
                if path.stat().st_mtime < cutoff:
                    path.unlink(missing_ok=True)
                    removed += 1
        self.stdout.write(f"清理过期导入文件 {removed} 个")
