"""The staff groups the data migration creates, and that it can be undone."""

import importlib
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.loader import MigrationLoader

pytestmark = pytest.mark.django_db

groups_migration = importlib.import_module("negotiations.migrations.0002_groups")
plan_groups_migration = importlib.import_module("positions.migrations.0005_plan_permissions")
release_rules_migration = importlib.import_module("negotiations.migrations.0006_release_rules")
correction_migration = importlib.import_module("negotiations.migrations.0007_correction")

DATA_MODELS = {
    "negotiations": ["negotiation", "party", "participant", "round", "issue", "stance", "source"],
    "positions": ["demand", "concession", "plan", "planpoint", "pointlink"],
}


def permissions_of(name: str) -> set[str]:
    group = Group.objects.get(name=name)
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def test_analyst_views_everything_and_enters_rounds_statements_and_sources(analyst):
    for app, models in DATA_MODELS.items():
        for model in models:
            assert analyst.has_perm(f"{app}.view_{model}")
            assert not analyst.has_perm(f"{app}.delete_{model}")
    entered = {
        "negotiations.round",
        "negotiations.source",
        "positions.demand",
        "positions.concession",
    }
    for label in entered:
        app, model = label.split(".")
        assert analyst.has_perm(f"{app}.add_{model}")
        assert analyst.has_perm(f"{app}.change_{model}")
    assert not analyst.has_perm("negotiations.change_party")
    assert not analyst.has_perm("negotiations.add_issue")
    assert not analyst.has_perm("auth.view_user")


def test_editor_may_do_anything_with_the_data_and_nothing_else(editor):
    expected = {
        f"{app}.{action}_{model}"
        for app, models in DATA_MODELS.items()
        for model in models
        for action in ("add", "change", "delete", "view")
    }
    # A release never changes once cut: editors cut and read releases, nobody edits them.
    expected |= {"negotiations.add_release", "negotiations.view_release"}
    # Likewise a public correction (docs/admin.md, "Corrections").
    expected |= {"negotiations.add_correction", "negotiations.view_correction"}
    assert permissions_of("Editor") == expected
    assert not editor.has_perm("negotiations.change_release")
    assert not editor.has_perm("negotiations.delete_release")
    assert not editor.has_perm("auth.change_user")


def test_analyst_sees_no_delete_or_change_where_only_viewing(talks, analyst_client):
    page = analyst_client.get(f"/admin/negotiations/party/{talks.north.pk}/change/")

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert b'name="_save"' not in page.content
    assert b"/delete/" not in page.content


def test_group_migration_can_be_undone_and_redone():
    apps = MigrationLoader(connection).project_state(("negotiations", "0002_groups")).apps
    schema_editor = SimpleNamespace(connection=connection)
    before = {name: permissions_of(name) for name in ("Analyst", "Editor")}

    groups_migration.delete_groups(apps, schema_editor)
    assert not Group.objects.filter(name__in=["Analyst", "Editor"]).exists()
    groups_migration.create_groups(apps, schema_editor)
    plan_apps = MigrationLoader(connection).project_state(("positions", "0005_plan_permissions"))
    plan_groups_migration.grant(plan_apps.apps, schema_editor)
    release_apps = MigrationLoader(connection).project_state(("negotiations", "0006_release_rules"))
    release_rules_migration.grant(release_apps.apps, schema_editor)
    correction_apps = MigrationLoader(connection).project_state(("negotiations", "0007_correction"))
    correction_migration.grant(correction_apps.apps, schema_editor)

    assert {name: permissions_of(name) for name in ("Analyst", "Editor")} == before
