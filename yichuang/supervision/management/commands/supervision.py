"""`yichuang supervision sweep|rebuild|audit-draw`: the electronic supervision jobs from the console.

`sweep --loop 60` is what a process manager (systemd, supervisord) keeps running: it sweeps the
alarms, brings the statistics rollups up to date and draws last month's audit samples, once a
minute. Several may run at once (on several machines): they take turns on one lock row.
"""

import datetime
import signal
import time

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from yichuang.org.models import Department
from yichuang.supervision.rollups import rollup_rebuild
from yichuang.supervision.services import alarm_sweep, audit_draw


def _date(value: str, label: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{label}“{value}”不是有效日期：请按 YYYY-MM-DD 填写，如 2026-11-01。") from None


class Command(BaseCommand):
    help = (
        "电子监察：`supervision sweep [--loop 60]` 扫描红黄牌预警、更新统计汇总并按月抽取评查案卷；"
        "`supervision rebuild --from 日期 --to 日期` 按办件事件重算一段日期的统计汇总；"
        "`supervision audit-draw --month 2026-10 [--department 部门编码]` 抽取案卷评查样本。"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sweep = sub.add_parser("sweep", help="扫描一次（或每隔若干秒一次）：预警、统计汇总、案卷抽取")
        sweep.add_argument("--loop", type=int, metavar="秒", help="持续运行，每隔这么多秒扫描一次（建议 60）")
        sweep.add_argument("--today", help="按这一天计算预警（测试用），如 2026-11-09")
        rebuild = sub.add_parser("rebuild", help="重算一段日期的统计汇总（日汇总及其所在月份的月汇总）")
        rebuild.add_argument("--from", dest="start", required=True, help="开始日期，如 2026-01-01")
        rebuild.add_argument("--to", dest="end", required=True, help="结束日期，如 2026-12-31")
        draw = sub.add_parser("audit-draw", help="抽取某月的评查案卷（每个部门一批，记录随机种子）")
        draw.add_argument("--month", required=True, help="月份，如 2026-10")
        draw.add_argument("--department", help="部门编码；不填为所有部门")
        draw.add_argument("--size", type=int, help="抽查件数；不填按设置")
        draw.add_argument("--seed", type=int, help="随机种子（复现以前的抽样时使用）；不填随机生成")
        draw.add_argument("--user", help="记入审计日志的操作人（须为电子监察人员）")

    def handle(self, *args, action: str, **options):
        getattr(self, "do_" + action.replace("-", "_"))(**options)

    def do_sweep(self, *, loop: int | None = None, today: str | None = None, **_options):
        day = _date(today, "--today") if today else None
        if loop is not None and loop < 5:
            raise CommandError("--loop 至少 5 秒。")
        stopping = []
        if loop:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_a: stopping.append(True))
        while True:
            started = time.monotonic()
            if loop:
                # A process that runs for weeks: drop a connection the database has closed.
                close_old_connections()
            try:
                report = alarm_sweep(today=day)
            except Exception as err:  # a database hiccup must not end the loop the process manager watches
                if not loop:
                    raise
                self.stderr.write(f"{timezone.localtime():%H:%M:%S} 扫描失败，将在下一轮重试：{err}")
            else:
                changes = "、".join(f"{level} {n}" for level, n in sorted(report.changes.items())) or "无变化"
                self.stdout.write(
                    f"{timezone.localtime():%Y-%m-%d %H:%M:%S} 预警：{changes}；预警记录 {report.events} 条，"
                    f"提醒 {report.notifications} 条；统计汇总读入事件 {report.rollup_events} 条；"
                    f"自动抽取评查 {report.audits_drawn} 批；用时 {report.seconds:.2f} 秒。"
                )
            if not loop or stopping:
                return
            while not stopping and time.monotonic() - started < loop:
                time.sleep(0.5)
            if stopping:
                return

    def do_rebuild(self, *, start: str, end: str, **_options):
        first, last = _date(start, "--from"), _date(end, "--to")
        if last < first:
            raise CommandError("--to 早于 --from。")
        result = rollup_rebuild(start=first, end=last)
        self.stdout.write(self.style.SUCCESS(
            f"已重算 {first} 至 {last} 的日汇总（读入事件 {result['events']} 条）及 {result['months']} 个月的月汇总。"))

    def do_audit_draw(self, *, month: str, department: str | None = None, size: int | None = None,
                      seed: int | None = None, user: str | None = None, **_options):
        try:
            first = datetime.datetime.strptime(month, "%Y-%m").date()
        except ValueError:
            raise CommandError(f"--month “{month}”格式应为 年-月，如 2026-10。") from None
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"找不到用户名为 {user} 的用户。")
        departments = Department.objects.filter(is_active=True)
        if department:
            departments = departments.filter(code=department)
            if not departments:
                raise CommandError(f"找不到编码为 {department} 的部门。")
        for dept in departments:
            try:
                audit_round = audit_draw(actor=actor, month=first, department=dept, size=size, seed=seed)
            except ValidationError as err:
                self.stderr.write(f"{dept.name}：{'；'.join(err.messages)}")
                continue
            self.stdout.write(f"{dept.name}：当月办结 {audit_round.population} 件，抽取 "
                              f"{audit_round.samples.count()} 件，随机种子 {audit_round.seed}。")
