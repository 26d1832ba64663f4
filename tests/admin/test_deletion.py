"""Deleting what other records depend on is refused clearly, never with a server error."""

import pytest

from negotiations.models import Participant, Party, Source, Stance
from negotiations.refusals import RULES
from positions.models import Demand
from tests.admin.helpers import add_inline_row, errors_of, posted, row_index
from tests.factories import PartyFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_analyst_cannot_delete_a_party(talks, analyst_client):
    url = f"/admin/negotiations/party/{talks.north.pk}/delete/"

    assert analyst_client.get(url).status_code == 403
    assert analyst_client.post(url, {"post": "yes"}).status_code == 403
    assert Party.objects.filter(pk=talks.north.pk).exists()


def test_editor_is_told_what_keeps_a_party_from_being_deleted(talks, editor_client):
    url = f"/admin/negotiations/party/{talks.north.pk}/delete/"

    page = editor_client.get(url)

    html = page.content.decode()
    assert page.status_code == 200
    assert "Party “Northland” cannot be deleted" in html
    assert "Participant: <a" in html and "Northland as principal in Test talks</a>" in html
    assert "NO on Border line at Round 1: All of the border land</a>" in html
    assert "Concession: <a" in html
    assert "Nothing has been deleted." in html
    assert "Yes, I’m sure" not in html
    assert editor_client.post(url, {"post": "yes"}).status_code == 200
    assert Party.objects.filter(pk=talks.north.pk).exists()


def test_editor_deletes_a_party_nothing_depends_on(editor_client):
    party = PartyFactory()

    response = editor_client.post(f"/admin/negotiations/party/{party.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Party.objects.filter(pk=party.pk).exists()


def test_bulk_deletion_names_what_blocks_it(talks, editor_client):
    unused = PartyFactory()

    page = editor_client.post(
        "/admin/negotiations/party/",
        {"action": "delete_selected", "_selected_action": [talks.south.pk, unused.pk]},
    )

    html = page.content.decode()
    assert "The selected parties cannot be deleted" in html
    assert "SO on Border line at Round 2: A little, for peace</a>" in html
    assert Party.objects.filter(pk__in=[talks.south.pk, unused.pk]).count() == 2


def test_participant_with_statements_cannot_be_removed(talks, editor_client):
    participant = Participant.objects.get(negotiation=talks.negotiation, party=talks.north)
    url = f"/admin/negotiations/participant/{participant.pk}/delete/"

    page = editor_client.get(url)
    confirmed = editor_client.post(url, {"post": "yes"})

    assert (
        "Participant “Northland as principal in Test talks” cannot be deleted"
        in page.content.decode()
    )
    assert "NO on Prisoners at Round 2: Exchange all for all</a>" in page.content.decode()
    assert confirmed.status_code == 200
    assert Participant.objects.filter(pk=participant.pk).exists()


def test_participant_without_statements_can_be_removed(talks, editor_client):
    participant = Participant.objects.get(negotiation=talks.negotiation, party=talks.mediator)

    response = editor_client.post(
        f"/admin/negotiations/participant/{participant.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Participant.objects.filter(pk=participant.pk).exists()


def test_negotiation_page_refuses_to_remove_a_party_with_statements(talks, editor_client):
    url = f"/admin/negotiations/negotiation/{talks.negotiation.pk}/change/"
    data = posted(editor_client.get(url))
    north = Participant.objects.get(negotiation=talks.negotiation, party=talks.north)
    data[f"participants-{row_index(data, 'participants', north.pk)}-DELETE"] = "on"

    response = editor_client.post(url, data)

    assert response.status_code == 200
    assert (
        "Northland has 6 demand(s) or concession(s) in this negotiation, so it cannot leave it. "
        "Delete or reassign those statements first." in errors_of(response)
    )
    assert Participant.objects.filter(pk=north.pk).exists()


def test_participant_with_statements_cannot_become_another_party(talks, editor_client):
    north = Participant.objects.get(negotiation=talks.negotiation, party=talks.north)
    url = f"/admin/negotiations/participant/{north.pk}/change/"
    data = posted(editor_client.get(url))
    data["party"] = str(PartyFactory().pk)

    response = editor_client.post(url, data)

    assert response.status_code == 200
    assert any("cannot leave it" in e for e in errors_of(response))
    north.refresh_from_db()
    assert north.party == talks.north


def test_stance_in_use_cannot_be_deleted_from_its_issue_page(talks, editor_client):
    url = f"/admin/negotiations/issue/{talks.border.pk}/change/"
    data = posted(editor_client.get(url))
    used = talks.stance(talks.border, 4)
    data[f"stances-{row_index(data, 'stances', used.pk)}-DELETE"] = "on"

    response = editor_client.post(url, data)

    assert response.status_code == 200
    assert any("protected related objects" in e for e in errors_of(response))
    assert Stance.objects.filter(pk=used.pk).exists()


def test_database_refusal_becomes_a_form_error_with_the_values_kept(
    talks, analyst_client, database_rule
):
    data = {"kind": "media", "outlet": "Banned Gazette", "title": "Scoop", "slug": "scoop"}

    response = analyst_client.post("/admin/negotiations/source/add/", data)

    assert response.status_code == 200
    assert (
        "The database refused this save: This is banned. Nothing was saved; correct the values "
        "and save again." in errors_of(response)
    )
    assert response.context["adminform"].form["title"].value() == "Scoop"
    assert not Source.objects.filter(slug="scoop").exists()


def test_database_refusal_on_a_round_page_keeps_every_row(talks, analyst_client, database_rule):
    url = f"/admin/negotiations/round/{talks.r2.pk}/change/"
    data = posted(analyst_client.get(url))
    data["title"] = "Round two, renamed"
    add_inline_row(
        data,
        "demands",
        party=talks.mediator.pk,
        issue=talks.border.pk,
        text="Forbidden words",
        priority="core",
        status="reported",
        sources=[SourceFactory().pk],
    )

    response = analyst_client.post(url, data)

    assert response.status_code == 200
    assert any(e.startswith("The database refused this save") for e in errors_of(response))
    assert response.context["adminform"].form["title"].value() == "Round two, renamed"
    talks.r2.refresh_from_db()
    assert talks.r2.title == "Round 2"  # the round's own change was rolled back with the row
    assert not Demand.objects.filter(party=talks.mediator).exists()


def test_source_still_cited_cannot_be_deleted(talks, editor_client):
    cited = talks.r1.sources.get()
    url = f"/admin/negotiations/source/{cited.pk}/delete/"

    html = editor_client.get(url).content.decode()
    assert "cannot be deleted" in html
    assert f'Round: <a href="/admin/negotiations/round/{talks.r1.pk}/change/">Round 1</a>' in html
    assert editor_client.post(url, {"post": "yes"}).status_code == 200
    assert talks.r1.sources.filter(pk=cited.pk).exists()


def test_source_nothing_cites_can_be_deleted(editor_client):
    unused = SourceFactory()
    response = editor_client.post(
        f"/admin/negotiations/source/{unused.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Source.objects.filter(pk=unused.pk).exists()


def test_database_refusal_by_a_known_rule_shows_on_its_field(talks, analyst_client, database_rule):
    data = posted(analyst_client.get("/admin/positions/demand/add/"))
    data.update(
        round=str(talks.r3.pk),
        party=str(talks.south.pk),
        issue=str(talks.prisoners.pk),
        text="Outsider words",
        priority="core",
        status="reported",
        sources=[str(SourceFactory().pk)],
    )

    response = analyst_client.post("/admin/positions/demand/add/", data)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["party"] == [RULES["party_participates"].message()]
    assert form.non_field_errors() == [
        f"The database refused this save: {RULES['party_participates'].message()} Nothing was "
        "saved; correct the values and save again."
    ]
    assert not Demand.objects.filter(text="Outsider words").exists()
