"""Corrections (docs/admin.md, "Corrections"): the table, a trigger that refuses to change or
delete one, and the staff groups' permissions: Editors add and view, Analysts view.
"""

from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models

triggers = import_module("positions.migrations.0002_integrity_triggers")
rules = import_module("negotiations.migrations.0006_release_rules")

RULES = [
    (
        "correction_immutable",
        "negotiations_correction",
        ("UPDATE", "DELETE"),
        "1 = 0",
        "a correction never changes and is never deleted once made",
    ),
]
GRANTS = {
    "Editor": ["add_correction", "view_correction"],
    "Analyst": ["view_correction"],
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
    rules.create_permissions(app_config, verbosity=0, using=db, apps=apps)
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
        content_type__app_label="negotiations", codename__endswith="_correction"
    ).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('negotiations', '0006_release_rules'),
        ('positions', '0002_integrity_triggers'),
    ]

    operations = [
        migrations.CreateModel(
            name='Correction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('object_id', models.PositiveBigIntegerField(help_text='The id of the record, as its admin page shows it.', verbose_name='record id')),
                ('kind', models.CharField(choices=[('correction', 'correction'), ('withdrawal', 'withdrawal')], default='correction', max_length=10)),
                ('note', models.TextField(help_text='What was wrong and what is right now; readers see it as written.', verbose_name='public note')),
                ('date', models.DateField(help_text='The date readers see on the notice.')),
                ('made_at', models.DateTimeField(auto_now_add=True)),
                ('made_by', models.CharField(blank=True, editable=False, help_text='A role.', max_length=150)),
                ('content_type', models.ForeignKey(limit_choices_to=models.Q(models.Q(('app_label', 'negotiations'), ('model__in', ['negotiation', 'round', 'issue', 'source'])), models.Q(('app_label', 'positions'), ('model__in', ['demand', 'concession'])), _connector='OR'), on_delete=django.db.models.deletion.PROTECT, to='contenttypes.contenttype', verbose_name='kind of record')),
                ('negotiation', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='corrections', to='negotiations.negotiation')),
            ],
            options={
                'ordering': ['date', 'made_at', 'id'],
                'indexes': [models.Index(fields=['content_type', 'object_id'], name='negotiation_content_b6df4a_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('kind__in', ['correction', 'withdrawal'])), name='negotiations_correction_kind', violation_error_message='A correction is a correction or a withdrawal.'), models.CheckConstraint(condition=models.Q(('note', ''), _negated=True), name='negotiations_correction_note', violation_error_message='Give the public note: readers see why it changed.')],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.RunPython(grant, revoke),
    ]
