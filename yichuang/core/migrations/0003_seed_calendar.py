"""Seed the national working-day calendar from the `chinesecalendar` package.

Every year the package covers becomes a national `CalendarYear` (source "package"); its
holidays (on weekdays and on weekends alike) become national "holiday" rows and its 调休
make-up days "makeup" rows. Later package upgrades are loaded with `yichuang calendar seed`
(the service `calendar_seed_from_package`), which also writes the audit entry; a migration
runs before any user exists, so it writes none.
"""

from django.db import migrations
from django.utils import timezone

# The package names holidays in English and gives short Chinese names; a notice and a
# clerk say 清明节, 端午节, 中秋节.
CHINESE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
}


def _chinese(english):
    from chinese_calendar.constants import Holiday

    if english in CHINESE_NAMES:
        return CHINESE_NAMES[english]
    try:
        return Holiday(english).chinese[:60]
    except ValueError:
        return english[:60]


def seed(apps, schema_editor):
    import chinese_calendar
    from chinese_calendar import constants

    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarYear = apps.get_model("core", "CalendarYear")
    CalendarStamp = apps.get_model("core", "CalendarStamp")

    wanted = {day: ("holiday", _chinese(name)) for day, name in constants.holidays.items()}
    wanted.update({day: ("makeup", _chinese(name)) for day, name in constants.workdays.items()})
    existing = set(CalendarDay.objects.filter(region__isnull=True).values_list("date", flat=True))
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=day, region=None, kind=kind, name=name)
         for day, (kind, name) in sorted(wanted.items()) if day not in existing]
    )
    version = getattr(chinese_calendar, "__version__", "")
    known = set(CalendarYear.objects.filter(region__isnull=True).values_list("year", flat=True))
    CalendarYear.objects.bulk_create(
        [CalendarYear(year=year, region=None, source="package", notice=f"chinesecalendar {version}".strip())
         for year in sorted({day.year for day in wanted}) if year not in known]
    )
    stamp = CalendarStamp.objects.order_by("pk").first() or CalendarStamp(generation=0)
    stamp.generation += 1
    stamp.changed_at = timezone.now()
    stamp.save()


def unseed(apps, schema_editor):
    from chinese_calendar import constants

    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarYear = apps.get_model("core", "CalendarYear")
    CalendarStamp = apps.get_model("core", "CalendarStamp")

    package_days = set(constants.holidays) | set(constants.workdays)
    CalendarDay.objects.filter(region__isnull=True, kind__in=["holiday", "makeup"], date__in=package_days).delete()
    CalendarYear.objects.filter(region__isnull=True, source="package").delete()
    for stamp in CalendarStamp.objects.all():
        stamp.generation += 1
        stamp.changed_at = timezone.now()
        stamp.save()


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_initial"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
