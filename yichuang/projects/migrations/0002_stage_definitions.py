"""The four stages of construction approval (工程建设项目审批制度改革), with default targets.

The targets add up to 50 working days from land (立项用地规划许可) to the construction permit
(施工许可); completion acceptance (竣工验收) has its own target and is not counted in it. A
centre changes them in the admin.
"""

from django.db import migrations

STAGES = [
    (1, "立项用地规划许可", 20, True, "项目审批（核准、备案）、选址意见、用地预审、用地规划许可"),
    (2, "工程建设许可", 20, True, "设计方案审查、建设工程规划许可"),
    (3, "施工许可", 10, True, "施工图审查、施工许可证核发"),
    (4, "竣工验收", 12, False, "规划、消防、人防等专项验收与竣工验收备案（联合验收）"),
]


def create(apps, schema_editor):
    StageDefinition = apps.get_model("projects", "StageDefinition")
    for number, name, days, counts, description in STAGES:
        StageDefinition.objects.update_or_create(number=number, defaults={
            "name": name, "target_days": days, "counts_toward_target": counts, "description": description})


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
