"""Release pages: a negotiation's releases, each one's changelog, and a diff between two.

What a release holds, and how it is read, is in negotiations/releases.py and docs/releases.md;
these views only show it.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from negotiations.models import Negotiation, Release
from negotiations.releases import changelog, previous_release, releases_diff


def _negotiation(slug: str) -> Negotiation:
    negotiation = Negotiation.objects.filter(slug=slug).first()
    if negotiation is None:
        raise Http404(f"No negotiation “{slug}”.")
    return negotiation


def _releases(negotiation) -> list[Release]:
    return list(
        Release.objects.filter(negotiation=negotiation)
        .select_related("negotiation")
        .defer("snapshot")
        .latest_first()
    )


def _release_or_404(request, negotiation, tag):
    release = next((r for r in _releases(negotiation) if r.tag == tag), None)
    if release is None:
        releases = _releases(negotiation)
        tags = ", ".join(r.tag for r in releases)
        message = f"No release “{tag}” of {negotiation.title}" + (
            f"; its releases are {tags}." if tags else "; it has no releases yet."
        )
        return None, render(
            request,
            "positions/releases/unavailable.html",
            {"message": message, "negotiation": negotiation, "releases": releases},
            status=404,
        )
    return release, None


def addresses(release: Release) -> dict[str, str]:
    """Where to read the release: its pages, its panel CSV and its data package."""
    slug, tag = release.negotiation.slug, release.tag
    return {
        "overview": f"{reverse('negotiation-detail', args=[slug])}?release={tag}",
        "panel_csv": f"{reverse('api:negotiation-panel', args=[slug])}?format=csv&release={tag}",
        "api": reverse("api:negotiation-release-detail", args=[slug, tag]),
        "datapackage": f"{reverse('api:negotiation-detail', args=[slug])}datapackage/"
        f"?release={tag}",
    }


@require_safe
def release_list(request, negotiation):
    negotiation = _negotiation(negotiation)
    releases = [(release, addresses(release)) for release in _releases(negotiation)]
    return render(
        request,
        "positions/releases/list.html",
        {"negotiation": negotiation, "releases": releases},
    )


@require_safe
def release_detail(request, negotiation, tag):
    negotiation = _negotiation(negotiation)
    release, missing = _release_or_404(request, negotiation, tag)
    if missing:
        return missing
    others = [other for other in _releases(negotiation) if other.pk != release.pk]
    return render(
        request,
        "positions/releases/detail.html",
        {
            "negotiation": negotiation,
            "release": release,
            "previous": previous_release(release),
            "others": others,
            "links": addresses(release),
            "changes": changelog(release),
        },
    )


@require_safe
def release_diff(request, negotiation, tag, other):
    negotiation = _negotiation(negotiation)
    before, missing = _release_or_404(request, negotiation, tag)
    if missing:
        return missing
    after, missing = _release_or_404(request, negotiation, other)
    if missing:
        return missing
    return render(
        request,
        "positions/releases/diff.html",
        {
            "negotiation": negotiation,
            "before": before,
            "after": after,
            "changes": releases_diff(before, after),
            "csv_url": reverse("api:negotiation-release-diff", args=[negotiation.slug, tag, other])
            + "?format=csv",
        },
    )
