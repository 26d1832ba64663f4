"""Every integrity rule's code, field and words, and the one translation of a refusal.

A rule is checked in one place, its model's `clean()` (or a model constraint), which the admin,
the API and the loader all reach through `full_clean()`. The database triggers
(positions/migrations/0003_citation_triggers.py) stand behind it for any other writer; a
trigger's message carries the rule's code ("Refused [party_participates]: …"), so a refusal
from either side reads the same: `as_validation_error` turns a trigger's or a constraint's
IntegrityError into the ValidationError the model would have raised. See docs/rules.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError


@dataclass(frozen=True)
class Rule:
    code: str
    field: str | None  # the field the refusal is shown on; None: the record as a whole
    words: str  # may name {placeholders}; `defaults` fills those a trigger cannot know
    defaults: dict[str, str] = field(default_factory=dict)

    def message(self, **details) -> str:
        return self.words.format(**{**self.defaults, **details})


RULES = {
    rule.code: rule
    for rule in [
        Rule(
            "stance_of_issue",
            "stance",
            "This stance is on another issue's scale; pick one of this issue's.",
        ),
        Rule(
            "issue_in_negotiation",
            "issue",
            "This issue belongs to another negotiation than the round.",
        ),
        Rule(
            "party_participates",
            "party",
            "This party does not take part in the round's negotiation; add it as a participant "
            "first.",
        ),
        Rule(
            "softens_own_demand",
            "softens",
            "A concession softens a demand of the same party on the same issue.",
        ),
        Rule(
            "in_return_for_other_party",
            "in_return_for",
            "The condition must be another party's demand.",
        ),
        *(
            Rule(
                f"{link}_stated_before",
                link,
                "That demand was stated after this concession's round; pick one stated at or "
                "before it.",
            )
            for link in ("softens", "in_return_for")
        ),
        *(
            Rule(
                f"cited_demand_keeps_{name}",
                name,
                "{concessions} refer to this demand; point them elsewhere before changing its "
                "party or issue, or state a new demand instead.",
                {"concessions": "Concessions"},
            )
            for name in ("party", "issue")
        ),
        Rule(
            "cited_demand_not_after_concession",
            "round",
            "{concessions} at an earlier round refer to this demand; it cannot move to a round "
            "after theirs. Point them elsewhere first, or state a new demand instead.",
            {"concessions": "Concessions"},
        ),
        Rule(
            "round_keeps_citation_order",
            "start_date",
            "At this date, {concessions} would refer to a demand stated after them; point them "
            "elsewhere first, or keep the round's date.",
            {"concessions": "concessions"},
        ),
        Rule(
            "round_keeps_negotiation",
            "negotiation",
            "This round has demands or concessions; it cannot move to another negotiation.",
        ),
        Rule(
            "issue_keeps_negotiation",
            "negotiation",
            "Demands or concessions are stated on this issue; it cannot move to another "
            "negotiation.",
        ),
        Rule(
            "stance_keeps_issue",
            "issue",
            "Demands sit at this stance; it cannot move to another issue's scale.",
        ),
        Rule(
            "participant_has_statements",
            None,
            "{party} has {statements} in this negotiation, so it cannot leave it. Delete or "
            "reassign those statements first.",
            {"party": "This party", "statements": "demands or concessions"},
        ),
    ]
}

# How a trigger words its refusal: "Refused [code]: reason" ("Refused: reason" before 0003).
TRIGGER_REFUSAL = re.compile(r"Refused(?: \[(?P<code>\w+)\])?: (?P<reason>[^\n]*)")


def refusal(code: str, *, on: str | None = None, **details) -> ValidationError:
    """Return the ValidationError for rule `code`, on its field (or `on`), with its code."""
    rule = RULES[code]
    error = ValidationError(rule.message(**details), code=code)
    target = on or rule.field
    return ValidationError({target: error}) if target else error


def as_validation_error(error: IntegrityError | ValidationError) -> ValidationError:
    """Return a database refusal as the field-level ValidationError validation would raise.

    A trigger names its rule's code; a model constraint is found by its name (PostgreSQL) or
    its columns (SQLite) and speaks its own `violation_error_message`. A trigger this module
    does not know speaks its own words; anything else is passed on with the database's first
    line, so nothing is hidden.
    """
    if isinstance(error, ValidationError):
        return error
    text = str(error).strip()
    found = TRIGGER_REFUSAL.search(text)
    if found and found["code"] in RULES:
        return refusal(found["code"])
    if found:  # a rule only the database knows: its own words
        reason = found["reason"].strip().rstrip(".")
        return ValidationError(
            f"{reason[:1].upper()}{reason[1:]}.", code=found["code"] or "database"
        )
    constraint = constraint_named_in(text)
    if constraint is not None:
        return ValidationError(str(constraint.violation_error_message), code=constraint.name)
    first_line = text.splitlines()[0] if text else "no reason given"
    return ValidationError(f"The database refused the change: {first_line}", code="database")


def rule_code(error: IntegrityError | ValidationError) -> str | None:
    """Return the code of the rule that refused: a rule's code or a constraint's name."""
    error = as_validation_error(error)
    details = error.error_dict.values() if hasattr(error, "error_dict") else [error.error_list]
    codes = {item.code for errors in details for item in errors}
    return codes.pop() if len(codes) == 1 else None


def messages_by_field(error: ValidationError) -> dict[str, list[str]]:
    """Return a refusal's messages keyed by field (NON_FIELD_ERRORS for the record)."""
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {NON_FIELD_ERRORS: error.messages}


def constraint_named_in(text: str):
    """Return the model constraint an IntegrityError's text names, or None."""
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if constraint.name in text or sqlite_unique_columns(model, constraint) in text:
                return constraint
    return None


def sqlite_unique_columns(model, constraint) -> str:
    """Return how SQLite names a unique constraint in its error ("table.col, table.col")."""
    fields = getattr(constraint, "fields", ())
    if not fields:
        return "\0"  # matches nothing
    table = model._meta.db_table
    return ", ".join(f"{table}.{model._meta.get_field(name).column}" for name in fields)
