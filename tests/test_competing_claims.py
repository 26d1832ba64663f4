"""Competing claims: a source that says otherwise than a demand or concession, kept beside it.

Validated in the model (clean) and by database constraints; shown on the pages where the
statement appears and in the API.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from positions.models import CompetingClaim
from tests.factories import SourceFactory


@pytest.fixture
def denial(db):
    return SourceFactory(
        slug="denial",
        outlet="Southern Herald",
        title="North denies the report",
        url="https://example.org/denial",
        quote="We never asked for all of it.",
    )


def test_a_claim_on_a_demand_is_valid_and_shown_beside_it_on_the_round_page(client, talks, denial):
    demand = talks.demand(talks.north, talks.border, talks.r1)
    claim = CompetingClaim(
        demand=demand, source=denial, claim="North denies asking for all of it.", status="disputed"
    )
    claim.full_clean()
    claim.save()

    html = client.get(
        reverse("round-detail", args=[talks.negotiation.slug, talks.r1.slug])
    ).content.decode()

    assert "Sources disagree:" in html
    assert "North denies asking for all of it." in html
    assert reverse("source-detail", args=["denial"]) in html
    assert "disputed" in html


def test_a_claim_must_answer_exactly_one_statement(talks, denial):
    demand = talks.demand(talks.north, talks.border, talks.r1)

    with pytest.raises(ValidationError, match="one demand or one concession"):
        CompetingClaim(source=denial, claim="Nothing to answer.").full_clean()
    with pytest.raises(ValidationError, match="one demand or one concession"):
        CompetingClaim(
            demand=demand,
            concession=talks.north_border_r3_concession,
            source=denial,
            claim="Two at once.",
        ).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        CompetingClaim.objects.create(source=denial, claim="Behind the form's back.")


def test_a_claim_needs_a_source_the_statement_does_not_already_rest_on(talks):
    demand = talks.demand(talks.north, talks.border, talks.r1)
    own = demand.sources.first()

    with pytest.raises(ValidationError) as error:
        CompetingClaim(demand=demand, source=own, claim="Says the same.").full_clean()

    assert "source" in error.value.message_dict


def test_one_claim_per_source_and_statement(talks, denial):
    demand = talks.demand(talks.north, talks.border, talks.r1)
    CompetingClaim.objects.create(demand=demand, source=denial, claim="First.")

    with pytest.raises(ValidationError, match="already has a claim"):
        CompetingClaim(demand=demand, source=denial, claim="Again.").full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        CompetingClaim.objects.create(demand=demand, source=denial, claim="Again.")


def test_the_api_lists_a_statements_competing_claims(client, talks, denial):
    demand = talks.demand(talks.north, talks.border, talks.r1)
    CompetingClaim.objects.create(
        demand=demand, source=denial, claim="North denies it.", status="disputed"
    )
    concession = talks.north_border_r3_concession
    CompetingClaim.objects.create(concession=concession, source=denial, claim="Never offered.")

    base = f"/api/v1/negotiations/{talks.negotiation.slug}"
    demand_json = client.get(f"{base}/demands/{demand.pk}/").json()
    concession_json = client.get(f"{base}/concessions/{concession.pk}/").json()

    assert demand_json["competing_claims"] == [
        {"claim": "North denies it.", "status": "disputed", "source": "denial"}
    ]
    assert concession_json["competing_claims"] == [
        {"claim": "Never offered.", "status": "reported", "source": "denial"}
    ]
