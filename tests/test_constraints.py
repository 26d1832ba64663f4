"""Integrity rules hold in validation (clear messages) and in the database (for any writer)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError

from negotiations.models import Participant, Round
from positions.models import Concession, Demand
from tests.factories import IssueFactory, NegotiationFactory, PartyFactory, RoundFactory

pytestmark = pytest.mark.django_db


def refused_by_database(action):
    with pytest.raises(IntegrityError), transaction.atomic():
        action()


def test_one_demand_per_party_issue_and_round(talks):
    duplicate = Demand(party=talks.north, issue=talks.border, round=talks.r1, text="again")
    with pytest.raises(ValidationError, match="already has a demand on this issue"):
        duplicate.full_clean()
    refused_by_database(duplicate.save)


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
    refused_by_database(demand.save)


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
    refused_by_database(round.save)


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
    refused_by_database(round.save)


def test_party_must_take_part_in_the_negotiation(talks):
    outsider = PartyFactory(slug="outsider")
    demand = Demand(party=outsider, issue=talks.border, round=talks.r2, text="let me in")
    with pytest.raises(ValidationError, match="does not take part"):
        demand.full_clean()
    refused_by_database(demand.save)
    concession = Concession(party=outsider, issue=talks.border, round=talks.r2, text="gift")
    refused_by_database(concession.save)


def test_issue_and_round_must_share_a_negotiation(talks):
    elsewhere = IssueFactory(negotiation=NegotiationFactory(slug="elsewhere"))
    demand = Demand(party=talks.north, issue=elsewhere, round=talks.r2, text="x")
    with pytest.raises(ValidationError, match="another negotiation"):
        demand.full_clean()
    refused_by_database(demand.save)


def test_retraction_has_no_stance(talks):
    demand = talks.demand(talks.south, talks.border, talks.r4)
    demand.status = Demand.Status.RETRACTED
    with pytest.raises(ValidationError, match="leave its stance empty"):
        demand.full_clean()
    refused_by_database(demand.save)


def test_concession_softens_only_its_own_partys_demand(talks):
    concession = Concession(
        party=talks.south,
        issue=talks.border,
        round=talks.r4,
        text="x",
        softens=talks.demand(talks.north, talks.border, talks.r1),
    )
    with pytest.raises(ValidationError, match="same party on the same issue"):
        concession.full_clean()
    refused_by_database(concession.save)


@pytest.mark.parametrize("target", ["north", "r1", "border"])
def test_deleting_what_statements_depend_on_is_refused(talks, target):
    with pytest.raises(ProtectedError):
        getattr(talks, target).delete()
    assert Demand.objects.filter(round__negotiation=talks.negotiation).count() == 8


def test_removing_a_participant_with_statements_is_refused(talks):
    participant = Participant.objects.get(negotiation=talks.negotiation, party=talks.north)
    refused_by_database(participant.delete)
    # A participant with nothing said can go.
    Participant.objects.get(negotiation=talks.negotiation, party=talks.mediator).delete()


def test_stance_in_use_cannot_be_deleted(talks):
    with pytest.raises(ProtectedError):
        talks.stance(talks.border, 4).delete()


def test_round_with_statements_cannot_move_to_another_negotiation(talks):
    talks.r1.negotiation = NegotiationFactory(slug="other-talks")
    refused_by_database(talks.r1.save)


def test_stance_in_use_cannot_move_to_another_issue(talks):
    stance = talks.stance(talks.border, 4)
    stance.issue = talks.prisoners
    stance.value = 9
    refused_by_database(stance.save)


def test_softened_demand_keeps_its_party_and_issue(talks):
    softened = talks.demand(talks.north, talks.border, talks.r1)
    softened.issue = talks.prisoners
    softened.stance = None
    refused_by_database(softened.save)


def test_participant_with_statements_cannot_be_swapped_for_another_party(talks):
    participant = Participant.objects.get(negotiation=talks.negotiation, party=talks.north)
    participant.party = PartyFactory(slug="newcomer")
    refused_by_database(participant.save)


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


def test_concession_cannot_soften_a_demand_stated_later(talks):
    concession = talks.north_border_r3_concession
    concession.softens = talks.demand(talks.north, talks.border, talks.r4)
    with pytest.raises(ValidationError, match="stated after this concession's round"):
        concession.full_clean()
