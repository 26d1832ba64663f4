"""Integrity rules hold in validation (clear messages) and in the database (for any writer)."""

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError

from negotiations.models import Participant, Round
from negotiations.refusals import RULES, as_validation_error, messages_by_field, rule_code
from positions.models import Concession, Demand
from tests.factories import IssueFactory, NegotiationFactory, PartyFactory, RoundFactory

pytestmark = pytest.mark.django_db


def refused_by_database(action, rule: str):
    """Run `action` and check the database refused it by `rule` (a rule code or a constraint
    name), not by some other rule that happens to fire first."""
    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        action()
    assert rule_code(refusal.value) == rule, str(refusal.value)


def refused_by_validation(record, rule: str, field: str | None):
    """Check `record.full_clean()` refuses it by `rule`, on `field` (None: the whole record)."""
    with pytest.raises(ValidationError) as refusal:
        record.full_clean()
    assert rule_code(refusal.value) == rule
    assert list(messages_by_field(refusal.value)) == [field or NON_FIELD_ERRORS]


def test_one_demand_per_party_issue_and_round(talks):
    duplicate = Demand(party=talks.north, issue=talks.border, round=talks.r1, text="again")
    with pytest.raises(ValidationError, match="already has a demand on this issue"):
        duplicate.full_clean()
    refused_by_database(duplicate.save, "positions_demand_one_per_round")


def test_stance_must_be_on_the_demands_issue(talks):
    demand = Demand(
        party=talks.south,
        issue=talks.prisoners,
        round=talks.r3,
        text="x",
        stance=talks.stance(talks.border, 2),
    )
    with pytest.raises(ValidationError) as error:
        demand.full_clean()
    assert "another issue's scale" in str(error.value.message_dict["stance"])
    refused_by_database(demand.save, "stance_of_issue")


def test_round_cannot_end_before_it_starts(talks):
    round = Round(
        negotiation=talks.negotiation,
        slug="backwards",
        title="Backwards",
        kind="talks",
        start_date=datetime.date(2025, 6, 10),
        end_date=datetime.date(2025, 6, 1),
        sequence=0,
    )
    with pytest.raises(ValidationError, match="cannot end before it starts"):
        round.full_clean()
    refused_by_database(round.save, "negotiations_round_ends_after_start")


def test_two_rounds_on_one_day_need_distinct_sequences(talks):
    clash = Round(
        negotiation=talks.negotiation,
        slug="same-day",
        title="Same day",
        kind="call",
        start_date=talks.r1.start_date,
    )
    with pytest.raises(ValidationError, match="different sequence"):
        clash.full_clean()
    clash.sequence = 1
    clash.full_clean()


def test_date_cannot_claim_more_than_its_precision(talks):
    round = RoundFactory.build(
        negotiation=talks.negotiation,
        start_date=datetime.date(2025, 5, 14),
        date_precision="season",
        date_part="late",
    )
    with pytest.raises(ValidationError, match="first day of a month"):
        round.full_clean()


def test_early_mid_late_only_for_months_and_seasons(talks):
    round = RoundFactory.build(
        negotiation=talks.negotiation,
        start_date=datetime.date(2025, 1, 1),
        date_precision="year",
        date_part="late",
    )
    with pytest.raises(ValidationError, match="only to a month or a season"):
        round.full_clean()
    refused_by_database(round.save, "negotiations_round_part_of_month_or_season")


def test_party_must_take_part_in_the_negotiation(talks):
    outsider = PartyFactory(slug="outsider")
    demand = Demand(party=outsider, issue=talks.border, round=talks.r2, text="let me in")
    refused_by_validation(demand, "party_participates", "party")
    refused_by_database(demand.save, "party_participates")
    concession = Concession(party=outsider, issue=talks.border, round=talks.r2, text="gift")
    refused_by_validation(concession, "party_participates", "party")
    refused_by_database(concession.save, "party_participates")


def test_issue_and_round_must_share_a_negotiation(talks):
    elsewhere = IssueFactory(negotiation=NegotiationFactory(slug="elsewhere"))
    demand = Demand(party=talks.north, issue=elsewhere, round=talks.r2, text="x")
    refused_by_validation(demand, "issue_in_negotiation", "issue")
    refused_by_database(demand.save, "issue_in_negotiation")


def test_retraction_has_no_stance(talks):
    demand = talks.demand(talks.south, talks.border, talks.r4)
    demand.status = Demand.Status.RETRACTED
    with pytest.raises(ValidationError, match="leave its stance empty"):
        demand.full_clean()
    refused_by_database(demand.save, "positions_demand_retraction_has_no_stance")


def test_concession_softens_only_its_own_partys_demand(talks):
    concession = Concession(
        party=talks.south,
        issue=talks.border,
        round=talks.r4,
        text="x",
        softens=talks.demand(talks.north, talks.border, talks.r1),
    )
    refused_by_validation(concession, "softens_own_demand", "softens")
    refused_by_database(concession.save, "softens_own_demand")


@pytest.mark.parametrize("target", ["north", "r1", "border"])
def test_deleting_what_statements_depend_on_is_refused(talks, target):
    with pytest.raises(ProtectedError):
        getattr(talks, target).delete()
    assert Demand.objects.filter(round__negotiation=talks.negotiation).count() == 8


def test_removing_a_participant_with_statements_is_refused(talks):
    participant = Participant.objects.get(negotiation=talks.negotiation, party=talks.north)
    refused_by_database(participant.delete, "participant_has_statements")
    # A participant with nothing said can go.
    Participant.objects.get(negotiation=talks.negotiation, party=talks.mediator).delete()


def test_stance_in_use_cannot_be_deleted(talks):
    with pytest.raises(ProtectedError):
        talks.stance(talks.border, 4).delete()


def test_round_with_statements_cannot_move_to_another_negotiation(talks):
    talks.r1.negotiation = NegotiationFactory(slug="other-talks")
    refused_by_validation(talks.r1, "round_keeps_negotiation", "negotiation")
    refused_by_database(talks.r1.save, "round_keeps_negotiation")


def test_stance_in_use_cannot_move_to_another_issue(talks):
    stance = talks.stance(talks.border, 4)
    stance.issue = talks.prisoners
    stance.value = 9
    refused_by_validation(stance, "stance_keeps_issue", "issue")
    refused_by_database(stance.save, "stance_keeps_issue")


def test_softened_demand_keeps_its_party_and_issue(talks):
    softened = talks.demand(talks.north, talks.border, talks.r1)
    softened.issue = talks.prisoners
    softened.stance = None
    refused_by_validation(softened, "cited_demand_keeps_issue", "issue")
    refused_by_database(softened.save, "cited_demand_keeps_issue")


def test_participant_with_statements_cannot_be_swapped_for_another_party(talks):
    participant = Participant.objects.get(negotiation=talks.negotiation, party=talks.north)
    participant.party = PartyFactory(slug="newcomer")
    refused_by_validation(participant, "participant_has_statements", None)
    refused_by_database(participant.save, "participant_has_statements")


def test_database_refusals_name_the_rule(talks):
    demand = Demand(
        party=talks.south,
        issue=talks.prisoners,
        round=talks.r3,
        text="x",
        stance=talks.stance(talks.border, 2),
    )
    with (
        pytest.raises(IntegrityError, match="stance belongs to the scale of another issue"),
        transaction.atomic(),
    ):
        demand.save()


@pytest.mark.parametrize("slug", ["admin", "api", "parties", "sources"])
def test_negotiation_cannot_take_a_site_path_as_its_slug(slug):
    with pytest.raises(ValidationError, match="taken by a site page"):
        NegotiationFactory.build(slug=slug).full_clean()


# --- citations: a concession's `softens` and `in_return_for` ---------------------------------


@pytest.mark.parametrize(
    "link, party, round, rule",
    [
        ("softens", "north", "r4", "softens_stated_before"),
        ("in_return_for", "north", "r1", "in_return_for_other_party"),
        ("in_return_for", "south", "r4", "in_return_for_stated_before"),
    ],
)
def test_concession_cites_only_fitting_demands(talks, link, party, round, rule):
    # North's concession at r3: a later demand, or north's own as the condition, is refused.
    concession = talks.north_border_r3_concession
    cited = talks.demand(getattr(talks, party), talks.border, getattr(talks, round))
    setattr(concession, link, cited)
    refused_by_validation(concession, rule, link)
    refused_by_database(concession.save, rule)


def test_demand_a_concession_is_conditional_on_keeps_its_party(talks):
    # The bug: only `softens` was guarded, so the condition could become north's own demand.
    condition = talks.demand(talks.south, talks.border, talks.r2)
    condition.party = talks.north
    refused_by_validation(condition, "cited_demand_keeps_party", "party")
    refused_by_database(condition.save, "cited_demand_keeps_party")


def test_demand_a_concession_is_conditional_on_keeps_its_issue(talks):
    condition = talks.demand(talks.south, talks.border, talks.r2)
    condition.issue, condition.stance = talks.prisoners, None
    refused_by_validation(condition, "cited_demand_keeps_issue", "issue")
    refused_by_database(condition.save, "cited_demand_keeps_issue")


@pytest.mark.parametrize("cited", ["softened", "condition"])
def test_cited_demand_cannot_move_after_the_concession(talks, cited):
    # The bug: nothing kept a cited demand at or before the round of the concession citing it.
    party = talks.north if cited == "softened" else talks.south
    round = talks.r1 if cited == "softened" else talks.r2
    demand = talks.demand(party, talks.border, round)
    demand.round = RoundFactory(negotiation=talks.negotiation, start_date=datetime.date(2025, 5, 1))
    refused_by_validation(demand, "cited_demand_not_after_concession", "round")
    refused_by_database(demand.save, "cited_demand_not_after_concession")


def test_cited_demand_may_move_to_another_round_before_the_concession(talks):
    condition = talks.demand(talks.south, talks.border, talks.r2)
    condition.round = RoundFactory(
        negotiation=talks.negotiation, start_date=datetime.date(2025, 2, 15)
    )
    condition.full_clean()
    condition.save()


@pytest.mark.parametrize(
    "round, start", [("r2", datetime.date(2025, 3, 15)), ("r3", datetime.date(2025, 1, 15))]
)
def test_round_cannot_take_a_date_that_puts_a_cited_demand_after_its_concession(
    talks, round, start
):
    # The concession at r3 answers south's demand at r2: r2 cannot move after r3, nor r3 before.
    moved = getattr(talks, round)
    moved.start_date = start
    refused_by_validation(moved, "round_keeps_citation_order", "start_date")
    refused_by_database(moved.save, "round_keeps_citation_order")


def test_round_may_take_a_date_that_keeps_the_order_of_citations(talks):
    talks.r2.start_date = datetime.date(2025, 2, 20)
    talks.r2.full_clean()
    talks.r2.save()


def test_every_trigger_names_a_rule_with_a_field_and_words():
    from importlib import import_module

    triggers = import_module("positions.migrations.0003_citation_triggers")
    codes = {triggers.CODES.get(name, name) for name, *_ in triggers.RULES}
    assert codes <= set(RULES), codes - set(RULES)


def test_a_unique_violation_is_not_taken_for_a_trigger(talks):
    duplicate = Demand(party=talks.north, issue=talks.border, round=talks.r1, text="again")
    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        duplicate.save()
    assert rule_code(refusal.value) == "positions_demand_one_per_round"
    assert messages_by_field(as_validation_error(refusal.value)) == {
        NON_FIELD_ERRORS: [
            "This party already has a demand on this issue at this round; edit that one."
        ]
    }
