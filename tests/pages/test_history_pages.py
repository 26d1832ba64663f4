"""Each public record's history page: its versions newest first, readable, by role only.

docs/pages.md, "History".
"""

import pytest
from simple_history.utils import update_change_reason

from positions.models import Demand
from tests.factories import SourceFactory
from tests.pages.conftest import fetch, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def edited(talks, editor):
    """North's r1 demand on the border, reworded by an editor with a reason."""
    demand = Demand.objects.get(pk=talks.demand(talks.north, talks.border, talks.r1).pk)
    demand.text = "All of the border land and the river"
    demand.stance = talks.stance(talks.border, 3)
    demand._history_user = editor
    demand.save()
    update_change_reason(demand, "The communiqué was misread")
    return demand


def test_a_demand_s_history_lists_versions_newest_first_with_a_word_diff(client, edited, editor):
    page = fetch(client, f"/test-talks/demands/{edited.pk}/history/")

    changed, created = page.select(".version")
    assert "Changed" in changed.select_one(".version-change").get_text()
    assert "Created" in created.select_one(".version-change").get_text()
    assert "by Editor" in text_of(changed)
    assert "The communiqué was misread" in text_of(changed)
    # The wording as a word diff: only the added words are marked.
    diff = changed.select_one(".version-diff")
    assert [" ".join(ins.get_text().split()) for ins in diff.select("ins")] == [
        "added: and the river"
    ]
    assert "4: all" in text_of(changed) and "3: most" in text_of(changed)
    for private in (editor.username, editor.email):
        assert private not in page.decode()


def test_the_history_page_links_back_to_the_record_and_the_record_links_to_it(client, edited):
    url = f"/test-talks/demands/{edited.pk}/history/"
    page = fetch(client, url)
    back = page.select_one(".page-head a")
    assert "Back to the demand" in back.get_text()
    assert back["href"] == f"/test-talks/rounds/r1/#demand-{edited.pk}"

    round_page = fetch(client, "/test-talks/rounds/r1/")
    assert round_page.select_one(f'a[href="{url}"]') is not None
    assert round_page.select_one('a[href="/test-talks/rounds/r1/history/"]') is not None


@pytest.mark.parametrize(
    ("record_page", "history_page"),
    [
        ("/test-talks/", "/test-talks/history/"),
        ("/test-talks/rounds/r3/", "/test-talks/rounds/r3/history/"),
        ("/test-talks/issues/border/", "/test-talks/issues/border/history/"),
        ("/sources/a-source/", "/sources/a-source/history/"),
    ],
)
def test_every_record_page_links_to_its_history_which_links_back(
    client, talks, record_page, history_page
):
    SourceFactory(slug="a-source")
    assert fetch(client, record_page).select_one(f'a[href="{history_page}"]') is not None
    history = fetch(client, history_page)
    assert history.select_one(f'a[href="{record_page}"]') is not None
    assert "Created" in text_of(history.select(".version")[-1])


def test_a_concession_s_history_links_back_to_its_round_row(client, talks):
    concession = talks.north_border_r3_concession
    page = fetch(client, f"/test-talks/concessions/{concession.pk}/history/")
    back = page.select_one(".page-head a")
    assert "Back to the concession" in back.get_text()
    assert back["href"] == f"/test-talks/rounds/r3/#concession-{concession.pk}"
    assert fetch(client, "/test-talks/rounds/r3/").select_one(
        f'a[href="/test-talks/concessions/{concession.pk}/history/"]'
    )


def test_a_change_of_sources_alone_shows_on_the_page(client, talks):
    demand = talks.demand(talks.north, talks.border, talks.r1)
    demand.sources.add(SourceFactory(slug="zz-late-source"))
    newest = fetch(client, f"/test-talks/demands/{demand.pk}/history/").select(".version")[0]
    assert "Sources" in text_of(newest)
    assert "zz-late-source" in text_of(newest)


def test_a_long_history_pages_through_older_versions(client, talks):
    source = SourceFactory(slug="often-edited", title="Version 0")
    for n in range(1, 25):
        source.title = f"Version {n}"
        source.save()
    first = fetch(client, "/sources/often-edited/history/")
    assert len(first.select(".version")) == 20
    assert "Version 24" in text_of(first.select(".version")[0])
    older = first.select_one('a[rel="next"]')["href"]
    second = fetch(client, older)
    shown = second.select(".version")
    assert len(shown) == 5
    # The first on the older page still shows what it changed from.
    assert "Version 3" in text_of(shown[0]) and "Version 4" in text_of(shown[0])
    assert "Created" in text_of(shown[-1])
    assert second.select_one('a[rel="next"]') is None


@pytest.mark.parametrize("before", ["yesterday", "²", "-3"])
def test_a_bad_page_address_says_what_is_wrong(client, talks, before):
    page = fetch(client, f"/test-talks/history/?before={before}", status=400)
    assert f"“{before}” is not a version number" in text_of(page)


def test_links_older_than_their_history_are_not_shown_as_added(client, talks):
    """Versions saved before links were recorded (migration negotiations 0005) have unknown
    links: the next save must not read as if it added every source."""
    from django.db.migrations.recorder import MigrationRecorder
    from django.utils import timezone

    demand = talks.demand(talks.north, talks.border, talks.r1)
    MigrationRecorder.Migration.objects.filter(
        app="negotiations", name="0005_release_and_m2m_history"
    ).update(applied=timezone.now())
    demand.text = "Reworded later"
    demand.save()
    newest = fetch(client, f"/test-talks/demands/{demand.pk}/history/").select(".version")[0]
    assert "Reworded later" in text_of(newest)
    assert "Sources" not in text_of(newest)


@pytest.mark.parametrize(
    "url",
    [
        "/test-talks/rounds/r9/history/",
        "/test-talks/demands/999999/history/",
        "/atlantis/history/",
        "/sources/nowhere/history/",
    ],
)
def test_an_unknown_record_is_a_404(client, talks, url):
    fetch(client, url, status=404)


def test_a_demand_of_another_negotiation_is_not_found_under_this_one(client, talks):
    from tests.factories import NegotiationFactory

    NegotiationFactory(slug="other-talks")
    demand = talks.demand(talks.north, talks.border, talks.r1)
    fetch(client, f"/other-talks/demands/{demand.pk}/history/", status=404)


def test_history_pages_answer_a_repeat_visit_with_304(client, edited):
    url = f"/test-talks/demands/{edited.pk}/history/"
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    edited.text = "Changed again"
    edited.save()
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_history_pages_refuse_a_release_pin_like_the_api(client, talks):
    page = fetch(client, "/test-talks/rounds/r1/history/?known_on=2025-01-01", status=404)
    assert "history lists every saved version already; leave out ?known_on=" in text_of(page)


@pytest.mark.parametrize("kind", ["demands", "concessions"])
def test_a_statement_s_history_costs_the_same_queries_however_long(
    client, talks, editor, kind, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    statement = (
        talks.demand(talks.north, talks.border, talks.r3)
        if kind == "demands"
        else talks.north_border_r3_concession
    )
    url = f"/test-talks/{kind}/{statement.pk}/history/"

    def queries(edits: int) -> int:
        for n in range(edits):
            statement.text = f"Wording {n}"
            statement._history_user = editor
            statement.save()
            statement.sources.add(SourceFactory())
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    short, long = queries(1), queries(40)
    assert short == long
    assert long <= 12


def test_a_pinned_page_does_not_link_to_history_which_refuses_pins(client, talks):
    import datetime

    today = datetime.date.today().isoformat()
    page = fetch(client, f"/test-talks/rounds/r1/?known_on={today}")
    assert not [a for a in page.select("a") if "/history/" in a.get("href", "")]
