"""`yichuang seed-demo`: load the demo county (示例县) so a first visitor has something to use."""

import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from yichuang.demo.org_data import DEMO_PASSWORD
from yichuang.demo.seed import demo_accounts, load_demo


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain-text table whose columns line up in a terminal even with Chinese text."""
    widths = [max(_width(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    rule = "  ".join("-" * w for w in widths)
    lines = ["  ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip(), rule]
    lines += ["  ".join(_pad(str(c), w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "载入演示数据：示例县的区划、政务服务中心和乡镇村便民服务点、部门、窗口、各角色演示账号和事项库。"
        "可重复运行，已是最新时不做任何更改。请先运行 yichuang migrate。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true",
            help="未开启 DEBUG 时也载入。演示账号的密码是公开的，切勿在生产环境使用。",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "演示数据含公开的演示密码，只能在开发或演示环境（DEBUG=1）中载入。"
                "如确为测试环境，请加 --force 重新运行。"
            )
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("数据库尚未迁移到最新版本：请先运行 yichuang migrate，再运行 yichuang seed-demo。")
        try:
            report = load_demo()
        except ValidationError as exc:
            # The data ships with the package; reaching this means the data and the rules
            # disagree, and nothing was written (one transaction).
            raise CommandError(f"演示数据未能载入，数据库未做任何更改：{'；'.join(exc.messages)}") from exc

        if report.changed:
            self.stdout.write(self.style.SUCCESS(f"演示数据已载入：{report.summary()}。"))
        else:
            self.stdout.write(self.style.SUCCESS("演示数据已是最新，无需更改。"))

        rows = [[a["username"], a["roles"], a["name"], a["place"]] for a in demo_accounts()]
        self.stdout.write("")
        self.stdout.write(f"演示账号（初始密码均为 {DEMO_PASSWORD}；已修改过密码的账号请用新密码）：")
        self.stdout.write(table(["用户名", "角色", "姓名", "所在中心 · 窗口 · 部门"], rows))
        self.stdout.write("")
        self.stdout.write(f"打开 {settings.SITE_URL} 登录；管理后台 {settings.SITE_URL}/admin/（admin、supervisor 可进入）。")
