"""Releases: the database refuses to change or delete one, and the staff groups' permissions.

Editors cut releases (add) and see them; Analysts see them. Nobody gets change or delete: a
release never changes (docs/releases.md). The trigger uses the generators of
positions/migrations/0002_integrity_triggers.py.
"""

from importlib import import_module

from django.contrib.auth.management import create_permissions
from django.db import migrations

triggers = import_module("positions.migrations.0002_integrity_triggers")

RULES = [
    (
        "release_immutable",
        "negotiations_release",
        ("UPDATE", "DELETE"),
        "1 = 0",
        "a release never changes and is never deleted after it is cut",
    ),
]
GRANTS = {
    "Editor": ["add_release", "view_release"],
    "Analyst": ["view_release"],
}


def create_triggers(apps, schema_editor):
    for forward, _ in triggers.statements(schema_editor, RULES):
        schema_editor.execute(forward)


def drop_triggers(apps, schema_editor):
    for _, backward in reversed(triggers.statements(schema_editor, RULES)):
        schema_editor.execute(backward)


def grant(apps, schema_editor):
    db = schema_editor.connection.alias
    app_config = apps.get_app_config("negotiations")
    loaded = getattr(app_config, "models_module", None)
    app_config.models_module = loaded or True  # create_permissions skips apps without it
    create_permissions(app_config, verbosity=0, using=db, apps=apps)
    app_config.models_module = loaded
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group, _ = Group.objects.using(db).get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.using(db).filter(
                content_type__app_label="negotiations", codename__in=codenames
            )
        )


def revoke(apps, schema_editor):
    db = schema_editor.connection.alias
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.using(db).filter(
        content_type__app_label="negotiations", codename__endswith="_release"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("negotiations", "0005_release_and_m2m_history"),
        ("positions", "0002_integrity_triggers"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.RunPython(grant, revoke),
    ]
