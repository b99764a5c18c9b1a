"""`yichuang licences …`: signing keys, the daily expiry sweep, and checking a licence from the console."""

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from yichuang.licences import services
from yichuang.licences.selectors import licence_verify
from yichuang.licences.signing import SigningError, key_generate


class Command(BaseCommand):
    help = (
        "电子证照：`yichuang licences keygen NAME` 生成 SM2 签名密钥（私钥只写入密钥文件，权限 0600）；"
        "`yichuang licences expire` 将过了有效期的证照标记为失效（每日运行）；"
        "`yichuang licences verify 证照标识` 核验一份证照。"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        keygen = sub.add_parser("keygen", help="生成 SM2 签名密钥文件，打印公钥（填入电子印章）")
        keygen.add_argument("name", help="密钥名称，如 bureau；文件位置见 LICENCE_SIGNING_KEYS，未配置时为 <数据目录>/keys/<名称>.pem")
        keygen.add_argument("--force", action="store_true", help="替换已有密钥（原印章签发的证照将无法用新公钥验证）")
        expire = sub.add_parser("expire", help="将有效期已届满的证照标记为失效")
        expire.add_argument("--date", help="按此日期判断（年-月-日），默认今天")
        verify = sub.add_parser("verify", help="核验一份电子证照")
        verify.add_argument("identifier")

    def handle(self, *args, action: str, **options):
        if action == "keygen":
            try:
                path, public_key = key_generate(options["name"], force=options["force"])
            except SigningError as err:
                raise CommandError(str(err)) from None
            self.stdout.write(self.style.SUCCESS(f"已生成密钥「{options['name']}」：{path}（仅本机可读，请妥善备份）"))
            self.stdout.write(f"公钥（填入电子印章）：{public_key}")
        elif action == "expire":
            today = None
            if options.get("date"):
                try:
                    today = datetime.date.fromisoformat(options["date"])
                except ValueError:
                    raise CommandError("日期格式应为 年-月-日，如 2027-01-01。") from None
            count = services.licence_expire_due(today=today)
            self.stdout.write(self.style.SUCCESS(f"已将 {count} 份有效期届满的证照标记为失效。"))
        elif action == "verify":
            try:
                result = licence_verify(options["identifier"])
            except ValidationError as err:
                raise CommandError("；".join(err.messages)) from None
            if not result.found:
                raise CommandError(f"未找到电子证照 {result.identifier}。")
            licence = result.licence
            self.stdout.write(f"{licence.title} · {licence.holder_name} · {result.status_label}")
            for problem in result.check.problems:
                self.stdout.write(self.style.ERROR(problem))
            if result.tampered:
                raise CommandError("数据被篡改，验证不通过。")
