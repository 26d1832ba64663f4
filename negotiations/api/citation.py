"""How to cite a negotiation's data: its title, the version it is at, and where it lives."""

from __future__ import annotations

import datetime

from django.db.models import Max

from negotiations.models import Issue, Negotiation, Participant, Round, Stance
from positions.models import Concession, Demand

PUBLISHER = "Parley"


def latest_change(*, negotiation: Negotiation) -> datetime.datetime | None:
    """Return when this negotiation's data last changed, deletions included.

    The history tables record every save and delete made through Django; the records'
    `updated_at` covers rows written without history (bulk loads). One query per table.
    """
    stamps = [negotiation.updated_at]
    current = {
        Round: {"negotiation": negotiation},
        Issue: {"negotiation": negotiation},
        Demand: {"round__negotiation": negotiation},
        Concession: {"round__negotiation": negotiation},
    }
    for model, lookup in current.items():
        stamps.append(model.objects.filter(**lookup).aggregate(at=Max("updated_at"))["at"])
    historical = {
        Negotiation: {"id": negotiation.pk},
        Participant: {"negotiation_id": negotiation.pk},
        Round: {"negotiation_id": negotiation.pk},
        Issue: {"negotiation_id": negotiation.pk},
        Stance: {"issue__negotiation_id": negotiation.pk},
        Demand: {"round__negotiation_id": negotiation.pk},
        Concession: {"round__negotiation_id": negotiation.pk},
    }
    for model, lookup in historical.items():
        records = model.history.filter(**lookup)
        stamps.append(records.aggregate(at=Max("history_date"))["at"])
    return max((stamp for stamp in stamps if stamp is not None), default=None)


def citation(
    *, negotiation: Negotiation, version: datetime.datetime | None, address: str
) -> dict[str, str]:
    """Return a suggested citation and a BibTeX entry for the negotiation's data."""
    day = version.date() if version else None
    year = day.year if day else ""
    version_text = f", version of {day.isoformat()}" if day else ""
    text = f"{PUBLISHER} ({year}). {negotiation.title} [data set]{version_text}. {address}"
    key = f"parley-{negotiation.slug}-{day.isoformat() if day else 'undated'}"
    bibtex = (
        f"@misc{{{key},\n"
        f"  title = {{{negotiation.title}}},\n"
        f"  author = {{{{{PUBLISHER}}}}},\n"
        f"  year = {{{year}}},\n"
        f"  note = {{Data set{version_text}}},\n"
        f"  howpublished = {{\\url{{{address}}}}}\n"
        "}"
    )
    return {"citation": text, "bibtex": bibtex}
