"""Admin lists at corpus scale (docs/performance.md, "Admin lists").

Each list makes as many queries for four synthetic negotiations as for two, filtered or not;
the round list's demand and concession counts are each round's own rows; and an unfiltered
list of a big table is numbered by PostgreSQL's row estimate instead of a COUNT(*).
"""

import io
import re

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from negotiations.models import Negotiation, Participant, Round
from positions import paginator
from positions.admin_lists import IssueOfNegotiationFilter, statements_matching
from positions.models import Concession, Demand
from positions.plan_models import PointLink
from tests.factories import PlanFactory, PlanPointFactory, RoundFactory

pytestmark = pytest.mark.django_db

# 3 rounds × 3 issues × 3 principals: 27 demands a negotiation, so four fill three list pages.
SHAPE = ["--rounds", "3", "--issues", "3", "--principals", "3", "--concessions", "0.5"]
SHAPE += ["--no-progress"]

LISTS = [
    "/admin/negotiations/negotiation/",
    "/admin/negotiations/party/",
    "/admin/negotiations/participant/",
    "/admin/negotiations/participant/?negotiation__id__exact={negotiation}",
    "/admin/negotiations/source/",
    "/admin/negotiations/round/",
    "/admin/negotiations/round/?negotiation__id__exact={negotiation}",
    "/admin/negotiations/round/?o=6",
    "/admin/negotiations/issue/",
    "/admin/negotiations/stance/",
    "/admin/positions/demand/",
    "/admin/positions/demand/?round__negotiation__id__exact={negotiation}",
    "/admin/positions/demand/?round__negotiation__id__exact={negotiation}&issue__id__exact={issue}",
    "/admin/positions/demand/?round__negotiation__id__exact={negotiation}&party__id__exact={party}",
    "/admin/positions/demand/?status__exact=confirmed",
    "/admin/positions/demand/?p=2",
    "/admin/positions/demand/?q=level+2",
    "/admin/positions/demand/?q=synthetic+party+1",
    "/admin/positions/concession/",
    "/admin/positions/concession/?round__negotiation__id__exact={negotiation}",
    "/admin/positions/plan/",
    "/admin/positions/planpoint/",
    "/admin/positions/pointlink/",
]


def grow(negotiations: int) -> None:
    """Make the synthetic corpus up to `negotiations`, each with two plans and a crosswalk."""
    call_command(
        "generate_corpus", "--negotiations", str(negotiations), *SHAPE, stdout=io.StringIO()
    )
    for negotiation in Negotiation.objects.filter(plans__isnull=True):
        add_plans(negotiation)


def add_plans(negotiation: Negotiation) -> None:
    first_party, second_party = [
        p.party for p in Participant.objects.filter(negotiation=negotiation).order_by("order")[:2]
    ]
    issue = negotiation.issues.order_by("order").first()
    first = PlanFactory(negotiation=negotiation, tabled_by=first_party)
    second = PlanFactory(negotiation=negotiation, tabled_by=second_party, previous=first)
    earlier = PlanPointFactory(plan=first, number="1", issue=issue)
    later = PlanPointFactory(plan=second, number="1", issue=issue)
    PlanPointFactory(plan=second, number="2")
    PointLink.objects.create(
        from_plan=first, to_plan=second, from_point=earlier, to_point=later, kind="reworded"
    )


def address_for(template: str) -> str:
    negotiation = Negotiation.objects.get(slug="synthetic-000")
    participant = Participant.objects.filter(negotiation=negotiation).order_by("order").first()
    return template.format(
        negotiation=negotiation.pk,
        issue=negotiation.issues.order_by("order").first().pk,
        party=participant.party_id,
    )


def fetch(client, address: str):
    """Return the list's response and the SQL it ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200, address
    return response, [query["sql"] for query in queries]


@pytest.mark.parametrize("template", LISTS)
def test_a_list_makes_as_many_queries_for_four_negotiations_as_for_two(superuser_client, template):
    # Two at least: Django leaves out (and does not apply) a filter with a single choice.
    grow(2)
    address = address_for(template)
    small, small_queries = fetch(superuser_client, address)
    grow(4)
    large, large_queries = fetch(superuser_client, address)

    assert len(large_queries) == len(small_queries), "\n\n".join(large_queries)
    # The rows did grow, except the shared pool of parties and lists of the first negotiation.
    if "negotiation__id__exact" not in template and "/party/" not in template:
        assert large.context["cl"].result_count > small.context["cl"].result_count


def shown_counts(html: str) -> dict[int, tuple[int, int]]:
    """Return {round id: (demands, concessions)} as the round list's rows show them."""
    rows = re.findall(
        r'/admin/negotiations/round/(\d+)/change/.*?field-demand_count">(\d+)<'
        r'.*?field-concession_count">(\d+)<',
        html,
        re.S,
    )
    return {int(pk): (int(demands), int(concessions)) for pk, demands, concessions in rows}


def test_the_round_list_shows_each_rounds_own_demands_and_concessions(superuser_client):
    grow(2)
    empty = RoundFactory(negotiation=Negotiation.objects.get(slug="synthetic-001"))
    expected = {
        round.pk: (
            Demand.objects.filter(round=round).count(),
            Concession.objects.filter(round=round).count(),
        )
        for round in Round.objects.all()
    }
    # Rounds with both, so a joined count (demands × concessions) would show.
    assert any(demands > 1 and concessions > 1 for demands, concessions in expected.values())

    response, _ = fetch(superuser_client, "/admin/negotiations/round/")

    assert shown_counts(response.content.decode()) == expected
    assert expected[empty.pk] == (0, 0)


def test_the_round_list_sorts_by_its_demand_count(superuser_client):
    grow(1)
    RoundFactory(negotiation=Negotiation.objects.get(slug="synthetic-000"))

    response, _ = fetch(superuser_client, "/admin/negotiations/round/?o=-6")

    demands = [shown[0] for shown in shown_counts(response.content.decode()).values()]
    assert demands == sorted(demands, reverse=True)
    assert demands[-1] == 0


def counts_of_demands(queries: list[str]) -> list[str]:
    return [sql for sql in queries if "COUNT(" in sql.upper() and "positions_demand" in sql]


def test_an_unfiltered_big_list_is_numbered_by_the_estimate_on_postgresql(
    superuser_client, monkeypatch
):
    grow(3)
    monkeypatch.setattr(paginator, "ESTIMATE_FROM", 10)  # the 81 demands count as big here
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE positions_demand")

    response, queries = fetch(superuser_client, "/admin/positions/demand/")

    shown = response.context["cl"].result_count
    if connection.vendor == "postgresql":
        assert counts_of_demands(queries) == []  # the estimate, not COUNT(*)
        assert shown == Demand.objects.count()  # ANALYZE of a small table counts it whole
    else:
        assert len(counts_of_demands(queries)) == 1  # SQLite keeps no estimate: counted
        assert shown == Demand.objects.count()


def test_a_small_filtered_list_is_counted_exactly(superuser_client):
    grow(3)
    negotiation = Negotiation.objects.get(slug="synthetic-001")

    response, queries = fetch(
        superuser_client, f"/admin/positions/demand/?round__negotiation__id__exact={negotiation.pk}"
    )

    assert len(counts_of_demands(queries)) == 1  # no second count of the whole table
    assert response.context["cl"].result_count == 27


def test_a_big_filtered_list_is_numbered_by_the_planners_estimate_on_postgresql(
    superuser_client, monkeypatch
):
    grow(3)
    monkeypatch.setattr(paginator, "ESTIMATE_FROM", 10)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE positions_demand")
    confirmed = Demand.objects.filter(status="confirmed").count()
    assert confirmed >= 10

    response, queries = fetch(superuser_client, "/admin/positions/demand/?status__exact=confirmed")

    shown = response.context["cl"].result_count
    if connection.vendor == "postgresql":
        assert counts_of_demands(queries) == []
        assert any(sql.startswith("EXPLAIN") for sql in queries)
        assert confirmed / 2 <= shown <= confirmed * 2  # an estimate, of the right size
    else:
        assert len(counts_of_demands(queries)) == 1
        assert shown == confirmed


def issue_choices(response) -> list[int] | None:
    """The issues the list's issue filter offers, or None when it is not shown."""
    for spec in response.context["cl"].filter_specs:
        if getattr(spec, "field_path", None) == "issue":
            return [pk for pk, _ in spec.lookup_choices]
    return None


def test_the_issue_filter_offers_the_chosen_negotiations_issues_once_there_are_many(
    superuser_client, monkeypatch
):
    grow(4)  # 12 issues
    negotiation = Negotiation.objects.get(slug="synthetic-001")
    own = list(negotiation.issues.order_by("order").values_list("pk", flat=True))

    assert len(issue_choices(fetch(superuser_client, "/admin/positions/demand/")[0])) == 12
    monkeypatch.setattr(IssueOfNegotiationFilter, "ALL_UP_TO", 5)
    assert issue_choices(fetch(superuser_client, "/admin/positions/demand/")[0]) is None

    narrowed = f"/admin/positions/demand/?round__negotiation__id__exact={negotiation.pk}"
    assert issue_choices(fetch(superuser_client, narrowed)[0]) == own

    # An issue in the address without its negotiation is still shown, and applied.
    response, _ = fetch(superuser_client, f"/admin/positions/demand/?issue__id__exact={own[0]}")
    assert issue_choices(response) == [own[0]]
    assert response.context["cl"].result_count == Demand.objects.filter(issue=own[0]).count()


def listed_ids(response) -> list[int]:
    return [row.pk for row in response.context["cl"].result_list]


def test_a_deep_page_lists_the_same_rows_as_slicing_the_list(superuser_client):
    grow(4)  # 108 demands: three pages of 50
    newest_first = list(Demand.objects.order_by("-pk").values_list("pk", flat=True))

    pages = [
        listed_ids(fetch(superuser_client, f"/admin/positions/demand/?p={n}")[0]) for n in (1, 2, 3)
    ]

    assert pages == [newest_first[:50], newest_first[50:100], newest_first[100:]]


def matches_by_hand(term_words: list[str]) -> set[int]:
    """The demands whose text, party, issue or round name holds every word (any case)."""
    found = set()
    for demand in Demand.objects.select_related("party", "issue", "round"):
        said = [
            demand.text,
            demand.party.name,
            demand.party.short_name,
            demand.issue.title,
            demand.round.title,
        ]
        if all(any(word.lower() in s.lower() for s in said) for word in term_words):
            found.add(demand.pk)
    return found


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("level+2", ["level", "2"]),
        ("synthetic+party+1", ["synthetic", "party", "1"]),
        ("%22Round+1%22+%22Issue+2%22", ["Round 1", "Issue 2"]),
        ("no-such-words", ["no-such-words"]),
    ],
)
def test_search_finds_every_word_in_the_text_or_the_names(superuser_client, query, words):
    grow(2)
    expected = matches_by_hand(words)

    response, _ = fetch(superuser_client, f"/admin/positions/demand/?q={query}")

    assert response.context["cl"].result_count == len(expected)
    assert set(listed_ids(response)) <= expected
    assert (
        set(
            statements_matching(
                Demand.objects.all(),
                " ".join(f'"{w}"' if " " in w else w for w in words),
                admin.site._registry[Demand].search_fields,
            ).values_list("pk", flat=True)
        )
        == expected
    )


def test_a_list_the_planner_underestimates_is_counted_only_so_far(superuser_client, monkeypatch):
    grow(3)  # 81 demands
    monkeypatch.setattr(paginator, "ESTIMATE_FROM", 1_000_000)  # every list "expected small"
    monkeypatch.setattr(paginator, "COUNT_UP_TO", 30)

    response, queries = fetch(superuser_client, "/admin/positions/demand/")

    shown = response.context["cl"].result_count
    if connection.vendor == "postgresql":
        [count] = counts_of_demands(queries)
        assert "LIMIT 31" in count  # counting stops after COUNT_UP_TO rows
        assert shown >= 31
    else:
        assert shown == Demand.objects.count()  # SQLite keeps no estimate: counted whole
