from django.db import migrations

# DESIGN §1: the eight service categories of the plan.
CATEGORIES = [
    ("theory", "理论政策宣讲", "Theory and policy outreach"),
    ("culture", "文化文艺服务", "Culture and arts"),
    ("education", "助学支教", "Education support"),
    ("health", "医疗健身", "Medical care and fitness"),
    ("science", "科学普及", "Science popularisation"),
    ("legal", "法律服务", "Legal services"),
    ("environment", "卫生环保", "Sanitation and environment"),
    ("relief", "扶贫帮困", "Poverty relief and mutual aid"),
]


def create_categories(apps, schema_editor):
    Category = apps.get_model("competition", "Category")
    for order, (code, name, name_en) in enumerate(CATEGORIES, start=1):
        Category.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": order}
        )


def remove_categories(apps, schema_editor):
    Category = apps.get_model("competition", "Category")
    Category.objects.filter(code__in=[code for code, _n, _e in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("competition", "0001_initial")]
    operations = [migrations.RunPython(create_categories, remove_categories)]
