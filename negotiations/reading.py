"""?release=TAG and ?known_on=DAY on every read of a negotiation (docs/releases.md).

The middleware checks the parameter, finds or builds the snapshot, and sets
`negotiations.releases.reading` while the view runs (and while a streamed CSV is written);
negotiations/routers.py sends the reads there. It takes the parameter out of request.GET, so
the views' strict parameter checks and file names need not know of it, and gives the answer its
own validators: a release never changes, so its answers are immutable.
Without either parameter, API answers about a negotiation say which release (if any) the live
data equals, in the Parley-Release header.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.http import http_date

from negotiations.models import Negotiation, Release
from negotiations.releases import (
    Reading,
    known_on_alias,
    parse_known_on,
    reading,
    recorded_by,
    release_alias,
    unregister,
)

PARAMETERS = ("release", "known_on")
# The API answers that say which release the live data equals (Parley-Release): the data a
# researcher downloads. Record lists and details do not, to stay within their query budget
# (docs/performance.md).
ANNOUNCED = {
    "negotiation-positions",
    "negotiation-changes",
    "negotiation-gaps",
    "negotiation-panel",
    "negotiation-datapackage",
}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
IMMUTABLE = "public, max-age=31536000, immutable"
PAST_DAY = "public, max-age=86400"
# Same-site links that a pinned page keeps pinned: the negotiation's pages and API addresses.
HREF = re.compile(r'href="(/[^"#]*)(#[^"]*)?"(?! data-live)')
FORM = re.compile(r'(<form\b[^>]*\baction="(/[^"]*)"[^>]*>)')


def is_api(request) -> bool:
    return request.path_info.startswith("/api/")


class ReadingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = [name for name in PARAMETERS if name in request.GET]
        match = resolved(request)
        slug = match.kwargs.get("negotiation") if match else None
        if not given:
            response = self.get_response(request)
            if match and match.url_name in ANNOUNCED and response.status_code == 200:
                announce_latest(request, response, slug)
            return response
        refusal = self.check(request, given, slug)
        if refusal is not None:
            return refusal
        if not hasattr(request, "parley_reading"):
            return self.get_response(request)
        return self.pinned(request, request.parley_reading)

    def check(self, request, given, slug):
        """Return a refusal, or None after setting request.parley_reading."""
        if len(given) > 1 or len(request.GET.getlist(given[0])) > 1:
            return refuse(request, given[0], "Give one of release or known_on, once.")
        name = given[0]
        value = request.GET[name].strip()
        if "/releases/" in request.path_info:
            return refuse(
                request,
                name,
                f"A release's own pages name it in their address; leave out ?{name}=.",
            )
        match = resolved(request)
        if match and match.url_name and match.url_name.endswith("-history"):
            return refuse(
                request,
                name,
                f"A record's history lists every saved version already; leave out ?{name}=.",
            )
        if slug is None:
            return refuse(
                request,
                name,
                f"{name} reads one negotiation's data: ask an address under that negotiation, "
                "e.g. /api/v1/negotiations/{slug}/panel/ or /{slug}/.",
            )
        negotiation = Negotiation.objects.filter(slug=slug).first()
        if negotiation is None:
            request.GET = without(request.GET, name)
            return None  # the view answers its own 404 for the unknown negotiation
        if request.method not in SAFE_METHODS:
            response = HttpResponseNotAllowed(
                sorted(SAFE_METHODS),
                content=f"A {name} is read-only: it never changes. Leave out ?{name}= to write "
                "to the live data.",
                content_type="text/plain; charset=utf-8",
            )
            return response
        if name == "release":
            release = (
                Release.objects.filter(negotiation=negotiation, tag=value)
                .select_related("negotiation")
                .first()
            )
            if release is None:
                return refuse(
                    request,
                    name,
                    f"No release “{value}” of {negotiation.slug}; " + releases_named(negotiation),
                    negotiation=negotiation,
                )
            try:
                alias = release_alias(release)
            except ValidationError as error:  # the stored copy fails its checksum
                return refuse(request, name, error.messages[0], negotiation=negotiation, status=500)
            request.parley_reading = Reading(alias, negotiation, release=release)
        else:
            try:
                day = parse_known_on(value)
            except ValidationError as error:
                return refuse(request, name, error.messages[0], negotiation=negotiation)
            if not recorded_by(negotiation, day):
                return refuse(
                    request,
                    name,
                    f"{negotiation.title} was not yet recorded on {day}; give a later day.",
                    negotiation=negotiation,
                    status=404,
                )
            alias = known_on_alias(negotiation, day)
            request.parley_reading = Reading(alias, negotiation, known_on=day)
        request.GET = without(request.GET, name)
        return None

    def pinned(self, request, current: Reading):
        token = reading.set(current)
        try:
            response = self.get_response(request)
        except BaseException:
            unregister(current.alias)
            raise
        finally:
            reading.reset(token)
        if response.streaming:
            response.streaming_content = kept_pinned(response.streaming_content, current)
        else:
            unregister(current.alias)
        if response.streaming:
            pass
        elif response.get("Content-Type", "").startswith("text/html"):
            response.content = keep_links_pinned(request, response.content.decode(), current)
        if 300 <= response.status_code < 400:
            keep_redirect_pinned(response, current)
        if current.release:
            response["Parley-Release"] = current.release.tag
        else:
            response["Parley-Known-On"] = current.known_on.isoformat()
        if response.status_code in (200, 304):
            response["Cache-Control"] = IMMUTABLE if frozen(request, current) else PAST_DAY
            response["Last-Modified"] = http_date(current.as_of.timestamp())
        disposition = response.get("Content-Disposition", "")
        if disposition.endswith('.csv"'):
            suffix = (
                f"-release-{current.release.tag}"
                if current.release
                else f"-known-on-{current.known_on}"
            )
            response["Content-Disposition"] = disposition[: -len('.csv"')] + suffix + '.csv"'
        return response


def frozen(request, current: Reading) -> bool:
    """Whether the answer never changes: a release's data, not a page around it (templates
    change between versions of Parley), nor a citation (its date of access) or a data package
    (its codebook is the current one)."""
    match = resolved(request)
    return (
        current.release is not None
        and is_api(request)
        and not (match and match.url_name in ("negotiation-cite", "negotiation-datapackage"))
    )


def resolved(request):
    """The request's URL match, resolved once: the middleware asks before the view runs."""
    if not hasattr(request, "parley_match"):
        try:
            request.parley_match = resolve(request.path_info)
        except Resolver404:
            request.parley_match = None
    return request.parley_match


def without(query, name):
    query = query.copy()
    query.pop(name, None)
    query._mutable = False
    return query


def kept_pinned(chunks, current: Reading):
    """Write a streamed answer (a CSV list) from the snapshot too: it runs after the view."""
    iterator = iter(chunks)
    try:
        while True:
            token = reading.set(current)
            try:
                chunk = next(iterator)
            except StopIteration:
                return
            finally:
                reading.reset(token)
            yield chunk
    finally:
        unregister(current.alias)


def keep_links_pinned(request, html: str, current: Reading) -> str:
    """Add the release (or day) to the page's links within the same negotiation."""
    slug = current.negotiation.slug
    prefixes = (f"/{slug}/", f"/api/v1/negotiations/{slug}/")
    name = "release" if current.release else "known_on"
    value = current.release.tag if current.release else current.known_on.isoformat()

    def pin(match):
        path, fragment = match.group(1), match.group(2) or ""
        if not path.startswith(prefixes) or f"{name}=" in path or "/releases/" in path:
            return match.group(0)
        joiner = "&amp;" if "?" in path else "?"
        return f'href="{path}{joiner}{name}={value}{fragment}"'

    def pin_form(match):
        if not match.group(2).startswith(prefixes):
            return match.group(0)
        return f'{match.group(1)}<input type="hidden" name="{name}" value="{value}">'

    return FORM.sub(pin_form, HREF.sub(pin, html))


def keep_redirect_pinned(response, current: Reading) -> None:
    """A redirect within the negotiation (the compare form's) keeps the release too."""
    location = response.get("Location", "")
    slug = current.negotiation.slug
    if location.startswith(f"/{slug}/") and "release=" not in location:
        name = "release" if current.release else "known_on"
        value = current.release.tag if current.release else current.known_on.isoformat()
        joiner = "&" if "?" in location else "?"
        response["Location"] = f"{location}{joiner}{name}={value}"


def releases_named(negotiation) -> str:
    tags = list(
        Release.objects.filter(negotiation=negotiation).latest_first().values_list("tag", flat=True)
    )
    return f"its releases are {', '.join(tags)}." if tags else "it has no releases yet."


def refuse(request, name: str, message: str, negotiation=None, status=400):
    """A 400 naming the parameter (API) or a 404 page naming the valid releases (pages)."""
    if is_api(request):
        return JsonResponse({name: [message]}, status=status)
    releases = (
        list(Release.objects.filter(negotiation=negotiation).defer("snapshot").latest_first())
        if negotiation
        else []
    )
    return render(
        request,
        "positions/releases/unavailable.html",
        {"message": message, "negotiation": negotiation, "releases": releases},
        status=404,
    )


def announce_latest(request, response, slug: str) -> None:
    """Say which release the live data equals: Parley-Release: TAG, or none (and the latest)."""
    from positions.freshness import last_change_of

    latest = (
        Release.objects.using("default")
        .filter(negotiation__slug=slug)
        .defer("snapshot")
        .latest_first()
        .first()
    )
    if latest is None:
        response["Parley-Release"] = "none"
        return
    changed = last_change_of(request, negotiation_slug=slug)
    if changed is not None and changed <= latest.cut_at:
        response["Parley-Release"] = latest.tag
    else:
        response["Parley-Release"] = "none"
        response["Parley-Latest-Release"] = latest.tag
