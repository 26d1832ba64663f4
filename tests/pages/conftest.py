"""Helpers for the reader pages: fetch a page through the test client and parse it."""

import datetime

import pytest
from bs4 import BeautifulSoup

from tests.factories import DemandFactory, IssueFactory, RoundFactory, SourceFactory


def fetch(client, url: str, *, status: int = 200, **headers) -> BeautifulSoup:
    """Return the parsed page at `url`, failing with its body if the status is not `status`."""
    response = client.get(url, **headers)
    assert response.status_code == status, response.content.decode()[:2000]
    return BeautifulSoup(response.content, "html.parser")


def text_of(soup) -> str:
    """Return the page's visible words, whitespace collapsed, for plain "does it say" checks."""
    return " ".join(soup.get_text().split())


def grow(talks, *, rounds: int, issues: int) -> None:
    """Add rounds and issues to `talks`, every principal speaking on every issue at every round.

    Used to show that a page's query count does not depend on the amount of data.
    """
    new_issues = [
        IssueFactory(negotiation=talks.negotiation, slug=f"extra-issue-{n}", order=10 + n)
        for n in range(issues)
    ]
    for n in range(rounds):
        round = RoundFactory(
            negotiation=talks.negotiation,
            slug=f"extra-round-{n}",
            start_date=datetime.date(2025, 6, 1) + datetime.timedelta(days=n),
        )
        for issue in [talks.border, *new_issues]:
            for value, party in enumerate([talks.north, talks.south]):
                DemandFactory(
                    party=party,
                    issue=issue,
                    round=round,
                    stance=issue.stances.get(value=(value * 4 + n) % 5),
                    sources=[SourceFactory(), SourceFactory()],
                )


@pytest.fixture
def grown(talks):
    """The `talks` negotiation with six more rounds and three more issues."""
    grow(talks, rounds=6, issues=3)
    return talks
