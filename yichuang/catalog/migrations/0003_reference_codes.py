from django.db import migrations

ITEM_TYPES = [
    ("01", "行政许可"), ("02", "行政处罚"), ("03", "行政强制"), ("04", "行政征收"), ("05", "行政给付"),
    ("06", "行政检查"), ("07", "行政确认"), ("08", "行政奖励"), ("09", "行政裁决"), ("10", "其他行政权力"),
    ("20", "公共服务"),
]
# 行政许可法 Art. 45 lists hearing, tendering, auction, inspection, testing, quarantine,
# appraisal and expert review; 现场踏勘, 公示 and 整改 are common local additions.
PROCEDURES = [
    ("hearing", "听证"), ("tendering", "招标"), ("auction", "拍卖"), ("inspection", "检验"),
    ("testing", "检测"), ("quarantine", "检疫"), ("appraisal", "鉴定"), ("expert_review", "专家评审"),
    ("site_survey", "现场踏勘"), ("publicity", "公示"), ("rectification", "整改"),
]


def forwards(apps, schema_editor):
    ItemType = apps.get_model("catalog", "ItemType")
    for order, (code, name) in enumerate(ITEM_TYPES):
        ItemType.objects.update_or_create(code=code, defaults={"name": name, "sort_order": order})
    SpecialProcedureType = apps.get_model("catalog", "SpecialProcedureType")
    for code, name in PROCEDURES:
        SpecialProcedureType.objects.update_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
