"""Database triggers for the rules a CHECK constraint cannot express (they span tables).

The forms give the friendly message first (positions.models.validate_statement and the admin's
forms); these make the same rules hold for anything that writes behind the forms' back:
loaders, scripts, the shell, the API.
"""

from django.db import migrations

STATEMENTS = ("positions_demand", "positions_concession")

# (name, table, events, condition that must hold, message). Conditions see NEW on INSERT and
# UPDATE and OLD on DELETE, as in the trigger body.
RULES = [
    (
        "stance_of_issue",
        "positions_demand",
        ("INSERT", "UPDATE"),
        "NEW.stance_id IS NULL OR EXISTS (SELECT 1 FROM negotiations_stance s "
        "WHERE s.id = NEW.stance_id AND s.issue_id = NEW.issue_id)",
        "the stance belongs to the scale of another issue",
    ),
    *(
        rule
        for table in STATEMENTS
        for rule in (
            (
                "issue_in_negotiation",
                table,
                ("INSERT", "UPDATE"),
                "(SELECT i.negotiation_id FROM negotiations_issue i WHERE i.id = NEW.issue_id) = "
                "(SELECT r.negotiation_id FROM negotiations_round r WHERE r.id = NEW.round_id)",
                "the issue belongs to another negotiation than the round",
            ),
            (
                "party_participates",
                table,
                ("INSERT", "UPDATE"),
                "EXISTS (SELECT 1 FROM negotiations_participant p JOIN negotiations_round r "
                "ON r.negotiation_id = p.negotiation_id "
                "WHERE r.id = NEW.round_id AND p.party_id = NEW.party_id)",
                "the party does not take part in the negotiation of the round",
            ),
        )
    ),
    (
        "softens_own_demand",
        "positions_concession",
        ("INSERT", "UPDATE"),
        "NEW.softens_id IS NULL OR EXISTS (SELECT 1 FROM positions_demand d WHERE "
        "d.id = NEW.softens_id AND d.party_id = NEW.party_id AND d.issue_id = NEW.issue_id)",
        "a concession softens a demand of the same party on the same issue",
    ),
    (
        "softened_demand_keeps_party_and_issue",
        "positions_demand",
        ("UPDATE",),
        "(NEW.party_id = OLD.party_id AND NEW.issue_id = OLD.issue_id) OR NOT EXISTS "
        "(SELECT 1 FROM positions_concession c WHERE c.softens_id = OLD.id)",
        "a concession softens this demand, so its party and issue cannot change",
    ),
    # Moving a round, issue or stance elsewhere would strand the statements that use it.
    (
        "round_keeps_negotiation",
        "negotiations_round",
        ("UPDATE",),
        "NEW.negotiation_id = OLD.negotiation_id OR (NOT EXISTS (SELECT 1 FROM positions_demand "
        "d WHERE d.round_id = OLD.id) AND NOT EXISTS (SELECT 1 FROM positions_concession c "
        "WHERE c.round_id = OLD.id))",
        "the round has statements, so it cannot move to another negotiation",
    ),
    (
        "issue_keeps_negotiation",
        "negotiations_issue",
        ("UPDATE",),
        "NEW.negotiation_id = OLD.negotiation_id OR (NOT EXISTS (SELECT 1 FROM positions_demand "
        "d WHERE d.issue_id = OLD.id) AND NOT EXISTS (SELECT 1 FROM positions_concession c "
        "WHERE c.issue_id = OLD.id))",
        "the issue has statements, so it cannot move to another negotiation",
    ),
    (
        "stance_keeps_issue",
        "negotiations_stance",
        ("UPDATE",),
        "NEW.issue_id = OLD.issue_id OR NOT EXISTS "
        "(SELECT 1 FROM positions_demand d WHERE d.stance_id = OLD.id)",
        "demands use this stance, so it cannot move to another issue",
    ),
    *(
        (
            f"participant_guard_{event.lower()}",
            "negotiations_participant",
            (event,),
            f"{keep} (NOT EXISTS (SELECT 1 FROM positions_demand d JOIN negotiations_round r "
            "ON r.id = d.round_id WHERE d.party_id = OLD.party_id "
            "AND r.negotiation_id = OLD.negotiation_id) AND NOT EXISTS (SELECT 1 FROM "
            "positions_concession c JOIN negotiations_round r ON r.id = c.round_id "
            "WHERE c.party_id = OLD.party_id AND r.negotiation_id = OLD.negotiation_id))",
            "the party has demands or concessions in this negotiation",
        )
        for event, keep in (
            ("DELETE", ""),
            (
                "UPDATE",
                "(NEW.party_id = OLD.party_id AND NEW.negotiation_id = OLD.negotiation_id) OR",
            ),
        )
    ),
]


def refused(name: str, message: str) -> str:
    return f"Refused: {message}"


# 0003_citation_triggers replaces these triggers with the same generators, its own rules (a rule
# may add a timing, BEFORE or AFTER) and a message that names the rule's code.
def sqlite_statements(rules=RULES, refusal=refused):
    for name, table, events, condition, message, *timing in rules:
        when = timing[0] if timing else "BEFORE"
        for event in events:
            trigger = f"{table}_{name}_{event.lower()}"
            yield (
                f"CREATE TRIGGER {trigger} {when} {event} ON {table} FOR EACH ROW "
                f"WHEN NOT ({condition}) BEGIN SELECT RAISE(ABORT, '{refusal(name, message)}'); "
                "END",
                f"DROP TRIGGER IF EXISTS {trigger}",
            )


def postgresql_statements(rules=RULES, refusal=refused):
    for name, table, events, condition, message, *timing in rules:
        when = timing[0] if timing else "BEFORE"
        function = f"{table}_{name}"
        row = "OLD" if events == ("DELETE",) else "NEW"
        yield (
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF NOT ({condition}) THEN RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_"
            f"violation', MESSAGE = '{refusal(name, message)}'; END IF; RETURN {row}; END $$",
            f"DROP FUNCTION IF EXISTS {function}() CASCADE",
        )
        yield (
            f"CREATE TRIGGER {function} {when} {' OR '.join(events)} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()",
            f"DROP TRIGGER IF EXISTS {function} ON {table}",
        )


def statements(schema_editor, rules=RULES, refusal=refused):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        return list(sqlite_statements(rules, refusal))
    if vendor == "postgresql":
        return list(postgresql_statements(rules, refusal))
    raise NotImplementedError(f"Integrity triggers exist for SQLite and PostgreSQL, not {vendor}.")


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
