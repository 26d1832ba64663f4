"""How to cite a negotiation's data: one citation record, written as text, BibTeX and CSL-JSON.

Without a release the data is a moving head: its version is positions.freshness.last_change, the
moment the reader pages give as "Data as of", so a citation copied from a page and one fetched
from the API name the same version, and the citation says it moves and names the latest release
to pin instead. With a release (issue 11: an object with `tag`, `date`, `note`, `negotiation`),
the citation gives the release's tag, its address (`?release=TAG`) and its date. The caller
passes `release_being_read()` and `latest_release(negotiation)` (negotiations/releases.py);
nothing here needs the Release model. docs/api.md, "Citing".
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit, urlunsplit

from negotiations.models import Negotiation

PUBLISHER = "Parley"


class ReleaseLike(Protocol):
    tag: str
    date: datetime.date
    note: str
    negotiation: Negotiation


@dataclass(frozen=True)
class CitationRecord:
    """What every format of the citation says, once."""

    key: str
    title: str
    publisher: str
    version: str  # the release's tag, or the head's time of latest change
    issued: datetime.date | None
    url: str
    accessed: datetime.date
    note: str


def release_address(address: str, tag: str) -> str:
    """The address of the data as released: the address with `?release=TAG`."""
    return pinned_address(address, release=tag)


def pinned_address(address: str, **pin) -> str:
    """The address with `?release=TAG` or `?known_on=DAY` (docs/releases.md)."""
    parts = urlsplit(address)
    query = "&".join(q for q in (parts.query, urlencode(pin)) if q)
    return urlunsplit(parts._replace(query=query))


def release_status(
    *,
    version: datetime.datetime | None,
    address: str,
    release: ReleaseLike | None = None,
    latest_release: ReleaseLike | None = None,
    known_on: datetime.date | None = None,
) -> dict[str, Any]:
    """Say which data is cited: a release (tag, address, date), a past day, or the moving head.

    The head is named with the time of its latest change and the latest release, if there is
    one, so that a reader who wants a citation that will not move knows what to pin.
    """
    if release is not None:
        return {
            "moving_head": False,
            "release": release.tag,
            "release_date": release.date,
            "release_url": release_address(address, release.tag),
            "latest_release": latest_release.tag if latest_release else release.tag,
            "statement": (
                f"Release {release.tag} of {release.date.isoformat()}: it never changes."
            ),
        }
    if known_on is not None:
        return {
            "moving_head": False,
            "release": None,
            "release_date": None,
            "release_url": None,
            "latest_release": latest_release.tag if latest_release else None,
            "statement": (
                f"The data as Parley had recorded it at the end of {known_on.isoformat()}, "
                "rebuilt from the records' history: "
                f"{pinned_address(address, known_on=known_on.isoformat())}"
            ),
        }
    when = version.isoformat() if version else "no recorded change"
    statement = (
        f"The data as of its latest change ({when}) is a moving head: it changes as "
        "analysts enter and correct records."
    )
    if latest_release is not None:
        statement += (
            f" The latest release is {latest_release.tag} of "
            f"{latest_release.date.isoformat()}; cite it for data that will not change: "
            f"{release_address(address, latest_release.tag)}"
        )
    else:
        statement += " No release has been cut yet."
    return {
        "moving_head": True,
        "release": None,
        "release_date": None,
        "release_url": None,
        "latest_release": latest_release.tag if latest_release else None,
        "statement": statement,
    }


def citation_record(
    *,
    negotiation: Negotiation,
    version: datetime.datetime | None,
    address: str,
    accessed: datetime.date,
    release: ReleaseLike | None = None,
    latest_release: ReleaseLike | None = None,
    known_on: datetime.date | None = None,
) -> CitationRecord:
    if release is not None:
        return CitationRecord(
            key=f"parley-{negotiation.slug}-{release.tag}",
            title=negotiation.title,
            publisher=PUBLISHER,
            version=release.tag,
            issued=release.date,
            url=release_address(address, release.tag),
            accessed=accessed,
            note=f"Release {release.tag}",
        )
    if known_on is not None:
        return CitationRecord(
            key=f"parley-{negotiation.slug}-known-on-{known_on.isoformat()}",
            title=negotiation.title,
            publisher=PUBLISHER,
            version=f"known on {known_on.isoformat()}",
            issued=known_on,
            url=pinned_address(address, known_on=known_on.isoformat()),
            accessed=accessed,
            note=f"As recorded on {known_on.isoformat()}",
        )
    day = version.date() if version else None
    head = f"version of {day.isoformat()}" if day else "undated version"
    return CitationRecord(
        key=f"parley-{negotiation.slug}-{day.isoformat() if day else 'undated'}",
        title=negotiation.title,
        publisher=PUBLISHER,
        version=version.isoformat() if version else "",
        issued=day,
        url=address,
        accessed=accessed,
        note=f"{head.capitalize()} (moving head"
        + (f"; latest release {latest_release.tag})" if latest_release else ")"),
    )


def as_text(record: CitationRecord) -> str:
    year = record.issued.year if record.issued else "n.d."
    return (
        f"{record.publisher} ({year}). {record.title} [data set]. {record.note}. {record.url}. "
        f"Accessed {record.accessed.isoformat()}."
    )


BIBTEX_SPECIAL = re.compile(r"([&%$#_{}])")


def bibtex_escape(text: str) -> str:
    """Escape what BibTeX reads as markup; leave Unicode to the reader (biber, BibTeX 8-bit)."""
    text = text.replace("\\", r"\textbackslash{}")
    text = BIBTEX_SPECIAL.sub(r"\\\1", text)
    return text.replace("~", r"\textasciitilde{}").replace("^", r"\textasciicircum{}")


def as_bibtex(record: CitationRecord) -> str:
    fields = [
        ("title", bibtex_escape(record.title)),
        ("author", f"{{{record.publisher}}}"),
        ("publisher", record.publisher),
        ("year", str(record.issued.year) if record.issued else ""),
        ("date", record.issued.isoformat() if record.issued else ""),
        ("version", bibtex_escape(record.version)),
        ("note", bibtex_escape(record.note)),
        ("url", record.url),
        ("urldate", record.accessed.isoformat()),
        ("howpublished", f"\\url{{{record.url}}}"),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@misc{{{record.key},\n{body}\n}}"


def date_parts(day: datetime.date) -> dict[str, list[list[int]]]:
    return {"date-parts": [[day.year, day.month, day.day]]}


def as_csl_json(record: CitationRecord) -> list[dict[str, Any]]:
    """One CSL-JSON item in a list, as Zotero, Mendeley and citeproc import it."""
    item: dict[str, Any] = {
        "id": record.key,
        "type": "dataset",
        "title": record.title,
        "author": [{"literal": record.publisher}],
        "publisher": record.publisher,
        "version": record.version,
        "URL": record.url,
        "accessed": date_parts(record.accessed),
        "note": record.note,
    }
    if record.issued:
        item["issued"] = date_parts(record.issued)
    return [item]


def citation(
    *,
    negotiation: Negotiation,
    version: datetime.datetime | None,
    address: str,
    accessed: datetime.date,
    release: ReleaseLike | None = None,
    latest_release: ReleaseLike | None = None,
    known_on: datetime.date | None = None,
) -> dict[str, Any]:
    """Return the citation in every format, with what it cites (a release, a past day or the
    moving head)."""
    cited = {"version": version, "address": address, "release": release}
    cited |= {"latest_release": latest_release, "known_on": known_on}
    record = citation_record(negotiation=negotiation, accessed=accessed, **cited)
    return {
        "citation": as_text(record),
        "bibtex": as_bibtex(record),
        "csl_json": as_csl_json(record),
        "accessed": accessed,
        **release_status(**cited),
    }
