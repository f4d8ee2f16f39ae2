"""The organizers (组委会) edit the public site: add, change and publish pages anywhere under the
home page; add, change and choose images and documents in every collection; change the site
settings. The group is otherwise made by competition.roles after migrate; it is made here too
(same name) so that these rows can point at it on a fresh database."""

from django.db import migrations

ORGANIZERS = "组委会"  # competition.rules.ORGANIZERS (a migration does not import app code)
PAGE_PERMISSIONS = [
    ("add_page", "Can add page"),
    ("change_page", "Can change page"),
    ("publish_page", "Publish any page"),
]
COLLECTION_PERMISSIONS = {
    ("wagtailimages", "image"): [
        ("add_image", "Can add image"),
        ("change_image", "Can change image"),
        ("choose_image", "Can choose image"),
    ],
    ("wagtaildocs", "document"): [
        ("add_document", "Can add document"),
        ("change_document", "Can change document"),
        ("choose_document", "Can choose document"),
    ],
}
MODEL_PERMISSIONS = {("cms", "sitesettings"): [("change_sitesettings", "Can change 网站设置")]}


def _permissions(apps, app_label, model, wanted):
    ContentType = apps.get_model("contenttypes.ContentType")
    Permission = apps.get_model("auth.Permission")
    content_type, _created = ContentType.objects.get_or_create(app_label=app_label, model=model)
    return [
        Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )[0]
        for codename, name in wanted
    ]


def _home(apps):
    Page = apps.get_model("wagtailcore.Page")
    return Page.objects.filter(depth=2, content_type__app_label="cms", content_type__model="homepage").first()


def grant(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Collection = apps.get_model("wagtailcore.Collection")
    GroupPagePermission = apps.get_model("wagtailcore.GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore.GroupCollectionPermission")
    group, _created = Group.objects.get_or_create(name=ORGANIZERS)
    home = _home(apps)
    if home is not None:
        for permission in _permissions(apps, "wagtailcore", "page", PAGE_PERMISSIONS):
            GroupPagePermission.objects.get_or_create(group=group, page=home, permission=permission)
    root = Collection.objects.filter(depth=1).first()
    if root is not None:
        for (app_label, model), wanted in COLLECTION_PERMISSIONS.items():
            for permission in _permissions(apps, app_label, model, wanted):
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root, permission=permission
                )
    for (app_label, model), wanted in MODEL_PERMISSIONS.items():
        group.permissions.add(*_permissions(apps, app_label, model, wanted))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    GroupPagePermission = apps.get_model("wagtailcore.GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore.GroupCollectionPermission")
    group = Group.objects.filter(name=ORGANIZERS).first()
    if group is None:
        return
    home = _home(apps)
    GroupPagePermission.objects.filter(
        group=group, page=home, permission__codename__in=[c for c, _n in PAGE_PERMISSIONS]
    ).delete()
    GroupCollectionPermission.objects.filter(
        group=group,
        collection__depth=1,
        permission__codename__in=[c for wanted in COLLECTION_PERMISSIONS.values() for c, _n in wanted],
    ).delete()
    group.permissions.remove(
        *group.permissions.filter(codename__in=[c for w in MODEL_PERMISSIONS.values() for c, _n in w])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0003_public_site"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
