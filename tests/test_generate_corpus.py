"""`manage.py generate_corpus`: a seeded synthetic corpus that respects the database's rules."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from negotiations.models import Issue, Negotiation, Participant, Party, Round, Source
from positions.models import Concession, Demand

pytestmark = pytest.mark.django_db

SMALL = ["--negotiations", "2", "--rounds", "4", "--issues", "3", "--principals", "3"]


def generate(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("generate_corpus", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def snapshot() -> list[tuple]:
    return list(
        Demand.objects.order_by("round__negotiation__slug", "round__start_date", "id").values_list(
            "round__negotiation__slug",
            "round__slug",
            "party__slug",
            "issue__slug",
            "stance__value",
            "status",
            "priority",
        )
    )


def wipe() -> None:
    for model in (Concession, Demand, Round, Issue, Participant, Negotiation, Source, Party):
        model.objects.all().delete()


def test_makes_the_sizes_asked_for():
    out, err = generate(*SMALL)
    assert Negotiation.objects.count() == 2
    assert set(Negotiation.objects.values_list("slug", flat=True)) == {
        "synthetic-000",
        "synthetic-001",
    }
    assert Round.objects.count() == 2 * 4
    assert Participant.objects.count() == 2 * 3
    assert Demand.objects.count() == 2 * 4 * 3 * 3  # every cell stated by default
    assert "Made 2 negotiation(s) with 72 demands" in out
    assert "2/2 negotiations" in err  # the progress bar got to the end


def test_rows_keep_the_rules_the_database_enforces():
    generate(*SMALL, "--concessions", "0.5")
    assert Concession.objects.exists()
    assert (
        not Demand.objects.exclude(stance__isnull=True).exclude(stance__issue=F("issue")).exists()
    )
    assert not Demand.objects.exclude(issue__negotiation=F("round__negotiation")).exists()
    for demand in Demand.objects.select_related("round"):
        assert Participant.objects.filter(
            negotiation_id=demand.round.negotiation_id, party_id=demand.party_id
        ).exists()
    assert not Concession.objects.exclude(softens__party=F("party")).exists()
    assert not Demand.objects.filter(sources__isnull=True).exists()


def test_the_same_seed_makes_the_same_corpus_and_another_seed_another():
    generate(*SMALL, "--stated", "0.6")
    first = snapshot()
    wipe()
    generate(*SMALL, "--stated", "0.6")
    assert snapshot() == first
    wipe()
    generate(*SMALL, "--stated", "0.6", "--seed", "7")
    assert snapshot() != first


def test_share_of_cells_stated():
    generate("--negotiations", "1", "--rounds", "10", "--issues", "10", "--stated", "0.5")
    assert 0.35 * 500 < Demand.objects.count() < 0.65 * 500


def test_a_second_run_keeps_what_is_there_and_adds_what_is_missing():
    generate("--negotiations", "1", "--rounds", "2", "--issues", "2")
    before = snapshot()
    out, _ = generate("--negotiations", "2", "--rounds", "2", "--issues", "2")
    assert "Made 1 negotiation(s)" in out and "1 were there already and kept" in out
    assert snapshot()[: len(before)] == before


def test_refuses_a_database_with_real_negotiations_unless_forced(talks):
    with pytest.raises(CommandError, match="not synthetic.*test-talks.*--force"):
        generate(*SMALL)
    assert not Negotiation.objects.filter(slug__startswith="synthetic-").exists()
    generate(*SMALL, "--force")
    assert Negotiation.objects.filter(slug__startswith="synthetic-").count() == 2


@pytest.mark.parametrize(
    ("option", "value"), [("--stated", "1.5"), ("--concessions", "-1"), ("--rounds", "0")]
)
def test_refuses_sizes_out_of_range(option, value):
    with pytest.raises(CommandError, match=option.lstrip("-")):
        generate(option, value)
    assert not Negotiation.objects.exists()
