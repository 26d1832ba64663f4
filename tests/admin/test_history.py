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


def history_html(client, record) -> str:
    opts = record._meta
    page = client.get(f"/admin/{opts.app_label}/{opts.model_name}/{record.pk}/history/")
    assert page.status_code == 200
    return page.content.decode()


def test_history_names_choices_by_their_labels(talks, analyst_client):
    demand = talks.demand(talks.north, talks.border, talks.r1)
    url = f"/admin/positions/demand/{demand.pk}/change/"
    data = posted(analyst_client.get(url))
    before = demand.priority
    data["priority"] = "core" if before == "red_line" else "red_line"
    assert analyst_client.post(url, data).status_code == 302

    html = history_html(analyst_client, demand)

    assert "red line" in html
    assert "red_line" not in html


def test_history_shows_long_text_whole_with_a_word_diff(talks, analyst_client):
    demand = talks.demand(talks.north, talks.border, talks.r1)
    before = "Every village north of the river returns to Northland, with its fields and roads"
    demand.text = before
    demand.save()
    url = f"/admin/positions/demand/{demand.pk}/change/"
    data = posted(analyst_client.get(url))
    data["text"] = before.replace("Every village", "Every town and village")
    assert analyst_client.post(url, data).status_code == 302

    html = history_html(analyst_client, demand)

    assert " chars]" not in html
    assert before in html  # the old wording, whole
    assert '<ins><span class="visually-hidden">added: </span> town and</ins>' in html


def test_the_change_reason_is_asked_for_and_shown_only_when_given(talks, analyst_client):
    url = f"/admin/negotiations/round/{talks.r1.pk}/change/"
    form = analyst_client.get(url)
    assert "Reason for this change" in form.content.decode()
    data = posted(form)
    data["title"] = "Opening round"
    data["change_reason"] = "Title as in the communiqué"
    assert analyst_client.post(url, data).status_code == 302
    data = posted(analyst_client.get(url))
    data["location"] = "Geneva"
    assert analyst_client.post(url, data).status_code == 302

    html = history_html(analyst_client, talks.r1)

    assert talks.r1.history.latest("history_date").history_change_reason is None
    assert html.count("Reason:</strong>") == 1
    assert "Title as in the communiqué" in html
    assert "None" not in html


def test_a_rounds_history_lists_its_rows_with_the_pages_reason(talks, analyst_client):
    url = f"/admin/negotiations/round/{talks.r1.pk}/change/"
    south = talks.demand(talks.south, talks.border, talks.r1)
    data = posted(analyst_client.get(url))
    data[f"demands-{row_index(data, 'demands', south.pk)}-text"] = "Not one field, not one village"
    data["change_reason"] = "Corrected from the transcript"
    assert analyst_client.post(url, data).status_code == 302

    html = history_html(analyst_client, talks.r1)

    assert south.history.latest("history_date").history_change_reason == (
        "Corrected from the transcript"
    )
    newest = html[html.index("<tbody>") : html.index("</tr>", html.index("<tbody>"))]
    assert "Demand: SO on Border" in newest
    assert "Not one field, not one village" in newest and "Corrected from the transcript" in newest
    assert f"/admin/positions/demand/{south.pk}/history/" in newest
    # The concession row of this negotiation at round 3 is not this round's.
    assert "Concession:" not in html


def test_changed_by_is_plain_text_for_those_who_may_not_view_users(
    talks, analyst_client, superuser_client
):
    url = f"/admin/negotiations/round/{talks.r1.pk}/change/"
    data = posted(analyst_client.get(url))
    data["title"] = "Opening round"
    analyst_client.post(url, data)
    alice = talks.r1.history.latest("history_date").history_user

    for_analyst = history_html(analyst_client, talks.r1)
    for_superuser = history_html(superuser_client, talks.r1)

    user_link = f"/admin/auth/user/{alice.pk}/change/"
    assert "alice" in for_analyst and user_link not in for_analyst
    assert user_link in for_superuser
    assert analyst_client.get(user_link).status_code == 403  # why it must not be a link
