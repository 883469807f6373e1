"""``taizhang demo``: build the demo database (if empty) and serve it on 127.0.0.1:8000."""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from taizhang.projects.models import Project
from taizhang.regions.models import Region


class Command(BaseCommand):
    help = "建立演示数据库(青岛各区、真实项目与生成项目、各角色演示用户)并启动服务"

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="只建库,不启动服务")
        parser.add_argument("--reset", action="store_true", help="清空后重建演示数据")
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args, **options):
        from taizhang.demo import builder as demo

        call_command("migrate", verbosity=0, interactive=False)
        if options["reset"]:
            call_command("flush", verbosity=0, interactive=False)
        if Region.objects.exists():
            self.stdout.write(f"演示数据已存在({Project.objects.count()} 个项目),跳过建库;--reset 可重建。")
        else:
            counts = demo.build()
            self.stdout.write(self.style.SUCCESS(
                "演示数据已建立:{regions} 个区域,{real_projects} 个真实项目(来自公开报道),"
                "{generated_projects} 个演示生成项目,{progress_reports} 条月度进展,{problems} 个问题,"
                "{real_firms} 家真实企业和 {generated_firms} 家演示企业({recognitions} 条梯度认定),"
                "{users} 个演示用户(密码 {pw})。".format(pw=demo.DEMO_PASSWORD, **counts)
            ))
        self.stdout.write(f"数据库:{connection.settings_dict['NAME']}")
        if not options["no_serve"]:
            call_command("runserver", options["addrport"], use_reloader=False)
