"""The Content-Security-Policy breaks nothing: a real Chromium reports no violation on any page.

Every reader page type, the API's own pages (browsable API, Swagger UI, Redoc) and the admin
pages analysts use are opened and used a little (menus, the autocomplete, the next-round form);
the browser's `securitypolicyviolation` events and console errors are collected throughout.
"""

import pytest
from django.contrib.auth.models import User

from negotiations.models import Round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(serialized_rollback=True)]

N = "/russia-ukraine-2025"
READER_PAGES = [
    "/",
    f"{N}/",
    f"{N}/compare/energy-strike-moratorium-call/alaska-summit/",
    f"{N}/issues/ceasefire-sequencing/",
    f"{N}/rounds/moscow-conditions/",
    "/parties/united-states/",
    "/sources/fakti-2026-01-24-trump-accepted/",
    "/no-such-page/",
]
PASSWORD = "a long browser test password 7"

COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ` +
      `${event.sourceFile}:${event.lineNumber}`
  );
});
"""


@pytest.fixture
def watched(browser):
    """A page that records every CSP violation and CSP console error it sees."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(COLLECT_VIOLATIONS)
    page = context.new_page()
    page.csp_errors = []
    page.on(
        "console",
        lambda message: (
            page.csp_errors.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()


def violations(page) -> list[str]:
    return page.csp_errors + page.evaluate("window.__cspViolations || []")


def visit(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    assert violations(page) == [], url


@pytest.mark.parametrize("path", READER_PAGES)
def test_reader_pages_run_under_the_policy(watched, live_server, dataset, path):
    visit(watched, f"{live_server.url}{path}")
    assert watched.locator("link[rel=stylesheet]").count() >= 1
    # The stylesheet applied: the page is laid out by parley.css, not the browser's defaults.
    assert watched.evaluate("getComputedStyle(document.body).fontFamily") != "Times New Roman"


def test_stances_keep_their_tint_and_mark_without_style_attributes(watched, live_server, dataset):
    visit(watched, f"{live_server.url}{N}/")
    stance = watched.locator(".matrix .stance[class*='stance--tint-']").first
    assert stance.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    mark = watched.locator(".matrix .scale-mark").first
    assert mark.bounding_box()["width"] > 8


def test_api_pages_run_under_the_policy(watched, live_server, dataset):
    visit(watched, f"{live_server.url}/api/v1/parties/?format=api")
    visit(watched, f"{live_server.url}/api/v1/docs/")
    watched.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert violations(watched) == []
    visit(watched, f"{live_server.url}/api/v1/redoc/")
    watched.wait_for_selector("#redoc-container h1", timeout=20_000)
    # Redoc's own styles (written with the nonce) applied: its menu is a fixed-width sidebar.
    assert watched.locator(".menu-content").first.bounding_box()["width"] > 150
    assert violations(watched) == []


def test_admin_works_under_the_policy(watched, live_server, dataset):
    User.objects.create_superuser("boss", "boss@parley.example", PASSWORD)
    page = watched
    visit(page, f"{live_server.url}/admin/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    assert violations(page) == []

    visit(page, f"{live_server.url}/admin/negotiations/party/")
    visit(page, f"{live_server.url}/admin/negotiations/round/")
    # The change list's filter sidebar and actions are scripted.
    page.select_option("select[name=action]", "delete_selected")

    round_ = Round.objects.get(slug="moscow-conditions")
    visit(page, f"{live_server.url}/admin/negotiations/round/{round_.pk}/change/")
    # Inlines: "Add another" is added by inlines.js; autocomplete widgets by select2.
    add_row = page.locator("#demands-group .add-row a")
    if add_row.count():
        add_row.click()
    autocomplete = page.locator(".select2-selection").first
    if autocomplete.count():
        autocomplete.click()
        page.wait_for_selector(".select2-results__option", timeout=10_000)
    assert violations(page) == []

    visit(page, f"{live_server.url}/admin/negotiations/round/{round_.pk}/next/")
    visit(page, f"{live_server.url}/admin/positions/demand/add/")
    # The calendar and clock shortcuts of date widgets are drawn by script.
    visit(page, f"{live_server.url}/admin/negotiations/round/add/")
    shortcut = page.locator(".datetimeshortcuts a").first
    if shortcut.count():
        shortcut.click()
    assert violations(page) == []
