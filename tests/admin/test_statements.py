"""Demands and concessions on a round's page or their own: clear refusals, fitted choices."""

import datetime

import pytest

from positions.forms import ConcessionForm
from positions.models import Concession, Demand
from positions.paginator import ROWS_PER_PAGE
from tests.admin.helpers import add_inline_row, errors_of, posted, row_index
from tests.factories import (
    DemandFactory,
    IssueFactory,
    NegotiationFactory,
    ParticipantFactory,
    PartyFactory,
    RoundFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def round_url(round) -> str:
    return f"/admin/negotiations/round/{round.pk}/change/"


def round_form(client, round) -> dict:
    return posted(client.get(round_url(round)))


def test_analyst_adds_a_demand_on_the_round_page(talks, analyst_client):
    data = round_form(analyst_client, talks.r3)
    source = SourceFactory()
    add_inline_row(
        data,
        "demands",
        party=talks.south.pk,
        issue=talks.prisoners.pk,
        stance=talks.stance(talks.prisoners, 1).pk,
        text="A partial exchange first",
        priority="core",
        status="reported",
        sources=[source.pk],
    )

    response = analyst_client.post(round_url(talks.r3), data)

    assert response.status_code == 302, errors_of(response)
    demand = talks.demand(talks.south, talks.prisoners, talks.r3)
    assert demand.stance.label == "partial"
    assert list(demand.sources.all()) == [source]
    assert demand.history.get().history_user.username == "alice"


def test_demand_with_a_stance_of_another_issue_is_refused(talks, analyst_client):
    data = round_form(analyst_client, talks.r3)
    add_inline_row(
        data,
        "demands",
        party=talks.south.pk,
        issue=talks.prisoners.pk,
        stance=talks.stance(talks.border, 2).pk,
        text="Half of the prisoners?",
        priority="core",
        status="reported",
        sources=[SourceFactory().pk],
    )

    response = analyst_client.post(round_url(talks.r3), data)

    assert response.status_code == 200
    assert "This stance is on another issue's scale; pick one of this issue's." in errors_of(
        response
    )
    assert not Demand.objects.filter(party=talks.south, issue=talks.prisoners).exists()


def test_stance_rows_show_only_their_chosen_stance_labelled_without_the_issue(
    talks, analyst_client
):
    page = analyst_client.get(round_url(talks.r3)).content.decode()
    rows = page[page.index('id="demands-group"') :]

    chosen = talks.demand(talks.north, talks.border, talks.r3).stance
    assert f'<option value="{chosen.pk}" selected>{chosen}</option>' in rows
    unchosen = talks.stance(talks.prisoners, 1)
    assert f'<option value="{unchosen.pk}"' not in rows
    assert 'class="parley-choices"' in rows


def test_round_page_offers_only_participants_and_the_negotiations_issues(talks, analyst_client):
    outsider = PartyFactory(name="Outsideria")
    elsewhere = IssueFactory(negotiation=NegotiationFactory(), title="Faraway issue")

    response = analyst_client.get(round_url(talks.r3))

    form = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert {p.name for p in form.fields["party"].queryset} == {
        "Northland",
        "Southland",
        "Mediatoria",
    }
    assert {i.title for i in form.fields["issue"].queryset} == {"Border line", "Prisoners"}
    assert outsider.name not in response.content.decode()
    assert elsewhere.title not in response.content.decode()


def test_duplicate_demand_is_refused(talks, analyst_client):
    data = {
        "round": talks.r1.pk,
        "party": talks.north.pk,
        "issue": talks.border.pk,
        "stance": talks.stance(talks.border, 3).pk,
        "text": "Most of it",
        "priority": "core",
        "status": "reported",
        "sources": [SourceFactory().pk],
    }

    response = analyst_client.post("/admin/positions/demand/add/", data)

    assert response.status_code == 200
    existing = talks.demand(talks.north, talks.border, talks.r1)
    assert (
        "This party already has a demand on this issue at this round: "
        f'<a href="/admin/positions/demand/{existing.pk}/change/">edit that one</a> instead'
        in " ".join(errors_of(response))
    )
    assert existing.text == "All of the border land"


def test_two_rows_for_one_party_and_issue_on_a_round_page_are_refused(talks, analyst_client):
    data = round_form(analyst_client, talks.r3)
    for text in ("Some prisoners", "All prisoners"):
        add_inline_row(
            data,
            "demands",
            party=talks.south.pk,
            issue=talks.prisoners.pk,
            text=text,
            priority="core",
            status="reported",
            sources=[SourceFactory().pk],
        )

    response = analyst_client.post(round_url(talks.r3), data)

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    first, second = len(formset.forms) - 2, len(formset.forms) - 1
    assert not formset.forms[first].errors
    assert formset.forms[second].errors["party"] == [
        f"Row {first + 1} already gives Southland a statement on “Prisoners” at this round: "
        "keep one of the two rows (delete this one, or change its party or issue)."
    ]
    assert not Demand.objects.filter(party=talks.south, issue=talks.prisoners).exists()


def test_demand_by_a_party_outside_the_negotiation_is_refused(talks, analyst_client):
    outsider = PartyFactory(name="Outsideria")
    data = {
        "round": talks.r1.pk,
        "party": outsider.pk,
        "issue": talks.border.pk,
        "text": "A say in the border",
        "priority": "core",
        "status": "reported",
        "sources": [SourceFactory().pk],
    }

    response = analyst_client.post("/admin/positions/demand/add/", data)

    assert response.status_code == 200
    assert any("does not take part in the round's negotiation" in e for e in errors_of(response))
    assert not Demand.objects.filter(party=outsider).exists()


def test_party_outside_the_negotiation_is_not_a_choice_on_the_round_page(talks, analyst_client):
    outsider = PartyFactory()
    data = round_form(analyst_client, talks.r3)
    add_inline_row(
        data,
        "demands",
        party=outsider.pk,
        issue=talks.border.pk,
        text="A say in the border",
        priority="core",
        status="reported",
        sources=[SourceFactory().pk],
    )

    response = analyst_client.post(round_url(talks.r3), data)

    assert "Pick one of the parties that take part in this negotiation." in errors_of(response)


def test_concession_softening_another_partys_demand_is_refused(talks, analyst_client):
    data = round_form(analyst_client, talks.r3)
    add_inline_row(
        data,
        "concessions",
        party=talks.south.pk,
        issue=talks.border.pk,
        status="offered",
        text="Would give up the claim",
        softens=talks.demand(talks.north, talks.border, talks.r1).pk,
        sources=[SourceFactory().pk],
    )

    response = analyst_client.post(round_url(talks.r3), data)

    assert response.status_code == 200
    assert "A concession softens a demand of the same party on the same issue." in errors_of(
        response
    )
    assert not Concession.objects.filter(party=talks.south).exists()


def test_demand_that_a_concession_softens_keeps_its_party(talks, analyst_client):
    softened = talks.demand(talks.north, talks.border, talks.r1)
    data = round_form(analyst_client, talks.r1)
    data[f"demands-{row_index(data, 'demands', softened.pk)}-party"] = str(talks.mediator.pk)

    response = analyst_client.post(round_url(talks.r1), data)

    assert response.status_code == 200
    assert any("concession(s) refer to this demand" in e for e in errors_of(response))
    softened.refresh_from_db()
    assert softened.party == talks.north


def test_round_page_queries_do_not_grow_with_its_rows(
    talks, analyst_client, django_assert_max_num_queries
):
    for _ in range(25):
        party = PartyFactory()
        ParticipantFactory(negotiation=talks.negotiation, party=party)
        for issue in (talks.border, talks.prisoners):
            DemandFactory(party=party, issue=issue, round=talks.r3, stance=issue.stances.first())

    with django_assert_max_num_queries(35):
        page = analyst_client.get(round_url(talks.r3))

    # 52 rows: a page of them as forms, and the new row (tests/admin/test_round_pages.py).
    assert page.context["inline_admin_formsets"][0].formset.total_form_count() == ROWS_PER_PAGE + 1


def test_source_can_be_added_from_the_round_page_without_leaving_it(talks, analyst_client):
    page = analyst_client.get(round_url(talks.r3)).content.decode()

    assert 'id="add_id_demands-0-sources"' in page
    assert "/admin/negotiations/source/add/?_to_field=id&amp;_popup=1" in page
    popup = analyst_client.post(
        "/admin/negotiations/source/add/?_to_field=id&_popup=1",
        {
            "_popup": "1",
            "kind": "media",
            "outlet": "Evening Post",
            "title": "Talks resume",
            "slug": "evening-post-talks-resume",
        },
    )
    assert popup.status_code == 200
    assert b"popup_response" in popup.content
    autocomplete = analyst_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "positions",
            "model_name": "demand",
            "field_name": "sources",
            "term": "Evening",
        },
    )
    assert [r["text"] for r in autocomplete.json()["results"]] == ["Evening Post: Talks resume"]


def concession_url(concession) -> str:
    return f"/admin/positions/concession/{concession.pk}/change/"


def test_concession_page_offers_only_demands_stated_at_or_before_its_round(talks, analyst_client):
    concession = talks.north_border_r3_concession  # at round 3
    other_talks = NegotiationFactory()
    party = PartyFactory()
    ParticipantFactory(negotiation=other_talks, party=party)
    elsewhere = DemandFactory(
        party=party,
        issue=IssueFactory(negotiation=other_talks),
        round=RoundFactory(negotiation=other_talks, start_date=talks.r1.start_date),
        text="A demand in other talks",
    )

    page = analyst_client.get(concession_url(concession))
    form = page.context["adminform"].form

    for name in ("softens", "in_return_for"):
        offered = {demand.text for demand in form.fields[name].queryset}
        assert "Most of the border land" in offered  # round 3 itself
        assert "All of the border land" in offered  # round 1
        assert "All of it after all" not in offered  # round 4: later
        assert elsewhere.text not in offered
    labels = [label for _, label in form.fields["softens"].choices]
    assert "NO · Border line · Round 1: All of the border land" in labels
    later = talks.demand(talks.north, talks.border, talks.r4)
    assert f'<option value="{later.pk}"' not in page.content.decode()


@pytest.mark.parametrize(
    "field, party", [("softens", "north"), ("in_return_for", "south")], ids=["softens", "return"]
)
def test_concession_referring_to_a_later_demand_is_refused_on_that_field(
    field, party, talks, analyst_client
):
    concession = talks.north_border_r3_concession
    later = talks.demand(getattr(talks, party), talks.border, talks.r4)
    data = posted(analyst_client.get(concession_url(concession)))
    data[field] = str(later.pk)

    response = analyst_client.post(concession_url(concession), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [
        "Pick a demand stated at or before this round."
    ]
    concession.refresh_from_db()
    assert getattr(concession, field) != later


def test_concession_moved_before_the_demand_it_answers_is_refused_on_that_field(
    talks, analyst_client
):
    concession = talks.north_border_r3_concession  # in return for south's round 2 demand
    data = posted(analyst_client.get(concession_url(concession)))
    data["round"] = str(talks.r1.pk)

    response = analyst_client.post(concession_url(concession), data)

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["in_return_for"]
    concession.refresh_from_db()
    assert concession.round == talks.r3


def test_new_concession_softening_a_later_demand_is_refused_on_that_field(talks, analyst_client):
    data = {
        "round": talks.r2.pk,
        "party": talks.north.pk,
        "issue": talks.border.pk,
        "text": "Would settle for most",
        "softens": talks.demand(talks.north, talks.border, talks.r3).pk,
        "status": "offered",
        "sources": [SourceFactory().pk],
    }

    response = analyst_client.post("/admin/positions/concession/add/", data)

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["softens"]
    assert not Concession.objects.filter(round=talks.r2).exists()


def test_model_refusal_of_a_later_demand_shows_on_that_field(talks, analyst_client, monkeypatch):
    """Were the choices not narrowed to the round, the model's own check names the field."""
    monkeypatch.setattr(ConcessionForm, "_round", lambda form: None)
    concession = talks.north_border_r3_concession
    data = posted(analyst_client.get(concession_url(concession)))
    data["softens"] = str(talks.demand(talks.north, talks.border, talks.r4).pk)

    response = analyst_client.post(concession_url(concession), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["softens"] == [
        "That demand was stated after this concession's round; pick one stated at or before it."
    ]


def demand_page(client, demand) -> tuple[str, dict]:
    url = f"/admin/positions/demand/{demand.pk}/change/"
    return url, posted(client.get(url))


def test_demand_a_concession_is_conditional_on_keeps_its_party_on_its_page(talks, analyst_client):
    condition = talks.demand(talks.south, talks.border, talks.r2)
    url, data = demand_page(analyst_client, condition)
    data["party"] = str(talks.north.pk)

    response = analyst_client.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["party"] == [
        "1 concession(s) refer to this demand; point them elsewhere before changing its party "
        "or issue, or state a new demand instead."
    ]
    condition.refresh_from_db()
    assert condition.party == talks.south


def test_cited_demand_cannot_move_after_the_concession_on_its_page(talks, analyst_client):
    later = RoundFactory(negotiation=talks.negotiation, start_date=datetime.date(2025, 5, 1))
    condition = talks.demand(talks.south, talks.border, talks.r2)
    url, data = demand_page(analyst_client, condition)
    data["round"] = str(later.pk)

    response = analyst_client.post(url, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["round"]
    assert "cannot move to a round after theirs" in errors["round"][0]
    condition.refresh_from_db()
    assert condition.round == talks.r2


def concession_row(talks, **values) -> dict:
    return {
        "party": talks.south.pk,
        "issue": talks.border.pk,
        "status": "offered",
        "text": "Pulls back its guns",
        "conditions": "",
        "sources": [SourceFactory().pk],
        **values,
    }


def test_concession_answers_a_demand_added_in_the_same_save(talks, analyst_client):
    data = round_form(analyst_client, talks.r3)
    row = add_inline_row(
        data,
        "demands",
        party=talks.mediator.pk,
        issue=talks.prisoners.pk,
        text="All prisoners home first",
        priority="core",
        status="reported",
        sources=[SourceFactory().pk],
    )
    add_inline_row(data, "concessions", **concession_row(talks, in_return_for=f"new:{row}"))

    response = analyst_client.post(round_url(talks.r3), data)

    assert response.status_code == 302, errors_of(response)
    demand = Demand.objects.get(text="All prisoners home first")
    concession = Concession.objects.get(text="Pulls back its guns")
    assert concession.in_return_for == demand
    assert concession.round == talks.r3


def test_concession_cannot_soften_another_partys_demand_of_the_same_save(talks, analyst_client):
    data = round_form(analyst_client, talks.r3)
    row = add_inline_row(
        data,
        "demands",
        party=talks.mediator.pk,
        issue=talks.prisoners.pk,
        text="All prisoners home first",
        priority="core",
        status="reported",
        sources=[SourceFactory().pk],
    )
    add_inline_row(
        data, "concessions", **concession_row(talks, issue=talks.prisoners.pk, softens=f"new:{row}")
    )

    response = analyst_client.post(round_url(talks.r3), data)

    assert response.status_code == 200
    concessions = response.context["inline_admin_formsets"][1].formset
    assert concessions.forms[-1].errors["softens"] == [
        "A concession softens a demand of the same party on the same issue."
    ]
    assert not Demand.objects.filter(text="All prisoners home first").exists()
    # The reference to the new row is still chosen when the page comes back.
    assert f'<option value="new:{row}" selected>' in response.content.decode()


def test_concession_answering_a_new_row_with_errors_says_to_fix_that_row(talks, analyst_client):
    data = round_form(analyst_client, talks.r3)
    row = add_inline_row(
        data,
        "demands",
        party=talks.mediator.pk,
        issue=talks.prisoners.pk,
        text="",
        priority="core",
        status="reported",
        sources=[SourceFactory().pk],
    )
    add_inline_row(data, "concessions", **concession_row(talks, in_return_for=f"new:{row}"))

    response = analyst_client.post(round_url(talks.r3), data)

    concessions = response.context["inline_admin_formsets"][1].formset
    assert concessions.forms[-1].errors["in_return_for"] == [
        "The new demand row this answers has errors: correct that row first."
    ]
    assert not Concession.objects.filter(text="Pulls back its guns").exists()


def test_demand_page_fetches_the_chosen_issues_stances_as_the_analyst_types(talks, analyst_client):
    demand = talks.demand(talks.north, talks.border, talks.r3)

    page = analyst_client.get(f"/admin/positions/demand/{demand.pk}/change/").content.decode()

    stance = page[
        page.index('name="stance"') - 300 : page.index("</select>", page.index('name="stance"'))
    ]
    assert 'class="parley-choices"' in stance
    assert 'data-field="stance"' in stance
    assert f'<option value="{demand.stance.pk}" selected>Border line — 3: most</option>' in stance
    assert stance.count("<option") == 2  # the empty choice and the chosen stance
    assert "positions/admin-choices.js" in page


def test_round_page_rows_ask_for_choices_fitted_to_the_round(talks, analyst_client):
    page = analyst_client.get(round_url(talks.r3)).content.decode()

    assert f'data-round="{talks.r3.pk}"' in page
    assert 'data-ajax--url="/admin/negotiations/round/choices/"' in page
    assert "positions/admin-choices.js" in page
