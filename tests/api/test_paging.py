"""Long lists come in keyset pages that never skip or repeat a record; short lists come whole."""

import datetime

import pytest
from django.test import override_settings

from positions.models import Demand
from tests.api.conftest import csv_rows
from tests.factories import (
    ConcessionFactory,
    DemandFactory,
    IssueFactory,
    PartyFactory,
    RoundFactory,
)

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


def shared_day_demands(talks, rounds: int = 6) -> list:
    """Six rounds on one day (as six dataset rounds share 1 August 2025), four demands each."""
    day = []
    for sequence in range(1, rounds + 1):
        round = RoundFactory(
            negotiation=talks.negotiation,
            slug=f"aug-{sequence}",
            start_date=datetime.date(2025, 2, 1),
            sequence=sequence,
        )
        day.append(round)
        for party in (talks.north, talks.south):
            for issue in (talks.border, talks.prisoners):
                DemandFactory(party=party, issue=issue, round=round)
    return day


@pytest.mark.parametrize("ordering", ["date", "-date"])
def test_a_walk_meets_every_lasting_record_once_while_records_come_and_go(api, talks, ordering):
    """Between pages, demands are added before and after the cursor on the shared day, a seen
    demand sharing the cursor's day is deleted and an unseen one too. Every demand that exists
    throughout the walk is met exactly once, and none is met twice."""
    day = shared_day_demands(talks)
    at_start = set(Demand.objects.values_list("pk", flat=True))
    deleted: set[int] = set()
    seen: list[int] = []
    extra_sequence = len(day)
    response = api.get("/api/v1/demands/", {"page_size": 4, "ordering": ordering})
    while True:
        assert response.status_code == 200, response.content
        payload = response.json()
        page = payload["results"]
        seen += [record["id"] for record in page]
        if not payload["next"]:
            break
        # A demand that was already seen and shares the cursor's date goes away…
        cursor_date = page[-1]["round"]["date"]
        gone = Demand.objects.filter(
            pk__in=set(seen) - deleted, round__start_date=cursor_date, round__in=day
        ).first()
        if gone is not None:
            deleted.add(gone.pk)
            gone.delete()
        # …so does one not yet seen…
        unseen = Demand.objects.filter(round__in=day).exclude(pk__in=seen).order_by("?").first()
        if unseen is not None:
            deleted.add(unseen.pk)
            unseen.delete()
        # …and new ones arrive on the shared day, at rounds before and after the cursor.
        extra_sequence += 1
        later = RoundFactory(
            negotiation=talks.negotiation,
            slug=f"aug-{extra_sequence}",
            start_date=datetime.date(2025, 2, 1),
            sequence=extra_sequence,
        )
        DemandFactory(party=talks.north, issue=talks.border, round=later)
        earlier_issue = IssueFactory(negotiation=talks.negotiation, slug=f"new-{extra_sequence}")
        for party in (talks.north, talks.south):
            DemandFactory(party=party, issue=earlier_issue, round=day[0])
        response = api.get(payload["next"])
    assert len(seen) == len(set(seen)), "a record was met twice"
    lasting = at_start - deleted
    assert lasting <= set(seen), f"skipped: {sorted(lasting - set(seen))}"
    assert deleted, "the walk deleted nothing; it tests nothing"


def test_a_walk_over_the_dataset_meets_each_demand_once(api, dataset):
    """The shipped dataset: six rounds share 1 August 2025."""
    ids, _ = all_pages(api, "/api/v1/demands/", {"page_size": 4})
    assert ids == list(
        Demand.objects.order_by("round__start_date", "round__sequence", "id").values_list(
            "pk", flat=True
        )
    )


def test_previous_links_walk_back_over_the_same_pages(api, talks):
    shared_day_demands(talks, rounds=3)
    forward, response = [], api.get("/api/v1/demands/", {"page_size": 5})
    while True:
        forward.append([record["id"] for record in response.json()["results"]])
        if not response.json()["next"]:
            break
        response = api.get(response.json()["next"])
    backward = []
    while True:
        payload = response.json()
        backward.append([record["id"] for record in payload["results"]])
        if not payload["previous"]:
            break
        response = api.get(payload["previous"])
    assert backward[::-1] == forward


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "eyJrIjpbXX0=", "eyJrIjpbIjIwMjUtMDEtMDEiLDEsMV0sIm8iOiJkYXRlIiwiYiI6MX0="],
)
def test_a_forged_cursor_is_a_400(api, talks, cursor):
    response = api.get("/api/v1/demands/", {"cursor": cursor})
    assert response.status_code == 400
    assert "cursor" in response.json()


def test_a_cursor_from_the_other_ordering_is_a_400(api, talks):
    next_link = api.get("/api/v1/demands/", {"page_size": 2}).json()["next"]
    response = api.get(next_link.replace("ordering=date", "") + "&ordering=-date")
    assert response.status_code == 400
    assert "ordering" in response.json()["cursor"][0]
