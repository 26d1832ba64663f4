"""How long the position service takes on a big negotiation (run: see bench/README.md)."""

from negotiations.models import Round
from positions.services import compare_rounds, gap_history, positions_as_of, stance_tracks


def test_positions_as_of_latest_round(benchmark, big_negotiation):
    last = Round.objects.filter(negotiation=big_negotiation).chronological().last()
    matrix = benchmark(positions_as_of, round=last)
    assert len(matrix.cells) == len(matrix.parties) * len(matrix.issues)


def test_compare_first_and_last_rounds(benchmark, big_negotiation):
    rounds = Round.objects.filter(negotiation=big_negotiation).chronological()
    comparison = benchmark(compare_rounds, from_round=rounds.first(), to_round=rounds.last())
    assert comparison.moved()


def test_gap_history(benchmark, big_negotiation):
    history = benchmark(gap_history, negotiation=big_negotiation)
    assert history


def test_stance_tracks(benchmark, big_negotiation):
    issue = big_negotiation.issues.first()
    rounds, tracks = benchmark(stance_tracks, issue=issue)
    assert len(tracks[0].points) == len(rounds)
