"""The admin on the shipped Russia–Ukraine 2025–26 dataset: the pages analysts work on."""

import pytest
from django.utils.html import escape

from negotiations.models import Round
from tests.admin.helpers import add_inline_row, errors_of, posted
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db


def round_of(dataset, slug: str) -> Round:
    return Round.objects.get(negotiation=dataset, slug=slug)


def page_of(client, round) -> str:
    return client.get(f"/admin/negotiations/round/{round.pk}/change/").content.decode()


def standing_part(page: str) -> str:
    return page[page.index("Where things stood") : page.index('id="demands-group"')]


def standing_cell(page: str, issue, column: int) -> str:
    """Return the standing table's cell for `issue` in party column `column` (1 = first)."""
    standing = standing_part(page)
    row = standing[standing.index(f'<th scope="row">{escape(issue.title)}</th>') :]
    return row[: row.index("</tr>")].split("<td>")[column]


def test_alaska_page_shows_the_us_ceasefire_condition_it_then_dropped(dataset, analyst_client):
    ceasefire = dataset.issues.get(slug="ceasefire-sequencing")

    page = page_of(analyst_client, round_of(dataset, "alaska-summit"))

    us_cell = standing_cell(page, ceasefire, 1)
    assert "Immediate general ceasefire as a condition for talks" in us_cell
    # At the summit itself the US row takes Russia's order: negotiate first.
    talks_first = ceasefire.stances.get(value=2)
    rows = page[page.index('id="demands-group"') :]
    assert (
        f'<option value="{talks_first.pk}" selected>2: '
        "Negotiate the settlement first, then agree ceasefire terms</option>" in rows
    )


def test_moscow_conditions_page_groups_russias_demands_by_issue(dataset, analyst_client):
    response = analyst_client.get(
        f"/admin/negotiations/round/{round_of(dataset, 'moscow-conditions').pk}/change/"
    )

    rows = [
        (form.instance.party.slug, form.instance.issue.slug)
        for form in response.context["inline_admin_formsets"][0].formset.initial_forms
    ]
    assert {party for party, _ in rows} == {"russia"}
    assert {issue for _, issue in rows} >= {
        "nato-membership",
        "military-aid",
        "donbas-withdrawal",
        "elections",
        "language",
    }
    orders = [dataset.issues.get(slug=issue).order for _, issue in rows]
    assert orders == sorted(orders)


def test_after_the_march_call_russias_partial_halt_stands(dataset, analyst_client):
    march = round_of(dataset, "energy-strike-moratorium-call")
    after = Round.objects.after(march).chronological().first()

    page = page_of(analyst_client, after)

    assert f"As of “{march}”" in standing_part(page)
    # Russia's consent to the 30-day energy halt is a concession; what stands is its rejection
    # of a general ceasefire.
    russia_cell = standing_cell(page, dataset.issues.get(slug="ceasefire-sequencing"), 2)
    assert "Only limited halts; no general ceasefire yet" in russia_cell


def test_stance_of_another_issue_is_refused_on_a_dataset_round(dataset, analyst_client):
    alaska = round_of(dataset, "alaska-summit")
    url = f"/admin/negotiations/round/{alaska.pk}/change/"
    data = posted(analyst_client.get(url))
    ukraine = dataset.participants.get(party__slug="ukraine").party
    add_inline_row(
        data,
        "demands",
        party=ukraine.pk,
        issue=dataset.issues.get(slug="elections").pk,
        stance=dataset.issues.get(slug="nato-membership").stances.first().pk,
        text="Elections only after a ceasefire",
        priority="core",
        status="reported",
        sources=[SourceFactory().pk],
    )

    response = analyst_client.post(url, data)

    assert "This stance is on another issue's scale; pick one of this issue's." in errors_of(
        response
    )


def test_the_round_after_abu_dhabi_starts_from_where_abu_dhabi_left_things(dataset, analyst_client):
    abu_dhabi = round_of(dataset, "abu-dhabi-talks")

    response = analyst_client.post(
        f"/admin/negotiations/round/{abu_dhabi.pk}/next/",
        {
            "title": "Second Abu Dhabi meeting",
            "slug": "abu-dhabi-second-meeting",
            "kind": "talks",
            "location": "Abu Dhabi",
            "start_date": "2026-02-01",
            "date_precision": "day",
            "sources": [abu_dhabi.sources.first().pk],
        },
    )

    standing = standing_part(analyst_client.get(response["Location"]).content.decode())
    assert "As of “" + str(abu_dhabi) + "”" in standing
    assert "Negotiate the settlement first, then agree ceasefire terms" in standing


@pytest.mark.parametrize("model", ["round", "demand", "concession", "source", "issue", "stance"])
def test_dataset_list_pages_make_a_bounded_number_of_queries(
    model, dataset, analyst_client, django_assert_max_num_queries
):
    app = "positions" if model in ("demand", "concession") else "negotiations"

    with django_assert_max_num_queries(12):
        assert analyst_client.get(f"/admin/{app}/{model}/").status_code == 200


def test_dataset_round_page_makes_a_bounded_number_of_queries(
    dataset, analyst_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(35):
        page_of(analyst_client, round_of(dataset, "moscow-conditions"))
