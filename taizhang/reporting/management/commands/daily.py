"""``taizhang daily``: the daily job (cron): mark what fell overdue."""

from django.core.management.base import BaseCommand

from taizhang.reporting.services import mark_overdue


class Command(BaseCommand):
    help = "每日任务:标记逾期的督办单"

    def handle(self, *args, **options):
        n = mark_overdue()
        self.stdout.write(f"新标记逾期督办单 {n} 个")
