"""`yichuang feedback sweep [--loop 60] [--today 2026-11-09]`: rectification and complaint alarms, weekly callbacks."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from yichuang.feedback.services import feedback_sweep


class Command(BaseCommand):
    help = "好差评与投诉：`feedback sweep [--loop 60]` 更新差评整改和投诉的红黄牌预警，并抽取上周的回访样本。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sweep = sub.add_parser("sweep", help="扫描一次（或每隔若干秒一次）")
        sweep.add_argument("--loop", type=int, metavar="秒", help="持续运行，每隔这么多秒扫描一次（建议 60）")
        sweep.add_argument("--today", help="按这一天计算预警（测试用），如 2026-11-09")

    def handle(self, *args, action: str, loop: int | None = None, today: str | None = None, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError(f"--today“{today}”不是有效日期，请按 YYYY-MM-DD 填写。") from None
        if loop is not None and loop < 5:
            raise CommandError("--loop 至少 5 秒。")
        while True:
            report = feedback_sweep(today=day)
            self.stdout.write(f"整改预警变更 {report['rectifications']}，投诉预警变更 {report['complaints']}，"
                              f"新抽回访样本 {report['samples']}")
            if not loop:
                return
            close_old_connections()
            time.sleep(loop)
