"""A party's, a round's and an issue's record: statements and concessions grouped for reading.

The moves come from positions/services.py; this module only groups and orders them for the
party, round and issue pages and the feeds.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import prefetch_related_objects

from negotiations.models import Issue, Participant, Party, Round
from positions.models import Concession, Demand
from positions.services import (
    MOVE_WORDING,
    Gap,
    Ledger,
    Move,
    RoundComparison,
    StanceTrack,
    classify_move,
    moves_of,
    stated_at,
)


@dataclass(frozen=True)
class Entry:
    """One line of a record: a statement (with its move, for principals) or a concession.

    `issue` is a copy whose scale is loaded, for drawing the stance.
    """

    round: Round
    issue: Issue
    demand: Demand | None = None
    move: Move | None = None
    concession: Concession | None = None


@dataclass(frozen=True)
class IssueRecord:
    """What one party said and conceded on one issue, in round order."""

    issue: Issue
    entries: list[Entry]
    standing: Demand | None


def party_record(ledger: Ledger, *, party: Party) -> list[IssueRecord]:
    """Return, issue by issue, the statements and concessions of `party` in round order.

    The ledger needs every principal's demands (to judge each move) but not their sources: the
    sources of this party's own statements are fetched here, in one query.
    """
    records = []
    shown: list[Demand] = []
    for issue in ledger.issues:
        moves = {m.after.pk: m for m in moves_of(ledger, party=party, issue=issue)}
        statements = ledger.demands_of(party, issue)
        shown += statements
        entries = [
            Entry(round=d.round, issue=issue, demand=d, move=moves.get(d.pk)) for d in statements
        ]
        entries += [
            Entry(round=c.round, issue=issue, concession=c)
            for c in ledger.concessions
            if c.party_id == party.pk and c.issue_id == issue.pk
        ]
        if entries:
            entries.sort(key=lambda e: (ledger.index[e.round.pk], e.concession is not None))
            standing = statements[-1] if statements else None
            records.append(IssueRecord(issue=issue, entries=entries, standing=standing))
    prefetch_related_objects(shown, "sources")
    return records


@dataclass(frozen=True)
class PartyAtRound:
    party: Party
    role: str
    entries: list[Entry]


def round_record(
    *,
    round: Round,
    comparison: RoundComparison | None,
    issues: list[Issue],
    participants: list[Participant],
    demands: list[Demand],
    concessions: list[Concession],
) -> list[PartyAtRound]:
    """Return, party by party, what each participant said and conceded at `round`.

    A principal's statement carries its move from `comparison` (previous round to this one);
    at the first round there is nothing before it, so every statement is judged against none.
    """
    scaled = {i.pk: i for i in issues}
    position = {i.pk: n for n, i in enumerate(issues)}
    record = []
    for participant in participants:
        entries = []
        for demand in demands:
            if demand.party_id != participant.party_id:
                continue
            issue = scaled.get(demand.issue_id, demand.issue)
            entries.append(
                Entry(
                    round=round,
                    issue=issue,
                    demand=demand,
                    move=_move_at_round(participant, demand, issue, comparison),
                )
            )
        entries += [
            Entry(round=round, issue=scaled.get(c.issue_id, c.issue), concession=c)
            for c in concessions
            if c.party_id == participant.party_id
        ]
        if entries:
            entries.sort(key=lambda e: (position.get(e.issue.pk, 0), e.concession is not None))
            record.append(
                PartyAtRound(party=participant.party, role=participant.role, entries=entries)
            )
    return record


def _move_at_round(participant, demand, issue, comparison) -> Move | None:
    if participant.role != Participant.Role.PRINCIPAL:
        return None
    if comparison is None:
        kind = classify_move(before=None, after=demand, others=[])
        return Move(
            party=participant.party,
            issue=issue,
            before=None,
            after=demand,
            kind=kind,
            stance_delta=None,
        )
    change = comparison.change(participant.party, issue)
    return change if change.after is not None and change.after.pk == demand.pk else None


def issue_record(ledger: Ledger, *, issue: Issue, participants: list[Participant]) -> list[Entry]:
    """Return the statements and concessions of `participants` on `issue`, by round and column."""
    order = {p.party_id: n for n, p in enumerate(participants)}
    entries = []
    for participant in participants:
        party = participant.party
        moves = {m.after.pk: m for m in moves_of(ledger, party=party, issue=issue)}
        entries += [
            Entry(round=d.round, issue=issue, demand=d, move=moves.get(d.pk))
            for d in ledger.demands_of(party, issue)
        ]
    entries += [
        Entry(round=c.round, issue=issue, concession=c)
        for c in ledger.concessions
        if c.issue_id == issue.pk and c.party_id in order
    ]

    def key(entry: Entry):
        statement = entry.demand or entry.concession
        return (
            ledger.index[entry.round.pk],
            entry.concession is not None,
            order.get(statement.party_id, len(order)),
        )

    return sorted(entries, key=key)


@dataclass(frozen=True)
class TrackCell:
    party: Party
    demand: Demand | None
    stated_here: bool


@dataclass(frozen=True)
class TrackRow:
    round: Round
    cells: list[TrackCell]
    gap: Gap


def track_table(
    ledger: Ledger, *, issue: Issue, rounds: list[Round], tracks: list[StanceTrack]
) -> list[TrackRow]:
    """Return the chart's data as table rows: one per round, a cell per party, and the gap."""
    return [
        TrackRow(
            round=round,
            cells=[
                TrackCell(
                    party=track.party,
                    demand=track.points[index][1],
                    stated_here=stated_at(track.points[index][1], round),
                )
                for track in tracks
            ],
            gap=ledger.gap(issue, round),
        )
        for index, round in enumerate(rounds)
    ]


def kind_counts(changes: list) -> list[tuple[str, str, int]]:
    """Return how many changes of each kind, in a fixed reading order, leaving out zeros."""
    order = [kind for kind in MOVE_WORDING if kind.is_move]
    counted = {kind: sum(1 for c in changes if c.kind == kind) for kind in order}
    return [(kind.value, kind.label, n) for kind, n in counted.items() if n]


@dataclass(frozen=True)
class NegotiationCard:
    negotiation: object
    rounds: list[Round]
    principals: list[Party]

    @property
    def first(self) -> Round | None:
        return self.rounds[0] if self.rounds else None

    @property
    def latest(self) -> Round | None:
        return self.rounds[-1] if self.rounds else None
