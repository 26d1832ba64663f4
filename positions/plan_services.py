"""Reading plans: a plan with its points, and two plans side by side, point by point.

The pages and the API both build on these functions, so what a comparison shows is decided once.
docs/plans.md explains the crosswalk kinds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from negotiations.models import Negotiation, Source
from positions.plan_models import Plan, PlanPoint, PointLink

# What a reader is told each kind means (badge titles, the legend, the API's schema).
KIND_NOTES = {
    PointLink.Kind.KEPT: "the later plan keeps the point in substance and wording",
    PointLink.Kind.REWORDED: "new wording, same substance",
    PointLink.Kind.SOFTENED: "the later point asks less of the side it burdens",
    PointLink.Kind.HARDENED: "the later point asks more of the side it burdens",
    PointLink.Kind.MERGED: "several earlier points became one",
    PointLink.Kind.SPLIT: "one earlier point became several",
    PointLink.Kind.DROPPED: "the later plan no longer has the point",
    PointLink.Kind.NEW: "the point first appears in the later plan",
}
UNCODED = "uncoded"
UNCODED_NOTE = "no crosswalk entry records what became of this point"


def plans_for_display(negotiation: Negotiation) -> QuerySet[Plan]:
    return (
        negotiation.plans.select_related("tabled_by", "round", "previous")
        .prefetch_related(Prefetch("sources", queryset=Source.objects.order_by("pk")))
        .order_by("date", "slug")
    )


def points_for_display(plan: Plan) -> QuerySet[PlanPoint]:
    return (
        plan.points.select_related("issue", "stance")
        .prefetch_related(Prefetch("sources", queryset=Source.objects.order_by("pk")))
        .order_by("sort_key")
    )


def comparable(earlier: Plan, later: Plan) -> bool:
    """Two plans compare point by point when the later one descends from the earlier one."""
    return earlier.pk in {plan.pk for plan in later.ancestors()}


def comparable_pairs(plans: list[Plan]) -> list[tuple[Plan, Plan]]:
    """Every (ancestor, descendant) pair among `plans` (chains are short; no query)."""
    by_id = {plan.pk: plan for plan in plans}
    pairs = []
    for later in plans:
        ancestor = by_id.get(later.previous_id)
        seen = {later.pk}
        while ancestor is not None and ancestor.pk not in seen:
            pairs.append((ancestor, later))
            seen.add(ancestor.pk)
            ancestor = by_id.get(ancestor.previous_id)
    return sorted(pairs, key=lambda pair: (pair[1].date, pair[1].slug, pair[0].date))


@dataclass
class ComparisonRow:
    """One line of a comparison: earlier point(s), later point(s) and what became of them."""

    kind: str
    earlier: list[PlanPoint] = field(default_factory=list)
    later: list[PlanPoint] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return "not coded" if self.kind == UNCODED else PointLink.Kind(self.kind).label

    @property
    def kind_note(self) -> str:
        return UNCODED_NOTE if self.kind == UNCODED else KIND_NOTES[PointLink.Kind(self.kind)]

    @property
    def points(self) -> list[PlanPoint]:
        return [*self.earlier, *self.later]

    @property
    def issues(self) -> list:
        """The issues the row's points are placed on, earlier side first, each once."""
        found = []
        for point in self.points:
            if point.issue_id and point.issue not in found:
                found.append(point.issue)
        return found

    @property
    def sources(self) -> list[Source]:
        """Both sides' sources, each once: what every fact in the row rests on."""
        found = []
        for point in self.points:
            found += [s for s in point.sources.all() if s not in found]
        return found

    @property
    def note(self) -> str:
        return " ".join(self.notes)

    @property
    def single_pair(self) -> bool:
        """One point on each side: the wording can be diffed word by word."""
        return len(self.earlier) == 1 and len(self.later) == 1


def compare_plans(earlier: Plan, later: Plan) -> list[ComparisonRow]:
    """Return the two plans' points row by row, in the earlier plan's order.

    Links of kind merged are grouped by their later point and splits by their earlier point,
    so each group is one row; a point no link mentions is shown as "not coded" rather than
    left out, so a reader sees the whole of both plans. Three queries whatever the sizes.
    """
    earlier_points = {p.pk: p for p in points_for_display(earlier)}
    later_points = {p.pk: p for p in points_for_display(later)}
    links = list(
        PointLink.objects.filter(from_plan=earlier, to_plan=later)
        .order_by("id")
        .values("from_point_id", "to_point_id", "kind", "note")
    )
    rows: dict[tuple, ComparisonRow] = {}
    for link in links:
        kind = link["kind"]
        if kind == PointLink.Kind.MERGED:
            key = ("merged", link["to_point_id"])
        elif kind == PointLink.Kind.SPLIT:
            key = ("split", link["from_point_id"])
        else:
            key = (kind, link["from_point_id"], link["to_point_id"])
        row = rows.setdefault(key, ComparisonRow(kind=kind))
        for side, point_id, points in (
            (row.earlier, link["from_point_id"], earlier_points),
            (row.later, link["to_point_id"], later_points),
        ):
            if point_id and points[point_id] not in side:
                side.append(points[point_id])
        if link["note"]:
            row.notes.append(link["note"])
    linked_earlier = {p.pk for row in rows.values() for p in row.earlier}
    linked_later = {p.pk for row in rows.values() for p in row.later}
    result = list(rows.values())
    result += [
        ComparisonRow(kind=UNCODED, earlier=[p])
        for pk, p in earlier_points.items()
        if pk not in linked_earlier
    ]
    result += [
        ComparisonRow(kind=UNCODED, later=[p])
        for pk, p in later_points.items()
        if pk not in linked_later
    ]
    for row in result:
        row.earlier.sort(key=lambda p: p.sort_key)
        row.later.sort(key=lambda p: p.sort_key)
    return _in_reading_order(result)


def _in_reading_order(rows: list[ComparisonRow]) -> list[ComparisonRow]:
    """Order rows by the earlier plan; a row with only later points follows the row before it
    in the later plan's order, so new points appear where the later plan puts them."""
    anchored = sorted((r for r in rows if r.earlier), key=lambda r: r.earlier[0].sort_key)
    loose = sorted((r for r in rows if not r.earlier), key=lambda r: r.later[0].sort_key)
    ordered = list(anchored)
    for row in loose:
        position = 0
        for index, other in enumerate(ordered):
            if other.later and other.later[0].sort_key < row.later[0].sort_key:
                position = index + 1
        # Earlier points dropped just there come first: what went, then what came.
        while position < len(ordered) and not ordered[position].later:
            position += 1
        ordered.insert(position, row)
    return ordered


def comparison_counts(rows: list[ComparisonRow]) -> list[tuple[str, str, int]]:
    """Return (kind, label, number of rows) for the kinds present, in the kinds' order."""
    order = [*PointLink.Kind.values, UNCODED]
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.kind] = counts.get(row.kind, 0) + 1
    return [
        (kind, "not coded" if kind == UNCODED else PointLink.Kind(kind).label, counts[kind])
        for kind in order
        if kind in counts
    ]
