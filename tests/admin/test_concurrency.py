"""Never lose an edit: a save over someone else's newer change is refused, and nothing is lost."""

import html
import re

import pytest
from django.contrib import admin
from django.test import RequestFactory

from negotiations.models import Round
from positions.forms import VersionedModelForm
from tests.admin.helpers import errors_of, posted, row_index

pytestmark = pytest.mark.django_db


def change_url(record) -> str:
    opts = record._meta
    return f"/admin/{opts.app_label}/{opts.model_name}/{record.pk}/change/"


def test_edit_of_a_round_changed_meanwhile_is_refused_and_keeps_the_values(
    talks, analyst_client, editor_client
):
    url = change_url(talks.r1)
    alices = posted(analyst_client.get(url))
    alices["title"] = "Round one, as Alice names it"
    erins = posted(editor_client.get(url))
    erins["summary"] = "Erin's summary"
    assert editor_client.post(url, erins).status_code == 302

    refused = analyst_client.post(url, alices)

    assert refused.status_code == 200
    [message] = [e for e in errors_of(refused) if "changed this round" in e]
    assert message.startswith("erin changed this round on ")
    assert "Nothing was saved" in message
    assert refused.context["adminform"].form["title"].value() == "Round one, as Alice names it"
    talks.r1.refresh_from_db()
    assert (talks.r1.title, talks.r1.summary) == ("Round 1", "Erin's summary")


def keep_mine(response, data: dict) -> dict:
    """Return `data` as posted by the conflict screen's "Keep mine" button(s) in `response`."""
    buttons = re.findall(
        r'<button type="submit" class="button keep-mine" name="([^"]+)" value="([^"]+)"',
        response.content.decode(),
    )
    assert buttons, "no Keep mine button on the page"
    return {**data, **{html.unescape(n): html.unescape(v) for n, v in buttons}}


def conflict_rows(response) -> dict[str, tuple[str, str]]:
    """Return the conflict screen as {field label: (theirs, yours)}, text only."""
    page = response.content.decode()
    rows = re.findall(
        r'<tr><th scope="row">(.*?)</th><td class="theirs"[^>]*>(.*?)</td>'
        r'<td class="yours">(.*?)</td></tr>',
        page,
        re.S,
    )
    return {
        label: tuple(html.unescape(re.sub(r"<[^>]+>", "", cell)) for cell in (theirs, yours))
        for label, theirs, yours in rows
    }


def test_the_refusal_shows_their_values_and_yours_field_by_field(
    talks, analyst_client, editor_client
):
    url = change_url(talks.r1)
    alices = posted(analyst_client.get(url))
    alices["title"] = "Round one, as Alice names it"
    erins = posted(editor_client.get(url))
    erins["title"] = "Round one, as Erin names it"
    erins["kind"] = "summit"
    editor_client.post(url, erins)

    refused = analyst_client.post(url, alices)

    rows = conflict_rows(refused)
    assert rows["Title"] == ("Round one, as Erin names it", "Round one, as Alice names it")
    assert rows["Kind"][0] == dict(Round._meta.get_field("kind").flatchoices)["summit"]
    assert "saved by erin on" in refused.content.decode()
    assert "Summary" not in rows  # a field neither changed is not listed


def test_saving_again_is_refused_until_the_analyst_keeps_theirs_or_hers(
    talks, analyst_client, editor_client
):
    url = change_url(talks.r1)
    alices = posted(analyst_client.get(url))
    alices["title"] = "Round one, as Alice names it"
    erins = posted(editor_client.get(url))
    erins["location"] = "Vienna"
    editor_client.post(url, erins)
    refused = analyst_client.post(url, alices)

    again = analyst_client.post(url, posted(refused))
    assert again.status_code == 200  # a plain save does not silently replace theirs
    kept = analyst_client.post(url, keep_mine(again, posted(again)))

    assert kept.status_code == 302, errors_of(kept)
    talks.r1.refresh_from_db()
    assert (talks.r1.title, talks.r1.location) == ("Round one, as Alice names it", "")
    latest = talks.r1.history.latest("history_date")
    assert latest.history_user.username == "alice"
    assert latest.history_change_reason.startswith("Kept over erin's change of ")


MODELS = {
    "negotiation": (lambda talks: talks.negotiation, "summary"),
    "party": (lambda talks: talks.north, "description"),
    "source": (lambda talks: talks.r1.sources.get(), "quote"),
    "round": (lambda talks: talks.r2, "summary"),
    "issue": (lambda talks: talks.border, "description"),
    "demand": (lambda talks: talks.demand(talks.north, talks.border, talks.r1), "text"),
    "concession": (lambda talks: talks.north_border_r3_concession, "text"),
}


@pytest.mark.parametrize("model", MODELS)
def test_every_edited_record_is_guarded_against_overwriting(model, talks, superuser_client):
    record, field = MODELS[model][0](talks), MODELS[model][1]
    url = change_url(record)
    data = posted(superuser_client.get(url))
    data[field] = "Edited in the form"
    record.save()  # a change made meanwhile, outside the form (a script, say)

    refused = superuser_client.post(url, data)

    assert refused.status_code == 200
    assert any(
        e.startswith(f"Someone changed this {record._meta.verbose_name} on ")
        for e in errors_of(refused)
    )


def test_two_analysts_saving_different_rows_of_one_round_both_succeed(
    talks, analyst_client, editor_client
):
    """Issue #12 point 1: a row-only save no longer moves the round's version."""
    url = change_url(talks.r1)
    north = talks.demand(talks.north, talks.border, talks.r1)
    south = talks.demand(talks.south, talks.border, talks.r1)
    version, entries = talks.r1.updated_at, talks.r1.history.count()
    alices = posted(analyst_client.get(url))
    erins = posted(editor_client.get(url))
    priority = "core" if north.priority == "red_line" else "red_line"
    alices[f"demands-{row_index(alices, 'demands', north.pk)}-priority"] = priority
    erins[f"demands-{row_index(erins, 'demands', south.pk)}-text"] = "Not one field, ever"

    first = analyst_client.post(url, alices)
    second = editor_client.post(url, erins)

    assert first.status_code == 302, errors_of(first)
    assert second.status_code == 302, errors_of(second)
    north.refresh_from_db()
    south.refresh_from_db()
    talks.r1.refresh_from_db()
    assert (north.priority, south.text) == (priority, "Not one field, ever")
    assert talks.r1.updated_at == version  # the round itself did not change
    assert talks.r1.history.count() == entries  # and has no empty "Changed" entries


def test_a_row_edit_is_not_refused_when_someone_renamed_the_round_meanwhile(
    talks, analyst_client, editor_client
):
    url = change_url(talks.r1)
    north = talks.demand(talks.north, talks.border, talks.r1)
    alices = posted(analyst_client.get(url))
    erins = posted(editor_client.get(url))
    erins["title"] = "Round one, renamed"
    assert editor_client.post(url, erins).status_code == 302
    alices[f"demands-{row_index(alices, 'demands', north.pk)}-text"] = "All the land"

    response = analyst_client.post(url, alices)

    assert response.status_code == 302, errors_of(response)
    talks.r1.refresh_from_db()
    north.refresh_from_db()
    assert (talks.r1.title, north.text) == ("Round one, renamed", "All the land")


def test_a_row_edit_keeps_the_round_links_someone_changed_meanwhile(
    talks, analyst_client, editor_client
):
    """A round whose own form is unchanged is not saved, its parties and sources included."""
    url = change_url(talks.r1)
    north = talks.demand(talks.north, talks.border, talks.r1)
    alices = posted(analyst_client.get(url))
    erins = posted(editor_client.get(url))
    erins["parties"] = [str(talks.north.pk), str(talks.south.pk), str(talks.mediator.pk)]
    assert editor_client.post(url, erins).status_code == 302
    alices[f"demands-{row_index(alices, 'demands', north.pk)}-text"] = "All the land"

    response = analyst_client.post(url, alices)

    assert response.status_code == 302, errors_of(response)
    assert set(talks.r1.parties.values_list("slug", flat=True)) == {"north", "south", "mediator"}
    north.refresh_from_db()
    assert north.text == "All the land"


def test_untouched_row_changed_meanwhile_is_neither_refused_nor_overwritten(
    talks, analyst_client, editor_client
):
    north = talks.demand(talks.north, talks.border, talks.r1)
    south = talks.demand(talks.south, talks.border, talks.r1)
    alices = posted(analyst_client.get(change_url(talks.r1)))
    alices[f"demands-{row_index(alices, 'demands', north.pk)}-text"] = "All the land, says north"
    erins = posted(editor_client.get(change_url(south)))
    erins["text"] = "Not one field, and not one village"
    assert editor_client.post(change_url(south), erins).status_code == 302

    response = analyst_client.post(change_url(talks.r1), alices)

    assert response.status_code == 302, errors_of(response)
    north.refresh_from_db()
    south.refresh_from_db()
    assert north.text == "All the land, says north"
    assert south.text == "Not one field, and not one village"


def test_row_changed_by_both_is_refused_with_who_changed_it(talks, analyst_client, editor_client):
    south = talks.demand(talks.south, talks.border, talks.r1)
    alices = posted(analyst_client.get(change_url(talks.r1)))
    alices[f"demands-{row_index(alices, 'demands', south.pk)}-text"] = "Alice's wording"
    erins = posted(editor_client.get(change_url(south)))
    erins["text"] = "Erin's wording"
    editor_client.post(change_url(south), erins)

    refused = analyst_client.post(change_url(talks.r1), alices)

    assert refused.status_code == 200
    assert any(e.startswith("erin changed this demand on ") for e in errors_of(refused))
    row = refused.context["inline_admin_formsets"][0].formset.forms[
        row_index(alices, "demands", south.pk)
    ]
    assert row["text"].value() == "Alice's wording"
    theirs, yours = conflict_rows(refused)["Text"]
    assert theirs == "Erin's wording"
    assert yours == "removed: Erin'sadded: Alice's wording"  # a word diff of theirs to yours
    south.refresh_from_db()
    assert south.text == "Erin's wording"

    kept = analyst_client.post(change_url(talks.r1), keep_mine(refused, posted(refused)))

    assert kept.status_code == 302, errors_of(kept)
    south.refresh_from_db()
    assert south.text == "Alice's wording"


def test_a_refused_row_shows_readable_values(talks, analyst_client, editor_client):
    south = talks.demand(talks.south, talks.border, talks.r1)
    alices = posted(analyst_client.get(change_url(talks.r1)))
    index = row_index(alices, "demands", south.pk)
    alices[f"demands-{index}-priority"] = "red_line"
    alices[f"demands-{index}-stance"] = str(talks.stance(talks.border, 1).pk)
    erins = posted(editor_client.get(change_url(south)))
    erins["priority"] = "secondary"
    editor_client.post(change_url(south), erins)

    rows = conflict_rows(analyst_client.post(change_url(talks.r1), alices))

    assert set(rows) == {"Priority", "Stance"}  # only what differs; no ids
    assert rows["Priority"] == ("secondary", "red line")
    theirs, yours = rows["Stance"]
    assert str(talks.stance(talks.border, 1)) in yours
    assert str(south.stance) in theirs


def test_reverting_to_an_earlier_version_restores_it(talks, editor_client):
    url = change_url(talks.r2)
    data = posted(editor_client.get(url))
    data["title"] = "Round two, renamed"
    editor_client.post(url, data)
    first = talks.r2.history.earliest("history_date")

    history_url = f"/admin/negotiations/round/{talks.r2.pk}/history/{first.history_id}/"
    response = editor_client.post(history_url, posted(editor_client.get(history_url)))

    assert response.status_code == 302, errors_of(response)
    assert Round.objects.get(pk=talks.r2.pk).title == "Round 2"


def test_every_page_editing_a_record_with_updated_at_guards_it(talks, superuser):
    request = RequestFactory().get("/admin/")
    request.user = superuser
    guarded = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in ("negotiations", "positions"):
            continue
        obj = model.objects.first()
        pages = [(model_admin, model_admin.get_form(request, obj))] + [
            (inline, inline.get_formset(request, obj).form)
            for inline in model_admin.get_inline_instances(request, obj)
        ]
        for page, form in pages:
            versioned = any(f.name == "updated_at" for f in form._meta.model._meta.fields)
            assert issubclass(form, VersionedModelForm) == versioned, type(page).__name__
            guarded += [type(page).__name__] if versioned else []
    assert {"RoundAdmin", "DemandInline", "ConcessionInline", "ConcessionAdmin"} <= set(guarded)
