"""`/api/v1/negotiations/{slug}/datapackage/`: the negotiation's data as one zip (docs/api.md).

The package is made by negotiations/datapackage.py; this view only finds the negotiation and
answers the bytes. Errors stay JSON like the rest of the API, whatever the Accept header asks.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from negotiations.api import serializers as s
from negotiations.api.filters import reject_unknown_parameters
from negotiations.api.views import find_negotiation
from negotiations.datapackage import package_zip


class ZipOrJsonErrors(BaseContentNegotiation):
    """The answer is a zip whatever is accepted; an error is JSON (not a 406 for Accept: zip)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class DataPackageView(APIView):
    permission_classes = [AllowAny]  # reading only; the throttle still applies
    renderer_classes = [JSONRenderer]
    content_negotiation_class = ZipOrJsonErrors

    @extend_schema(
        tags=["negotiations"],
        summary="The negotiation's data as a Frictionless Data Package (zip)",
        responses={
            (200, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="datapackage.json, the CSVs, codebook.md and SHA256SUMS.",
            ),
            404: OpenApiResponse(description="No such negotiation."),
        },
    )
    def get(self, request, negotiation: str):
        reject_unknown_parameters(request, set())
        found = find_negotiation(negotiation)
        context = {"request": request}
        url = s.api_url(context, "negotiation-detail", negotiation=found.slug)
        response = HttpResponse(package_zip(request, found, url), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{found.slug}-datapackage.zip"'
        return response
