"""The releases API: list, changelog and diff, as JSON and CSV; pinned reads of every endpoint."""

import pytest

from negotiations.releases import cut_release
from tests.api.conftest import body, csv_rows
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/negotiations/test-talks"


@pytest.fixture(autouse=True)
def known_on_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PARLEY_KNOWN_ON_DIR", str(tmp_path))


@pytest.fixture
def two_releases(talks):
    first = cut_release(talks.negotiation, tag="2026.01", note="First.")
    demand = talks.demand(talks.south, talks.border, talks.r4)
    demand.text = "Some, for peace"
    demand.save()
    demand.sources.add(SourceFactory(slug="wire-2", title="Second wire"))
    second = cut_release(talks.negotiation, tag="2026.02", note="Second.")
    return first, second


def test_the_list_names_each_release_and_how_to_read_it(api, two_releases):
    data = api.get(f"{BASE}/releases/").json()
    assert [r["tag"] for r in data["results"]] == ["2026.02", "2026.01"]
    latest = data["results"][0]
    assert latest["previous"] == "2026.01"
    assert latest["panel_csv_url"].endswith("/panel/?format=csv&release=2026.02")
    assert latest["datapackage_url"].endswith("/datapackage/?release=2026.02")
    assert len(latest["checksum"]) == 64
    rows = csv_rows(api.get(f"{BASE}/releases/?format=csv"))
    assert [row["tag"] for row in rows] == ["2026.02", "2026.01"]


def test_a_release_gives_its_changelog_field_by_field(api, two_releases, talks):
    data = api.get(f"{BASE}/releases/2026.02/").json()
    assert data["release"]["tag"] == "2026.02"
    log = data["changelog"]
    assert log["from"] == "2026.01" and log["removed"] == []
    assert [(item["kind"], item["label"]) for item in log["added"]] == [
        ("source", "Daily Wire Service: Second wire")
    ]
    (changed,) = log["changed"]
    fields = {one["field"]: one for one in changed["fields"]}
    assert fields["text"]["before"] == "A little, and only for peace"
    assert fields["text"]["after"] == "Some, for peace"
    assert "Second wire" in fields["sources"]["after"]
    rows = csv_rows(api.get(f"{BASE}/releases/2026.02/?format=csv"))
    assert {(row["change"], row["kind"], row["field"]) for row in rows} == {
        ("added", "source", ""),
        ("changed", "demand", "text"),
        ("changed", "demand", "sources"),
    }
    response = api.get(f"{BASE}/releases/2026.02/?format=csv")
    assert "test-talks-release-2026.02-changelog.csv" in response["Content-Disposition"]


def test_a_diff_between_any_two_releases_either_way(api, two_releases):
    forward = api.get(f"{BASE}/releases/2026.01/diff/2026.02/").json()
    back = api.get(f"{BASE}/releases/2026.02/diff/2026.01/").json()
    assert forward["from"]["tag"] == "2026.01" and forward["to"]["tag"] == "2026.02"
    (f,) = forward["changed"]
    (b,) = back["changed"]
    text = {one["field"]: one for one in f["fields"]}["text"]
    text_back = {one["field"]: one for one in b["fields"]}["text"]
    assert (text["before"], text["after"]) == (text_back["after"], text_back["before"])
    rows = csv_rows(api.get(f"{BASE}/releases/2026.01/diff/2026.02/?format=csv"))
    changed = [row for row in rows if row["change"] == "changed"]
    assert changed and all("Second wire" in row["sources"] for row in changed)


def test_unknown_release_or_negotiation_is_a_clear_404(api, two_releases):
    response = api.get(f"{BASE}/releases/1999.01/")
    assert response.status_code == 404
    assert response.json()["detail"] == (
        "No release “1999.01” of test-talks; its releases are 2026.02, 2026.01."
    )
    assert api.get(f"{BASE}/releases/2026.01/diff/1999.01/").status_code == 404
    assert api.get("/api/v1/negotiations/nowhere/releases/").status_code == 404


def test_release_endpoints_refuse_unknown_parameters(api, two_releases):
    response = api.get(f"{BASE}/releases/?tag=2026.01")
    assert response.status_code == 400
    assert "tag" in response.json()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/rounds/",
        "/rounds/r1/",
        "/issues/",
        "/demands/",
        "/concessions/",
        "/positions/",
        "/changes/?from=r1&to=r4",
        "/gaps/",
        "/panel/",
    ],
)
def test_every_read_endpoint_takes_release_and_known_on(api, two_releases, path, talks):
    joiner = "&" if "?" in path else "?"
    pinned = api.get(f"{BASE}{path}{joiner}release=2026.01")
    assert pinned.status_code == 200, body(pinned)[:300]
    assert pinned["Parley-Release"] == "2026.01"
    for fmt in ("json", "csv"):
        url = f"{BASE}{path}{joiner}format={fmt}&known_on=2026-01-01"
        response = api.get(url)
        # The talks were not recorded yet on that day (history starts today): said so plainly.
        assert response.status_code == 404, body(response)[:300]
        assert "not yet recorded" in response.json()["known_on"][0]


def test_release_applies_only_under_a_negotiation(api, two_releases):
    response = api.get("/api/v1/demands/?release=2026.01")
    assert response.status_code == 400
    assert "one negotiation" in response.json()["release"][0]


def test_cite_names_the_release_read_or_the_latest_to_pin(api, two_releases):
    pinned = api.get(f"{BASE}/cite/?release=2026.01").json()
    assert pinned["release"] == "2026.01"
    assert pinned["release_url"].endswith("?release=2026.01")
    assert pinned["moving_head"] is False

    head = api.get(f"{BASE}/cite/").json()
    assert head["release"] is None
    assert head["moving_head"] is True
    assert head["latest_release"] == "2026.02"
    assert "2026.02" in head["statement"]

    bibtex = api.get(f"{BASE}/cite/?format=bibtex&release=2026.01").content.decode()
    assert "2026.01" in bibtex


def test_history_and_unknown_negotiations_refuse_or_ignore_a_release_clearly(api, two_releases):
    history = api.get(f"{BASE}/history/?release=2026.01")
    assert history.status_code == 400
    assert "history" in str(history.json()["release"])
    for url in (
        "/api/v1/negotiations/nope/panel/?release=2026.01",
        "/api/v1/negotiations/nope/panel/?known_on=2026-01-01",
    ):
        assert api.get(url).status_code == 404, url


def test_cite_under_known_on_names_the_day_not_the_moving_head(api, two_releases):
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    cited = api.get(f"{BASE}/cite/?known_on={today}").json()
    assert cited["moving_head"] is False
    assert f"known_on={today}" in cited["statement"]
    assert f"known_on={today}" in cited["citation"]
    assert cited["csl_json"][0]["version"] == f"known on {today}"
