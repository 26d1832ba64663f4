"""A round with many rows: its page edits a page of them at a time, and loses no edit.

docs/admin.md, "Many rows on one round": ROWS_PER_PAGE rows render as forms; the other rows
are a button away, and that button saves first. What was posted is matched to the rows the
analyst had, whatever another analyst added meanwhile.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from negotiations.models import Participant
from positions.models import Concession, Demand
from positions.paginator import ROWS_PER_PAGE
from tests.admin.helpers import add_inline_row, errors_of, inline_rows, posted
from tests.factories import (
    ConcessionFactory,
    DemandFactory,
    IssueFactory,
    NegotiationFactory,
    ParticipantFactory,
    PartyFactory,
    RoundFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

PARTIES = 3


def crowded_round(issues: int):
    """A round where each of three parties states a demand on each of `issues` issues."""
    negotiation = NegotiationFactory()
    parties = [PartyFactory() for _ in range(PARTIES)]
    for order, party in enumerate(parties, start=1):
        ParticipantFactory(negotiation=negotiation, party=party, order=order)
    round = RoundFactory(negotiation=negotiation)
    for order in range(1, issues + 1):
        issue = IssueFactory(negotiation=negotiation, order=order, title=f"Issue {order:02d}")
        for party in parties:
            DemandFactory(round=round, party=party, issue=issue, stance=None)
    return round


def url_of(round, query: str = "") -> str:
    return f"/admin/negotiations/round/{round.pk}/change/{query}"


def shown_rows(response) -> list[int]:
    return [int(row["id"]) for row in inline_rows(posted(response), "demands") if row.get("id")]


def in_page_order(round) -> list[int]:
    """The round's demand ids as its page lists them: by party column, then issue order."""
    order = {p.party_id: p.order for p in Participant.objects.filter(negotiation=round.negotiation)}
    demands = Demand.objects.filter(round=round).select_related("issue")
    return [d.pk for d in sorted(demands, key=lambda d: (order[d.party_id], d.issue.order, d.pk))]


def test_the_page_renders_one_page_of_rows_and_names_the_others(superuser_client):
    round = crowded_round(issues=15)  # 45 rows: pages of 20, 20 and 5
    everything = in_page_order(round)

    first = superuser_client.get(url_of(round))
    last = superuser_client.get(url_of(round, "?demands-page=3"))

    assert shown_rows(first) == everything[:ROWS_PER_PAGE]
    assert shown_rows(last) == everything[2 * ROWS_PER_PAGE :]
    page = first.content.decode()
    assert "Demands 1–20 of 45." in page
    assert re.findall(r'data-rows="demands=(\d+)"', page) == ["2", "3"]
    # Only the page's rows render widgets: one text box per row, and one for the new row.
    texts = re.findall(r'<textarea name="demands-\d+-text"', page)
    assert len(texts) == ROWS_PER_PAGE + 1


def test_the_page_makes_as_many_queries_for_many_rows_as_for_few(superuser_client):
    few, many = crowded_round(issues=8), crowded_round(issues=40)  # 24 and 120 rows

    def queries_for(round) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = superuser_client.get(url_of(round, "?demands-page=2"))
        assert response.status_code == 200
        return len(queries)

    assert queries_for(many) == queries_for(few)


def test_edits_saved_from_a_page_of_rows_are_all_kept(superuser_client):
    round = crowded_round(issues=15)
    data = posted(superuser_client.get(url_of(round, "?demands-page=2")))
    rows = inline_rows(data, "demands")
    edited = {}
    for index, row in enumerate(rows):
        if row.get("id"):
            data[f"demands-{index}-text"] = f"Restated on page two, row {index}"
            edited[int(row["id"])] = f"Restated on page two, row {index}"
    before = dict(Demand.objects.exclude(pk__in=edited).values_list("pk", "text"))

    response = superuser_client.post(url_of(round, "?demands-page=2"), {**data, "_continue": "1"})

    assert response.status_code == 302, errors_of(response)
    assert response["Location"].endswith("?demands-page=2")  # back on the same rows
    assert dict(Demand.objects.filter(pk__in=edited).values_list("pk", "text")) == edited
    assert dict(Demand.objects.exclude(pk__in=edited).values_list("pk", "text")) == before


def test_the_button_to_other_rows_saves_first(superuser_client):
    round = crowded_round(issues=15)
    data = posted(superuser_client.get(url_of(round)))
    first_id = int(data["demands-0-id"])
    data["demands-0-text"] = "Changed just before moving on"

    response = superuser_client.post(url_of(round), {**data, "_rows": "demands=3"})

    assert response.status_code == 302, errors_of(response)
    assert response["Location"] == url_of(round, "?demands-page=3")
    assert Demand.objects.get(pk=first_id).text == "Changed just before moving on"


def test_a_row_added_meanwhile_does_not_shift_the_posted_rows(superuser_client):
    round = crowded_round(issues=15)
    data = posted(superuser_client.get(url_of(round, "?demands-page=2")))
    rows = inline_rows(data, "demands")
    ids = [int(row["id"]) for row in rows if row.get("id")]
    for index in range(len(ids)):
        data[f"demands-{index}-text"] = f"Mine: {ids[index]}"
    # Someone adds a row that sorts first: the page's slice now starts one row earlier.
    party = Participant.objects.filter(negotiation=round.negotiation).order_by("order")[0].party
    early = IssueFactory(negotiation=round.negotiation, order=0, title="Issue 00")
    DemandFactory(round=round, party=party, issue=early, stance=None, text="Theirs")

    response = superuser_client.post(url_of(round, "?demands-page=2"), data)

    assert response.status_code == 302, errors_of(response)
    assert {pk: f"Mine: {pk}" for pk in ids} == dict(
        Demand.objects.filter(pk__in=ids).values_list("pk", "text")
    )
    assert Demand.objects.get(issue=early).text == "Theirs"


def test_a_new_row_repeating_a_row_on_another_page_is_refused_on_the_row(superuser_client):
    round = crowded_round(issues=15)
    elsewhere = Demand.objects.get(pk=in_page_order(round)[-1])  # on the last page
    data = posted(superuser_client.get(url_of(round)))
    index = int(data["demands-TOTAL_FORMS"]) - 1  # the empty new row
    data[f"demands-{index}-party"] = str(elsewhere.party_id)
    data[f"demands-{index}-issue"] = str(elsewhere.issue_id)
    data[f"demands-{index}-text"] = "The same party and issue again"
    data[f"demands-{index}-status"] = "reported"
    data[f"demands-{index}-sources"] = [str(SourceFactory().pk)]
    data[f"demands-{index}-priority"] = "core"
    before = Demand.objects.filter(round=round).count()

    response = superuser_client.post(url_of(round), data)

    assert response.status_code == 200
    refusals = [e for e in errors_of(response) if "already has a demand" in e]
    assert refusals and f"/admin/positions/demand/{elsewhere.pk}/change/" in refusals[0]
    assert Demand.objects.filter(round=round).count() == before


def test_a_second_concession_on_an_issue_is_not_taken_for_a_duplicate(superuser_client):
    # Concessions are not one per party, issue and round: one on another page is no reason
    # to refuse a new one.
    round = crowded_round(issues=8)
    party = Participant.objects.filter(negotiation=round.negotiation).order_by("order")[0].party
    issues = list(round.negotiation.issues.order_by("order"))
    for issue in issues:  # 24 concessions: the last ones are on the second page
        for _ in range(PARTIES):
            ConcessionFactory(round=round, party=party, issue=issue)
    last_issue = issues[-1]
    data = posted(superuser_client.get(url_of(round)))
    index = add_inline_row(
        data,
        "concessions",
        party=str(party.pk),
        issue=str(last_issue.pk),
        text="Another offer on the same issue",
        status="offered",
        sources=[str(SourceFactory().pk)],
    )
    assert index < ROWS_PER_PAGE + 1  # the page shows a page of rows, then this one

    response = superuser_client.post(url_of(round), data)

    assert response.status_code == 302, errors_of(response)
    assert Concession.objects.filter(round=round, issue=last_issue).count() == PARTIES + 1
