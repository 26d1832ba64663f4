"""The tidy panel: one row per issue × party × round with the stance standing at that round."""

from __future__ import annotations

from negotiations.models import Negotiation, Party
from positions.models import Concession, Demand
from positions.services import Frame, Ledger, scale_of, stated_at


def panel_rows(
    *,
    negotiation: Negotiation,
    frame: Frame | None = None,
    party: list[str] | None = None,
    issue: list[str] | None = None,
    round: list[str] | None = None,
) -> list[dict]:
    """Return the panel rows, ordered by issue, party (column order) and round.

    `party`, `issue` and `round` keep only the rows of those slugs; `round_index` still counts
    every round, so it stays the same time index whatever is filtered.

    Every participant is a row, mediators and observers too (`party_role` tells them apart),
    so nothing the data holds is left out. The standing demand comes from the position
    service's ledger (a demand stands until restated), its stance from `Demand.placed_stance`
    (a retraction leaves none) and its place on the scale from `scale_of`, as for the gaps.
    """
    # Only what the rows show is loaded: no texts, no sources, no concessions.
    frame = frame or Frame.load(negotiation)
    ledger = Ledger(
        negotiation,
        demands=Demand.objects.select_related("stance").only(
            "party_id",
            "issue_id",
            "round_id",
            "status",
            "priority",
            "stance__value",
            "stance__label",
        ),
        concessions=Concession.objects.none(),
        frame=frame,
    )
    participants = frame.participants
    round_slugs = {round.pk: round.slug for round in ledger.rounds}
    sides = side_slugs(ledger.issues, participants)
    wanted_parties = [p for p in participants if not party or p.party.slug in party]
    wanted_rounds = [
        (index, r) for index, r in enumerate(ledger.rounds) if not round or r.slug in round
    ]
    wanted_issues = [i for i in ledger.issues if not issue or i.slug in issue]
    rows = []
    for issue in wanted_issues:
        scale = scale_of(issue)
        for participant in wanted_parties:
            party = participant.party
            for index, round in wanted_rounds:
                demand = ledger.standing(party, issue, round)
                stance = demand.placed_stance if demand is not None else None
                rows.append(
                    {
                        "negotiation": negotiation.slug,
                        "issue_slug": issue.slug,
                        "issue_title": issue.title,
                        "issue_category": issue.category,
                        "issue_high_pole_side": sides.get(issue.high_pole_side_id),
                        "party_slug": party.slug,
                        "party_short_name": party.short_name,
                        "party_role": participant.role,
                        "round_slug": round.slug,
                        "round_title": round.title,
                        "round_index": index,
                        "round_date": round.start_date,
                        "round_date_precision": round.date_precision,
                        "round_date_part": round.date_part,
                        "stance_value": stance.value if stance else None,
                        "stance_label": stance.label if stance else None,
                        "stance_scaled": scale.place(stance.value) if stance else None,
                        "scale_min": scale.low,
                        "scale_max": scale.high,
                        "demand_id": demand.pk if demand else None,
                        "demand_status": demand.status if demand else None,
                        "demand_priority": demand.priority if demand else None,
                        "stated_round_slug": round_slugs[demand.round_id] if demand else None,
                        "stated_here": stated_at(demand, round),
                    }
                )
    return rows


def side_slugs(issues, participants) -> dict[int, str]:
    """Slugs of the issues' high-pole sides, without a query when they take part (they should)."""
    slugs = {participant.party_id: participant.party.slug for participant in participants}
    missing = {issue.high_pole_side_id for issue in issues} - set(slugs) - {None}
    if missing:
        slugs.update(Party.objects.filter(pk__in=missing).values_list("pk", "slug"))
    return slugs
