"""Plans, their points and the crosswalk: each rule refused by the model, the database and the
admin, the plans file's loader, and the shipped plans' sourcing (docs/plans.md)."""

import datetime
import io
import re
import tomllib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client

from negotiations.loader import DatasetError
from negotiations.models import Source
from positions.plan_loader import load_plans, plans_path
from positions.plan_models import Plan, PlanPoint, PointLink, point_sort_key
from positions.plan_services import UNCODED, compare_plans
from tests.factories import (
    IssueFactory,
    NegotiationFactory,
    PartyFactory,
    PlanFactory,
    RoundFactory,
)

pytestmark = pytest.mark.django_db

PLANS_FILE = (
    Path(__file__).resolve().parents[1] / "negotiations/datasets/russia-ukraine-2025-plans.toml"
)


def errors(record) -> dict[str, list[str]]:
    """Return the messages full_clean gives, by field ({} when the record is valid)."""
    try:
        record.full_clean()
    except ValidationError as error:
        return error.message_dict
    return {}


def link(plans, earlier, later, kind, **extra) -> PointLink:
    return PointLink(
        from_plan=plans.first,
        to_plan=plans.second,
        from_point=plans.points.get(earlier),
        to_point=plans.points.get(later),
        kind=kind,
        **extra,
    )


# --- plans --------------------------------------------------------------------------------------


def test_a_plan_date_may_not_claim_more_than_its_precision(talk_plans):
    plan = talk_plans.first
    plan.date, plan.date_precision = datetime.date(2025, 2, 14), "month"

    assert "day 1" in " ".join(errors(plan)["date"])


def test_a_plan_is_tabled_by_a_party_of_its_negotiation(talk_plans):
    plan = talk_plans.first
    plan.tabled_by = PartyFactory()

    assert "does not take part" in " ".join(errors(plan)["tabled_by"])


def test_a_plan_is_tabled_at_a_round_of_its_negotiation(talk_plans):
    plan = talk_plans.first
    plan.round = RoundFactory()

    assert errors(plan)["round"] == ["This round belongs to another negotiation."]


def test_a_plan_revises_a_plan_of_its_own_negotiation_dated_no_later(talk_plans):
    other = PlanFactory(tabled_by=talk_plans.first.tabled_by)
    second = talk_plans.second
    second.previous = other
    assert "another negotiation" in " ".join(errors(second)["previous"])

    later = PlanFactory(
        negotiation=second.negotiation, tabled_by=second.tabled_by, date=datetime.date(2026, 1, 1)
    )
    second.previous = later
    assert "dated after" in " ".join(errors(second)["previous"])


def test_the_chain_of_plans_may_not_loop(talk_plans):
    first = talk_plans.first
    first.previous = talk_plans.second
    first.date = talk_plans.second.date

    assert "loop" in " ".join(errors(first)["previous"])


def test_the_database_refuses_a_plan_that_revises_itself(talk_plans):
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.filter(pk=talk_plans.first.pk).update(previous=talk_plans.first)


# --- points -------------------------------------------------------------------------------------


def test_points_sort_as_a_reader_numbers_them():
    numbers = ["10", "5.b", "2", "5", "5.a", "10.2"]

    assert sorted(numbers, key=point_sort_key) == ["2", "5", "5.a", "5.b", "10", "10.2"]


@pytest.mark.parametrize("number", ["", "0", "5.", "five", "5.b.c", "1 2"])
def test_a_point_is_numbered_as_plans_number_them(talk_plans, number):
    point = talk_plans.points["a1"]
    point.number = number

    assert "number" in errors(point)


def test_a_points_issue_belongs_to_the_plans_negotiation(talk_plans):
    point = talk_plans.points["a3"]
    point.issue = IssueFactory()

    assert errors(point)["issue"] == ["This issue belongs to another negotiation."]


def test_a_points_stance_is_on_its_issues_scale(talks, talk_plans):
    point = talk_plans.points["a2"]  # on prisoners
    point.stance = talks.stance(talks.border, 1)

    assert "another issue's scale" in " ".join(errors(point)["stance"])


def test_a_stance_needs_the_points_issue_in_the_form_and_in_the_database(talks, talk_plans):
    point = talk_plans.points["a3"]
    point.stance = talks.stance(talks.border, 1)
    assert "stance" in errors(point)

    with pytest.raises(IntegrityError), transaction.atomic():
        PlanPoint.objects.filter(pk=point.pk).update(stance=talks.stance(talks.border, 1))


def test_a_plan_has_each_point_number_once(talk_plans):
    twin = PlanPoint(plan=talk_plans.first, number="1", text="Again")

    assert "already has a point with this number" in " ".join(errors(twin)["__all__"])


# --- the crosswalk ------------------------------------------------------------------------------


def test_a_valid_link_passes(talk_plans):
    PointLink.objects.filter(from_point=talk_plans.points["a1"]).delete()

    assert errors(link(talk_plans, "a1", "b1", "hardened", note="Asks for more")) == {}


def test_links_join_a_plan_and_one_it_revises(talk_plans):
    stray = PlanFactory(
        negotiation=talk_plans.first.negotiation, tabled_by=talk_plans.first.tabled_by
    )
    backwards = PointLink(
        from_plan=talk_plans.second,
        to_plan=talk_plans.first,
        kind="dropped",
        from_point=talk_plans.points["b1"],
    )
    unrelated = PointLink(
        from_plan=talk_plans.first,
        to_plan=stray,
        kind="dropped",
        from_point=talk_plans.points["a1"],
    )

    assert "does not descend from" in " ".join(errors(backwards)["to_plan"])
    assert "does not descend from" in " ".join(errors(unrelated)["to_plan"])


def test_links_stay_within_one_negotiation(talk_plans):
    elsewhere = PlanFactory(negotiation=NegotiationFactory())
    crossing = PointLink(
        from_plan=talk_plans.first,
        to_plan=elsewhere,
        kind="dropped",
        from_point=talk_plans.points["a1"],
    )

    assert errors(crossing)["to_plan"] == ["The two plans belong to different negotiations."]


def test_each_end_is_a_point_of_the_plan_on_its_side(talk_plans):
    swapped = link(talk_plans, "b1", "a1", "kept")

    found = errors(swapped)
    assert "is not a point of" in " ".join(found["from_point"])


@pytest.mark.parametrize(
    ("earlier", "later", "kind", "field", "words"),
    [
        ("a1", "b2", "dropped", "to_point", "no later point"),
        ("a1", "b4", "new", "from_point", "no earlier point"),
        ("a1", None, "kept", "to_point", "needs this point"),
        (None, "b1", "softened", "from_point", "needs this point"),
    ],
)
def test_a_links_ends_fit_its_kind(talk_plans, earlier, later, kind, field, words):
    found = errors(link(talk_plans, earlier, later, kind))

    assert words in " ".join(found[field])


def test_the_database_refuses_ends_that_do_not_fit_the_kind(talk_plans):
    dropped = PointLink.objects.get(kind="dropped")
    with pytest.raises(IntegrityError), transaction.atomic():
        PointLink.objects.filter(pk=dropped.pk).update(to_point=talk_plans.points["b4"])


def test_a_point_is_not_mapped_twice_as_the_same_kind(talk_plans):
    again = link(talk_plans, "a1", "b2", "reworded")  # a1 → b1 is reworded already

    assert "already mapped into that plan as this kind" in " ".join(errors(again)["__all__"])
    with pytest.raises(IntegrityError), transaction.atomic():
        again.save()


def test_a_split_maps_one_point_to_several_and_a_merge_several_to_one(talk_plans):
    PointLink.objects.all().delete()
    for later in ("b1", "b2"):
        split = link(talk_plans, "a1", later, "split")
        assert errors(split) == {}
        split.save()
    for earlier in ("a2", "a3"):
        merged = link(talk_plans, earlier, "b4", "merged")
        assert errors(merged) == {}
        merged.save()

    rows = compare_plans(talk_plans.first, talk_plans.second)
    assert [(r.kind, [p.number for p in r.earlier], [p.number for p in r.later]) for r in rows] == [
        ("split", ["1"], ["1", "2"]),
        ("merged", ["2", "3"], ["4"]),
    ]


def test_a_dropped_point_is_not_also_carried_over(talk_plans):
    carried = link(talk_plans, "a3", "b4", "reworded")  # a3 is recorded as dropped

    assert "recorded as dropped" in " ".join(errors(carried)["kind"])
    dropping = link(talk_plans, "a1", None, "dropped")  # a1 → b1 is reworded
    assert "already carried" in " ".join(errors(dropping)["kind"])


def test_a_new_point_does_not_also_come_from_an_earlier_point(talk_plans):
    sourced = link(talk_plans, "a3", "b4", "merged")
    PointLink.objects.filter(kind="dropped").delete()

    assert "recorded as new" in " ".join(errors(sourced)["kind"])
    fresh = link(talk_plans, None, "b1", "new")  # b1 comes from a1
    assert "already comes from" in " ".join(errors(fresh)["kind"])


def test_the_comparison_shows_every_point_of_both_plans(talk_plans):
    PointLink.objects.filter(kind="new").delete()

    rows = compare_plans(talk_plans.first, talk_plans.second)

    kinds = [(r.kind, [p.number for p in r.earlier], [p.number for p in r.later]) for r in rows]
    assert kinds == [
        ("reworded", ["1"], ["1"]),
        ("softened", ["2"], ["2"]),
        ("dropped", ["3"], []),
        (UNCODED, [], ["4"]),
    ]


# --- the admin ----------------------------------------------------------------------------------


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_admin_refuses_a_bad_link_on_the_field(talk_plans, editor):
    client = admin_client(editor)
    response = client.post(
        "/admin/positions/pointlink/add/",
        {
            "from_plan": talk_plans.first.pk,
            "to_plan": talk_plans.second.pk,
            "kind": "dropped",
            "from_point": talk_plans.points["a2"].pk,
            "to_point": talk_plans.points["b2"].pk,
            "note": "",
        },
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "no later point" in " ".join(form.errors["to_point"])
    assert PointLink.objects.count() == 4


def test_the_admin_saves_a_good_link(talk_plans, editor):
    PointLink.objects.filter(kind="new").delete()
    response = admin_client(editor).post(
        "/admin/positions/pointlink/add/",
        {
            "from_plan": talk_plans.first.pk,
            "to_plan": talk_plans.second.pk,
            "kind": "new",
            "to_point": talk_plans.points["b4"].pk,
            "note": "Elections appear",
        },
    )

    assert response.status_code == 302
    assert PointLink.objects.get(kind="new").note == "Elections appear"


def test_the_admin_refuses_a_point_whose_stance_is_off_its_issue(talks, talk_plans, editor):
    client = admin_client(editor)
    plan = talk_plans.first
    page = client.get(f"/admin/positions/planpoint/{talk_plans.points['a2'].pk}/change/")
    assert page.status_code == 200
    response = client.post(
        f"/admin/positions/planpoint/{talk_plans.points['a2'].pk}/change/",
        {
            "plan": plan.pk,
            "number": "2",
            "status": "reported",
            "text": "Prisoners are exchanged in part",
            "issue": talks.prisoners.pk,
            "stance": talks.stance(talks.border, 1).pk,
            "note": "",
            "sources": [s.pk for s in talk_plans.points["a2"].sources.all()],
        },
    )

    assert response.status_code == 200
    assert "another issue's scale" in " ".join(response.context["adminform"].form.errors["stance"])


def test_the_plan_admin_page_lists_its_points_inline(talk_plans, editor):
    page = admin_client(editor).get(f"/admin/positions/plan/{talk_plans.first.pk}/change/")

    assert page.status_code == 200
    assert b"All of the border land goes north" in page.content


# --- the loader ---------------------------------------------------------------------------------


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "talks-plans.toml"
    path.write_text(text)
    return path


SMALL = """
negotiation = "test-talks"

[[sources]]
slug = "plan-report"
kind = "media"
outlet = "Wire"
title = "The drafts"
url = "https://news.example/drafts"
quote = "Both drafts say this"

[[plans]]
slug = "one"
title = "One"
tabled_by = "north"
date = 2025-02-01
status = "published"
sources = ["plan-report"]
[[plans.points]]
number = "1"
text = "First point"
issue = "border"
stance = 3
sources = ["plan-report"]
[[plans.points]]
number = "2"
text = "Second point"
sources = ["plan-report"]

[[plans]]
slug = "two"
title = "Two"
tabled_by = "south"
date = { precision = "month", year = 2025, month = 3 }
status = "leaked"
previous = "one"
sources = ["plan-report"]
[[plans.points]]
number = "1"
text = "First point, reworded"
sources = ["plan-report"]

[[crosswalk]]
from = "one"
to = "two"
links = [
    { from = "1", to = "1", kind = "reworded" },
    { from = "2", kind = "dropped" },
]
"""


def test_the_loader_creates_then_changes_nothing_on_a_second_run(talks, tmp_path):
    path = write(tmp_path, SMALL)

    first = load_plans(path)
    second = load_plans(path)

    assert first.created["plans"] == 2 and first.created["points"] == 3
    assert first.created["links"] == 2
    assert sum(second.created.values()) == sum(second.updated.values()) == 0
    point = PlanPoint.objects.get(plan__slug="one", number="1")
    assert (point.issue.slug, point.stance.value) == ("border", 3)
    assert Plan.objects.get(slug="two").date_display == "March 2025"


def test_the_loader_removes_points_and_links_the_file_no_longer_holds(talks, tmp_path):
    load_plans(write(tmp_path, SMALL))
    smaller = SMALL.replace(
        '[[plans.points]]\nnumber = "2"\ntext = "Second point"\nsources = ["plan-report"]\n', ""
    ).replace('    { from = "2", kind = "dropped" },\n', "")

    report = load_plans(write(tmp_path, smaller))

    assert report.deleted["points"] == 1
    assert not PlanPoint.objects.filter(plan__slug="one", number="2").exists()
    assert PointLink.objects.count() == 1


def test_the_loader_changes_a_links_kind_in_place(talks, tmp_path):
    load_plans(write(tmp_path, SMALL))

    load_plans(write(tmp_path, SMALL.replace('kind = "reworded"', 'kind = "softened"')))

    assert list(PointLink.objects.values_list("kind", flat=True).order_by("kind")) == [
        "dropped",
        "softened",
    ]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (
            ("stance = 3", "stance = 9"),
            "plan 'one', point '1': 'border' has no stance with value 9",
        ),
        (('issue = "border"', 'issue = "nowhere"'), "point '1': issue 'nowhere'"),
        (('tabled_by = "south"', 'tabled_by = "nobody"'), "plan 'two': tabled_by 'nobody'"),
        (('kind = "reworded"', 'kind = "tweaked"'), "unknown kind 'tweaked'"),
        (
            ('{ from = "2", kind = "dropped" }', '{ from = "2", to = "1", kind = "dropped" }'),
            "A dropped point has no later point",
        ),
        (('text = "Second point"\n', ""), "point '2': missing field 'text'"),
        (('number = "2"', 'number = "2x"'), "point '2x'"),
        (
            ('sources = ["plan-report"]\n\n[[plans]]', "sources = []\n\n[[plans]]"),
            "cites no source",
        ),
    ],
)
def test_the_loader_names_the_bad_record_and_loads_nothing(talks, tmp_path, change, words):
    with pytest.raises(DatasetError, match=re.escape(words)):
        load_plans(write(tmp_path, SMALL.replace(*change)))

    assert not Plan.objects.exists()


def test_load_dataset_loads_the_plans_file_with_its_dataset(db):
    call_command("load_dataset", "russia-ukraine-2025", stdout=io.StringIO())

    assert plans_path("russia-ukraine-2025") == PLANS_FILE
    assert Plan.objects.filter(negotiation__slug="russia-ukraine-2025").count() == 4
    assert PlanPoint.objects.filter(plan__slug="us-28-point-plan").exists()


# --- the shipped plans --------------------------------------------------------------------------


@pytest.fixture
def shipped(db):
    call_command("load_dataset", "russia-ukraine-2025", stdout=io.StringIO())


def test_every_shipped_point_rests_on_a_source_with_an_address_and_an_excerpt(shipped):
    points = PlanPoint.objects.prefetch_related("sources").select_related("plan")
    unsourced = [
        f"{point.plan.slug} {point.number}"
        for point in points
        if not any(s.url and s.quote.strip() for s in point.sources.all())
    ]

    assert points.count() > 40
    assert unsourced == []


def test_every_shipped_excerpt_is_short(shipped):
    cited = Source.objects.filter(plan_points__isnull=False).distinct()

    assert [s.slug for s in cited if len(s.quote.split()) > 45] == []


def test_every_point_of_the_european_text_is_coded_against_the_us_plan(shipped):
    """The European text answers the US plan point by point, so each of its recorded points
    is in the crosswalk; US points not found in a public European copy show as "not coded"."""
    data = tomllib.loads(PLANS_FILE.read_text())
    assert {p["slug"] for p in data["plans"]} == set(Plan.objects.values_list("slug", flat=True))
    european = Plan.objects.get(slug="european-counter-proposal")

    rows = compare_plans(european.previous, european)

    assert [row.later for row in rows if row.kind == UNCODED and row.later] == []
    assert {row.kind for row in rows} >= {
        "kept",
        "reworded",
        "softened",
        "dropped",
        "merged",
        "new",
    }
