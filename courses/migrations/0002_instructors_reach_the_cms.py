"""Members of the "Instructors" group edit their courses in the Wagtail admin (the
policies in courses/wagtail_hooks.py limit them to the courses they teach): the group
needs the admin's door, `wagtailadmin.access_admin`.

A data migration, not a seed step: staff who put an instructor in the group on a real
deployment expect it to work without demo data.
"""

from django.db import migrations

INSTRUCTORS_GROUP = "Instructors"


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    database = schema_editor.connection.alias
    group, _created = Group.objects.using(database).get_or_create(name=INSTRUCTORS_GROUP)
    group.permissions.add(
        *Permission.objects.using(database).filter(
            content_type__app_label="wagtailadmin", codename="access_admin"
        )
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=INSTRUCTORS_GROUP).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
