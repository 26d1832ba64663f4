"""Public history through the API: `…/{record}/history/`, every saved version of one record.

Each version says when, whether the record was created, changed or deleted, which fields
changed from what to what (readable: slugs, labels) and the change reason; who saved it only as
a role (positions/versions.py). JSON pages like the other long lists (cursor, `ordering=date`
or `-date`), CSV holds every version. docs/api.md, "History".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.db.models.functions import TruncDate
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny

from negotiations.api.filters import StrictFilterBackend, StrictOrderingFilter
from negotiations.api.pagination import ChronologicalCursorPagination
from negotiations.api.views import ParleyViewSet, find_negotiation
from negotiations.models import Correction, Issue, Negotiation, Party, Round, Source
from positions.models import Concession, Demand
from positions.versions import CHANGE_TYPES, versions

# --- serializers ----------------------------------------------------------------------------------


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The field's name, as the admin's form names it.")
    label = serializers.CharField(help_text="The field's name in words.")
    old = serializers.CharField(allow_null=True, help_text="Before (null: empty or not yet set).")
    new = serializers.CharField(allow_null=True, help_text="After (null: emptied).")


class VersionListSerializer(serializers.ListSerializer):
    """Describes a page (or a CSV batch) of consecutive versions in one go."""

    def to_representation(self, data):
        records = list(data)
        ascending = sorted(records, key=lambda r: (r.history_date, r.history_id))
        previous = None
        if ascending:
            first = ascending[0]
            previous = (
                self.context["history"]
                .filter(
                    Q(history_date__lt=first.history_date)
                    | Q(history_date=first.history_date, history_id__lt=first.history_id)
                )
                .order_by("-history_date", "-history_id")
                .select_related("history_user")
                .first()
            )
        described = {v.id: v for v in versions(ascending, previous)}
        return [self.child.to_representation(described[r.history_id]) for r in records]


class VersionSerializer(serializers.Serializer):
    """One saved version of a record: when, what kind of change, which fields, why, by what role."""

    id = serializers.IntegerField(help_text="The version's id (unique across Parley's history).")
    date = serializers.DateTimeField(help_text="When the version was saved.")
    change = serializers.ChoiceField(choices=list(CHANGE_TYPES.values()))
    changes = FieldChangeSerializer(
        many=True, help_text="The fields that changed, old → new (all set fields at creation)."
    )
    reason = serializers.CharField(allow_null=True, help_text="The change reason, if one given.")
    role = serializers.CharField(
        allow_null=True,
        help_text="The role (staff group) of whoever saved it, e.g. Editor or Analyst; never "
        "a name. Null for the data loader and scripts.",
    )

    class Meta:
        list_serializer_class = VersionListSerializer


class CorrectionSerializer(serializers.ModelSerializer):
    """A public correction or withdrawal of the record (docs/admin.md, "Corrections")."""

    kind = serializers.ChoiceField(choices=Correction.Kind.choices, help_text="Which notice.")
    note = serializers.CharField(help_text="The public note: what was wrong, what is right.")
    date = serializers.DateField(help_text="The notice's date.")
    role = serializers.CharField(
        source="made_by", allow_blank=True, help_text="The role of whoever made it; never a name."
    )

    class Meta:
        model = Correction
        fields = ["kind", "note", "date", "role"]


class HistoryPagination(ChronologicalCursorPagination):
    """A page of versions, with the record's public corrections (all of them, on every page)."""

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["corrections"] = self.corrections
        return response

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        described["properties"]["corrections"] = {
            "type": "array",
            "description": "The record's public corrections and withdrawals, oldest first.",
            "items": {
                "type": "object",
                "required": ["kind", "note", "date", "role"],
                "properties": {
                    "kind": {"type": "string", "enum": list(Correction.Kind.values)},
                    "note": {"type": "string"},
                    "date": {"type": "string", "format": "date"},
                    "role": {"type": "string"},
                },
            },
        }
        described.setdefault("required", []).append("corrections")
        return described


# --- which record -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resource:
    """A kind of record with a history address, and how the URL names one."""

    name: str
    model: type
    find: Callable[[dict], object]
    parameters: tuple[OpenApiParameter, ...]


def _one(queryset, message: str):
    record = queryset.first()
    if record is None:
        raise NotFound(message)
    return record


def _negotiation(kwargs) -> Negotiation:
    return find_negotiation(kwargs["negotiation"])


def _in_negotiation(model, key: str, noun: str):
    def find(kwargs):
        negotiation = _negotiation(kwargs)
        value = kwargs[key]
        scope = "negotiation" if model in (Round, Issue) else "round__negotiation"
        lookup = {"slug" if key != "id" else "pk": value, scope: negotiation}
        shown = f"“{value}”" if key != "id" else str(value)
        return _one(
            model.objects.filter(**lookup),
            f"No {noun} {shown} in negotiation “{negotiation.slug}”.",
        )

    return find


def _by_slug(model, noun: str, key: str):
    def find(kwargs):
        return _one(model.objects.filter(slug=kwargs[key]), f"No {noun} “{kwargs[key]}”.")

    return find


def _path(name: str, description: str, kind=str) -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.PATH, description=description)


NEGOTIATION = _path("negotiation", "The negotiation's slug.")
RESOURCES = {
    "negotiation": Resource("negotiation", Negotiation, _negotiation, (NEGOTIATION,)),
    "party": Resource(
        "party", Party, _by_slug(Party, "party", "party"), (_path("party", "The party's slug."),)
    ),
    "source": Resource(
        "source",
        Source,
        _by_slug(Source, "source", "source"),
        (_path("source", "The source's slug."),),
    ),
    "round": Resource(
        "round",
        Round,
        _in_negotiation(Round, "round", "round"),
        (NEGOTIATION, _path("round", "The round's slug (unique in its negotiation).")),
    ),
    "issue": Resource(
        "issue",
        Issue,
        _in_negotiation(Issue, "issue", "issue"),
        (NEGOTIATION, _path("issue", "The issue's slug (unique in its negotiation).")),
    ),
    "demand": Resource(
        "demand",
        Demand,
        _in_negotiation(Demand, "id", "demand"),
        (NEGOTIATION, _path("id", "The demand's id.", int)),
    ),
    "concession": Resource(
        "concession",
        Concession,
        _in_negotiation(Concession, "id", "concession"),
        (NEGOTIATION, _path("id", "The concession's id.", int)),
    ),
}


# --- the view -----------------------------------------------------------------------------------


class RecordHistoryViewSet(ParleyViewSet):
    """Every saved version of one record, oldest first (`ordering=-date`: newest first)."""

    resource: Resource = RESOURCES["negotiation"]
    http_method_names = ["get", "head", "options"]
    permission_classes = [AllowAny]  # history is as public as the record
    serializer_class = VersionSerializer
    pagination_class = HistoryPagination
    filter_backends = [StrictFilterBackend, StrictOrderingFilter]
    filterset_class = None
    ordering_fields = ["date"]
    # The cursor's key: the day, then the version id, which grows with every save.
    ordering = ["date", "history_id"]

    def record(self):
        if not hasattr(self, "_record"):
            self._record = self.resource.find(self.kwargs)
        return self._record

    def history(self):
        record = self.record()
        return type(record).history.filter(id=record.pk)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema asks without a record
            return self.resource.model.history.none()
        return (
            self.history()
            .annotate(date=TruncDate("history_date"))
            .select_related("history_user")
            .prefetch_related("history_user__groups")
        )

    def paginate_queryset(self, queryset):
        if self.paginator is not None:
            self.paginator.corrections = CorrectionSerializer(
                Correction.objects.of(self.record()), many=True
            ).data
        return super().paginate_queryset(queryset)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "history": self.history()}

    def csv_serializer(self):
        return VersionSerializer(context=self.get_serializer_context())

    def csv_filename(self) -> str:
        named = [
            self.kwargs[key] for key in ("negotiation", "party", "source") if key in self.kwargs
        ]
        named += [self.kwargs[key] for key in ("round", "issue") if key in self.kwargs]
        if "id" in self.kwargs:
            named.append(f"{self.resource.name}-{self.kwargs['id']}")
        elif self.resource.name not in ("negotiation", "party", "source"):
            named.insert(-1, self.resource.name)
        return "-".join([*named, "history"])


def history_view(name: str):
    """The history view of one kind of record, with its path parameters in the schema."""
    resource = RESOURCES[name]
    view = type(f"{name.title()}HistoryViewSet", (RecordHistoryViewSet,), {"resource": resource})
    schema = extend_schema(
        tags=["history"],
        summary=f"Every saved version of one {name}: when, what changed, why",
        parameters=list(resource.parameters),
    )
    return extend_schema_view(list=schema)(view).as_view({"get": "list"})
