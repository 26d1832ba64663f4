"""The computed API views read a negotiation's frame (rounds, participants, issues) from the
cache while nothing has changed; an edit shows in the very next answer, and a request reading
a release never gets the live frame (docs/performance.md, "Computed views' queries")."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from negotiations.releases import cut_release
from tests.api.conftest import body

pytestmark = pytest.mark.django_db

PANEL = "/api/v1/negotiations/test-talks/panel/"
POSITIONS = "/api/v1/negotiations/test-talks/positions/"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture(autouse=True)
def own_known_on_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("PARLEY_KNOWN_ON_DIR", str(tmp_path))


def round_titles(api, url=PANEL) -> set[str]:
    response = api.get(url)
    assert response.status_code == 200, body(response)[:300]
    return {row["round_title"] for row in response.json()["results"]}


def queries_for(api, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert api.get(url).status_code == 200
    return len(queries)


def test_a_repeat_request_reads_the_frame_from_the_cache(api, talks):
    cold = queries_for(api, PANEL)
    assert queries_for(api, PANEL) == cold - 4  # rounds, participants, issues, stances


def test_an_edited_round_title_shows_in_the_next_answer(api, talks):
    assert "Round 1" in round_titles(api)  # the frame is cached now
    talks.r1.title = "Opening round"
    talks.r1.save()
    titles = round_titles(api)
    assert "Opening round" in titles and "Round 1" not in titles


def test_a_changed_role_shows_in_the_next_answer(api, talks):
    def roles():
        rows = api.get(PANEL).json()["results"]
        return {row["party_role"] for row in rows if row["party_slug"] == "mediator"}

    assert roles() == {"mediator"}
    participant = talks.negotiation.participants.get(party=talks.mediator)
    participant.role = "observer"
    participant.save()  # participants have no updated_at: their history moves the last change
    assert roles() == {"observer"}


def test_a_release_is_not_answered_from_the_live_cache(api, talks):
    cut_release(talks.negotiation, tag="2026.02")
    talks.r1.title = "Opening round"
    talks.r1.save()
    assert "Opening round" in round_titles(api)  # the live frame is cached now
    pinned = round_titles(api, PANEL + "?release=2026.02")
    assert "Round 1" in pinned and "Opening round" not in pinned
    # Reading the release left the live answer as it was.
    assert "Opening round" in round_titles(api)
