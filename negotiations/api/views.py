"""The researchers' API: every record, the two questions, and exports. Views stay thin.

Positions, changes and gaps come from positions.services; nothing here decides what stands
or what moved.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from itertools import islice

from django.db import transaction
from django.db.models import F, Prefetch, Value
from django.db.models.functions import Coalesce
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.fields import ListField
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from negotiations.api import (
    preconditions,
    schema,  # noqa: F401 (registers the OpenAPI extensions)
)
from negotiations.api import serializers as s
from negotiations.api.citation import citation
from negotiations.api.citation_renderers import BibTeXRenderer, CSLJSONRenderer
from negotiations.api.exports import (
    column_types,
    column_types_header,
    file_name,
    parameter_columns,
    with_parameters,
)
from negotiations.api.filters import (
    ConcessionFilter,
    DemandFilter,
    IssueFilter,
    NegotiationFilter,
    PartyFilter,
    RoundFilter,
    SourceFilter,
    reject_unknown_parameters,
)
from negotiations.api.formats import StrictContentNegotiation
from negotiations.api.pagination import ChronologicalCursorPagination, WholeListPagination
from negotiations.api.panel import panel_rows
from negotiations.api.queries import GapsQuerySerializer, PanelQuerySerializer, chosen_parties
from negotiations.api.renderers import csv_columns, csv_lines
from negotiations.api.representation import CompiledRepresentation
from negotiations.api.rows import RowReader
from negotiations.models import Issue, Negotiation, Participant, Party, Round, Source
from negotiations.releases import latest_release, reading, release_being_read
from positions.freshness import last_change, last_change_of
from positions.models import Concession, Demand, claims_prefetch
from positions.services import (
    Frame,
    compare_rounds,
    gap_history,
    positions_as_of,
)

SLUG_PATTERN = "[-a-zA-Z0-9_]+"
CSV_BATCH = 500


def batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class ParleyViewSet(viewsets.ModelViewSet):
    """Shared behaviour: CSV for every answer (streamed whole for lists), atomic writes."""

    content_negotiation_class = StrictContentNegotiation  # ?format=xlsx is a 400, not a 404
    csv_serializer_class = None  # the row serializer of a computed view's CSV
    export_name = "export"  # CSV file name: parties.csv, russia-ukraine-2025-demands.csv
    csv_parameters: dict = {}  # a computed view's parameters, as CSV columns (exports.py)

    def csv_serializer(self):
        serializer_class = self.csv_serializer_class or self.get_serializer_class()
        return serializer_class(context=self.get_serializer_context())

    def csv_columns(self):
        return parameter_columns(self.csv_parameters) + csv_columns(self.csv_serializer())

    def csv_filename(self) -> str:
        return self.export_name

    # Lists and CSV read as flat rows (rows.py). Only for plain record serializers: one whose
    # list serializer does its own reading (a record's history) keeps the querysets.
    flat_rows = False

    def reads_flat_rows(self) -> bool:
        return self.flat_rows and CompiledRepresentation.enabled

    def load_records(self, queryset) -> list:
        """The records of a list page, as flat rows where the view reads them so."""
        if not self.reads_flat_rows():
            return list(queryset)
        reader = RowReader(queryset, self.get_serializer_class())
        return reader.records(reader.rows())

    def csv_records(self, queryset) -> Iterator[dict]:
        """Every record of `queryset`, serialized, read in batches so memory stays flat."""
        if not self.reads_flat_rows():
            for batch in batched(queryset.iterator(chunk_size=CSV_BATCH), CSV_BATCH):
                yield from self.get_serializer(batch, many=True).data
            return
        serializer = self.get_serializer()
        for batch in RowReader(queryset, type(serializer)).batches(CSV_BATCH):
            for record in batch:
                yield serializer.to_representation(record)

    def list(self, request, *args, **kwargs):
        if request.accepted_renderer.format != "csv":
            return super().list(request, *args, **kwargs)
        # CSV is for read_csv(url): every matching row, streamed in batches rather than paged,
        # so memory and queries per batch stay flat however long the table grows.
        paging = {"cursor", "page_size"} & set(request.query_params)
        if paging:
            raise ValidationError(
                {
                    name: ["A CSV list holds every matching row; leave out paging."]
                    for name in paging
                }
            )
        records = self.csv_records(self.filter_queryset(self.get_queryset()))
        return StreamingHttpResponse(
            csv_lines(records, self.csv_columns()), content_type="text/csv; charset=utf-8"
        )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        renderer = getattr(request, "accepted_renderer", None)
        if renderer is not None and renderer.format == "csv" and response.status_code < 400:
            response["Content-Disposition"] = f'attachment; filename="{self.csv_filename()}.csv"'
            response["Column-Types"] = column_types_header(
                column_types(self.csv_serializer(), self.csv_columns(), self.csv_parameters)
            )
        etag = preconditions.etag_of(self.versioned_record)
        if etag and response.status_code in (200, 201):
            response["ETag"] = etag
        return response

    def save_kwargs(self) -> dict:
        return {}

    # --- versions: ETag on every record answered, If-Match on every change (preconditions.py)

    versioned_record = None  # the record whose ETag the answer carries

    def retrieve(self, request, *args, **kwargs):
        self.versioned_record = self.get_object()
        return Response(self.get_serializer(self.versioned_record).data)

    def update(self, request, *args, **kwargs):
        # The version check (in get_object) and the write commit together or not at all.
        with transaction.atomic():
            preconditions.take_write_lock(self.get_queryset().model)
            return super().update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            preconditions.take_write_lock(self.get_queryset().model)
            return super().destroy(request, *args, **kwargs)

    def get_object(self):
        """The record named by the URL; for a change, locked and checked against If-Match."""
        record = super().get_object()
        if self.request.method not in preconditions.GUARDED_METHODS:
            return record
        tags = preconditions.if_match_tags(self.request)
        stored = preconditions.current_version(record)
        if stored is None:
            raise NotFound("This record was deleted meanwhile.")
        if stored != record.updated_at:  # changed between reading and locking: read it again
            record = super().get_object()
        preconditions.refuse_stale_write(tags, record, lambda: self.get_serializer(record).data)
        return record

    def perform_create(self, serializer):
        with transaction.atomic():
            serializer.save(**self.save_kwargs())
        self.versioned_record = serializer.instance

    def perform_update(self, serializer):
        with transaction.atomic():
            serializer.save()
        self.versioned_record = serializer.instance

    def perform_destroy(self, instance):
        with transaction.atomic():
            instance.delete()


def find_negotiation(slug: str) -> Negotiation:
    try:
        return Negotiation.objects.get(slug=slug)
    except Negotiation.DoesNotExist:
        raise NotFound(f"No negotiation “{slug}”.") from None


class NegotiationScopedViewSet(ParleyViewSet):
    """Records of one negotiation: under /negotiations/{slug}/…/ and as flat, filtered lists.

    Rounds and issues have slugs unique within their negotiation only, so their addresses (and
    writes to anything that names them) go through the negotiation.
    """

    negotiation_path = "negotiation"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        slug = kwargs.get("negotiation")
        self.negotiation = find_negotiation(slug) if slug else None

    def get_queryset(self):
        queryset = super().get_queryset()
        if "negotiation" in self.kwargs:
            queryset = queryset.filter(
                **{f"{self.negotiation_path}__slug": self.kwargs["negotiation"]}
            )
        return queryset

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "negotiation": getattr(self, "negotiation", None),
        }

    def csv_filename(self) -> str:
        slug = self.kwargs.get("negotiation")
        return f"{slug}-{self.export_name}" if slug else self.export_name


@extend_schema(tags=["negotiations"])
class NegotiationViewSet(ParleyViewSet):
    """Negotiations, their participants, and the computed views of each."""

    flat_rows = True
    export_name = "negotiations"
    queryset = Negotiation.objects.prefetch_related(
        Prefetch("participants", queryset=Participant.objects.select_related("party"))
    )
    serializer_class = s.NegotiationSerializer
    filterset_class = NegotiationFilter
    pagination_class = WholeListPagination
    lookup_field = "slug"
    lookup_url_kwarg = "negotiation"
    lookup_value_regex = SLUG_PATTERN
    search_fields = ["title", "summary"]
    ordering_fields = ["started_on", "title", "slug"]
    ordering = ["-started_on", "title"]

    def computed_context(self, negotiation: Negotiation, **extra) -> dict:
        return {**self.get_serializer_context(), "negotiation": negotiation, **extra}

    def computed_request(self, query_serializer=None, **context) -> tuple[Negotiation, dict]:
        """Return the negotiation in the URL and the validated query parameters."""
        fields = query_serializer().fields if query_serializer else {}
        multi = {name for name, field in fields.items() if isinstance(field, ListField)}
        reject_unknown_parameters(self.request, set(fields), multi)
        negotiation = context["frame"].negotiation if context else None
        negotiation = negotiation or find_negotiation(self.kwargs["negotiation"])
        if query_serializer is None:
            return negotiation, {}
        query = query_serializer(
            data=self.request.query_params, context=self.computed_context(negotiation, **context)
        )
        query.is_valid(raise_exception=True)
        return negotiation, query.validated_data

    def framed_request(self, query_serializer) -> tuple[Negotiation, dict, Frame]:
        """As computed_request, with the negotiation's frame (rounds, participants, issues),
        read from the cache while the negotiation is unchanged; the query's slugs are looked
        up in it (docs/performance.md, "Computed views' queries")."""
        slug = self.kwargs["negotiation"]
        frame = Frame.cached(
            find_negotiation(slug), changed=last_change_of(self.request, negotiation_slug=slug)
        )
        negotiation, params = self.computed_request(query_serializer, frame=frame)
        return negotiation, params, frame

    def csv_filename(self) -> str:
        base = f"{self.kwargs.get('negotiation', 'negotiations')}-{self.action}"
        return file_name(base, getattr(self, "csv_name_parameters", self.csv_parameters))

    def computed_response(self, data: dict, **parameters) -> Response:
        """Answer `data`; as CSV, every row carries `parameters` and so does the file name."""
        self.csv_parameters = parameters
        if self.request.accepted_renderer.format == "csv":
            with_parameters(data["results"], parameters)
        return Response(data)

    @extend_schema(
        summary="Where every principal stands on every issue as of a round",
        parameters=[s.PositionsQuerySerializer],
        responses={200: s.PositionsSerializer, 400: OpenApiResponse(description="Unknown round.")},
    )
    @action(detail=True, methods=["get"], csv_serializer_class=s.PositionSerializer)
    def positions(self, request, negotiation=None):
        """One row per principal × issue: the standing demand and the round it was stated at.

        A demand stands until restated. CSV gives the rows only.
        """
        negotiation, params, frame = self.framed_request(s.PositionsQuerySerializer)
        as_of = params.get("as_of") or (frame.rounds[-1] if frame.rounds else None)
        payload = {"negotiation": negotiation, "as_of": as_of, "parties": [], "issues": []}
        payload.update(gaps=[], results=[])
        slugs = {}
        if as_of is not None:
            matrix = positions_as_of(round=as_of, frame=frame)
            slugs = {party.pk: party.slug for party in matrix.parties}
            payload.update(
                parties=matrix.parties,
                issues=matrix.issues,
                gaps=[matrix.gaps[issue.pk] for issue in matrix.issues],
                results=[cell for _, cells in matrix.rows() for cell in cells],
            )
        context = self.computed_context(negotiation, party_slugs=slugs)
        data = s.PositionsSerializer(payload, context=context).data
        return self.computed_response(data, as_of=as_of.slug if as_of else None)

    @extend_schema(
        summary="What moved between two rounds",
        parameters=[s.ChangesQuerySerializer],
        responses={
            200: s.ChangesSerializer,
            400: OpenApiResponse(
                description="Unknown round, `from` after `to`, or the same round twice."
            ),
        },
    )
    @action(detail=True, methods=["get"], csv_serializer_class=s.ChangeSerializer)
    def changes(self, request, negotiation=None):
        """Per principal and issue: before, after, kind of move, stance delta, concessions.

        `to` defaults to the latest round and `from` to the round before `to`.
        """
        negotiation, params, frame = self.framed_request(s.ChangesQuerySerializer)
        to_round = params.get("to") or (frame.rounds[-1] if frame.rounds else None)
        if to_round is None:
            raise ValidationError({"to": ["This negotiation has no rounds yet."]})
        from_round = params.get("from") or frame.round_before(to_round)
        if from_round is None:
            raise ValidationError(
                {
                    "from": [
                        f"“{to_round.slug}” is the first round; nothing comes before it to compare."
                    ]
                }
            )
        try:
            comparison = compare_rounds(from_round=from_round, to_round=to_round, frame=frame)
        except ValueError as error:
            raise ValidationError(
                {"from": [f"{error} (from={from_round.slug}, to={to_round.slug})"]}
            ) from error
        payload = {
            "negotiation": negotiation,
            "from_round": from_round,
            "to_round": to_round,
            "parties": comparison.parties,
            "issues": comparison.issues,
            "results": [
                change
                for _, cells in comparison.rows(changes_only=params["moved_only"])
                for change in cells
            ],
        }
        data = s.ChangesSerializer(payload, context=self.computed_context(negotiation)).data
        return self.computed_response(data, **{"from": from_round.slug, "to": to_round.slug})

    @extend_schema(
        summary="The gap between the principals (or chosen parties) on each issue at each round",
        parameters=[GapsQuerySerializer],
        responses=s.GapHistorySerializer,
    )
    @action(detail=True, methods=["get"], csv_serializer_class=s.GapSerializer)
    def gaps(self, request, negotiation=None):
        """Spread of the measured parties' stances per issue and round, raw and normalised (0–1).

        With `party` twice (`?party=united-states&party=russia`) it is those two parties'
        distance on each issue over time.
        """
        negotiation, params, frame = self.framed_request(GapsQuerySerializer)
        parties = chosen_parties(frame, params.get("party"))
        slugs = {party.pk: party.slug for party in parties}
        history = gap_history(negotiation=negotiation, parties=parties, frame=frame)
        payload = {
            "negotiation": negotiation,
            "parties": parties,
            "results": [gap for _, gaps in history for gap in gaps],
        }
        context = self.computed_context(negotiation, party_slugs=slugs)
        data = s.GapHistorySerializer(payload, context=context).data
        return self.computed_response(data, parties=list(slugs.values()))

    @extend_schema(
        summary="Tidy panel: issue × party × round with the standing stance",
        parameters=[PanelQuerySerializer],
        responses=s.PanelSerializer,
    )
    @action(detail=True, methods=["get"], csv_serializer_class=s.PanelRowSerializer)
    def panel(self, request, negotiation=None):
        """One flat row per issue × participant × round, the standing stance carried forward.

        Made for `pandas.read_csv(".../panel/?format=csv")`; columns in docs/api.md.
        """
        negotiation, params, frame = self.framed_request(PanelQuerySerializer)
        rows = panel_rows(negotiation=negotiation, frame=frame, **params)
        payload = {"negotiation": negotiation, "results": rows}
        data = s.PanelSerializer(payload, context=self.computed_context(negotiation)).data
        self.csv_name_parameters = params  # named in the file name; rows have these columns
        return Response(data)

    @extend_schema(summary="How to cite this negotiation's data", responses=s.CitationSerializer)
    @action(
        detail=True,
        methods=["get"],
        csv_serializer_class=s.CitationSerializer,
        renderer_classes=[*api_settings.DEFAULT_RENDERER_CLASSES, BibTeXRenderer, CSLJSONRenderer],
    )
    def cite(self, request, negotiation=None):
        """The citation as text, BibTeX and CSL-JSON (`?format=bibtex|csl-json` for one alone).

        Without a release it cites the moving head, versioned by the time of its latest change.
        """
        negotiation, _ = self.computed_request()
        context = self.computed_context(negotiation)
        # The same moment the reader pages give as "Data as of" (and as Last-Modified).
        version = last_change(negotiation_slug=negotiation.slug)
        url = s.api_url(context, "negotiation-detail", negotiation=negotiation.slug)
        html_url = s.page_url(context, negotiation)
        release, latest = release_being_read(), latest_release(negotiation)
        pinned = reading.get()
        payload = {
            "negotiation": negotiation,
            "title": negotiation.title,
            "version": version,
            "date": version.date() if version else None,
            "url": url,
            "html_url": html_url,
            **citation(
                negotiation=negotiation,
                version=version,
                address=html_url or url,
                accessed=timezone.localdate(),
                release=release,
                latest_release=latest,
                known_on=pinned.known_on if pinned else None,
            ),
        }
        return Response(s.CitationSerializer(payload, context=context).data)


@extend_schema(tags=["parties"])
class PartyViewSet(ParleyViewSet):
    """States, blocs, organisations and mediators; one party may take part in many negotiations."""

    flat_rows = True
    export_name = "parties"
    queryset = Party.objects.all()
    serializer_class = s.PartySerializer
    filterset_class = PartyFilter
    pagination_class = WholeListPagination
    lookup_field = "slug"
    lookup_url_kwarg = "party"
    lookup_value_regex = SLUG_PATTERN
    search_fields = ["name", "short_name", "slug"]
    ordering_fields = ["name", "short_name", "slug"]
    ordering = ["name"]


@extend_schema(tags=["sources"])
class SourceViewSet(ParleyViewSet):
    """The evidence: outlets, documents and statements that rounds, demands and concessions cite."""

    flat_rows = True
    export_name = "sources"
    # Sources without a publication date sort first; the cursor needs a date on every row.
    queryset = Source.objects.select_related("cited_in").annotate(
        date=Coalesce("published_on", Value(datetime.date.min))
    )
    serializer_class = s.SourceSerializer
    filterset_class = SourceFilter
    pagination_class = ChronologicalCursorPagination
    lookup_field = "slug"
    lookup_url_kwarg = "source"
    lookup_value_regex = SLUG_PATTERN
    search_fields = ["title", "outlet", "author", "speaker", "quote"]
    ordering_fields = ["date"]
    ordering = ["date", "id"]  # the cursor key (pagination.chronological_ordering)


@extend_schema(tags=["rounds"])
class RoundViewSet(NegotiationScopedViewSet):
    """Dated steps of a negotiation: talks, summits, calls, plans, statements."""

    flat_rows = True
    export_name = "rounds"
    queryset = (
        Round.objects.select_related("negotiation")
        .prefetch_related("parties", "sources")
        .annotate(date=F("start_date"))
    )
    serializer_class = s.RoundSerializer
    filterset_class = RoundFilter
    pagination_class = ChronologicalCursorPagination
    lookup_field = "slug"
    lookup_url_kwarg = "round"
    search_fields = ["title", "summary", "outcome", "location"]
    ordering_fields = ["date"]
    # Rounds sharing a start date follow their sequence, as everywhere else.
    ordering = ["date", "sequence", "id"]

    def save_kwargs(self):
        return {"negotiation": self.negotiation}


@extend_schema(tags=["issues"])
class IssueViewSet(NegotiationScopedViewSet):
    """Dimensions of a negotiation, each with its ordinal scale of stances."""

    flat_rows = True
    export_name = "issues"
    queryset = Issue.objects.select_related("negotiation", "high_pole_side").prefetch_related(
        "stances"
    )
    serializer_class = s.IssueSerializer
    filterset_class = IssueFilter
    pagination_class = WholeListPagination
    lookup_field = "slug"
    lookup_url_kwarg = "issue"
    search_fields = ["title", "description"]
    ordering_fields = ["order", "title", "slug"]
    ordering = ["negotiation__slug", "order", "title"]

    def save_kwargs(self):
        return {"negotiation": self.negotiation}


@extend_schema(tags=["demands"])
class DemandViewSet(NegotiationScopedViewSet):
    """What each party demands on each issue, as stated at each round."""

    flat_rows = True
    export_name = "demands"
    negotiation_path = "round__negotiation"
    queryset = (
        Demand.objects.select_related("party", "issue__negotiation", "round__negotiation", "stance")
        .prefetch_related("sources", claims_prefetch())
        .annotate(date=F("round__start_date"))
    )
    serializer_class = s.DemandSerializer
    filterset_class = DemandFilter
    pagination_class = ChronologicalCursorPagination
    search_fields = ["text"]
    ordering_fields = ["date"]
    ordering = ["date", "round__sequence", "id"]


@extend_schema(tags=["concessions"])
class ConcessionViewSet(NegotiationScopedViewSet):
    """Moves a party offers or makes at a round on an issue, and what it asks in return."""

    flat_rows = True
    export_name = "concessions"
    negotiation_path = "round__negotiation"
    queryset = (
        Concession.objects.select_related(
            "party",
            "issue__negotiation",
            "round__negotiation",
            "softens__party",
            "softens__round__negotiation",
            "in_return_for__party",
            "in_return_for__round__negotiation",
        )
        .prefetch_related("sources", claims_prefetch())
        .annotate(date=F("round__start_date"))
    )
    serializer_class = s.ConcessionSerializer
    filterset_class = ConcessionFilter
    pagination_class = ChronologicalCursorPagination
    search_fields = ["text", "conditions"]
    ordering_fields = ["date"]
    ordering = ["date", "round__sequence", "id"]


@extend_schema(exclude=True)
class ApiRoot(APIView):
    """Parley's API: where each list, the schema and its documentation live."""

    permission_classes = [AllowAny]
    content_negotiation_class = StrictContentNegotiation

    def get(self, request):
        names = ["negotiations", "parties", "sources", "rounds", "issues", "demands", "concessions"]
        singular = {"negotiations": "negotiation", "parties": "party"}
        links = {
            name: request.build_absolute_uri(
                reverse(f"api:{singular.get(name, name.removesuffix('s'))}-list")
            )
            for name in names
        }
        links["schema"] = request.build_absolute_uri(reverse("api:schema"))
        links["docs"] = request.build_absolute_uri(reverse("api:docs"))
        return Response(links)
