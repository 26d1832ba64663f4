"""Strict parameters: every query string the API cannot read exactly is a 400 naming the part."""

import pytest

pytestmark = pytest.mark.django_db

POSITIONS = "/api/v1/negotiations/test-talks/positions/"


def get(api, url: str, query: str = "", **headers):
    return api.get(f"{url}?{query}" if query else url, **headers)


@pytest.mark.parametrize(
    ("url", "query", "parameter"),
    [
        (POSITIONS, "as_of=r1&as_of=r2", "as_of"),
        ("/api/v1/negotiations/test-talks/changes/", "to=r3&to=r4", "to"),
        ("/api/v1/demands/", "after=2025-01-01&after=2025-02-01", "after"),
        ("/api/v1/demands/", "page_size=2&page_size=3", "page_size"),
        ("/api/v1/sources/", "outlet=Reuters&outlet=AP", "outlet"),
        ("/api/v1/demands/", "format=json&format=csv", "format"),
    ],
)
def test_a_single_valued_parameter_given_twice_is_a_400(api, talks, url, query, parameter):
    response = get(api, url, query)
    assert response.status_code == 400
    assert response.json() == {parameter: ["Given 2 times; give one value."]}


def test_filters_for_any_of_several_values_may_repeat(api, talks):
    response = get(api, "/api/v1/demands/", "party=north&party=south")
    assert response.status_code == 200
    assert {d["party"]["slug"] for d in response.json()["results"]} == {"north", "south"}


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        (POSITIONS, "as_of"),
        ("/api/v1/demands/", "party"),
        ("/api/v1/demands/", "after"),
        ("/api/v1/demands/", "search"),
        ("/api/v1/rounds/", "cursor"),
    ],
)
def test_an_empty_value_is_a_400_not_the_default(api, talks, url, parameter):
    response = get(api, url, f"{parameter}=")
    assert response.status_code == 400
    assert "Empty value" in response.json()[parameter][0]


@pytest.mark.parametrize("ordering", ["date,-date", "date,date", "-date,id"])
def test_long_lists_take_one_ordering(api, talks, ordering):
    response = get(api, "/api/v1/demands/", f"ordering={ordering}")
    assert response.status_code == 400
    assert response.json()["ordering"] == ["Give one of date or -date; this list has one order."]


def test_short_lists_take_an_ordering_list_naming_each_field_once(api, talks):
    assert get(api, "/api/v1/parties/", "ordering=short_name,-name").status_code == 200
    response = get(api, "/api/v1/parties/", "ordering=name,-name")
    assert response.status_code == 400
    assert "name, short_name, slug" in response.json()["ordering"][0]


@pytest.mark.parametrize("url", ["/api/v1/demands/", POSITIONS, "/api/v1/parties/north/"])
def test_an_unknown_format_is_a_400_listing_the_formats(api, talks, url):
    response = get(api, url, "format=xlsx")
    assert response.status_code == 400
    assert response.json() == {"format": ["No format “xlsx”; choose csv or json."]}


def test_an_accept_header_the_api_cannot_serve_is_a_406_listing_what_it_can(api, talks):
    response = api.get("/api/v1/demands/", HTTP_ACCEPT="application/xml")
    assert response.status_code == 406
    assert response["Content-Type"] == "application/json"
    assert "application/json or text/csv" in response.json()["detail"]


def test_the_unknown_parameter_message_lists_what_the_endpoint_takes(api, talks):
    response = get(api, POSITIONS, "asof=r2")
    assert response.json() == {
        "asof": ["Unknown parameter; this endpoint takes as_of (and format)."]
    }


def test_an_endpoint_without_parameters_says_it_takes_none(api, talks):
    response = get(api, "/api/v1/parties/north/", "expand=all")
    assert response.status_code == 400
    assert response.json() == {
        "expand": ["Unknown parameter; this endpoint takes no parameters (except format)."]
    }
