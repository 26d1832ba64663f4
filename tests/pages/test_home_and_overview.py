"""Home page and the negotiation overview: timeline, where things stand, convergence."""

import datetime

import pytest

from tests.factories import DemandFactory, NegotiationFactory, RoundFactory
from tests.pages.conftest import fetch, text_of

pytestmark = pytest.mark.django_db


def test_a_single_negotiation_is_the_home_page_lead(client, talks):
    page = fetch(client, "/")
    assert page.h1.get_text(strip=True) == "Test talks"
    assert page.h1.a["href"] == "/test-talks/"
    assert page.select_one('a[href="/test-talks/compare/r1/r4/?only=changes"]')


def test_several_negotiations_are_listed_newest_first(client, talks):
    NegotiationFactory(
        slug="later-talks", title="Later talks", started_on=datetime.date(2026, 1, 1)
    )
    page = fetch(client, "/")
    assert page.h1.get_text(strip=True) == "Negotiations"
    assert [h.get_text(strip=True) for h in page.select("article h2")] == [
        "Later talks",
        "Test talks",
    ]


def test_empty_site_says_nothing_is_recorded(client, db):
    assert "No negotiation has been recorded yet" in text_of(fetch(client, "/"))


def matrix_cell(page, issue: str, column: int):
    row = next(
        tr for tr in page.select("table.matrix tbody tr") if tr.th.get_text(" ").startswith(issue)
    )
    return text_of(row.select("td")[column])


def test_matrix_shows_each_standing_stance_and_the_round_it_dates_from(client, talks):
    page = fetch(client, "/test-talks/")
    assert "as of Round 4" in page.select_one("table.matrix caption").get_text()
    headers = [th.get_text(strip=True) for th in page.select("table.matrix thead th")]
    assert headers == ["Issue", "Northland", "Southland"]
    assert matrix_cell(page, "Border line", 0).startswith("all")
    assert "since Round 4" in matrix_cell(page, "Border line", 0)
    assert matrix_cell(page, "Border line", 1).startswith("little")
    assert "demand withdrawn" in matrix_cell(page, "Prisoners", 0)
    assert "since Round 3" in matrix_cell(page, "Prisoners", 0)
    assert "no stated position" in matrix_cell(page, "Prisoners", 1)


def test_matrix_cell_carries_its_place_on_the_scale_in_words_and_tint(client, talks):
    page = fetch(client, "/test-talks/")
    cell = page.select("table.matrix tbody tr")[0].select("td")[0]
    assert "step 5 of 5 on the scale" in cell.get_text()
    low = page.select("table.matrix tbody tr")[0].select("td")[1].select_one(".stance")
    assert cell.select_one(".stance")["class"] != low["class"]


def test_every_standing_position_links_its_source_with_outlet_and_date(client, talks):
    page = fetch(client, "/test-talks/")
    for cell in page.select("table.matrix td"):
        if "no stated position" in cell.get_text():
            continue
        cite = cell.select_one("a.cite")
        assert cite["href"].startswith("/sources/")
        assert "Daily Wire Service, 1 Mar 2025" in cite.get_text()


def test_timeline_gives_dates_as_precisely_as_they_are_known(client, talks):
    RoundFactory(
        negotiation=talks.negotiation,
        slug="late-spring",
        title="Late spring conditions",
        start_date=datetime.date(2025, 5, 1),
        date_precision="season",
        date_part="late",
    )
    page = fetch(client, "/test-talks/")
    items = page.select("ol.timeline > li")
    assert [li.h3.get_text(strip=True) for li in items] == [
        "Round 1",
        "Round 2",
        "Round 3",
        "Round 4",
        "Late spring conditions",
    ]
    assert items[0].select_one("time")["datetime"] == "2025-01-01"
    assert "late spring 2025" in items[-1].get_text()
    assert items[-1].select_one("time") is None  # a season has no honest machine date
    assert "approximate" in items[-1]["class"]


def test_convergence_says_how_each_gap_moved(client, talks):
    page = fetch(client, "/test-talks/")
    rows = {
        tr.th.get_text(strip=True): text_of(tr.select("td")[-1])
        for tr in page.select("table.convergence tbody tr")
    }
    assert rows["Border line"] == "narrowed from 4 steps to 3 steps of 4"
    assert rows["Prisoners"].startswith("not measurable yet")


def test_compare_form_offers_every_round_in_both_labelled_menus(client, talks):
    page = fetch(client, "/test-talks/")
    form = page.select_one("form.compare-form")
    assert form["action"] == "/test-talks/compare/"
    for name, selected in (("from", "r1"), ("to", "r4")):
        select = form.select_one(f'select[name="{name}"]')
        assert page.select_one(f'label[for="{select["id"]}"]')
        assert [o["value"] for o in select.select("option")] == ["r1", "r2", "r3", "r4"]
        assert select.select_one("option[selected]")["value"] == selected


def test_unknown_negotiation_is_a_404_listing_the_real_ones(client, talks):
    page = fetch(client, "/no-such-talks/", status=404)
    assert "There is no negotiation “no-such-talks”" in page.h1.get_text()
    assert page.select_one('ul.option-list a[href="/test-talks/"]')


def test_convergence_says_when_a_gap_was_last_measurable(client, talks):
    r5 = RoundFactory(
        negotiation=talks.negotiation, slug="r5", start_date=datetime.date(2025, 5, 1)
    )
    DemandFactory(
        party=talks.south, issue=talks.border, round=r5, text="Withdraws", status="retracted"
    )
    page = fetch(client, "/test-talks/")
    border = page.select("table.convergence tbody tr")[0]
    assert text_of(border.select("td")[-1]) == (
        "narrowed from 4 steps to 3 steps of 4 (last measurable at Round 4)"
    )


def test_convergence_measures_a_gap_against_the_distance_between_the_poles(client, talks):
    """Stance values need not be consecutive: "of N" is the scale's width, not its rungs - 1."""
    from negotiations.models import Stance
    from tests.factories import IssueFactory

    issue = IssueFactory(negotiation=talks.negotiation, slug="gaps", title="Gappy", order=3)
    issue.stances.all().delete()
    none, half, all_ = (
        Stance.objects.create(issue=issue, value=value, label=label)
        for value, label in ((0, "none"), (2, "half"), (4, "all"))
    )
    DemandFactory(party=talks.north, issue=issue, round=talks.r1, stance=all_)
    DemandFactory(party=talks.south, issue=issue, round=talks.r1, stance=none)
    DemandFactory(party=talks.north, issue=issue, round=talks.r4, stance=half)
    page = fetch(client, "/test-talks/")
    row = next(
        tr for tr in page.select("table.convergence tbody tr") if tr.th.get_text() == "Gappy"
    )
    assert text_of(row.select("td")[-1]) == "narrowed from 4 steps to 2 steps of 4"
