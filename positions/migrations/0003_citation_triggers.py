"""Triggers that name their rule, and the citation rules the first set missed.

Each trigger is the backstop of one rule the models check in `clean()`; its message carries the
rule's code ("Refused [in_return_for_other_party]: …") so negotiations.refusals shows a database
refusal in the same words and on the same field as validation would. See docs/rules.md.

Added here: a concession's `in_return_for` names another party's demand; a concession cites only
demands stated at or before its round; a demand that concessions cite keeps its party and issue
(0002 covered `softens` only) and does not move after their round, nor does its round's date.
"""

from importlib import import_module

from django.db import migrations

first = import_module("positions.migrations.0002_integrity_triggers")

# The code a trigger's message names, where it is not the trigger's own name.
CODES = {
    "participant_guard_delete": "participant_has_statements",
    "participant_guard_update": "participant_has_statements",
}


def later(a: str, b: str) -> str:
    """SQL: round `a` comes after round `b` in the negotiation's order (start date, sequence)."""
    return (
        f"({a}.start_date > {b}.start_date OR "
        f"({a}.start_date = {b}.start_date AND {a}.sequence > {b}.sequence))"
    )


def keeps(column: str) -> tuple:
    return (
        f"cited_demand_keeps_{column.removesuffix('_id')}",
        "positions_demand",
        ("UPDATE",),
        f"NEW.{column} = OLD.{column} OR NOT EXISTS (SELECT 1 FROM positions_concession c "
        "WHERE OLD.id IN (c.softens_id, c.in_return_for_id))",
        f"concessions cite this demand, so its {column.removesuffix('_id')} cannot change",
    )


RULES = [
    *(rule for rule in first.RULES if rule[0] != "softened_demand_keeps_party_and_issue"),
    (
        "in_return_for_other_party",
        "positions_concession",
        ("INSERT", "UPDATE"),
        "NEW.in_return_for_id IS NULL OR NOT EXISTS (SELECT 1 FROM positions_demand d "
        "WHERE d.id = NEW.in_return_for_id AND d.party_id = NEW.party_id)",
        "a concession is conditional on a demand of another party",
    ),
    *(
        (
            f"{link}_stated_before",
            "positions_concession",
            ("INSERT", "UPDATE"),
            f"NEW.{link}_id IS NULL OR NOT EXISTS (SELECT 1 FROM positions_demand d "
            "JOIN negotiations_round dr ON dr.id = d.round_id "
            "JOIN negotiations_round cr ON cr.id = NEW.round_id "
            f"WHERE d.id = NEW.{link}_id AND {later('dr', 'cr')})",
            "the cited demand was stated after the round of the concession",
        )
        for link in ("softens", "in_return_for")
    ),
    keeps("party_id"),
    keeps("issue_id"),
    (
        "cited_demand_not_after_concession",
        "positions_demand",
        ("UPDATE",),
        "NEW.round_id = OLD.round_id OR NOT EXISTS (SELECT 1 FROM positions_concession c "
        "JOIN negotiations_round cr ON cr.id = c.round_id "
        "JOIN negotiations_round dr ON dr.id = NEW.round_id "
        f"WHERE NEW.id IN (c.softens_id, c.in_return_for_id) AND {later('dr', 'cr')})",
        "a concession at an earlier round cites this demand",
    ),
    (
        "round_keeps_citation_order",
        "negotiations_round",
        ("UPDATE",),
        # AFTER the update, so the rounds joined below hold the new date.
        "(NEW.start_date = OLD.start_date AND NEW.sequence = OLD.sequence) OR NOT EXISTS "
        "(SELECT 1 FROM positions_concession c "
        "JOIN positions_demand d ON d.id IN (c.softens_id, c.in_return_for_id) "
        "JOIN negotiations_round cr ON cr.id = c.round_id "
        "JOIN negotiations_round dr ON dr.id = d.round_id "
        f"WHERE NEW.id IN (cr.id, dr.id) AND {later('dr', 'cr')})",
        "the new date would put a cited demand after a concession citing it",
        "AFTER",
    ),
]


def coded(name: str, message: str) -> str:
    return f"Refused [{CODES.get(name, name)}]: {message}"


def create(apps, schema_editor):
    for _, backward in reversed(first.statements(schema_editor)):
        schema_editor.execute(backward)
    for forward, _ in first.statements(schema_editor, RULES, coded):
        schema_editor.execute(forward)


def drop(apps, schema_editor):
    for _, backward in reversed(first.statements(schema_editor, RULES, coded)):
        schema_editor.execute(backward)
    for forward, _ in first.statements(schema_editor):
        schema_editor.execute(forward)


class Migration(migrations.Migration):
    dependencies = [("positions", "0002_integrity_triggers")]

    operations = [migrations.RunPython(create, drop)]
