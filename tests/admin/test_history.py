"""Editors see who changed what, and when, on every record's history page."""

import pytest

from tests.admin.helpers import add_inline_row, posted, row_index
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db


def test_history_shows_the_analysts_change(talks, analyst_client, editor_client):
    url = f"/admin/negotiations/round/{talks.r1.pk}/change/"
    data = posted(analyst_client.get(url))
    data["title"] = "Opening round"
    assert analyst_client.post(url, data).status_code == 302

    page = editor_client.get(f"/admin/negotiations/round/{talks.r1.pk}/history/")

    html = page.content.decode()
    assert page.status_code == 200
    latest = html[html.index("<tbody>") : html.index("</tr>", html.index("<tbody>"))]
    assert "alice" in latest
    assert "Title:</strong>" in latest
    assert "Round 1" in latest and "Opening round" in latest
    assert "Updated at" not in html


def test_statements_entered_on_the_round_page_record_their_author(talks, analyst_client):
    url = f"/admin/negotiations/round/{talks.r2.pk}/change/"
    data = posted(analyst_client.get(url))
    south = talks.demand(talks.south, talks.border, talks.r2)
    data[f"demands-{row_index(data, 'demands', south.pk)}-text"] = "A little, maybe more"
    add_inline_row(
        data,
        "demands",
        party=talks.mediator.pk,
        issue=talks.border.pk,
        text="Split the difference",
        priority="secondary",
        status="reported",
        sources=[SourceFactory().pk],
    )
    assert analyst_client.post(url, data).status_code == 302

    edited = south.history.latest("history_date")
    added = talks.demand(talks.mediator, talks.border, talks.r2).history.get()
    assert (edited.history_type, edited.history_user.username) == ("~", "alice")
    assert (added.history_type, added.history_user.username) == ("+", "alice")
    page = analyst_client.get(f"/admin/positions/demand/{south.pk}/history/")
    assert "A little, for peace" in page.content.decode()
    assert "A little, maybe more" in page.content.decode()


def test_viewer_may_see_an_old_version_but_not_revert_to_it(talks, analyst_client):
    talks.north.name = "Northland Republic"
    talks.north.save()
    first = talks.north.history.earliest("history_date")
    url = f"/admin/negotiations/party/{talks.north.pk}/history/{first.history_id}/"

    page = analyst_client.get(url)
    reverted = analyst_client.post(url, {"name": "Northland", "short_name": "NO"})

    assert page.status_code == 200
    assert reverted.status_code == 403
    talks.north.refresh_from_db()
    assert talks.north.name == "Northland Republic"
