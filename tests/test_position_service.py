"""The position service: a demand stands until restated, and moves are classified by stance."""

import pytest
from bs4 import BeautifulSoup

from positions.services import (
    MOVE_WORDING,
    Ledger,
    MoveKind,
    compare_rounds,
    gap_history,
    moves_of,
    positions_as_of,
    scale_of,
    stance_tracks,
    stated_at,
)
from tests.factories import DemandFactory, IssueFactory, RoundFactory

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


def test_standing_as_of_names_each_partys_latest_demand(talks):
    # Written out from the table in tests/conftest.py, not computed: (party, issue) -> the round
    # of the demand that stands; the matrix is built on the queryset, so both must say this.
    from positions.models import Demand

    expected = {
        "r1": {("north", "border"): "r1", ("south", "border"): "r1"},
        "r2": {("north", "border"): "r1", ("south", "border"): "r2", ("north", "prisoners"): "r2"},
        "r3": {("north", "border"): "r3", ("south", "border"): "r2", ("north", "prisoners"): "r3"},
        "r4": {("north", "border"): "r4", ("south", "border"): "r4", ("north", "prisoners"): "r3"},
    }
    for slug, standing in expected.items():
        round = getattr(talks, slug)
        demands = Demand.objects.standing_as_of(round).select_related("party", "issue", "round")
        assert {(d.party.slug, d.issue.slug): d.round.slug for d in demands} == standing
        matrix = positions_as_of(round=round)
        cells = [c for _, row in matrix.rows() for c in row if c.demand]
        assert {(c.party.slug, c.issue.slug): c.demand.round.slug for c in cells} == standing


def test_moves_of_classifies_each_statement_against_the_one_before(talks):
    ledger = Ledger(talks.negotiation)
    moves = moves_of(ledger, party=talks.north, issue=talks.border)
    assert [(m.after.round.slug, m.kind) for m in moves] == [
        ("r1", MoveKind.NEW),
        ("r3", MoveKind.SOFTENED),
        ("r4", MoveKind.HARDENED),
    ]
    assert moves_of(ledger, party=talks.mediator, issue=talks.border) == []


# --- One rule each: scale, "stated at this round", wording, moves -------------------------------


def one_rung_issue(talks):
    """An issue whose scale has a single stance, with both principals on it."""
    issue = IssueFactory(negotiation=talks.negotiation, slug="single", order=3, scale=["only"])
    for party in (talks.north, talks.south):
        DemandFactory(party=party, issue=issue, round=talks.r4, stance=issue.stances.get())
    return issue


def test_a_one_rung_scale_places_no_stance_and_measures_no_gap(talks, client):
    """docs/positions.md, "Scales": with no distance between the poles there is no 0–1 place.

    The service, the API panel and the pages give the same answer: None / null / no mark.
    """
    issue = one_rung_issue(talks)
    scale = scale_of(issue)
    assert (scale.low, scale.high, scale.width) == (0, 0, 0)
    assert scale.place(0) is None
    gap = positions_as_of(round=talks.r4).gaps[issue.pk]
    assert gap.spread == 0 and gap.normalised is None

    panel = client.get(f"/api/v1/negotiations/{talks.negotiation.slug}/panel/").json()
    rows = [r for r in panel["results"] if r["issue_slug"] == "single" and r["stance_value"] == 0]
    assert rows and all(r["stance_scaled"] is None for r in rows)
    assert all((r["scale_min"], r["scale_max"]) == (0, 0) for r in rows)

    page = BeautifulSoup(client.get(f"/{talks.negotiation.slug}/").content, "html.parser")
    row = next(tr for tr in page.select("table tr") if tr.th and "/issues/single/" in str(tr.th))
    stances = row.select("span.stance")
    assert [s.select_one(".visually-hidden").get_text() for s in stances] == [
        " (step 1 of 1 on the scale)"
    ] * 2
    assert not row.select(".scale-mark")


def test_scale_places_stances_between_its_poles(talks):
    scale = scale_of(talks.prisoners)  # values 0, 1, 2
    assert [scale.place(v) for v in (0, 1, 2)] == [0.0, 0.5, 1.0]
    assert scale.share(1) == 0.5


def test_stated_at_tells_a_fresh_statement_from_a_standing_one(talks):
    demand = talks.demand(talks.south, talks.border, talks.r2)
    assert stated_at(demand, talks.r2)
    assert not stated_at(demand, talks.r3)  # still standing at r3, not said there
    assert not stated_at(None, talks.r2)


def test_every_kind_of_move_has_its_words_once(talks):
    assert set(MOVE_WORDING) == set(MoveKind)
    assert MoveKind.SOFTENED.verb == "softened"
    assert MoveKind.NEW.note == "a first statement on the issue"
    assert [k for k in MOVE_WORDING if k.is_move] == [
        MoveKind.NEW,
        MoveKind.SOFTENED,
        MoveKind.HARDENED,
        MoveKind.SHIFTED,
        MoveKind.RESTATED,
        MoveKind.RETRACTED,
    ]


def test_a_statements_move_is_the_comparison_of_its_round_with_the_one_before(talks):
    """moves_of and compare_rounds give one Move type and agree on the same step."""
    ledger = Ledger(talks.negotiation)
    by_statement = {m.after.pk: m for m in moves_of(ledger, party=talks.north, issue=talks.border)}
    step = compare_rounds(from_round=talks.r2, to_round=talks.r3).change(talks.north, talks.border)
    move = by_statement[step.after.pk]
    assert type(move) is type(step)
    assert (move.before, move.after, move.kind, move.stance_delta, move.toward) == (
        step.before,
        step.after,
        step.kind,
        step.stance_delta,
        step.toward,
    )
