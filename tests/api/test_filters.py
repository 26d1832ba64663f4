"""Filters narrow the lists; a bad filter is a 400 naming the parameter, never a quiet 200."""

import pytest

from tests.factories import DemandFactory, NegotiationFactory, RoundFactory

pytestmark = pytest.mark.django_db

DEMANDS = "/api/v1/demands/"


def texts(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [record["text"] for record in response.json()["results"]]


def test_demands_filter_by_party_and_issue(api, talks):
    found = texts(api.get(DEMANDS, {"party": "south", "issue": "border"}))
    assert found == ["Not one field", "A little, for peace", "A little, and only for peace"]


def test_a_repeated_parameter_means_any_of_its_values(api, talks):
    found = texts(api.get(DEMANDS, {"round": ["r2", "r3"], "party": "north"}))
    assert found == [
        "Exchange all for all",
        "Most of the border land",
        "No longer asks for an exchange",
    ]


def test_demands_filter_by_round_date_range(api, talks):
    found = texts(api.get(DEMANDS, {"after": "2025-02-01", "before": "2025-03-31"}))
    assert "All of the border land" not in found  # 1 January
    assert "All of it after all" not in found  # 1 April
    assert "Exchange all for all" in found and "Most of the border land" in found


def test_demands_filter_by_stance_range_priority_and_status(api, talks):
    assert texts(api.get(DEMANDS, {"stance_min": 3})) == [
        "All of the border land",
        "Most of the border land",
        "All of it after all",
    ]
    assert texts(api.get(DEMANDS, {"stance_max": 0})) == ["Not one field"]
    assert texts(api.get(DEMANDS, {"priority": "red_line"})) == ["All of the border land"]
    assert texts(api.get(DEMANDS, {"status": "retracted"})) == ["No longer asks for an exchange"]


def test_demands_filter_by_issue_category(api, talks):
    assert texts(api.get(DEMANDS, {"category": "humanitarian"})) == [
        "Exchange all for all",
        "No longer asks for an exchange",
    ]


def test_full_text_search_matches_words_in_statements(api, talks):
    assert texts(api.get(DEMANDS, {"search": "peace little"})) == [
        "A little, for peace",
        "A little, and only for peace",
    ]
    concessions = api.get("/api/v1/concessions/", {"search": "recognises"}).json()["results"]
    assert [c["text"] for c in concessions] == ["Would settle for most of the land"]


def test_ordering_by_date_descending(api, talks):
    found = texts(api.get(DEMANDS, {"ordering": "-date", "party": "north", "issue": "border"}))
    assert found == ["All of it after all", "Most of the border land", "All of the border land"]


def test_rounds_filter_by_negotiation_and_dates(api, talks):
    other = NegotiationFactory(slug="other-talks")
    RoundFactory(negotiation=other, slug="elsewhere", start_date="2025-02-15")
    response = api.get("/api/v1/rounds/", {"negotiation": "test-talks", "after": "2025-02-01"})
    assert [r["slug"] for r in response.json()["results"]] == ["r2", "r3", "r4"]
    response = api.get("/api/v1/rounds/", {"after": "2025-02-10", "before": "2025-02-20"})
    assert [r["slug"] for r in response.json()["results"]] == ["elsewhere"]


def test_round_slug_is_read_within_the_negotiation_asked_about(api, talks):
    other = NegotiationFactory(slug="other-talks")
    RoundFactory(negotiation=other, slug="lonely")
    response = api.get(DEMANDS, {"negotiation": "test-talks", "round": "lonely"})
    assert response.status_code == 400
    assert "lonely" in response.json()["round"][0]
    nested = api.get("/api/v1/negotiations/test-talks/demands/", {"round": "lonely"})
    assert nested.status_code == 400


def test_issues_filter_by_category_and_sources_by_negotiation(api, talks):
    issues = api.get("/api/v1/issues/", {"category": "territory"}).json()["results"]
    assert [i["slug"] for i in issues] == ["border"]
    cited = api.get("/api/v1/sources/", {"negotiation": "test-talks", "page_size": 1000})
    assert len(cited.json()["results"]) > 0
    NegotiationFactory(slug="quiet-talks")
    quiet = api.get("/api/v1/sources/", {"negotiation": "quiet-talks"})
    assert quiet.json()["results"] == []


def test_parties_filter_by_negotiation(api, talks):
    from tests.factories import PartyFactory

    PartyFactory(slug="bystander")
    parties = api.get("/api/v1/parties/", {"negotiation": "test-talks"}).json()["results"]
    assert sorted(p["slug"] for p in parties) == ["mediator", "north", "south"]


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("party", "atlantis"),
        ("issue", "fishing-rights"),
        ("round", "r9"),
        ("negotiation", "no-such-talks"),
        ("source", "rumour-mill"),
    ],
)
def test_unknown_slug_is_a_400_naming_the_parameter(api, talks, parameter, value):
    response = api.get(DEMANDS, {parameter: value})
    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == [parameter]
    assert value in errors[parameter][0]


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("after", "yesterday"),
        ("before", "2025-13-45"),
        ("stance_min", "high"),
        ("status", "rumoured"),
        ("priority", "urgent"),
        ("category", "weather"),
        ("page_size", "lots"),
        ("page_size", "0"),
        ("cursor", "not-a-cursor"),
        ("ordering", "text"),
    ],
)
def test_malformed_value_is_a_400_naming_the_parameter(api, talks, parameter, value):
    response = api.get(DEMANDS, {parameter: value})
    assert response.status_code == 400
    assert parameter in response.json()


def test_unknown_parameter_is_a_400_not_an_unfiltered_list(api, talks):
    response = api.get(DEMANDS, {"partie": "north"})
    assert response.status_code == 400
    message = response.json()["partie"][0]
    assert "party" in message  # lists what the endpoint does take


def test_a_crafted_cursor_is_a_400(api, talks):
    import base64

    cursor = base64.b64encode(b"p=not-a-date").decode()
    response = api.get(DEMANDS, {"cursor": cursor})
    assert response.status_code == 400
    assert "cursor" in response.json()


@pytest.mark.parametrize("parameter", ["party", "search", "round"])
def test_null_character_in_a_parameter_is_a_400(api, talks, parameter):
    response = api.get(DEMANDS, {parameter: "north\x00"})
    assert response.status_code == 400
    assert parameter in response.json()


def test_date_filters_read_an_imprecise_date_by_its_first_day(api, talks):
    """`after`/`before` compare the start date: the first day the date can mean (docs/api.md)."""
    other = NegotiationFactory(slug="vague-talks")
    for sequence, (slug, precision, part, start, end) in enumerate(
        [
            ("august", "month", "", "2025-08-01", None),  # "August 2025"
            ("august-to-december", "month", "", "2025-08-01", "2025-12-01"),  # "August–December"
            ("late-summer", "season", "late", "2025-08-01", None),  # "late summer 2025"
            ("in-2025", "year", "", "2025-01-01", None),  # "2025"
        ]
    ):
        RoundFactory(
            negotiation=other,
            slug=slug,
            date_precision=precision,
            date_part=part,
            start_date=start,
            end_date=end,
            sequence=sequence,
        )

    def found(**dates) -> set[str]:
        response = api.get("/api/v1/negotiations/vague-talks/rounds/", dates)
        assert response.status_code == 200, response.content
        return {r["slug"] for r in response.json()["results"]}

    # A date that may reach past the bound still counts only by its first day...
    assert found(before="2025-08-01") == {"august", "august-to-december", "late-summer", "in-2025"}
    assert found(after="2025-08-02") == set()
    # ...so "2025" is not "after 1 March 2025", and a period is not found by its later months.
    assert found(after="2025-03-01") == {"august", "august-to-december", "late-summer"}
    assert found(after="2025-10-01", before="2025-10-31") == set()
    assert found(before="2025-01-01") == {"in-2025"}
    # Demands and concessions are filtered by the same date of their round.
    demand = DemandFactory(
        party=talks.south, issue=talks.prisoners, round=talks.r1, text="First-day demand"
    )
    assert demand.round.start_date.isoformat() == "2025-01-01"
    assert "First-day demand" in texts(api.get(DEMANDS, {"before": "2025-01-01"}))
