"""Filters for the record lists, strict on purpose.

A researcher who mistypes a slug, a date or a parameter name must get a 400 naming it, never an
empty or unfiltered 200 that looks like an answer.
"""

from __future__ import annotations

import re

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter, SearchFilter

from negotiations.api.pagination import chronological_ordering, is_chronological
from negotiations.models import Issue, Negotiation, Party, Round, Source
from positions.models import Concession, Demand

# Parameters every endpoint accepts besides its own: the renderer override (?format=csv).
COMMON_PARAMETERS = {"format"}

# Round dates are filtered by start date alone, not as intervals (docs/api.md, "Dates that are
# not a day").
FIRST_DAY = (
    " An imprecise date (a month, season, year, or a period) counts as its first day;"
    " the end date is not considered."
)


def negotiation_slugs(request) -> list[str]:
    """Return the negotiation(s) a request is about: the one in the URL, else ?negotiation=."""
    url_kwargs = (getattr(request, "parser_context", None) or {}).get("kwargs", {})
    if "negotiation" in url_kwargs:
        return [url_kwargs["negotiation"]]
    return [slug for slug in request.query_params.getlist("negotiation") if slug]


def within_negotiation(model):
    """Choices for a round or issue slug: those of the negotiation asked about, if one is.

    Round and issue slugs are unique per negotiation only; without a negotiation, a slug
    matches that round (or issue) in every negotiation that has one.
    """

    def queryset(request):
        records = model.objects.all()
        if request is None:  # schema generation
            return records
        slugs = negotiation_slugs(request)
        return records.filter(negotiation__slug__in=slugs) if slugs else records

    return queryset


class SlugChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """Records named by slug, matched as the records found (so scoped slugs stay scoped)."""

    def get_filter_predicate(self, v):
        return {self.field_name: v}


def slug_filter(field_name: str, queryset, noun: str, *, distinct: bool = False, **kwargs):
    """A filter by slug. `distinct=True` only across a to-many relation (a round's parties):
    django-filter's default (always DISTINCT) makes every filtered list sort and compare whole
    rows, which at a million demands costs more than the query itself."""
    return SlugChoiceFilter(
        distinct=distinct,
        field_name=field_name,
        to_field_name="slug",
        queryset=queryset,
        error_messages={"invalid_choice": f"No {noun} “%(value)s”."},
        help_text=f"{noun.capitalize()} slug; repeat the parameter for any of several.",
        **kwargs,
    )


def date_filter(field_name: str, lookup_expr: str, help_text: str):
    return django_filters.DateFilter(
        field_name=field_name,
        lookup_expr=lookup_expr,
        error_messages={"invalid": "Give a date as YYYY-MM-DD."},
        help_text=help_text,
    )


def choice_filter(field_name: str, choices, noun: str):
    """A filter by a value among `choices`, of the record or one it points to (no DISTINCT)."""
    return django_filters.MultipleChoiceFilter(
        field_name=field_name,
        distinct=False,
        choices=choices,
        error_messages={
            "invalid_choice": f"No {noun} “%(value)s”; choose from "
            + ", ".join(value for value, _ in choices)
            + "."
        },
        help_text="Repeat the parameter for any of several values.",
    )


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class NegotiationFilter(django_filters.FilterSet):
    class Meta:
        model = Negotiation
        fields: list = []


class PartyFilter(django_filters.FilterSet):
    negotiation = slug_filter(
        "participations__negotiation", Negotiation.objects.all(), "negotiation", distinct=True
    )
    kind = choice_filter("kind", Party.Kind.choices, "kind")

    class Meta:
        model = Party
        fields: list = []


class SourceFilter(django_filters.FilterSet):
    negotiation = slug_filter(
        "negotiation", Negotiation.objects.all(), "negotiation", method="cited_in_negotiation"
    )
    kind = choice_filter("kind", Source.Kind.choices, "kind")
    outlet = django_filters.CharFilter(
        method="outlet_words",
        help_text="Words of the outlet's name, each matched as a whole word in any letter case: "
        "`New York Times` finds “The New York Times”, `times` finds it too, `York Ti` does not.",
    )
    after = date_filter("published_on", "gte", "Published on or after this date (YYYY-MM-DD).")
    before = date_filter("published_on", "lte", "Published on or before this date (YYYY-MM-DD).")

    class Meta:
        model = Source
        fields: list = []

    def outlet_words(self, queryset, name, value):
        """Sources whose outlet has every given word as a whole word (`\\W` both sides)."""
        for word in value.split():
            queryset = queryset.filter(outlet__iregex=rf"(^|\W){re.escape(word)}(\W|$)")
        return queryset

    @extend_schema_field(OpenApiTypes.STR)
    def cited_in_negotiation(self, queryset, name, negotiations):
        """Sources any round, demand or concession of the negotiation(s) rests on."""
        if not negotiations:
            return queryset
        source = OuterRef("pk")
        return queryset.filter(
            Exists(
                Round.sources.through.objects.filter(
                    source=source, round__negotiation__in=negotiations
                )
            )
            | Exists(
                Demand.sources.through.objects.filter(
                    source=source, demand__round__negotiation__in=negotiations
                )
            )
            | Exists(
                Concession.sources.through.objects.filter(
                    source=source, concession__round__negotiation__in=negotiations
                )
            )
        )


class RoundFilter(django_filters.FilterSet):
    negotiation = slug_filter("negotiation", Negotiation.objects.all(), "negotiation")
    kind = choice_filter("kind", Round.Kind.choices, "kind")
    party = slug_filter("parties", Party.objects.all(), "party", distinct=True)
    source = slug_filter("sources", Source.objects.all(), "source", distinct=True)
    after = date_filter(
        "start_date", "gte", "Rounds whose start date is on or after (YYYY-MM-DD)." + FIRST_DAY
    )
    before = date_filter(
        "start_date", "lte", "Rounds whose start date is on or before (YYYY-MM-DD)." + FIRST_DAY
    )

    class Meta:
        model = Round
        fields: list = []


class IssueFilter(django_filters.FilterSet):
    negotiation = slug_filter("negotiation", Negotiation.objects.all(), "negotiation")
    category = choice_filter("category", Issue.Category.choices, "category")

    class Meta:
        model = Issue
        fields: list = []


class StatementFilter(django_filters.FilterSet):
    """What demands and concessions share: who, on what, when, on whose word."""

    negotiation = slug_filter("round__negotiation", Negotiation.objects.all(), "negotiation")
    party = slug_filter("party", Party.objects.all(), "party")
    issue = slug_filter("issue", within_negotiation(Issue), "issue")
    category = choice_filter("issue__category", Issue.Category.choices, "category")
    round = slug_filter("round", within_negotiation(Round), "round")
    after = date_filter(
        "round__start_date",
        "gte",
        "Stated at rounds starting on or after (YYYY-MM-DD)." + FIRST_DAY,
    )
    before = date_filter(
        "round__start_date",
        "lte",
        "Stated at rounds starting on or before (YYYY-MM-DD)." + FIRST_DAY,
    )
    source = slug_filter("sources", Source.objects.all(), "source", distinct=True)


class DemandFilter(StatementFilter):
    stance_min = IntegerFilter(
        field_name="stance__value",
        lookup_expr="gte",
        help_text="Stance value at least this (demands without a stance are left out).",
    )
    stance_max = IntegerFilter(
        field_name="stance__value",
        lookup_expr="lte",
        help_text="Stance value at most this (demands without a stance are left out).",
    )
    priority = choice_filter("priority", Demand.Priority.choices, "priority")
    status = choice_filter("status", Demand.Status.choices, "status")

    class Meta:
        model = Demand
        fields: list = []


class ConcessionFilter(StatementFilter):
    status = choice_filter("status", Concession.Status.choices, "status")

    class Meta:
        model = Concession
        fields: list = []


def reject_unknown_parameters(request, known: set[str], multi: set[str] = frozenset()) -> None:
    """Refuse a query string the endpoint cannot read exactly: a typo must not widen the answer.

    A parameter the endpoint does not take, a single-valued one given twice (the last would
    silently win) and an empty value (which would silently mean "not given") are each a 400
    naming the parameter and what it takes. `multi` names the parameters that may repeat.
    """
    reject_null_characters(request)
    errors: dict[str, list[str]] = {}
    takes = (
        f"this endpoint takes {', '.join(sorted(known))} (and format)."
        if known
        else "this endpoint takes no parameters (except format)."
    )
    for name, values in request.query_params.lists():
        if name not in known and name not in COMMON_PARAMETERS:
            errors[name] = [f"Unknown parameter; {takes}"]
        elif len(values) > 1 and name not in multi:
            errors[name] = [f"Given {len(values)} times; give one value."]
        elif any(not value.strip() for value in values):
            errors[name] = ["Empty value; give a value or leave the parameter out."]
    if errors:
        raise ValidationError(errors)


def multi_valued_filters(filterset_class) -> set[str]:
    """Filters that take several values (`?party=a&party=b` means either)."""
    kinds = (django_filters.ModelMultipleChoiceFilter, django_filters.MultipleChoiceFilter)
    return {
        name
        for name, filter in (filterset_class.base_filters.items() if filterset_class else [])
        if isinstance(filter, kinds)
    }


def reject_null_characters(request) -> None:
    """Refuse NUL characters, which no slug or text holds and PostgreSQL cannot compare."""
    bad = sorted(
        name
        for name, values in request.query_params.lists()
        if "\x00" in name or any("\x00" in value for value in values)
    )
    if bad:
        raise ValidationError({name: ["Null characters are not allowed."] for name in bad})


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, plus a 400 for query parameters no filter, ordering or paging reads."""

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", None) in ("list", "retrieve"):
            multi = set()
            if view.action == "list":
                multi = multi_valued_filters(getattr(view, "filterset_class", None))
            reject_unknown_parameters(request, known_list_parameters(view, queryset), multi)
        else:
            reject_null_characters(request)
        return super().filter_queryset(request, queryset, view)


def known_list_parameters(view, queryset) -> set[str]:
    known: set[str] = set()
    filterset_class = getattr(view, "filterset_class", None)
    if filterset_class is not None and view.action == "list":
        known |= set(filterset_class.base_filters)
    for backend in view.filter_backends:
        for attribute in ("search_param", "ordering_param"):
            if view.action == "list" and hasattr(backend, attribute):
                known.add(getattr(backend, attribute))
    paginator = getattr(view, "paginator", None)
    if paginator is not None and view.action == "list":
        for attribute in ("cursor_query_param", "page_size_query_param"):
            if getattr(paginator, attribute, None):
                known.add(getattr(paginator, attribute))
    return known


class StrictOrderingFilter(OrderingFilter):
    """Ordering that refuses unknown fields instead of silently ignoring them.

    On the lists kept in date order, `date` and `-date` stand for the view's whole key (date,
    round sequence, id), so JSON pages and CSV files list records sharing a date in round order.
    """

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if ordering and is_chronological(view) and ordering[0].lstrip("-") == "date":
            return chronological_ordering(view, ordering[0])
        return ordering

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = {name for name, _ in self.get_valid_fields(queryset, view, {"request": request})}
        invalid = [term for term in fields if term.lstrip("-") not in valid]
        choices = ", ".join(sorted(valid))
        named = [term.lstrip("-") for term in fields]
        if is_chronological(view) and len(fields) > 1:
            raise ValidationError(
                {self.ordering_param: ["Give one of date or -date; this list has one order."]}
            )
        if not invalid and len(set(named)) < len(named):
            raise ValidationError(
                {
                    self.ordering_param: [
                        f"Name each field once; use {choices} (prefix - for descending)."
                    ]
                }
            )
        if invalid:
            raise ValidationError(
                {
                    self.ordering_param: [
                        f"Cannot order by {', '.join(invalid)}; use {choices} "
                        "(prefix - for descending)."
                    ]
                }
            )
        return list(fields)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        fields = getattr(view, "ordering_fields", None)
        for parameter in parameters:
            if fields and parameter["name"] == self.ordering_param:
                parameter["description"] = (
                    f"Order by {', '.join(fields)}; prefix - for descending, "
                    "comma-separate several."
                )
        return parameters


class WordSearchFilter(SearchFilter):
    search_description = (
        "Words that must all occur in the text (any letter case); quote a phrase to keep it whole."
    )
