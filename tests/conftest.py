"""Shared fixtures: a small hand-made negotiation and the people who use Parley.

`talks` is two principals (north, south) and a mediator over four rounds on two issues:

    round        north on border          south on border      north on prisoners
    r1 (Jan 1)   "all" (4)                "none" (0)           -
    r2 (Feb 1)   -  (stands at 4)         "little" (1)         "all-for-all" (2)
    r3 (Mar 1)   "most" (3) + concession  -  (skips the round) retracted
    r4 (Apr 1)   "all" (4) again          "little" restated    -
"""

import datetime
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection

from negotiations.models import Issue, Negotiation, Party, Round
from positions.models import Concession, Demand
from tests.factories import (
    ConcessionFactory,
    DemandFactory,
    IssueFactory,
    NegotiationFactory,
    ParticipantFactory,
    PartyFactory,
    RoundFactory,
)


@dataclass
class Talks:
    negotiation: Negotiation
    north: Party
    south: Party
    mediator: Party
    border: Issue
    prisoners: Issue
    r1: Round
    r2: Round
    r3: Round
    r4: Round
    north_border_r3_concession: Concession

    def stance(self, issue: Issue, value: int):
        return issue.stances.get(value=value)

    def demand(self, party: Party, issue: Issue, round: Round) -> Demand:
        return Demand.objects.get(party=party, issue=issue, round=round)


@pytest.fixture
def talks(db) -> Talks:
    negotiation = NegotiationFactory(slug="test-talks", title="Test talks")
    north = PartyFactory(slug="north", name="Northland", short_name="NO", colour="#1f77b4")
    south = PartyFactory(slug="south", name="Southland", short_name="SO", colour="#d62728")
    mediator = PartyFactory(slug="mediator", name="Mediatoria", short_name="ME")
    ParticipantFactory(negotiation=negotiation, party=north, order=1)
    ParticipantFactory(negotiation=negotiation, party=south, order=2)
    ParticipantFactory(negotiation=negotiation, party=mediator, role="mediator", order=3)
    border = IssueFactory(negotiation=negotiation, slug="border", title="Border line", order=1)
    prisoners = IssueFactory(
        negotiation=negotiation,
        slug="prisoners",
        title="Prisoners",
        order=2,
        category=Issue.Category.HUMANITARIAN,
        scale=["no exchange", "partial", "all-for-all"],
    )
    r1, r2, r3, r4 = (
        RoundFactory(
            negotiation=negotiation,
            slug=f"r{n}",
            title=f"Round {n}",
            start_date=datetime.date(2025, n, 1),
        )
        for n in range(1, 5)
    )

    def say(party, issue, round, value, **kwargs):
        stance = issue.stances.get(value=value) if value is not None else None
        return DemandFactory(party=party, issue=issue, round=round, stance=stance, **kwargs)

    say(north, border, r1, 4, text="All of the border land", priority="red_line")
    say(south, border, r1, 0, text="Not one field")
    say(south, border, r2, 1, text="A little, for peace")
    say(north, prisoners, r2, 2, text="Exchange all for all")
    north_r3 = say(north, border, r3, 3, text="Most of the border land")
    say(north, prisoners, r3, None, text="No longer asks for an exchange", status="retracted")
    say(north, border, r4, 4, text="All of it after all")
    say(south, border, r4, 1, text="A little, and only for peace")
    concession = ConcessionFactory(
        party=north,
        issue=border,
        round=r3,
        text="Would settle for most of the land",
        softens=Demand.objects.get(party=north, issue=border, round=r1),
        in_return_for=Demand.objects.get(party=south, issue=border, round=r2),
        conditions="If south recognises the new line",
    )
    assert north_r3.stance.value == 3
    return Talks(negotiation, north, south, mediator, border, prisoners, r1, r2, r3, r4, concession)


def _user(username: str, *, group: str | None = None, superuser: bool = False) -> User:
    user = User.objects.create_user(
        username,
        f"{username}@parley.example",
        "correct horse battery staple",
        is_staff=True,
        is_superuser=superuser,
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def analyst(db) -> User:
    """Staff member in the Analyst group (created by a data migration)."""
    return _user("alice", group="Analyst")


@pytest.fixture
def editor(db) -> User:
    """Staff member in the Editor group: may change everything in the data."""
    return _user("erin", group="Editor")


@pytest.fixture
def reader(db) -> User:
    """Signed-in user with no permissions at all."""
    return User.objects.create_user("rita", "rita@parley.example", "correct horse battery staple")


DATASET = "russia-ukraine-2025"


@pytest.fixture
def dataset(db) -> Negotiation:
    """The shipped Russia–Ukraine 2025–26 dataset, loaded through the same loader users run
    (once; later tests get the same rows back: tests/dataset_copy.py)."""
    from tests.dataset_copy import shipped_dataset

    return shipped_dataset(DATASET)


# (name, table, event, condition, message): rules only the database knows, for the paths that
# turn a database refusal into a message. "Outsider words" is refused as if by a known rule.
DATABASE_RULES = [
    ("banned_outlet", "negotiations_source", "INSERT", "NEW.outlet = 'Banned Gazette'", ""),
    ("forbidden_words", "positions_demand", "INSERT", "NEW.text = 'Forbidden words'", ""),
    (
        "outsider_words",
        "positions_demand",
        "INSERT",
        "NEW.text = 'Outsider words'",
        " [party_participates]",
    ),
    ("kept_party", "negotiations_party", "DELETE", "OLD.slug = 'keep-me'", ""),
]


@pytest.fixture
def database_rule(db):
    """Install triggers that refuse what validation lets through (see DATABASE_RULES)."""
    with connection.cursor() as cursor:
        for name, table, event, condition, code in DATABASE_RULES:
            message = f"Refused{code}: this is banned"
            row = "OLD" if event == "DELETE" else "NEW"
            if connection.vendor == "sqlite":
                cursor.execute(
                    f"CREATE TRIGGER test_{name} BEFORE {event} ON {table} FOR EACH ROW "
                    f"WHEN {condition} BEGIN SELECT RAISE(ABORT, '{message}'); END"
                )
            else:
                cursor.execute(
                    f"CREATE FUNCTION test_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                    f"BEGIN IF {condition} THEN RAISE EXCEPTION USING ERRCODE = "
                    f"'check_violation', MESSAGE = '{message}'; END IF; RETURN {row}; END $$"
                )
                cursor.execute(
                    f"CREATE TRIGGER test_{name} BEFORE {event} ON {table} "
                    f"FOR EACH ROW EXECUTE FUNCTION test_{name}()"
                )


@dataclass
class TalkPlans:
    first: object
    second: object
    points: dict


@pytest.fixture
def talk_plans(talks) -> TalkPlans:
    """Two plans of `talks`: north's first draft (points 1, 2, 3) and south's answer to it
    (points 1, 2, 4), with a crosswalk: 1 reworded, 2 softened, 3 dropped, 4 new."""
    from positions.plan_models import PointLink
    from tests.factories import PlanFactory, PlanPointFactory

    first = PlanFactory(
        negotiation=talks.negotiation,
        slug="first-draft",
        title="First draft",
        tabled_by=talks.north,
        date=datetime.date(2025, 2, 1),
    )
    second = PlanFactory(
        negotiation=talks.negotiation,
        slug="second-draft",
        title="Second draft",
        tabled_by=talks.south,
        date=datetime.date(2025, 3, 1),
        previous=first,
    )
    points = {
        "a1": PlanPointFactory(
            plan=first,
            number="1",
            text="All of the border land goes north",
            issue=talks.border,
            stance=talks.stance(talks.border, 4),
        ),
        "a2": PlanPointFactory(
            plan=first, number="2", text="Prisoners are exchanged in part", issue=talks.prisoners
        ),
        "a3": PlanPointFactory(plan=first, number="3", text="A commission meets every year"),
        "b1": PlanPointFactory(
            plan=second,
            number="1",
            text="Most of the border land goes north",
            issue=talks.border,
            stance=talks.stance(talks.border, 3),
        ),
        "b2": PlanPointFactory(
            plan=second, number="2", text="All prisoners are exchanged", issue=talks.prisoners
        ),
        "b4": PlanPointFactory(plan=second, number="4", text="Elections follow within a year"),
    }
    for earlier, later, kind in [
        ("a1", "b1", "reworded"),
        ("a2", "b2", "softened"),
        ("a3", None, "dropped"),
        (None, "b4", "new"),
    ]:
        PointLink.objects.create(
            from_plan=first,
            to_plan=second,
            kind=kind,
            from_point=points.get(earlier),
            to_point=points.get(later),
        )
    return TalkPlans(first, second, points)
