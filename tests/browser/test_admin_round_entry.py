"""An analyst enters a round in a real Chromium: next round, a demand, a concession answering it.

The journey of issue 12: "Start the next round" (date in words, parties carried over), then on
the new round's page one demand and one concession that answers it, saved together once;
choices narrow to the row's party and issue as they are picked. The round page fits a 1366 px
window without scrolling sideways and stays usable at 1024 px (screenshots at both widths).
"""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.db import connection
from playwright.sync_api import expect

from negotiations.models import Round
from positions.models import Concession, Demand
from tests.browser.conftest import screenshot
from tests.factories import SourceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(serialized_rollback=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def analyst(transactional_db) -> User:
    """An analyst; the groups are made again, as a live-server test may follow a flush."""
    groups = importlib.import_module("negotiations.migrations.0002_groups")
    groups.create_groups(apps, SimpleNamespace(connection=connection))
    user = User.objects.create_user("alice", "alice@parley.example", PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Analyst"))
    return user


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def open_choices(page, select_id: str, term: str = "") -> list[str]:
    """Open the select2 of `select_id`, type `term`, and return the offered labels."""
    page.click(f"#{select_id} + .select2 .select2-selection")
    search = page.locator(".select2-container--open .select2-search__field")
    if term:
        search.fill(term)
    page.wait_for_selector(
        ".select2-container--open .select2-results__option:not(.loading-results)"
    )
    page.wait_for_timeout(400)  # the request is debounced; let the answer replace the list
    return [
        text.strip()
        for text in page.locator(
            ".select2-container--open .select2-results__option"
        ).all_inner_texts()
    ]


def choose(page, select_id: str, label_part: str, term: str = "") -> None:
    open_choices(page, select_id, term)
    page.locator(
        ".select2-container--open .select2-results__option", has_text=label_part
    ).first.click()


def fits(page, width: int) -> bool:
    page.set_viewport_size({"width": width, "height": 900})
    return page.evaluate("document.documentElement.scrollWidth") <= width


def test_analyst_enters_a_round_with_a_demand_and_a_concession_answering_it(
    page, live_server, talks, analyst
):
    SourceFactory(outlet="Wire", title="Talks at the border")
    talks.r4.parties.set([talks.north, talks.south])
    log_in(page, live_server, analyst.username)

    # Start the next round: the date in words is read back before saving.
    page.goto(f"{live_server.url}/admin/negotiations/round/{talks.r4.pk}/change/")
    page.click("text=Start the next round")
    page.fill("#id_title", "Round 5")
    page.fill("#id_date_words", "mid-May 2025")
    expect(page.locator(".date-words-result")).to_have_text(
        "Read as mid-May 2025: stored as 11 May 2025, precision month, mid."
    )
    expect(page.locator("#id_date_precision")).to_have_value("month")
    carried = page.locator("#id_parties option:checked").all_inner_texts()
    assert sorted(carried) == ["Northland", "Southland"]
    choose(page, "id_sources", "Talks at the border", term="Wire")
    page.click("input[name=_save]")
    page.wait_for_url("**/change/")
    round_ = Round.objects.get(negotiation=talks.negotiation, slug="round-5")
    assert round_.date_display == "mid-May 2025"

    # The page fits a laptop screen, and a smaller one stays usable.
    assert fits(page, 1366), page.evaluate("document.documentElement.scrollWidth")
    screenshot(page, "admin-round-entry-1366")
    text_box = page.locator("#id_demands-0-text").bounding_box()
    assert text_box["width"] >= 200  # the demand's words get the room
    assert fits(page, 1024), page.evaluate("document.documentElement.scrollWidth")
    screenshot(page, "admin-round-entry-1024")
    # Usable: the text box keeps room to type, the delete button is on screen.
    assert page.locator("#id_demands-0-text").bounding_box()["width"] >= 140
    delete = page.locator("#demands-0 td.delete")
    box = delete.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 1024
    page.set_viewport_size({"width": 1366, "height": 900})

    # A demand: once its issue is picked, only that issue's stances are offered.
    page.select_option("#id_demands-0-party", label="Southland")
    choose(page, "id_demands-0-issue", "Prisoners", term="Pris")
    stances = open_choices(page, "id_demands-0-stance")
    assert stances == [str(s) for s in talks.prisoners.stances.order_by("value")]
    page.locator(".select2-container--open .select2-results__option").first.click()
    page.fill("#id_demands-0-text", "Every prisoner home before any talks")
    choose(page, "id_demands-0-sources", "Talks at the border", term="Wire")

    # A concession answering it, in the same save.
    page.click("#concessions-group .add-row a")
    page.select_option("#id_concessions-0-party", label="Northland")
    choose(page, "id_concessions-0-issue", "Prisoners", term="Pris")
    page.fill("#id_concessions-0-text", "Would free the wounded first")
    answers = open_choices(page, "id_concessions-0-in_return_for")
    assert answers[0].startswith("New row: Southland · Prisoners: Every prisoner home")
    assert not any(label.startswith("NO ") for label in answers)  # never its own party's
    page.locator(".select2-container--open .select2-results__option").first.click()
    softens = open_choices(page, "id_concessions-0-softens")
    assert softens and all(label.startswith("Round ") for label in softens), softens
    page.keyboard.press("Escape")
    choose(page, "id_concessions-0-sources", "Talks at the border", term="Wire")
    page.click("input[name=_save]")
    page.wait_for_url("**/negotiations/round/")

    demand = Demand.objects.get(round=round_)
    concession = Concession.objects.get(round=round_)
    assert (demand.party, demand.issue) == (talks.south, talks.prisoners)
    assert concession.in_return_for == demand


def test_analyst_moves_through_a_crowded_rounds_rows_without_losing_an_edit(
    page, live_server, analyst
):
    from tests.admin.test_round_pages import crowded_round, in_page_order

    round_ = crowded_round(issues=15)  # 45 demand rows: pages of 20, 20 and 5
    order = in_page_order(round_)
    log_in(page, live_server, analyst.username)
    page.goto(f"{live_server.url}/admin/negotiations/round/{round_.pk}/change/")

    expect(page.locator(".row-pages").first).to_contain_text("Demands 1–20 of 45.")
    texts = "#demands-group textarea[name$='-text']:not([name*='__prefix__'])"
    assert page.locator(texts).count() == 21  # the page's rows, and a new row
    page.fill("#id_demands-0-text", "Edited on the first page")
    page.click(".row-pages button[data-rows='demands=3']")
    page.wait_for_url("**/change/?demands-page=3")

    assert Demand.objects.get(pk=order[0]).text == "Edited on the first page"
    expect(page.locator(".row-pages").first).to_contain_text("Demands 41–45 of 45.")
    assert page.locator("#id_demands-0-id").input_value() == str(order[40])

    # Enter in a field still means Save, not "show other rows".
    page.fill("#id_demands-0-text", "Edited on the last page")
    page.fill("#id_location", "Geneva")
    page.press("#id_location", "Enter")
    page.wait_for_url("**/negotiations/round/")
    assert Demand.objects.get(pk=order[40]).text == "Edited on the last page"
