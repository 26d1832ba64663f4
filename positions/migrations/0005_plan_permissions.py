"""Staff groups for plans: Analysts enter plans, points and crosswalk links (as they enter
rounds); Editors may change anything. Same pattern as negotiations/migrations/0002_groups."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ["plan", "planpoint", "pointlink"]


def grants():
    analyst = [f"{action}_{model}" for model in MODELS for action in ("view", "add", "change")]
    editor = [
        f"{action}_{model}" for model in MODELS for action in ("add", "change", "delete", "view")
    ]
    return {"Analyst": analyst, "Editor": editor}


def grant(apps, schema_editor):
    db = schema_editor.connection.alias
    app_config = apps.get_app_config("positions")
    loaded = getattr(app_config, "models_module", None)
    app_config.models_module = loaded or True  # create_permissions skips apps without it
    create_permissions(app_config, verbosity=0, using=db, apps=apps)
    app_config.models_module = loaded
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in grants().items():
        group, _ = Group.objects.using(db).get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.using(db).filter(
                content_type__app_label="positions", codename__in=codenames
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    for name, codenames in grants().items():
        for group in Group.objects.using(db).filter(name=name):
            group.permissions.remove(
                *Permission.objects.using(db).filter(
                    content_type__app_label="positions", codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("negotiations", "0002_groups"),
        ("positions", "0004_plans"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
