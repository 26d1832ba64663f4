"""The tidy panel: one row per issue × party × round with the stance standing at that round."""

from __future__ import annotations

from negotiations.models import Negotiation, Participant
from positions.models import Concession, Demand
from positions.services import Ledger, scale_of, stated_at


def panel_rows(*, negotiation: Negotiation) -> list[dict]:
    """Return the panel rows, ordered by issue, party (column order) and round.

    Every participant is a row, mediators and observers too (`party_role` tells them apart),
    so nothing the data holds is left out. The standing demand comes from the position
    service's ledger (a demand stands until restated), its stance from `Demand.placed_stance`
    (a retraction leaves none) and its place on the scale from `scale_of`, as for the gaps.
    """
    # Only what the rows show is loaded: no texts, no sources, no concessions.
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
    )
    participants = list(Participant.objects.filter(negotiation=negotiation).select_related("party"))
    round_slugs = {round.pk: round.slug for round in ledger.rounds}
    rows = []
    for issue in ledger.issues:
        scale = scale_of(issue)
        for participant in participants:
            party = participant.party
            for index, round in enumerate(ledger.rounds):
                demand = ledger.standing(party, issue, round)
                stance = demand.placed_stance if demand is not None else None
                rows.append(
                    {
                        "negotiation": negotiation.slug,
                        "issue_slug": issue.slug,
                        "issue_title": issue.title,
                        "issue_category": issue.category,
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
