from django.db import migrations

ROLES = [
    ("admin", "中心管理员", "维护事项库、窗口、人员和日历"),
    ("clerk", "综合窗口受理员", "全科受理：核验材料、受理、出具告知书"),
    ("reviewer", "审查人员", "在部门收件箱审查办件"),
    ("approver", "决定人员", "作出审批决定、批准延期"),
    ("result_clerk", "出件窗口人员", "统一出件、邮寄送达"),
    ("agent", "帮办代办员", "代申请人办理，维护代办台账"),
    ("supervisor", "电子监察人员", "预警督办、统计、审计、投诉"),
    ("town_clerk", "乡镇（村）便民服务点受理员", "在乡镇、村受理下放和通办事项"),
]


def forwards(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    for code, name, description in ROLES:
        Role.objects.update_or_create(code=code, defaults={"name": name, "description": description})


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
