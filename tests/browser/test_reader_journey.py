"""A reader's journey in a real browser: pick two rounds, see what moved, follow a source."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(serialized_rollback=True)]

N = "/russia-ukraine-2025"


def test_reader_compares_two_rounds_and_follows_a_source(page, live_server, dataset):
    page.goto(f"{live_server.url}{N}/")
    page.get_by_label("From round").select_option("energy-strike-moratorium-call")
    page.get_by_label("To round").select_option("alaska-summit")
    page.get_by_role("button", name="Compare").click()
    expect(page).to_have_url(
        f"{live_server.url}{N}/compare/energy-strike-moratorium-call/alaska-summit/"
    )
    expect(page.locator("h1")).to_contain_text("What moved from")

    # At the Alaska summit the US gave up an immediate ceasefire as a condition for talks.
    us = page.locator("tr#issue-ceasefire-sequencing td").nth(0)
    expect(us.locator(".badge").first).not_to_have_text("unchanged")
    expect(us.locator(".before-after")).to_contain_text("Negotiate the settlement first")
    expect(us.locator(".concession")).to_contain_text("Drops support for an immediate ceasefire")

    # Moscow's late-spring conditions and its Istanbul memorandum are new Russian demands in
    # between; each cell names the round the standing demand was said at.
    for issue, said_at in [
        ("military-aid", "Moscow"),
        ("donbas-withdrawal", "Moscow"),
        ("nato-membership", "Istanbul"),
        ("elections", "Istanbul"),
        ("language", "Istanbul"),
    ]:
        russia = page.locator(f"tr#issue-{issue} td").nth(1)
        expect(russia.locator(".badge")).to_have_text("new")
        expect(russia.locator(".said-at")).to_contain_text(said_at)

    # On whose word: the source link leads to the outlet, date and quote.
    us.locator('.said-at a.cite[href*="/sources/fakti-2026-01-24"]').first.click()
    expect(page).to_have_url(re.compile(r"/sources/[\w-]+/$"))
    expect(page.locator("dl.facts")).to_contain_text("FAKTI.BG")
    expect(page.locator("dl.facts")).to_contain_text("24 January 2026")
    expect(page.locator("figure.quote blockquote")).not_to_be_empty()


def test_changes_only_toggle_hides_still_rows(page, live_server, dataset):
    page.goto(f"{live_server.url}{N}/compare/eve-of-alaska/alaska-summit/")
    everything = page.locator("table.compare tbody tr").count()
    page.get_by_role("link", name="Only issues where something moved").click()
    expect(page).to_have_url(re.compile(r"\?only=changes$"))
    assert 0 < page.locator("table.compare tbody tr").count() < everything


def test_pages_read_and_the_form_works_without_javascript(browser, live_server, dataset):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}{N}/")
    # One row per issue of the shipped dataset, however many it holds.
    expect(page.locator("table.matrix tbody tr")).to_have_count(dataset.issues.count())
    page.get_by_label("From round").select_option("eve-of-alaska")
    page.get_by_label("To round").select_option("alaska-summit")
    page.get_by_role("button", name="Compare").click()
    expect(page).to_have_url(re.compile(r"/compare/eve-of-alaska/alaska-summit/$"))
    expect(page.locator("button.copy")).to_be_hidden()  # the one enhancement stays out of the way
    context.close()


def test_keyboard_users_start_at_a_visible_skip_link(page, live_server, dataset):
    page.goto(f"{live_server.url}{N}/")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Skip to content")
    expect(focused).to_be_in_viewport()
    outline = focused.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    # The next stop is inside the page's content, not back in the masthead.
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_print_leaves_out_the_controls(page, live_server, dataset):
    page.goto(f"{live_server.url}{N}/compare/eve-of-alaska/alaska-summit/")
    page.emulate_media(media="print")
    expect(page.locator("form.compare-form")).to_be_hidden()
    expect(page.locator("nav.toggle")).to_be_hidden()
    expect(page.locator("table.compare")).to_be_visible()
    expect(page.locator(".page-tools .permalink")).to_be_visible()


def test_on_a_phone_the_gap_sentences_are_in_view_without_scrolling_sideways(
    phone, live_server, dataset
):
    """The convergence table reflows at 375 px rather than pushing its sentences off-screen."""
    phone.goto(f"{live_server.url}{N}/")
    width = phone.viewport_size["width"]
    sentences = phone.locator("table.convergence .trend")
    assert sentences.count() == dataset.issues.count()
    for n in range(sentences.count()):
        box = sentences.nth(n).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, sentences.nth(n).inner_text()


def test_a_stance_change_keeps_its_arrow_beside_the_new_stance(phone, live_server, dataset):
    """When the two stances do not fit on one line, the arrow starts the second line."""
    phone.goto(f"{live_server.url}{N}/compare/eve-of-alaska/alaska-summit/")
    us = phone.locator("tr#issue-ceasefire-sequencing td").nth(0)
    arrow = us.locator(".before-after .arrow").bounding_box()
    after = us.locator(".before-after .stance").nth(1).bounding_box()
    assert after["y"] <= arrow["y"] + arrow["height"] / 2 <= after["y"] + after["height"]
    assert arrow["x"] < after["x"]
    expect(us.locator(".direction")).to_have_text("toward RU, away from UA and EU")
