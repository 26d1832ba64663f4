"""An issue's high-pole side, loaded from the dataset (docs/positions.md, "Comparing issues")."""

import pytest

from negotiations.loader import DatasetError, load_dataset
from negotiations.models import Issue
from tests.test_dataset import SMALL, write

HIGH_POLE = 'high_pole = "all"'


def test_the_loader_records_which_party_the_high_pole_is(db, tmp_path):
    assert HIGH_POLE in SMALL
    load_dataset(
        write(tmp_path, SMALL.replace(HIGH_POLE, HIGH_POLE + '\nhigh_pole_side = "north"'))
    )
    assert Issue.objects.get(slug="border").high_pole_side.slug == "north"


def test_an_issue_without_a_side_is_not_oriented(db, tmp_path):
    load_dataset(write(tmp_path, SMALL))
    assert Issue.objects.get(slug="border").high_pole_side is None


def test_an_unknown_side_names_the_issue_and_the_party(db, tmp_path):
    path = write(tmp_path, SMALL.replace(HIGH_POLE, HIGH_POLE + '\nhigh_pole_side = "west"'))
    with pytest.raises(DatasetError, match=r"issue.*unknown party 'west'"):
        load_dataset(path)


def test_the_shipped_dataset_orients_nineteen_of_its_twenty_five_issues(dataset):
    """docs/positions.md, "Comparing issues", names the six that are not oriented."""
    sides = dict(dataset.issues.values_list("slug", "high_pole_side__slug"))
    assert len(sides) == 25
    assert {slug for slug, side in sides.items() if side is None} == {
        "peace-plan",
        "prisoners",
        "eu-membership",
        "amnesty",
        "ratification",
        "negotiation-format",
    }
    assert {side for side in sides.values() if side} == {"russia", "ukraine"}
