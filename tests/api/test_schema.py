"""The OpenAPI schema is accurate enough for a generic client, and its docs load offline."""

import os
import re

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
from schemathesis.specs.openapi.checks import response_schema_conformance

from negotiations.wsgi import application

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
    """Path parameters that name real records, so that answers other than 404 are checked too."""
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
    checks = [not_a_server_error, response_schema_conformance]
    case.call_and_validate(checks=checks)
    case.path_parameters = {
        name: known_records.get(name, value) for name, value in case.path_parameters.items()
    }
    case.call_and_validate(checks=checks, headers={"Authorization": f"Token {editor_token}"})
