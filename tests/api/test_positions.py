"""The product's two questions through the API: where everyone stands, and what moved."""

import datetime
from email.utils import parsedate_to_datetime

import pytest

from tests.api.conftest import csv_rows
from tests.factories import DemandFactory

pytestmark = pytest.mark.django_db

TALKS = "/api/v1/negotiations/test-talks"


def cell(payload, party: str, issue: str) -> dict:
    (found,) = [
        row
        for row in payload["results"]
        if row["party"]["slug"] == party and row["issue"]["slug"] == issue
    ]
    return found


def change(payload, party: str, issue: str) -> dict:
    return cell(payload, party, issue)


def test_positions_default_to_the_latest_round(api, talks):
    payload = api.get(f"{TALKS}/positions/").json()
    assert payload["as_of"]["slug"] == "r4"
    assert [p["slug"] for p in payload["parties"]] == ["north", "south"]
    assert len(payload["results"]) == 2 * 2  # principals × issues


def test_a_demand_stands_until_restated(api, talks):
    payload = api.get(f"{TALKS}/positions/", {"as_of": "r3"}).json()
    south = cell(payload, "south", "border")
    assert south["stated"] is True
    assert south["demand"]["stance"] == {"value": 1, "label": "little"}
    assert south["demand"]["round"]["slug"] == "r2"  # south skipped r3: its r2 demand stands


def test_a_retraction_stands_without_a_stance(api, talks):
    north = cell(api.get(f"{TALKS}/positions/", {"as_of": "r4"}).json(), "north", "prisoners")
    assert north["stated"] is False
    assert north["demand"]["status"] == "retracted" and north["demand"]["stance"] is None


def test_nothing_said_yet_is_an_empty_cell(api, talks):
    north = cell(api.get(f"{TALKS}/positions/", {"as_of": "r1"}).json(), "north", "prisoners")
    assert north["demand"] is None and north["stated"] is False


def test_positions_carry_the_gap_per_issue(api, talks):
    gaps = {g["issue"]["slug"]: g for g in api.get(f"{TALKS}/positions/").json()["gaps"]}
    assert gaps["border"]["spread"] == 3 and gaps["border"]["normalised"] == 0.75
    assert gaps["border"]["stances"] == {"north": 4, "south": 1}
    assert gaps["prisoners"]["spread"] is None  # fewer than two placed stances


def test_unknown_as_of_round_is_a_400_naming_it(api, talks):
    response = api.get(f"{TALKS}/positions/", {"as_of": "r9"})
    assert response.status_code == 400
    assert "r9" in response.json()["as_of"][0]


def test_changes_classify_each_move(api, talks):
    payload = api.get(f"{TALKS}/changes/", {"from": "r2", "to": "r3"}).json()
    north = change(payload, "north", "border")
    assert north["kind"] == "softened"
    assert north["stance_delta"] == -1
    assert north["toward"] == ["south"] and north["away_from"] == []
    assert north["before"]["stance"]["value"] == 4 and north["after"]["stance"]["value"] == 3
    assert [c["text"] for c in north["concessions"]] == ["Would settle for most of the land"]
    assert change(payload, "north", "prisoners")["kind"] == "retracted"
    assert change(payload, "south", "border")["kind"] == "unchanged"


def test_changes_default_to_the_last_two_rounds(api, talks):
    payload = api.get(f"{TALKS}/changes/").json()
    assert (payload["from_round"]["slug"], payload["to_round"]["slug"]) == ("r3", "r4")
    assert change(payload, "north", "border")["kind"] == "hardened"
    assert change(payload, "south", "border")["kind"] == "restated"


def test_changes_can_leave_out_issues_where_nobody_moved(api, talks):
    payload = api.get(f"{TALKS}/changes/", {"from": "r3", "to": "r4", "moved_only": "true"}).json()
    assert {row["issue"]["slug"] for row in payload["results"]} == {"border"}


def test_reversed_rounds_are_a_400_saying_to_swap_them(api, talks):
    response = api.get(f"{TALKS}/changes/", {"from": "r4", "to": "r1"})
    assert response.status_code == 400
    assert "swap" in response.json()["from"][0]


@pytest.mark.parametrize("parameter", ["from", "to"])
def test_unknown_round_in_changes_is_a_400_naming_the_parameter(api, talks, parameter):
    response = api.get(f"{TALKS}/changes/", {parameter: "r9"})
    assert response.status_code == 400
    assert "r9" in response.json()[parameter][0]


def test_first_round_has_nothing_before_it_to_compare(api, talks):
    response = api.get(f"{TALKS}/changes/", {"to": "r1"})
    assert response.status_code == 400
    assert "first round" in response.json()["from"][0]


def test_gaps_per_issue_and_round(api, talks):
    payload = api.get(f"{TALKS}/gaps/").json()
    border = [g for g in payload["results"] if g["issue"]["slug"] == "border"]
    assert [(g["round"]["slug"], g["spread"]) for g in border] == [
        ("r1", 4),
        ("r2", 3),
        ("r3", 2),
        ("r4", 3),
    ]
    assert border[2]["normalised"] == 0.5


def test_negotiation_without_rounds_has_no_positions_and_no_changes(api, db):
    from tests.factories import NegotiationFactory

    NegotiationFactory(slug="empty-talks")
    positions = api.get("/api/v1/negotiations/empty-talks/positions/").json()
    assert positions["as_of"] is None and positions["results"] == []
    response = api.get("/api/v1/negotiations/empty-talks/changes/")
    assert response.status_code == 400
    assert "no rounds" in response.json()["to"][0]


def test_cite_gives_title_version_addresses_and_a_citation(api, talks):
    payload = api.get(f"{TALKS}/cite/").json()
    assert payload["title"] == "Test talks"
    assert payload["version"] and payload["date"] == payload["version"][:10]
    assert payload["url"] == "http://testserver/api/v1/negotiations/test-talks/"
    assert "Test talks" in payload["citation"] and payload["date"] in payload["citation"]
    assert payload["bibtex"].startswith("@misc{parley-test-talks-")


def test_cite_version_moves_when_a_demand_is_deleted(api, talks):
    from django.utils import timezone

    before = api.get(f"{TALKS}/cite/").json()["version"]
    later = timezone.now() + datetime.timedelta(days=3)
    demand = talks.demand(talks.south, talks.border, talks.r4)
    demand._history_date = later  # what simple_history records as the time of the delete
    demand.delete()
    after = api.get(f"{TALKS}/cite/").json()["version"]
    assert after > before
    assert after.startswith(later.date().isoformat())


class TestDatasetFacts:
    """Facts from the source article, read back through the API."""

    BASE = "/api/v1/negotiations/russia-ukraine-2025"

    def stance(self, api, *, as_of: str, party: str, issue: str) -> dict | None:
        response = api.get(f"{self.BASE}/positions/", {"as_of": as_of})
        assert response.status_code == 200, response.content
        demand = cell(response.json(), party, issue)["demand"]
        return demand["stance"] if demand else None

    def test_before_alaska_the_us_wanted_a_ceasefire_first(self, api, dataset):
        stance = self.stance(
            api, as_of="eve-of-alaska", party="united-states", issue="ceasefire-sequencing"
        )
        assert stance["label"] == "Immediate general ceasefire as a condition for talks"

    def test_at_alaska_the_us_accepted_russias_order(self, api, dataset):
        us = self.stance(
            api, as_of="alaska-summit", party="united-states", issue="ceasefire-sequencing"
        )
        russia = self.stance(
            api, as_of="alaska-summit", party="russia", issue="ceasefire-sequencing"
        )
        assert us["label"] == "Negotiate the settlement first, then agree ceasefire terms"
        assert us == russia
        payload = api.get(
            f"{self.BASE}/changes/", {"from": "eve-of-alaska", "to": "alaska-summit"}
        ).json()
        moved = change(payload, "united-states", "ceasefire-sequencing")
        assert moved["stance_delta"] > 0
        assert "russia" in moved["toward"]

    def test_russias_late_spring_conditions(self, api, dataset):
        response = api.get(
            "/api/v1/demands/",
            {"negotiation": "russia-ukraine-2025", "party": "russia", "round": "moscow-conditions"},
        )
        issues = {d["issue"]["slug"] for d in response.json()["results"]}
        assert {
            "nato-membership",
            "military-aid",
            "donbas-withdrawal",
            "elections",
            "language",
        } <= (issues)

    def test_in_mid_march_russia_halted_energy_strikes_but_refused_a_general_ceasefire(
        self, api, dataset
    ):
        round = api.get(f"{self.BASE}/rounds/energy-strike-moratorium-call/").json()
        assert round["date_display"] == "mid-March 2025"
        demands = api.get(
            f"{self.BASE}/demands/",
            {"party": "russia", "round": "energy-strike-moratorium-call"},
        ).json()["results"]
        by_issue = {d["issue"]["slug"]: d for d in demands}
        # Russia's consent to the 30-day halt is a concession, not a demand (issue 7).
        assert "energy-strikes" not in by_issue
        concessions = api.get(
            f"{self.BASE}/concessions/",
            {"party": "russia", "round": "energy-strike-moratorium-call"},
        ).json()["results"]
        assert [c["issue"]["slug"] for c in concessions] == ["energy-strikes"]
        ceasefire = self.stance(
            api,
            as_of="energy-strike-moratorium-call",
            party="russia",
            issue="ceasefire-sequencing",
        )
        assert ceasefire["label"] != "Immediate general ceasefire as a condition for talks"


SAME_ROUND = "Pick two different rounds to compare."


@pytest.mark.parametrize(
    "params",
    [{"from": "r2", "to": "r2"}, {"from": "r4"}],  # `to` defaults to the latest round, r4
)
@pytest.mark.parametrize("format", ["json", "csv"])
def test_comparing_a_round_with_itself_is_a_400_saying_so(api, talks, params, format):
    response = api.get(f"{TALKS}/changes/", {**params, "format": format})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"  # errors are JSON, CSV asked or not
    assert SAME_ROUND in response.json()["from"][0]


def test_changes_default_from_the_round_just_before_in_round_order(api, talks):
    from tests.factories import RoundFactory

    day = datetime.date(2025, 5, 1)
    later = RoundFactory(negotiation=talks.negotiation, slug="r5b", start_date=day, sequence=2)
    RoundFactory(negotiation=talks.negotiation, slug="r5a", start_date=day, sequence=1)
    assert later.pk < talks.negotiation.rounds.get(slug="r5a").pk
    payload = api.get(f"{TALKS}/changes/", {"to": "r5b"}).json()
    assert (payload["from_round"]["slug"], payload["to_round"]["slug"]) == ("r5a", "r5b")
    payload = api.get(f"{TALKS}/changes/", {"to": "r5a"}).json()
    assert payload["from_round"]["slug"] == "r4"


def test_gaps_columns_are_the_principals_only(api, talks):
    payload = api.get(f"{TALKS}/gaps/").json()
    assert [p["slug"] for p in payload["parties"]] == ["north", "south"]  # not the mediator
    assert all(set(g["stances"]) <= {"north", "south"} for g in payload["results"])


def page_data_as_of(api, slug: str) -> datetime.datetime:
    """The reader page's validator: when its data last changed (Last-Modified, to the second)."""
    page = api.get(f"/{slug}/")
    assert page.status_code == 200
    return parsedate_to_datetime(page["Last-Modified"])


def cited_version(api, slug: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(
        api.get(f"/api/v1/negotiations/{slug}/cite/").json()["version"]
    )


def test_cite_version_is_the_pages_data_as_of(api, talks):
    from django.utils import timezone

    version = cited_version(api, "test-talks")
    assert version.replace(microsecond=0) == page_data_as_of(api, "test-talks")
    page = api.get("/test-talks/").content.decode()
    assert f"Data as of {version.day} {version:%B %Y}." in page
    # A shared record (a party, a source) is part of what the page shows: both move together.
    later = timezone.now() + datetime.timedelta(days=5)
    talks.mediator.name = "Mediatoria Republic"
    talks.mediator._history_date = later
    talks.mediator.save()
    version = cited_version(api, "test-talks")
    assert version == later
    assert version.replace(microsecond=0) == page_data_as_of(api, "test-talks")


# --- pairwise gaps -------------------------------------------------------------------------


def test_gaps_between_two_chosen_parties_are_their_distance_over_time(api, talks):
    DemandFactory(
        party=talks.mediator,
        issue=talks.border,
        round=talks.r2,
        stance=talks.border.stances.get(value=2),
    )
    payload = api.get(f"{TALKS}/gaps/?party=mediator&party=north").json()
    assert [p["slug"] for p in payload["parties"]] == ["north", "mediator"]
    border = [g for g in payload["results"] if g["issue"]["slug"] == "border"]
    assert [(g["round"]["slug"], g["spread"], g["normalised"]) for g in border] == [
        ("r1", None, None),  # the mediator has said nothing yet: unknown, not zero
        ("r2", 2, 0.5),
        ("r3", 1, 0.25),
        ("r4", 2, 0.5),
    ]
    assert border[1]["stances"] == {"north": 4, "mediator": 2}


def test_pairwise_gaps_as_csv_name_the_parties(api, talks):
    response = api.get(f"{TALKS}/gaps/?party=south&party=north&format=csv")
    rows = csv_rows(response)
    assert {row["parties"] for row in rows} == {"north; south"}
    assert response["Content-Disposition"].endswith('gaps-parties-north-south.csv"')
    default = csv_rows(api.get(f"{TALKS}/gaps/", {"format": "csv"}))
    assert [row["spread"] for row in rows] == [row["spread"] for row in default]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("party=north", "Name at least two parties"),
        ("party=north&party=north", "Name at least two parties"),
        ("party=north&party=atlantis", "No party “atlantis” in negotiation “test-talks”"),
    ],
)
def test_pairwise_gaps_need_two_parties_of_the_negotiation(api, talks, query, message):
    response = api.get(f"{TALKS}/gaps/?{query}")
    assert response.status_code == 400
    assert response.json()["party"][0].startswith(message)


def test_dataset_us_russia_distance_and_each_issues_pole_side(api, dataset):
    url = "/api/v1/negotiations/russia-ukraine-2025"
    payload = api.get(f"{url}/gaps/?party=united-states&party=russia").json()
    assert [p["slug"] for p in payload["parties"]] == ["united-states", "russia"]
    measured = [g for g in payload["results"] if g["spread"] is not None]
    assert measured and all(set(g["stances"]) == {"united-states", "russia"} for g in measured)
    sides = {
        issue["slug"]: issue["high_pole_side"] and issue["high_pole_side"]["slug"]
        for issue in api.get(f"{url}/issues/").json()["results"]
    }
    assert len(sides) == 25
    assert sides["eastern-territory"] == "russia" and sides["sanctions"] == "ukraine"
    assert sides["prisoners"] is None and sides["peace-plan"] is None
