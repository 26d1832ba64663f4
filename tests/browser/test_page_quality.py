"""Every page type in a real browser: no serious accessibility violations, no sideways scroll on
a 375 px phone, and screenshots (artifacts/screenshots/) of each at desktop and phone width."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(serialized_rollback=True)]

N = "/russia-ukraine-2025"
PAGES = {
    "home": "/",
    "overview": f"{N}/",
    "compare": f"{N}/compare/energy-strike-moratorium-call/alaska-summit/",
    "compare-unknown-round": f"{N}/compare/energy-strike-moratorium-call/no-such-round/",
    "issue": f"{N}/issues/ceasefire-sequencing/",
    "round": f"{N}/rounds/moscow-conditions/",
    "party": "/parties/united-states/",
    "source": "/sources/fakti-2026-01-24-trump-accepted/",
}


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_serious_accessibility_violations(page, live_server, dataset, name):
    page.goto(f"{live_server.url}{PAGES[name]}")
    assert serious_violations(page) == []
    screenshot(page, f"{name}-desktop")


@pytest.mark.parametrize("name", PAGES)
def test_page_fits_a_375_px_phone(phone, live_server, dataset, name):
    phone.goto(f"{live_server.url}{PAGES[name]}")
    overflow = phone.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at 375 px"
    assert serious_violations(phone) == []
    screenshot(phone, f"{name}-375")
