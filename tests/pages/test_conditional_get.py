"""A repeat visit gets a 304 until the data behind the page changes, deletions included."""

import pytest

from tests.factories import IssueFactory, NegotiationFactory, SourceFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/test-talks/",
    "/test-talks/compare/r1/r3/",
    "/test-talks/issues/border/",
    "/test-talks/rounds/r2/",
    "/parties/north/",
    "/sources/a-source/",
    "/test-talks/feed/",
    "/test-talks/issues/border/feed/",
    "/parties/north/feed/",
]


@pytest.fixture
def site(talks):
    SourceFactory(slug="a-source")
    return talks


def revisit(client, url, first):
    return client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])


@pytest.mark.parametrize("url", PAGES)
def test_repeat_visit_is_a_304(client, site, url):
    first = client.get(url)
    assert first.status_code == 200
    assert first["ETag"] and first["Last-Modified"]
    assert "no-cache" in first["Cache-Control"]
    again = revisit(client, url, first)
    assert again.status_code == 304
    assert again.content == b""


def test_repeat_visit_by_date_is_a_304(client, site):
    first = client.get("/test-talks/")
    again = client.get("/test-talks/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304


def test_an_edited_demand_gives_a_fresh_page(client, site):
    first = client.get("/test-talks/issues/border/")
    demand = site.demand(site.north, site.border, site.r4)
    demand.text = "All of it, and now"
    demand.save()
    again = revisit(client, "/test-talks/issues/border/", first)
    assert again.status_code == 200
    assert b"All of it, and now" in again.content


def test_a_deleted_demand_gives_a_fresh_page(client, site):
    first = client.get("/test-talks/issues/border/")
    site.demand(site.south, site.border, site.r4).delete()
    again = revisit(client, "/test-talks/issues/border/", first)
    assert again.status_code == 200
    assert b"A little, and only for peace" not in again.content


def test_a_deleted_issue_gives_a_fresh_overview(client, site):
    spare = IssueFactory(negotiation=site.negotiation, slug="spare", title="Spare issue")
    first = client.get("/test-talks/")
    assert b"Spare issue" in first.content
    spare.delete()
    again = revisit(client, "/test-talks/", first)
    assert again.status_code == 200
    assert b"Spare issue" not in again.content


def test_an_edited_source_gives_fresh_pages_everywhere(client, site):
    first = client.get("/test-talks/")
    source = site.demand(site.north, site.border, site.r4).sources.get()
    source.outlet = "Renamed Wire"
    source.save()
    again = revisit(client, "/test-talks/", first)
    assert again.status_code == 200
    assert b"Renamed Wire" in again.content


def test_changes_to_another_negotiation_keep_the_304(client, site):
    first = client.get("/test-talks/")
    other = NegotiationFactory(slug="other-talks")
    IssueFactory(negotiation=other)
    assert revisit(client, "/test-talks/", first).status_code == 304


def test_variants_of_a_page_have_different_validators(client, site):
    everything = client.get("/test-talks/compare/r1/r3/")
    moved = client.get("/test-talks/compare/r1/r3/?only=changes")
    assert everything["ETag"] != moved["ETag"]
    assert revisit(client, "/test-talks/compare/r1/r3/?only=changes", everything).status_code == 200


@pytest.mark.parametrize("url", ["/test-talks/rounds/nothing/", "/test-talks/compare/r3/r1/"])
def test_not_found_and_redirects_carry_no_validators(client, site, url):
    response = client.get(url)
    assert response.status_code in (302, 404)
    assert not response.has_header("ETag") and not response.has_header("Last-Modified")


def test_a_load_that_only_relinks_a_demands_sources_gives_a_fresh_page(client, db, tmp_path):
    """docs/pages.md: the loader saves a record whose only change is its links; caches see it."""
    from negotiations.loader import load_dataset
    from tests.test_dataset import SMALL, write

    load_dataset(write(tmp_path, SMALL))
    url = "/border-talks/issues/border/"
    first = client.get(url)
    load_dataset(write(tmp_path, SMALL))  # the same file again writes nothing
    assert revisit(client, url, first).status_code == 304
    relinked = SMALL.replace(
        'text = "Half of the land"\nsources = ["wire"]',
        'text = "Half of the land"\nsources = ["wire", "gazette-quote"]',
    )
    assert relinked != SMALL
    load_dataset(write(tmp_path, relinked))
    again = revisit(client, url, first)
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
