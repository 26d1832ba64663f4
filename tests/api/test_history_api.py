"""Public history through the API: every saved version of a record, readable, no staff names.

docs/api.md, "History". Runs on SQLite and on PostgreSQL.
"""

import pytest
from simple_history.utils import update_change_reason

from negotiations.models import Party
from tests.api.conftest import body, csv_rows, if_match
from tests.factories import PartyFactory, SourceFactory

pytestmark = pytest.mark.django_db

TALKS = "/api/v1/negotiations/test-talks"


@pytest.fixture
def edited_demand(api, talks, editor):
    """North's r1 demand on the border, edited once by an editor through the API."""
    demand = talks.demand(talks.north, talks.border, talks.r1)
    url = f"{TALKS}/demands/{demand.pk}/"
    api.force_authenticate(editor)
    response = api.patch(
        url,
        {"text": "Most of the border land", "stance": 3, "priority": "core"},
        format="json",
        **if_match(api, url),
    )
    assert response.status_code == 200, response.content
    api.force_authenticate(None)
    return demand


def test_a_demand_s_history_lists_each_version_with_readable_changes(api, edited_demand):
    response = api.get(f"{TALKS}/demands/{edited_demand.pk}/history/")
    assert response.status_code == 200
    created, changed = response.json()["results"]

    assert created["change"] == "created"
    assert created["role"] is None  # the loader, a script: no staff member
    set_at_creation = {c["field"]: c["new"] for c in created["changes"]}
    assert set_at_creation["party"] == "north"  # a relation by its slug
    assert set_at_creation["round"] == "r1"
    assert set_at_creation["stance"] == "4: all"  # a stance as "value: label"
    assert set_at_creation["priority"] == "red line"  # a choice by its label
    assert all(c["old"] is None for c in created["changes"])

    assert changed["change"] == "changed"
    assert changed["role"] == "Editor"
    assert {c["field"]: (c["old"], c["new"]) for c in changed["changes"]} == {
        "text": ("All of the border land", "Most of the border land"),
        "stance": ("4: all", "3: most"),
        "priority": ("red line", "core"),
    }
    assert changed["changes"][0]["label"] in {"text", "stance", "priority"}
    assert created["date"] <= changed["date"]


def test_no_staff_name_or_address_leaks_in_json_or_csv(api, edited_demand, editor):
    url = f"{TALKS}/demands/{edited_demand.pk}/history/"
    for answer in (api.get(url), api.get(url, {"format": "csv"})):
        text = body(answer).decode()
        assert "Editor" in text
        for private in (editor.username, editor.email, "erin"):
            assert private not in text


def test_the_change_reason_is_shown(api, talks):
    party = Party.objects.get(slug="south")
    party.name = "Southland Republic"
    party.save()
    update_change_reason(party, "Renamed after the referendum")

    versions = api.get("/api/v1/parties/south/history/").json()["results"]

    assert versions[-1]["reason"] == "Renamed after the referendum"
    assert versions[-1]["changes"] == [
        {"field": "name", "label": "name", "old": "Southland", "new": "Southland Republic"}
    ]
    assert versions[0]["reason"] is None


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/negotiations/test-talks/history/",
        "/api/v1/parties/north/history/",
        f"{TALKS}/rounds/r2/history/",
        f"{TALKS}/issues/border/history/",
    ],
)
def test_every_kind_of_record_has_a_history(api, talks, path):
    response = api.get(path)
    assert response.status_code == 200, response.content
    assert response.json()["results"][0]["change"] == "created"


def test_sources_and_concessions_have_a_history(api, talks):
    source = talks.r1.sources.get()
    concession = talks.north_border_r3_concession
    for path in (
        f"/api/v1/sources/{source.slug}/history/",
        f"{TALKS}/concessions/{concession.pk}/history/",
    ):
        versions = api.get(path).json()["results"]
        assert [v["change"] for v in versions] == ["created"]
    softens = {c["field"]: c["new"] for c in versions[0]["changes"]}["softens"]
    assert softens == str(concession.softens_id)  # a demand has no slug: its id


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/api/v1/parties/atlantis/history/", "No party “atlantis”."),
        ("/api/v1/sources/nowhere/history/", "No source “nowhere”."),
        ("/api/v1/negotiations/atlantis/history/", "No negotiation “atlantis”."),
        (f"{TALKS}/rounds/r9/history/", "No round “r9” in negotiation “test-talks”."),
        (f"{TALKS}/issues/sea/history/", "No issue “sea” in negotiation “test-talks”."),
        (f"{TALKS}/demands/999999/history/", "No demand 999999 in negotiation “test-talks”."),
        (
            f"{TALKS}/concessions/999999/history/",
            "No concession 999999 in negotiation “test-talks”.",
        ),
        ("/api/v1/negotiations/atlantis/rounds/r1/history/", "No negotiation “atlantis”."),
    ],
)
def test_an_unknown_record_is_a_404_saying_so(api, talks, path, message):
    response = api.get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": message}


def test_a_demand_of_another_negotiation_is_not_found_under_this_one(api, talks):
    from tests.factories import NegotiationFactory

    NegotiationFactory(slug="other-talks")
    demand = talks.demand(talks.north, talks.border, talks.r1)
    response = api.get(f"/api/v1/negotiations/other-talks/demands/{demand.pk}/history/")
    assert response.status_code == 404


def test_a_long_history_pages_by_cursor_and_each_version_comes_once(api, db):
    party = PartyFactory(slug="changeable", name="Version 0")
    for n in range(1, 6):
        party.name = f"Version {n}"
        party.save()
    seen, url = [], "/api/v1/parties/changeable/history/?page_size=2"
    while url:
        page = api.get(url).json()
        seen += [{c["field"]: c["new"] for c in v["changes"]}.get("name") for v in page["results"]]
        url = page["next"]
    assert seen == [f"Version {n}" for n in range(6)]
    # Each page's first version still shows what it changed from, across the page boundary.
    second_page = api.get("/api/v1/parties/changeable/history/?page_size=2").json()["next"]
    first_on_it = api.get(second_page).json()["results"][0]
    assert first_on_it["changes"] == [
        {"field": "name", "label": "name", "old": "Version 1", "new": "Version 2"}
    ]
    newest = api.get("/api/v1/parties/changeable/history/", {"ordering": "-date"}).json()
    assert newest["results"][0]["changes"][0]["new"] == "Version 5"


def test_parameters_are_strict_like_every_list(api, talks):
    response = api.get("/api/v1/parties/north/history/", {"user": "erin"})
    assert response.status_code == 400
    assert "user" in response.json()
    assert api.get("/api/v1/parties/north/history/", {"cursor": "junk"}).status_code == 400


def test_history_as_csv_has_a_row_per_version(api, edited_demand):
    url = f"{TALKS}/demands/{edited_demand.pk}/history/"
    response = api.get(url, {"format": "csv"})
    rows = csv_rows(response)
    assert [row["change"] for row in rows] == ["created", "changed"]
    assert rows[1]["changes_field"] == "stance; text; priority"  # in the model's field order
    assert rows[1]["role"] == "Editor"
    assert response["Content-Disposition"] == (
        f'attachment; filename="test-talks-demand-{edited_demand.pk}-history.csv"'
    )
    assert response["Column-Types"].startswith("id=integer, date=datetime, change=string")


def test_history_is_read_only(api, talks, editor):
    api.force_authenticate(editor)
    assert api.post("/api/v1/parties/north/history/", {}, format="json").status_code == 405


def test_the_schema_documents_history(api):
    paths = api.get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    operation = paths["/api/v1/negotiations/{negotiation}/rounds/{round}/history/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"negotiation", "round", "cursor"}
    assert "text/csv" in operation["responses"]["200"]["content"]
    assert "404" in operation["responses"]


def test_a_history_page_costs_the_same_queries_however_many_versions(api, editor, db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(versions: int, slug: str) -> int:
        party = PartyFactory(slug=slug)
        for n in range(versions):
            party.description = f"Edit {n}"
            party._history_user = editor  # as the admin records who saved
            party.save()
        with CaptureQueriesContext(connection) as captured:
            assert api.get(f"/api/v1/parties/{slug}/history/").status_code == 200
        return len(captured)

    assert queries_for(2, "few") == queries_for(12, "many")


def test_a_change_of_sources_alone_lists_the_sources_before_and_after(api, talks):
    demand = talks.demand(talks.north, talks.border, talks.r1)  # loaded: links change on their own
    before = ", ".join(sorted(demand.sources.values_list("slug", flat=True)))
    added = SourceFactory(slug="aa-new-communique")
    demand.sources.add(added)

    versions = api.get(f"{TALKS}/demands/{demand.pk}/history/").json()["results"]

    assert versions[0]["changes"][-1]["field"] == "sources"
    assert versions[0]["changes"][-1]["new"] == before
    assert versions[-1]["changes"] == [
        {
            "field": "sources",
            "label": "sources",
            "old": before,
            "new": ", ".join(sorted([*before.split(", "), "aa-new-communique"])),
        }
    ]


def test_a_round_s_parties_removed_show_as_a_change(api, talks):
    from negotiations.models import Round

    # Loaded afresh each time, so each change of links is a version of its own.
    Round.objects.get(pk=talks.r2.pk).parties.set([talks.north, talks.south])
    Round.objects.get(pk=talks.r2.pk).parties.remove(talks.south)

    versions = api.get(f"{TALKS}/rounds/r2/history/").json()["results"]

    parties = [{c["field"]: (c["old"], c["new"]) for c in v["changes"]} for v in versions]
    assert parties[-1] == {"parties": ("north, south", "north")}


def test_the_history_lists_the_record_s_public_corrections(api, talks, editor):
    import datetime

    from negotiations.models import Correction

    demand = talks.demand(talks.north, talks.border, talks.r1)
    url = f"{TALKS}/demands/{demand.pk}/history/"
    assert api.get(url).json()["corrections"] == []
    Correction.objects.create(
        record=demand,
        kind="withdrawal",
        note="The statement was never made",
        date=datetime.date(2026, 3, 1),
        made_by="Editor",
    )

    body_ = api.get(url).json()

    assert body_["corrections"] == [
        {
            "kind": "withdrawal",
            "note": "The statement was never made",
            "date": "2026-03-01",
            "role": "Editor",
        }
    ]
    assert api.get(f"{TALKS}/rounds/r1/history/").json()["corrections"] == []
