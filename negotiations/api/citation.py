"""How to cite a negotiation's data: its title, the version it is at, and where it lives.

The version is positions.freshness.last_change, the moment the reader pages give as "Data as
of", so a citation copied from a page and one fetched from the API name the same version.
"""

from __future__ import annotations

import datetime

from negotiations.models import Negotiation

PUBLISHER = "Parley"


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
