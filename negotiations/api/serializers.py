"""What the API shows and accepts.

Records are identified by slug (ids for demands and concessions). A relation reads as a small
object (`{"slug": "russia", "name": "Russia", …}`) and is written as its identifier (`"russia"`).
Writes are validated by the models' own `full_clean()`, so the API refuses exactly what the admin
refuses, with the same messages, before the database triggers ever see the row.
"""

from __future__ import annotations

import copy
import functools
from urllib.parse import quote

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.http import RFC3986_SUBDELIMS
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from negotiations.api.representation import CompiledRepresentation, reads
from negotiations.models import Issue, Negotiation, Participant, Party, Round, Source, Stance
from positions.models import Concession, Demand
from positions.services import MoveKind


class ModelSerializer(CompiledRepresentation, serializers.ModelSerializer):
    """DRF's ModelSerializer with compiled output (negotiations/api/representation.py)."""


class Serializer(CompiledRepresentation, serializers.Serializer):
    """DRF's Serializer with compiled output (negotiations/api/representation.py)."""


# --- links ----------------------------------------------------------------------------------------


def absolute(context: dict, path: str | None) -> str | None:
    request = context.get("request")
    if path is None or request is None:
        return path
    if not CompiledRepresentation.enabled:
        return request.build_absolute_uri(path)
    # What build_absolute_uri gives for a plain absolute path, without its parsing per call.
    origin = getattr(request, "_parley_origin", None)
    if origin is None:
        origin = request._parley_origin = request.build_absolute_uri("/").removesuffix("/")
    if path.startswith("/") and not path.startswith("//") and "/." not in path:
        return origin + path
    return request.build_absolute_uri(path)


def api_url(context: dict, name: str, **kwargs) -> str:
    return absolute(context, fast_reverse(f"api:{name}", kwargs))


# A placeholder every URL pattern here accepts (slugs, ids), so each pattern is reversed once.
_PLACEHOLDER = 918273645
_SAFE = RFC3986_SUBDELIMS + "/~:@"


@functools.lru_cache(maxsize=256)
def _path_template(name: str, keys: tuple[str, ...], prefix: str) -> tuple[str, ...]:
    """Return the reversed path split around its arguments: ("/a/", "slug", "/b/", …)."""
    placeholders = {key: str(_PLACEHOLDER + n) for n, key in enumerate(keys)}
    path = reverse(name, kwargs=placeholders)
    parts = [path]
    for key, placeholder in placeholders.items():
        head, _, tail = parts.pop().partition(placeholder)
        parts += [head, key, tail]
    return tuple(parts)


def fast_reverse(name: str, kwargs: dict) -> str:
    """`reverse(name, kwargs=kwargs)` with the resolver consulted once per URL name.

    The values are quoted as `reverse` quotes them. A value the pattern would refuse is not
    caught here: these are slugs and ids read from the database, which the patterns accept.
    """
    if not CompiledRepresentation.enabled:
        return reverse(name, kwargs=kwargs)
    return _fast_reverse(name, tuple(kwargs.items()), get_script_prefix())


@functools.lru_cache(maxsize=4096)
def _fast_reverse(name: str, items: tuple[tuple[str, object], ...], prefix: str) -> str:
    values = dict(items)
    parts = _path_template(name, tuple(values), prefix)
    return "".join(
        quote(str(values[part]), safe=_SAFE) if n % 2 else part for n, part in enumerate(parts)
    )


PAGE_URLS_KEPT = 5000


def page_url(context: dict, obj) -> str | None:
    """Return the reader page of `obj`, or None while the site serves no such page.

    Remembered per record for the request: a page of demands names a few rounds many times.
    At most PAGE_URLS_KEPT are kept, so a whole-table CSV of a list whose every row is its own
    page (sources, rounds) does not grow with the table.
    """
    pages = context.setdefault("_page_urls", {})
    key = (type(obj), obj.pk)
    if key not in pages and len(pages) >= PAGE_URLS_KEPT:
        pages.clear()
    if key not in pages:
        try:
            pages[key] = absolute(context, obj.get_absolute_url())
        except NoReverseMatch:
            pages[key] = None
    return pages[key]


def negotiation_slug(context: dict, negotiation_id: int, fetch) -> str:
    """Return the slug of a record's negotiation without a query when the view already has it.

    Rounds and demands from the position service are loaded without their negotiation; the
    computed endpoints pass it in the context, so building their URLs costs no query per row.
    """
    negotiation = context.get("negotiation")
    if negotiation is not None and negotiation.pk == negotiation_id:
        return negotiation.slug
    return fetch().slug


def round_negotiation_slug(context: dict, round: Round) -> str:
    return negotiation_slug(context, round.negotiation_id, lambda: round.negotiation)


def statement_url(context: dict, statement: Demand | Concession) -> str:
    """Return the API address of a demand or concession (they live under their negotiation)."""
    name = "demand-detail" if isinstance(statement, Demand) else "concession-detail"
    slug = round_negotiation_slug(context, statement.round)
    return api_url(context, name, negotiation=slug, pk=statement.pk)


def field_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    """Return a model's validation errors keyed as DRF keys them (`non_field_errors`)."""
    if not hasattr(error, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
    return {
        api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field: messages
        for field, messages in error.message_dict.items()
    }


# --- references: how one record appears inside another --------------------------------------------


class NegotiationRefSerializer(ModelSerializer):
    reused_per_record = True
    url = serializers.SerializerMethodField()

    class Meta:
        model = Negotiation
        fields = ["slug", "title", "url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        return api_url(self.context, "negotiation-detail", negotiation=obj.slug)


class PartyRefSerializer(ModelSerializer):
    reused_per_record = True
    url = serializers.SerializerMethodField()

    class Meta:
        model = Party
        fields = ["slug", "name", "short_name", "url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        return api_url(self.context, "party-detail", party=obj.slug)


class RoundRefSerializer(ModelSerializer):
    reused_per_record = True
    date = serializers.DateField(source="start_date", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Round
        fields = ["slug", "title", "date", "date_display", "url"]

    @reads("negotiation__slug")
    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        slug = round_negotiation_slug(self.context, obj)
        return api_url(self.context, "round-detail", negotiation=slug, round=obj.slug)


class IssueRefSerializer(ModelSerializer):
    reused_per_record = True
    url = serializers.SerializerMethodField()

    class Meta:
        model = Issue
        fields = ["slug", "title", "category", "url"]

    @reads("negotiation__slug")
    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        slug = negotiation_slug(self.context, obj.negotiation_id, lambda: obj.negotiation)
        return api_url(self.context, "issue-detail", negotiation=slug, issue=obj.slug)


class StanceRefSerializer(ModelSerializer):
    reused_per_record = True

    class Meta:
        model = Stance
        fields = ["value", "label"]


class AddressField(serializers.URLField):
    """A source's web address: null where there is none, never "" (the schema promises a URI).

    The model keeps a missing address as ""; a client may send null or "" for it.
    """

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None

    def run_validation(self, data=serializers.empty):
        return super().run_validation("" if data is None else data)


class SourceRefSerializer(ModelSerializer):
    reused_per_record = True
    address = AddressField(source="url", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Source
        fields = ["slug", "outlet", "title", "published_on", "address", "url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        return api_url(self.context, "source-detail", source=obj.slug)


class DemandRefSerializer(ModelSerializer):
    reused_per_record = True
    party = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Demand
        fields = ["id", "party", "text", "url"]

    @reads("round__negotiation__slug")
    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        return statement_url(self.context, obj)


class RefField(serializers.SlugRelatedField):
    """A relation read as a reference object and written as the related record's identifier.

    With `scope="negotiation"` the identifier is looked up within the negotiation named in the
    URL: round and issue slugs are unique per negotiation only.
    """

    default_error_messages = {
        "does_not_exist": "No {model} “{value}”{where}.",
        "invalid": "Give the {model}'s identifier as a {kind}.",
    }

    def __init__(self, ref, *, slug_field="slug", scope: str | None = None, **kwargs):
        self.ref = ref
        self.scope = scope
        super().__init__(slug_field=slug_field, **kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        negotiation = self.context.get("negotiation")
        if self.scope and negotiation is not None:
            queryset = queryset.filter(**{self.scope: negotiation})
        return queryset

    def to_internal_value(self, data):
        model = self.get_queryset().model._meta.verbose_name
        if isinstance(data, bool) or not isinstance(data, str | int) or "\x00" in str(data):
            self.fail("invalid", model=model, kind="number" if self.slug_field == "pk" else "slug")
        try:
            return self.get_queryset().get(**{self.slug_field: data})
        except (TypeError, ValueError, OverflowError, DjangoValidationError):
            self.fail("invalid", model=model, kind="number" if self.slug_field == "pk" else "slug")
        except self.get_queryset().model.DoesNotExist:
            negotiation = self.context.get("negotiation")
            where = f" in negotiation “{negotiation.slug}”" if self.scope and negotiation else ""
            self.fail("does_not_exist", model=model, value=data, where=where)

    def reference(self) -> serializers.BaseSerializer:
        """The reference serializer, made once per field rather than once per value."""
        if "_reference" not in self.__dict__:
            self.__dict__["_reference"] = self.ref(context=self.context)
        return self.__dict__["_reference"]

    def to_representation(self, obj):
        return self.reference().to_representation(obj)

    def get_choices(self, cutoff=None):
        """Choices for the browsable API's forms, keyed by what a client writes."""
        queryset = self.get_queryset()
        if cutoff is not None:
            queryset = queryset[:cutoff]
        return {getattr(item, self.slug_field): self.display_value(item) for item in queryset}

    def use_pk_only_optimization(self):
        return False


class StanceField(serializers.Field):
    """A demand's stance: read as `{value, label}`, written as the value on the issue's scale."""

    default_error_messages = {"invalid": "Give the stance as a whole number on the issue's scale."}

    def reference(self) -> serializers.BaseSerializer:
        if "_reference" not in self.__dict__:
            self.__dict__["_reference"] = StanceRefSerializer()
        return self.__dict__["_reference"]

    def to_representation(self, stance):
        return self.reference().to_representation(stance)

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        try:
            return int(str(data).strip())
        except ValueError:
            self.fail("invalid")


# --- records --------------------------------------------------------------------------------------


class CleanModelSerializer(ModelSerializer):
    """Validate writes with the model's `full_clean()`: field rules, `clean()` and constraints.

    Messages come from the models (e.g. "This party already has a demand on this issue at this
    round; edit that one."), keyed by field, so a client never meets a database error instead.
    """

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        many_to_many = {field.name for field in model._meta.many_to_many}
        candidate = copy.copy(self.instance) if self.instance is not None else model()
        for name, value in attrs.items():
            if name not in many_to_many:
                setattr(candidate, name, value)
        self.complete_candidate(candidate)
        try:
            candidate.full_clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(field_errors(error)) from error
        return attrs

    def complete_candidate(self, candidate) -> None:
        """Set what the URL decides rather than the payload (the negotiation) before cleaning."""


class RecordSerializer(CleanModelSerializer):
    """A record with its API address (`url`, from `get_url`) and its reader page (`html_url`)."""

    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_html_url(self, obj) -> str | None:
        return page_url(self.context, obj)


class ScopedToNegotiationMixin:
    """For rounds and issues: the negotiation comes from the URL, never from the payload."""

    def complete_candidate(self, candidate) -> None:
        if candidate.negotiation_id is None and self.context.get("negotiation") is not None:
            candidate.negotiation = self.context["negotiation"]


class ParticipantSerializer(ModelSerializer):
    party = PartyRefSerializer(read_only=True)

    class Meta:
        model = Participant
        fields = ["party", "role", "also_mediates", "order"]


COLLECTIONS = ("rounds", "issues", "demands", "concessions")
VIEWS = ("positions", "changes", "gaps", "panel", "cite")


class NegotiationLinksSerializer(Serializer):
    """Where to find a negotiation's records and computed views."""

    rounds = serializers.URLField()
    issues = serializers.URLField()
    demands = serializers.URLField()
    concessions = serializers.URLField()
    positions = serializers.URLField()
    changes = serializers.URLField()
    gaps = serializers.URLField()
    panel = serializers.URLField()
    cite = serializers.URLField()

    def to_representation(self, negotiation):
        links = {
            name: api_url(self.context, f"negotiation-{name}-list", negotiation=negotiation.slug)
            for name in COLLECTIONS
        }
        for name in VIEWS:
            links[name] = api_url(self.context, f"negotiation-{name}", negotiation=negotiation.slug)
        return links


class NegotiationSerializer(RecordSerializer):
    """A negotiation: one process, its participants, and links to its records and views."""

    participants = ParticipantSerializer(many=True, read_only=True)
    links = NegotiationLinksSerializer(source="*", read_only=True)

    class Meta:
        model = Negotiation
        fields = [
            "slug",
            "title",
            "summary",
            "started_on",
            "ended_on",
            "participants",
            "updated_at",
            "url",
            "html_url",
            "links",
        ]
        read_only_fields = ["updated_at"]
        validators: list = []

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        return api_url(self.context, "negotiation-detail", negotiation=obj.slug)


class PartySerializer(RecordSerializer):
    """A state, bloc, organisation or mediator."""

    class Meta:
        model = Party
        fields = [
            "slug",
            "name",
            "short_name",
            "kind",
            "colour",
            "description",
            "updated_at",
            "url",
            "html_url",
        ]
        read_only_fields = ["updated_at"]
        validators: list = []

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        return api_url(self.context, "party-detail", party=obj.slug)


class SourceSerializer(RecordSerializer):
    """Evidence: `address` is where to read it, `url` this record in the API."""

    address = AddressField(
        source="url",
        max_length=500,
        required=False,
        allow_blank=True,
        help_text="Where the source can be read (the article's own address); null if unknown.",
    )
    cited_in = RefField(
        SourceRefSerializer,
        queryset=Source.objects.all(),
        required=False,
        allow_null=True,
        help_text="The source this one is known through; written as its slug.",
    )

    class Meta:
        model = Source
        fields = [
            "slug",
            "kind",
            "outlet",
            "title",
            "author",
            "address",
            "published_on",
            "speaker",
            "quote",
            "cited_in",
            "updated_at",
            "url",
            "html_url",
        ]
        read_only_fields = ["updated_at"]
        validators: list = []

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        return api_url(self.context, "source-detail", source=obj.slug)


def sources_field(**kwargs) -> RefField:
    return RefField(
        SourceRefSerializer,
        queryset=Source.objects.all(),
        many=True,
        allow_empty=False,
        help_text="The sources it rests on, at least one; written as slugs.",
        **kwargs,
    )


class RoundSerializer(ScopedToNegotiationMixin, RecordSerializer):
    """A dated step of a negotiation; the date carries its precision (docs/dates.md)."""

    negotiation = NegotiationRefSerializer(read_only=True)
    parties = RefField(
        PartyRefSerializer,
        queryset=Party.objects.all(),
        many=True,
        required=False,
        help_text="The parties that took part; written as slugs.",
    )
    sources = sources_field()

    class Meta:
        model = Round
        fields = [
            "negotiation",
            "slug",
            "title",
            "kind",
            "location",
            "start_date",
            "date_precision",
            "date_part",
            "end_date",
            "date_display",
            "sequence",
            "parties",
            "summary",
            "outcome",
            "sources",
            "updated_at",
            "url",
            "html_url",
        ]
        read_only_fields = ["updated_at", "date_display"]
        validators: list = []

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        return api_url(
            self.context, "round-detail", negotiation=obj.negotiation.slug, round=obj.slug
        )


class StanceSerializer(ModelSerializer):
    class Meta:
        model = Stance
        fields = ["value", "label", "description"]
        validators: list = []


class IssueSerializer(ScopedToNegotiationMixin, RecordSerializer):
    """A dimension of a negotiation with its ordinal scale of stances."""

    negotiation = NegotiationRefSerializer(read_only=True)
    high_pole_side = RefField(
        PartyRefSerializer,
        queryset=Party.objects.all(),
        required=False,
        allow_null=True,
        help_text="The party whose stated aim the high pole is: issues with the same side can be "
        "compared on one 0–1 axis; null means the scaled stance is not comparable across issues "
        "(docs/positions.md). Written as the party's slug.",
    )
    stances = StanceSerializer(
        many=True,
        required=False,
        help_text="The issue's scale, low pole to high pole. Given when the issue is created; "
        "an existing scale is changed in the admin, where the demands that use it are shown.",
    )

    class Meta:
        model = Issue
        fields = [
            "negotiation",
            "slug",
            "title",
            "category",
            "description",
            "low_pole",
            "high_pole",
            "high_pole_side",
            "order",
            "stances",
            "updated_at",
            "url",
            "html_url",
        ]
        read_only_fields = ["updated_at"]
        validators: list = []

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        return api_url(
            self.context, "issue-detail", negotiation=obj.negotiation.slug, issue=obj.slug
        )

    def validate_stances(self, stances):
        # A partial update (PATCH) does not make nested fields required, so check them here.
        if any("value" not in stance or "label" not in stance for stance in stances):
            raise serializers.ValidationError("Each stance needs a value and a label.")
        for key in ("value", "label"):
            seen = [stance[key] for stance in stances]
            duplicates = sorted({str(item) for item in seen if seen.count(item) > 1})
            if duplicates:
                raise serializers.ValidationError(
                    f"Each stance needs its own {key}; repeated: {', '.join(duplicates)}."
                )
        return sorted(stances, key=lambda stance: stance["value"])

    def validate(self, attrs):
        stances = attrs.pop("stances", None)
        if stances is not None and self.instance is not None:
            current = [
                {"value": s.value, "label": s.label, "description": s.description}
                for s in self.instance.stances.all()
            ]
            given = [{"description": "", **stance} for stance in stances]
            if given != current:
                raise serializers.ValidationError(
                    {
                        "stances": [
                            "An existing scale is not changed through the API: demands point at "
                            "its stances. Leave `stances` out, or change the scale in the admin."
                        ]
                    }
                )
            stances = None
        attrs = super().validate(attrs)
        if stances is not None:
            attrs["stances"] = stances
        return attrs

    def create(self, validated_data):
        stances = validated_data.pop("stances", [])
        issue = super().create(validated_data)
        Stance.objects.bulk_create(Stance(issue=issue, **stance) for stance in stances)
        return issue


class StatementSerializer(RecordSerializer):
    """What demands and concessions share: who said it, on what, at which round, on whose word."""

    negotiation = NegotiationRefSerializer(source="round.negotiation", read_only=True)
    party = RefField(
        PartyRefSerializer,
        queryset=Party.objects.all(),
        help_text="The party; written as its slug.",
    )
    issue = RefField(
        IssueRefSerializer,
        queryset=Issue.objects.all(),
        scope="negotiation",
        help_text="The issue; written as its slug within the negotiation in the URL.",
    )
    round = RefField(
        RoundRefSerializer,
        queryset=Round.objects.all(),
        scope="negotiation",
        help_text="The round; written as its slug within the negotiation in the URL.",
    )
    sources = sources_field()
    competing_claims = serializers.SerializerMethodField(
        help_text="Sources that say otherwise than this statement, each with its claim and "
        "status (reported, confirmed, disputed); docs/dataset.md."
    )

    @reads("round__negotiation__slug")
    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        return statement_url(self.context, obj)

    @reads("competing_claims__claim", "competing_claims__status", "competing_claims__source__slug")
    def get_competing_claims(self, obj) -> list[dict[str, str]]:
        return [
            {"claim": c.claim, "status": c.status, "source": c.source.slug}
            for c in obj.competing_claims.all()
        ]

    @reads("round__slug", "round__negotiation__slug")
    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_html_url(self, obj) -> str | None:
        """The reader page that shows the statement: its round's page."""
        return page_url(self.context, obj.round)


class DemandSerializer(StatementSerializer):
    """What one party demands on one issue as stated at one round; it stands until restated."""

    stance = StanceField(
        required=False,
        allow_null=True,
        help_text="Where the demand sits on the issue's scale; written as the stance value. "
        "Null when it cannot be placed.",
    )

    class Meta:
        model = Demand
        fields = [
            "id",
            "negotiation",
            "party",
            "issue",
            "round",
            "stance",
            "text",
            "priority",
            "status",
            "sources",
            "competing_claims",
            "created_at",
            "updated_at",
            "url",
            "html_url",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []

    def validate(self, attrs):
        if attrs.get("stance") is not None:
            issue = attrs.get("issue") or self.instance.issue
            try:
                attrs["stance"] = issue.stances.get(value=attrs["stance"])
            except Stance.DoesNotExist:
                scale = ", ".join(f"{s.value} ({s.label})" for s in issue.stances.all())
                raise serializers.ValidationError(
                    {
                        "stance": [
                            f"“{issue.title}” has no stance {attrs['stance']}; its scale: "
                            f"{scale or 'none defined yet'}."
                        ]
                    }
                ) from None
        return super().validate(attrs)


class ConcessionSerializer(StatementSerializer):
    """An explicit move a party offers or makes at a round on an issue."""

    softens = RefField(
        DemandRefSerializer,
        slug_field="pk",
        queryset=Demand.objects.select_related("party", "round"),
        scope="round__negotiation",
        required=False,
        allow_null=True,
        help_text="The party's own earlier demand this gives up or softens; written as its id.",
    )
    in_return_for = RefField(
        DemandRefSerializer,
        slug_field="pk",
        queryset=Demand.objects.select_related("party", "round"),
        scope="round__negotiation",
        required=False,
        allow_null=True,
        help_text="The counterpart's demand this is conditional on; written as its id.",
    )

    class Meta:
        model = Concession
        fields = [
            "id",
            "negotiation",
            "party",
            "issue",
            "round",
            "text",
            "softens",
            "conditions",
            "in_return_for",
            "status",
            "sources",
            "competing_claims",
            "created_at",
            "updated_at",
            "url",
            "html_url",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []


# --- the product's two questions, and what follows from them --------------------------------------


class DemandSummarySerializer(ModelSerializer):
    """A standing demand as the position service returns it."""

    stance = StanceRefSerializer(allow_null=True, read_only=True)
    round = RoundRefSerializer(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Demand
        fields = ["id", "text", "priority", "status", "stance", "round", "url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        return statement_url(self.context, obj)


class ConcessionSummarySerializer(ModelSerializer):
    round = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Concession
        fields = ["id", "round", "text", "status", "url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        return statement_url(self.context, obj)


class GapSerializer(Serializer):
    issue = IssueRefSerializer(read_only=True)
    round = RoundRefSerializer(read_only=True)
    spread = serializers.IntegerField(
        allow_null=True, help_text="Max minus min of the principals' stances; null below two."
    )
    normalised = serializers.FloatField(
        allow_null=True, help_text="Spread divided by the width of the issue's scale (0 to 1)."
    )
    stances = serializers.SerializerMethodField(help_text="Placed stance value by party slug.")

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField()))
    def get_stances(self, gap) -> dict:
        slugs = self.context["party_slugs"]
        return {slugs[party_id]: value for party_id, value in gap.stances.items()}


class PositionSerializer(Serializer):
    party = PartyRefSerializer(read_only=True)
    issue = IssueRefSerializer(read_only=True)
    stated = serializers.BooleanField(
        source="is_stated", help_text="A demand stands and is not a retraction."
    )
    demand = DemandSummarySerializer(
        allow_null=True,
        read_only=True,
        help_text="The standing demand (its round is when it was stated); null if none yet.",
    )


class PositionsSerializer(Serializer):
    negotiation = NegotiationRefSerializer(read_only=True)
    as_of = RoundRefSerializer(allow_null=True, read_only=True)
    parties = PartyRefSerializer(many=True, read_only=True)
    issues = IssueRefSerializer(many=True, read_only=True)
    gaps = GapSerializer(many=True, read_only=True)
    results = PositionSerializer(many=True, read_only=True)


class ChangeSerializer(Serializer):
    party = PartyRefSerializer(read_only=True)
    issue = IssueRefSerializer(read_only=True)
    kind = serializers.ChoiceField(choices=MoveKind.choices, help_text="See docs/positions.md.")
    is_change = serializers.BooleanField(help_text="Moved, or made a concession, in between.")
    stance_delta = serializers.IntegerField(
        allow_null=True, help_text="Rungs moved; positive is toward the scale's high pole."
    )
    before = DemandSummarySerializer(allow_null=True, read_only=True)
    after = DemandSummarySerializer(allow_null=True, read_only=True)
    toward = serializers.SerializerMethodField(
        help_text="Slugs of the principals the stance moved closer to."
    )
    away_from = serializers.SerializerMethodField(
        help_text="Slugs of the principals the stance moved further from."
    )
    concessions = ConcessionSummarySerializer(many=True, read_only=True)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_toward(self, change) -> list[str]:
        return [party.slug for party in change.toward]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_away_from(self, change) -> list[str]:
        return [party.slug for party in change.away_from]


class ChangesSerializer(Serializer):
    negotiation = NegotiationRefSerializer(read_only=True)
    from_round = RoundRefSerializer(read_only=True)
    to_round = RoundRefSerializer(read_only=True)
    parties = PartyRefSerializer(many=True, read_only=True)
    issues = IssueRefSerializer(many=True, read_only=True)
    results = ChangeSerializer(many=True, read_only=True)


class GapHistorySerializer(Serializer):
    negotiation = NegotiationRefSerializer(read_only=True)
    parties = PartyRefSerializer(many=True, read_only=True)
    results = GapSerializer(many=True, read_only=True)


class PanelRowSerializer(Serializer):
    """One issue × party × round with the stance standing then; flat, for data frames."""

    negotiation = serializers.CharField()
    issue_slug = serializers.CharField()
    issue_title = serializers.CharField()
    issue_category = serializers.CharField()
    issue_high_pole_side = serializers.CharField(
        allow_null=True,
        help_text="Party whose aim the issue's high pole is; empty: `stance_scaled` is not "
        "comparable with other issues'.",
    )
    party_slug = serializers.CharField()
    party_short_name = serializers.CharField()
    party_role = serializers.CharField()
    round_slug = serializers.CharField()
    round_title = serializers.CharField()
    round_index = serializers.IntegerField(help_text="0 for the first round, in round order.")
    round_date = serializers.DateField()
    round_date_precision = serializers.CharField()
    round_date_part = serializers.CharField()
    stance_value = serializers.IntegerField(allow_null=True)
    stance_label = serializers.CharField(allow_null=True)
    stance_scaled = serializers.FloatField(
        allow_null=True, help_text="Stance on a 0–1 scale: 0 the low pole, 1 the high pole."
    )
    scale_min = serializers.IntegerField(allow_null=True)
    scale_max = serializers.IntegerField(allow_null=True)
    demand_id = serializers.IntegerField(allow_null=True)
    demand_status = serializers.CharField(allow_null=True)
    demand_priority = serializers.CharField(allow_null=True)
    stated_round_slug = serializers.CharField(
        allow_null=True, help_text="Round at which the standing demand was stated."
    )
    stated_here = serializers.BooleanField(help_text="The demand was stated at this very round.")


class PanelSerializer(Serializer):
    negotiation = NegotiationRefSerializer(read_only=True)
    results = PanelRowSerializer(many=True, read_only=True)


class CitationSerializer(Serializer):
    negotiation = NegotiationRefSerializer(read_only=True)
    title = serializers.CharField()
    version = serializers.DateTimeField(
        allow_null=True, help_text="Time of the latest recorded change to this negotiation's data."
    )
    date = serializers.DateField(allow_null=True, help_text="Day of `version`.")
    url = serializers.URLField(help_text="The API record.")
    html_url = serializers.URLField(allow_null=True, help_text="The reader page, if served.")
    citation = serializers.CharField(help_text="Suggested citation.")
    bibtex = serializers.CharField(help_text="The citation as a BibTeX entry.")
    csl_json = serializers.JSONField(help_text="The citation as CSL-JSON (a list of one item).")
    accessed = serializers.DateField(help_text="The day the citation was made.")
    moving_head = serializers.BooleanField(
        help_text="True: the cited data is the latest state, which changes; false: a release."
    )
    release = serializers.CharField(allow_null=True, help_text="Tag of the cited release.")
    release_date = serializers.DateField(allow_null=True, help_text="Day the release was cut.")
    release_url = serializers.URLField(allow_null=True, help_text="The release's address.")
    latest_release = serializers.CharField(
        allow_null=True, help_text="Tag of the latest release, to pin instead of the head."
    )
    statement = serializers.CharField(help_text="What is cited: a release, or the moving head.")


# --- query parameters of the computed endpoints ---------------------------------------------------


class RoundParameter(serializers.SlugRelatedField):
    """A round slug in a query string, looked up in the negotiation of the URL."""

    default_error_messages = {
        "does_not_exist": "No round “{value}” in negotiation “{negotiation}”; its rounds are "
        "listed at {rounds_url}.",
        "invalid": "Give a round slug.",
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="slug", queryset=Round.objects.all(), **kwargs)

    def get_queryset(self):
        return Round.objects.filter(negotiation=self.context["negotiation"])

    def to_internal_value(self, data):
        try:
            frame = self.context.get("frame")  # the rounds are loaded: no query to find one
            if frame is not None:
                return next(r for r in frame.rounds if r.slug == str(data))
            return self.get_queryset().get(slug=data)
        except (Round.DoesNotExist, StopIteration):
            negotiation = self.context["negotiation"]
            self.fail(
                "does_not_exist",
                value=data,
                negotiation=negotiation.slug,
                rounds_url=api_url(
                    self.context, "negotiation-rounds-list", negotiation=negotiation.slug
                ),
            )


class PositionsQuerySerializer(Serializer):
    as_of = RoundParameter(
        required=False, help_text="Round slug; positions as they stood then. Default: latest."
    )


class ChangesQuerySerializer(Serializer):
    moved_only = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Leave out issues on which no principal moved or conceded.",
    )

    def get_fields(self):
        fields = super().get_fields()
        # "from" is a Python keyword, so these two are declared here rather than as attributes.
        fields["from"] = RoundParameter(
            required=False,
            help_text="Round slug to compare from. Default: the round before `to`.",
        )
        fields["to"] = RoundParameter(
            required=False, help_text="Round slug to compare to. Default: the latest round."
        )
        return fields
