"""Every record can be browsed by slug, with relations shown by slug and name."""

import pytest

pytestmark = pytest.mark.django_db

BASE = "/api/v1"


def test_root_lists_every_collection_the_schema_and_the_docs(api):
    links = api.get(f"{BASE}/").json()
    assert set(links) == {
        "negotiations",
        "parties",
        "sources",
        "rounds",
        "issues",
        "demands",
        "concessions",
        "schema",
        "docs",
    }
    for url in links.values():
        assert api.get(url).status_code == 200, url


def test_negotiation_shows_participants_and_links_to_its_views(api, talks):
    negotiation = api.get(f"{BASE}/negotiations/test-talks/").json()
    assert negotiation["url"] == "http://testserver/api/v1/negotiations/test-talks/"
    assert negotiation["html_url"] == "http://testserver" + talks.negotiation.get_absolute_url()
    roles = {p["party"]["slug"]: p["role"] for p in negotiation["participants"]}
    assert roles == {"north": "principal", "south": "principal", "mediator": "mediator"}
    links = negotiation["links"]
    assert links["positions"].endswith("/api/v1/negotiations/test-talks/positions/")
    assert links["rounds"].endswith("/api/v1/negotiations/test-talks/rounds/")


def test_round_lives_under_its_negotiation(api, talks):
    response = api.get(f"{BASE}/negotiations/test-talks/rounds/r2/")
    assert response.status_code == 200
    round = response.json()
    assert round["slug"] == "r2"
    assert round["negotiation"]["slug"] == "test-talks"
    assert round["date_display"] == "1 February 2025"
    assert round["url"] == "http://testserver/api/v1/negotiations/test-talks/rounds/r2/"
    assert round["html_url"] == "http://testserver" + talks.r2.get_absolute_url()
    assert len(round["sources"]) == 1 and round["sources"][0]["slug"]


def test_same_round_slug_in_two_negotiations_keeps_distinct_addresses(api, talks):
    from tests.factories import NegotiationFactory, RoundFactory

    other = NegotiationFactory(slug="other-talks")
    RoundFactory(negotiation=other, slug="r2", title="Another round two")
    assert api.get(f"{BASE}/negotiations/other-talks/rounds/r2/").json()["title"] == (
        "Another round two"
    )
    assert api.get(f"{BASE}/negotiations/test-talks/rounds/r2/").json()["title"] == "Round 2"


def test_issue_shows_its_scale(api, talks):
    issue = api.get(f"{BASE}/negotiations/test-talks/issues/prisoners/").json()
    assert [(s["value"], s["label"]) for s in issue["stances"]] == [
        (0, "no exchange"),
        (1, "partial"),
        (2, "all-for-all"),
    ]
    assert issue["category"] == "humanitarian"


def test_demand_names_party_issue_round_stance_and_sources(api, talks):
    demand = talks.demand(talks.north, talks.border, talks.r1)
    payload = api.get(f"{BASE}/negotiations/test-talks/demands/{demand.pk}/").json()
    assert payload["party"]["slug"] == "north" and payload["party"]["name"] == "Northland"
    assert payload["issue"]["slug"] == "border" and payload["issue"]["title"] == "Border line"
    assert payload["round"]["slug"] == "r1" and payload["round"]["title"] == "Round 1"
    assert payload["stance"] == {"value": 4, "label": "all"}
    assert payload["priority"] == "red_line"
    assert [s["slug"] for s in payload["sources"]] == [s.slug for s in demand.sources.all()]
    assert payload["html_url"] == "http://testserver" + talks.r1.get_absolute_url()


def test_retracted_demand_has_no_stance(api, talks):
    demand = talks.demand(talks.north, talks.prisoners, talks.r3)
    payload = api.get(f"{BASE}/negotiations/test-talks/demands/{demand.pk}/").json()
    assert payload["status"] == "retracted"
    assert payload["stance"] is None


def test_concession_links_the_demand_it_softens_and_its_condition(api, talks):
    concession = talks.north_border_r3_concession
    payload = api.get(f"{BASE}/negotiations/test-talks/concessions/{concession.pk}/").json()
    assert payload["softens"]["id"] == concession.softens_id
    assert payload["softens"]["party"] == "north"
    assert payload["in_return_for"]["party"] == "south"
    assert payload["conditions"] == "If south recognises the new line"


def test_party_and_source_have_global_slugs(api, talks):
    party = api.get(f"{BASE}/parties/north/").json()
    assert party["short_name"] == "NO" and party["colour"] == "#1f77b4"
    source = talks.r1.sources.get()
    payload = api.get(f"{BASE}/sources/{source.slug}/").json()
    assert payload["address"] == source.url
    assert payload["url"] == f"http://testserver/api/v1/sources/{source.slug}/"


def test_demand_of_another_negotiation_is_not_found_under_this_one(api, talks):
    from tests.factories import NegotiationFactory

    NegotiationFactory(slug="other-talks")
    demand = talks.demand(talks.north, talks.border, talks.r1)
    response = api.get(f"{BASE}/negotiations/other-talks/demands/{demand.pk}/")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_unknown_negotiation_is_a_json_404_naming_it(api, talks):
    response = api.get(f"{BASE}/negotiations/atlantis/rounds/")
    assert response.status_code == 404
    assert "atlantis" in response.json()["detail"]


def test_unknown_address_under_the_api_is_a_json_404(api):
    response = api.get(f"{BASE}/treaties/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "/api/v1/" in response.json()["detail"]


def test_non_numeric_demand_id_is_a_json_404(api, talks):
    response = api.get(f"{BASE}/negotiations/test-talks/demands/first/")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_browsable_api_renders_for_a_browser(api, talks):
    response = api.get(f"{BASE}/demands/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"Northland" in response.content
