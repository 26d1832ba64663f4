"""The number of queries per request does not grow with the data."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from negotiations.models import Participant
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


API_QUERY_BUDGET = 5  # docs/performance.md
# The computed views load the negotiation's frame in four queries when it is not cached
# (docs/performance.md, "Computed views' queries").
FRAME_QUERIES = 4
COMPUTED_ENDPOINTS = [
    f"{TALKS}/positions/",
    f"{TALKS}/positions/?as_of=r2",
    f"{TALKS}/changes/?from=r1",
    f"{TALKS}/changes/",
    f"{TALKS}/gaps/",
    f"{TALKS}/gaps/?party=north&party=mediator",
    f"{TALKS}/panel/",
    f"{TALKS}/panel/?party=north&round=r2",
    f"{TALKS}/panel/?format=csv",
]
RECORD_ENDPOINTS = [url for url in ENDPOINTS if not url.startswith(f"{TALKS}/")] + [
    f"{TALKS}/",
    f"{TALKS}/rounds/",
    f"{TALKS}/demands/",
    f"{TALKS}/demands/?format=csv",
    f"{TALKS}/cite/",
]


@pytest.mark.parametrize("url", RECORD_ENDPOINTS)
def test_each_request_stays_within_the_query_budget(api, talks, url):
    grow(talks, rounds=3, month=5)
    assert queries_for(api, url) <= API_QUERY_BUDGET


@pytest.mark.parametrize("url", COMPUTED_ENDPOINTS)
def test_computed_views_stay_within_the_budget_once_their_frame_is_cached(api, talks, url):
    for rounds, month in ((3, 5), (12, 6)):
        grow(talks, rounds=rounds, month=month)  # a change: the cached frame is read no more
        assert queries_for(api, url) <= API_QUERY_BUDGET + FRAME_QUERIES
        assert queries_for(api, url) <= API_QUERY_BUDGET


CORPUS_ENDPOINTS = [
    "/api/v1/demands/?negotiation={slug}&party={party}",
    "/api/v1/demands/?negotiation={slug}&party={party}&format=csv",
    "/api/v1/negotiations/{slug}/demands/?format=csv",
    "/api/v1/negotiations/{slug}/panel/?format=csv",
    "/api/v1/negotiations/{slug}/changes/?format=csv",
]


def corpus_url(template: str, slug: str) -> str:
    party = Participant.objects.filter(negotiation__slug=slug).first().party.slug
    return template.format(slug=slug, party=party)


@pytest.mark.parametrize("url", CORPUS_ENDPOINTS)
def test_queries_stay_flat_on_the_bench_corpus_at_two_sizes(api, url):
    """The bench's synthetic corpus: a negotiation ten times larger costs the same queries."""
    size = ["--issues", "4", "--principals", "3", "--concessions", "0.2", "--no-progress"]
    call_command(
        "generate_corpus", "--negotiations", "1", "--rounds", "3", *size, stdout=StringIO()
    )
    # Generated next, with ten times the rounds: synthetic-001.
    call_command(
        "generate_corpus", "--negotiations", "2", "--rounds", "30", *size, stdout=StringIO()
    )
    small = queries_for(api, corpus_url(url, "synthetic-000"))
    assert queries_for(api, corpus_url(url, "synthetic-000")) <= API_QUERY_BUDGET
    assert queries_for(api, corpus_url(url, "synthetic-001")) == small
