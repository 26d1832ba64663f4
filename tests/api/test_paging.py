"""Long lists come in cursor pages that never skip or repeat a record; short lists come whole."""

import datetime

import pytest
from django.test import override_settings

from positions.models import Demand
from tests.api.conftest import csv_rows
from tests.factories import ConcessionFactory, DemandFactory, PartyFactory, RoundFactory

pytestmark = pytest.mark.django_db


def all_pages(api, url, params) -> tuple[list[int], int]:
    ids, pages = [], 0
    response = api.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        payload = response.json()
        ids += [record["id"] for record in payload["results"]]
        pages += 1
        if not payload["next"]:
            return ids, pages
        response = api.get(payload["next"])


@pytest.mark.parametrize("ordering", ["date", "-date"])
def test_cursor_pages_cover_every_demand_once_even_when_dates_tie(api, talks, ordering):
    for sequence in range(1, 8):  # seven rounds on one day: 28 demands sharing a date
        round = RoundFactory(
            negotiation=talks.negotiation, start_date=datetime.date(2025, 2, 1), sequence=sequence
        )
        for party in (talks.north, talks.south):
            for issue in (talks.border, talks.prisoners):
                DemandFactory(party=party, issue=issue, round=round)
    ids, pages = all_pages(api, "/api/v1/demands/", {"page_size": 5, "ordering": ordering})
    assert sorted(ids) == sorted(Demand.objects.values_list("pk", flat=True))
    assert len(ids) == len(set(ids))
    assert pages == -(-len(ids) // 5)


def test_previous_link_leads_back_to_the_same_page(api, talks):
    first = api.get("/api/v1/demands/", {"page_size": 3}).json()
    second = api.get(first["next"]).json()
    back = api.get(second["previous"]).json()
    assert [d["id"] for d in back["results"]] == [d["id"] for d in first["results"]]


def test_page_size_above_the_limit_is_a_400(api, talks):
    response = api.get("/api/v1/demands/", {"page_size": 5000})
    assert response.status_code == 400
    assert "1000" in response.json()["page_size"][0]


def test_short_lists_come_whole_in_the_same_envelope(api, talks):
    PartyFactory.create_batch(120)
    payload = api.get("/api/v1/parties/").json()
    assert payload["next"] is None and payload["previous"] is None
    assert len(payload["results"]) == 123


def test_short_lists_take_no_paging_parameters(api, talks):
    response = api.get("/api/v1/parties/", {"page_size": 10})
    assert response.status_code == 400
    assert "page_size" in response.json()


@override_settings(API_ANON_RATE="3/minute")
def test_anonymous_reading_is_throttled_at_the_configured_rate(api, talks):
    for _ in range(3):
        assert api.get("/api/v1/parties/").status_code == 200
    response = api.get("/api/v1/parties/")
    assert response.status_code == 429
    assert "throttled" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0


@override_settings(API_ANON_RATE="3/minute")
def test_signed_in_users_are_not_throttled_as_anonymous(api, talks, reader):
    api.force_authenticate(reader)
    for _ in range(5):
        assert api.get("/api/v1/parties/").status_code == 200


def rounds_sharing_a_day(talks) -> list:
    """Add three rounds on one day, created out of their sequence, each with a demand and a
    concession; return them in round order. Ids alone would order them 3, 1, 2."""
    created = {}
    for sequence in (3, 1, 2):
        round = RoundFactory(
            negotiation=talks.negotiation,
            slug=f"day-{sequence}",
            start_date=datetime.date(2025, 2, 15),
            sequence=sequence,
        )
        DemandFactory(party=talks.north, issue=talks.border, round=round)
        ConcessionFactory(party=talks.north, issue=talks.border, round=round)
        created[sequence] = round
    return [created[sequence] for sequence in sorted(created)]


def round_slug(record: dict) -> str:
    return record["slug"] if "slug" in record else record["round"]["slug"]


@pytest.mark.parametrize("records", ["rounds", "demands", "concessions"])
@pytest.mark.parametrize("ordering", ["date", "-date"])
def test_records_sharing_a_date_follow_the_round_sequence_across_pages(
    api, talks, records, ordering
):
    day = [round.slug for round in rounds_sharing_a_day(talks)]
    url = f"/api/v1/negotiations/test-talks/{records}/"
    params = {"page_size": 1, "ordering": ordering, "after": "2025-02-15", "before": "2025-02-15"}
    slugs, response = [], api.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        slugs += [round_slug(record) for record in response.json()["results"]]
        if not response.json()["next"]:
            break
        response = api.get(response.json()["next"])
    assert slugs == (day if ordering == "date" else day[::-1])


@pytest.mark.parametrize("records", ["rounds", "demands", "concessions"])
@pytest.mark.parametrize("ordering", ["date", "-date"])
def test_csv_lists_records_sharing_a_date_in_round_sequence(api, talks, records, ordering):
    day = [round.slug for round in rounds_sharing_a_day(talks)]
    params = {"format": "csv", "ordering": ordering, "after": "2025-02-15", "before": "2025-02-15"}
    rows = csv_rows(api.get(f"/api/v1/negotiations/test-talks/{records}/", params))
    column = "slug" if records == "rounds" else "round_slug"
    assert [row[column] for row in rows] == (day if ordering == "date" else day[::-1])


def test_dataset_lists_keep_the_rounds_own_order(api, dataset):
    """Several dataset rounds share 1 January and 1 August 2025; the lists follow `sequence`."""
    expected = list(dataset.rounds.chronological().values_list("slug", flat=True))
    rounds = api.get("/api/v1/negotiations/russia-ukraine-2025/rounds/", {"page_size": 7}).json()
    slugs = []
    while True:
        slugs += [r["slug"] for r in rounds["results"]]
        if not rounds["next"]:
            break
        rounds = api.get(rounds["next"]).json()
    assert slugs == expected
    assert slugs.index("eve-of-alaska") < slugs.index("alaska-summit")
    assert slugs.index("alaska-summit") < slugs.index("after-anchorage")
    position = {slug: index for index, slug in enumerate(expected)}
    for records in ("demands", "concessions"):
        rows = csv_rows(
            api.get(f"/api/v1/negotiations/russia-ukraine-2025/{records}/", {"format": "csv"})
        )
        order = [position[row["round_slug"]] for row in rows]
        assert order == sorted(order), records
