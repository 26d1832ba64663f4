"""What every reader page offers at its foot: permalink, CSV export, feeds and a citation."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

# The API's CSV export matching each kind of page: (URL name, query parameters every export
# carries, query parameters carried only when the page passes them, e.g. a comparison's "moved
# only"). Paths come from the API's URL conf through reverse(); anything else the page passes
# goes into the path.
CSV_EXPORTS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "negotiations": ("api:negotiation-list", (), ()),
    "panel": ("api:negotiation-panel", (), ()),
    "changes": ("api:negotiation-changes", ("from", "to"), ("moved_only",)),
    "issue": ("api:demand-list", ("negotiation", "issue"), ()),
    "party": ("api:demand-list", ("party",), ()),
    "round": ("api:demand-list", ("negotiation", "round"), ()),
    "source": ("api:source-detail", (), ()),
    # A record's history page and the API's history of the same record (docs/pages.md).
    **{
        f"{kind}-history": (f"api:{kind}-history", (), ())
        for kind in ("negotiation", "round", "issue", "source", "demand", "concession")
    },
}


def csv_export_url(kind: str, **params: str | bool) -> str:
    """Return the address of the API's CSV export matching a page, e.g. ("issue", negotiation=…).

    An optional parameter is left out when absent or False; True is spelled "true", as the
    API's boolean filters expect (`moved_only=true`).
    """
    name, required, optional = CSV_EXPORTS[kind]
    in_path = {k: v for k, v in params.items() if k not in required and k not in optional}
    path = _reverse(name, in_path)
    if path is None:
        # Name the parameters without which the address resolves: those the API does not take.
        extra = [k for k in in_path if _reverse(name, _without(in_path, k)) is not None]
        raise ValueError(f"The {kind} export takes no {', '.join(sorted(extra or in_path))}.")
    query = [(k, params[k]) for k in required]
    query += [(k, params[k]) for k in optional if params.get(k) not in (None, False)]
    query = [(k, "true" if value is True else value) for k, value in query]
    return f"{path}?{urlencode([*query, ('format', 'csv')])}"


def _reverse(name: str, kwargs: dict) -> str | None:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def _without(params: dict, key: str) -> dict:
    return {k: v for k, v in params.items() if k != key}


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
    # The negotiation's citation as files for reference managers (docs/api.md, "Citing").
    cite_formats: list[FeedLink] = field(default_factory=list)


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
        title=title,
        permalink=permalink,
        csv_url=csv_url,
        feeds=feeds or [],
        citation=citation,
        cite_formats=cite_formats(request),
    )


def cite_formats(request) -> list[FeedLink]:
    """BibTeX and CSL-JSON of the data of the negotiation a page belongs to (none elsewhere)."""
    match = getattr(request, "resolver_match", None)
    slug = match.kwargs.get("negotiation") if match else None
    if not slug:
        return []
    cite = reverse("api:negotiation-cite", kwargs={"negotiation": slug})
    return [
        FeedLink(title="BibTeX", url=f"{cite}?format=bibtex"),
        FeedLink(title="CSL-JSON", url=f"{cite}?format=csl-json"),
    ]


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


def record_page_url(record) -> str:
    """Where readers see a record: its own page, or a statement's row on its round's page."""
    if hasattr(record, "round"):  # a demand or a concession
        return f"{record.round.get_absolute_url()}#{record._meta.model_name}-{record.pk}"
    return record.get_absolute_url()
