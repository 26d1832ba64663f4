"""Plan pages in a real browser, on the shipped plans: no serious accessibility violations, no
sideways scroll on a 375 px phone, readable without JavaScript, and screenshots of each
(artifacts/screenshots/plans-*.png)."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_page_quality import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(serialized_rollback=True)]

N = "/russia-ukraine-2025/plans"
PAGES = {
    "plans": f"{N}/",
    "plan": f"{N}/us-28-point-plan/",
    "plans-compare-european": f"{N}/us-28-point-plan/compare/european-counter-proposal/",
    "plans-compare-twenty": f"{N}/us-28-point-plan/compare/twenty-point-framework/",
    "plans-not-comparable": f"{N}/european-counter-proposal/compare/geneva-19-point-plan/",
}


@pytest.fixture
def shipped(transactional_db):
    """The dataset and its plans file, loaded as `manage.py load_dataset` loads them."""
    call_command("load_dataset", "russia-ukraine-2025", stdout=io.StringIO())


@pytest.mark.parametrize("name", PAGES)
def test_plan_page_has_no_serious_accessibility_violations(page, live_server, shipped, name):
    page.goto(f"{live_server.url}{PAGES[name]}")

    assert serious_violations(page) == []
    screenshot(page, f"{name}-desktop")


@pytest.mark.parametrize("name", PAGES)
def test_plan_page_fits_a_375_px_phone(phone, live_server, shipped, name):
    phone.goto(f"{live_server.url}{PAGES[name]}")

    overflow = phone.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at 375 px"
    assert serious_violations(phone) == []
    screenshot(phone, f"{name}-375")


def test_on_a_phone_each_side_of_a_row_names_its_plan(phone, live_server, shipped):
    phone.goto(f"{live_server.url}{PAGES['plans-compare-european']}")

    first = phone.locator("li.plan-row").first
    expect(first.locator(".plan-side--earlier .plan-side__label")).to_be_visible()
    expect(first.locator(".plan-side--earlier .plan-side__label")).to_have_text(
        "The US 28-point plan"
    )


def test_the_comparison_reads_without_javascript(browser, live_server, shipped):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}{PAGES['plans-compare-european']}")

    expect(page.locator("li.plan-row .badge").first).to_be_visible()
    expect(page.locator("li.plan-row--dropped")).not_to_have_count(0)
    page.get_by_text("What the labels mean").click()
    expect(page.locator("details.legend dd").first).to_be_visible()
    page.locator("li.plan-row a.cite").first.click()
    expect(page).to_have_url(f"{live_server.url}/sources/statement-28-points-1/")
    context.close()
