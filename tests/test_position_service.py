"""The position service: a demand stands until restated, and moves are classified by stance."""

import pytest

from positions.services import MoveKind, compare_rounds, gap_history, positions_as_of, stance_tracks
from tests.factories import RoundFactory

pytestmark = pytest.mark.django_db


def test_demand_stands_until_restated(talks):
    matrix = positions_as_of(round=talks.r2)
    north_border = matrix.cell(talks.north, talks.border)
    assert north_border.stance.value == 4
    assert north_border.since == talks.r1


def test_party_that_skips_a_round_keeps_its_position(talks):
    matrix = positions_as_of(round=talks.r3)
    assert matrix.cell(talks.south, talks.border).stance.label == "little"
    assert matrix.cell(talks.south, talks.border).since == talks.r2


def test_matrix_has_principals_only_in_column_order(talks):
    matrix = positions_as_of(round=talks.r4)
    assert [p.slug for p in matrix.parties] == ["north", "south"]
    assert [issue.slug for issue, _ in matrix.rows()] == ["border", "prisoners"]


def test_position_before_any_statement_is_empty(talks):
    cell = positions_as_of(round=talks.r1).cell(talks.north, talks.prisoners)
    assert cell.demand is None and not cell.is_stated


def test_retracted_demand_leaves_no_stance(talks):
    cell = positions_as_of(round=talks.r3).cell(talks.north, talks.prisoners)
    assert cell.demand.is_retracted
    assert cell.stance is None


def test_moving_toward_the_other_side_is_softening(talks):
    comparison = compare_rounds(from_round=talks.r2, to_round=talks.r3)
    change = comparison.change(talks.north, talks.border)
    assert change.kind == MoveKind.SOFTENED
    assert change.stance_delta == -1
    assert change.concessions == [talks.north_border_r3_concession]


def test_moving_away_is_hardening(talks):
    change = compare_rounds(from_round=talks.r3, to_round=talks.r4).change(
        talks.north, talks.border
    )
    assert change.kind == MoveKind.HARDENED
    assert change.stance_delta == 1
    assert change.concessions == []


def test_same_stance_new_words_is_restated(talks):
    change = compare_rounds(from_round=talks.r3, to_round=talks.r4).change(
        talks.south, talks.border
    )
    assert change.kind == MoveKind.RESTATED


def test_retraction_and_first_statement(talks):
    comparison = compare_rounds(from_round=talks.r1, to_round=talks.r3)
    # Stated at r2 and retracted at r3: from r1's view nothing stood and nothing stands.
    assert comparison.change(talks.north, talks.prisoners).kind == MoveKind.UNCHANGED
    assert (
        compare_rounds(from_round=talks.r2, to_round=talks.r3)
        .change(talks.north, talks.prisoners)
        .kind
        == MoveKind.RETRACTED
    )
    assert (
        compare_rounds(from_round=talks.r1, to_round=talks.r2)
        .change(talks.north, talks.prisoners)
        .kind
        == MoveKind.NEW
    )


def test_skipped_round_is_unchanged(talks):
    change = compare_rounds(from_round=talks.r2, to_round=talks.r3).change(
        talks.south, talks.border
    )
    assert change.kind == MoveKind.UNCHANGED
    assert not change.is_change


def test_changes_only_drops_still_rows(talks):
    comparison = compare_rounds(from_round=talks.r1, to_round=talks.r2)
    assert [issue.slug for issue, _ in comparison.rows(changes_only=True)] == [
        "border",
        "prisoners",
    ]
    comparison = compare_rounds(from_round=talks.r3, to_round=talks.r4)
    assert [issue.slug for issue, _ in comparison.rows(changes_only=True)] == ["border"]
    assert len(comparison.rows()) == 2


def test_a_round_compared_with_itself_is_refused(talks):
    with pytest.raises(ValueError, match="two different rounds"):
        compare_rounds(from_round=talks.r2, to_round=talks.r2)


def test_previous_round_follows_date_then_sequence(talks):
    from negotiations.models import Round

    same_day = RoundFactory(
        negotiation=talks.negotiation, slug="r2b", start_date=talks.r2.start_date, sequence=1
    )
    assert Round.objects.previous(same_day) == talks.r2
    assert Round.objects.previous(talks.r3) == same_day
    assert Round.objects.previous(talks.r1) is None


def test_rounds_out_of_order_are_refused(talks):
    with pytest.raises(ValueError, match="swap"):
        compare_rounds(from_round=talks.r4, to_round=talks.r1)


def test_gap_narrows_then_widens(talks):
    (border, gaps), _ = gap_history(negotiation=talks.negotiation)
    assert border == talks.border
    assert [g.spread for g in gaps] == [4, 3, 2, 3]
    assert gaps[2].normalised == 0.5


def test_stance_tracks_carry_positions_forward(talks):
    rounds, tracks = stance_tracks(issue=talks.border)
    south = next(t for t in tracks if t.party == talks.south)
    assert [d.stance.value for _, d in south.points] == [0, 1, 1, 1]


def test_service_queries_do_not_grow_with_cells(talks, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        matrix = positions_as_of(round=talks.r4)
        for _, cells in matrix.rows():
            for cell in cells:
                _ = cell.stance and cell.stance.label
                _ = cell.demand and [s.outlet for s in cell.demand.sources.all()]


def test_softening_names_whom_the_party_moved_toward(talks):
    change = compare_rounds(from_round=talks.r2, to_round=talks.r3).change(
        talks.north, talks.border
    )
    assert change.toward == [talks.south]
    assert change.away_from == []


def test_realignment_between_two_sides_is_a_shift(talks):
    # A third principal moves from north's side to south's: closer to one, away from the other,
    # its widest gap unchanged.
    from tests.factories import DemandFactory, ParticipantFactory, PartyFactory

    west = PartyFactory(slug="west", name="Westland")
    ParticipantFactory(negotiation=talks.negotiation, party=west, order=4)
    DemandFactory(
        party=west, issue=talks.border, round=talks.r1, stance=talks.stance(talks.border, 4)
    )
    DemandFactory(
        party=west, issue=talks.border, round=talks.r4, stance=talks.stance(talks.border, 1)
    )
    change = compare_rounds(from_round=talks.r3, to_round=talks.r4).change(west, talks.border)
    assert change.kind == MoveKind.SHIFTED
    assert change.toward == [talks.south] and change.away_from == [talks.north]


def test_standing_as_of_queryset_agrees_with_the_matrix(talks):
    from positions.models import Demand

    for round in (talks.r1, talks.r2, talks.r3, talks.r4):
        matrix = positions_as_of(round=round)
        expected = {c.demand.pk for _, cells in matrix.rows() for c in cells if c.demand}
        assert set(Demand.objects.standing_as_of(round).values_list("pk", flat=True)) == expected


def test_moves_of_classifies_each_statement_against_the_one_before(talks):
    from positions.services import Ledger, moves_of

    ledger = Ledger(talks.negotiation)
    moves = moves_of(ledger, party=talks.north, issue=talks.border)
    assert [(m.after.round.slug, m.kind) for m in moves] == [
        ("r1", MoveKind.NEW),
        ("r3", MoveKind.SOFTENED),
        ("r4", MoveKind.HARDENED),
    ]
    assert moves_of(ledger, party=talks.mediator, issue=talks.border) == []
