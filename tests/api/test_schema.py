"""The OpenAPI schema is accurate enough for a generic client, and its docs load offline."""

import datetime
import importlib
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from negotiations.wsgi import application
from tests.api.conftest import if_match
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db


def test_schema_is_openapi_3_with_the_computed_endpoints(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    positions = paths["/api/v1/negotiations/{negotiation}/positions/"]["get"]
    assert {p["name"] for p in positions["parameters"]} >= {"as_of", "negotiation", "format"}
    changes = paths["/api/v1/negotiations/{negotiation}/changes/"]["get"]
    assert {p["name"] for p in changes["parameters"]} >= {"from", "to", "moved_only"}
    demands = paths["/api/v1/demands/"]["get"]
    assert {p["name"] for p in demands["parameters"]} >= {
        "negotiation",
        "party",
        "issue",
        "category",
        "round",
        "after",
        "before",
        "stance_min",
        "stance_max",
        "priority",
        "status",
        "search",
        "ordering",
        "cursor",
    }
    assert "text/csv" in demands["responses"]["200"]["content"]


def test_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    assert (tmp_path / "s.yml").read_text().startswith("openapi: 3")


def test_docs_page_loads_its_scripts_from_this_site(api):
    response = api.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    # No script or stylesheet from another host (a CDN): the machine may have no internet.
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert api.get("/api/v1/redoc/").status_code == 200


@pytest.fixture
def editor_token(editor) -> str:
    return Token.objects.create(user=editor).key


@pytest.fixture
def known_records(talks) -> dict:
    """Path parameters that name real records, so that answers other than 404 are checked too.

    One cited source has no web address: its `address` must come out as null, not "" (which is
    not the URI the schema promises).
    """
    unaddressed = SourceFactory(url="")
    talks.demand(talks.south, talks.border, talks.r2).sources.add(unaddressed)
    return {
        "negotiation": "test-talks",
        "round": "r2",
        "issue": "border",
        "party": "north",
        "source": talks.r2.sources.get().slug,
        "id": talks.demand(talks.north, talks.border, talks.r1).pk,
    }


@pytest.fixture
def connection_kept_open():
    """Keep the test's database connection across requests made straight to the WSGI app.

    Django closes a connection at the end of each request when it is inside a transaction, as
    a test's is; its own test client switches that off, and so must a test that calls the WSGI
    application directly (on PostgreSQL the test's transaction would be lost).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# Generating the schema runs no query, so it can be loaded when the tests are collected.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
# The coverage phase adds boundary cases for every parameter and takes four times as long; run it
# with SCHEMATHESIS_COVERAGE=1 (docs/api.md, "Testing the API against its schema").
schema.config.phases.coverage.enabled = os.environ.get("SCHEMATHESIS_COVERAGE") == "1"
# Formats (uri, date, date-time) are checked in answers, not only types.
schema.config.checks.response_schema_conformance.validate_formats = True
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


@schema.parametrize()
# Derandomized so CI judges the same requests every run; SCHEMATHESIS_EXPLORE=1 draws new ones
# (how the PATCH of a stance without its value was found).
@hypothesis_settings(
    max_examples=10,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    derandomize=os.environ.get("SCHEMATHESIS_EXPLORE") != "1",
)
def test_no_request_makes_a_server_error_or_breaks_the_schema(
    case, known_records, editor_token, settings, connection_kept_open
):
    """Generated requests: anonymous ones as generated, an editor's on records that exist.

    Neither may meet a server error, and every answer must match the schema.
    """
    settings.API_ANON_RATE = "100000/minute"  # hundreds of anonymous requests in one test
    call_twice(case, known_records, editor_token)


def call_twice(case, known_records: dict, editor_token: str) -> None:
    case.call_and_validate(checks=CHECKS)
    case.path_parameters = {
        name: known_records.get(name, value) for name, value in case.path_parameters.items()
    }
    authorization = {"Authorization": f"Token {editor_token}"}
    if case.method.upper() in ("PUT", "PATCH", "DELETE"):
        # A careful client names the version it read; a generated If-Match would only ever
        # meet 400 or 412 and leave the writes themselves unexplored.
        with httpx.Client(
            transport=httpx.WSGITransport(app=application), base_url="http://testserver"
        ) as client:
            etag = client.get(case.formatted_path, headers=authorization).headers.get("ETag")
        if etag:
            case.headers = {**(case.headers or {}), "If-Match": etag}
    case.call_and_validate(checks=CHECKS, headers=authorization)


@schema.include(method="GET").parametrize()
# Fresh random requests every run, a few per read operation so the time stays bounded (about
# half a minute): over many CI runs they explore far more than the fixed set above. A failure
# prints the request to reproduce; fix it and add it to a test.
@hypothesis_settings(
    max_examples=int(os.environ.get("SCHEMATHESIS_FRESH_EXAMPLES", "4")),
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    derandomize=False,
)
def test_fresh_random_reads_make_no_server_error_and_match_the_schema(
    case, known_records, editor_token, settings, connection_kept_open
):
    settings.API_ANON_RATE = "100000/minute"
    call_twice(case, known_records, editor_token)


@pytest.fixture
def generated_client(tmp_path, connection_kept_open):
    """A Python client generated from the schema by openapi-python-client, talking to the app.

    Requests go straight to the WSGI application (httpx's WSGI transport), on the test's data.
    (Not through Django's test client: it reconnects the handlers that close the connection.)
    """
    call_command("spectacular", "--format", "openapi-json", "--file", str(tmp_path / "schema.json"))
    # The data package is a zip; the generator reads binary answers as application/octet-stream.
    (tmp_path / "config.yml").write_text(
        "post_hooks: []\ncontent_type_overrides:\n  application/zip: application/octet-stream\n"
    )
    generator = Path(sys.executable).parent / "openapi-python-client"
    subprocess.run(
        [
            str(generator),
            "generate",
            "--path",
            "schema.json",
            "--config",
            "config.yml",
            "--meta",
            "none",
            "--output-path",
            "parley_client",
            "--fail-on-warning",
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    sys.path.insert(0, str(tmp_path))
    try:
        client = importlib.import_module("parley_client")
        yield (
            client,
            client.Client(
                base_url="http://testserver",
                httpx_args={"transport": httpx.WSGITransport(app=application)},
                raise_on_unexpected_status=True,
            ),
        )
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name.startswith("parley_client")]:
            del sys.modules[name]


def test_a_generated_client_lists_filters_and_pages_demands(talks, generated_client, settings):
    settings.API_ANON_RATE = "100000/minute"
    package, client = generated_client
    demands_list = importlib.import_module("parley_client.api.demands.demands_list")
    models = importlib.import_module("parley_client.models")
    seen, cursor = [], package.types.UNSET
    while True:
        page = demands_list.sync(client=client, party=["south"], page_size=2, cursor=cursor)
        assert isinstance(page, models.PaginatedDemandList)
        seen += [(demand.id, demand.party.slug, demand.round_.date) for demand in page.results]
        if not page.next_:
            break
        cursor = parse_qs(urlsplit(page.next_).query)["cursor"][0]
    expected = talks.negotiation.rounds.filter(demands__party=talks.south).count()
    assert len(seen) == expected == 3
    assert {slug for _, slug, _ in seen} == {"south"}
    assert [date for _, _, date in seen] == sorted(date for _, _, date in seen)
    assert all(isinstance(date, datetime.date) for _, _, date in seen)


def test_a_generated_client_gets_a_typed_error_on_a_bad_filter(talks, generated_client):
    _, client = generated_client
    demands_list = importlib.import_module("parley_client.api.demands.demands_list")
    models = importlib.import_module("parley_client.models")
    response = demands_list.sync_detailed(client=client, party=["atlantis"])
    assert response.status_code == 400
    assert isinstance(response.parsed, models.ParameterErrors)
    assert response.parsed.additional_properties == {"party": ["No party “atlantis”."]}
    missing = importlib.import_module(
        "parley_client.api.negotiations.negotiations_positions_retrieve"
    ).sync(negotiation="atlantis", client=client)
    assert isinstance(missing, models.Error)
    assert "atlantis" in missing.detail


def test_a_source_without_a_web_address_has_a_null_address_everywhere(api, talks):
    """`""` is not a URI; the schema promises `format: uri` or null."""
    source = SourceFactory(slug="word-of-mouth", url="")
    talks.demand(talks.north, talks.border, talks.r1).sources.add(source)
    assert api.get("/api/v1/sources/word-of-mouth/").json()["address"] is None
    demands = api.get("/api/v1/demands/", {"party": "north", "round": "r1"}).json()["results"]
    addresses = {s["slug"]: s["address"] for d in demands for s in d["sources"]}
    assert addresses["word-of-mouth"] is None
    spec = api.get("/api/v1/schema/", {"format": "json"}).json()["components"]["schemas"]
    assert spec["SourceRef"]["properties"]["address"]["nullable"] is True


def test_a_source_written_with_a_null_address_is_stored_without_one(api, talks, editor):
    api.force_authenticate(editor)
    url = f"/api/v1/sources/{talks.r2.sources.get().slug}/"
    response = api.patch(url, {"address": None}, format="json", **if_match(api, url))
    assert response.status_code == 200, response.content
    assert response.json()["address"] is None
    assert talks.r2.sources.get().url == ""
