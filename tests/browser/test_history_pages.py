"""A reader follows a record to its history and sees a withdrawal, in a real Chromium.

CSP violations fail it (the watcher of tests/browser/test_csp.py); screenshots go to
artifacts/screenshots/. docs/pages.md, "History"; docs/admin.md, "Corrections".
"""

import datetime
from importlib import import_module

import pytest
from django.db import connection
from playwright.sync_api import expect

from negotiations.models import Correction, Round
from positions.models import Demand
from tests.browser.conftest import screenshot
from tests.browser.test_csp import violations, watched  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(serialized_rollback=True)]

N = "/russia-ukraine-2025"
corrections = import_module("negotiations.migrations.0007_correction")
triggers = import_module("positions.migrations.0002_integrity_triggers")


@pytest.fixture(autouse=True)
def _corrections_cleared_before_flush(transactional_db):
    """Remove the test's corrections before the database flush, which SQLite does by DELETE.

    A correction is never deleted (a trigger refuses), so the trigger is set aside meanwhile.
    """
    yield
    rules = triggers.statements(connection.schema_editor(), corrections.RULES)
    with connection.cursor() as cursor:
        for _, drop in rules:
            cursor.execute(drop)
        Correction.objects.all()._raw_delete(connection.alias)
        for create, _ in rules:
            cursor.execute(create)


def test_reader_walks_from_a_round_to_a_statement_s_history_and_its_withdrawal(
    watched,  # noqa: F811
    live_server,
    dataset,
):
    page = watched
    round = Round.objects.get(negotiation=dataset, slug="moscow-conditions")
    demand = Demand.objects.filter(round=round).order_by("pk").first()
    demand.text = f"{demand.text} (as reported)"
    demand.save()
    Correction.objects.create(
        record=demand,
        kind="withdrawal",
        note="The statement was attributed to the wrong party",
        date=datetime.date(2026, 3, 5),
        made_by="Editor",
    )

    page.goto(f"{live_server.url}{N}/")
    page.get_by_role("link", name=round.title).first.click()
    expect(page.locator("h1")).to_have_text(round.title)

    row = page.locator("li.entry--withdrawn")
    expect(row).to_have_count(1)
    expect(row.locator(".correction")).to_have_text(
        "Withdrawn, 5 March 2026: The statement was attributed to the wrong party"
    )
    expect(row.locator(".entry-text")).to_have_css("text-decoration-line", "line-through")
    screenshot(page, "history-round-with-withdrawal")

    row.get_by_role("link", name="History of this demand").click()
    expect(page).to_have_url(f"{live_server.url}{N}/demands/{demand.pk}/history/")
    expect(page.locator("#corrections-heading + .correction")).to_contain_text("Withdrawn")
    newest = page.locator(".version").first
    expect(newest.locator(".version-change")).to_have_text("Changed")
    expect(newest.locator(".version-diff ins")).to_contain_text("(as reported)")
    expect(page.locator(".version").last.locator(".version-change")).to_have_text("Created")
    screenshot(page, "history-of-a-withdrawn-demand")

    page.get_by_role("link", name="Back to the demand").click()
    expect(page.locator(f"#demand-{demand.pk}")).to_be_visible()
    assert violations(page) == []
