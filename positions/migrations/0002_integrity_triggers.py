"""Database triggers for the rules a CHECK constraint cannot express (they span tables).

The forms give the friendly message first (positions.models.validate_statement); these make the
same rules hold for anything that writes behind the forms' back: loaders, scripts, the shell.
"""

from django.db import migrations

# (name, table, condition that must hold for NEW, message)
RULES = [
    (
        "stance_of_issue",
        "positions_demand",
        "NEW.stance_id IS NULL OR EXISTS (SELECT 1 FROM negotiations_stance s "
        "WHERE s.id = NEW.stance_id AND s.issue_id = NEW.issue_id)",
        "the stance belongs to the scale of another issue",
    ),
]
for table in ("positions_demand", "positions_concession"):
    RULES += [
        (
            "issue_in_negotiation",
            table,
            "(SELECT i.negotiation_id FROM negotiations_issue i WHERE i.id = NEW.issue_id) = "
            "(SELECT r.negotiation_id FROM negotiations_round r WHERE r.id = NEW.round_id)",
            "the issue belongs to another negotiation than the round",
        ),
        (
            "party_participates",
            table,
            "EXISTS (SELECT 1 FROM negotiations_participant p JOIN negotiations_round r "
            "ON r.negotiation_id = p.negotiation_id "
            "WHERE r.id = NEW.round_id AND p.party_id = NEW.party_id)",
            "the party does not take part in the negotiation of the round",
        ),
    ]
RULES.append(
    (
        "softens_own_demand",
        "positions_concession",
        "NEW.softens_id IS NULL OR EXISTS (SELECT 1 FROM positions_demand d "
        "WHERE d.id = NEW.softens_id AND d.party_id = NEW.party_id AND d.issue_id = NEW.issue_id)",
        "a concession softens a demand of the same party on the same issue",
    )
)

# Removing a participant would orphan its statements; refuse it while any exist.
PARTICIPANT_GUARD = (
    "NOT EXISTS (SELECT 1 FROM positions_demand d JOIN negotiations_round r ON r.id = d.round_id "
    "WHERE d.party_id = OLD.party_id AND r.negotiation_id = OLD.negotiation_id) AND NOT EXISTS "
    "(SELECT 1 FROM positions_concession c JOIN negotiations_round r ON r.id = c.round_id "
    "WHERE c.party_id = OLD.party_id AND r.negotiation_id = OLD.negotiation_id)"
)
PARTICIPANT_MESSAGE = "the party has demands or concessions in this negotiation"


def sqlite_statements():
    for name, table, condition, message in RULES:
        for event in ("INSERT", "UPDATE"):
            trigger = f"{table}_{name}_{event.lower()}"
            yield (
                f"CREATE TRIGGER {trigger} BEFORE {event} ON {table} FOR EACH ROW "
                f"WHEN NOT ({condition}) BEGIN SELECT RAISE(ABORT, 'Refused: {message}'); END",
                f"DROP TRIGGER IF EXISTS {trigger}",
            )
    yield (
        "CREATE TRIGGER negotiations_participant_guard BEFORE DELETE ON negotiations_participant "
        f"FOR EACH ROW WHEN NOT ({PARTICIPANT_GUARD}) "
        f"BEGIN SELECT RAISE(ABORT, 'Refused: {PARTICIPANT_MESSAGE}'); END",
        "DROP TRIGGER IF EXISTS negotiations_participant_guard",
    )


def postgresql_statements():
    for name, table, condition, message in RULES:
        function = f"{table}_{name}"
        yield (
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF NOT ({condition}) THEN RAISE EXCEPTION USING ERRCODE = 'check_violation', "
            f"MESSAGE = 'Refused: {message}'; END IF; RETURN NEW; END $$",
            f"DROP FUNCTION IF EXISTS {function}() CASCADE",
        )
        yield (
            f"CREATE TRIGGER {function} BEFORE INSERT OR UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()",
            f"DROP TRIGGER IF EXISTS {function} ON {table}",
        )
    yield (
        "CREATE FUNCTION negotiations_participant_guard() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN IF NOT ({PARTICIPANT_GUARD}) THEN RAISE EXCEPTION USING "
        f"ERRCODE = 'foreign_key_violation', MESSAGE = 'Refused: {PARTICIPANT_MESSAGE}'; END IF; "
        "RETURN OLD; END $$",
        "DROP FUNCTION IF EXISTS negotiations_participant_guard() CASCADE",
    )
    yield (
        "CREATE TRIGGER negotiations_participant_guard BEFORE DELETE ON negotiations_participant "
        "FOR EACH ROW EXECUTE FUNCTION negotiations_participant_guard()",
        "DROP TRIGGER IF EXISTS negotiations_participant_guard ON negotiations_participant",
    )


def statements(schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        return list(sqlite_statements())
    if vendor == "postgresql":
        return list(postgresql_statements())
    raise NotImplementedError(f"Parley's integrity triggers support SQLite and PostgreSQL, not {vendor}.")


def create(apps, schema_editor):
    for forward, _ in statements(schema_editor):
        schema_editor.execute(forward)


def drop(apps, schema_editor):
    for _, backward in reversed(statements(schema_editor)):
        schema_editor.execute(backward)


class Migration(migrations.Migration):
    dependencies = [
        ("positions", "0001_initial"),
        ("negotiations", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
