"""The API for plans: /api/v1/plans/, one plan with its points, and two plans compared.

Read-only: plans are curated in the admin or the plans file (docs/plans.md), whose validation
lives in the models. The comparison comes from positions.plan_services, as on the reader page.
"""

from __future__ import annotations

import django_filters
from django.db.models import Count, Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from negotiations.api.filters import choice_filter, reject_unknown_parameters, slug_filter
from negotiations.api.pagination import WholeListPagination
from negotiations.api.serializers import (
    IssueRefSerializer,
    NegotiationRefSerializer,
    PartyRefSerializer,
    RoundRefSerializer,
    SourceRefSerializer,
    StanceRefSerializer,
    api_url,
    page_url,
)
from negotiations.api.views import SLUG_PATTERN, ParleyViewSet
from negotiations.models import Negotiation, Party, Source
from positions.plan_models import Plan, PlanPoint, PointLink
from positions.plan_services import (
    KIND_NOTES,
    UNCODED,
    UNCODED_NOTE,
    comparable,
    compare_plans,
    points_for_display,
)

ORDERED_SOURCES = Prefetch("sources", queryset=Source.objects.order_by("pk"))
KIND_CHOICES = [*PointLink.Kind.values, UNCODED]


# --- serializers ----------------------------------------------------------------------------------


class PlanRefSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = ["slug", "title", "url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        return api_url(self.context, "plan-detail", plan=obj.slug)


class PlanPointSerializer(serializers.ModelSerializer):
    """One point of a plan: its number as the plan has it, neutral text, issue, stance, sources."""

    plan = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    issue = IssueRefSerializer(read_only=True, allow_null=True)
    stance = StanceRefSerializer(read_only=True, allow_null=True)
    sources = SourceRefSerializer(many=True, read_only=True)

    class Meta:
        model = PlanPoint
        fields = ["plan", "number", "text", "issue", "stance", "status", "note", "sources"]


class PlanSerializer(serializers.ModelSerializer):
    """A plan as tabled: who, when (with the date's precision), status and how much is public."""

    negotiation = NegotiationRefSerializer(read_only=True)
    tabled_by = PartyRefSerializer(read_only=True)
    round = RoundRefSerializer(read_only=True, allow_null=True)
    date_display = serializers.CharField(read_only=True)
    previous = PlanRefSerializer(read_only=True, allow_null=True)
    point_count = serializers.IntegerField(read_only=True)
    sources = SourceRefSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = [
            "slug",
            "title",
            "negotiation",
            "tabled_by",
            "round",
            "date",
            "date_precision",
            "date_part",
            "date_display",
            "status",
            "text_public",
            "summary",
            "previous",
            "point_count",
            "sources",
            "url",
            "page",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        return api_url(self.context, "plan-detail", plan=obj.slug)

    @extend_schema_field(OpenApiTypes.URI)
    def get_page(self, obj) -> str | None:
        return page_url(self.context, obj)


class PlanDetailSerializer(PlanSerializer):
    points = serializers.SerializerMethodField()

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "points"]

    @extend_schema_field(PlanPointSerializer(many=True))
    def get_points(self, obj) -> list:
        return PlanPointSerializer(obj.points.all(), many=True, context=self.context).data


class ComparisonRowSerializer(serializers.Serializer):
    """One row of a comparison, flat so that CSV has one line per row."""

    kind = serializers.ChoiceField(choices=KIND_CHOICES, help_text=", ".join(KIND_CHOICES))
    kind_note = serializers.CharField()
    earlier_points = serializers.SerializerMethodField()
    later_points = serializers.SerializerMethodField()
    earlier_text = serializers.SerializerMethodField()
    later_text = serializers.SerializerMethodField()
    issues = serializers.SerializerMethodField(help_text="Slugs of the issues the points are on.")
    note = serializers.CharField(help_text="What changed, in neutral words.")
    sources = SourceRefSerializer(many=True, read_only=True)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_earlier_points(self, row) -> list[str]:
        return [p.number for p in row.earlier]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_later_points(self, row) -> list[str]:
        return [p.number for p in row.later]

    def get_earlier_text(self, row) -> str:
        return " / ".join(p.text for p in row.earlier)

    def get_later_text(self, row) -> str:
        return " / ".join(p.text for p in row.later)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_issues(self, row) -> list[str]:
        return [issue.slug for issue in row.issues]


class ComparisonSerializer(serializers.Serializer):
    earlier = PlanRefSerializer()
    later = PlanRefSerializer()
    kinds = serializers.DictField(child=serializers.CharField(), help_text="What each kind means.")
    results = ComparisonRowSerializer(many=True)


# --- filters and views ------------------------------------------------------------------------


class PlanFilter(django_filters.FilterSet):
    negotiation = slug_filter("negotiation", Negotiation.objects.all(), "negotiation")
    tabled_by = slug_filter("tabled_by", Party.objects.all(), "party")
    status = choice_filter("status", Plan.Status.choices, "status")

    class Meta:
        model = Plan
        fields: list = []


@extend_schema(tags=["plans"])
class PlanViewSet(ParleyViewSet):
    """Written plans and drafts, their points, and two plans compared point by point."""

    http_method_names = ["get", "head", "options"]
    export_name = "plans"
    queryset = (
        Plan.objects.select_related("negotiation", "tabled_by", "round__negotiation", "previous")
        .prefetch_related(ORDERED_SOURCES)
        .annotate(point_count=Count("points"))
    )
    serializer_class = PlanSerializer
    filterset_class = PlanFilter
    pagination_class = WholeListPagination
    lookup_field = "slug"
    lookup_url_kwarg = "plan"
    lookup_value_regex = SLUG_PATTERN
    search_fields = ["title", "summary"]
    ordering_fields = ["date", "title", "slug"]
    ordering = ["date", "slug"]

    def get_serializer_class(self):
        return PlanDetailSerializer if self.action == "retrieve" else PlanSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            points = PlanPoint.objects.select_related("issue__negotiation", "stance", "plan")
            points = points.prefetch_related(ORDERED_SOURCES).order_by("sort_key")
            queryset = queryset.prefetch_related(Prefetch("points", queryset=points))
        return queryset

    def csv_filename(self) -> str:
        slug = self.kwargs.get("plan")
        return f"{slug}-{self.action}" if slug and self.action != "retrieve" else self.export_name

    def get_object(self):
        slug = self.kwargs.get("plan", "")
        plan = self.filter_queryset(self.get_queryset()).filter(slug=slug).first()
        if plan is None:
            raise NotFound(f"No plan “{slug}”.")
        self.check_object_permissions(self.request, plan)
        return plan

    def find_plan(self, slug: str) -> Plan:
        plan = Plan.objects.select_related("negotiation", "previous").filter(slug=slug).first()
        if plan is None:
            raise NotFound(f"No plan “{slug}”.")
        return plan

    @extend_schema(
        summary="A plan's points, one row each",
        responses={
            200: PlanPointSerializer(many=True),
            404: OpenApiResponse(description="No plan."),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        pagination_class=None,
        filterset_class=None,
        csv_serializer_class=PlanPointSerializer,
    )
    def points(self, request, plan=None):
        reject_unknown_parameters(request, set())
        found = self.find_plan(plan)
        points = points_for_display(found).select_related("plan", "issue__negotiation")
        return Response(
            PlanPointSerializer(points, many=True, context=self.get_serializer_context()).data
        )

    @extend_schema(
        summary="Two plans compared point by point",
        parameters=[
            OpenApiParameter(
                "with",
                str,
                required=True,
                description="Slug of the other plan: a later draft of this one's chain, or an "
                "earlier one (the answer always runs from the earlier plan to the later).",
            )
        ],
        responses={
            200: ComparisonSerializer,
            400: OpenApiResponse(description="`with` missing, unknown, or not in one chain."),
            404: OpenApiResponse(description="No plan."),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        pagination_class=None,
        filterset_class=None,
        csv_serializer_class=ComparisonRowSerializer,
    )
    def compare(self, request, plan=None):
        """Rows of kept, reworded, softened, hardened, merged, split, dropped, new and uncoded
        points; `earlier_text`/`later_text` are the neutral wordings, `sources` both sides'."""
        reject_unknown_parameters(request, {"with"})
        first = self.find_plan(plan)
        other_slug = request.query_params.get("with", "")
        if not other_slug:
            raise ValidationError({"with": ["Name the plan to compare with, by slug."]})
        other = Plan.objects.select_related("previous").filter(slug=other_slug).first()
        if other is None:
            raise ValidationError({"with": [f"No plan “{other_slug}”."]})
        earlier, later = (other, first) if comparable(other, first) else (first, other)
        if not comparable(earlier, later):
            raise ValidationError(
                {
                    "with": [
                        f"“{first.slug}” and “{other.slug}” are not one chain of drafts; plans "
                        "compare only when one revises the other, directly or through drafts."
                    ]
                }
            )
        rows = compare_plans(earlier, later)
        payload = {
            "earlier": earlier,
            "later": later,
            "kinds": {**{k.value: n for k, n in KIND_NOTES.items()}, UNCODED: UNCODED_NOTE},
            "results": rows,
        }
        return Response(ComparisonSerializer(payload, context=self.get_serializer_context()).data)
