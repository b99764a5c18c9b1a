"""`yichuang calendar …`: deadlines, working days and the yearly holiday notice from the console."""

import datetime
import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yichuang.core import calendar
from yichuang.core.services import calendar_import_notice, calendar_seed_from_package

NOTICE_FORMAT_HELP = """\
通知文件格式（UTF-8 文本，每行一项，# 之后为注释）：
  年份 2027
  通知 国办发明电〔2026〕7号
  放假 2027-01-01 2027-01-03 元旦
  放假 2027-04-05 清明节            （只放一天时可只写一个日期）
  上班 2027-02-07 春节              （调休上班日，应为周六或周日）
也可用 JSON（文件名以 .json 结尾，或内容以 { 开头）：
  {"year": 2027, "notice": "国办发明电〔2026〕7号",
   "holidays": [{"start": "2027-01-01", "end": "2027-01-03", "name": "元旦"}],
   "makeup_days": [{"date": "2027-02-07", "name": "春节"}]}
导入会替换该年（该地区）原有的放假与调休安排，全部校验通过才写入。"""

HOLIDAY_WORDS = {"放假", "休息", "holiday"}
MAKEUP_WORDS = {"上班", "调休上班", "makeup"}
YEAR_WORDS = {"年份", "year"}
NOTICE_WORDS = {"通知", "文号", "notice"}


def _parse_date(text: str, where: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            _("%(where)s：“%(text)s”不是有效日期，请按“年-月-日”填写，如 2027-10-01。") % {"where": where, "text": text}
        ) from None


def _parse_year(text: object, where: str) -> int:
    try:
        return int(str(text).strip())
    except ValueError:
        raise CommandError(_("%(where)s：“%(text)s”不是年份，请填写四位数字，如 2027。") % {"where": where, "text": text}) from None


def parse_notice_text(text: str) -> dict:
    """The line format above → {"year", "notice", "holidays", "makeup_days"}; errors name the line."""
    result: dict = {"year": None, "notice": "", "holidays": [], "makeup_days": []}
    problems = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        where = _("第 %(n)d 行") % {"n": number}
        word, _sep, rest = line.partition(" ")
        parts = rest.split()
        try:
            if word in YEAR_WORDS and len(parts) == 1:
                result["year"] = _parse_year(parts[0], where)
            elif word in NOTICE_WORDS and parts:
                result["notice"] = rest.strip()
            elif word in HOLIDAY_WORDS and len(parts) == 3:
                result["holidays"].append((_parse_date(parts[0], where), _parse_date(parts[1], where), parts[2]))
            elif word in HOLIDAY_WORDS and len(parts) == 2:
                day = _parse_date(parts[0], where)
                result["holidays"].append((day, day, parts[1]))
            elif word in MAKEUP_WORDS and len(parts) == 2:
                result["makeup_days"].append((_parse_date(parts[0], where), parts[1]))
            else:
                problems.append(
                    _("%(where)s：无法识别“%(line)s”。应为“放假 开始日期 [结束日期] 节日名称”、"
                      "“上班 日期 节日名称”、“年份 2027”或“通知 文号”。") % {"where": where, "line": line}
                )
        except CommandError as error:
            problems.append(str(error))
    if problems:
        raise CommandError("\n".join(problems))
    return result


def parse_notice_json(text: str) -> dict:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise CommandError(_("JSON 格式有误（第 %(line)d 行第 %(col)d 列）：%(msg)s") % {
            "line": error.lineno, "col": error.colno, "msg": error.msg}) from None
    if not isinstance(data, dict):
        raise CommandError(_("JSON 文件应为一个对象，包含 year、holidays、makeup_days。"))
    result: dict = {"year": None, "notice": str(data.get("notice") or ""), "holidays": [], "makeup_days": []}
    if data.get("year") is not None:
        result["year"] = _parse_year(data["year"], "year")
    problems = []
    for index, entry in enumerate(data.get("holidays") or [], start=1):
        where = f"holidays[{index}]"
        try:
            start = _parse_date(str(entry["start"]), where)
            end = _parse_date(str(entry.get("end") or entry["start"]), where)
            result["holidays"].append((start, end, str(entry.get("name") or "")))
        except (KeyError, TypeError, AttributeError):
            problems.append(_("%(where)s：应包含 start、end（可省略）和 name。") % {"where": where})
        except CommandError as error:
            problems.append(str(error))
    for index, entry in enumerate(data.get("makeup_days") or [], start=1):
        where = f"makeup_days[{index}]"
        try:
            result["makeup_days"].append((_parse_date(str(entry["date"]), where), str(entry.get("name") or "")))
        except (KeyError, TypeError, AttributeError):
            problems.append(_("%(where)s：应包含 date 和 name。") % {"where": where})
        except CommandError as error:
            problems.append(str(error))
    if problems:
        raise CommandError("\n".join(problems))
    return result


class Command(BaseCommand):
    help = (
        "工作日历：`calendar deadline 受理日期 工作日数` 计算期限届满日；`calendar workday 日期` 判断是否工作日；"
        "`calendar between 开始 结束` 计算两日之间的工作日数；`calendar import 文件 --year 年份` 导入国务院办公厅"
        "节假日安排通知；`calendar seed` 从 chinesecalendar 软件包载入全国安排。"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)

        deadline = sub.add_parser("deadline", help="计算期限届满日（受理当日不计入）")
        deadline.add_argument("start", help="受理日期，如 2026-09-30")
        deadline.add_argument("days", help="期限（工作日数），如 5")
        deadline.add_argument("--region", help="地区的 12 位区划代码；不填为全国")

        workday = sub.add_parser("workday", help="判断某天是否工作日，并说明原因")
        workday.add_argument("date", help="日期，如 2026-10-10")
        workday.add_argument("--region", help="地区的 12 位区划代码；不填为全国")

        between = sub.add_parser("between", help="两日之间（不含开始日，含结束日）的工作日数")
        between.add_argument("start", help="开始日期（不计入）")
        between.add_argument("end", help="结束日期（计入）")
        between.add_argument("--region", help="地区的 12 位区划代码；不填为全国")

        from django.core.management.base import DjangoHelpFormatter

        class NoticeHelp(DjangoHelpFormatter):
            # Keep the example lines of the file format as written.
            def _fill_text(self, text, width, indent):
                return "".join(indent + line for line in text.splitlines(keepends=True))

        importer = sub.add_parser(
            "import", help="导入一年的节假日安排通知", description=NOTICE_FORMAT_HELP, formatter_class=NoticeHelp
        )
        importer.add_argument("file", help="通知文件（文本或 JSON，格式见上）")
        importer.add_argument("--year", help="年份，如 2027；文件中写了“年份”时可省略，两者须一致")
        importer.add_argument("--region", help="只对该地区（12 位区划代码）生效；不填为全国")
        importer.add_argument("--user", help="记入审计日志的操作人用户名；不填记为系统")

        seed = sub.add_parser("seed", help="从 chinesecalendar 软件包载入（或更新）全国节假日安排")
        seed.add_argument("--user", help="记入审计日志的操作人用户名；不填记为系统")

    def handle(self, *args, action: str, **options):
        handler = getattr(self, f"do_{action}")
        try:
            handler(**options)
        except calendar.UnknownRegionError as error:
            raise CommandError(str(error)) from None

    def _actor(self, username: str | None):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("找不到用户名为 %(u)s 的用户，请核对或不填 --user。") % {"u": username})
        return user

    def _line(self, day: datetime.date, reason: str) -> str:
        return f"  {day.isoformat()}（{calendar.weekday_name(day)}）{reason}"

    def do_deadline(self, *, start: str, days: str, region: str | None, **_options):
        start_day = _parse_date(start, _("受理日期"))
        try:
            n = int(days)
        except ValueError:
            raise CommandError(_("工作日数“%(d)s”不是整数，请填写如 5。") % {"d": days}) from None
        try:
            deadline = calendar.add_workdays(start_day, n, region=region or None)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(_("受理日：%(d)s（当日不计入）") % {"d": calendar.format_date(start_day)})
        self.stdout.write(_("期限：%(n)d 个工作日") % {"n": n})
        self.stdout.write(_("届满日：%(d)s（%(w)s）") % {
            "d": deadline.date.isoformat(), "w": calendar.weekday_name(deadline.date)})
        if deadline.confirmed:
            self.stdout.write(self.style.SUCCESS(_("状态：已确认")))
        else:
            self.stdout.write(self.style.WARNING(
                _("状态：待确认（%(y)s年节假日安排尚未公布，暂按周一至周五推算）")
                % {"y": "、".join(map(str, deadline.unconfirmed_years))}))
        if deadline.skipped:
            self.stdout.write(_("跳过的非工作日（%(n)d 天）：") % {"n": len(deadline.skipped)})
            for day in deadline.skipped:
                self.stdout.write(self._line(day.date, day.reason))
        if deadline.special_workdays:
            self.stdout.write(_("计入的调整上班日："))
            for day in deadline.special_workdays:
                self.stdout.write(self._line(day.date, day.reason))
        self.stdout.write(_("说明："))
        for line in deadline.explain_lines():
            self.stdout.write("  " + line)

    def do_workday(self, *, date: str, region: str | None, **_options):
        info = calendar.day_info(_parse_date(date, _("日期")), region=region or None)
        verdict = _("是工作日") if info.is_workday else _("不是工作日")
        self.stdout.write(f"{info.date.isoformat()}（{calendar.weekday_name(info.date)}）{verdict}：{info.reason}")
        if not info.confirmed:
            self.stdout.write(self.style.WARNING(
                _("注意：%(y)d年节假日安排尚未公布，暂按周一至周五判断。") % {"y": info.date.year}))

    def do_between(self, *, start: str, end: str, region: str | None, **_options):
        first, last = _parse_date(start, _("开始日期")), _parse_date(end, _("结束日期"))
        count = calendar.workdays_between(first, last, region=region or None)
        self.stdout.write(_("%(a)s（不计入）至 %(b)s（计入）之间有 %(n)d 个工作日。") % {
            "a": first.isoformat(), "b": last.isoformat(), "n": count})
        years = calendar.workday_table(region or None).unconfirmed_years_between(first, last)
        if years:
            self.stdout.write(self.style.WARNING(
                _("注意：%(y)s年节假日安排尚未公布，暂按周一至周五计算。") % {"y": "、".join(map(str, years))}))

    def do_import(self, *, file: str, year: str | None, region: str | None, user: str | None, **_options):
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as error:
            raise CommandError(_("无法读取文件 %(f)s：%(e)s") % {"f": file, "e": error.strerror}) from None
        except UnicodeDecodeError:
            raise CommandError(_("文件 %(f)s 不是 UTF-8 编码，请另存为 UTF-8 后再导入。") % {"f": file}) from None
        if path.suffix.lower() == ".json" or text.lstrip().startswith("{"):
            data = parse_notice_json(text)
        else:
            data = parse_notice_text(text)
        wanted = _parse_year(year, "--year") if year else None
        if wanted and data["year"] and wanted != data["year"]:
            raise CommandError(_("--year %(a)d 与文件中的年份 %(b)d 不一致，请核对。") % {"a": wanted, "b": data["year"]})
        target = wanted or data["year"]
        if not target:
            raise CommandError(_("请用 --year 指明年份，如 --year 2027，或在文件中写一行“年份 2027”。"))
        try:
            row = calendar_import_notice(
                actor=self._actor(user), year=target, holidays=data["holidays"], makeup_days=data["makeup_days"],
                region=region or None, notice=data["notice"],
            )
        except ValidationError as error:
            raise CommandError(_("导入失败，未做任何修改：\n%(p)s") % {"p": "\n".join(error.messages)}) from None
        off = sum((end - start).days + 1 for start, end, _n in data["holidays"])
        self.stdout.write(self.style.SUCCESS(
            _("已导入%(y)d年节假日安排（%(r)s）：放假 %(off)d 天，调休上班 %(on)d 天。")
            % {"y": row.year, "r": row.region or _("全国"), "off": off, "on": len(data["makeup_days"])}))

    def do_seed(self, *, user: str | None, **_options):
        result = calendar_seed_from_package(actor=self._actor(user))
        if result.changed:
            self.stdout.write(self.style.SUCCESS(
                _("已从 chinesecalendar 载入：新增 %(a)s 年，更新 %(u)s 年，写入 %(n)d 天。") % {
                    "a": "、".join(map(str, result.added_years)) or _("无"),
                    "u": "、".join(map(str, result.updated_years)) or _("无"),
                    "n": result.days_written}))
        else:
            self.stdout.write(_("全国节假日安排已是最新，无需更改。"))
        if result.kept_years:
            self.stdout.write(_("以下年份已由管理员导入通知或录入，保持不变：%(y)s。") % {
                "y": "、".join(map(str, result.kept_years))})
        if result.kept_days:
            self.stdout.write(_("以下日期另有单独设置，保持不变：%(d)s。") % {
                "d": "、".join(d.isoformat() for d in result.kept_days)})
