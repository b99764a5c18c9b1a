"""`yichuang hall sweep`: close earlier days' open tickets, record missed appointments, re-hand stuck texts.

Run it once a night (cron or the task worker) and, if you like, every few minutes during the
day: it changes only what is overdue, so running it again does nothing.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.hall.demo import seed_demo_hall
from yichuang.hall.services import appointments_mark_no_shows, tickets_close_day
from yichuang.hall.sms import sms_redeliver_stale


class Command(BaseCommand):
    help = "大厅排队：sweep 关闭往日未办结的号并记录预约未到；seed-demo 载入演示大厅的业务队列。"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["sweep", "seed-demo"], help="sweep：日终整理；seed-demo：演示大厅")

    def handle(self, *args, action: str, **options):
        if action == "seed-demo":
            from django.conf import settings

            if not settings.DEBUG:
                raise CommandError(_("演示数据只能在开发或演示环境（DEBUG=1）中载入。"))
            changed = seed_demo_hall()
            summary = "；".join(_("%(what)s %(n)d 项") % {"what": k, "n": v} for k, v in changed.items())
            self.stdout.write(self.style.SUCCESS(
                _("演示大厅已载入：%(s)s。") % {"s": summary} if changed else _("演示大厅已是最新，无需更改。")
            ))
            return
        closed = tickets_close_day(before=timezone.localdate())
        missed = appointments_mark_no_shows()
        resent = sms_redeliver_stale()
        self.stdout.write(self.style.SUCCESS(
            _("已关闭往日未办结的号 %(c)d 个，记录预约未到 %(m)d 个，重新交付积压短信 %(r)d 条。")
            % {"c": closed, "m": missed, "r": resent}
        ))
