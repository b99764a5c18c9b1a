"""`yichuang meetings sweep [--loop 60]`: close joint meetings whose opinion deadline has passed.

Run next to `yichuang supervision sweep --loop 60` under the process manager; the database backend
of django-tasks has no clock of its own, so this loop is what enforces the deadline.
"""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from yichuang.cases.meetings import meetings_close_due


class Command(BaseCommand):
    help = "联审会议：`meetings sweep [--loop 60] [--today 日期]` 关闭意见期限已届满的会议（超时默许、缺席默认）。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sweep = sub.add_parser("sweep", help="关闭意见期限已届满的会议")
        sweep.add_argument("--loop", type=int, metavar="秒", help="持续运行，每隔这么多秒一次（建议 60）")
        sweep.add_argument("--today", help="按这一天判断期限（测试用），如 2026-11-10")

    def handle(self, *args, action: str, loop: int | None = None, today: str | None = None, **options):
        day = None
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError:
                raise CommandError(f"--today“{today}”不是有效日期：请按 YYYY-MM-DD 填写。") from None
        if loop is not None and loop < 5:
            raise CommandError("--loop 至少 5 秒。")
        while True:
            close_old_connections()
            try:
                closed = meetings_close_due(today=day)
            except Exception as err:
                if not loop:
                    raise
                self.stderr.write(f"{timezone.localtime():%H:%M:%S} 扫描失败，将在下一轮重试：{err}")
            else:
                self.stdout.write(f"{timezone.localtime():%Y-%m-%d %H:%M:%S} 闭会 {closed} 个。")
            if not loop:
                break
            time.sleep(loop)
