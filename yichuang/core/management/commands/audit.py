from django.core.management.base import BaseCommand, CommandError

from yichuang.core.audit import audit_verify
from yichuang.core.models import AuditEntry


class Command(BaseCommand):
    help = "审计日志：`yichuang audit verify` 逐条校验哈希链，发现被修改、删除或插入的记录时以非零状态退出。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="校验审计日志哈希链")

    def handle(self, *args, action: str, **options):
        if action == "verify":
            total = AuditEntry.objects.count()
            broken = audit_verify()
            if broken:
                raise CommandError(f"审计链校验失败：{broken.reason}（共 {total} 条记录）。")
            self.stdout.write(self.style.SUCCESS(f"审计链完整：共 {total} 条记录，逐条校验通过。"))
