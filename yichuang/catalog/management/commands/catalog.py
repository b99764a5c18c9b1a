"""`yichuang catalog export|import`: the catalogue to and from JSON or Excel files."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yichuang.catalog.exchange import catalogue_import, export_json, export_xlsx
from yichuang.org.models import User


class Command(BaseCommand):
    # A plain string: the class body runs before translations are ready.
    help = "导入或导出事项库。示例：yichuang catalog export --format xlsx -o 事项库.xlsx；yichuang catalog import 事项库.xlsx"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, title=_("操作"))
        export = actions.add_parser("export", help=_("导出现行事项到文件"))
        export.add_argument("--format", choices=["json", "xlsx"], help=_("文件格式；不填时按输出文件的扩展名判断"))
        export.add_argument("-o", "--output", required=True, help=_("输出文件路径"))
        export.add_argument("--department", help=_("只导出该部门编码的事项"))
        export.add_argument("--template", action="store_true", help=_("只导出列名和填写说明（Excel 导入模板）"))
        load = actions.add_parser("import", help=_("从文件导入事项（全部通过检查才导入）"))
        load.add_argument("file", help=_(".xlsx 或 .json 文件"))
        load.add_argument("--draft", action="store_true", help=_("保存为草稿，不发布"))
        load.add_argument("--dry-run", action="store_true", help=_("只检查，不导入"))
        load.add_argument("--user", help=_("记入审计日志的操作人用户名；不填记为「系统」"))

    def handle(self, *args, **options):
        if options["action"] == "export":
            self._export(options)
        else:
            self._import(options)

    def _export(self, options) -> None:
        output = Path(options["output"])
        fmt = options["format"] or output.suffix.lower().lstrip(".")
        if fmt not in ("json", "xlsx"):
            raise CommandError(_("无法从文件名「%(name)s」判断格式，请加上 --format json 或 --format xlsx。")
                               % {"name": output.name})
        try:
            if fmt == "json":
                content = export_json(department=options["department"])
            else:
                content = export_xlsx(department=options["department"], template=options["template"])
        except ValidationError as exc:
            raise CommandError("".join(exc.messages)) from exc
        try:
            output.write_bytes(content)
        except OSError as exc:
            raise CommandError(_("无法写入文件「%(name)s」：%(error)s") % {"name": output, "error": exc}) from exc
        self.stdout.write(_("已导出到 %(name)s（%(size)d 字节）。") % {"name": output, "size": len(content)})

    def _import(self, options) -> None:
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(_("无法读取文件「%(name)s」：%(error)s") % {"name": path, "error": exc}) from exc
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(_("用户「%(name)s」不存在，请核对用户名。") % {"name": options["user"]})
        result = catalogue_import(
            actor=actor, content=content, file_name=path.name, publish=not options["draft"],
            dry_run=options["dry_run"],
        )
        for problem in result.problems:
            self.stderr.write(problem.text)
        if not result.ok:
            raise CommandError(result.summary)
        self.stdout.write(result.summary)
