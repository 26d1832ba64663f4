"""What every page offers: a permalink, its CSV export, a citation, feeds, and sound structure."""

import pytest

from tests.factories import SourceFactory
from tests.pages.conftest import fetch

pytestmark = pytest.mark.django_db

# page -> (its CSV export, its Atom feed or None)
PAGES = {
    "/": ("/api/v1/negotiations/?format=csv", None),
    "/test-talks/": ("/api/v1/negotiations/test-talks/panel/?format=csv", "/test-talks/feed/"),
    "/test-talks/compare/r1/r3/": (
        "/api/v1/negotiations/test-talks/changes/?from=r1&to=r3&format=csv",
        "/test-talks/feed/",
    ),
    "/test-talks/issues/border/": (
        "/api/v1/demands/?negotiation=test-talks&issue=border&format=csv",
        "/test-talks/issues/border/feed/",
    ),
    "/test-talks/rounds/r2/": (
        "/api/v1/demands/?negotiation=test-talks&round=r2&format=csv",
        "/test-talks/feed/",
    ),
    "/parties/north/": ("/api/v1/demands/?party=north&format=csv", "/parties/north/feed/"),
    "/sources/a-source/": ("/api/v1/sources/a-source/?format=csv", None),
}


@pytest.fixture
def site(talks):
    SourceFactory(slug="a-source")
    return talks


@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_a_permalink_a_csv_link_and_a_citation(client, site, url):
    csv, _ = PAGES[url]
    page = fetch(client, url)
    tools = page.select_one("section.page-tools")
    permalink = tools.select_one("a.permalink")["href"]
    assert permalink == f"http://testserver{url}"
    assert page.select_one("link[rel=canonical]")["href"] == permalink
    assert tools.select_one("a.csv")["href"] == csv
    citation = tools.select_one("#citation").get_text()
    assert citation.startswith("Parley, “") and citation.endswith(permalink)
    assert "Data as of " in citation


@pytest.mark.parametrize("url", [u for u, (_, feed) in PAGES.items() if feed])
def test_pages_announce_their_atom_feed(client, site, url):
    _, feed = PAGES[url]
    page = fetch(client, url)
    alternate = page.select_one('link[rel=alternate][type="application/atom+xml"]')
    assert alternate["href"] == feed
    assert page.select_one(f'section.page-tools a.feed[href="{feed}"]')


@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_one_h1_landmarks_and_described_tables(client, site, url):
    page = fetch(client, url)
    assert len(page.select("h1")) == 1
    assert page.select_one("header.site-header") and page.select_one("footer.site-footer")
    assert len(page.select("main#content")) == 1
    assert page.select_one('a.skip-link[href="#content"]')
    for table in page.select("table"):
        assert table.caption and table.caption.get_text(strip=True)
        assert all(th.get("scope") in ("col", "row") for th in table.select("th"))
    for region in page.select('[role="region"]'):
        assert region.get("tabindex") == "0"  # scrollable regions can be reached by keyboard
        assert region.get("aria-label") or region.get("aria-labelledby")


@pytest.mark.parametrize("url", PAGES)
def test_pages_do_not_vary_by_visitor(client, site, url, analyst):
    """Shared caches may keep pages, so a signed-in visitor must get the same page."""
    anonymous = client.get(url).content
    client.force_login(analyst)
    assert client.get(url).content == anonymous


def test_changes_only_comparison_exports_only_the_rows_it_shows(client, site):
    """The CSV of "only issues where something moved" carries the API's moved_only=true."""
    everything = fetch(client, "/test-talks/compare/r3/r4/")
    moved = fetch(client, "/test-talks/compare/r3/r4/?only=changes")
    assert everything.select_one("a.csv")["href"] == (
        "/api/v1/negotiations/test-talks/changes/?from=r3&to=r4&format=csv"
    )
    assert moved.select_one("a.csv")["href"] == (
        "/api/v1/negotiations/test-talks/changes/?from=r3&to=r4&moved_only=true&format=csv"
    )
    for page in (everything, moved):
        shown = len(page.select("table.compare tbody td.change"))
        exported = client.get(page.select_one("a.csv")["href"])
        assert exported.status_code == 200
        rows = [line for line in exported.content.decode().splitlines()[1:] if line]
        assert len(rows) == shown


def test_export_addresses_refuse_a_parameter_the_api_does_not_take():
    from positions.page_tools import csv_export_url

    rounds = {"from": "a", "to": "b"}
    assert csv_export_url("changes", negotiation="n", moved_only=False, **rounds) == (
        "/api/v1/negotiations/n/changes/?from=a&to=b&format=csv"
    )
    with pytest.raises(ValueError, match="only"):
        csv_export_url("changes", negotiation="n", only="changes", **rounds)
