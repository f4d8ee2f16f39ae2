"""Chinese names for the rows Wagtail's own migrations create in English and the back office
shows as they are: the groups "Editors" and "Moderators", the workflow and task "Moderators
approval", and the root collection "Root". Only rows still carrying Wagtail's English name are
renamed (a name someone chose is kept); reversible. Runs after the Wagtail migrations that look
these rows up by their English names."""

from django.db import migrations

GROUPS = {"Editors": "编辑人员", "Moderators": "审核人员"}
WORKFLOW = {"Moderators approval": "审核人员审批"}
COLLECTION = {"Root": "根目录"}


def _rename(model, names, **filters):
    for old, new in names.items():
        model.objects.filter(name=old, **filters).update(name=new)


def to_chinese(apps, schema_editor):
    _rename(apps.get_model("auth", "Group"), GROUPS)
    _rename(apps.get_model("wagtailcore", "Workflow"), WORKFLOW)
    _rename(apps.get_model("wagtailcore", "Task"), WORKFLOW)
    _rename(apps.get_model("wagtailcore", "Collection"), COLLECTION, depth=1)


def to_english(apps, schema_editor):
    back = lambda names: {new: old for old, new in names.items()}  # noqa: E731
    _rename(apps.get_model("auth", "Group"), back(GROUPS))
    _rename(apps.get_model("wagtailcore", "Workflow"), back(WORKFLOW))
    _rename(apps.get_model("wagtailcore", "Task"), back(WORKFLOW))
    _rename(apps.get_model("wagtailcore", "Collection"), back(COLLECTION), depth=1)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0005_organizer_blank"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailusers", "0015_userprofile_keyboard_shortcuts"),
    ]

    operations = [migrations.RunPython(to_chinese, to_english)]
