"""taizhang worker: run background jobs (large imports) from the RQ queue on Redis."""

from django.core.management.base import BaseCommand, CommandError

from taizhang.core import jobs


class Command(BaseCommand):
    help = "运行后台任务(如大表导入);需设置 TAIZHANG_REDIS_URL"

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true", help="处理完队列中的任务后退出")

    def handle(self, *args, burst=False, **options):
        if not jobs.redis_url():
            raise CommandError("未设置 TAIZHANG_REDIS_URL:未配置 Redis 时,后台任务在网站进程内运行,无需单独启动")
        from rq import SimpleWorker

        # One process, jobs one after another: each uses Django's connection as a request would.
        q = jobs.queue()
        SimpleWorker([q], connection=q.connection).work(burst=burst)
