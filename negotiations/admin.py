"""Admin for the negotiation itself: where analysts enter rounds, issues and sources.

A round's page is the analysts' workspace: the positions as they stood before the round, then
the demands and concessions stated at it. See docs/admin.md.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.db import IntegrityError, models, router, transaction
from django.db.models import F, Func, Max, OuterRef, Subquery
from django.forms.models import BaseInlineFormSet
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse, reverse_lazy
from django.utils.html import format_html
from django.utils.http import urlencode

from negotiations.dates import parse_date_words, understood_date
from negotiations.models import Issue, Negotiation, Participant, Party, Round, Source, Stance
from positions.admin import (
    COMPACT_TEXT,
    ConcessionInline,
    DemandInline,
    ParleyAdmin,
    ParleyAutocomplete,
)
from positions.forms import (
    ROW_CHOICE_FIELDS,
    GuardedModelForm,
    VersionedModelForm,
    choice_label,
    fitting_choices,
    link_statement_formsets,
    refusal_message,
)
from positions.models import Concession, Demand
from positions.paginator import ROWS_BUTTON, page_parameter, rows_on_page
from positions.services import positions_as_of

# --- forms ------------------------------------------------------------------------------------


def date_words_field() -> forms.CharField:
    return forms.CharField(
        required=False,
        label="Date in words",
        help_text="E.g. “24 Jan 2026”, “February 2026”, “mid-March 2025”, “late spring 2025”, "
        "“2025”: fills the date, its precision and part below.",
        widget=forms.TextInput(
            attrs={
                "class": "vTextField date-words",
                "data-url": reverse_lazy("admin:negotiations_round_date_words"),
                "autocomplete": "off",
            }
        ),
    )


class DatedRoundForm:
    """A round's date typed in words, or in its three fields; either way checked as before.

    Words are read by negotiations/dates.py `parse_date_words` (a small script shows the
    reading while typing, from the same function); a day given with a coarser precision is
    understood as its period (`understood_date`). The model's checks then run unchanged.
    Mixed into the round forms, which declare `date_words = date_words_field()`.
    """

    class Media:
        js = ["positions/admin-date-words.js"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "start_date" in self.fields:
            self.fields["start_date"].required = False

    def clean(self):
        data = self.cleaned_data
        words = (data.get("date_words") or "").strip()
        if words:
            try:
                worded = parse_date_words(words)
            except ValueError as error:
                self.add_error("date_words", str(error))
            else:
                data["start_date"] = worded.start_date
                data["date_precision"] = str(worded.precision)
                data["date_part"] = worded.part
                for name in ("start_date", "date_precision", "date_part"):
                    self._errors.pop(name, None)
        elif data.get("start_date") is None:
            if "start_date" not in self._errors:
                self.add_error("start_date", "Give the date: in words above, or here.")
        elif data.get("date_precision"):
            data["start_date"] = understood_date(
                data["start_date"], data["date_precision"], data.get("date_part") or ""
            )
        return super().clean()

    def validate_unique(self):
        """Show the refusal of an end before the start on the End date field."""
        super().validate_unique()
        errors = self._errors.get(NON_FIELD_ERRORS) if self._errors else None
        if not errors:
            return
        words = next(
            str(c.violation_error_message)
            for c in Round._meta.constraints
            if c.name == "negotiations_round_ends_after_start"
        )
        moved = [e for e in errors.as_data() if words in e.messages]
        if moved and "end_date" in self.fields:
            kept = [e for e in errors.as_data() if words not in e.messages]
            errors.clear()
            errors.extend(kept)
            if not errors:
                del self._errors[NON_FIELD_ERRORS]
            self._errors.setdefault("end_date", self.error_class()).append(
                f"{words} Give an end date on or after the start, or leave it empty."
            )


class RoundForm(DatedRoundForm, VersionedModelForm):
    date_words = date_words_field()


class NextRoundForm(DatedRoundForm, GuardedModelForm):
    """The round after `previous`: it must not sort before it. Its parties start as the
    previous round's (editable)."""

    date_words = date_words_field()

    def __init__(self, *args, previous: Round, **kwargs):
        super().__init__(*args, **kwargs)
        self.previous = previous
        if "parties" in self.fields and not self.is_bound:
            self.initial["parties"] = [party.pk for party in previous.parties.all()]

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Round.objects.filter(negotiation_id=self.previous.negotiation_id, slug=slug).exists():
            raise forms.ValidationError("A round of this negotiation already has this slug.")
        return slug

    def clean(self):
        cleaned_data = super().clean()
        start = cleaned_data.get("start_date")
        if start is not None and start < self.previous.start_date:
            self.add_error(
                "date_words" if cleaned_data.get("date_words") else "start_date",
                f"The next round cannot start before “{self.previous}” "
                f"({self.previous.date_display}).",
            )
        return cleaned_data

    def _post_clean(self):
        start = self.cleaned_data.get("start_date")
        if start is not None:
            # Rounds on one date are ordered by sequence: this one goes after the others.
            latest = Round.objects.filter(
                negotiation_id=self.previous.negotiation_id, start_date=start
            ).aggregate(Max("sequence"))["sequence__max"]
            self.instance.sequence = 0 if latest is None else latest + 1
        super()._post_clean()


class ParticipantFormSet(BaseInlineFormSet):
    """A negotiation's participants: one whose party has statements here cannot be removed."""

    def clean(self):
        super().clean()
        refusals = []
        for form in self.deleted_forms:
            if form.instance.pk is not None:
                try:
                    form.instance.validate_leaving()
                except forms.ValidationError as refusal:
                    refusals.append(refusal)
        if refusals:
            raise forms.ValidationError(refusals)


# --- negotiations, parties, participants -----------------------------------------------------


class ParticipantInline(ParleyAutocomplete, admin.TabularInline):
    model = Participant
    form = GuardedModelForm
    formset = ParticipantFormSet
    fields = ["party", "role", "also_mediates", "order"]
    autocomplete_fields = ["party"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("party", "negotiation")


@admin.register(Negotiation)
class NegotiationAdmin(ParleyAdmin):
    form = VersionedModelForm
    list_display = ["title", "slug", "started_on", "ended_on", "updated_at"]
    search_fields = ["title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["title", "slug", "summary", "started_on", "ended_on"]
    inlines = [ParticipantInline]


@admin.register(Party)
class PartyAdmin(ParleyAdmin):
    form = VersionedModelForm
    list_display = ["name", "short_name", "kind", "swatch", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "short_name", "slug", "kind", "colour", "description"]

    @admin.display(description="colour", ordering="colour")
    def swatch(self, party):
        return format_html(
            '<svg width="14" height="14" viewBox="0 0 1 1" aria-hidden="true">'
            '<rect width="1" height="1" fill="{}" stroke="#888" stroke-width="0.1"/></svg> {}',
            party.colour,
            party.colour,
        )


@admin.register(Participant)
class ParticipantAdmin(ParleyAdmin):
    form = GuardedModelForm
    list_display = ["party", "negotiation", "role", "also_mediates", "order"]
    list_filter = ["role", "negotiation"]
    list_select_related = ["party", "negotiation"]
    search_fields = ["party__name", "party__short_name", "negotiation__title"]
    autocomplete_fields = ["negotiation", "party"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("party", "negotiation")

    def blocking_records(self, objs):
        return [statement for participant in objs for statement in participant.statements()]


# --- sources ----------------------------------------------------------------------------------


@admin.register(Source)
class SourceAdmin(ParleyAdmin):
    form = VersionedModelForm
    list_display = ["outlet", "title", "kind", "published_on", "speaker"]
    list_filter = ["kind"]
    search_fields = ["outlet", "title", "speaker", "author", "quote", "slug", "url"]
    date_hierarchy = "published_on"
    autocomplete_fields = ["cited_in"]
    prepopulated_fields = {"slug": ["outlet", "title"]}
    fields = [
        "kind",
        "outlet",
        "title",
        "slug",
        "author",
        "url",
        "published_on",
        "speaker",
        "quote",
        "cited_in",
    ]
    formfield_overrides = {**COMPACT_TEXT, models.URLField: {"assume_scheme": "https"}}

    def blocking_records(self, objs):
        return [record for source in objs for record in source.citing_records()]


# --- rounds -----------------------------------------------------------------------------------


def rows_at_round(model) -> Subquery:
    """The number of `model` rows (demands or concessions) stated at the outer round.

    A correlated COUNT without GROUP BY always yields one row, so a round with none shows 0;
    PostgreSQL evaluates it only for the rows of the page shown (after ORDER BY … LIMIT),
    each through the index on the round column.
    """
    rows = (
        model.objects.filter(round=OuterRef("pk"))
        .order_by()
        .values(total=Func(F("pk"), function="COUNT"))
    )
    return Subquery(rows, output_field=models.IntegerField())


NEXT_ROUND_FIELDSETS = [
    (None, {"fields": ["title", "slug", "kind", "location"]}),
    (
        "Date",
        {
            "fields": ["date_words", ("start_date", "date_precision", "date_part"), "end_date"],
            "description": "A date carries its precision: “late spring 2025” is a season, "
            "late, stored as 1 May 2025 (see the table in docs/dates.md). Type it in words, "
            "or set the three fields.",
        },
    ),
    ("Who and on whose word", {"fields": ["parties", "sources"]}),
]


@admin.register(Round)
class RoundAdmin(ParleyAdmin):
    form = RoundForm
    list_display = [
        "title",
        "negotiation",
        "date",
        "kind",
        "location",
        "demand_count",
        "concession_count",
    ]
    list_filter = ["negotiation", "kind", "date_precision"]
    list_select_related = ["negotiation"]
    search_fields = ["title", "slug", "location", "summary", "outcome"]
    date_hierarchy = "start_date"
    autocomplete_fields = ["negotiation", "parties", "sources"]
    prepopulated_fields = {"slug": ["title"]}
    formfield_overrides = COMPACT_TEXT
    fieldsets = [
        (None, {"fields": ["negotiation", "title", "slug", "kind", "location"]}),
        (
            "Date",
            {
                "fields": [
                    "date_words",
                    ("start_date", "date_precision", "date_part"),
                    ("end_date", "sequence"),
                ],
                "description": NEXT_ROUND_FIELDSETS[1][1]["description"],
            },
        ),
        ("Who and on whose word", {"fields": ["parties", "sources"]}),
        ("What happened", {"fields": ["summary", "outcome"]}),
    ]
    inlines = [DemandInline, ConcessionInline]

    def get_queryset(self, request):
        # Counted by a subquery per listed round, not by joining both tables: two joins make a
        # demands × concessions cross product per round (16 s at 1M demands; docs/performance.md).
        return (
            super()
            .get_queryset(request)
            .annotate(
                demand_total=rows_at_round(Demand),
                concession_total=rows_at_round(Concession),
            )
        )

    @admin.display(description="date", ordering="start_date")
    def date(self, round):
        return round.date_display

    @admin.display(description="demands", ordering="demand_total")
    def demand_count(self, round):
        return round.demand_total

    @admin.display(description="concessions", ordering="concession_total")
    def concession_count(self, round):
        return round.concession_total

    def get_inlines(self, request, obj):
        # Statements are entered once the round exists: their validation needs the round's
        # negotiation, and the page then shows where things stood before it.
        return self.inlines if obj is not None else []

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        if {IS_POPUP_VAR, "_addanother", "_continue", "_saveasnew"} & set(request.POST):
            return response
        self.message_user(
            request, "Now enter below what each party demanded or conceded at this round."
        )
        return redirect("admin:negotiations_round_change", obj.pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        round = self.get_object(request, unquote(object_id))
        if round is not None:
            extra_context = {**standing_context(round), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)

    def history_entries(self, request, object_id):
        """A round's history lists its demand and concession rows too, merged by time."""
        entries = super().history_entries(request, object_id)
        if not str(object_id).isdigit():
            return entries
        for model in (Demand, Concession):
            ever_here = model.history.filter(round_id=object_id).values("id")
            rows = model.history.filter(id__in=ever_here)
            model_admin = self.admin_site.get_model_admin(model)
            entries += model_admin.history_of(request, rows, row=True)
        return sorted(entries, key=lambda entry: entry.history_date, reverse=True)

    # --- a round's rows, a page at a time (docs/admin.md, "Many rows")

    def get_formset_kwargs(self, request, obj, inline, prefix):
        """Edit ROWS_PER_PAGE of the round's rows: those shown, or exactly those posted."""
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if obj is None:
            return kwargs
        kwargs["queryset"], page = rows_on_page(
            kwargs["queryset"].filter(round=obj),
            prefix=prefix,
            number=request.GET.get(page_parameter(prefix)),
            posted=request.POST if request.method == "POST" else None,
        )
        request.parley_row_pages = {**getattr(request, "parley_row_pages", {}), prefix: page}
        return kwargs

    def _create_formsets(self, request, obj, change):
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        link_statement_formsets(formsets)  # a concession may answer a demand row of this save
        pages = getattr(request, "parley_row_pages", {})
        for formset in formsets:
            formset.row_page = pages.get(formset.prefix)
        return formsets, inline_instances

    def response_change(self, request, obj):
        """Saved from a page of rows with a button to others: show the rows asked for."""
        pages = shown_row_pages(request)
        prefix, _, number = request.POST.get(ROWS_BUTTON, "").partition("=")
        if prefix in ROW_PREFIXES and number.isdigit():
            self.message_user(
                request,
                f"The round “{obj}” and its rows on that page were saved.",
                messages.SUCCESS,
            )
            url = add_preserved_filters(
                {"preserved_filters": self.get_preserved_filters(request), "opts": self.opts},
                reverse("admin:negotiations_round_change", args=[obj.pk]),
            )
            return redirect(with_rows(url, {**pages, page_parameter(prefix): number}))
        # "Save and continue editing" comes back to the address posted to: the same rows.
        return super().response_change(request, obj)

    def get_urls(self):
        return [
            path(
                "date-words/",
                self.admin_site.admin_view(self.date_words_view),
                name="negotiations_round_date_words",
            ),
            path(
                "choices/",
                self.admin_site.admin_view(self.choices_view),
                name="negotiations_round_choices",
            ),
            path(
                "<path:object_id>/next/",
                self.admin_site.admin_view(self.next_round_view),
                name="negotiations_round_next",
            ),
            *super().get_urls(),
        ]

    def next_round_view(self, request, object_id):
        """Start the round after this one; positions stand, so nothing is copied."""
        previous = self.get_object(request, unquote(object_id))
        if previous is None:
            raise Http404("No such round.")
        if not self.has_add_permission(request):
            raise PermissionDenied
        form_class = self.get_form(
            request,
            None,
            fields=flatten_fieldsets(NEXT_ROUND_FIELDSETS),
            form=NextRoundForm,
        )
        instance = Round(negotiation=previous.negotiation, kind=previous.kind)
        if request.method == "POST":
            form = form_class(request.POST, instance=instance, previous=previous)
            if form.is_valid():
                try:
                    with transaction.atomic(using=router.db_for_write(Round)):
                        round = form.save()
                except IntegrityError as error:
                    form.add_error(None, refusal_message(error))
                else:
                    self.log_addition(request, round, [{"added": {}}])
                    self.message_user(
                        request,
                        f"“{round}” follows “{previous}”. Positions stand until restated: "
                        "enter only what changed at this round.",
                        messages.SUCCESS,
                    )
                    return redirect("admin:negotiations_round_change", round.pk)
        else:
            form = form_class(instance=instance, previous=previous)
        adminform = helpers.AdminForm(
            form, NEXT_ROUND_FIELDSETS, {"slug": ["title"]}, model_admin=self
        )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Start the round after “{previous}”",
            "subtitle": None,
            "opts": self.opts,
            "previous": previous,
            "adminform": adminform,
            "errors": helpers.AdminErrorList(form, []),
            "media": self.media + adminform.media,
        }
        return TemplateResponse(request, "admin/negotiations/round/next_round.html", context)

    def date_words_view(self, request):
        """Show how a date in words will be stored, as the analyst types it (JSON)."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        try:
            worded = parse_date_words(request.GET.get("text", ""))
        except ValueError as error:
            return JsonResponse({"error": str(error)}, status=400)
        return JsonResponse(
            {
                "start_date": worded.start_date.isoformat(),
                "precision": str(worded.precision),
                "part": worded.part,
                "shown": worded.explained,
            }
        )

    def choices_view(self, request):
        """Answer a statement row's select: what fits its round, party and issue so far.

        Select2's format ({"results": [{"id", "text"}], "pagination": {"more"}}), as Django's
        own autocomplete answers; positions/static/positions/admin-choices.js asks.
        """
        if not (
            self.has_view_or_change_permission(request)
            and request.user.has_perm("positions.view_demand")
        ):
            raise PermissionDenied
        params = request.GET
        field = params.get("field", "")
        if field not in ROW_CHOICE_FIELDS:
            return JsonResponse(
                {"error": f"field must be one of: {', '.join(ROW_CHOICE_FIELDS)}."}, status=400
            )
        try:
            ids = {name: _optional_id(params.get(name)) for name in ("round", "party", "issue")}
            page = int(params.get("page") or 1)
        except ValueError as error:
            return JsonResponse({"error": str(error)}, status=400)
        round = Round.objects.filter(pk=ids["round"]).first() if ids["round"] else None
        records = fitting_choices(
            field,
            round=round,
            party_id=ids["party"],
            issue_id=ids["issue"],
            term=params.get("term", ""),
        )
        start = (max(page, 1) - 1) * CHOICES_PER_PAGE
        chunk = list(records[start : start + CHOICES_PER_PAGE + 1])
        results = [
            {
                "id": record.pk,
                "text": choice_label(field, record, party_id=ids["party"], issue_id=ids["issue"]),
            }
            for record in chunk[:CHOICES_PER_PAGE]
        ]
        return JsonResponse(
            {"results": results, "pagination": {"more": len(chunk) > CHOICES_PER_PAGE}}
        )


CHOICES_PER_PAGE = 20


# The round page's formsets of rows, by prefix.
ROW_PREFIXES = ("demands", "concessions")


def shown_row_pages(request) -> dict[str, str]:
    """Return the pages of rows the round's page showed ({"demands-page": "2"})."""
    names = {page_parameter(prefix) for prefix in ROW_PREFIXES}
    return {name: value for name, value in request.GET.items() if name in names}


def with_rows(url: str, pages: dict[str, str]) -> str:
    """Return `url` asking for the given pages of rows."""
    return f"{url}{'&' if '?' in url else '?'}{urlencode(pages)}"


def _optional_id(value: str | None) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise ValueError(f"round, party and issue must be ids, not {value!r}.")
    return int(value)


def standing_context(round: Round) -> dict:
    """Return the positions as they stood at the round before `round`, for its change page."""
    previous = Round.objects.select_related("negotiation").previous(round)
    if previous is None:
        return {"standing": None}
    participants = Participant.objects.filter(negotiation_id=round.negotiation_id).select_related(
        "party"
    )
    matrix = positions_as_of(round=previous, parties=[p.party for p in participants])
    return {"standing": matrix}


# --- issues and their scales ------------------------------------------------------------------


class StanceInline(ParleyAutocomplete, admin.TabularInline):
    model = Stance
    form = GuardedModelForm
    fields = ["value", "label", "description"]
    formfield_overrides = COMPACT_TEXT
    extra = 1


@admin.register(Issue)
class IssueAdmin(ParleyAdmin):
    form = VersionedModelForm
    list_display = ["title", "negotiation", "category", "order", "low_pole", "high_pole"]
    list_filter = ["negotiation", "category"]
    list_select_related = ["negotiation"]
    search_fields = ["title", "slug", "description"]
    autocomplete_fields = ["negotiation"]
    prepopulated_fields = {"slug": ["title"]}
    fields = [
        "negotiation",
        "title",
        "slug",
        "category",
        "order",
        "low_pole",
        "high_pole",
        "high_pole_side",
        "description",
    ]
    formfield_overrides = COMPACT_TEXT
    inlines = [StanceInline]


@admin.register(Stance)
class StanceAdmin(ParleyAdmin):
    form = GuardedModelForm
    list_display = ["label", "value", "issue", "negotiation"]
    list_filter = ["issue__negotiation"]
    list_select_related = ["issue__negotiation"]
    search_fields = ["label", "issue__title"]
    autocomplete_fields = ["issue"]
    fields = ["issue", "value", "label", "description"]
    formfield_overrides = COMPACT_TEXT

    @admin.display(description="negotiation", ordering="issue__negotiation")
    def negotiation(self, stance):
        return stance.issue.negotiation


from negotiations import correction_admin  # noqa: E402, F401, I001 (docs/admin.md, corrections)
from negotiations import release_admin  # noqa: E402, F401 (releases: docs/releases.md)
