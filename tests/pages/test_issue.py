"""The issue page: the negotiation dance as an SVG chart, the same data as a table, statements."""

import pytest

from tests.factories import DemandFactory, SourceFactory
from tests.pages.conftest import fetch, text_of

pytestmark = pytest.mark.django_db


def test_chart_is_an_image_with_a_text_alternative(client, talks):
    page = fetch(client, "/test-talks/issues/border/")
    svg = page.select_one("figure.chart svg")
    assert svg["role"] == "img"
    title, desc = svg.select_one("title"), svg.select_one("desc")
    assert svg["aria-labelledby"] == f"{title['id']} {desc['id']}"
    assert title.get_text() == "Border line: each party's stance, round by round"
    assert "Northland: from all (Round 1) to all (Round 4)." in desc.get_text()
    assert "Southland: from none (Round 1) to little (Round 4)." in desc.get_text()


def test_chart_has_a_line_per_principal_in_its_colour_and_a_marker_per_statement(client, talks):
    page = fetch(client, "/test-talks/issues/border/")
    lines = page.select("svg .party-line")
    assert [g.select_one("path.line")["stroke"] for g in lines] == ["#1f77b4", "#d62728"]
    # North spoke at rounds 1, 3 and 4; south at 1, 2 and 4.
    assert [len(g.select("path.marker")) for g in lines] == [3, 3]
    assert "Northland, Round 3 (1 March 2025): most" in lines[0].get_text()
    legend = [li.get_text(strip=True) for li in page.select("figcaption ul.legend li")]
    assert legend == ["Northland", "Southland"]


def test_chart_labels_the_scale_and_the_rounds(client, talks):
    page = fetch(client, "/test-talks/issues/border/")
    svg = page.select_one("figure.chart svg")
    assert [t.get_text() for t in svg.select("text.rung")] == [
        "none",
        "little",
        "half",
        "most",
        "all",
    ]
    rounds = [t.contents[-1].strip() for t in svg.select("g.rounds text")]
    assert rounds == ["Round 1", "Round 2", "Round 3", "Round 4"]


def test_a_withdrawn_demand_breaks_the_line(client, talks):
    page = fetch(client, "/test-talks/issues/prisoners/")
    north = page.select("svg .party-line")[0]
    # Stated at round 2, withdrawn at round 3: one segment that stops at round 3.
    assert north.select_one("path.line")["d"].count("M") == 1
    assert len(north.select("path.marker")) == 1


def test_table_gives_the_chart_data_with_headers_and_the_gap(client, talks):
    page = fetch(client, "/test-talks/issues/border/")
    table = page.select_one("table.tracks")
    assert table.caption
    assert [th["scope"] for th in table.select("thead th")] == ["col"] * 4
    rows = [
        [text_of(c).replace(" (stated at this round)", "") for c in tr.select("th, td")]
        for tr in table.select("tbody tr")
    ]
    assert [r[1:] for r in rows] == [
        ["all", "none", "4"],
        ["all", "little", "3"],
        ["most", "little", "2"],
        ["all", "little", "3"],
    ]
    # Bold marks a statement made at that round; a standing one is plain.
    second = table.select("tbody tr")[1].select("td")
    assert "standing" in second[0]["class"] and "stated" in second[1]["class"]


def test_every_statement_is_listed_with_its_move_and_source(client, talks):
    DemandFactory(
        party=talks.mediator,
        issue=talks.border,
        round=talks.r2,
        text="Offers to draw a line",
        sources=[SourceFactory(outlet="Wire", quote="We offer a line", speaker="An envoy")],
    )
    page = fetch(client, "/test-talks/issues/border/")
    entries = page.select("ol.entries > li")
    assert len(entries) == 8  # 6 demands by principals, 1 by the mediator, 1 concession
    heads = [text_of(e.select_one(".entry-head")) for e in entries]
    assert heads[:3] == [
        "Northland at Round 1, 1 January 2025",
        "Southland at Round 1, 1 January 2025",
        "Southland at Round 2, 1 February 2025",
    ]
    mediator = next(e for e in entries if "Offers to draw a line" in e.get_text())
    assert mediator.select_one(".badge") is None  # moves are judged for principals only
    cite = mediator.select_one("a.cite")
    assert cite["title"] == "“We offer a line” — An envoy"
    softened = next(e for e in entries if "Most of the border land" in e.get_text())
    assert softened.select_one(".badge").get_text() == "softened"
    assert softened["id"].startswith("statement-")


def test_unknown_issue_is_a_404_listing_the_issues(client, talks):
    page = fetch(client, "/test-talks/issues/nothing/", status=404)
    assert "There is no issue “nothing” in Test talks" in page.h1.get_text()
    assert [a.get_text() for a in page.select("ul.option-list a")] == ["Border line", "Prisoners"]


def test_pages_take_the_placed_stance_from_the_demand(client, talks, monkeypatch):
    """Which stance counts is Demand.placed_stance's rule alone: pages do not restate it."""
    from positions.models import Demand

    monkeypatch.setattr(Demand, "placed_stance", property(lambda demand: None))
    page = fetch(client, "/test-talks/issues/border/")
    assert not page.select("svg .party-line path.marker")
    assert not page.select(".stance:not(.stance--unplaced):not(.stance--retracted)")
    cells = {
        td.get_text(" ", strip=True)
        for td in page.select("table.tracks tbody td.stated, table.tracks tbody td.standing")
    }
    assert cells <= {"not placed", "not placed (stated at this round)", "—"}
    feed = client.get("/test-talks/issues/border/feed/").content.decode()
    assert "Most of the border land" in feed and "most: Most" not in feed
