"""A posted value that is not an id, in any autocomplete field, is a form error, never a 500."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from negotiations.models import Participant
from positions.forms import AcceptedValuesMixin
from tests.admin.helpers import add_inline_row, errors_of, posted, row_index
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

INVALID_CHOICE = "Select a valid choice. That choice is not one of the available choices."


def not_a_valid_value(value: str) -> str:
    """Django's error for a many-to-many value that is not an id."""
    return f"“{value}” is not a valid value."


def field_errors(response, name: str) -> list[str]:
    return list(response.context["adminform"].form.errors.get(name, []))


def test_participant_with_ids_that_are_not_ids_is_refused_on_its_fields(talks, editor_client):
    response = editor_client.post(
        "/admin/negotiations/participant/add/",
        {"negotiation": "north", "party": "1; drop", "role": "principal", "order": "0"},
    )

    assert response.status_code == 200
    assert field_errors(response, "negotiation") == [INVALID_CHOICE]
    assert field_errors(response, "party") == [INVALID_CHOICE]
    assert Participant.objects.count() == 3


def test_demand_with_ids_that_are_not_ids_is_refused_on_its_fields(talks, analyst_client):
    source = SourceFactory()
    response = analyst_client.post(
        "/admin/positions/demand/add/",
        {
            "round": "r1",
            "party": "1.0",
            "issue": "border",
            "text": "All of it",
            "priority": "core",
            "status": "reported",
            "sources": [str(source.pk), "x"],
        },
    )

    assert response.status_code == 200
    for name in ("round", "party", "issue"):
        assert field_errors(response, name) == [INVALID_CHOICE], name
    assert field_errors(response, "sources") == [not_a_valid_value("x")]
    # The valid source is still selected when the form comes back.
    assert f'<option value="{source.pk}" selected>' in response.content.decode()


def test_source_cited_in_something_that_is_not_an_id_is_refused(analyst_client):
    response = analyst_client.post(
        "/admin/negotiations/source/add/",
        {"kind": "media", "outlet": "Evening Post", "slug": "evening-post", "cited_in": "tass"},
    )

    assert response.status_code == 200
    assert field_errors(response, "cited_in") == [INVALID_CHOICE]


def test_round_with_ids_that_are_not_ids_is_refused_on_its_fields(talks, analyst_client):
    response = analyst_client.post(
        "/admin/negotiations/round/add/",
        {
            "negotiation": "test-talks",
            "title": "Round 5",
            "slug": "r5",
            "kind": "talks",
            "start_date": "2025-05-01",
            "date_precision": "day",
            "sequence": "0",
            "parties": ["north"],
            "sources": ["\x00"],
        },
    )

    assert response.status_code == 200
    assert field_errors(response, "negotiation") == [INVALID_CHOICE]
    assert field_errors(response, "parties") == [not_a_valid_value("north")]
    assert field_errors(response, "sources") == ["Null characters are not allowed."]


def test_next_round_with_a_source_that_is_not_an_id_is_refused(talks, analyst_client):
    response = analyst_client.post(
        f"/admin/negotiations/round/{talks.r4.pk}/next/",
        {
            "title": "Round 5",
            "slug": "r5",
            "kind": "call",
            "start_date": "2025-05-01",
            "date_precision": "day",
            "sources": ["evening-post"],
        },
    )

    assert response.status_code == 200
    assert field_errors(response, "sources") == [not_a_valid_value("evening-post")]


def test_round_page_row_with_a_source_that_is_not_an_id_is_refused(talks, analyst_client):
    url = f"/admin/negotiations/round/{talks.r1.pk}/change/"
    data = posted(analyst_client.get(url))
    existing = row_index(data, "demands", talks.demand(talks.north, talks.border, talks.r1).pk)
    data[f"demands-{existing}-sources"] = ["abc"]
    add_inline_row(
        data,
        "demands",
        party=talks.mediator.pk,
        issue=talks.border.pk,
        text="Split it",
        priority="core",
        status="reported",
        sources=["1e3"],
    )

    response = analyst_client.post(url, data)

    assert response.status_code == 200
    assert not_a_valid_value("abc") in errors_of(response)
    assert not_a_valid_value("1e3") in errors_of(response)


def test_negotiation_page_participant_row_with_a_party_that_is_not_an_id(talks, editor_client):
    url = f"/admin/negotiations/negotiation/{talks.negotiation.pk}/change/"
    data = posted(editor_client.get(url))
    add_inline_row(data, "participants", party="southland", role="observer", order="4")

    response = editor_client.post(url, data)

    assert response.status_code == 200
    assert INVALID_CHOICE in errors_of(response)


def autocomplete_widgets(model_admin, request, obj):
    """Yield (where, widget) for every autocomplete field of an admin and of its inlines."""
    for each in [model_admin, *model_admin.get_inline_instances(request, obj)]:
        if each is model_admin:
            form = each.get_form(request, obj)
        else:
            form = each.get_formset(request, obj).form
        for name in each.get_autocomplete_fields(request):
            if name in form.base_fields:
                widget = form.base_fields[name].widget
                yield f"{type(each).__name__}.{name}", getattr(widget, "widget", widget)


def test_every_autocomplete_field_drops_values_that_are_not_ids(talks, superuser):
    request = RequestFactory().get("/admin/")
    request.user = superuser
    checked = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in ("negotiations", "positions"):
            continue
        obj = model.objects.first()
        for where, widget in autocomplete_widgets(model_admin, request, obj):
            assert isinstance(widget, AcceptedValuesMixin), where
            checked.append(where)
    assert {"ParticipantAdmin.party", "ParticipantInline.party", "SourceAdmin.cited_in"} <= set(
        checked
    )
    assert {"DemandAdmin.sources", "DemandInline.sources", "RoundAdmin.negotiation"} <= set(checked)


# --- choices that fit a statement row (RoundAdmin.choices_view) --------------------------------

CHOICES_URL = "/admin/negotiations/round/choices/"


def offered(client, **params) -> list[str]:
    response = client.get(CHOICES_URL, params)
    assert response.status_code == 200, response.content
    return [result["text"] for result in response.json()["results"]]


def test_stance_choices_are_the_chosen_issues_only_without_its_name(talks, analyst_client):
    texts = offered(analyst_client, field="stance", round=talks.r3.pk, issue=talks.prisoners.pk)

    assert texts == [str(s) for s in talks.prisoners.stances.order_by("value")]
    assert all("—" not in text for text in texts)


def test_stance_choices_before_an_issue_is_chosen_name_their_issue(talks, analyst_client):
    texts = offered(analyst_client, field="stance", round=talks.r3.pk)

    assert "Border line — 2: half" in texts
    assert "Prisoners — 1: partial" in texts


def test_softens_offers_the_partys_own_demands_on_the_issue_up_to_the_round(talks, analyst_client):
    texts = offered(
        analyst_client,
        field="softens",
        round=talks.r3.pk,
        party=talks.north.pk,
        issue=talks.border.pk,
    )

    assert texts == ["Round 3: Most of the border land", "Round 1: All of the border land"]


def test_in_return_for_offers_other_parties_demands_up_to_the_round(talks, analyst_client):
    texts = offered(
        analyst_client,
        field="in_return_for",
        round=talks.r3.pk,
        party=talks.south.pk,
        issue=talks.border.pk,
    )

    assert texts  # Northland's demands, its border ones first
    assert all(text.startswith("NO · ") for text in texts)
    assert "All of it after all" not in " ".join(texts)  # round 4: later
    assert texts[0].startswith("NO · Round 3: ")  # the row's own issue is not repeated


def test_choices_can_be_searched(talks, analyst_client):
    texts = offered(
        analyst_client,
        field="in_return_for",
        round=talks.r3.pk,
        party=talks.south.pk,
        term="All of the",
    )

    assert texts == ["NO · Border line · Round 1: All of the border land"]


@pytest.mark.parametrize(
    "params, words",
    [
        ({"field": "party"}, "field must be one of"),
        ({"field": "stance", "issue": "x"}, "must be ids"),
    ],
)
def test_bad_choice_requests_are_a_400_naming_the_parameter(params, words, analyst_client):
    response = analyst_client.get(CHOICES_URL, params)

    assert response.status_code == 400
    assert words in response.json()["error"]


def test_choices_are_for_staff_only(client):
    response = client.get(CHOICES_URL, {"field": "stance"})

    assert response.status_code == 302  # to the log-in page
