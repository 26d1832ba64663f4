"""Releases: a cut release answers byte for byte as when it was cut; known_on reproduces a day.

Real databases throughout (SQLite and PostgreSQL through DATABASE_URL): the snapshot is a real
SQLite file built with the project's migrations, read through the router.
"""

import datetime
import hashlib
import lzma

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from rest_framework.test import APIClient

from negotiations.models import Release
from negotiations.releases import (
    changelog,
    cut_release,
    latest_release,
    release_being_read,
    releases_diff,
)
from positions.models import Demand
from tests.api.conftest import body
from tests.factories import DemandFactory, RoundFactory, SourceFactory

PANEL = "/api/v1/negotiations/test-talks/panel/?format=csv"
POSITIONS = "/api/v1/negotiations/test-talks/positions/?format=csv"
DEMANDS = "/api/v1/negotiations/test-talks/demands/?format=csv"
OVERVIEW = "/test-talks/"


def answers(client, suffix: str = "") -> dict[str, bytes]:
    found = {}
    for url in (PANEL, POSITIONS, DEMANDS):
        response = client.get(url + suffix)
        assert response.status_code == 200, body(response)[:500]
        found[url] = body(response)
    return found


def change_and_add(talks) -> None:
    """An analyst's day: one demand restated, another re-sourced, a round added with a new
    demand and source."""
    demand = talks.demand(talks.north, talks.border, talks.r4)
    demand.stance = talks.stance(talks.border, 2)
    demand.text = "Now only half."
    demand.save()
    talks.demand(talks.north, talks.border, talks.r1).sources.set(
        [SourceFactory(slug="better-report", title="Better report")]
    )
    r5 = RoundFactory(
        negotiation=talks.negotiation,
        slug="r5",
        title="Round 5",
        start_date=datetime.date(2025, 5, 1),
    )
    DemandFactory(
        party=talks.south,
        issue=talks.border,
        round=r5,
        stance=talks.stance(talks.border, 2),
        sources=[SourceFactory(slug="new-report", title="New report")],
    )


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture(autouse=True)
def known_on_cache(tmp_path, monkeypatch):
    """Each test's own cache of past days: test databases repeat ids and times."""
    monkeypatch.setenv("PARLEY_KNOWN_ON_DIR", str(tmp_path))
    return tmp_path


def test_a_release_answers_byte_for_byte_as_when_it_was_cut(talks, api):
    before = answers(api)
    release = cut_release(talks.negotiation, tag="2026.02", note="First release.")

    change_and_add(talks)

    pinned = answers(api, "&release=2026.02")
    for url, content in before.items():
        assert pinned[url] == content, url
    live = answers(api)
    for url in before:
        assert live[url] != before[url], f"{url} should show the change"
    for slug in (b"new-report", b"better-report"):
        assert slug in live[DEMANDS] and slug not in pinned[DEMANDS]
    # The release's pages, too.
    page = api.get(OVERVIEW + "?release=2026.02")
    assert page.status_code == 200
    assert page["Parley-Release"] == "2026.02"
    assert "Round 5" not in page.content.decode()
    assert "Round 5" in api.get(OVERVIEW).content.decode()
    assert release.checksum == hashlib.sha256(lzma.decompress(release.snapshot)).hexdigest()


def test_a_release_read_carries_immutable_validators_and_names_itself(talks, api):
    cut_release(talks.negotiation, tag="2026.02")
    response = api.get(PANEL + "&release=2026.02")
    assert response["Parley-Release"] == "2026.02"
    assert "immutable" in response["Cache-Control"]
    assert "release-2026.02" in response["Content-Disposition"]
    page = api.get(OVERVIEW + "?release=2026.02")
    again = api.get(OVERVIEW + "?release=2026.02", HTTP_IF_NONE_MATCH=page["ETag"])
    assert again.status_code == 304
    # The page around the data, and the citation (its date of access), may change: not frozen.
    assert "immutable" not in page["Cache-Control"]
    cite = api.get("/api/v1/negotiations/test-talks/cite/?release=2026.02")
    assert "immutable" not in cite["Cache-Control"]


def test_unpinned_answers_say_which_release_they_equal(talks, api):
    assert api.get(PANEL)["Parley-Release"] == "none"
    cut_release(talks.negotiation, tag="2026.02")
    assert api.get(PANEL)["Parley-Release"] == "2026.02"
    change_and_add(talks)
    response = api.get(PANEL)
    assert response["Parley-Release"] == "none"
    assert response["Parley-Latest-Release"] == "2026.02"


def test_known_on_reproduces_a_day_before_a_change(talks, api, known_on_cache):
    before = answers(api)
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    # Date every history row so far to yesterday: the talks as recorded then.
    backdate_history(datetime.datetime.combine(yesterday, datetime.time(12)))
    change_and_add(talks)
    day = answers(api, f"&known_on={yesterday.isoformat()}")
    for url, content in before.items():
        assert day[url] == content, url
    assert api.get(PANEL + f"&known_on={yesterday}")["Parley-Known-On"] == yesterday.isoformat()
    # A past day is built once and then read from its file.
    assert len(list(known_on_cache.glob("known-*.sqlite3"))) == 1
    assert b"better-report" not in day[DEMANDS]  # the links as they were, too
    # Two days ago nothing was recorded: said so, not the live data.
    earlier = yesterday - datetime.timedelta(days=1)
    response = api.get(PANEL + f"&known_on={earlier}")
    assert response.status_code == 404
    assert response.json() == {
        "known_on": [f"Test talks was not yet recorded on {earlier}; give a later day."]
    }


def test_known_on_today_is_built_once_and_again_after_a_save(talks, api, known_on_cache):
    today = datetime.date.today().isoformat()
    first = api.get(PANEL + f"&known_on={today}")
    assert first.status_code == 200
    built = list(known_on_cache.glob("known-*.sqlite3"))
    assert len(built) == 1
    inode = built[0].stat().st_ino
    assert api.get(PANEL + f"&known_on={today}").content == first.content
    assert built[0].stat().st_ino == inode  # read, not rebuilt
    change_and_add(talks)
    after = api.get(PANEL + f"&known_on={today}")
    assert after.content != first.content  # today's saves are what today knows
    assert len(list(known_on_cache.glob("known-*.sqlite3"))) == 2


def backdate_history(moment: datetime.datetime) -> None:
    """Move every history row recorded so far to `moment` (tests only: history is append-only)."""
    from django.utils import timezone

    from negotiations.releases import LINKS, RECORD_MODELS

    aware = timezone.make_aware(moment)
    for model in RECORD_MODELS:
        model.history.model.objects.update(history_date=aware)
    for model, _ in LINKS:
        model.history.model.objects.update(history_date=aware)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("release=1999.01", "No release “1999.01” of test-talks; its releases are 2026.02."),
        ("known_on=2025-13-01", "give known_on as YYYY-MM-DD"),
        ("known_on=yesterday", "give known_on as YYYY-MM-DD"),
        ("known_on=2999-01-01", "has not happened yet"),
    ],
)
def test_bad_release_or_day_is_a_clear_400_on_the_api_and_404_page(talks, api, query, message):
    cut_release(talks.negotiation, tag="2026.02")
    response = api.get(f"{PANEL}&{query}")
    assert response.status_code == 400
    name = query.split("=")[0]
    assert message in response.json()[name][0]
    page = api.get(f"{OVERVIEW}?{query}")
    assert page.status_code == 404
    assert message in page.content.decode()
    if name == "release":
        assert 'href="/test-talks/releases/2026.02/"' in page.content.decode()


def test_writes_while_reading_a_release_are_refused(talks, api, editor):
    cut_release(talks.negotiation, tag="2026.02")
    api.force_login(editor)
    demand = talks.demand(talks.north, talks.border, talks.r4)
    url = f"/api/v1/negotiations/test-talks/demands/{demand.pk}/?release=2026.02"
    response = api.patch(url, {"text": "Changed"}, format="json")
    assert response.status_code == 405
    assert "read-only" in response.content.decode()
    demand.refresh_from_db()
    assert demand.text != "Changed"


def test_a_release_never_changes_nor_is_deleted(talks):
    release = cut_release(talks.negotiation, tag="2026.02")
    release.note = "rewritten"
    with pytest.raises(ValidationError):
        release.save()
    with pytest.raises(ProtectedError):
        release.delete()
    # The database refuses too, for any writer that goes around the model.
    with pytest.raises(IntegrityError), transaction.atomic():
        Release.objects.filter(pk=release.pk).update(note="rewritten")
    with pytest.raises(IntegrityError), transaction.atomic():
        Release.objects.filter(pk=release.pk)._raw_delete(connection.alias)


def test_tags_are_validated_and_unique_per_negotiation(talks):
    with pytest.raises(ValidationError) as refused:
        cut_release(talks.negotiation, tag="feb 2026")
    assert "YEAR.MONTH" in str(refused.value)
    cut_release(talks.negotiation, tag="2026.02")
    with pytest.raises(ValidationError) as refused:
        cut_release(talks.negotiation, tag="2026.02")
    assert "already has a release with this tag" in str(refused.value)


def test_the_changelog_lists_records_added_changed_and_removed(talks):
    first = cut_release(talks.negotiation, tag="2026.01")
    everything = changelog(first)
    assert everything["from"] is None
    assert {item["kind"] for item in everything["added"]} >= {"round", "demand", "issue"}

    change_and_add(talks)
    talks.north_border_r3_concession.delete()
    second = cut_release(talks.negotiation, tag="2026.02")
    log = changelog(second)
    assert log["from"] == "2026.01"
    added = {(item["kind"], item["label"]) for item in log["added"]}
    assert ("round", "Round 5") in added
    new_demand = next(item for item in log["added"] if item["kind"] == "demand")
    assert new_demand["sources"] == ["Daily Wire Service: New report"]
    removed = {(item["kind"], item["label"]) for item in log["removed"]}
    assert ("concession", "Would settle for most of the land") in removed
    changed = {
        (item["kind"], item["id"]): {
            one["field"]: (one["before"], one["after"]) for one in item["fields"]
        }
        for item in log["changed"]
    }
    restated = changed[("demand", talks.demand(talks.north, talks.border, talks.r4).pk)]
    assert restated["text"] == ("All of it after all", "Now only half.")
    assert restated["stance"][1].startswith("2: ")  # readable: the stance's value and label
    resourced = changed[("demand", talks.demand(talks.north, talks.border, talks.r1).pk)]
    assert resourced["sources"][1] == "Daily Wire Service: Better report"
    assert releases_diff(first, second) == log


def test_release_being_read_and_latest_release(talks, api):
    assert latest_release(talks.negotiation) is None
    first = cut_release(talks.negotiation, tag="2026.01")
    second = cut_release(talks.negotiation, tag="2026.02")
    assert latest_release(talks.negotiation) == second
    assert release_being_read() is None
    assert first != second


def test_cut_release_command(talks):
    call_command("cut_release", "test-talks", "2026.03", "--note", "From the command line.")
    release = Release.objects.get(tag="2026.03")
    assert release.note == "From the command line."
    assert release.counts["demand"] == Demand.objects.count()


def test_an_editor_cuts_a_release_in_the_admin_and_an_analyst_only_views(
    talks, client, editor, analyst
):
    client.force_login(editor)
    form = client.get("/admin/negotiations/release/add/")
    assert form.status_code == 200
    fields = {
        name
        for name in ("negotiation", "tag", "date", "note", "checksum", "snapshot")
        if f'name="{name}"' in form.content.decode()
    }
    assert fields == {"negotiation", "tag", "date", "note"}
    response = client.post(
        "/admin/negotiations/release/add/",
        {"negotiation": talks.negotiation.pk, "tag": "2026.02", "date": "2026-02-01", "note": "n"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    release = Release.objects.get()
    assert (release.tag, release.cut_by, release.counts["demand"]) == (
        "2026.02",
        "Editor",  # a role: staff names stay private
        Demand.objects.count(),
    )
    public = client.get(f"/{talks.negotiation.slug}/releases/2026.02/").content.decode()
    assert editor.username not in public
    again = client.post(
        "/admin/negotiations/release/add/",
        {"negotiation": talks.negotiation.pk, "tag": "2026.02", "date": "2026-02-01"},
    )
    assert "already has a release with this tag" in again.content.decode()
    page = client.get(f"/admin/negotiations/release/{release.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(f"/admin/negotiations/release/{release.pk}/delete/").status_code == 403

    client.force_login(analyst)
    assert client.get("/admin/negotiations/release/").status_code == 200
    assert client.get("/admin/negotiations/release/add/").status_code == 403


def test_a_snapshot_that_fails_its_checksum_is_never_served(talks):
    from negotiations.releases import release_alias

    release = cut_release(talks.negotiation, tag="2026.02")
    tampered = Release(
        negotiation=talks.negotiation,
        tag="2026.03",
        snapshot=lzma.compress(lzma.decompress(release.snapshot) + b"x"),
        checksum="f" * 64,
    )
    with pytest.raises(ValidationError, match="does not match its checksum"):
        release_alias(tampered)
