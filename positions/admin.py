"""Admin for what parties say, and the guard rails every Parley admin page shares.

`ParleyAdmin` is the base of every model admin: change history per record, edits that are never
silently overwritten (`VersionedModelForm`), database refusals shown as form errors, and
deletion pages that name what depends on a record in words an analyst can act on.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict

from django.contrib import admin, messages
from django.contrib.admin.utils import NestedObjects, flatten_fieldsets, quote, unquote
from django.contrib.admin.views.main import PAGE_VAR
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, models, router, transaction
from django.db.models import OuterRef, Subquery, prefetch_related_objects
from django.forms import Textarea
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape, format_html
from django.utils.text import capfirst
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from negotiations.correction_admin import correction_form_url
from negotiations.models import Participant, Stance
from positions.admin_lists import (
    IssueOfNegotiationFilter,
    NewestFirstChangeList,
    statements_matching,
)
from positions.diffs import word_diff
from positions.forms import (
    CHOICE_FIELDS,
    REASON_FIELD,
    ROW_CHOICE_FIELDS,
    VERSION_FIELD,
    AcceptingAutocompleteSelect,
    AcceptingAutocompleteSelectMultiple,
    ConcessionForm,
    ConcessionFormSet,
    DemandChoiceField,
    GuardedModelForm,
    InlineConcessionForm,
    InlineStatementForm,
    KnownSourcesAutocomplete,
    RoundStatementFormSet,
    RowChoicesSelect,
    RowDemandChoiceField,
    StanceChoiceField,
    StatementForm,
    demands_for_choice,
    is_long_text,
    readable_value,
    refusal_message,
    stances_for_choice,
)
from positions.models import ANSWERED_DEMAND_RELATIONS, Concession, Demand
from positions.paginator import EstimatedCountPaginator

# Where ParleyAdmin leaves the database's refusal of a save for the second, re-rendering pass.
REFUSAL_ATTRIBUTE = "parley_database_refusal"
# Where ParleyAdmin keeps the name of the record it deletes, for the message that follows.

COMPACT_TEXT = {models.TextField: {"widget": Textarea(attrs={"rows": 2, "cols": 40})}}


class ParleyAutocomplete:
    """Autocomplete fields of an admin or inline get widgets that survive a bad posted value.

    Every model admin and inline of Parley mixes this in, so any field named in
    `autocomplete_fields` drops a value that is not an id when its form is shown again,
    instead of crashing; the field's own error ("Select a valid choice…") tells the analyst.
    """

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AcceptingAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AcceptingAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ParleyAdmin(ParleyAutocomplete, SimpleHistoryAdmin):
    """Base admin: history, optimistic concurrency and readable refusals."""

    form = GuardedModelForm
    delete_confirmation_template = "admin/parley/delete_confirmation.html"
    delete_selected_confirmation_template = "admin/parley/delete_selected_confirmation.html"
    list_per_page = 50

    object_history_template = "admin/parley/object_history.html"
    object_history_list_template = "admin/parley/object_history_list.html"

    class Media:
        js = ["positions/admin-conflict.js"]
        css = {"all": ["positions/admin-conflict.css"]}

    def get_historical_record_context_helper(self, request, historical_record):
        return ChangesOnlyContextHelper(self.model, historical_record)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if VERSION_FIELD not in self.form.base_fields:
            return fieldsets
        if VERSION_FIELD not in flatten_fieldsets(fieldsets):
            (name, options), *rest = fieldsets
            fieldsets = [(name, {**options, "fields": [*options["fields"], VERSION_FIELD]}), *rest]
        if obj is not None and REASON_FIELD not in flatten_fieldsets(fieldsets):
            fieldsets = [*fieldsets, (None, {"fields": [REASON_FIELD]})]
        return fieldsets

    # --- saving: a record is saved (and versioned, and logged) only when its own form changed

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed() and not hasattr(obj, "_history"):
            # Only its rows changed: the record keeps its version and gets no empty history
            # entry, so an analyst who opened it earlier is not refused (docs/admin.md).
            return
        obj._change_reason = reason_to_record(form) or None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if change and not form.has_changed() and not hasattr(form.instance, "_history"):
            # Its links are as loaded, perhaps stale: writing them back would undo someone
            # else's newer change to them (save_model skipped the record for the same reason).
            for formset in formsets:
                self.save_formset(request, form, formset, change=change)
            return
        super().save_related(request, form, formsets, change)

    def save_formset(self, request, form, formset, change):
        reason = (form.cleaned_data.get(REASON_FIELD) or "").strip()
        for row in formset.forms:
            row_reason = reason_to_record(row) or reason
            if row_reason:
                row.instance._change_reason = row_reason
        super().save_formset(request, form, formset, change)

    # --- history: readable changes, a round's rows merged in, no links an analyst cannot follow

    def history_view(self, request, object_id, extra_context=None):
        entries = self.history_entries(request, unquote(object_id))
        paginator = Paginator(entries, self.history_list_per_page)
        page_obj = paginator.get_page(request.GET.get(PAGE_VAR))
        context = {
            "page_obj": page_obj,
            "page_range": paginator.get_elided_page_range(page_obj.number),
            "pagination_required": paginator.count > self.history_list_per_page,
            "can_view_users": request.user.has_perm("auth.view_user"),
            "with_rows": any(entry.parley_row for entry in entries),
        }
        return super().history_view(request, object_id, {**context, **(extra_context or {})})

    def history_entries(self, request, object_id) -> list:
        """Return the record's history, newest first, each entry with its changes."""
        records = self.model.history.filter(**{self.opts.pk.attname: object_id})
        return self.history_of(request, records)

    def history_of(self, request, records, *, row: bool = False) -> list:
        """Return `records` (of this admin's model) newest first, each with its changes
        (`history_delta_changes`), its page (`parley_url`) and, for a row shown on its
        parent's history, its label (`parley_row`)."""
        records = list(
            records.select_related("history_user")
            ._select_related_history_tracked_objs()
            .order_by("-history_date", "-history_id")
        )
        opts = self.opts
        by_object = defaultdict(list)
        for record in records:
            by_object[getattr(record, opts.pk.attname)].append(record)
        for versions in by_object.values():
            self.set_history_delta_changes(request, versions)
        for record in records:
            record.parley_url = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_simple_history",
                args=[quote(getattr(record, opts.pk.attname)), record.history_id],
            )
            record.parley_row = history_row_label(record) if row else ""
        return records

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, REFUSAL_ATTRIBUTE, None)
        if refusal is not None:
            form = type(form.__name__, (form,), {"database_refusal": refusal})
        return form

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            context["correction_url"] = correction_form_url(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._refusing_integrity_errors(
            super().changeform_view, request, object_id, form_url, extra_context
        )

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # The history page lets viewers see an old version; only those who may change the
        # record may post it back.
        if request.method == "POST" and not self.has_change_permission(request):
            raise PermissionDenied

        def revert(*args):
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super(ParleyAdmin, self).history_form_view(*args)

        return self._refusing_integrity_errors(
            revert, request, object_id, version_id, extra_context
        )

    def _refusing_integrity_errors(self, view, request, *args):
        """Run a form view; if the database refuses the save, show why in the form.

        Validation catches what it can; an IntegrityError that slips past it (a rule only the
        database knows, or a race with another save) rolls the whole save back. The view then
        runs again with the refusal as a form error, so the analyst keeps every value.
        """
        try:
            return view(request, *args)
        except IntegrityError as error:
            setattr(request, REFUSAL_ATTRIBUTE, error)
            return view(request, *args)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except IntegrityError as error:
            self.message_user(request, refusal_message(error, deleting=True), messages.ERROR)
            return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", object_id)

    def delete_queryset(self, request, queryset):
        # A savepoint of its own, so a refusal leaves the request's transaction usable.
        with transaction.atomic(using=router.db_for_write(self.model)):
            super().delete_queryset(request, queryset)

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except IntegrityError as error:  # a bulk deletion that lost a race with another save
            self.message_user(request, refusal_message(error, deleting=True), messages.ERROR)
            return redirect(request.get_full_path())

    def blocking_records(self, objs) -> list[models.Model]:
        """Return records that forbid deleting `objs` beyond PROTECT foreign keys.

        Each admin asks the model's own rule (e.g. Source.citing_records), never restates it.
        """
        return []

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = self.deletion_summary(objs, request)
        blocking = self.blocking_records(objs)
        if protected or blocking:
            collector = NestedObjects(using=router.db_for_write(self.model))
            collector.collect(objs)
            protected = self.describe_records([*collector.protected, *blocking], request)
        return deleted, counts, perms_needed, protected

    def deletion_summary(self, objs, request):
        """Django's get_deleted_objects, naming each record as its own admin names it."""
        objs = list(objs)
        if not objs:
            return [], {}, set(), []
        collector = NestedObjects(using=router.db_for_write(self.model), origin=objs)
        collector.collect(objs)
        perms_needed = set()

        def format_callback(record):
            opts = record._meta
            kind = capfirst(opts.verbose_name)
            if not self.admin_site.is_registered(type(record)):
                return format_html("{}: {}", kind, record)
            model_admin = self.admin_site.get_model_admin(type(record))
            if not model_admin.has_delete_permission(request, record):
                perms_needed.add(opts.verbose_name)
            label = record
            try:
                url = reverse(
                    f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                    args=[quote(record.pk)],
                )
            except NoReverseMatch:
                return format_html("{}: {}", kind, label)
            return format_html('{}: <a href="{}">{}</a>', kind, url, label)

        deleted = collector.nested(format_callback)
        protected = [format_callback(record) for record in collector.protected]
        counts = {
            model._meta.verbose_name_plural: len(records)
            for model, records in collector.model_objs.items()
        }
        return deleted, counts, perms_needed, protected

    def describe_records(self, records, request) -> list[str]:
        """Return records as "Kind: who, on what, when" lines linking to their pages."""
        by_model = defaultdict(list)
        for record in records:
            by_model[type(record)].append(record)
        lines = []
        for model in sorted(by_model, key=lambda m: DEPENDENT_ORDER.get(m._meta.label, 99)):
            group = by_model[model]
            prefetch_related_objects(group, *LABEL_RELATIONS.get(model, ()))
            for record in sorted(group, key=record_label):
                lines.append(self._record_line(record, request))
        return lines

    def _record_line(self, record, request) -> str:
        opts = record._meta
        label = record_label(record)
        kind = capfirst(opts.verbose_name)
        if not self.admin_site.is_registered(type(record)):
            return format_html("{}: {}", kind, label)
        model_admin = self.admin_site.get_model_admin(type(record))
        if not model_admin.has_view_or_change_permission(request, record):
            return format_html("{}: {}", kind, label)
        try:
            url = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(record.pk)]
            )
        except NoReverseMatch:
            return format_html("{}: {}", kind, label)
        return format_html('{}: <a href="{}">{}</a>', kind, url, label)


class ChangesOnlyContextHelper(HistoricalRecordContextHelper):
    """History lists what an edit changed, in an analyst's words.

    Without the `updated_at` stamp every edit moves; choices by their labels, related records
    by their names; long text whole, the new wording as a word diff of the old.
    """

    def context_for_delta_changes(self, delta):
        changes = [change for change in delta.changes if change.field != "updated_at"]
        return super().context_for_delta_changes(dataclasses.replace(delta, changes=changes))

    def format_delta_change(self, change):
        try:
            field = self.model._meta.get_field(change.field)
        except FieldDoesNotExist:
            return super().format_delta_change(change)
        old = self.prepare_delta_change_value(change, change.old)
        new = self.prepare_delta_change_value(change, change.new)
        if is_long_text(field, old, new) and not field.is_relation and not field.flatchoices:
            old_shown = conditional_escape(str(old or "—"))
            new_shown = word_diff(str(old or ""), str(new or ""))
        else:
            old_shown = conditional_escape(readable_value(field, old))
            new_shown = conditional_escape(readable_value(field, new))
        return dataclasses.replace(
            change, field=capfirst(field.verbose_name), old=old_shown, new=new_shown
        )


def reason_to_record(form) -> str:
    """Return the change reason a form asks to record ("" for forms without one)."""
    reason = getattr(form, "reason_to_record", None)
    if reason is None or not hasattr(form, "cleaned_data"):
        return ""
    return reason()


def history_row_label(record) -> str:
    """Return "Demand: NO on Border" for a row's historical record on its round's history."""
    kind = capfirst(record.instance_type._meta.verbose_name)
    try:
        return f"{kind}: {record.party.short_name} on {record.issue.title}"
    except models.ObjectDoesNotExist:
        return kind


# Dependents are listed from the broadest (a party's participations) to the narrowest.
DEPENDENT_ORDER = {
    label: rank
    for rank, label in enumerate(
        [
            "negotiations.Participant",
            "negotiations.Round",
            "negotiations.Issue",
            "negotiations.Stance",
            "positions.Demand",
            "positions.Concession",
        ]
    )
}

LABEL_RELATIONS = {
    Participant: ("party", "negotiation"),
    Demand: ("party", "issue", "round"),
    Concession: ("party", "issue", "round"),
    Stance: ("issue",),
}


def record_label(record: models.Model) -> str:
    """Return a record in words; relations named in LABEL_RELATIONS must be loaded."""
    if isinstance(record, Demand | Concession):
        return (
            f"{record.party.short_name} on {record.issue.title} at {record.round.title}: {record}"
        )
    if isinstance(record, Stance):
        return f"{record.issue.title} — {record}"
    return str(record)


# --- a round's statements, edited on the round's page -----------------------------------------


class RoundStatementInline(ParleyAutocomplete):
    """Rows of one round's demands or concessions, grouped by party then issue.

    Party choices are the round's participants, in a plain select. Issue, stance and demand
    fields show only their chosen value and fetch what fits the row as the analyst types
    (RowChoicesSelect; RoundStatementFormSet fits their validation to the round).
    """

    formset = RoundStatementFormSet
    form = InlineStatementForm
    extra = 1
    autocomplete_fields = ["sources"]
    show_change_link = True
    formfield_overrides = COMPACT_TEXT
    # Relations that label each row's chosen values without a query per row.
    row_relations: tuple[str, ...] = ()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in CHOICE_FIELDS:
            form_class = CHOICE_FIELDS[db_field.name]
            if db_field.name in ("softens", "in_return_for"):
                form_class = RowDemandChoiceField
            options = {}
            if db_field.name in ROW_CHOICE_FIELDS:
                options["widget"] = RowChoicesSelect(field_name=db_field.name)
            return db_field.formfield(
                form_class=form_class,
                queryset=db_field.related_model._default_manager.none(),
                **options,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "sources":
            kwargs["widget"] = KnownSourcesAutocomplete(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_queryset(self, request):
        column = Participant.objects.filter(
            negotiation=OuterRef("round__negotiation"), party=OuterRef("party")
        ).values("order")[:1]
        return (
            super()
            .get_queryset(request)
            .select_related("party", "issue", *self.row_relations)
            .prefetch_related("sources")
            .annotate(party_column=Subquery(column))
            # The id last: a round's rows are paged on its page, so the order must be total.
            .order_by("party_column", "party__name", "issue__order", "issue__title", "pk")
        )


class DemandInline(RoundStatementInline, admin.TabularInline):
    model = Demand
    fields = ["party", "issue", "stance", "text", "priority", "status", "sources", VERSION_FIELD]
    row_relations = ("stance",)


class ConcessionInline(RoundStatementInline, admin.StackedInline):
    model = Concession
    form = InlineConcessionForm
    formset = ConcessionFormSet
    extra = 0
    row_relations = ANSWERED_DEMAND_RELATIONS
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("party", "issue", "status"),
                    "text",
                    ("softens", "in_return_for"),
                    "conditions",
                    "sources",
                    VERSION_FIELD,
                ]
            },
        )
    ]


# --- demands and concessions on their own pages -----------------------------------------------


class StatementAdmin(ParleyAdmin):
    form = StatementForm
    list_select_related = ["party", "issue", "round"]
    list_filter = ["round__negotiation", "status", "party", ("issue", IssueOfNegotiationFilter)]
    search_fields = ["text", "party__name", "party__short_name", "issue__title", "round__title"]
    formfield_overrides = COMPACT_TEXT
    # At a million rows every COUNT(*) reads the table (docs/performance.md, "Admin lists"):
    # a big list's count is PostgreSQL's estimate, the "(N total)" recount is left out, and
    # per-choice counts of the filters are not offered; the list opens on the newest rows.
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    def get_changelist(self, request, **kwargs):
        return NewestFirstChangeList

    def get_search_results(self, request, queryset, search_term):
        # The same words and fields as search_fields, in a form an index can answer.
        return statements_matching(queryset, search_term, self.search_fields), False

    @admin.display(description="statement", ordering="text")
    def summary(self, statement):
        return str(statement)


@admin.register(Demand)
class DemandAdmin(StatementAdmin):
    list_display = ["summary", "party", "issue", "round", "stance", "priority", "status"]
    list_select_related = ["party", "issue", "round", "stance"]
    list_filter = [
        "round__negotiation",
        "priority",
        "status",
        "party",
        ("issue", IssueOfNegotiationFilter),
    ]
    autocomplete_fields = ["round", "party", "issue", "sources"]
    fields = ["round", "party", "issue", "stance", "text", "priority", "status", "sources"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Once the issue is chosen, only its stances are offered, fetched as the analyst
        # types; the chosen one is labelled with its issue.
        if db_field.name == "stance":
            kwargs.update(
                form_class=StanceChoiceField,
                queryset=stances_for_choice(),
                widget=RowChoicesSelect(field_name="stance"),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None and "stance" in form.base_fields:
            form.base_fields["stance"].queryset = stances_for_choice().filter(
                issue__negotiation_id=obj.round.negotiation_id
            )
        return form


@admin.register(Concession)
class ConcessionAdmin(StatementAdmin):
    form = ConcessionForm
    list_display = ["summary", "party", "issue", "round", "status"]
    autocomplete_fields = ["round", "party", "issue", "sources"]
    fields = [
        "round",
        "party",
        "issue",
        "text",
        "softens",
        "conditions",
        "in_return_for",
        "status",
        "sources",
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Fetched as the analyst types, fitted to the posted round, party and issue (as on
        # the round's page); ConcessionForm validates against the demands stated at or
        # before the round.
        if db_field.name in ("softens", "in_return_for"):
            kwargs.update(
                form_class=DemandChoiceField,
                queryset=demands_for_choice(),
                widget=RowChoicesSelect(field_name=db_field.name),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- plans, their points and the crosswalk (docs/plans.md) ------------------------------------

from positions.forms import VersionedModelForm  # noqa: E402
from positions.plan_models import Plan, PlanPoint, PointLink  # noqa: E402


class PlanPointInline(ParleyAutocomplete, admin.StackedInline):
    """A plan's points on the plan's page; the stance select names each stance's issue."""

    model = PlanPoint
    extra = 1
    autocomplete_fields = ["issue", "sources"]
    fields = [("number", "status"), "text", ("issue", "stance"), "note", "sources"]
    formfield_overrides = COMPACT_TEXT

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "stance":
            kwargs.update(form_class=StanceChoiceField, queryset=stances_for_choice())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("issue", "stance__issue")


@admin.register(Plan)
class PlanAdmin(ParleyAdmin):
    form = VersionedModelForm  # edits are never silently overwritten, as for rounds
    list_display = ["title", "negotiation", "tabled_by", "date", "status", "text_public"]
    list_select_related = ["negotiation", "tabled_by"]
    list_filter = ["negotiation", "status", "text_public", "tabled_by"]
    search_fields = ["title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["negotiation", "tabled_by", "round", "previous", "sources"]
    fields = [
        "negotiation",
        "title",
        "slug",
        "tabled_by",
        "round",
        ("date", "date_precision", "date_part"),
        ("status", "text_public"),
        "summary",
        "previous",
        "sources",
    ]
    inlines = [PlanPointInline]
    formfield_overrides = COMPACT_TEXT


@admin.register(PlanPoint)
class PlanPointAdmin(ParleyAdmin):
    """Points on their own pages too, so the crosswalk can find them by autocomplete."""

    list_display = ["__str__", "issue", "stance", "status"]
    list_select_related = ["plan", "issue", "stance"]
    list_filter = ["plan__negotiation", "plan", "status"]
    search_fields = ["plan__title", "plan__slug", "number", "text"]
    autocomplete_fields = ["plan", "issue", "sources"]
    fields = ["plan", ("number", "status"), "text", ("issue", "stance"), "note", "sources"]
    formfield_overrides = COMPACT_TEXT

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "stance":
            kwargs.update(form_class=StanceChoiceField, queryset=stances_for_choice())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(PointLink)
class PointLinkAdmin(ParleyAdmin):
    """The crosswalk: what became of an earlier plan's point in a later one, validated by
    PointLink.clean (plans in one chain, points of those plans, ends that fit the kind)."""

    list_display = ["__str__", "from_plan", "to_plan", "kind"]
    list_select_related = ["from_plan", "to_plan", "from_point", "to_point"]
    list_filter = ["kind", "from_plan", "to_plan"]
    search_fields = ["note", "from_point__text", "to_point__text", "from_point__number"]
    autocomplete_fields = ["from_plan", "to_plan", "from_point", "to_point"]
    fields = [("from_plan", "to_plan"), "kind", ("from_point", "to_point"), "note"]
    formfield_overrides = COMPACT_TEXT
