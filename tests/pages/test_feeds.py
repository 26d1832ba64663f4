"""Atom feeds of new rounds and position changes for a negotiation, a party and an issue."""

import xml.etree.ElementTree as ET

import pytest

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def atom(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{required}") is not None
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "Parley"
    for entry in feed.findall(f"{ATOM}entry"):
        for required in ("id", "title", "updated", "link"):
            assert entry.find(f"{ATOM}{required}") is not None, required
    return feed


def titles(feed: ET.Element) -> list[str]:
    return [e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry")]


def test_negotiation_feed_has_rounds_and_moves(client, talks):
    feed = atom(client, "/test-talks/feed/")
    entries = titles(feed)
    assert "New round: Round 3 (1 March 2025)" in entries
    assert "Northland softened on Border line — Round 3" in entries
    assert "Northland withdrew its demand on Prisoners — Round 3" in entries
    assert "Northland offered a concession on Border line — Round 3" in entries
    assert len(entries) == 4 + 8 + 1  # rounds, demands, concession


def test_feed_entries_link_to_the_statement_on_its_issue_page(client, talks):
    feed = atom(client, "/test-talks/feed/")
    demand = talks.demand(talks.north, talks.border, talks.r3)
    links = [e.find(f"{ATOM}link").get("href") for e in feed.findall(f"{ATOM}entry")]
    assert f"http://testserver/test-talks/issues/border/#statement-{demand.pk}" in links
    summary = next(
        e.find(f"{ATOM}summary").text
        for e in feed.findall(f"{ATOM}entry")
        if e.find(f"{ATOM}title").text == "Northland softened on Border line — Round 3"
    )
    assert "Most of the border land" in summary and "Daily Wire Service" in summary


@pytest.mark.parametrize("url", ["/test-talks/feed/", "/parties/north/feed/"])
def test_an_entry_s_id_is_its_link_and_stays_so(client, talks, url):
    """Feed readers know an entry by its id: it must not change from one version to the next."""
    for entry in atom(client, url).findall(f"{ATOM}entry"):
        assert entry.find(f"{ATOM}id").text == entry.find(f"{ATOM}link").get("href")


def test_issue_feed_has_only_that_issue(client, talks):
    entries = titles(atom(client, "/test-talks/issues/prisoners/feed/"))
    assert entries == [
        "Northland withdrew its demand on Prisoners — Round 3",
        "Northland stated a position on Prisoners — Round 2",
    ]


def test_party_feed_has_its_rounds_and_moves(client, talks):
    talks.r2.parties.add(talks.south)
    entries = titles(atom(client, "/parties/south/feed/"))
    assert "New round: Round 2 (1 February 2025)" in entries
    assert "Southland softened on Border line — Round 2" in entries
    assert not any("Northland" in t for t in entries)


def test_feed_of_unknown_things_is_a_404(client, talks):
    assert client.get("/nothing/feed/").status_code == 404
    assert client.get("/test-talks/issues/nothing/feed/").status_code == 404
    assert client.get("/parties/nobody/feed/").status_code == 404
