"""The fast paths give DRF's output, value for value and byte for byte.

Every list, record, computed view and CSV export of the shipped dataset is fetched twice: with
the fast paths (lists and CSV read as flat rows, negotiations/api/rows.py; compiled serializers,
representation.py; URL templates) and with DRF's own path (querysets with select_related and
prefetch_related, `to_representation`, `reverse` for every URL). The two must match field by
field. The JSON bytes, written by orjson, must be those DRF's encoder writes.
"""

import datetime
import json
from decimal import Decimal

import pytest
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer

from negotiations.api.renderers import JSONRenderer
from negotiations.api.representation import CompiledRepresentation
from positions.models import Concession, Demand
from tests.api.conftest import body

pytestmark = pytest.mark.django_db

SLUG = "russia-ukraine-2025"
NEGOTIATION = f"/api/v1/negotiations/{SLUG}"

LISTS = [
    "/api/v1/negotiations/",
    "/api/v1/parties/",
    "/api/v1/sources/",
    "/api/v1/rounds/",
    "/api/v1/issues/",
    "/api/v1/demands/",
    "/api/v1/concessions/",
    f"{NEGOTIATION}/rounds/",
    f"{NEGOTIATION}/issues/",
    f"{NEGOTIATION}/demands/",
    f"{NEGOTIATION}/concessions/",
    f"/api/v1/demands/?negotiation={SLUG}&party=russia",
]
COMPUTED = [
    f"{NEGOTIATION}/",
    f"{NEGOTIATION}/positions/",
    f"{NEGOTIATION}/changes/",
    f"{NEGOTIATION}/gaps/",
    f"{NEGOTIATION}/panel/",
    f"{NEGOTIATION}/cite/",
]


def fetch(api, url: str, *, compiled: bool) -> bytes:
    CompiledRepresentation.enabled = compiled
    try:
        response = api.get(url)
        assert response.status_code == 200, body(response)[:300]
        return body(response)
    finally:
        CompiledRepresentation.enabled = True


def with_param(url: str, param: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{param}"


def records(data) -> list:
    return data["results"] if isinstance(data, dict) and "results" in data else [data]


def assert_same_records(fast: list, plain: list) -> None:
    assert len(fast) == len(plain)
    for n, (mine, theirs) in enumerate(zip(fast, plain, strict=True)):
        assert list(mine) == list(theirs), f"record {n}: fields differ"
        for field in theirs:
            assert mine[field] == theirs[field], f"record {n}, field {field!r}"


@pytest.mark.parametrize("url", LISTS)
def test_list_json_matches_drf(api, dataset, url):
    # The long lists come in pages; one page of 1000 holds all of the dataset.
    whole = url.endswith(("/negotiations/", "/parties/", "/issues/"))
    paged = url if whole else with_param(url, "page_size=1000")
    fast = json.loads(fetch(api, paged, compiled=True))
    plain = json.loads(fetch(api, paged, compiled=False))
    assert fast["results"], "the dataset has rows here"
    assert_same_records(fast["results"], plain["results"])
    assert fast == plain


@pytest.mark.parametrize("url", LISTS + COMPUTED)
def test_csv_matches_drf(api, dataset, url):
    fast = fetch(api, with_param(url, "format=csv"), compiled=True)
    plain = fetch(api, with_param(url, "format=csv"), compiled=False)
    assert fast.count(b"\n") > 1
    assert fast.decode().splitlines() == plain.decode().splitlines()


@pytest.mark.parametrize("url", COMPUTED)
def test_computed_json_matches_drf(api, dataset, url):
    fast = json.loads(fetch(api, url, compiled=True))
    plain = json.loads(fetch(api, url, compiled=False))
    assert_same_records(records(fast), records(plain))
    assert fast == plain


def test_records_match_drf(api, dataset):
    """One of each record kind, as a single record rather than in a list."""
    demand = Demand.objects.filter(round__negotiation=dataset).first()
    concession = Concession.objects.filter(round__negotiation=dataset, softens__isnull=False)
    urls = [
        "/api/v1/parties/russia/",
        f"{NEGOTIATION}/rounds/{dataset.rounds.first().slug}/",
        f"{NEGOTIATION}/issues/{dataset.issues.first().slug}/",
        f"/api/v1/sources/{demand.sources.first().slug}/",
        f"{NEGOTIATION}/demands/{demand.pk}/",
        f"{NEGOTIATION}/concessions/{concession.first().pk}/",
    ]
    for url in urls:
        fast = json.loads(fetch(api, url, compiled=True))
        assert fast == json.loads(fetch(api, url, compiled=False)), url


@pytest.mark.parametrize("url", [LISTS[-1], *COMPUTED])
def test_json_bytes_are_those_drf_writes(api, dataset, url):
    written = fetch(api, url, compiled=True)
    assert written == DRFJSONRenderer().render(json.loads(written))


@pytest.mark.parametrize(
    "data",
    [
        {"small": 1e-05, "large": 1e16, "third": 1 / 3, "text": "line\u2028separator é"},
        {"when": datetime.datetime(2025, 3, 1, 12, 30, 15, 123456, tzinfo=datetime.UTC)},
        [{"id": 2**70}, Decimal("1.10")],
    ],
)
def test_json_written_otherwise_by_orjson_falls_back_to_drf(data):
    assert JSONRenderer().render(data) == DRFJSONRenderer().render(data)
