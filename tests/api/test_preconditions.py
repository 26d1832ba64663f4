"""No silent overwrite through the API: ETags on records, If-Match on PUT, PATCH and DELETE.

docs/api.md, "Writing safely: ETag and If-Match". Runs on SQLite and on PostgreSQL.
"""

import pytest

from negotiations.models import Party
from positions.models import Demand
from tests.factories import PartyFactory

pytestmark = pytest.mark.django_db

TALKS = "/api/v1/negotiations/test-talks"


@pytest.fixture
def demand_url(talks) -> str:
    return f"{TALKS}/demands/{talks.demand(talks.north, talks.border, talks.r1).pk}/"


@pytest.fixture
def writer(api, editor):
    api.force_authenticate(editor)
    return api


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/negotiations/test-talks/",
        "/api/v1/parties/north/",
        f"{TALKS}/rounds/r2/",
        f"{TALKS}/issues/border/",
        "/api/v1/plans/first-draft/",
    ],
)
def test_every_record_answers_with_a_strong_etag(api, talk_plans, path):
    response = api.get(path)
    assert response.status_code == 200
    etag = response["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    assert api.get(path, {"format": "csv"})["ETag"] == etag  # the record's version, either way


def test_statements_and_sources_answer_with_an_etag_and_lists_do_not(api, talks, demand_url):
    concession = f"{TALKS}/concessions/{talks.north_border_r3_concession.pk}/"
    source = f"/api/v1/sources/{talks.r1.sources.get().slug}/"
    assert all(api.get(url).has_header("ETag") for url in (demand_url, concession, source))
    assert not api.get(f"{TALKS}/demands/").has_header("ETag")


def test_a_change_without_if_match_is_a_428_and_saves_nothing(writer, talks, demand_url):
    response = writer.patch(demand_url, {"text": "Blind write"}, format="json")
    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]
    assert not response.has_header("ETag")  # read the record first: no shortcut to its version
    put = writer.put(demand_url, writer.get(demand_url).json(), format="json")
    assert put.status_code == 428
    assert writer.delete(demand_url).status_code == 428
    assert Demand.objects.filter(text="All of the border land").exists()


def test_a_fresh_etag_lets_the_change_through_and_the_answer_carries_the_new_one(
    writer, demand_url
):
    read = writer.get(demand_url)
    response = writer.patch(
        demand_url, {"text": "Most of it"}, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    assert response.status_code == 200, response.content
    assert response.json()["text"] == "Most of it"
    assert response["ETag"] != read["ETag"]
    assert writer.get(demand_url)["ETag"] == response["ETag"]
    # The answer's ETag is good for the next change.
    again = writer.patch(
        demand_url, {"text": "All of it"}, format="json", HTTP_IF_MATCH=response["ETag"]
    )
    assert again.status_code == 200, again.content


def test_a_stale_etag_is_a_412_with_the_record_as_it_now_stands(writer, talks, demand_url):
    stale = writer.get(demand_url)["ETag"]
    first = writer.patch(demand_url, {"text": "First writer"}, format="json", HTTP_IF_MATCH=stale)
    assert first.status_code == 200

    second = writer.patch(demand_url, {"text": "Second writer"}, format="json", HTTP_IF_MATCH=stale)

    assert second.status_code == 412
    body = second.json()
    assert "changed since you read it" in body["detail"]
    assert body["current"] == writer.get(demand_url).json()  # its normal representation
    assert body["current"]["text"] == "First writer"
    assert second["ETag"] == first["ETag"]
    assert Demand.objects.get(pk=body["current"]["id"]).text == "First writer"


def test_a_stale_put_or_delete_is_refused_too(writer, db):
    PartyFactory(slug="passer-by")
    url = "/api/v1/parties/passer-by/"
    stale = writer.get(url)
    Party.objects.get(slug="passer-by").save()  # an edit in the admin, say

    put = writer.put(url, stale.json(), format="json", HTTP_IF_MATCH=stale["ETag"])
    deleted = writer.delete(url, HTTP_IF_MATCH=stale["ETag"])

    assert (put.status_code, deleted.status_code) == (412, 412)
    assert deleted.json()["current"]["slug"] == "passer-by"
    assert Party.objects.filter(slug="passer-by").exists()
    fresh = writer.get(url)["ETag"]
    assert writer.delete(url, HTTP_IF_MATCH=fresh).status_code == 204
    assert not Party.objects.filter(slug="passer-by").exists()


def test_a_weak_tag_never_matches_as_rfc_9110_requires(writer, demand_url):
    etag = writer.get(demand_url)["ETag"]
    response = writer.patch(demand_url, {"text": "x"}, format="json", HTTP_IF_MATCH=f"W/{etag}")
    assert response.status_code == 412
    assert "without W/" in response.json()["detail"]


def test_any_of_several_tags_may_match(writer, demand_url):
    etag = writer.get(demand_url)["ETag"]
    response = writer.patch(
        demand_url, {"text": "Listed"}, format="json", HTTP_IF_MATCH=f'"old", W/"weak", {etag}'
    )
    assert response.status_code == 200, response.content


def test_a_star_is_a_deliberate_overwrite_of_whatever_stands(writer, demand_url):
    response = writer.patch(demand_url, {"text": "Overwrite"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200
    assert response.json()["text"] == "Overwrite"


@pytest.mark.parametrize("header", ["abc123", '"unclosed', '"a" "b"', '"a",,'])
def test_an_unreadable_if_match_is_a_400_naming_the_header(writer, demand_url, header):
    response = writer.patch(demand_url, {"text": "x"}, format="json", HTTP_IF_MATCH=header)
    assert response.status_code == 400
    assert "double quotes" in response.json()["If-Match"][0]


def test_an_unknown_record_is_a_404_before_any_precondition(writer, talks):
    assert writer.patch(f"{TALKS}/demands/999999/", {}, format="json").status_code == 404


def test_the_preconditions_come_after_the_permission_check(api, analyst, talks):
    api.force_authenticate(analyst)  # analysts may not delete parties
    assert api.delete("/api/v1/parties/mediator/").status_code == 403


def test_a_created_record_answers_with_the_etag_its_get_gives(writer, talks):
    response = writer.post(
        "/api/v1/parties/",
        {"slug": "newland", "name": "Newland", "short_name": "NL", "kind": "state"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response["ETag"] == writer.get(response.json()["url"])["ETag"]


def test_a_412_asked_for_as_csv_still_answers_json(writer, demand_url):
    stale = writer.get(demand_url)["ETag"]
    writer.patch(demand_url, {"text": "Moved on"}, format="json", HTTP_IF_MATCH=stale)
    response = writer.patch(
        f"{demand_url}?format=csv", {"text": "x"}, format="json", HTTP_IF_MATCH=stale
    )
    assert response.status_code == 412
    assert response.json()["current"]["text"] == "Moved on"


def test_the_schema_declares_etag_if_match_412_and_428(api):
    paths = api.get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    demand = paths["/api/v1/negotiations/{negotiation}/demands/{id}/"]
    assert "ETag" in demand["get"]["responses"]["200"]["headers"]
    for method in ("put", "patch", "delete"):
        operation = demand[method]
        header = next(p for p in operation["parameters"] if p["name"] == "If-Match")
        assert header["in"] == "header" and header["required"] is True
        assert {"412", "428"} <= set(operation["responses"])
        failed = operation["responses"]["412"]["content"]["application/json"]["schema"]
        assert failed["properties"]["current"] == {"$ref": "#/components/schemas/Demand"}
    created = paths["/api/v1/negotiations/{negotiation}/demands/"]["post"]["responses"]["201"]
    assert "ETag" in created["headers"]
    assert "ETag" in paths["/api/v1/plans/{plan}/"]["get"]["responses"]["200"]["headers"]
