"""A negotiation's releases, each one's changelog, and the diff between two (docs/releases.md).

JSON, or CSV with ?format=csv: the list of releases, or one row per added or removed record and
per changed field. The domain logic is in negotiations/releases.py; these views only answer.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from negotiations.api.filters import reject_unknown_parameters
from negotiations.api.formats import StrictContentNegotiation
from negotiations.api.renderers import Column
from negotiations.models import Negotiation, Release
from negotiations.releases import changelog, diff_rows, previous_release, releases_diff

RELEASE_COLUMNS = [
    "tag",
    "date",
    "note",
    "cut_at",
    "cut_by",
    "checksum",
    "previous",
    "url",
    "html_url",
    "panel_csv_url",
    "datapackage_url",
]
CHANGE_COLUMNS = ["change", "kind", "id", "record", "field", "before", "after", "sources"]
NOT_FOUND = OpenApiResponse(description="No such negotiation or release.")
BAD = OpenApiResponse(description="A parameter these endpoints do not take.")


def find_release(negotiation: Negotiation, tag: str) -> Release:
    release = (
        Release.objects.filter(negotiation=negotiation, tag=tag).select_related("negotiation")
    ).first()
    if release is None:
        tags = ", ".join(
            Release.objects.filter(negotiation=negotiation)
            .latest_first()
            .values_list("tag", flat=True)
        )
        raise NotFound(
            f"No release “{tag}” of {negotiation.slug}; "
            + (f"its releases are {tags}." if tags else "it has no releases yet.")
        )
    return release


def describe(request, release: Release) -> dict:
    """A release as the API lists it, with the addresses to read and cite it by."""
    slug, tag = release.negotiation.slug, release.tag
    previous = previous_release(release)

    def absolute(path: str) -> str:
        return request.build_absolute_uri(path)

    return {
        "tag": tag,
        "date": release.date.isoformat(),
        "note": release.note,
        "cut_at": release.cut_at.isoformat(),
        "cut_by": release.cut_by,
        "checksum": release.checksum,
        "counts": release.counts,
        "previous": previous.tag if previous else None,
        "url": absolute(reverse("api:negotiation-release-detail", args=[slug, tag])),
        "html_url": absolute(release.get_absolute_url()),
        "panel_csv_url": absolute(
            reverse("api:negotiation-panel", args=[slug]) + f"?format=csv&release={tag}"
        ),
        "datapackage_url": absolute(
            f"{reverse('api:negotiation-detail', args=[slug])}datapackage/?release={tag}"
        ),
    }


class ReleaseView(APIView):
    permission_classes = [AllowAny]
    content_negotiation_class = StrictContentNegotiation
    csv_names = CHANGE_COLUMNS

    def csv_columns(self):
        return [Column(name, (name,)) for name in self.csv_names]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        reject_unknown_parameters(request, set())
        slug = kwargs["negotiation"]
        self.negotiation = Negotiation.objects.filter(slug=slug).first()
        if self.negotiation is None:
            raise NotFound(f"No negotiation “{slug}”.")

    def answer(self, data: dict, rows: list[dict], filename: str) -> Response:
        if self.request.accepted_renderer.format == "csv":
            response = Response({"results": rows})
            response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
            return response
        return Response(data)


@extend_schema(
    tags=["releases"],
    summary="A negotiation's releases, latest first",
    responses={200: OpenApiTypes.OBJECT, 400: BAD, 404: NOT_FOUND},
)
class ReleaseList(ReleaseView):
    """Each release's tag, date, note, checksum and the addresses to read it by."""

    csv_names = RELEASE_COLUMNS

    @extend_schema(operation_id="negotiations_releases_list")
    def get(self, request, negotiation):
        releases = [
            describe(request, release)
            for release in Release.objects.filter(negotiation=self.negotiation)
            .select_related("negotiation")
            .defer("snapshot")
            .latest_first()
        ]
        return self.answer(
            {"negotiation": self.negotiation.slug, "results": releases},
            releases,
            f"{self.negotiation.slug}-releases",
        )


@extend_schema(
    tags=["releases"],
    summary="One release and its changelog since the previous release",
    responses={200: OpenApiTypes.OBJECT, 400: BAD, 404: NOT_FOUND},
)
class ReleaseDetail(ReleaseView):
    """The release, and the records added, changed (field by field) and removed since the
    previous one. CSV: one row per added or removed record and per changed field."""

    @extend_schema(operation_id="negotiations_releases_retrieve")
    def get(self, request, negotiation, tag):
        release = find_release(self.negotiation, tag)
        log = changelog(release)
        return self.answer(
            {"release": describe(request, release), "changelog": log},
            diff_rows(log),
            f"{self.negotiation.slug}-release-{tag}-changelog",
        )


@extend_schema(
    tags=["releases"],
    summary="What changed from one release to another",
    responses={200: OpenApiTypes.OBJECT, 400: BAD, 404: NOT_FOUND},
)
class ReleaseDiff(ReleaseView):
    """Records added, changed (field by field) and removed from release `tag` to `other`, each
    with its sources. CSV: one row per added or removed record and per changed field."""

    @extend_schema(operation_id="negotiations_releases_diff_retrieve")
    def get(self, request, negotiation, tag, other):
        before = find_release(self.negotiation, tag)
        after = find_release(self.negotiation, other)
        changes = releases_diff(before, after)
        return self.answer(
            {
                "from": describe(request, before),
                "to": describe(request, after),
                "added": changes["added"],
                "changed": changes["changed"],
                "removed": changes["removed"],
            },
            diff_rows(changes),
            f"{self.negotiation.slug}-diff-{tag}-{other}",
        )
