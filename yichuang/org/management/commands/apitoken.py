"""`yichuang apitoken create|list|revoke`: tokens for other systems calling the API."""

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.org.models import ApiToken, User
from yichuang.org.tokens import PREFIX_LENGTH, api_token_create, api_token_revoke, token_hash


def _local(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


class Command(BaseCommand):
    # A plain string: the class body runs before translations are ready.
    help = (
        "管理接口令牌。示例：yichuang apitoken create scjg_system --name \"市场监管局审批系统\"；"
        "yichuang apitoken list；yichuang apitoken revoke yc_Ab3dE"
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, title=_("操作"))
        create = actions.add_parser("create", help=_("为工作人员账号创建令牌（令牌只显示这一次）"))
        create.add_argument("username", help=_("令牌代表的工作人员用户名（部门系统请用有该部门审查或决定角色的账号）"))
        create.add_argument("--name", required=True, help=_("使用令牌的系统，如：市场监管局审批系统"))
        create.add_argument("--expires", help=_("有效期至（含当日），格式 YYYY-MM-DD；不填为长期有效"))
        listing = actions.add_parser("list", help=_("列出令牌（只显示前缀）"))
        listing.add_argument("--user", help=_("只列出该用户名的令牌"))
        listing.add_argument("--all", action="store_true", help=_("也列出已吊销和已过期的令牌"))
        revoke = actions.add_parser("revoke", help=_("吊销令牌，立即生效"))
        revoke.add_argument("token", help=_("令牌编号（list 的第一列）或令牌前缀"))
        for sub in (create, revoke):
            sub.add_argument("--actor", help=_("记入审计日志的操作人用户名；不填记为「系统」"))

    def handle(self, *args, **options):
        getattr(self, f"_{options['action']}")(options)

    def _actor(self, options) -> User | None:
        if not options.get("actor"):
            return None
        actor = User.objects.filter(username=options["actor"]).first()
        if actor is None:
            raise CommandError(_("用户「%(name)s」不存在，请核对用户名。") % {"name": options["actor"]})
        return actor

    def _create(self, options) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(_("用户「%(name)s」不存在，请核对用户名。") % {"name": options["username"]})
        expires_at = None
        if options["expires"]:
            try:
                day = datetime.date.fromisoformat(options["expires"])
            except ValueError:
                raise CommandError(_("有效期「%(v)s」格式应为 YYYY-MM-DD，如 2027-12-31。") % {"v": options["expires"]}) from None
            # Valid through the whole of the given day in the centre's time zone.
            expires_at = timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))
        try:
            token, clear = api_token_create(actor=self._actor(options), user=user, name=options["name"],
                                            expires_at=expires_at)
        except ValidationError as exc:
            raise CommandError("".join(exc.messages)) from exc
        self.stdout.write(clear)
        self.stderr.write(
            _("已为「%(user)s」创建令牌「%(name)s」（编号 %(id)d，有效期至 %(exp)s）。令牌只显示这一次，请立即妥善保存；"
              "调用接口时在请求头写 Authorization: Bearer <令牌>。")
            % {"user": user.username, "name": token.name, "id": token.pk,
               "exp": _local(expires_at - datetime.timedelta(minutes=1)) if expires_at else _("长期")}
        )

    def _list(self, options) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("-created_at")
        if options["user"]:
            tokens = tokens.filter(user__username=options["user"])
        now = timezone.now()
        rows = []
        for token in tokens:
            expired = token.expires_at is not None and token.expires_at <= now
            if not options["all"] and (token.revoked or expired):
                continue
            state = _("已吊销") if token.revoked else _("已过期") if expired else _("有效")
            rows.append("\t".join([
                str(token.pk), token.prefix + "…", token.name, token.user.username, state,
                _("创建 %(t)s") % {"t": _local(token.created_at)},
                _("最近使用 %(t)s") % {"t": _local(token.last_used_at)},
                _("有效期至 %(t)s") % {"t": _local(token.expires_at)},
            ]))
        if not rows:
            self.stdout.write(_("没有令牌。"))
            return
        self.stdout.write("\n".join(rows))

    def _revoke(self, options) -> None:
        key = options["token"].strip().rstrip("…")
        if key.isdigit():
            matches = list(ApiToken.objects.filter(pk=int(key)))
        elif len(key) > PREFIX_LENGTH:  # the whole token
            matches = list(ApiToken.objects.filter(token_hash=token_hash(key)))
        else:
            matches = list(ApiToken.objects.filter(prefix__startswith=key)) if len(key) >= 4 else []
        if not matches:
            raise CommandError(_("未找到令牌「%(k)s」：请用 yichuang apitoken list 查看编号。") % {"k": key})
        if len(matches) > 1:
            raise CommandError(_("前缀「%(k)s」对应多个令牌，请改用编号。") % {"k": key})
        token = api_token_revoke(actor=self._actor(options), token=matches[0])
        self.stdout.write(_("已吊销令牌「%(n)s」（%(p)s…），此后使用它的调用将被拒绝。") % {"n": token.name, "p": token.prefix})
