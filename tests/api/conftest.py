"""Fixtures for the API tests: an HTTP client, CSV parsing, and fresh throttle counts."""

import csv
import io

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    """Anonymous request counts live in the cache; each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def body(response) -> bytes:
    """Return the body of a plain or streamed response (a stream is read once, then kept)."""
    if not response.streaming:
        return response.content
    if not hasattr(response, "read_stream"):
        response.read_stream = b"".join(response.streaming_content)
    return response.read_stream


def csv_rows(response) -> list[dict[str, str]]:
    """Parse a CSV response the way a researcher's tools would."""
    assert response.status_code == 200, body(response)[:500]
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(body(response).decode("utf-8"))))


def csv_header(response) -> list[str]:
    return next(csv.reader(io.StringIO(body(response).decode("utf-8"))))


def if_match(api, url: str) -> dict:
    """The If-Match header of a careful client: the ETag of the record as it reads it now."""
    response = api.get(url)
    assert response.status_code == 200, response.content[:300]
    return {"HTTP_IF_MATCH": response["ETag"]}
