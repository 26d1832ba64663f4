"""Geometry the reader pages draw: stance marks on a scale, the issue chart, gap sparklines.

Nothing here decides where a party stands or how far apart parties are: that is
positions/services.py (scales, gaps, standing demands). This module turns its answers into
pixels, tints and sentences describing the pictures.
"""

from __future__ import annotations

from dataclasses import dataclass

from negotiations.models import Issue, Party, Round, Stance
from positions.models import Demand
from positions.services import Gap, StanceTrack, scale_of, stated_at

# Light tints from the low pole (cool) to the high pole (warm). Scales are neutral, so neither end
# is red or green; all are pale enough for body text to keep a contrast above 12:1.
SCALE_TINTS = ["#dcebf7", "#e8f1f1", "#f4f2e6", "#f9e9d8", "#f8dccd"]


@dataclass(frozen=True)
class ScalePosition:
    step: int
    steps: int
    fraction: float | None  # None on a one-rung scale: no mark is drawn (docs/positions.md)
    tint: str

    @property
    def percent(self) -> int | None:
        return round(self.fraction * 100) if self.fraction is not None else None


def scale_position(issue: Issue, stance: Stance | None) -> ScalePosition | None:
    """Return where `stance` sits on its issue's scale. Needs the issue's stances prefetched."""
    if stance is None:
        return None
    scale = scale_of(issue)
    if stance.value not in scale.values:
        return None
    fraction = scale.place(stance.value)
    last = len(SCALE_TINTS) - 1
    # A one-rung scale has no ends to tint toward; it takes the middle, neutral tint.
    tint = SCALE_TINTS[round(fraction * last) if fraction is not None else last // 2]
    return ScalePosition(
        step=scale.values.index(stance.value) + 1,
        steps=len(scale.values),
        fraction=fraction,
        tint=tint,
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
    scale = scale_of(issue)
    low = scale.low or 0
    rung, top, left, right = 46, 34, 16, width - 16
    plot_bottom = top + (scale.width or 1) * rung
    label_room = 150
    height = plot_bottom + label_room

    def y_of(value: int) -> float:
        return plot_bottom - (value - low) * rung if scale.width else (top + plot_bottom) / 2

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
            if stated_at(demand, round):
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
        stated = [(r, d) for r, d in track.points if stated_at(d, r)]
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
    scale = scale_of(issue).width
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
