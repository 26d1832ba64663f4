"""Anyone reads; writing takes a signed-in user with the model permission, and clean data."""

import datetime

import pytest
from rest_framework.authtoken.models import Token

from negotiations.models import Party, Round
from negotiations.refusals import RULES
from positions.models import Demand
from tests.api.conftest import if_match
from tests.factories import PartyFactory, RoundFactory

pytestmark = pytest.mark.django_db

TALKS = "/api/v1/negotiations/test-talks"


@pytest.fixture
def source_slug(talks) -> str:
    return talks.r1.sources.get().slug


def new_demand(talks, source_slug, **overrides) -> dict:
    return {
        "party": "south",
        "issue": "prisoners",
        "round": "r3",
        "stance": 1,
        "text": "Partial exchange first",
        "priority": "core",
        "sources": [source_slug],
        **overrides,
    }


def signed_in(api, user):
    api.force_authenticate(user)
    return api


def delete_as(api, user, url: str):
    """Delete as `user`, naming the version read just before, as a careful client does."""
    return signed_in(api, user).delete(url, **if_match(api, url))


def test_anonymous_write_is_refused_with_401(api, talks, source_slug):
    response = api.post(f"{TALKS}/demands/", new_demand(talks, source_slug), format="json")
    assert response.status_code == 401
    assert response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Token")
    assert not Demand.objects.filter(text="Partial exchange first").exists()


def test_reader_without_permissions_is_refused(api, talks, reader, source_slug):
    response = signed_in(api, reader).post(
        f"{TALKS}/demands/", new_demand(talks, source_slug), format="json"
    )
    assert response.status_code == 403
    assert response.json()["detail"]


def test_reader_may_still_read(api, talks, reader):
    assert signed_in(api, reader).get(f"{TALKS}/demands/").status_code == 200


def test_analyst_may_write_a_demand(api, talks, analyst, source_slug):
    response = signed_in(api, analyst).post(
        f"{TALKS}/demands/", new_demand(talks, source_slug), format="json"
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["party"]["slug"] == "south"
    assert created["round"]["slug"] == "r3"
    assert created["stance"] == {"value": 1, "label": "partial"}
    assert created["sources"][0]["slug"] == source_slug
    demand = Demand.objects.get(pk=created["id"])
    assert demand.history.latest().history_user == analyst  # who changed what stays on record
    assert api.get(created["url"]).json()["text"] == "Partial exchange first"


def test_token_authentication_writes_too(api, talks, analyst, source_slug):
    token = Token.objects.create(user=analyst)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.post(f"{TALKS}/demands/", new_demand(talks, source_slug), format="json")
    assert response.status_code == 201, response.content
    assert Demand.objects.get(pk=response.json()["id"]).history.latest().history_user == analyst


def test_analyst_may_change_a_demand(api, talks, analyst):
    demand = talks.demand(talks.south, talks.border, talks.r4)
    response = signed_in(api, analyst).patch(
        f"{TALKS}/demands/{demand.pk}/",
        {"status": "confirmed", "stance": 2},
        format="json",
        **if_match(api, f"{TALKS}/demands/{demand.pk}/"),
    )
    assert response.status_code == 200, response.content
    demand.refresh_from_db()
    assert demand.status == "confirmed" and demand.stance.value == 2


def test_analyst_may_add_a_round(api, talks, analyst, source_slug):
    response = signed_in(api, analyst).post(
        f"{TALKS}/rounds/",
        {
            "slug": "r5",
            "title": "Round 5",
            "kind": "summit",
            "start_date": "2025-05-21",
            "date_precision": "month",
            "date_part": "late",
            "parties": ["north", "south"],
            "sources": [source_slug],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["date_display"] == "late May 2025"
    assert Round.objects.get(slug="r5").negotiation == talks.negotiation


def test_analyst_may_not_delete_a_party(api, talks, analyst):
    response = delete_as(api, analyst, "/api/v1/parties/mediator/")
    assert response.status_code == 403
    assert Party.objects.filter(slug="mediator").exists()


def test_analyst_may_not_add_an_issue(api, talks, analyst):
    response = signed_in(api, analyst).post(
        f"{TALKS}/issues/",
        {
            "slug": "water",
            "title": "Water",
            "category": "economic",
            "low_pole": "a",
            "high_pole": "b",
        },
        format="json",
    )
    assert response.status_code == 403


def test_editor_may_add_an_issue_with_its_scale(api, talks, editor):
    response = signed_in(api, editor).post(
        f"{TALKS}/issues/",
        {
            "slug": "water",
            "title": "Water sharing",
            "category": "economic",
            "low_pole": "none shared",
            "high_pole": "all shared",
            "stances": [{"value": 1, "label": "some"}, {"value": 0, "label": "none"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert [s["label"] for s in response.json()["stances"]] == ["none", "some"]


def test_an_existing_scale_is_not_replaced_through_the_api(api, talks, editor):
    response = signed_in(api, editor).patch(
        f"{TALKS}/issues/border/",
        {"stances": [{"value": 0, "label": "nothing"}]},
        format="json",
        **if_match(api, f"{TALKS}/issues/border/"),
    )
    assert response.status_code == 400
    assert "admin" in response.json()["stances"][0]
    assert talks.border.stances.count() == 5


def test_editor_deleting_a_party_with_statements_is_a_409_naming_them(api, talks, editor):
    response = delete_as(api, editor, "/api/v1/parties/north/")
    assert response.status_code == 409
    assert "demands" in response.json()["detail"]
    assert Party.objects.filter(slug="north").exists()


def test_editor_may_delete_an_unused_party(api, db, editor):
    from tests.factories import PartyFactory

    PartyFactory(slug="passer-by")
    assert delete_as(api, editor, "/api/v1/parties/passer-by/").status_code == 204
    assert not Party.objects.filter(slug="passer-by").exists()


def test_duplicate_demand_is_a_400_with_the_models_message(api, talks, analyst, source_slug):
    payload = new_demand(talks, source_slug, party="south", issue="border", round="r2")
    response = signed_in(api, analyst).post(f"{TALKS}/demands/", payload, format="json")
    assert response.status_code == 400
    assert "already has a demand" in response.json()["non_field_errors"][0]


def test_stance_off_the_issues_scale_is_a_400(api, talks, analyst, source_slug):
    payload = new_demand(talks, source_slug, stance=4)  # prisoners' scale stops at 2
    response = signed_in(api, analyst).post(f"{TALKS}/demands/", payload, format="json")
    assert response.status_code == 400
    assert "no stance 4" in response.json()["stance"][0]


def test_changing_the_issue_keeps_the_stance_honest(api, talks, analyst):
    demand = talks.demand(talks.south, talks.border, talks.r4)
    response = signed_in(api, analyst).patch(
        f"{TALKS}/demands/{demand.pk}/",
        {"issue": "prisoners"},
        format="json",
        **if_match(api, f"{TALKS}/demands/{demand.pk}/"),
    )
    assert response.status_code == 400
    assert "another issue" in response.json()["stance"][0]


def test_party_outside_the_negotiation_is_a_400(api, talks, analyst, source_slug):
    from tests.factories import PartyFactory

    PartyFactory(slug="outsider")
    payload = new_demand(talks, source_slug, party="outsider")
    response = signed_in(api, analyst).post(f"{TALKS}/demands/", payload, format="json")
    assert response.status_code == 400
    assert "does not take part" in response.json()["party"][0]


def test_round_of_another_negotiation_is_a_400(api, talks, analyst, source_slug):
    from tests.factories import NegotiationFactory, RoundFactory

    RoundFactory(negotiation=NegotiationFactory(slug="other-talks"), slug="elsewhere")
    payload = new_demand(talks, source_slug, round="elsewhere")
    response = signed_in(api, analyst).post(f"{TALKS}/demands/", payload, format="json")
    assert response.status_code == 400
    assert "elsewhere" in response.json()["round"][0]


def test_demand_without_a_source_is_a_400(api, talks, analyst, source_slug):
    payload = new_demand(talks, source_slug, sources=[])
    response = signed_in(api, analyst).post(f"{TALKS}/demands/", payload, format="json")
    assert response.status_code == 400
    assert "sources" in response.json()


def test_retraction_with_a_stance_is_a_400(api, talks, analyst, source_slug):
    payload = new_demand(talks, source_slug, status="retracted", stance=1)
    response = signed_in(api, analyst).post(f"{TALKS}/demands/", payload, format="json")
    assert response.status_code == 400
    assert "retraction" in str(response.json()).lower()


def test_concession_must_soften_the_partys_own_demand(api, talks, analyst, source_slug):
    others = talks.demand(talks.south, talks.border, talks.r2)
    response = signed_in(api, analyst).post(
        f"{TALKS}/concessions/",
        {
            "party": "north",
            "issue": "border",
            "round": "r4",
            "text": "Gives up something",
            "softens": others.pk,
            "sources": [source_slug],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "same party" in response.json()["softens"][0]


def test_round_dated_finer_than_its_precision_is_a_400(api, talks, analyst, source_slug):
    response = signed_in(api, analyst).post(
        f"{TALKS}/rounds/",
        {
            "slug": "r6",
            "title": "Round 6",
            "kind": "talks",
            "start_date": "2025-06-14",
            "date_precision": "month",
            "sources": [source_slug],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "start_date" in response.json()


def test_deleting_a_demand_a_concession_softens_is_a_409(api, talks, editor):
    softened = talks.north_border_r3_concession.softens
    response = delete_as(api, editor, f"{TALKS}/demands/{softened.pk}/")
    assert response.status_code == 409
    assert "concession" in response.json()["detail"]


def test_null_character_in_a_slug_is_a_400(api, talks, analyst, source_slug):
    payload = new_demand(talks, source_slug, party="south\x00")
    response = signed_in(api, analyst).post(f"{TALKS}/demands/", payload, format="json")
    assert response.status_code == 400
    assert "party" in response.json()


@pytest.mark.parametrize(
    "url",
    [f"{TALKS}/demands/", f"{TALKS}/concessions/", f"{TALKS}/rounds/", "/api/v1/sources/"],
)
def test_browsable_api_offers_its_forms_to_an_editor(api, talks, editor, url):
    response = signed_in(api, editor).get(url, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"<form" in response.content


def test_browsable_api_edit_form_of_a_demand(api, talks, editor):
    demand = talks.demand(talks.north, talks.border, talks.r1)
    response = signed_in(api, editor).get(f"{TALKS}/demands/{demand.pk}/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"All of the border land" in response.content


def test_editor_may_open_a_negotiation_and_an_analyst_may_not(api, db, editor, analyst):
    payload = {"slug": "new-talks", "title": "New talks", "started_on": "2026-02-01"}
    assert signed_in(api, analyst).post("/api/v1/negotiations/", payload).status_code == 403
    response = signed_in(api, editor).post("/api/v1/negotiations/", payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["links"]["rounds"].endswith("/api/v1/negotiations/new-talks/rounds/")


def test_negotiation_ending_before_it_starts_is_a_400(api, db, editor):
    payload = {"slug": "odd", "title": "Odd", "started_on": "2026-02-01", "ended_on": "2026-01-01"}
    response = signed_in(api, editor).post("/api/v1/negotiations/", payload, format="json")
    assert response.status_code == 400
    assert "cannot end before it starts" in str(response.json())


def test_deleting_a_cited_source_is_a_409_and_keeps_the_citations(api, talks, editor):
    source = talks.r1.sources.get()
    response = delete_as(api, editor, f"/api/v1/sources/{source.slug}/")
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "Cannot delete: 1 round refers to it. Delete or reassign them first."
    )
    assert talks.r1.sources.filter(pk=source.pk).exists()


def test_editor_may_delete_an_uncited_source(api, db, editor):
    from tests.factories import SourceFactory

    source = SourceFactory()
    assert delete_as(api, editor, f"/api/v1/sources/{source.slug}/").status_code == 204


def test_a_patched_stance_without_its_value_is_a_400_not_a_server_error(api, talks, editor):
    # Found by schemathesis: partial updates do not make nested fields required.
    response = signed_in(api, editor).patch(
        f"{TALKS}/issues/border/",
        {"stances": [{"label": "nothing"}]},
        format="json",
        **if_match(api, f"{TALKS}/issues/border/"),
    )
    assert response.status_code == 400
    assert "value and a label" in response.json()["stances"][0]
    assert talks.border.stances.count() == 5


# --- rules the API meets through the models' validation, and the database's refusals ----------


def test_a_demand_a_concession_is_conditional_on_keeps_its_party(api, talks, editor):
    # The concession of north at r3 is conditional on south's demand at r2; making that north's
    # own demand would leave north's concession conditional on north.
    condition = talks.demand(talks.south, talks.border, talks.r2)
    response = signed_in(api, editor).patch(
        f"{TALKS}/demands/{condition.pk}/",
        {"party": "north"},
        format="json",
        **if_match(api, f"{TALKS}/demands/{condition.pk}/"),
    )
    assert response.status_code == 400
    assert response.json() == {
        "party": [
            "1 concession(s) refer to this demand; point them elsewhere before changing its "
            "party or issue, or state a new demand instead."
        ]
    }
    condition.refresh_from_db()
    assert condition.party == talks.south


def test_a_cited_demand_cannot_move_after_the_concession_citing_it(api, talks, editor):
    RoundFactory(negotiation=talks.negotiation, slug="r5", start_date=datetime.date(2025, 5, 1))
    condition = talks.demand(talks.south, talks.border, talks.r2)
    response = signed_in(api, editor).patch(
        f"{TALKS}/demands/{condition.pk}/",
        {"round": "r5"},
        format="json",
        **if_match(api, f"{TALKS}/demands/{condition.pk}/"),
    )
    assert response.status_code == 400
    assert list(response.json()) == ["round"]
    assert "cannot move to a round after theirs" in response.json()["round"][0]
    condition.refresh_from_db()
    assert condition.round == talks.r2


def test_a_round_cannot_take_a_date_after_a_concession_citing_its_demand(api, talks, editor):
    response = signed_in(api, editor).patch(
        f"{TALKS}/rounds/r2/",
        {"start_date": "2025-03-15"},
        format="json",
        **if_match(api, f"{TALKS}/rounds/r2/"),
    )
    assert response.status_code == 400
    assert list(response.json()) == ["start_date"]
    assert "would refer to a demand stated after them" in response.json()["start_date"][0]
    talks.r2.refresh_from_db()
    assert talks.r2.start_date == datetime.date(2025, 2, 1)


def test_a_refusal_by_a_known_database_rule_names_its_field(
    api, talks, editor, source_slug, database_rule
):
    payload = new_demand(talks, source_slug, text="Outsider words")
    response = signed_in(api, editor).post(f"{TALKS}/demands/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"party": [RULES["party_participates"].message()]}
    assert not Demand.objects.filter(text="Outsider words").exists()


def test_a_refusal_by_a_rule_only_the_database_knows_is_a_400_in_its_words(
    api, talks, editor, source_slug, database_rule
):
    payload = new_demand(talks, source_slug, text="Forbidden words")
    response = signed_in(api, editor).post(f"{TALKS}/demands/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["This is banned."]}


def test_a_deletion_the_database_refuses_is_a_409(api, db, editor, database_rule):
    PartyFactory(slug="keep-me")
    response = delete_as(api, editor, "/api/v1/parties/keep-me/")
    assert response.status_code == 409
    assert response.json() == {"detail": "This is banned."}
    assert Party.objects.filter(slug="keep-me").exists()
