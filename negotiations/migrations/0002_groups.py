"""The staff groups: Analysts enter rounds, statements and sources; Editors may change anything.

See docs/admin.md. Permissions are created here first: Django creates them only after all
migrations have run, and the groups need them now.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = {
    "negotiations": ["negotiation", "party", "participant", "round", "issue", "stance", "source"],
    "positions": ["demand", "concession"],
}
ANALYST_ENTERS = {"round", "demand", "concession", "source"}


def grants():
    """Return {group name: [(app label, codename), ...]}."""
    analyst, editor = [], []
    for app_label, models in MODELS.items():
        for model in models:
            analyst.append((app_label, f"view_{model}"))
            if model in ANALYST_ENTERS:
                analyst += [(app_label, f"add_{model}"), (app_label, f"change_{model}")]
            editor += [
                (app_label, f"{action}_{model}") for action in ("add", "change", "delete", "view")
            ]
    return {"Analyst": analyst, "Editor": editor}


def create_groups(apps, schema_editor):
    db = schema_editor.connection.alias
    for app_label in MODELS:
        app_config = apps.get_app_config(app_label)
        loaded = getattr(app_config, "models_module", None)
        app_config.models_module = loaded or True  # create_permissions skips apps without it
        create_permissions(app_config, verbosity=0, using=db, apps=apps)
        app_config.models_module = loaded
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in grants().items():
        group, _ = Group.objects.using(db).get_or_create(name=name)
        permissions = []
        for app_label, codename in codes:
            permissions.append(
                Permission.objects.using(db).get(
                    content_type__app_label=app_label, codename=codename
                )
            )
        group.permissions.set(permissions)


def delete_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=grants()).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("negotiations", "0001_initial"),
        ("positions", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
