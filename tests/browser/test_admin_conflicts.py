"""Two analysts on one round's page, in two real browsers (issue #12, points 1 and 5).

Each logs in through the admin's own login page (django-axes watching) in a context of its
own, so each has its own session, as two people at two desks would.
"""

from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.db import connection
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(serialized_rollback=True)]

PASSWORD = "two analysts, one round"

# The browser's `securitypolicyviolation` events, collected on every page it opens.
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


def analyst_group() -> Group:
    """Return the Analyst group, made again by its data migration if a live-server test's
    flush removed it."""
    if not Group.objects.filter(name="Analyst").exists():
        groups = import_module("negotiations.migrations.0002_groups")
        groups.create_groups(apps, SimpleNamespace(connection=connection))
    return Group.objects.get(name="Analyst")


@pytest.fixture
def analysts(browser, live_server):
    """Return a function that logs an analyst in, in a browser context of their own."""
    contexts = []
    group = analyst_group()

    def log_in(username: str):
        user = User.objects.create_user(username, f"{username}@parley.example", PASSWORD)
        user.is_staff = True
        user.save()
        user.groups.add(group)
        context = browser.new_context(viewport=DESKTOP)
        context.add_init_script(COLLECT_VIOLATIONS)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(f"{live_server.url}/admin/")
        return page

    yield log_in
    for context in contexts:
        context.close()


def open_round(page, live_server, round_) -> None:
    page.goto(f"{live_server.url}/admin/negotiations/round/{round_.pk}/change/")
    expect(page.locator("#demands-group")).to_be_visible()


def row_field(page, pk, field: str):
    """Return the input of `field` in the demand row that edits the demand `pk`."""
    name = page.locator(f'#demands-group input[name$="-id"][value="{pk}"]').get_attribute("name")
    return page.locator(f'[name="{name.removesuffix("-id")}-{field}"]')


def save(page) -> None:
    page.locator('input[name="_continue"]').click()
    page.wait_for_load_state("load")


def no_violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


def test_two_analysts_saving_different_rows_both_succeed(talks, analysts, live_server):
    north = talks.demand(talks.north, talks.border, talks.r1)
    south = talks.demand(talks.south, talks.border, talks.r1)
    priority = "core" if north.priority == "red_line" else "red_line"
    alice, bella = analysts("alice"), analysts("bella")
    open_round(alice, live_server, talks.r1)
    open_round(bella, live_server, talks.r1)

    row_field(alice, north.pk, "priority").select_option(priority)
    save(alice)
    expect(alice.locator(".messagelist .success")).to_contain_text("was changed successfully")

    row_field(bella, south.pk, "text").fill("Not one field, and not one village")
    save(bella)
    expect(bella.locator(".messagelist .success")).to_contain_text("was changed successfully")
    expect(bella.locator(".errornote")).to_have_count(0)
    screenshot(bella, "admin-conflicts-different-rows-both-saved")

    north.refresh_from_db()
    south.refresh_from_db()
    assert (north.priority, south.text) == (priority, "Not one field, and not one village")
    assert no_violations(alice) == [] and no_violations(bella) == []


def test_same_row_second_save_is_refused_with_the_diff_and_keep_mine_saves(
    talks, analysts, live_server
):
    south = talks.demand(talks.south, talks.border, talks.r1)
    alice, bella = analysts("alice"), analysts("bella")
    open_round(alice, live_server, talks.r1)
    open_round(bella, live_server, talks.r1)

    row_field(alice, south.pk, "text").fill("Not one field, says the south")
    save(alice)
    expect(alice.locator(".messagelist .success")).to_be_visible()

    row_field(bella, south.pk, "text").fill("Not one village, says the south")
    save(bella)

    conflict = bella.locator(".errorlist .conflict")
    expect(conflict).to_be_visible()
    expect(bella.locator(".errorlist")).to_contain_text("alice changed this demand on")
    expect(conflict.locator("thead")).to_contain_text("saved by alice on")
    text_row = conflict.locator("tr", has=bella.locator("th", has_text="Text"))
    expect(text_row.locator("td.theirs")).to_have_text("Not one field, says the south")
    expect(text_row.locator("td.yours del")).to_contain_text("field")
    expect(text_row.locator("td.yours ins")).to_contain_text("village")
    expect(conflict.locator("button.keep-theirs")).to_be_visible()  # the script ran under CSP
    # Her wording stays in the form; nothing of hers was saved.
    expect(row_field(bella, south.pk, "text")).to_have_value("Not one village, says the south")
    south.refresh_from_db()
    assert south.text == "Not one field, says the south"
    conflict.scroll_into_view_if_needed()
    screenshot(bella, "admin-conflicts-same-row-refused-with-diff")

    conflict.locator("button.keep-mine").click()
    bella.wait_for_load_state("load")

    expect(bella.locator(".messagelist .success")).to_contain_text("was changed successfully")
    south.refresh_from_db()
    assert south.text == "Not one village, says the south"
    latest = south.history.latest("history_date")
    assert latest.history_user.username == "bella"
    assert latest.history_change_reason.startswith("Kept over alice's change of ")

    # The round's history lists both saves of the row, labelled, with the overwrite's reason.
    bella.goto(f"{live_server.url}/admin/negotiations/round/{talks.r1.pk}/history/")
    newest = bella.locator("#change-history tbody tr").first
    expect(newest).to_contain_text("Demand: SO on Border")
    expect(newest).to_contain_text("Kept over alice's change of")
    expect(newest.locator(".new ins")).to_contain_text("village")
    expect(bella.locator("#change-history a[href*='/auth/user/']")).to_have_count(0)
    screenshot(bella, "admin-conflicts-round-history-with-rows")
    assert no_violations(alice) == [] and no_violations(bella) == []


def test_keep_theirs_puts_their_values_back_and_saving_then_changes_nothing(
    talks, analysts, live_server
):
    south = talks.demand(talks.south, talks.border, talks.r1)
    alice, bella = analysts("alice"), analysts("bella")
    open_round(alice, live_server, talks.r1)
    open_round(bella, live_server, talks.r1)
    row_field(alice, south.pk, "text").fill("Not one field, says the south")
    save(alice)
    row_field(bella, south.pk, "text").fill("Not one village, says the south")
    save(bella)
    versions = south.history.count()

    bella.locator(".conflict button.keep-theirs").click()

    expect(row_field(bella, south.pk, "text")).to_have_value("Not one field, says the south")
    expect(bella.locator(".conflict .kept-theirs")).to_be_visible()
    save(bella)
    expect(bella.locator(".messagelist .success")).to_be_visible()
    south.refresh_from_db()
    assert south.text == "Not one field, says the south"
    assert south.history.count() == versions  # nothing was saved again
    assert no_violations(bella) == []
