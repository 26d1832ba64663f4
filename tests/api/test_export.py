"""CSV of every list and view, and the tidy panel, read back as a researcher's tools would."""

import datetime

import pytest

from positions.models import Demand
from tests.api.conftest import body, csv_header, csv_rows
from tests.factories import DemandFactory, RoundFactory, SourceFactory

pytestmark = pytest.mark.django_db

TALKS = "/api/v1/negotiations/test-talks"


def test_demands_as_csv_flatten_nested_records(api, talks):
    rows = csv_rows(api.get("/api/v1/demands/", {"format": "csv"}))
    assert len(rows) == Demand.objects.count()
    first = rows[0]
    assert first["party_slug"] == "north" and first["party_name"] == "Northland"
    assert first["issue_slug"] == "border" and first["round_slug"] == "r1"
    assert first["stance_value"] == "4" and first["stance_label"] == "all"
    assert (
        first["sources_slug"]
        == talks.demand(talks.north, talks.border, talks.r1).sources.get().slug
    )
    assert first["url"].endswith(f"/api/v1/negotiations/test-talks/demands/{first['id']}/")


def test_accept_header_asks_for_csv_too(api, talks):
    response = api.get("/api/v1/rounds/", HTTP_ACCEPT="text/csv")
    assert [row["slug"] for row in csv_rows(response)] == ["r1", "r2", "r3", "r4"]
    assert response["Content-Disposition"] == 'attachment; filename="rounds.csv"'


def test_csv_header_is_the_same_when_no_row_has_a_stance(api, talks):
    with_stance = csv_header(api.get("/api/v1/demands/", {"format": "csv"}))
    without = csv_header(api.get("/api/v1/demands/", {"format": "csv", "status": "retracted"}))
    assert without == with_stance
    assert {"stance_value", "stance_label"} <= set(without)


def test_empty_csv_list_still_has_its_header(api, talks):
    response = api.get("/api/v1/demands/", {"format": "csv", "party": "mediator"})
    assert csv_rows(response) == []
    assert "party_slug" in csv_header(response)


def add_rounds_on_one_day(talks, count: int) -> None:
    """Add `count` rounds sharing one date, each with four demands."""
    for sequence in range(count):
        round = RoundFactory(
            negotiation=talks.negotiation, start_date=datetime.date(2025, 6, 1), sequence=sequence
        )
        for party in (talks.north, talks.south):
            for issue in (talks.border, talks.prisoners):
                DemandFactory(party=party, issue=issue, round=round)


def test_csv_list_holds_every_row_not_one_page(api, talks):
    add_rounds_on_one_day(talks, 30)
    total = Demand.objects.count()
    assert total > 100  # more than one JSON page
    rows = csv_rows(api.get("/api/v1/demands/", {"format": "csv"}))
    assert len({row["id"] for row in rows}) == len(rows) == total


def test_csv_of_a_list_keeps_its_filters(api, talks):
    rows = csv_rows(api.get("/api/v1/demands/", {"format": "csv", "party": "south"}))
    assert {row["party_slug"] for row in rows} == {"south"}


def test_bad_filter_on_a_csv_list_is_a_json_400(api, talks):
    response = api.get("/api/v1/demands/", {"format": "csv", "party": "atlantis"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "atlantis" in response.json()["party"][0]


def test_detail_as_csv_is_one_row(api, talks):
    rows = csv_rows(api.get("/api/v1/parties/north/", {"format": "csv"}))
    assert len(rows) == 1 and rows[0]["short_name"] == "NO"


def test_positions_as_csv_are_the_cells(api, talks):
    rows = csv_rows(api.get(f"{TALKS}/positions/", {"as_of": "r3", "format": "csv"}))
    assert len(rows) == 4
    south = next(r for r in rows if r["party_slug"] == "south" and r["issue_slug"] == "border")
    assert south["demand_stance_value"] == "1"
    assert south["demand_round_slug"] == "r2"
    assert south["stated"] == "TRUE"


def test_changes_as_csv_join_lists_in_one_cell(api, talks):
    rows = csv_rows(api.get(f"{TALKS}/changes/", {"from": "r1", "to": "r3", "format": "csv"}))
    north = next(r for r in rows if r["party_slug"] == "north" and r["issue_slug"] == "border")
    assert north["kind"] == "softened"
    assert north["toward"] == "south"
    assert north["concessions_text"] == "Would settle for most of the land"
    assert north["before_stance_value"] == "4" and north["after_stance_value"] == "3"


def test_gaps_as_csv(api, talks):
    rows = csv_rows(api.get(f"{TALKS}/gaps/", {"format": "csv"}))
    border_r3 = next(r for r in rows if r["issue_slug"] == "border" and r["round_slug"] == "r3")
    assert border_r3["spread"] == "2" and border_r3["normalised"] == "0.5"
    assert border_r3["stances"] == "north=3; south=1"


def test_panel_has_one_row_per_issue_party_and_round(api, talks):
    response = api.get(f"{TALKS}/panel/", {"format": "csv"})
    rows = csv_rows(response)
    assert len(rows) == 2 * 3 * 4  # issues × participants × rounds
    assert len({(r["issue_slug"], r["party_slug"], r["round_slug"]) for r in rows}) == len(rows)
    assert response["Content-Disposition"] == 'attachment; filename="test-talks-panel.csv"'


def test_panel_carries_the_standing_stance_forward(api, talks):
    rows = csv_rows(api.get(f"{TALKS}/panel/", {"format": "csv"}))
    north_border = [
        (r["round_slug"], r["stance_value"], r["stated_round_slug"], r["stated_here"])
        for r in rows
        if r["issue_slug"] == "border" and r["party_slug"] == "north"
    ]
    assert north_border == [
        ("r1", "4", "r1", "TRUE"),
        ("r2", "4", "r1", "FALSE"),  # not restated at r2: the r1 demand stands
        ("r3", "3", "r3", "TRUE"),
        ("r4", "4", "r4", "TRUE"),
    ]
    retracted = next(
        r
        for r in rows
        if (r["issue_slug"], r["party_slug"], r["round_slug"]) == ("prisoners", "north", "r4")
    )
    assert retracted["stance_value"] == "" and retracted["demand_status"] == "retracted"


def test_panel_scales_stances_between_the_poles(api, talks):
    rows = csv_rows(api.get(f"{TALKS}/panel/", {"format": "csv"}))
    south_r2 = next(
        r
        for r in rows
        if (r["issue_slug"], r["party_slug"], r["round_slug"]) == ("border", "south", "r2")
    )
    assert south_r2["stance_scaled"] == "0.25"
    assert (south_r2["scale_min"], south_r2["scale_max"]) == ("0", "4")


def test_panel_json_and_csv_hold_the_same_rows(api, talks):
    json_rows = api.get(f"{TALKS}/panel/").json()["results"]
    csv_data = csv_rows(api.get(f"{TALKS}/panel/", {"format": "csv"}))
    assert [r["round_slug"] for r in json_rows] == [r["round_slug"] for r in csv_data]
    assert list(json_rows[0]) == list(csv_data[0])


def test_dataset_panel_loads_as_a_table(api, dataset):
    response = api.get("/api/v1/negotiations/russia-ukraine-2025/panel/", {"format": "csv"})
    rows = csv_rows(response)
    assert rows
    us_ceasefire = {
        r["round_slug"]: r["stance_label"]
        for r in rows
        if r["party_slug"] == "united-states" and r["issue_slug"] == "ceasefire-sequencing"
    }
    assert us_ceasefire["eve-of-alaska"] == "Immediate general ceasefire as a condition for talks"
    assert us_ceasefire["alaska-summit"] == (
        "Negotiate the settlement first, then agree ceasefire terms"
    )
    assert body(response).decode("utf-8")  # UTF-8 throughout (dashes, quotes in titles)


def test_paging_a_csv_list_is_a_400_not_a_silent_cut(api, talks):
    response = api.get("/api/v1/demands/", {"format": "csv", "page_size": 2})
    assert response.status_code == 400
    assert "every matching row" in response.json()["page_size"][0]


def test_panel_scales_by_the_same_width_as_the_gaps(api, talks):
    """The panel's 0–1 stances and the gaps' `normalised` share the service's scale width."""
    rows = csv_rows(api.get(f"{TALKS}/panel/", {"format": "csv"}))
    gaps = api.get(f"{TALKS}/gaps/").json()["results"]
    for gap in gaps:
        if gap["spread"] is None:
            continue
        scaled = [
            float(r["stance_scaled"])
            for r in rows
            if r["issue_slug"] == gap["issue"]["slug"]
            and r["round_slug"] == gap["round"]["slug"]
            and r["party_role"] == "principal"
            and r["stance_scaled"]
        ]
        assert round(max(scaled) - min(scaled), 3) == gap["normalised"]


# --- self-describing exports ---------------------------------------------------------------


def disposition(response) -> str:
    return response["Content-Disposition"].split('filename="')[1].rstrip('"')


def types_of(response) -> dict[str, str]:
    return dict(item.split("=") for item in response["Column-Types"].split(", "))


def test_positions_csv_carries_its_round_as_a_column_and_in_the_file_name(api, talks):
    response = api.get(f"{TALKS}/positions/", {"as_of": "r2", "format": "csv"})
    rows = csv_rows(response)
    assert csv_header(response)[0] == "as_of"
    assert {row["as_of"] for row in rows} == {"r2"}
    assert disposition(response) == "test-talks-positions-as-of-r2.csv"
    # Left out, as_of is the latest round, and the file says which that was.
    latest = api.get(f"{TALKS}/positions/", {"format": "csv"})
    assert {row["as_of"] for row in csv_rows(latest)} == {"r4"}
    assert disposition(latest) == "test-talks-positions-as-of-r4.csv"


def test_changes_csv_carries_from_and_to(api, talks):
    response = api.get(f"{TALKS}/changes/", {"to": "r3", "format": "csv"})
    rows = csv_rows(response)
    assert csv_header(response)[:2] == ["from", "to"]
    assert {(row["from"], row["to"]) for row in rows} == {("r2", "r3")}
    assert disposition(response) == "test-talks-changes-from-r2-to-r3.csv"


def test_json_answers_keep_their_shape(api, talks):
    payload = api.get(f"{TALKS}/positions/", {"as_of": "r2"}).json()
    assert payload["as_of"]["slug"] == "r2"
    assert "as_of" not in payload["results"][0]


def test_every_csv_says_its_column_types(api, talks):
    demands = api.get("/api/v1/demands/", {"format": "csv"})
    types = types_of(demands)
    assert list(types) == csv_header(demands)
    assert types["id"] == types["stance_value"] == "integer"
    assert types["round_date"] == "date" and types["created_at"] == "datetime"
    assert types["party_slug"] == types["sources_slug"] == "string"
    panel = types_of(api.get(f"{TALKS}/panel/", {"format": "csv"}))
    assert panel["stance_value"] == panel["round_index"] == panel["demand_id"] == "integer"
    assert panel["stance_scaled"] == "number"
    assert panel["stated_here"] == "boolean"
    positions = types_of(api.get(f"{TALKS}/positions/", {"format": "csv"}))
    assert positions["as_of"] == "string" and positions["stated"] == "boolean"


def test_integer_columns_hold_whole_numbers_or_nothing(api, talks):
    """What lets `dtype="Int64"` load them: no "4.0", no "nan"."""
    response = api.get(f"{TALKS}/panel/", {"format": "csv"})
    integers = [name for name, kind in types_of(response).items() if kind == "integer"]
    for row in csv_rows(response):
        for name in integers:
            assert row[name] == "" or row[name].lstrip("-").isdigit(), (name, row[name])


def test_booleans_are_what_r_and_pandas_read_as_logical(api, talks):
    rows = csv_rows(api.get(f"{TALKS}/panel/", {"format": "csv"}))
    assert {row["stated_here"] for row in rows} == {"TRUE", "FALSE"}


def test_panel_filters_by_party_issue_and_round(api, talks):
    response = api.get(
        f"{TALKS}/panel/?party=south&party=north&issue=border&round=r2&round=r4&format=csv"
    )
    rows = csv_rows(response)
    assert [
        (r["issue_slug"], r["party_slug"], r["round_slug"], r["round_index"]) for r in rows
    ] == [
        ("border", "north", "r2", "1"),
        ("border", "north", "r4", "3"),
        ("border", "south", "r2", "1"),
        ("border", "south", "r4", "3"),
    ]
    assert disposition(response) == (
        "test-talks-panel-party-north-south-issue-border-round-r2-r4.csv"
    )


@pytest.mark.parametrize(
    ("query", "parameter", "message"),
    [
        ("party=atlantis", "party", "No party “atlantis” in negotiation “test-talks”; choose"),
        ("issue=water", "issue", "No issue “water”"),
        ("round=r9", "round", "No round “r9”"),
    ],
)
def test_panel_filters_refuse_unknown_slugs(api, talks, query, parameter, message):
    response = api.get(f"{TALKS}/panel/?{query}")
    assert response.status_code == 400
    assert response.json()[parameter][0].startswith(message)


def test_panel_says_which_pole_side_each_issue_has(api, talks):
    talks.border.high_pole_side = talks.north
    talks.border.save()
    rows = api.get(f"{TALKS}/panel/").json()["results"]
    sides = {(row["issue_slug"], row["issue_high_pole_side"]) for row in rows}
    assert sides == {("border", "north"), ("prisoners", None)}


@pytest.mark.parametrize(
    ("outlet", "found"),
    [
        ("New York Times", True),
        ("new york times", True),
        ("Times", True),
        ("The New York Times", True),
        ("York Ti", False),
        ("New York Post", False),
    ],
)
def test_the_outlet_filter_matches_whole_words(api, talks, outlet, found):
    SourceFactory(slug="nyt", outlet="The New York Times")
    slugs = [s["slug"] for s in api.get("/api/v1/sources/", {"outlet": outlet}).json()["results"]]
    assert ("nyt" in slugs) == found


def test_a_whole_table_csv_keeps_few_page_addresses_in_memory(api, talks, monkeypatch):
    """Every source is its own page: the addresses remembered while exporting stay bounded."""
    from negotiations.api import serializers

    monkeypatch.setattr(serializers, "PAGE_URLS_KEPT", 5)
    kept = []
    remember = serializers.page_url

    def page_url(context, obj):
        url = remember(context, obj)
        kept.append(len(context["_page_urls"]))
        return url

    monkeypatch.setattr(serializers, "page_url", page_url)
    for n in range(12):
        SourceFactory(slug=f"extra-source-{n}")
    rows = csv_rows(api.get("/api/v1/sources/?format=csv"))
    assert len(rows) >= 12
    exported = str(rows)
    assert all(f"/sources/extra-source-{n}/" in exported for n in range(12))
    assert max(kept) <= 5
