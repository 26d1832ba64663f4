"""Rounds in the admin: adding one, its dates, and the page analysts enter statements on."""

import datetime

import pytest

from negotiations.models import Round, RoundQuerySet
from tests.admin.helpers import errors_of, posted
from tests.factories import NegotiationFactory, RoundFactory, SourceFactory

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/negotiations/round/add/"


def change_url(round) -> str:
    return f"/admin/negotiations/round/{round.pk}/change/"


def new_round(talks, **overrides) -> dict:
    data = {
        "negotiation": talks.negotiation.pk,
        "title": "Round 5",
        "slug": "r5",
        "kind": Round.Kind.SUMMIT,
        "location": "Geneva",
        "start_date": "2025-05-01",
        "date_precision": "day",
        "date_part": "",
        "end_date": "",
        "sequence": "0",
        "sources": [SourceFactory().pk],
        "summary": "",
        "outcome": "",
    }
    return {**data, **overrides}


def test_analyst_adds_a_round_and_lands_on_its_page_to_enter_statements(talks, analyst_client):
    response = analyst_client.post(ADD_URL, new_round(talks))

    round = Round.objects.get(negotiation=talks.negotiation, slug="r5")
    assert response.status_code == 302
    assert response["Location"] == change_url(round)
    page = analyst_client.get(response["Location"])
    assert b'id="demands-group"' in page.content
    assert round.history.get().history_user.username == "alice"


def test_add_page_offers_no_statement_rows_until_the_round_exists(talks, analyst_client):
    page = analyst_client.get(ADD_URL)

    assert page.status_code == 200
    assert b"demands-TOTAL_FORMS" not in page.content
    # Statement rows posted anyway are ignored, not saved unvalidated.
    data = new_round(talks, **{"demands-TOTAL_FORMS": "1", "demands-0-text": "Sneaked in"})
    analyst_client.post(ADD_URL, data)
    assert not Round.objects.get(slug="r5").demands.exists()


def test_round_that_ends_before_it_starts_is_refused(talks, analyst_client):
    response = analyst_client.post(ADD_URL, new_round(talks, end_date="2025-04-30"))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["end_date"] == [
        "A round cannot end before it starts. Give an end date on or after the start, "
        "or leave it empty."
    ]
    assert not form.non_field_errors()
    assert not Round.objects.filter(slug="r5").exists()


def test_date_claiming_more_than_its_precision_is_refused(talks, analyst_client):
    data = new_round(talks, start_date="2025-05-14", date_precision="month", date_part="late")

    response = analyst_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert "A late-month date is stored as day 21." in errors_of(response)
    assert not Round.objects.filter(slug="r5").exists()


def test_round_page_shows_where_things_stood_before_it(talks, analyst_client):
    page = analyst_client.get(change_url(talks.r3)).content.decode()

    standing = page[page.index("Where things stood") : page.index('id="demands-group"')]
    assert "As of “Round 2”" in standing
    # North's border demand of round 1 still stands at round 2; south restated at round 2.
    assert "All of the border land" in standing
    assert "since Round 1" in standing
    assert "A little, for peace" in standing
    # Round 3's own statements are entered below, not shown as standing.
    assert "Most of the border land" not in standing


def test_standing_is_as_of_the_round_just_before_on_the_same_day(
    talks, analyst_client, monkeypatch
):
    later_that_day = RoundFactory(
        negotiation=talks.negotiation,
        title="Round 3, evening",
        start_date=talks.r3.start_date,
        sequence=1,
    )
    RoundFactory(title="Elsewhere, same day", start_date=talks.r3.start_date)
    asked = []
    previous = RoundQuerySet.previous
    monkeypatch.setattr(
        RoundQuerySet,
        "previous",
        lambda rounds, round: asked.append(round) or previous(rounds, round),
    )

    page = analyst_client.get(change_url(later_that_day)).content.decode()

    standing = page[page.index("Where things stood") : page.index('id="demands-group"')]
    assert "As of “Round 3”" in standing
    assert "Most of the border land" in standing  # stated at round 3, earlier that day
    assert asked == [later_that_day]  # the model's one definition of "the round before"


def test_first_round_page_says_no_positions_stand_yet(talks, analyst_client):
    page = analyst_client.get(change_url(talks.r1))

    assert b"first round: no positions stand yet" in page.content


def test_moving_a_round_with_statements_to_another_negotiation_is_refused(talks, editor_client):
    other = NegotiationFactory()
    data = posted(editor_client.get(change_url(talks.r1)))
    data["negotiation"] = str(other.pk)

    response = editor_client.post(change_url(talks.r1), data)

    assert response.status_code == 200
    assert any("cannot move to another negotiation" in e for e in errors_of(response))
    talks.r1.refresh_from_db()
    assert talks.r1.negotiation == talks.negotiation


def test_round_list_shows_dates_as_readers_read_them(talks, analyst_client):
    talks.r2.date_precision, talks.r2.date_part = "month", ""
    talks.r2.save()

    page = analyst_client.get("/admin/negotiations/round/")

    assert b"February 2025" in page.content
    assert b"1 March 2025" in page.content


def test_rounds_can_be_browsed_by_month(talks, analyst_client):
    page = analyst_client.get(
        "/admin/negotiations/round/?start_date__year=2025&start_date__month=2"
    )

    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [talks.r2]


def test_same_start_and_sequence_is_refused_with_a_hint(talks, analyst_client):
    data = new_round(talks, start_date=talks.r4.start_date.isoformat())

    response = analyst_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert any("give this one a different sequence" in e for e in errors_of(response))
    assert not Round.objects.filter(slug="r5").exists()


def test_round_date_that_would_put_a_cited_demand_after_its_concession_is_refused(
    talks, analyst_client
):
    # North's concession at r3 is conditional on south's demand at r2: r2 stays before r3.
    data = posted(analyst_client.get(change_url(talks.r2)))
    data["start_date"] = "2025-03-15"

    response = analyst_client.post(change_url(talks.r2), data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["start_date"]
    assert "would refer to a demand stated after them" in errors["start_date"][0]
    talks.r2.refresh_from_db()
    assert talks.r2.start_date.isoformat() == "2025-02-01"


def test_round_page_does_not_grow_with_the_negotiations_other_demands_and_stances(
    talks, analyst_client
):
    """Rows render only their chosen options (at corpus scale every select once listed every
    stance and demand: 22 MB); choices are fetched as the analyst types."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from negotiations.models import Stance
    from tests.factories import DemandFactory

    def measure() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            page = analyst_client.get(change_url(talks.r3))
        assert page.status_code == 200
        return len(page.content), len(queries)

    measure()  # the first request of a session does some bookkeeping of its own
    small_size, small_queries = measure()
    for issue in (talks.border, talks.prisoners):
        Stance.objects.bulk_create(
            Stance(issue=issue, value=value, label=f"extra {value}") for value in range(10, 60)
        )
    for index in range(40):
        later = RoundFactory(
            negotiation=talks.negotiation,
            start_date=datetime.date(2031, 1, index % 28 + 1),
            sequence=index // 28,
        )
        for party in (talks.north, talks.south):
            DemandFactory(party=party, issue=talks.border, round=later, text=f"Later {index}")
    large_size, large_queries = measure()

    assert large_queries == small_queries
    assert abs(large_size - small_size) < 200
    assert "Later 1" not in analyst_client.get(change_url(talks.r3)).content.decode()


def test_round_date_can_be_typed_in_words(talks, analyst_client):
    data = new_round(talks, date_words="late spring 2025", start_date="", date_precision="day")

    response = analyst_client.post(ADD_URL, data)

    assert response.status_code == 302, errors_of(response)
    round = Round.objects.get(slug="r5")
    assert (round.start_date, round.date_precision, round.date_part) == (
        datetime.date(2025, 5, 1),
        "season",
        "late",
    )


def test_date_in_words_that_cannot_be_read_is_refused_on_that_field(talks, analyst_client):
    response = analyst_client.post(ADD_URL, new_round(talks, date_words="next Tuesday"))

    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["date_words"]
    assert error.startswith("“next Tuesday” is not a date Parley can read: write e.g.")
    assert not Round.objects.filter(slug="r5").exists()


def test_round_without_any_date_is_asked_for_one(talks, analyst_client):
    response = analyst_client.post(ADD_URL, new_round(talks, start_date=""))

    assert response.context["adminform"].form.errors["start_date"] == [
        "Give the date: in words above, or here."
    ]


def test_the_fourteenth_with_month_precision_is_understood_as_the_month(talks, analyst_client):
    data = new_round(talks, start_date="2026-02-14", date_precision="month")

    response = analyst_client.post(ADD_URL, data)

    assert response.status_code == 302, errors_of(response)
    assert Round.objects.get(slug="r5").date_display == "February 2026"


def test_reading_of_words_is_shown_back_before_saving(analyst_client):
    response = analyst_client.get("/admin/negotiations/round/date-words/", {"text": "24 Jan 2026"})

    assert response.json() == {
        "start_date": "2026-01-24",
        "precision": "day",
        "part": "",
        "shown": "Read as 24 January 2026: stored as 24 January 2026, precision day.",
    }
    refused = analyst_client.get("/admin/negotiations/round/date-words/", {"text": "soon"})
    assert refused.status_code == 400
    assert "is not a date Parley can read" in refused.json()["error"]


def test_round_page_offers_the_date_in_words_with_its_script(talks, analyst_client):
    page = analyst_client.get(change_url(talks.r3)).content.decode()

    assert 'name="date_words"' in page
    assert "positions/admin-date-words.js" in page
