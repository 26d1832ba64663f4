"""The plans API: list and detail, a plan's points, two plans compared, as JSON and CSV."""

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token

from positions.plan_models import Plan, PointLink
from tests.api.conftest import csv_header, csv_rows
from tests.factories import PlanPointFactory

pytestmark = pytest.mark.django_db

PLANS = "/api/v1/plans/"


def test_the_list_gives_each_plan_with_its_chain_and_point_count(api, talk_plans):
    response = api.get(PLANS)

    assert response.status_code == 200
    plans = {p["slug"]: p for p in response.json()["results"]}
    assert set(plans) == {"first-draft", "second-draft"}
    second = plans["second-draft"]
    assert second["previous"]["slug"] == "first-draft"
    assert second["tabled_by"]["slug"] == "south"
    assert second["point_count"] == 3
    assert second["page"].endswith("/test-talks/plans/second-draft/")
    assert second["sources"][0]["address"].startswith("https://")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("negotiation=test-talks", {"first-draft", "second-draft"}),
        ("tabled_by=south", {"second-draft"}),
        ("status=published", {"first-draft", "second-draft"}),
        ("status=leaked", set()),
    ],
)
def test_the_list_filters(api, talk_plans, query, expected):
    response = api.get(f"{PLANS}?{query}")

    assert {p["slug"] for p in response.json()["results"]} == expected


@pytest.mark.parametrize(
    ("query", "name", "words"),
    [
        ("negotiation=nowhere", "negotiation", "No negotiation “nowhere”"),
        ("tabled_by=nobody", "tabled_by", "No party “nobody”"),
        ("status=rumoured", "status", "No status “rumoured”"),
        ("colour=red", "colour", "Unknown parameter"),
    ],
)
def test_bad_parameters_are_refused_by_name(api, talk_plans, query, name, words):
    response = api.get(f"{PLANS}?{query}")

    assert response.status_code == 400
    assert words in " ".join(response.json()[name])


def test_a_plan_comes_with_its_points_in_reading_order(api, talk_plans):
    PlanPointFactory(plan=talk_plans.first, number="10", text="Tenth")
    PlanPointFactory(plan=talk_plans.first, number="2.a", text="Two a")

    response = api.get(f"{PLANS}first-draft/")

    assert response.status_code == 200
    points = response.json()["points"]
    assert [p["number"] for p in points] == ["1", "2", "2.a", "3", "10"]
    assert points[0]["issue"]["slug"] == "border"
    assert points[0]["stance"] == {"value": 4, "label": points[0]["stance"]["label"]}
    assert points[0]["sources"][0]["address"]


def test_an_unknown_plan_is_a_404_that_says_so(api, talk_plans):
    for url in (f"{PLANS}no-such-plan/", f"{PLANS}no-such-plan/points/"):
        response = api.get(url)
        assert response.status_code == 404
        assert response.json()["detail"] == "No plan “no-such-plan”."


def test_a_plans_points_as_csv(api, talk_plans):
    response = api.get(f"{PLANS}second-draft/points/?format=csv")

    rows = csv_rows(response)
    assert [r["number"] for r in rows] == ["1", "2", "4"]
    assert rows[0]["issue_slug"] == "border"
    assert rows[0]["stance_value"] == "3"
    assert rows[0]["sources_address"].startswith("https://")
    assert 'filename="second-draft-points.csv"' in response["Content-Disposition"]


def test_two_plans_compared(api, talk_plans):
    response = api.get(f"{PLANS}first-draft/compare/?with=second-draft")

    assert response.status_code == 200
    data = response.json()
    assert (data["earlier"]["slug"], data["later"]["slug"]) == ("first-draft", "second-draft")
    rows = [(r["kind"], r["earlier_points"], r["later_points"]) for r in data["results"]]
    assert rows == [
        ("reworded", ["1"], ["1"]),
        ("softened", ["2"], ["2"]),
        ("dropped", ["3"], []),
        ("new", [], ["4"]),
    ]
    assert data["results"][0]["issues"] == ["border"]
    assert data["results"][0]["earlier_text"] == "All of the border land goes north"
    assert len(data["results"][0]["sources"]) == 2
    assert set(data["kinds"]) == {*PointLink.Kind.values, "uncoded"}


def test_a_comparison_named_the_other_way_round_still_runs_forward(api, talk_plans):
    forward = api.get(f"{PLANS}first-draft/compare/?with=second-draft").json()
    backward = api.get(f"{PLANS}second-draft/compare/?with=first-draft").json()

    assert backward == forward


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("", "Name the plan to compare with"),
        ("?with=no-such-plan", "No plan “no-such-plan”"),
        ("?with=stray", "not one chain of drafts"),
    ],
)
def test_a_bad_comparison_is_a_400_naming_with(api, talk_plans, query, words):
    Plan.objects.create(
        negotiation=talk_plans.first.negotiation,
        slug="stray",
        title="Stray",
        tabled_by=talk_plans.first.tabled_by,
        date=talk_plans.first.date,
    )

    response = api.get(f"{PLANS}first-draft/compare/{query}")

    assert response.status_code == 400
    assert words in " ".join(response.json()["with"])


def test_a_comparison_refuses_unknown_parameters(api, talk_plans):
    response = api.get(f"{PLANS}first-draft/compare/?with=second-draft&only=changes")

    assert response.status_code == 400
    assert "Unknown parameter" in " ".join(response.json()["only"])


def test_a_comparison_as_csv_has_one_line_per_row_and_a_fixed_header(api, talk_plans):
    response = api.get(f"{PLANS}first-draft/compare/?with=second-draft&format=csv")

    rows = csv_rows(response)
    assert [r["kind"] for r in rows] == ["reworded", "softened", "dropped", "new"]
    assert rows[2]["later_points"] == ""
    assert rows[0]["sources_address"].count("https://") == 2
    assert csv_header(response)[:4] == ["kind", "kind_note", "earlier_points", "later_points"]


def test_plans_are_read_only(api, talk_plans):
    editor = User.objects.create_superuser("ed", "ed@parley.example", "correct horse battery")
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")

    response = api.post(PLANS, {"slug": "x", "title": "X"}, format="json")
    deleted = api.delete(f"{PLANS}first-draft/")

    assert (response.status_code, deleted.status_code) == (405, 405)
    assert Plan.objects.count() == 2


@pytest.mark.parametrize(
    "url",
    [
        PLANS,
        f"{PLANS}second-draft/",
        f"{PLANS}second-draft/points/",
        f"{PLANS}first-draft/compare/?with=second-draft",
        f"{PLANS}first-draft/compare/?with=second-draft&format=csv",
    ],
)
def test_query_counts_do_not_grow_with_the_points(
    api, talk_plans, url, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert api.get(url).status_code == 200
    for n in range(20):
        earlier = PlanPointFactory(plan=talk_plans.first, number=str(20 + n))
        later = PlanPointFactory(plan=talk_plans.second, number=str(20 + n))
        PointLink.objects.create(
            from_plan=talk_plans.first,
            to_plan=talk_plans.second,
            from_point=earlier,
            to_point=later,
            kind="kept",
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert api.get(url).status_code == 200


def test_the_schema_describes_the_plan_endpoints(api):
    schema = api.get("/api/v1/schema/?format=json").json()

    for path in ("/api/v1/plans/", "/api/v1/plans/{plan}/", "/api/v1/plans/{plan}/compare/"):
        assert path in schema["paths"]
    parameters = schema["paths"]["/api/v1/plans/{plan}/compare/"]["get"]["parameters"]
    assert any(p["name"] == "with" and p["required"] for p in parameters)


def test_a_source_cited_by_a_plan_point_cannot_be_deleted(api, talk_plans):
    editor = User.objects.create_superuser("ed", "ed@parley.example", "correct horse battery")
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    source = talk_plans.points["a3"].sources.get()

    url = f"/api/v1/sources/{source.slug}/"

    response = api.delete(url, HTTP_IF_MATCH=api.get(url)["ETag"])

    assert response.status_code == 409
    assert "1 plan point" in response.json()["detail"]
    assert talk_plans.points["a3"].sources.filter(pk=source.pk).exists()
