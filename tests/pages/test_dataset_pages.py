"""The shipped Russia–Ukraine dataset as readers see it: facts from the source article."""

import pytest

from tests.pages.conftest import fetch, text_of

pytestmark = pytest.mark.django_db

N = "/russia-ukraine-2025"


def row(page, issue_slug: str):
    return page.select_one(f"table.compare tr#issue-{issue_slug}")


def party_cell(page, issue_slug: str, party_name: str):
    cells = row(page, issue_slug).select("td")
    return next(c for c in cells if c.select_one(".cell-party").get_text(strip=True) == party_name)


def test_alaska_summit_shows_the_us_switch_to_negotiations_first(client, dataset):
    page = fetch(client, f"{N}/compare/eve-of-alaska/alaska-summit/")
    us = party_cell(page, "ceasefire-sequencing", "United States")
    stances = [s.get_text(" ", strip=True).split(" (step")[0] for s in us.select(".stance")]
    assert stances[0] == "Immediate general ceasefire as a condition for talks"
    assert stances[1].startswith("Negotiate the settlement first")
    assert us.select_one(".badge").get_text() != "unchanged"
    assert "toward RU" in text_of(us)
    assert "accepts Russia's position" in text_of(us.select_one(".concession"))
    assert us.select_one("a.cite")["href"].startswith("/sources/")


def test_moscow_conditions_list_russias_late_spring_demands(client, dataset):
    page = fetch(client, f"{N}/rounds/moscow-conditions/")
    assert "late spring 2025" in text_of(page.select_one(".page-head .meta"))
    russia = page.select_one("section.party-block")
    assert russia.h3.a.get_text() == "Russia"
    issues = {a["href"].split("/")[-2] for a in russia.select(".entry-head a")}
    assert {"nato-membership", "military-aid", "donbas-withdrawal", "elections", "language"} <= (
        issues
    )


def test_mid_march_call_russia_takes_an_energy_halt_but_no_general_ceasefire(client, dataset):
    page = fetch(client, f"{N}/rounds/energy-strike-moratorium-call/")
    assert "mid-March 2025" in text_of(page.select_one(".page-head .meta"))
    russia = next(b for b in page.select("section.party-block") if b.h3.a.get_text() == "Russia")
    said = text_of(russia)
    assert "30-day" in said
    assert "Rejects the White House's proposal for a general ceasefire" in said


def test_overview_has_the_four_principals_and_every_round(client, dataset):
    page = fetch(client, f"{N}/")
    headers = [th.get_text(strip=True) for th in page.select("table.matrix thead th")[1:]]
    assert headers == ["United States", "Russia", "Ukraine", "Europe"]
    timeline = [li.h3.a["href"].split("/")[-2] for li in page.select("ol.timeline > li")]
    assert timeline.index("energy-strike-moratorium-call") < timeline.index("moscow-conditions")
    assert timeline.index("alaska-summit") < timeline.index("twenty-eight-point-plan")
    assert timeline[-1] == "abu-dhabi-talks"


def test_ceasefire_sequencing_chart_draws_the_four_principals(client, dataset):
    page = fetch(client, f"{N}/issues/ceasefire-sequencing/")
    legend = [li.get_text(strip=True) for li in page.select("ul.legend li")]
    assert legend == ["United States", "Russia", "Ukraine", "Europe"]
    desc = page.select_one("svg desc").get_text()
    assert "United States: from Immediate general ceasefire as a condition for talks" in desc


def test_moved_only_comparison_downloads_the_rows_it_shows(client, dataset):
    """From Moscow's conditions to Alaska: the "only moved" CSV has the page's cells, no more."""
    import csv
    import io

    def exported(page) -> list[dict[str, str]]:
        response = client.get(page.select_one("section.page-tools a.csv")["href"])
        assert response.status_code == 200
        return list(csv.DictReader(io.StringIO(response.content.decode())))

    compare = f"{N}/compare/moscow-conditions/alaska-summit/"
    everything, moved = fetch(client, compare), fetch(client, f"{compare}?only=changes")
    all_rows, moved_rows = exported(everything), exported(moved)
    assert len(all_rows) == len(everything.select("table.compare tbody td.change"))
    assert len(moved_rows) == len(moved.select("table.compare tbody td.change"))
    assert len(moved_rows) < len(all_rows)
    shown = {tr["id"].removeprefix("issue-") for tr in moved.select("table.compare tbody tr")}
    assert {row["issue_slug"] for row in moved_rows} == shown
