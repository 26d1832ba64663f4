"""Release pages, the picker on the overview, and pinned pages whose links stay pinned."""

import pytest

from negotiations.releases import cut_release
from tests.pages.conftest import fetch, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def released(talks):
    first = cut_release(talks.negotiation, tag="2026.01", note="The first release.")
    talks.r4.title = "Round four, renamed"
    talks.r4.save()
    second = cut_release(talks.negotiation, tag="2026.02")
    return first, second


def test_the_overview_offers_each_release_at_a_stable_address(client, released):
    page = fetch(client, "/test-talks/")
    links = {a["href"] for a in page.select(".releases a")}
    assert "/test-talks/?release=2026.01" in links
    assert "/test-talks/releases/2026.02/" in links


def test_a_pinned_page_shows_the_release_and_keeps_it_in_its_links(client, released):
    page = fetch(client, "/test-talks/?release=2026.01")
    words = text_of(page)
    assert "Release 2026.01" in words
    assert "Round 4" in words and "Round four, renamed" not in words
    round_links = [a["href"] for a in page.select("a[href^='/test-talks/rounds/']")]
    assert round_links and all(href.endswith("?release=2026.01") for href in round_links)
    live = [a["href"] for a in page.select("a[data-live]")]
    assert live and all("release=" not in href for href in live)
    # Following a pinned link reads the same release.
    round_page = fetch(client, round_links[0])
    assert "Round four, renamed" not in text_of(round_page)


def test_the_release_page_gives_its_changelog_and_addresses(client, released):
    page = fetch(client, "/test-talks/releases/2026.02/")
    words = text_of(page)
    assert "Changes since release 2026.01" in words
    assert "Round 4" in words and "Round four, renamed" in words
    hrefs = {a["href"] for a in page.select("a")}
    assert "/api/v1/negotiations/test-talks/datapackage/?release=2026.02" in hrefs
    assert "/test-talks/?release=2026.02" in hrefs
    assert "/test-talks/releases/2026.01/diff/2026.02/" in hrefs


def test_the_first_release_lists_everything_and_the_diff_page_compares(client, released):
    words = text_of(fetch(client, "/test-talks/releases/2026.01/"))
    assert "Everything in this first release" in words
    diff = text_of(fetch(client, "/test-talks/releases/2026.01/diff/2026.02/"))
    assert "Round 4 → Round four, renamed" in diff


def test_the_list_page_and_unknown_releases(client, released):
    words = text_of(fetch(client, "/test-talks/releases/"))
    assert "2 releases, latest first" in words
    missing = fetch(client, "/test-talks/releases/1999.01/", status=404)
    assert "its releases are 2026.02, 2026.01" in text_of(missing)
    pinned_missing = fetch(client, "/test-talks/rounds/r1/?release=1999.01", status=404)
    assert {a["href"] for a in pinned_missing.select("main a, ul a")} >= {
        "/test-talks/releases/2026.01/"
    }


def test_comparing_two_rounds_within_a_release_stays_in_it(client, released):
    page = fetch(client, "/test-talks/?release=2026.01")
    form = page.select_one("form.compare-form")
    hidden = form.select_one("input[type=hidden][name=release]")
    assert hidden["value"] == "2026.01"
    response = client.get(form["action"], {"from": "r1", "to": "r4", "release": hidden["value"]})
    assert response.status_code == 302
    assert response["Location"].endswith("?release=2026.01")
    words = text_of(fetch(client, response["Location"]))
    assert "Round 4" in words and "Round four, renamed" not in words
