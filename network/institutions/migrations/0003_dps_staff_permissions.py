"""Let the "DPS staff" group manage institutions and certifications in the Wagtail admin.

A data migration (not a post_migrate handler): rows made by post_migrate handlers collide
with the data that `serialized_rollback` tests restore. Content types and permissions are
created here the way Django's post_migrate would (get_or_create, same names), so that hook
finds them in place.
"""

from django.db import migrations

DPS_STAFF_GROUP = "DPS staff"
MODELS = {"institution": "institution", "certification": "certification"}
ACTIONS = ("add", "change", "delete", "view")


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    database = schema_editor.connection.alias

    group, _created = Group.objects.using(database).get_or_create(name=DPS_STAFF_GROUP)
    permissions = []
    for model, verbose_name in MODELS.items():
        content_type, _created = ContentType.objects.using(database).get_or_create(
            app_label="institutions", model=model
        )
        for action in ACTIONS:
            permission, _created = Permission.objects.using(database).get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {verbose_name}"},
            )
            permissions.append(permission)
    admin = Permission.objects.using(database).filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    permissions.extend(admin)
    group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=DPS_STAFF_GROUP).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="institutions", codename__endswith="_institution"),
            *Permission.objects.filter(content_type__app_label="institutions", codename__endswith="_certification"),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("institutions", "0002_certifications"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
