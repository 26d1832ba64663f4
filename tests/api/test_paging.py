"""Long lists come in cursor pages that never skip or repeat a record; short lists come whole."""

import datetime

import pytest
from django.test import override_settings

from positions.models import Demand
from tests.factories import DemandFactory, PartyFactory, RoundFactory

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
