"""Start the next round from the positions as they stand: nothing is copied, nothing is lost."""

import datetime

import pytest

from negotiations.models import Round
from positions.models import Demand
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db


def next_url(round) -> str:
    return f"/admin/negotiations/round/{round.pk}/next/"


def next_round(**overrides) -> dict:
    data = {
        "title": "Round 5",
        "slug": "r5",
        "kind": Round.Kind.CALL,
        "location": "",
        "start_date": "2025-05-01",
        "date_precision": "day",
        "date_part": "",
        "end_date": "",
        "sources": [SourceFactory().pk],
    }
    return {**data, **overrides}


def test_round_page_offers_to_start_the_next_round(talks, analyst_client):
    page = analyst_client.get(f"/admin/negotiations/round/{talks.r4.pk}/change/")

    assert f'href="{next_url(talks.r4)}"'.encode() in page.content
    form = analyst_client.get(next_url(talks.r4))
    assert form.status_code == 200
    assert "Start the round after “Round 4”" in form.content.decode()


def test_next_round_lands_on_its_page_with_positions_as_they_stand(talks, analyst_client):
    demands_before = Demand.objects.count()

    response = analyst_client.post(next_url(talks.r4), next_round())

    round = Round.objects.get(negotiation=talks.negotiation, slug="r5")
    assert response["Location"] == f"/admin/negotiations/round/{round.pk}/change/"
    assert Demand.objects.count() == demands_before  # standing demands are not copied
    assert round.sources.count() == 1
    page = analyst_client.get(response["Location"]).content.decode()
    standing = page[page.index("Where things stood") : page.index('id="demands-group"')]
    assert "As of “Round 4”" in standing
    assert "All of it after all" in standing
    assert "A little, and only for peace" in standing
    assert "enter only what changed" in page


def test_next_round_cannot_start_before_the_previous_one(talks, analyst_client):
    response = analyst_client.post(next_url(talks.r4), next_round(start_date="2025-03-15"))

    assert response.status_code == 200
    assert "The next round cannot start before “Round 4” (1 April 2025)." in str(
        response.context["adminform"].form.errors
    )
    assert not Round.objects.filter(slug="r5").exists()


def test_next_round_on_the_same_day_sorts_after_the_previous_one(talks, analyst_client):
    analyst_client.post(next_url(talks.r4), next_round(start_date="2025-04-01"))

    round = Round.objects.get(slug="r5")
    assert round.start_date == datetime.date(2025, 4, 1)
    assert list(Round.objects.filter(negotiation=talks.negotiation).chronological())[-2:] == [
        talks.r4,
        round,
    ]


def test_next_round_with_a_slug_already_taken_is_refused(talks, analyst_client):
    response = analyst_client.post(next_url(talks.r4), next_round(slug="r2"))

    assert response.status_code == 200
    assert "A round of this negotiation already has this slug." in str(
        response.context["adminform"].form.errors
    )


def test_next_round_keeps_its_precision_rules(talks, analyst_client):
    data = next_round(start_date="2025-05-01", date_precision="season", date_part="late")

    response = analyst_client.post(next_url(talks.r4), data)

    round = Round.objects.get(slug="r5")
    assert response.status_code == 302
    assert round.date_display == "late spring 2025"
    refused = analyst_client.post(
        next_url(round),
        next_round(slug="r6", start_date="2025-06-25", date_precision="month", date_part="early"),
    )
    assert refused.context["adminform"].form.errors["start_date"] == [
        "An early-month date is stored as day 1."
    ]


def test_user_without_add_permission_cannot_start_a_round(talks, client, django_user_model):
    viewer = django_user_model.objects.create_user("vic", is_staff=True)
    client.force_login(viewer)

    assert client.get(next_url(talks.r4)).status_code == 403


def test_unknown_round_is_a_404(talks, analyst_client):
    assert analyst_client.get("/admin/negotiations/round/999999/next/").status_code == 404


def test_next_round_starts_with_the_previous_rounds_parties(talks, analyst_client):
    talks.r4.parties.set([talks.north, talks.south])

    form = analyst_client.get(next_url(talks.r4)).context["adminform"].form
    data = next_round()
    data["parties"] = [talks.north.pk]  # editable: only the north this time
    analyst_client.post(next_url(talks.r4), data)

    assert set(form.initial["parties"]) == {talks.north.pk, talks.south.pk}
    assert list(Round.objects.get(slug="r5").parties.all()) == [talks.north]


def test_next_round_date_in_words(talks, analyst_client):
    data = {**next_round(), "date_words": "late spring 2025", "start_date": ""}

    response = analyst_client.post(next_url(talks.r4), data)

    assert response.status_code == 302
    assert Round.objects.get(slug="r5").date_display == "late spring 2025"
