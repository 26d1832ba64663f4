"""Participants are named in words on every admin page: never "3 as principal in 1".

A participation reads "Northland as principal in Test talks" in titles, breadcrumbs, messages,
deletion lists, the history and the log.
"""

import re

import pytest
from django.contrib.admin.models import LogEntry

from negotiations.models import Participant
from tests.admin.helpers import posted
from tests.factories import NegotiationFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

RAW = re.compile(r"\b\d+ as (principal|mediator|observer) in \d+\b")


def participant_url(participant, page: str) -> str:
    return f"/admin/negotiations/participant/{participant.pk}/{page}/"


@pytest.fixture
def mediator(talks) -> Participant:
    return Participant.objects.get(negotiation=talks.negotiation, party=talks.mediator)


def page_text(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    assert not RAW.search(html), RAW.search(html).group()
    return html


def test_change_page_title_and_breadcrumbs_name_the_participation(mediator, editor_client):
    html = page_text(editor_client.get(participant_url(mediator, "change")))

    assert "<title>Mediatoria as mediator in Test talks | Change participant" in html
    assert "<h2>Mediatoria as mediator in Test talks</h2>" in html
    assert "&rsaquo; Mediatoria as mediator in Test talks" in html


def test_saved_message_and_log_name_the_participation(mediator, editor_client):
    data = posted(editor_client.get(participant_url(mediator, "change")))
    data["order"] = "7"

    response = editor_client.post(participant_url(mediator, "change"), data, follow=True)

    html = page_text(response)
    assert "Mediatoria as mediator in Test talks</a>” was changed successfully" in html
    assert LogEntry.objects.get().object_repr == "Mediatoria as mediator in Test talks"
    assert not RAW.search(page_text(editor_client.get("/admin/")))  # recent actions


def test_delete_page_and_message_name_the_participation(mediator, editor_client):
    html = page_text(editor_client.get(participant_url(mediator, "delete")))

    assert 'delete the participant "Mediatoria as mediator in Test talks"?' in html
    assert "Participant: <a" in html and ">Mediatoria as mediator in Test talks</a>" in html

    response = editor_client.post(participant_url(mediator, "delete"), {"post": "yes"}, follow=True)

    html = page_text(response)
    assert "“Mediatoria as mediator in Test talks” was deleted successfully" in html
    assert LogEntry.objects.get().object_repr == "Mediatoria as mediator in Test talks"


def test_protected_delete_page_names_the_participation(talks, editor_client):
    north = Participant.objects.get(negotiation=talks.negotiation, party=talks.north)

    html = page_text(editor_client.get(participant_url(north, "delete")))

    assert "Participant “Northland as principal in Test talks” cannot be deleted" in html


def test_history_pages_name_each_version_with_its_own_party(talks, mediator, editor_client):
    data = posted(editor_client.get(participant_url(mediator, "change")))
    data["role"] = "observer"
    assert editor_client.post(participant_url(mediator, "change"), data).status_code == 302

    html = page_text(editor_client.get(participant_url(mediator, "history")))

    assert "Change history: Mediatoria as observer in Test talks" in html
    assert "Mediatoria as mediator in Test talks" in html  # the first version's row
    first = mediator.history.earliest("history_date")
    old = page_text(editor_client.get(f"{participant_url(mediator, 'history')}{first.pk}/"))
    assert "Revert Mediatoria as mediator in Test talks" in old


def test_negotiation_pages_name_their_participants(talks, editor_client):
    change = page_text(
        editor_client.get(f"/admin/negotiations/negotiation/{talks.negotiation.pk}/change/")
    )
    listing = page_text(editor_client.get("/admin/negotiations/participant/"))
    fresh = NegotiationFactory(title="Fresh talks")
    ParticipantFactory(negotiation=fresh, party=talks.south)
    delete = page_text(editor_client.get(f"/admin/negotiations/negotiation/{fresh.pk}/delete/"))

    assert "Southland as principal in Test talks" in change  # the participant rows
    assert "Select this object for an action - Southland as principal in Test talks" in listing
    assert "Participant: <a" in delete and ">Southland as principal in Fresh talks</a>" in delete
