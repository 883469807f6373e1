"""``taizhang daily``: the daily job (cron): mark what fell overdue, clear abandoned uploads."""

from django.core.management.base import BaseCommand

from taizhang.projects.import_views import forget_stale
from taizhang.reporting.supervision import mark_overdue


class Command(BaseCommand):
    help = "每日任务:标记逾期的督办单,清理过期未确认的导入文件"

    def handle(self, *args, **options):
        n = mark_overdue()
        self.stdout.write(f"新标记逾期督办单 {n} 个")
        self.stdout.write(f"清理过期未确认的导入 {forget_stale()} 个")
