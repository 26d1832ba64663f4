"""The number of queries per request does not grow with the data."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import body
from tests.factories import (
    ConcessionFactory,
    DemandFactory,
    IssueFactory,
    ParticipantFactory,
    PartyFactory,
    RoundFactory,
)

pytestmark = pytest.mark.django_db

TALKS = "/api/v1/negotiations/test-talks"
ENDPOINTS = [
    "/api/v1/negotiations/",
    f"{TALKS}/",
    "/api/v1/parties/",
    "/api/v1/sources/",
    "/api/v1/rounds/",
    f"{TALKS}/rounds/",
    "/api/v1/issues/",
    "/api/v1/demands/",
    f"{TALKS}/demands/",
    "/api/v1/concessions/",
    "/api/v1/demands/?format=csv",
    "/api/v1/concessions/?format=csv",
    "/api/v1/rounds/?format=csv",
    f"{TALKS}/positions/",
    f"{TALKS}/changes/?from=r1",
    f"{TALKS}/gaps/",
    f"{TALKS}/panel/",
    f"{TALKS}/panel/?format=csv",
    f"{TALKS}/cite/",
]


def grow(talks, *, rounds: int, month: int) -> None:
    """Add a principal, an issue and `rounds` rounds with demands and concessions."""
    newcomer = PartyFactory()
    ParticipantFactory(negotiation=talks.negotiation, party=newcomer, order=4)
    water = IssueFactory(negotiation=talks.negotiation, order=3)
    parties = [talks.north, talks.south, newcomer]
    for n in range(rounds):
        round = RoundFactory(
            negotiation=talks.negotiation, start_date=datetime.date(2025, month, 1), sequence=n
        )
        round.parties.set(parties)
        stated = {
            (party, issue): DemandFactory(
                party=party, issue=issue, round=round, stance=issue.stances.get(value=n % 5)
            )
            for party in parties
            for issue in (talks.border, water)
        }
        for party, counterpart in zip(parties, parties[1:] + parties[:1], strict=True):
            ConcessionFactory(
                party=party,
                issue=water,
                round=round,
                softens=stated[(party, water)],
                in_return_for=stated[(counterpart, water)],
            )


def queries_for(api, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
        assert response.status_code == 200, body(response)[:300]
        body(response)  # a CSV list streams: its queries run while it is read
    return len(queries)


@pytest.mark.parametrize("url", ENDPOINTS)
def test_queries_stay_constant_as_rows_grow(api, talks, url, django_assert_num_queries):
    grow(talks, rounds=2, month=5)
    small = queries_for(api, url)
    grow(talks, rounds=12, month=6)
    with django_assert_num_queries(small):
        response = api.get(url)
        body(response)
