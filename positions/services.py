"""The one source of truth for positions: where each party stands, and what moved.

A demand stands until restated: the position of party P on issue I as of round R is P's latest
demand on I at or before R. Every reader page, API endpoint and admin action asks these
functions; none re-implements them. See docs/positions.md for the classification rules.

Each public function loads what it needs in a fixed number of queries (a `Ledger`) and then
works in memory, so the cost does not grow with the number of cells.
"""

from __future__ import annotations

import bisect
import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.core.cache import cache
from django.db import models
from django.db.models import Q, QuerySet

from negotiations.models import Issue, Negotiation, Participant, Party, Round, Stance
from negotiations.releases import reading
from positions.models import Concession, Demand


class MoveKind(models.TextChoices):
    """How a position moved (docs/positions.md); the words for each kind are in MOVE_WORDING."""

    NEW = "new", "new"
    RESTATED = "restated", "restated"
    SOFTENED = "softened", "softened"
    HARDENED = "hardened", "hardened"
    SHIFTED = "shifted", "shifted"
    RETRACTED = "retracted", "retracted"
    UNCHANGED = "unchanged", "unchanged"
    NONE = "none", "no position"

    @property
    def is_move(self) -> bool:
        """Whether the position moved: anything but "unchanged" and "no position"."""
        return self not in (MoveKind.UNCHANGED, MoveKind.NONE)

    @property
    def note(self) -> str:
        """One sentence for a legend: what this kind of move means."""
        return MOVE_WORDING[self].note

    @property
    def verb(self) -> str:
        """What the party did, for a sentence such as "Russia softened on Territory"."""
        return MOVE_WORDING[self].verb


@dataclass(frozen=True)
class MoveWording:
    note: str
    verb: str


# The one table of words per kind of move, in reading order (legends and counts follow it; the
# label is MoveKind's own). Pages, feeds and the API all read these.
MOVE_WORDING: dict[MoveKind, MoveWording] = {
    MoveKind.NEW: MoveWording("a first statement on the issue", "stated a position"),
    MoveKind.SOFTENED: MoveWording("moved closer to the party it disagreed with most", "softened"),
    MoveKind.HARDENED: MoveWording(
        "moved further from the party it disagreed with most", "hardened"
    ),
    MoveKind.SHIFTED: MoveWording(
        "moved on the scale without narrowing or widening its widest gap", "shifted"
    ),
    MoveKind.RESTATED: MoveWording("new wording, same place on the scale", "restated its position"),
    MoveKind.RETRACTED: MoveWording("withdrew its demand", "withdrew its demand"),
    MoveKind.UNCHANGED: MoveWording("nothing new said", "made a statement"),
    MoveKind.NONE: MoveWording("no stated position", "made a statement"),
}


@dataclass(frozen=True)
class Scale:
    """An issue's scale: the values of its stances from the low pole to the high pole."""

    values: tuple[int, ...]

    @property
    def low(self) -> int | None:
        return self.values[0] if self.values else None

    @property
    def high(self) -> int | None:
        return self.values[-1] if self.values else None

    @property
    def width(self) -> int:
        """The distance between the poles in stance values (values need not be consecutive)."""
        return self.values[-1] - self.values[0] if self.values else 0

    def place(self, value: int) -> float | None:
        """Return `value` on a 0–1 scale: 0 at the low pole, 1 at the high pole.

        None when the scale has fewer than two rungs: with no distance between the poles a stance
        has no place between them (docs/positions.md, "Scales"). Rounded to three decimals, as
        the API gives it.
        """
        return self.share(value - self.values[0]) if self.values else None

    def share(self, distance: int) -> float | None:
        """Return a distance in stance values as a share of the width (None on one rung)."""
        return round(distance / self.width, 3) if self.width else None


def scale_of(issue: Issue) -> Scale:
    """Return an issue's scale (call with the issue's stances prefetched)."""
    return Scale(values=tuple(sorted(s.value for s in issue.stances.all())))


def stated_at(demand: Demand | None, round: Round) -> bool:
    """Whether `demand` was stated at `round` itself, rather than standing from an earlier one."""
    return demand is not None and demand.round_id == round.pk


@dataclass(frozen=True)
class Position:
    """One cell: where `party` stands on `issue` as of a round (`demand` is None if never said)."""

    party: Party
    issue: Issue
    demand: Demand | None

    @property
    def stance(self) -> Stance | None:
        return self.demand.placed_stance if self.demand else None

    @property
    def is_stated(self) -> bool:
        return self.demand is not None and not self.demand.is_retracted

    @property
    def since(self) -> Round | None:
        return self.demand.round if self.demand else None


@dataclass(frozen=True)
class Gap:
    """How far apart the principals stand on an issue at a round (None: fewer than two placed)."""

    issue: Issue
    round: Round
    stances: dict[int, int]  # party id -> stance value
    spread: int | None
    normalised: float | None  # spread / width of the issue's scale, 0 = agreement


@dataclass(frozen=True)
class PositionMatrix:
    negotiation: Negotiation
    as_of: Round
    parties: list[Party]
    issues: list[Issue]
    cells: dict[tuple[int, int], Position]
    gaps: dict[int, Gap]

    def cell(self, party: Party, issue: Issue) -> Position:
        return self.cells[(party.pk, issue.pk)]

    def rows(self) -> list[tuple[Issue, list[Position]]]:
        """Return issues as rows with one position per party, in column order."""
        return [(i, [self.cell(p, i) for p in self.parties]) for i in self.issues]


@dataclass(frozen=True)
class Move:
    """How one party's position on one issue moved from `before` to `after`.

    Between two rounds (compare_rounds: the demands standing at each) or at one statement
    (moves_of: the statement and the party's position just before it).
    """

    party: Party
    issue: Issue
    before: Demand | None
    after: Demand | None
    kind: MoveKind
    stance_delta: int | None
    concessions: list[Concession] = field(default_factory=list)
    toward: list[Party] = field(default_factory=list)
    away_from: list[Party] = field(default_factory=list)

    @property
    def is_change(self) -> bool:
        return self.kind.is_move or bool(self.concessions)


@dataclass(frozen=True)
class RoundComparison:
    negotiation: Negotiation
    from_round: Round
    to_round: Round
    parties: list[Party]
    issues: list[Issue]
    changes: dict[tuple[int, int], Move]

    def change(self, party: Party, issue: Issue) -> Move:
        return self.changes[(party.pk, issue.pk)]

    def rows(self, *, changes_only: bool = False) -> list[tuple[Issue, list[Move]]]:
        """Return issues as rows of per-party changes; with changes_only, drop still rows."""
        rows = []
        for issue in self.issues:
            cells = [self.change(p, issue) for p in self.parties]
            if not changes_only or any(c.is_change for c in cells):
                rows.append((issue, cells))
        return rows

    def moved(self) -> list[Move]:
        return [c for _, cells in self.rows() for c in cells if c.is_change]


@dataclass(frozen=True)
class StanceTrack:
    """A party's standing demand on an issue at every round: the line in the issue's chart."""

    party: Party
    points: list[tuple[Round, Demand | None]]


def principals_of(negotiation: Negotiation) -> list[Party]:
    """Return the parties compared and measured for gaps, in column order (one query)."""
    return principals_among(participants_of(negotiation))


def participants_of(negotiation: Negotiation) -> list[Participant]:
    """Return every participant with its party, in column order (one query)."""
    return list(Participant.objects.filter(negotiation=negotiation).select_related("party"))


def principals_among(participants: list[Participant]) -> list[Party]:
    return [p.party for p in participants if p.role == Participant.Role.PRINCIPAL]


FRAME_CACHE_SECONDS = 60 * 60 * 24


@dataclass(frozen=True)
class Frame:
    """What a negotiation's ledgers are laid out on: its rounds in order, participants, issues.

    Four queries (rounds, participants, issues, stances), or none when cached (`cached`). A page
    or API view that asks the service several questions about one negotiation loads the frame
    once and passes it to each (docs/performance.md, "Pages", "Computed views' queries").
    """

    negotiation: Negotiation
    rounds: list[Round]
    participants: list[Participant]
    issues: list[Issue]

    @property
    def principals(self) -> list[Party]:
        return principals_among(self.participants)

    @classmethod
    def load(cls, negotiation: Negotiation, *, rounds: list[Round] | None = None) -> Frame:
        """`rounds`: the negotiation's rounds in chronological order, if the caller has them."""
        if rounds is None:
            rounds = list(Round.objects.filter(negotiation=negotiation).chronological())
        return cls(
            negotiation=negotiation,
            rounds=rounds,
            participants=participants_of(negotiation),
            issues=list(Issue.objects.filter(negotiation=negotiation).prefetch_related("stances")),
        ).belonging_to(negotiation)

    @classmethod
    def cached(cls, negotiation: Negotiation, *, changed: datetime.datetime | None) -> Frame:
        """Return the frame from Django's cache, keyed by the negotiation's last change.

        `changed` is positions.freshness.last_change for this negotiation: any edit to a round,
        issue, stance or participant moves it, so a stale frame is never read. A request
        reading a release or a past day (negotiations.releases.reading) reads another database
        and skips the cache. The cache hands out a fresh copy on each read (it pickles), so a
        caller may not change what the next request gets.
        """
        if changed is None or reading.get() is not None:
            return cls.load(negotiation)
        key = f"parley:frame:{negotiation.pk}:{negotiation.slug}:{changed.isoformat()}"
        frame = cache.get(key)
        if frame is None:
            frame = cls.load(negotiation)
            cache.set(key, replace(frame, negotiation=None), FRAME_CACHE_SECONDS)
        return replace(frame, negotiation=negotiation).belonging_to(negotiation)

    def belonging_to(self, negotiation: Negotiation) -> Frame:
        """Give the rounds and issues the caller's negotiation, so reading it costs no query."""
        for record in (*self.rounds, *self.issues, *self.participants):
            type(record).negotiation.field.set_cached_value(record, negotiation)
        return self

    def round_before(self, round: Round) -> Round | None:
        """The round just before `round` in the negotiation's order, or None for the first."""
        index = next(n for n, r in enumerate(self.rounds) if r.pk == round.pk)
        return self.rounds[index - 1] if index else None


class Ledger:
    """One negotiation's rounds, principals, issues and a chosen slice of its statements.

    Loaded in a fixed number of queries, then answered in memory. Callers pass the narrowest
    demand and concession querysets that answer their question: loading every demand with its
    sources is the dominant cost on big negotiations (see bench/README.md).
    """

    def __init__(
        self,
        negotiation: Negotiation,
        *,
        upto: Round | None = None,
        demands: QuerySet[Demand] | None = None,
        concessions: QuerySet[Concession] | None = None,
        frame: Frame | None = None,
    ):
        self.negotiation = negotiation
        frame = frame or Frame.load(negotiation)
        self.rounds: list[Round] = frame.rounds
        if upto is not None:
            end = next(n for n, r in enumerate(frame.rounds) if r.pk == upto.pk)
            self.rounds = frame.rounds[: end + 1]
        self.index = {r.pk: i for i, r in enumerate(self.rounds)}
        self.principals = frame.principals
        self.issues: list[Issue] = frame.issues
        self.scales: dict[int, Scale] = {i.pk: scale_of(i) for i in self.issues}
        # The rounds are loaded: naming them spares the database a join, and the statements are
        # put in round order here, so the models' default ordering (three joins) is dropped.
        in_scope = Q(round_id__in=list(self.index))
        if demands is None:
            demands = Demand.objects.for_display()
        demands = demands.filter(in_scope).order_by("pk")
        demands = self._with_known_relations(list(demands))
        self._demands: dict[tuple[int, int], list[Demand]] = defaultdict(list)
        for demand in sorted(demands, key=lambda d: self.index[d.round_id]):
            self._demands[(demand.party_id, demand.issue_id)].append(demand)
        self._keys = {
            key: [self.index[d.round_id] for d in ds] for key, ds in self._demands.items()
        }
        if concessions is None:
            concessions = Concession.objects.for_display()
        self.concessions: list[Concession] = sorted(
            self._with_known_relations(list(concessions.filter(in_scope).order_by("pk"))),
            key=lambda c: self.index[c.round_id],
        )
        self._concessions: dict[tuple[int, int], list[Concession]] = defaultdict(list)
        for concession in self.concessions:
            self._concessions[(concession.party_id, concession.issue_id)].append(concession)

    def _with_known_relations(self, statements: list) -> list:
        """Give statements the round and stance objects the ledger holds, unless already joined.

        Callers can then load statements from their own table alone: joining rounds and stances
        again, and building an object for each, cost more than the rest of compare_rounds.
        """
        rounds = {r.pk: r for r in self.rounds}
        stances = {s.pk: s for i in self.issues for s in i.stances.all()}
        for statement in statements:
            if not type(statement).round.is_cached(statement):
                type(statement).round.field.set_cached_value(statement, rounds[statement.round_id])
            if isinstance(statement, Demand) and not Demand.stance.is_cached(statement):
                Demand.stance.field.set_cached_value(statement, stances.get(statement.stance_id))
        return statements

    def demands_of(self, party: Party, issue: Issue) -> list[Demand]:
        return self._demands.get((party.pk, issue.pk), [])

    def standing(self, party: Party, issue: Issue, round: Round) -> Demand | None:
        """Return the demand that stands at `round`: the latest at or before it."""
        key = (party.pk, issue.pk)
        position = bisect.bisect_right(self._keys.get(key, []), self.index[round.pk])
        return self._demands[key][position - 1] if position else None

    def gap(self, issue: Issue, at: Round) -> Gap:
        """Return the principals' gap on `issue` at `at` from the demands standing then."""
        values = {}
        for party in self.principals:
            demand = self.standing(party, issue, at)
            values[party.pk] = (
                demand.placed_stance.value if demand and demand.placed_stance else None
            )
        return self.gap_of(issue, at, values)

    def gap_of(self, issue: Issue, at: Round, values: dict[int, int | None]) -> Gap:
        """Return the gap given each principal's placed stance value (None: none placed)."""
        stances = {p.pk: values[p.pk] for p in self.principals if values.get(p.pk) is not None}
        spread = max(stances.values()) - min(stances.values()) if len(stances) >= 2 else None
        normalised = self.scales[issue.pk].share(spread) if spread is not None else None
        return Gap(issue=issue, round=at, stances=stances, spread=spread, normalised=normalised)

    def concessions_between(self, party: Party, issue: Issue, after: Round, upto: Round):
        """Return the concessions of `party` on `issue` after round `after`, up to `upto`."""
        low, high = self.index[after.pk], self.index[upto.pk]
        return [
            c
            for c in self._concessions.get((party.pk, issue.pk), ())
            if low < self.index[c.round_id] <= high
        ]


def positions_as_of(
    *, round: Round, parties: Iterable[Party] | None = None, frame: Frame | None = None
) -> PositionMatrix:
    """Return where each principal party stands on each issue as of `round`.

    The demands come with their round and stance (the ledger's), not their sources: a page that
    shows the sources fetches them for the cells it shows (docs/performance.md, "Pages").
    """
    ledger = Ledger(
        round.negotiation,
        upto=round,
        demands=Demand.objects.standing_as_of(round),
        concessions=Concession.objects.none(),
        frame=frame,
    )
    columns = list(parties) if parties is not None else ledger.principals
    cells = {
        (p.pk, i.pk): Position(party=p, issue=i, demand=ledger.standing(p, i, round))
        for p in columns
        for i in ledger.issues
    }
    return PositionMatrix(
        negotiation=round.negotiation,
        as_of=round,
        parties=columns,
        issues=ledger.issues,
        cells=cells,
        gaps={i.pk: ledger.gap(i, round) for i in ledger.issues},
    )


def compare_rounds(
    *, from_round: Round, to_round: Round, frame: Frame | None = None
) -> RoundComparison:
    """Return, per principal and issue, how the position moved from one round to a later one.

    Raises ValueError if the rounds belong to different negotiations or are out of order.
    Demands and concessions come with their round (and stance), not their sources, as in
    positions_as_of.
    """
    if from_round.negotiation_id != to_round.negotiation_id:
        raise ValueError("The two rounds belong to different negotiations.")
    if from_round.pk == to_round.pk:
        raise ValueError("Pick two different rounds to compare.")
    if from_round.order_key > to_round.order_key:
        raise ValueError("The first round comes after the second; swap them.")
    standing = Demand.objects.standing_as_of(from_round) | Demand.objects.standing_as_of(to_round)
    ledger = Ledger(
        to_round.negotiation,
        upto=to_round,
        demands=standing,
        concessions=Concession.objects.filter(round__in=Round.objects.after(from_round)),
        frame=frame,
    )
    changes = {}
    for issue in ledger.issues:
        for party in ledger.principals:
            changes[(party.pk, issue.pk)] = _move(
                ledger,
                party=party,
                issue=issue,
                before=ledger.standing(party, issue, from_round),
                after=ledger.standing(party, issue, to_round),
                at=to_round,
                concessions=ledger.concessions_between(party, issue, from_round, to_round),
            )
    return RoundComparison(
        negotiation=to_round.negotiation,
        from_round=from_round,
        to_round=to_round,
        parties=ledger.principals,
        issues=ledger.issues,
        changes=changes,
    )


def other_stances(ledger: Ledger, *, issue: Issue, party: Party, round: Round) -> dict[Party, int]:
    """Return the placed stances of the other principals at `round`: what a move is judged by."""
    stances = {}
    for other in ledger.principals:
        demand = ledger.standing(other, issue, round)
        if other.pk != party.pk and demand and demand.placed_stance:
            stances[other] = demand.placed_stance.value
    return stances


def stance_delta(before: Demand | None, after: Demand | None) -> int | None:
    """Return how many rungs the stance moved (positive: toward the high pole)."""
    if before and after and before.stance and after.stance:
        return after.stance.value - before.stance.value
    return None


def directions(
    *, before: Demand | None, after: Demand | None, others: dict[Party, int]
) -> tuple[list[Party], list[Party]]:
    """Return the other principals a stance change moved closer to, and those it moved away from."""
    if stance_delta(before, after) in (None, 0):
        return [], []
    old, new = before.stance.value, after.stance.value
    toward = [p for p, v in others.items() if abs(new - v) < abs(old - v)]
    away = [p for p, v in others.items() if abs(new - v) > abs(old - v)]
    return toward, away


def classify_move(*, before: Demand | None, after: Demand | None, others: list[int]) -> MoveKind:
    """Classify a move from the standing demand `before` to `after` (docs/positions.md).

    A stance change softens when it narrows the party's widest gap to the other principals
    and hardens when it widens it; a move that leaves the widest gap as it was is a shift
    (a mediator realigning, say, from one side toward the other).
    """
    if after is None:
        return MoveKind.NONE
    if before is not None and before.pk == after.pk:
        return MoveKind.UNCHANGED
    if after.is_retracted:
        return MoveKind.UNCHANGED if before is None or before.is_retracted else MoveKind.RETRACTED
    if before is None or before.is_retracted:
        return MoveKind.NEW
    if not (before.stance and after.stance) or before.stance.value == after.stance.value:
        return MoveKind.RESTATED
    if not others:
        return MoveKind.SHIFTED
    old_gap = max(abs(before.stance.value - v) for v in others)
    new_gap = max(abs(after.stance.value - v) for v in others)
    if new_gap < old_gap:
        return MoveKind.SOFTENED
    if new_gap > old_gap:
        return MoveKind.HARDENED
    return MoveKind.SHIFTED


def moves_of(ledger: Ledger, *, party: Party, issue: Issue) -> list[Move]:
    """Return each statement of `party` on `issue` in round order with its kind of move.

    Gives, for every statement, what compare_rounds gives between the round just before it and
    its own round (but for concessions, which the record pages list on their own), on one loaded
    ledger: compare_rounds per statement would load a ledger per statement. Non-principals get
    no moves: kinds are defined against the other principals only.
    """
    if party.pk not in {p.pk for p in ledger.principals}:
        return []
    moves = []
    previous = None
    for demand in ledger.demands_of(party, issue):
        moves.append(
            _move(ledger, party=party, issue=issue, before=previous, after=demand, at=demand.round)
        )
        previous = demand
    return moves


def _move(
    ledger: Ledger,
    *,
    party: Party,
    issue: Issue,
    before: Demand | None,
    after: Demand | None,
    at: Round,
    concessions: list[Concession] | None = None,
) -> Move:
    """Return the move from `before` to `after`, judged by the other principals' stances `at`."""
    others = other_stances(ledger, issue=issue, party=party, round=at)
    toward, away = directions(before=before, after=after, others=others)
    return Move(
        party=party,
        issue=issue,
        before=before,
        after=after,
        kind=classify_move(before=before, after=after, others=list(others.values())),
        stance_delta=stance_delta(before, after),
        concessions=concessions or [],
        toward=toward,
        away_from=away,
    )


def gap_history(
    *,
    negotiation: Negotiation,
    parties: list[Party] | None = None,
    frame: Frame | None = None,
) -> list[tuple[Issue, list[Gap]]]:
    """Return, per issue, the principals' gap at every round: the convergence picture.

    `parties` measures the gap between those parties instead (two: their distance).

    Every demand of the negotiation counts, so they are read as plain (issue, round, party,
    stance value) rows rather than as Demand objects, and walked once in round order: building
    ten thousand model instances was most of the overview page's time (docs/performance.md).
    A retraction has no stance (a database constraint), so the stance read is the placed one.
    """
    ledger = Ledger(
        negotiation,
        demands=Demand.objects.none(),
        concessions=Concession.objects.none(),
        frame=frame,
    )
    if parties is not None:
        ledger.principals = list(parties)
    principals = {p.pk for p in ledger.principals}
    values = {s.pk: s.value for i in ledger.issues for s in i.stances.all()}
    said: dict[tuple[int, int], list[tuple[int, int | None]]] = defaultdict(list)
    rows = Demand.objects.filter(round_id__in=list(ledger.index), party_id__in=principals)
    for issue_id, round_id, party_id, stance_id in rows.values_list(
        "issue_id", "round_id", "party_id", "stance_id"
    ).order_by():
        said[(issue_id, ledger.index[round_id])].append((party_id, values.get(stance_id)))
    history = []
    for issue in ledger.issues:
        standing: dict[int, int | None] = {}
        gaps = []
        for n, round in enumerate(ledger.rounds):
            standing.update(said.get((issue.pk, n), ()))
            gaps.append(ledger.gap_of(issue, round, standing))
        history.append((issue, gaps))
    return history


def stance_tracks(
    *, issue: Issue, ledger: Ledger | None = None
) -> tuple[list[Round], list[StanceTrack]]:
    """Return the rounds and each principal's standing demand on `issue` at each of them.

    Pass a `ledger` already loaded with the issue's demands to avoid loading them again.
    """
    if ledger is None:
        ledger = Ledger(
            issue.negotiation,
            demands=Demand.objects.for_display().filter(issue=issue),
            concessions=Concession.objects.none(),
        )
    tracks = [
        StanceTrack(party=p, points=[(r, ledger.standing(p, issue, r)) for r in ledger.rounds])
        for p in ledger.principals
    ]
    return ledger.rounds, tracks


def latest_round(negotiation: Negotiation) -> Round | None:
    return Round.objects.filter(negotiation=negotiation).chronological().last()


# --- The version of a record: what the admin's concurrency guard and the API's ETags compare --


def stored_version(record: models.Model, *, lock: bool = False):
    """Return the record's stored `updated_at` (None if it is gone): its version, as the admin
    (positions/forms.py VersionedModelForm) and the API (negotiations/api/preconditions.py)
    both compare it. `lock` holds the row until the caller's transaction ends, so two saves
    cannot both pass the check (SQLite, without row locks, ignores it: see take_write_lock)."""
    rows = type(record)._default_manager.filter(pk=record.pk)
    if lock:
        rows = rows.select_for_update()
    return rows.values_list("updated_at", flat=True).first()
