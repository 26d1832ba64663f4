"""Round, party and source pages: what happened where, who said what, and on whose word."""

import datetime

import pytest

from tests.factories import ConcessionFactory, SourceFactory
from tests.pages.conftest import fetch, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def round3(talks):
    talks.r3.summary = "The sides met at the border."
    talks.r3.outcome = "North eased its claim."
    talks.r3.location = "Borderton"
    talks.r3.save()
    talks.r3.parties.set([talks.north, talks.south])
    talks.r3.sources.set(
        [SourceFactory(slug="r3-report", outlet="Wire", quote="They met", speaker="A diplomat")]
    )
    return talks.r3


def test_round_page_gives_date_place_participants_summary_and_outcome(client, round3):
    page = fetch(client, "/test-talks/rounds/r3/")
    assert page.h1.get_text() == "Round 3"
    assert text_of(page.select_one(".page-head .meta")) == "1 March 2025 · Borderton"
    assert text_of(page.select_one(".participants")) == "Taking part: Northland, Southland"
    assert "The sides met at the border." in text_of(page)
    assert "North eased its claim." in text_of(page)


def test_round_page_lists_demands_and_concessions_with_their_moves(client, round3):
    page = fetch(client, "/test-talks/rounds/r3/")
    blocks = page.select("section.party-block")
    assert [b.h3.a.get_text() for b in blocks] == ["Northland"]  # south said nothing here
    entries = blocks[0].select("ol.entries > li")
    assert [text_of(e.select_one(".entry-position")) for e in entries] == [
        "softened most (step 4 of 5 on the scale)",
        "concession offered",
        "retracted demand withdrawn",
    ]
    assert all(e.select_one("a.cite") for e in entries)


def test_round_page_lists_its_sources_with_quote_and_speaker(client, round3):
    page = fetch(client, "/test-talks/rounds/r3/")
    item = page.select_one("ul.source-list li")
    assert "Wire" in item.get_text() and "A diplomat" in item.get_text()
    assert item.blockquote.get_text(strip=True) == "“They met”"


def test_first_round_statements_are_new(client, talks):
    page = fetch(client, "/test-talks/rounds/r1/")
    badges = [b.get_text() for b in page.select("ol.entries .badge")]
    assert badges == ["new", "new"]


def test_round_page_links_its_neighbours_and_what_moved_since_the_last(client, talks):
    page = fetch(client, "/test-talks/rounds/r2/")
    assert page.select_one('a[rel="prev"]')["href"] == "/test-talks/rounds/r1/"
    assert page.select_one('a[rel="next"]')["href"] == "/test-talks/rounds/r3/"
    assert page.select_one('a[href="/test-talks/compare/r1/r2/?only=changes"]')


def test_unknown_round_is_a_404_listing_the_rounds(client, talks):
    page = fetch(client, "/test-talks/rounds/r9/", status=404)
    assert [a.get_text() for a in page.select("ul.option-list a")] == [
        "Round 1",
        "Round 2",
        "Round 3",
        "Round 4",
    ]


def test_party_page_tells_demands_and_concessions_over_time_by_issue(client, talks):
    page = fetch(client, "/parties/north/")
    assert page.h1.get_text(" ", strip=True) == "Northland (NO)"
    issues = page.select("section.issue-block")
    assert [s.h3.get_text() for s in issues] == ["Border line", "Prisoners"]
    border = issues[0]
    assert text_of(border.select_one(".now")).startswith("Now: all")
    heads = [text_of(e.select_one(".entry-head")) for e in border.select("ol.entries > li")]
    assert heads == [
        "At Round 1, 1 January 2025",
        "At Round 3, 1 March 2025",
        "At Round 3, 1 March 2025",
        "At Round 4, 1 April 2025",
    ]
    kinds = [b.get_text() for b in border.select("ol.entries .badge")]
    assert kinds == ["new", "softened", "concession", "hardened"]


def test_a_mediator_page_shows_its_statements_without_judging_moves(client, talks):
    ConcessionFactory(party=talks.mediator, issue=talks.border, round=talks.r2, text="Hosts talks")
    page = fetch(client, "/parties/mediator/")
    assert "Role: mediator" in text_of(page)
    assert [b.get_text() for b in page.select("ol.entries .badge")] == ["concession"]


def test_unknown_party_is_a_404_listing_the_parties(client, talks):
    page = fetch(client, "/parties/nobody/", status=404)
    assert "Northland" in [a.get_text() for a in page.select("ul.option-list a")]


def test_source_page_gives_outlet_date_speaker_quote_and_what_it_supports(client, talks):
    article = SourceFactory(slug="article", outlet="Gazette", title="The long talks")
    source = SourceFactory(
        slug="envoy-remark",
        outlet="Wire",
        title="Envoy speaks",
        speaker="An envoy",
        quote="Most of the land will do",
        published_on=datetime.date(2025, 3, 2),
        cited_in=article,
    )
    demand = talks.demand(talks.north, talks.border, talks.r3)
    demand.sources.add(source)
    talks.north_border_r3_concession.sources.add(source)
    page = fetch(client, "/sources/envoy-remark/")
    assert page.h1.get_text() == "Envoy speaks"
    facts = {text_of(row.dt): text_of(row.dd) for row in page.select_one("dl.facts").select("div")}
    assert facts["Outlet"] == "Wire"
    assert facts["Published"] == "2 March 2025"
    assert facts["Speaker"] == "An envoy"
    assert facts["Known through"] == "Gazette: The long talks, 1 March 2025"
    assert page.select_one("figure.quote blockquote").get_text(strip=True) == (
        "“Most of the land will do”"
    )
    supports = text_of(page.select_one("section[aria-labelledby=supports-heading]"))
    assert "Northland on Border line at Round 3: most" in supports
    assert "Would settle for most of the land" in supports
    link = page.select_one(f'a[href="/test-talks/issues/border/#statement-{demand.pk}"]')
    assert link is not None
    cited = fetch(client, "/sources/article/")
    assert "Envoy speaks" in text_of(cited.select_one("section[aria-labelledby=citations-heading]"))


def test_unknown_source_is_a_404_pointing_home(client, db):
    page = fetch(client, "/sources/nothing/", status=404)
    assert page.select_one('main a[href="/"]')


def test_round_page_neighbours_follow_the_round_order_on_a_shared_day(client, talks):
    """Rounds on the same day are ordered by sequence, as Round.objects.previous has it."""
    from negotiations.models import Round
    from tests.factories import RoundFactory

    later_that_day = RoundFactory(
        negotiation=talks.negotiation,
        slug="r2b",
        title="Round 2, evening",
        start_date=talks.r2.start_date,
        sequence=talks.r2.sequence + 1,
    )
    assert Round.objects.previous(later_that_day) == talks.r2
    page = fetch(client, "/test-talks/rounds/r2b/")
    assert page.select_one('a[rel="prev"]')["href"] == "/test-talks/rounds/r2/"
    assert page.select_one('a[rel="next"]')["href"] == "/test-talks/rounds/r3/"
    assert page.select_one('a[href="/test-talks/compare/r2/r2b/?only=changes"]')
    first = fetch(client, "/test-talks/rounds/r1/")
    assert first.select_one('a[rel="prev"]') is None
    last = fetch(client, "/test-talks/rounds/r4/")
    assert last.select_one('a[rel="next"]') is None


def test_round_page_names_and_links_the_demands_a_concession_answers(client, round3, talks):
    page = fetch(client, "/test-talks/rounds/r3/")

    answers = [text_of(p) for p in page.select("p.answers")]
    assert answers == [
        "Softens Northland’s demand on Border line at Round 1: “All of the border land”",
        "Conditional on Southland’s demand on Border line at Round 2: "
        f"“{talks.demand(talks.south, talks.border, talks.r2).text}”",
    ]
    softened = talks.demand(talks.north, talks.border, talks.r1)
    link = page.select("p.answers a")[0]["href"]
    assert link == f"/test-talks/rounds/r1/#demand-{softened.pk}"
    target = fetch(client, "/test-talks/rounds/r1/")
    assert target.select_one(f"#demand-{softened.pk}") is not None
