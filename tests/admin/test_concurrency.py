"""Never lose an edit: a save over someone else's newer change is refused, and nothing is lost."""

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


def test_saving_again_after_the_refusal_is_a_deliberate_overwrite(
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

    assert again.status_code == 302
    talks.r1.refresh_from_db()
    assert talks.r1.title == "Round one, as Alice names it"


MODELS = {
    "negotiation": lambda talks: talks.negotiation,
    "party": lambda talks: talks.north,
    "source": lambda talks: talks.r1.sources.get(),
    "round": lambda talks: talks.r2,
    "issue": lambda talks: talks.border,
    "demand": lambda talks: talks.demand(talks.north, talks.border, talks.r1),
    "concession": lambda talks: talks.north_border_r3_concession,
}


@pytest.mark.parametrize("model", MODELS)
def test_every_edited_record_is_guarded_against_overwriting(model, talks, superuser_client):
    record = MODELS[model](talks)
    url = change_url(record)
    data = posted(superuser_client.get(url))
    record.save()  # a change made meanwhile, outside the form (a script, say)

    refused = superuser_client.post(url, data)

    assert refused.status_code == 200
    assert any(
        e.startswith(f"Someone changed this {record._meta.verbose_name} on ")
        for e in errors_of(refused)
    )


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
    south.refresh_from_db()
    assert south.text == "Erin's wording"


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
