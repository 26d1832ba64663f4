"""Each page costs a bounded number of SQL queries, whatever the amount of data behind it.

Each page is measured on the small `talks` negotiation and on the same negotiation grown by six
rounds and three issues (every principal speaking on every issue, two sources each): the same
budget must hold for both.
"""

import pytest

from tests.factories import SourceFactory
from tests.pages.conftest import grow

pytestmark = pytest.mark.django_db

# page -> queries allowed, including the one that checks for a newer version (conditional GET).
BUDGET = {
    "/": 4,
    "/test-talks/": 12,  # 10 + the plans list (docs/plans.md) + the releases (docs/releases.md)
    "/test-talks/compare/r1/r4/": 11,
    # The issue and round pages take their participants from the frame (docs/performance.md,
    # "Computed views' queries"); a repeat visit reads the frame from the cache: four fewer.
    "/test-talks/issues/border/": 10,
    # competing claims of the round's demands and of its concessions, one each
    "/test-talks/rounds/r3/": 17,
    "/parties/north/": 11,
    "/sources/a-source/": 6,
    "/test-talks/feed/": 12,  # 11 + the corrections (docs/admin.md, "Corrections")
    "/test-talks/issues/border/feed/": 11,
    "/parties/north/feed/": 12,
    # History pages (docs/pages.md, "History"): one page of versions, whatever their number.
    "/test-talks/history/": 12,
    "/test-talks/rounds/r3/history/": 12,
    "/test-talks/issues/border/history/": 12,
    "/sources/a-source/history/": 12,
}


@pytest.fixture(params=["small", "grown"])
def site(request, talks):
    source = SourceFactory(slug="a-source")
    talks.demand(talks.north, talks.border, talks.r3).sources.add(source)
    talks.r3.sources.add(source)
    if request.param == "grown":
        grow(talks, rounds=6, issues=3)
    return talks


@pytest.mark.parametrize("url", BUDGET)
def test_page_stays_within_its_query_budget(client, site, url, django_assert_max_num_queries):
    with django_assert_max_num_queries(BUDGET[url]):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("url", BUDGET)
def test_a_304_costs_one_query(client, site, url, django_assert_num_queries):
    etag = client.get(url)["ETag"]
    with django_assert_num_queries(1):
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
