"""``taizhang ingest FILES…``: read reports into documents and facts, map the facts to the
catalogue, and take the uniquely mapped ones as values; the rest wait in the review queue."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from taizhang.indicators import services
from taizhang.indicators.catalogue import ensure_standard_catalogue
from taizhang.indicators.choices import FactState
from taizhang.reader import iter_paths


class Command(BaseCommand):
    help = "读取报告文件(或文件夹),保存文档与事实,按同义名称对应指标"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="文件或文件夹")
        parser.add_argument("--internal", action="store_true", help="内部材料(不公开,仅所述区可见)")
        parser.add_argument("--no-accept", action="store_true", help="只对应指标,不自动采用为指标值")

    def handle(self, *args, files, internal, no_accept, **options):
        added = ensure_standard_catalogue()
        if added:
            self.stdout.write(f"标准指标目录:新增 {added} 个指标")
        failed = 0
        for path in iter_paths(files):
            try:
                doc, created = services.ingest_document(None, path, public=not internal, accept=not no_accept)
            except (ValidationError, OSError) as e:
                failed += 1
                message = "; ".join(e.messages) if isinstance(e, ValidationError) else str(e)
                self.stderr.write(f"{path}: {message}")
                continue
            if not created:
                self.stdout.write(f"{path.name}: 已导入过(文档 {doc.pk}),跳过")
                continue
            states = {s: doc.facts.filter(state=s).count() for s in FactState.values}
            self.stdout.write(
                f"{path.name}: 文档 {doc.pk}「{doc.title[:30]}」 事实 {sum(states.values())} 个,"
                f"已采用 {states['accepted']},待确认 {states['mapped']},"
                f"多义 {states['ambiguous']},未对应 {states['unmapped']}")
        if failed:
            raise CommandError(f"{failed} 个文件未能导入")
