"""Public corrections and withdrawals: made by Editors in the admin, shown to readers.

docs/admin.md, "Corrections"; docs/pages.md, "History". Runs on SQLite and on PostgreSQL.
"""

import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from negotiations.models import Correction
from positions.services import positions_as_of
from tests.pages.conftest import fetch, text_of

pytestmark = pytest.mark.django_db

ADD = "/admin/negotiations/correction/add/"


def correct(record, kind="correction", note="The date was wrong: it was 2 March"):
    return Correction.objects.create(
        record=record, kind=kind, note=note, date=datetime.date(2026, 3, 5), made_by="Editor"
    )


def form(record, **changes):
    return {
        "content_type": ContentType.objects.get_for_model(record).pk,
        "object_id": record.pk,
        "kind": "correction",
        "note": "The venue was Geneva, not Vienna",
        "date": "2026-03-05",
        **changes,
    }


def test_an_editor_adds_a_correction_in_the_admin_and_it_names_a_role(client, talks, editor):
    client.force_login(editor)
    assert client.get(ADD).status_code == 200
    response = client.post(ADD, form(talks.r2))
    assert response.status_code == 302, response.content.decode()[:2000]
    correction = Correction.objects.get()
    assert (correction.record, correction.negotiation, correction.made_by) == (
        talks.r2,
        talks.negotiation,
        "Editor",
    )
    page = client.get(f"/admin/negotiations/correction/{correction.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(f"/admin/negotiations/correction/{correction.pk}/delete/").status_code == 403


def test_a_record_s_admin_page_offers_its_correction_form_filled_in(client, talks, editor):
    demand = talks.demand(talks.north, talks.border, talks.r1)
    client.force_login(editor)
    page = client.get(f"/admin/positions/demand/{demand.pk}/change/").content.decode()
    link = re.search(r'<a href="([^"]*)">Correct in public</a>', page)
    assert link is not None
    form_page = client.get(link.group(1).replace("&amp;", "&"))
    fields = form_page.context["adminform"].form
    kind = ContentType.objects.get_for_model(demand)
    assert (fields["content_type"].value(), fields["object_id"].value()) == (
        str(kind.pk),
        str(demand.pk),
    )
    # Not on a record readers never see on its own (a party is named, not corrected).
    party_page = client.get(f"/admin/negotiations/party/{talks.north.pk}/change/")
    assert "Correct in public" not in party_page.content.decode()


def test_an_analyst_is_not_offered_the_correction_form(client, talks, analyst):
    client.force_login(analyst)
    page = client.get(f"/admin/negotiations/round/{talks.r2.pk}/change/")
    assert page.status_code == 200
    assert "Correct in public" not in page.content.decode()


def test_an_analyst_may_view_corrections_but_not_add_one(client, talks, analyst):
    correct(talks.r2)
    client.force_login(analyst)
    assert client.get("/admin/negotiations/correction/").status_code == 200
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, form(talks.r2)).status_code == 403
    assert Correction.objects.count() == 1


def test_anonymous_readers_cannot_add_a_correction(client, talks):
    response = client.post(ADD, form(talks.r2))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not Correction.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"note": "   "}, "This field is required"),
        ({"object_id": 999999}, "There is no round #999999."),
        ({"kind": "retraction"}, "Select a valid choice"),
    ],
)
def test_a_bad_correction_is_refused_with_a_clear_message(client, talks, editor, changes, message):
    client.force_login(editor)
    response = client.post(ADD, form(talks.r2, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Correction.objects.exists()


def test_the_database_backs_up_kind_and_note_and_keeps_corrections_unchanged(talks):
    correction = correct(talks.r2)
    correction.note = "rewritten"
    with pytest.raises(ValidationError):
        correction.save()
    with pytest.raises(ProtectedError):
        correction.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        Correction.objects.filter(pk=correction.pk).update(note="rewritten")
    with pytest.raises(IntegrityError), transaction.atomic():
        Correction.objects.filter(pk=correction.pk)._raw_delete(connection.alias)
    for bad in ({"kind": "retraction"}, {"note": ""}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Correction.objects.bulk_create(
                [
                    Correction(
                        **{
                            "content_type": ContentType.objects.get_for_model(talks.r2),
                            "object_id": talks.r2.pk,
                            "kind": "correction",
                            "note": "n",
                            "date": datetime.date(2026, 3, 5),
                            **bad,
                        }
                    )
                ]
            )


def test_the_round_page_shows_the_correction_newspaper_style(client, talks):
    correct(talks.r2)
    page = fetch(client, "/test-talks/rounds/r2/")
    notice = page.select_one(".page-head .correction")
    assert text_of(notice) == "Correction, 5 March 2026: The date was wrong: it was 2 March"
    assert notice.select_one("time")["datetime"] == "2026-03-05"


@pytest.mark.parametrize(
    ("url", "record"),
    [
        ("/test-talks/", lambda talks: talks.negotiation),
        ("/test-talks/issues/border/", lambda talks: talks.border),
    ],
)
def test_other_record_pages_show_their_corrections(client, talks, url, record):
    correct(record(talks))
    assert "Correction, 5 March 2026" in text_of(fetch(client, url).select_one(".page-head"))


def test_a_source_page_shows_its_correction(client, talks):
    source = talks.r1.sources.get()
    correct(source, note="The outlet misquoted the minister")
    page = fetch(client, f"/sources/{source.slug}/")
    assert "The outlet misquoted the minister" in text_of(page.select_one(".page-head"))


def test_a_withdrawn_statement_stays_struck_through_with_its_notice(client, talks):
    demand = talks.demand(talks.south, talks.border, talks.r2)
    correct(demand, kind="withdrawal", note="No such statement was made")
    for url, anchor in (
        ("/test-talks/rounds/r2/", f"#demand-{demand.pk}"),
        ("/test-talks/issues/border/", f"#statement-{demand.pk}"),
    ):
        page = fetch(client, url)
        row = page.select_one(anchor)
        row = row if row.name == "li" else row.find_parent("li")
        assert "entry--withdrawn" in row["class"]
        assert "Withdrawn, 5 March 2026: No such statement was made" in text_of(row)
        assert "A little, for peace" in text_of(row)  # shown, not silently dropped


def test_a_withdrawn_statement_still_counts_in_positions(talks):
    """The rule (docs/admin.md, "Corrections"): a withdrawal is a notice, not a deletion."""
    demand = talks.demand(talks.south, talks.border, talks.r2)
    correct(demand, kind="withdrawal", note="No such statement was made")
    matrix = positions_as_of(round=talks.r2)
    assert matrix.cells[(talks.south.pk, talks.border.pk)].demand == demand


def test_the_history_page_lists_the_correction(client, talks):
    demand = talks.demand(talks.north, talks.border, talks.r1)
    correct(demand)
    page = fetch(client, f"/test-talks/demands/{demand.pk}/history/")
    assert "Correction, 5 March 2026" in text_of(page.select_one("#corrections-heading").parent)


def test_the_negotiation_feed_announces_a_correction(client, talks):
    demand = talks.demand(talks.north, talks.border, talks.r1)
    correct(demand, kind="withdrawal", note="No such statement was made")
    correct(demand, note="It was said at the second round")
    feed = client.get("/test-talks/feed/").content.decode()
    assert "Withdrawn: demand “All of the border land”" in feed
    assert "Correction: demand “All of the border land”" in feed
    assert "Correction, 5 March 2026: It was said at the second round" in feed
    ids = re.findall(r"<id>([^<]*)</id>", feed)
    assert len(ids) == len(set(ids))  # each notice an entry of its own
    # ...linking to the notice, on the page that shows the demand.
    notices = [i for i in ids if "#correction-" in i]
    assert len(notices) == 2
    for notice in notices:
        assert notice.startswith("http://testserver/test-talks/rounds/r1/#correction-")
        anchor = notice.partition("#")[2]
        assert fetch(client, "/test-talks/rounds/r1/").select_one(f"#{anchor}") is not None


def test_a_new_correction_makes_the_page_fresh_again(client, talks):
    url = "/test-talks/rounds/r2/"
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    correct(talks.r2)
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


@pytest.mark.parametrize(
    "url",
    ["/test-talks/", "/test-talks/rounds/r3/", "/test-talks/issues/border/", "/test-talks/feed/"],
)
def test_corrections_cost_one_query_however_many(client, talks, url):
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    uncorrected = queries()
    r3 = [*talks.r3.demands.all(), *talks.r3.concessions.all()]
    for record in [talks.negotiation, talks.r3, talks.border, *r3]:  # one of every kind
        correct(record)
    one_each = queries()
    for record in [talks.negotiation, talks.r3, talks.border, *r3]:
        correct(record, kind="withdrawal" if record in r3 else "correction")
    # Pages: one query for all; the feed also fetches the records, one query per kind.
    assert queries() == one_each <= uncorrected + 1 + ("feed" in url) * 5
