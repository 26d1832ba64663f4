"""Every admin page renders, and list pages cost a bounded number of queries however long."""

import datetime

import pytest
from django.contrib import admin

from negotiations.models import Correction, Release, Round
from negotiations.releases import cut_release
from positions.models import Demand
from positions.plan_models import PointLink
from tests.factories import (
    ConcessionFactory,
    DemandFactory,
    IssueFactory,
    NegotiationFactory,
    ParticipantFactory,
    PartyFactory,
    PlanFactory,
    PlanPointFactory,
    RoundFactory,
)

pytestmark = pytest.mark.django_db

PARLEY_MODELS = [
    model
    for model in admin.site._registry
    if model._meta.app_label in ("negotiations", "positions")
]
URL_NAMES = [f"{m._meta.app_label}/{m._meta.model_name}" for m in PARLEY_MODELS]


def test_every_model_of_the_data_is_in_the_admin():
    assert sorted(URL_NAMES) == [
        "negotiations/correction",
        "negotiations/issue",
        "negotiations/negotiation",
        "negotiations/participant",
        "negotiations/party",
        "negotiations/release",
        "negotiations/round",
        "negotiations/source",
        "negotiations/stance",
        "positions/concession",
        "positions/demand",
        "positions/plan",
        "positions/planpoint",
        "positions/pointlink",
    ]


@pytest.mark.parametrize("name", URL_NAMES)
def test_changelist_add_change_and_history_pages_render(name, talk_plans, superuser_client):
    model = next(m for m in PARLEY_MODELS if name.endswith(f"/{m._meta.model_name}"))
    if model is Release:
        cut_release(talk_plans.first.negotiation, tag="2026.01")
    if model is Correction:
        correct(talk_plans.first.negotiation)
    record = model.objects.first()

    for url in (
        f"/admin/{name}/",
        f"/admin/{name}/add/",
        f"/admin/{name}/{record.pk}/change/",
        f"/admin/{name}/{record.pk}/history/",
        f"/admin/{name}/?q=north",
    ):
        assert superuser_client.get(url).status_code == 200, url


def correct(record):
    """A public correction of `record` (docs/admin.md, "Corrections")."""
    Correction.objects.create(
        record=record, note="Corrected", date=datetime.date(2026, 3, 5), made_by="Editor"
    )


@pytest.fixture
def crowded(talks):
    """At least 20 rows of everything, with statements by 5 parties at each of 20 rounds."""
    for _ in range(20):
        NegotiationFactory()
        IssueFactory(negotiation=talks.negotiation)
    parties = [PartyFactory() for _ in range(20)]
    for party in parties:
        ParticipantFactory(negotiation=talks.negotiation, party=party)
    for n in range(20):
        round = RoundFactory(
            negotiation=talks.negotiation, start_date=datetime.date(2025, 6, 1 + n)
        )
        for party in parties[:5]:
            demand = DemandFactory(
                party=party, issue=talks.border, round=round, stance=talks.stance(talks.border, 2)
            )
            ConcessionFactory(party=party, issue=talks.border, round=round, softens=demand)
    crowd_plans(talks)
    return talks


def crowd_plans(talks):
    """20 plans in one chain, each point of one linked to a point of the next (docs/plans.md)."""
    previous = previous_point = None
    for _ in range(21):
        plan = PlanFactory(negotiation=talks.negotiation, tabled_by=talks.north, previous=previous)
        point = PlanPointFactory(plan=plan, number="1", issue=talks.border)
        if previous is not None:
            PointLink.objects.create(
                from_plan=previous,
                to_plan=plan,
                from_point=previous_point,
                to_point=point,
                kind="kept",
            )
        previous, previous_point = plan, point


@pytest.mark.parametrize("name", URL_NAMES)
def test_list_pages_make_a_bounded_number_of_queries(
    name, crowded, analyst_client, django_assert_max_num_queries
):
    if name == "negotiations/release":
        # Each cut builds a snapshot database: three of them stand for a long list here.
        for tag in ("2026.01", "2026.02", "2026.03"):
            cut_release(crowded.negotiation, tag=tag)
    if name == "negotiations/correction":
        for demand in Demand.objects.all()[:10]:
            correct(demand)
        for round in Round.objects.all()[:10]:
            correct(round)
    with django_assert_max_num_queries(12):
        page = analyst_client.get(f"/admin/{name}/")

    assert page.status_code == 200
    assert len(page.context["cl"].result_list) >= (3 if name == "negotiations/release" else 20)
