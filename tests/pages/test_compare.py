"""Compare two rounds: the permalink, the menus, and what each cell tells the reader."""

import pytest

from tests.pages.conftest import fetch, text_of

pytestmark = pytest.mark.django_db


def cell(page, issue: str, party: int):
    row = next(tr for tr in page.select("table.compare tbody tr") if tr.th.get_text() == issue)
    return row.select("td")[party]


def test_menus_redirect_to_the_permalink(client, talks):
    response = client.get("/test-talks/compare/", {"from": "r2", "to": "r3"})
    assert response.status_code == 302
    assert response["Location"] == "/test-talks/compare/r2/r3/"


def test_menus_keep_the_changes_only_choice(client, talks):
    response = client.get("/test-talks/compare/", {"from": "r2", "to": "r3", "only": "changes"})
    assert response["Location"] == "/test-talks/compare/r2/r3/?only=changes"


def test_rounds_chosen_in_the_wrong_order_are_put_in_time_order_and_the_page_says_so(client, talks):
    response = client.get("/test-talks/compare/", {"from": "r3", "to": "r1"})
    assert response["Location"] == "/test-talks/compare/r1/r3/?swapped=1"
    response = client.get("/test-talks/compare/r3/r1/")
    assert response.status_code == 302
    assert response["Location"] == "/test-talks/compare/r1/r3/?swapped=1"
    page = fetch(client, response["Location"])
    assert "You named the later round first" in page.select_one(".notice").get_text()
    assert page.select_one("link[rel=canonical]")["href"].endswith("/test-talks/compare/r1/r3/")


def test_unknown_round_slug_is_a_404_listing_the_valid_rounds(client, talks):
    page = fetch(client, "/test-talks/compare/r1/r9/", status=404)
    assert "There is no round “r9” in this negotiation" in text_of(page)
    listed = [a.get_text() for a in page.select("ol.round-list li > a:first-child")]
    assert listed == ["Round 1", "Round 2", "Round 3", "Round 4"]


def test_the_same_round_twice_is_a_400_that_explains(client, talks):
    page = fetch(client, "/test-talks/compare/r2/r2/", status=400)
    assert "pick two different rounds" in text_of(page)
    page = fetch(client, "/test-talks/compare/?from=r2&to=r2", status=400)
    assert "pick two different rounds" in text_of(page)


def test_menus_with_an_unknown_or_missing_round_are_a_400_with_the_menus_again(client, talks):
    page = fetch(client, "/test-talks/compare/?from=r1&to=zz", status=400)
    assert "There is no round “zz”" in text_of(page)
    assert page.select_one('select[name="to"][aria-invalid="true"]')
    page = fetch(client, "/test-talks/compare/?from=r1", status=400)
    assert "Pick a round in this menu." in text_of(page)


def test_compare_without_a_choice_shows_the_menus(client, talks):
    page = fetch(client, "/test-talks/compare/")
    assert page.select_one("form.compare-form select[name=from]")


def test_a_cell_shows_before_after_kind_wording_concession_and_sources(client, talks):
    page = fetch(client, "/test-talks/compare/r2/r3/")
    north = cell(page, "Border line", 0)
    assert north.select_one(".badge").get_text() == "softened"
    assert "toward SO" in north.get_text()
    stances = [s.get_text(" ", strip=True).split(" (")[0] for s in north.select(".stance")]
    assert stances == ["all", "most"]
    wording = north.select_one(".wording")
    assert [d.get_text() for d in wording.select("del")] == ["removed: All"]
    assert [i.get_text() for i in wording.select("ins")] == ["added: Most"]
    concession = north.select_one(".concession")
    assert "Would settle for most of the land" in concession.get_text()
    assert "If south recognises the new line" in concession.get_text()
    assert concession.select_one("a.cite")["href"].startswith("/sources/")
    assert north.select_one(".said-at a.cite")["href"].startswith("/sources/")


def test_a_party_that_did_not_move_is_shown_unchanged_with_the_round_it_dates_from(client, talks):
    page = fetch(client, "/test-talks/compare/r2/r3/")
    south = cell(page, "Border line", 1)
    assert south.select_one(".badge").get_text() == "unchanged"
    assert "Since Round 2" in text_of(south)


def test_changes_only_hides_issues_where_nothing_moved(client, talks):
    everything = fetch(client, "/test-talks/compare/r3/r4/")
    assert [tr.th.get_text() for tr in everything.select("table.compare tbody tr")] == [
        "Border line",
        "Prisoners",
    ]
    moved = fetch(client, "/test-talks/compare/r3/r4/?only=changes")
    assert [tr.th.get_text() for tr in moved.select("table.compare tbody tr")] == ["Border line"]
    assert moved.select_one('.toggle a[aria-current="page"]').get_text() == (
        "Only issues where something moved"
    )


def test_summary_counts_the_moves_in_words(client, talks):
    page = fetch(client, "/test-talks/compare/r3/r4/")
    assert page.select_one(".summary").get_text(strip=True) == (
        "2 changes on 1 of 2 issues: 1 hardened, 1 restated."
    )


def test_the_form_on_the_page_shows_the_rounds_being_compared(client, talks):
    page = fetch(client, "/test-talks/compare/r2/r4/?only=changes")
    assert page.select_one("select[name=from] option[selected]")["value"] == "r2"
    assert page.select_one("select[name=to] option[selected]")["value"] == "r4"
    assert page.select_one("input[name=only]").has_attr("checked")


def test_a_comparison_the_service_refuses_is_a_400_giving_its_reason(client, talks, monkeypatch):
    """Whatever compare_rounds refuses (ValueError) is shown as a 400 with its own words."""
    from positions import views

    def refuse(**kwargs):
        raise ValueError("Pick two different rounds to compare.")

    monkeypatch.setattr(views, "compare_rounds", refuse)
    page = fetch(client, "/test-talks/compare/r1/r2/", status=400)
    assert page.h1.get_text(strip=True) == "These rounds cannot be compared"
    assert "Pick two different rounds to compare." in text_of(page)
    assert page.select_one("form.compare-form select[name=from]")
