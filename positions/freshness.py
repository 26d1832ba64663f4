"""When the data behind a page last changed: the validator for conditional GET.

A page's ETag and Last-Modified come from the latest change to anything it can show: the live
rows' `updated_at` (which also covers rows loaded in bulk, without history) and the historical
tables' `history_date` (which also covers deletions: simple_history records them). One UNION ALL
query answers it, so a repeat visit costs one cheap query and a 304.

Parties and sources are shared between negotiations, so any change to them counts for every
page. A change is seen when it saves a row (which writes a history row and moves `updated_at`,
on the models that have one; stances and participants do not) or deletes one. The admin saves
the row it edits. The loader (negotiations/loader.py) saves each record it creates or changes,
including one whose only change is its links (its sources, or a round's parties): the row is
saved and its links set within the load's one transaction. A record that already matches the
file is not saved, and the loader deletes nothing. Not seen: QuerySet.update() and M2M
add()/set() calls on their own, which neither save a row nor leave history.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.db.models import Max, QuerySet, Value
from django.utils.cache import patch_cache_control
from django.views.decorators.http import condition

from negotiations.models import (
    Correction,
    Issue,
    Negotiation,
    Participant,
    Party,
    Round,
    Source,
    Stance,
)
from negotiations.releases import reading
from positions.models import Concession, Demand, Plan


def _latest(queryset: QuerySet, field: str) -> QuerySet:
    # A constant "group" makes one aggregate row (NULL when empty) that UNION ALL can stack.
    return (
        queryset.order_by()
        .annotate(_one=Value(1))
        .values("_one")
        .annotate(changed=Max(field))
        .values("changed")
    )


def _history(model) -> QuerySet:
    return model.history.model.objects.all()


def last_change(*, negotiation_slug: str | None = None) -> datetime.datetime | None:
    """Return when anything a page can show last changed, for one negotiation or the whole site.

    None when nothing is recorded (an empty site or an unknown negotiation). A request reading
    a release or a past day (docs/releases.md) gets that snapshot's moment: it never changes.
    """
    pinned = reading.get()
    if pinned is not None:
        return pinned.as_of
    shared = [
        _latest(Party.objects.all(), "updated_at"),
        _latest(Source.objects.all(), "updated_at"),
        _latest(_history(Party), "history_date"),
        _latest(_history(Source), "history_date"),
        # Corrections are not saved versions; a source's belongs to no negotiation.
        _latest(Correction.objects.filter(negotiation__isnull=True), "made_at"),
    ]
    if negotiation_slug is None:
        parts = (
            [
                _latest(model.objects.all(), "updated_at")
                for model in (Negotiation, Round, Issue, Demand, Concession)
            ]
            + [
                _latest(_history(model), "history_date")
                for model in (
                    Negotiation,
                    Participant,
                    Round,
                    Issue,
                    Stance,
                    Demand,
                    Concession,
                    Plan,
                )
            ]
            + [_latest(Correction.objects.all(), "made_at")]
        )
    else:
        # Ids from the historical tables, so deleted rounds and issues still count.
        ids = _history(Negotiation).filter(slug=negotiation_slug).values("id")
        round_ids = _history(Round).filter(negotiation_id__in=ids).values("id")
        issue_ids = _history(Issue).filter(negotiation_id__in=ids).values("id")
        parts = [
            _latest(Negotiation.objects.filter(slug=negotiation_slug), "updated_at"),
            _latest(Round.objects.filter(negotiation__slug=negotiation_slug), "updated_at"),
            _latest(Issue.objects.filter(negotiation__slug=negotiation_slug), "updated_at"),
            _latest(Demand.objects.filter(round__negotiation__slug=negotiation_slug), "updated_at"),
            _latest(
                Concession.objects.filter(round__negotiation__slug=negotiation_slug), "updated_at"
            ),
            _latest(_history(Negotiation).filter(id__in=ids), "history_date"),
            _latest(_history(Participant).filter(negotiation_id__in=ids), "history_date"),
            _latest(_history(Round).filter(id__in=round_ids), "history_date"),
            _latest(_history(Issue).filter(id__in=issue_ids), "history_date"),
            _latest(_history(Stance).filter(issue_id__in=issue_ids), "history_date"),
            _latest(_history(Demand).filter(round_id__in=round_ids), "history_date"),
            _latest(_history(Concession).filter(round_id__in=round_ids), "history_date"),
            # The overview lists the plans (docs/plans.md).
            _latest(_history(Plan).filter(negotiation_id__in=ids), "history_date"),
            _latest(Correction.objects.filter(negotiation_id__in=ids), "made_at"),
        ]
    first, *rest = parts + shared
    changes = [row["changed"] for row in first.union(*rest, all=True) if row["changed"]]
    return max(changes) if changes else None


def last_change_of(request, *, negotiation_slug: str | None = None) -> datetime.datetime | None:
    """Return last_change, asked once per request: the validators, the "cite" snippet, the
    Parley-Release header and the cached frame (positions.services.Frame.cached) share it.

    `request` is Django's request or DRF's (which keeps Django's as `_request`).
    """
    request = getattr(request, "_request", request)
    if not hasattr(request, "parley_last_change"):
        request.parley_last_change = last_change(negotiation_slug=negotiation_slug)
    return request.parley_last_change


@functools.cache
def release_digest() -> str:
    """Return a digest of the page templates and styles, so a new release is never a 304."""
    digest = hashlib.sha256()
    roots = [Path(settings.BASE_DIR) / "templates", Path(__file__).parent]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in {".html", ".py", ".css", ".js"}:
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def conditional_page(*, scope: str):
    """Decorate a page so that a repeat visit gets a 304 until the data behind it changes.

    scope "negotiation" keys on the `negotiation` URL argument; "site" on everything.
    The last change is looked up once per request and kept on it for the "cite" snippet;
    pages must not vary by user, since shared caches may keep them.
    """

    def changed(request, **kwargs) -> datetime.datetime | None:
        slug = kwargs.get("negotiation") if scope == "negotiation" else None
        return last_change_of(request, negotiation_slug=slug)

    def etag(request, **kwargs) -> str | None:
        when = changed(request, **kwargs)
        if when is None:
            return None
        key = f"{release_digest()}|{request.get_full_path()}|{when.isoformat()}"
        return hashlib.sha256(key.encode()).hexdigest()[:32]

    def last_modified(request, **kwargs) -> datetime.datetime | None:
        return changed(request, **kwargs)

    def decorator(view):
        conditional = condition(etag_func=etag, last_modified_func=last_modified)(view)

        @functools.wraps(view)
        def page(request, *args, **kwargs):
            response = conditional(request, *args, **kwargs)
            if response.status_code not in (200, 304):
                # Validators belong to pages; a 404 or a redirect is worked out afresh each time.
                for header in ("ETag", "Last-Modified"):
                    if header in response.headers:
                        del response.headers[header]
            # no-cache: caches may keep a page but must ask again each time, so readers never
            # see a stale position and a repeat visit costs one query and a 304.
            patch_cache_control(response, public=True, no_cache=True)
            return response

        return page

    return decorator
