"""View models for the reader pages: what the templates draw, computed from the position service.

Nothing here decides where a party stands or how it moved: that is positions/services.py. These
helpers arrange its answers for reading (word diffs, chart geometry, convergence summaries, export
links) so that views stay thin and templates stay free of arithmetic.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from negotiations.models import Issue, Participant, Party, Round, Stance
from positions.models import Concession, Demand
from positions.services import (
    Gap,
    Ledger,
    Move,
    MoveKind,
    RoundComparison,
    StanceTrack,
    classify_move,
    moves_of,
    scale_width,
)

# --- Exports -------------------------------------------------------------------------------------

API_ROOT = "/api/v1/"

# The API's CSV exports, one per kind of page. Paths and query names live only here, so a change
# in the API is one edit. Each entry: (path template, query parameters every export carries,
# query parameters carried only when the page passes them, e.g. a comparison's "moved only").
CSV_EXPORTS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "negotiations": ("negotiations/", (), ()),
    "panel": ("negotiations/{negotiation}/panel/", (), ()),
    "changes": ("negotiations/{negotiation}/changes/", ("from", "to"), ("moved_only",)),
    "issue": ("demands/", ("negotiation", "issue"), ()),
    "party": ("demands/", ("party",), ()),
    "round": ("demands/", ("negotiation", "round"), ()),
    "source": ("sources/{source}/", (), ()),
}


def csv_export_url(kind: str, **params: str | bool) -> str:
    """Return the address of the API's CSV export matching a page, e.g. ("issue", negotiation=…).

    An optional parameter is left out when absent or False; True is spelled "true", as the
    API's boolean filters expect (`moved_only=true`).
    """
    template, required, optional = CSV_EXPORTS[kind]
    unknown = set(params) - set(required) - set(optional) - _path_names(template)
    if unknown:
        raise ValueError(f"The {kind} export takes no {', '.join(sorted(unknown))}.")
    path = template.format(**params)
    query = [(name, params[name]) for name in required]
    query += [(name, params[name]) for name in optional if params.get(name) not in (None, False)]
    query = [(name, "true" if value is True else value) for name, value in query]
    return f"{API_ROOT}{path}?{urlencode([*query, ('format', 'csv')])}"


def _path_names(template: str) -> set[str]:
    return set(re.findall(r"{(\w+)}", template))


# --- Kinds of move -------------------------------------------------------------------------------

# One sentence per kind for the badge legend; the rules themselves are in docs/positions.md.
MOVE_KIND_NOTES: dict[str, str] = {
    MoveKind.NEW: "a first statement on the issue",
    MoveKind.SOFTENED: "moved closer to the party it disagreed with most",
    MoveKind.HARDENED: "moved further from the party it disagreed with most",
    MoveKind.SHIFTED: "moved on the scale without narrowing or widening its widest gap",
    MoveKind.RESTATED: "new wording, same place on the scale",
    MoveKind.RETRACTED: "withdrew its demand",
    MoveKind.UNCHANGED: "nothing new said",
    MoveKind.NONE: "no stated position",
}


# --- Wording -------------------------------------------------------------------------------------

_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(before: str, after: str) -> SafeString:
    """Return `after` as HTML with the words removed since `before` in <del> and added in <ins>.

    When most of the wording changed, a word-by-word diff is noise; the old and new wording are
    then shown whole, one after the other. Each change carries hidden words ("removed:",
    "added:") because screen readers do not announce <del> and <ins>.
    """
    words = difflib.SequenceMatcher(a=(before or "").split(), b=(after or "").split())
    if words.ratio() < REWRITE_RATIO:
        return format_html(
            '<span class="rewritten">{}{}</span>', _removed(before or ""), _added(after or "")
        )
    old, new = _TOKENS.findall(before or ""), _TOKENS.findall(after or "")
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    parts: list[str] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(new[b1:b2])))
            continue
        if op in ("delete", "replace"):
            parts.append(_removed("".join(old[a1:a2])))
        if op in ("insert", "replace"):
            parts.append(_added("".join(new[b1:b2])))
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped


# Below this share of words in common, wording counts as rewritten rather than edited.
REWRITE_RATIO = 0.5


def _removed(text: str) -> str:
    return format_html('<del><span class="visually-hidden">removed: </span>{}</del>', text)


def _added(text: str) -> str:
    return format_html('<ins><span class="visually-hidden">added: </span>{}</ins>', text)


# --- Scales --------------------------------------------------------------------------------------

# Light tints from the low pole (cool) to the high pole (warm). Scales are neutral, so neither end
# is red or green; all are pale enough for body text to keep a contrast above 12:1.
SCALE_TINTS = ["#dcebf7", "#e8f1f1", "#f4f2e6", "#f9e9d8", "#f8dccd"]


@dataclass(frozen=True)
class ScalePosition:
    step: int
    steps: int
    fraction: float
    tint: str

    @property
    def percent(self) -> int:
        return round(self.fraction * 100)


def scale_position(issue: Issue, stance: Stance | None) -> ScalePosition | None:
    """Return where `stance` sits on its issue's scale. Needs the issue's stances prefetched."""
    if stance is None:
        return None
    values = sorted(s.value for s in issue.stances.all())
    if stance.value not in values:
        return None
    low, high = values[0], values[-1]
    fraction = (stance.value - low) / (high - low) if high > low else 0.5
    tint = SCALE_TINTS[round(fraction * (len(SCALE_TINTS) - 1))]
    return ScalePosition(
        step=values.index(stance.value) + 1, steps=len(values), fraction=fraction, tint=tint
    )


# --- The negotiation dance -----------------------------------------------------------------------

MARKERS = ["circle", "square", "triangle", "diamond"]
# Round labels: at most this many characters, slanted at 50 degrees, reaching this far left.
LABEL_LENGTH = 24
LABEL_REACH = 100


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    round: Round
    demand: Demand
    marker_path: str
    label: str


@dataclass(frozen=True)
class ChartLine:
    party: Party
    marker: str
    path: str
    points: list[ChartPoint]

    @property
    def legend_path(self) -> str:
        return marker_path(self.marker, 8, 8, 5)


@dataclass(frozen=True)
class DanceChart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    y_ticks: list[tuple[float, str]]
    x_ticks: list[tuple[float, float, str, str]]  # x, label y, short label, full label
    lines: list[ChartLine]
    title: str
    description: str


def marker_path(shape: str, x: float, y: float, size: float = 5.5) -> str:
    """Return an SVG path for a marker centred on (x, y): parties differ in shape, not only hue."""
    s = size
    if shape == "square":
        return f"M{x - s:.1f} {y - s:.1f}h{2 * s:.1f}v{2 * s:.1f}h{-2 * s:.1f}Z"
    if shape == "triangle":
        return f"M{x:.1f} {y - s * 1.2:.1f}L{x + s * 1.1:.1f} {y + s:.1f}H{x - s * 1.1:.1f}Z"
    if shape == "diamond":
        t = s * 1.3
        return f"M{x:.1f} {y - t:.1f}L{x + t:.1f} {y:.1f}L{x:.1f} {y + t:.1f}L{x - t:.1f} {y:.1f}Z"
    return (
        f"M{x - s:.1f} {y:.1f}a{s:.1f} {s:.1f} 0 1 0 {2 * s:.1f} 0"
        f"a{s:.1f} {s:.1f} 0 1 0 {-2 * s:.1f} 0Z"
    )


def _placed(demand: Demand | None) -> bool:
    return demand is not None and demand.placed_stance is not None


def dance_chart(
    *, issue: Issue, rounds: list[Round], tracks: list[StanceTrack], width: int = 720
) -> DanceChart:
    """Return the geometry of an issue's chart: rounds across, the issue's scale up the side.

    Lines are steps, not slopes: a demand stands until restated, so a line stays level until the
    round where the party says something new. Markers sit only where the party spoke.
    """
    stances = sorted(issue.stances.all(), key=lambda s: s.value)
    values = [s.value for s in stances] or [0]
    low, high = min(values), max(values)
    rung, top, left, right = 46, 34, 16, width - 16
    plot_bottom = top + (high - low) * rung if high > low else top + rung
    label_room = 150
    height = plot_bottom + label_room

    def y_of(value: int) -> float:
        return plot_bottom - (value - low) * rung if high > low else (top + plot_bottom) / 2

    # Round labels slant down to the left from their tick, so the first round starts far enough
    # in for its label to fit.
    first_x = left + LABEL_REACH
    span = right - first_x - 12
    step = span / (len(rounds) - 1) if len(rounds) > 1 else 0

    def x_of(index: int) -> float:
        return first_x + index * step if len(rounds) > 1 else (left + right) / 2

    lines = []
    for n, track in enumerate(tracks):
        # Nudge parties apart by a few pixels so that lines on the same rung stay visible.
        nudge = (n - (len(tracks) - 1) / 2) * 5
        shape = MARKERS[n % len(MARKERS)]
        commands: list[str] = []
        points = []
        pen_down = False
        last_y = 0.0
        for index, (round, demand) in enumerate(track.points):
            x = x_of(index)
            if not _placed(demand):
                if pen_down:
                    commands.append(f"H{x:.1f}")
                pen_down = False
                continue
            y = y_of(demand.placed_stance.value) + nudge
            if pen_down:
                commands.append(f"H{x:.1f}")
                if y != last_y:
                    commands.append(f"V{y:.1f}")
            else:
                commands.append(f"M{x:.1f} {y:.1f}")
                pen_down = True
            last_y = y
            if demand.round_id == round.pk:
                points.append(
                    ChartPoint(
                        x=x,
                        y=y,
                        round=round,
                        demand=demand,
                        marker_path=marker_path(shape, x, y),
                        label=f"{track.party.name}, {round.title} ({round.date_display}): "
                        f"{demand.placed_stance.label}",
                    )
                )
        lines.append(
            ChartLine(party=track.party, marker=shape, path="".join(commands), points=points)
        )

    x_ticks = [
        (
            x_of(i),
            plot_bottom + 16,
            _shorten(r.title, LABEL_LENGTH),
            f"{r.title} ({r.date_display})",
        )
        for i, r in enumerate(rounds)
    ]
    y_ticks = [(y_of(s.value), s.label) for s in stances]
    return DanceChart(
        width=width,
        height=int(height),
        plot_left=left,
        plot_right=right,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        lines=lines,
        title=f"{issue.title}: each party's stance, round by round",
        description=_describe_tracks(issue, tracks),
    )


def _shorten(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _describe_tracks(issue: Issue, tracks: list[StanceTrack]) -> str:
    """Return the chart in words: where each party started and where it stands now."""
    sentences = [f"Scale from {issue.low_pole} (bottom) to {issue.high_pole} (top)."]
    for track in tracks:
        stated = [(r, d) for r, d in track.points if d is not None and d.round_id == r.pk]
        placed = [(r, d) for r, d in stated if _placed(d)]
        if not placed:
            sentences.append(f"{track.party.name}: no stance placed on the scale.")
            continue
        (first_round, first), (last_round, last) = placed[0], placed[-1]
        if first.pk == last.pk:
            sentences.append(
                f"{track.party.name}: {first.placed_stance.label} since {first_round.title}."
            )
        else:
            sentences.append(
                f"{track.party.name}: from {first.placed_stance.label} ({first_round.title}) "
                f"to {last.placed_stance.label} ({last_round.title})."
            )
    return " ".join(sentences)


# --- Convergence ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Convergence:
    """An issue's gap over the rounds, in words and as a small line."""

    issue: Issue
    gaps: list[Gap]
    first: Gap | None
    latest: Gap | None
    trend: str
    summary: str
    path: str
    width: int = 132
    height: int = 30


def convergence(
    issue: Issue, gaps: list[Gap], *, width: int = 132, height: int = 30
) -> Convergence:
    """Return how an issue's gap moved from the first round it could be measured to the latest."""
    known = [g for g in gaps if g.spread is not None]
    first, latest = (known[0], known[-1]) if known else (None, None)
    # The gap is measured in stance values, so it is set against the distance between the poles
    # (not the number of stances: values need not be consecutive).
    scale = scale_width(issue)
    if latest is None:
        trend, summary = "unknown", "not measurable yet: fewer than two parties placed"
    elif latest.spread == 0:
        trend, summary = "agreement", f"agreement since {latest.round.title}"
        for gap in reversed(known):
            if gap.spread != 0:
                break
            first_agreed = gap
        summary = f"agreement since {first_agreed.round.title}"
    elif latest.spread < first.spread:
        trend = "narrowed"
        summary = f"narrowed from {_rungs(first.spread)} to {_rungs(latest.spread)} of {scale}"
    elif latest.spread > first.spread:
        trend = "widened"
        summary = f"widened from {_rungs(first.spread)} to {_rungs(latest.spread)} of {scale}"
    else:
        trend, summary = "steady", f"steady at {_rungs(latest.spread)} of {scale}"
    if (
        latest is not None
        and gaps
        and latest.round.pk != gaps[-1].round.pk
        and trend != "agreement"
    ):
        summary += f" (last measurable at {latest.round.title})"
    return Convergence(
        issue=issue,
        gaps=gaps,
        first=first,
        latest=latest,
        trend=trend,
        summary=summary,
        path=_sparkline(gaps, width=width, height=height),
        width=width,
        height=height,
    )


def _rungs(spread: int) -> str:
    return f"{spread} step" if spread == 1 else f"{spread} steps"


def _sparkline(gaps: list[Gap], *, width: int, height: int) -> str:
    """Return an SVG path of the normalised gap: up is further apart, breaks where unknown."""
    pad = 3
    step = (width - 2 * pad) / (len(gaps) - 1) if len(gaps) > 1 else 0
    commands, pen_down = [], False
    for index, gap in enumerate(gaps):
        if gap.normalised is None:
            pen_down = False
            continue
        x = pad + index * step
        y = pad + (1 - gap.normalised) * (height - 2 * pad)
        commands.append(f"{'L' if pen_down else 'M'}{x:.1f} {y:.1f}")
        pen_down = True
    return "".join(commands)


# --- Grouping for the party, round and issue pages ----------------------------------------------


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
        moves = {m.demand.pk: m for m in moves_of(ledger, party=party, issue=issue)}
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
        return Move(demand=demand, previous=None, kind=kind, stance_delta=None)
    change = comparison.change(participant.party, issue)
    if change.after is None or change.after.pk != demand.pk:
        return None
    return Move(
        demand=demand,
        previous=change.before,
        kind=change.kind,
        stance_delta=change.stance_delta,
        toward=change.toward,
        away_from=change.away_from,
    )


def issue_record(ledger: Ledger, *, issue: Issue, participants: list[Participant]) -> list[Entry]:
    """Return the statements and concessions of `participants` on `issue`, by round and column."""
    order = {p.party_id: n for n, p in enumerate(participants)}
    entries = []
    for participant in participants:
        party = participant.party
        moves = {m.demand.pk: m for m in moves_of(ledger, party=party, issue=issue)}
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
                    stated_here=bool(track.points[index][1])
                    and track.points[index][1].round_id == round.pk,
                )
                for track in tracks
            ],
            gap=ledger.gap(issue, round),
        )
        for index, round in enumerate(rounds)
    ]


def kind_counts(changes: list) -> list[tuple[str, str, int]]:
    """Return how many changes of each kind, in a fixed reading order, leaving out zeros."""
    order = [
        MoveKind.NEW,
        MoveKind.SOFTENED,
        MoveKind.HARDENED,
        MoveKind.SHIFTED,
        MoveKind.RESTATED,
        MoveKind.RETRACTED,
    ]
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


# --- Page tools: permalink, export, feeds, citation ----------------------------------------------


@dataclass(frozen=True)
class FeedLink:
    title: str
    url: str


@dataclass(frozen=True)
class PageTools:
    title: str
    permalink: str
    csv_url: str | None
    feeds: list[FeedLink]
    citation: str


def page_tools(
    request,
    *,
    title: str,
    csv_url: str | None,
    feeds: list[FeedLink] | None = None,
    path: str | None = None,
) -> PageTools:
    """Return what every page offers at its foot: a permalink, a CSV export, feeds, a citation.

    The citation dates the data by its last change (found for conditional GET), not by today,
    so that a cached page and a fresh one cite the same thing.
    """
    permalink = request.build_absolute_uri(path or request.path)
    changed = getattr(request, "parley_last_change", None)
    as_of = f" Data as of {changed.day} {changed:%B %Y}." if changed else ""
    citation = f"Parley, “{title}”.{as_of} {permalink}"
    return PageTools(
        title=title, permalink=permalink, csv_url=csv_url, feeds=feeds or [], citation=citation
    )


def negotiation_feed(negotiation) -> FeedLink:
    return FeedLink(
        title=f"{negotiation.title}: new rounds and moves",
        url=reverse("negotiation-feed", args=[negotiation.slug]),
    )


def issue_feed(negotiation, issue) -> FeedLink:
    return FeedLink(
        title=f"{issue.title}: moves in {negotiation.title}",
        url=reverse("issue-feed", args=[negotiation.slug, issue.slug]),
    )


def party_feed(party) -> FeedLink:
    return FeedLink(
        title=f"{party.name}: new rounds and moves",
        url=reverse("party-feed", args=[party.slug]),
    )
