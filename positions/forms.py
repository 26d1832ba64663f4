"""Forms behind the analysts' admin: edits are never lost, choices fit the round, refusals read.

`VersionedModelForm` is the one place that implements optimistic concurrency; every admin page
of a model with `updated_at` uses it. `RoundStatementFormSet` gives a round's demand and
concession rows choices fitted to the round's negotiation, loaded once for all rows.
"""

from __future__ import annotations

import copy
import json

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.timezone import localtime

from negotiations.models import Issue, Party, Round, Stance
from negotiations.refusals import as_validation_error, messages_by_field
from positions.diffs import word_diff
from positions.models import Demand
from positions.services import stored_version

VERSION_FIELD = "loaded_version"
# The optional "Reason for this change", kept as simple-history's change reason.
REASON_FIELD = "change_reason"
# The button of the conflict screen that saves yours over theirs; it posts the version it
# overwrites, so only a save made after seeing their change can replace it.
KEEP_MINE = "keep_mine"
# simple-history's history_change_reason column holds 100 characters.
REASON_LENGTH = 100


def stamp(value) -> str:
    return value.isoformat() if value else ""


def describe_change(*, instance: models.Model, fallback_time) -> tuple[str, str]:
    """Return who last changed `instance` and when, from its history."""
    record = (
        instance.history.select_related("history_user").order_by("-history_date").first()
        if hasattr(instance, "history")
        else None
    )
    user = record.history_user if record else None
    who = (user.get_full_name() or user.get_username()) if user else "Someone"
    when = record.history_date if record else fallback_time
    return who, date_format(localtime(when), "j F Y, H:i:s T")


class GuardedModelForm(forms.ModelForm):
    """A model form that can carry the database's refusal of its previous save attempt."""

    # Set per request by ParleyAdmin when the database refused a save that passed validation
    # (an IntegrityError); the form then shows the refusal instead of a server error, on the
    # field its rule names when the form has it (see ParleyAdmin.changeform_view).
    database_refusal = None

    def clean(self):
        cleaned_data = super().clean()
        if self.database_refusal is not None:
            refusal = as_validation_error(self.database_refusal)
            for name, messages in messages_by_field(refusal).items():
                if name in self.fields:
                    self.add_error(name, messages)
            self.add_error(None, refusal_message(self.database_refusal))
        return cleaned_data


class VersionedModelForm(GuardedModelForm):
    """Refuse to overwrite a record that changed since the form was loaded.

    The form carries the record's `updated_at` as loaded, hidden, and the values it was loaded
    with (`show_hidden_initial`), so it knows what the analyst changed. A form the analyst did
    not change is neither checked nor saved (ParleyAdmin.save_model): a round whose rows alone
    were edited keeps its version. A changed form whose record changed since is refused with a
    field-by-field comparison of their values and yours (`conflict_html`); the submitted values
    stay in the form, and only the comparison's "Keep mine" button, which posts the version it
    overwrites, saves over theirs. See docs/admin.md.
    """

    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False)
    change_reason = forms.CharField(
        label="Reason for this change",
        required=False,
        max_length=REASON_LENGTH,
        help_text="Optional. Shown in the history beside this save (and the rows saved with it).",
    )
    track_loaded_values = True
    # Rows of a round's page take the reason given for the whole page.
    asks_reason = True
    # The change this save deliberately overwrote, as (who, when); set by clean().
    overwrote: tuple[str, str] | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.asks_reason:
            del self.fields[REASON_FIELD]
        if self.instance.pk is not None:
            self.initial[VERSION_FIELD] = stamp(self._loaded_version())
        if self.track_loaded_values:
            for name, field in self.fields.items():
                field.show_hidden_initial = name not in (VERSION_FIELD, REASON_FIELD)

    @property
    def reverting(self) -> bool:
        # A version picked from the history to revert to carries its old stamp and values.
        return hasattr(self.instance, "_history")

    def _loaded_version(self):
        # The revert is an edit of the row as it stands now.
        if self.reverting:
            return self._current_version(lock=False)
        return self.instance.updated_at

    def _current_version(self, *, lock: bool):
        # Hold the row until this save commits, so two saves cannot both pass the check.
        in_save = lock and transaction.get_connection().in_atomic_block
        return stored_version(self.instance, lock=in_save)

    def has_changed(self):
        return any(name not in (VERSION_FIELD, REASON_FIELD) for name in self.changed_data)

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is not None and (self.has_changed() or self.reverting):
            self._refuse_stale_edit()
        return cleaned_data

    def _refuse_stale_edit(self):
        current = self._current_version(lock=True)
        if current is None:
            return  # deleted meanwhile: the admin reports the missing record itself
        loaded = parse_datetime(self.cleaned_data.get(VERSION_FIELD) or "")
        if loaded == current:
            return
        who, when = describe_change(instance=self.instance, fallback_time=current)
        kept_over = parse_datetime(self.data.get(self.add_prefix(KEEP_MINE)) or "")
        if kept_over == current:
            self.overwrote = (who, when)
            return
        saved = type(self.instance)._default_manager.get(pk=self.instance.pk)
        noun = self._meta.model._meta.verbose_name
        message = format_html(
            "{} changed this {} on {}, after you opened this page. Nothing was saved. Your "
            "values are still in the form; below are theirs and yours: keep theirs, or keep "
            "yours to save over their change.{}",
            who,
            noun,
            when,
            conflict_html(self, saved, current, who=who, when=when),
        )
        self.add_error(None, ValidationError(message, code="stale"))

    def reason_to_record(self) -> str:
        """Return the reason to record with this save: the analyst's, and any overwrite."""
        given = (self.cleaned_data.get(REASON_FIELD) or "").strip()
        if self.overwrote is None:
            return given
        who, when = self.overwrote
        kept = f"Kept over {who}'s change of {when}"
        return (f"{kept}: {given}" if given else kept)[:REASON_LENGTH]


def readable_value(field: models.Field, value) -> str:
    """Return a field's value as an analyst reads it: choice labels, record names, not ids."""
    if value is None or value == "" or value == []:
        return "—"
    if field.many_to_many:
        return ", ".join(str(item) for item in value) or "—"
    if field.flatchoices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def comparable(field: models.Field, value):
    """Return a value reduced to what decides whether two values of `field` differ."""
    if field.many_to_many:
        return sorted(str(getattr(item, "pk", item)) for item in value or [])
    if field.is_relation:
        return str(getattr(value, "pk", value)) if value not in (None, "") else None
    return value if value != "" else None


def is_long_text(field: models.Field, *values) -> bool:
    return isinstance(field, models.TextField) or any(len(str(v or "")) > 60 for v in values)


def conflict_html(form: forms.ModelForm, saved: models.Model, current, *, who, when) -> str:
    """Return the conflict screen: each field where their saved value and yours differ.

    Each of their values carries its raw form value (`data-value`), so "Keep theirs"
    (positions/static/positions/admin-conflict.js) can put them back into the form; "Keep
    mine" posts the version it overwrites (KEEP_MINE).
    """
    opts = saved._meta
    rows = []
    for name, bound in ((name, form[name]) for name in form.fields):
        if bound.is_hidden or name not in form.cleaned_data:
            continue  # the version, and a row's id and parent: not the analyst's values
        try:
            field = opts.get_field(name)
        except FieldDoesNotExist:
            continue
        theirs = list(getattr(saved, name).all()) if field.many_to_many else getattr(saved, name)
        yours = form.cleaned_data[name]
        if field.many_to_many:
            yours = list(yours or [])
        if comparable(field, theirs) == comparable(field, yours):
            continue
        their_text, your_text = readable_value(field, theirs), readable_value(field, yours)
        if is_long_text(field, theirs, yours) and not field.is_relation:
            yours_shown = word_diff(str(theirs or ""), str(yours or ""))
        else:
            yours_shown = your_text
        raw = bound.field.prepare_value(
            [item.pk for item in theirs] if field.many_to_many else getattr(saved, field.attname)
        )
        labels = (
            {str(item.pk): str(item) for item in theirs}
            if field.many_to_many
            else ({str(raw): their_text} if field.is_relation and raw is not None else {})
        )
        rows.append(
            format_html(
                '<tr><th scope="row">{}</th>'
                '<td class="theirs" data-field="{}" data-value="{}" data-labels="{}">{}</td>'
                '<td class="yours">{}</td></tr>',
                capfirst(bound.label),
                bound.html_name,
                json.dumps(raw if raw is not None else ""),
                json.dumps(labels),
                their_text,
                yours_shown,
            )
        )
    return format_html(
        '<div class="conflict" data-version-field="{}" data-version="{}">'
        '<table><thead><tr><th scope="col">Field</th>'
        '<th scope="col">Theirs (saved by {} on {})</th><th scope="col">Yours</th></tr></thead>'
        "<tbody>{}</tbody></table>"
        '<p class="conflict-choice">'
        '<button type="button" class="button keep-theirs" hidden>Keep theirs</button> '
        '<button type="submit" class="button keep-mine" name="{}" value="{}">'
        "Keep mine (save over their change)</button></p></div>",
        form.add_prefix(VERSION_FIELD),
        stamp(current),
        who,
        when,
        mark_safe("".join(rows)),  # noqa: S308 - each row is built by format_html
        form.add_prefix(KEEP_MINE),
        stamp(current),
    )


def refusal_message(error: IntegrityError, *, deleting: bool = False) -> str:
    """Return the database's refusal of a save or deletion as the admin says it."""
    reason = " ".join(as_validation_error(error).messages)
    if deleting:
        return f"The database refused this deletion: {reason} Nothing was deleted."
    return (
        f"The database refused this save: {reason} Nothing was saved; correct the values "
        "and save again."
    )


# --- choices --------------------------------------------------------------------------------


class PartyChoiceField(forms.ModelChoiceField):
    default_error_messages = {
        "invalid_choice": "Pick one of the parties that take part in this negotiation.",
    }


class IssueChoiceField(forms.ModelChoiceField):
    default_error_messages = {"invalid_choice": "Pick one of this negotiation's issues."}


class StanceChoiceField(forms.ModelChoiceField):
    """Stances labelled with their issue: "Ceasefire sequencing — 2: talks first"."""

    default_error_messages = {"invalid_choice": "Pick a stance of this negotiation's issues."}

    def label_from_instance(self, stance):
        return stance_label(stance)


class DemandChoiceField(forms.ModelChoiceField):
    default_error_messages = {"invalid_choice": "Pick a demand stated at or before this round."}

    def label_from_instance(self, demand):
        return demand_label(demand)


def stance_label(stance: Stance) -> str:
    """Return a stance named with its issue; needs `issue` loaded (select_related)."""
    return f"{stance.issue.title} — {stance}"


def demand_label(demand: Demand) -> str:
    """Return a demand with whose, on what and when; needs party, issue and round loaded."""
    return (
        f"{demand.party.short_name} · {demand.issue.title} · {demand.round.title}: "
        f"{demand.text[:60]}"
    )


def short_demand_label(demand: Demand, *, issue_id=None, party_id=None) -> str:
    """Return a demand named only by what its row does not already say.

    In a row whose party and issue are chosen, "softens" needs only the round and the words;
    "in return for" names the other party, and the issue only when it is another one.
    """
    parts = []
    if party_id is None or demand.party_id != party_id:
        parts.append(demand.party.short_name)
    if issue_id is None or demand.issue_id != issue_id:
        parts.append(demand.issue.title)
    parts.append(demand.round.title)
    return f"{' · '.join(parts)}: {demand.text[:60]}"


def stances_for_choice():
    return Stance.objects.select_related("issue").order_by("issue__order", "issue__title", "value")


def demands_for_choice():
    return Demand.objects.select_related("party", "issue", "round").order_by(
        "issue__order", "party__name", "round__start_date", "round__sequence"
    )


CHOICE_FIELDS = {
    "party": PartyChoiceField,
    "issue": IssueChoiceField,
    "stance": StanceChoiceField,
    "softens": DemandChoiceField,
    "in_return_for": DemandChoiceField,
}


def round_choices(round: Round) -> dict[str, models.QuerySet]:
    """Return what a statement at `round` may refer to: its negotiation's parties, issues,
    stances, and the demands stated at or before it."""
    negotiation_id = round.negotiation_id
    demands = demands_for_choice().filter(round__in=Round.objects.up_to(round))
    return {
        "party": Party.objects.filter(participations__negotiation_id=negotiation_id).order_by(
            "participations__order", "name"
        ),
        "issue": Issue.objects.filter(negotiation_id=negotiation_id),
        "stance": stances_for_choice().filter(issue__negotiation_id=negotiation_id),
        "softens": demands,
        "in_return_for": demands,
    }


# Fields whose choices depend on the row's round, party and issue: fetched as the analyst
# types (RowChoicesSelect, positions/static/positions/admin-choices.js), never all rendered.
ROW_CHOICE_FIELDS = ("issue", "stance", "softens", "in_return_for")


def fitting_choices(
    field: str, *, round: Round | None, party_id=None, issue_id=None, term: str = ""
) -> models.QuerySet:
    """Return the choices that fit a statement row with what is known of it so far.

    The narrowing follows the models' rules (docs/rules.md), never adds one: a stance is on
    the row's issue (Demand.clean, stance_of_issue); "softens" is the same party's demand on
    the same issue (softens_own_demand) and "in return for" another party's
    (in_return_for_other_party), both stated at or before the round (stated_later). What is
    not known yet does not narrow. The forms validate against the round's wider choices, so
    the models' own refusals, on the field, stay the authority.
    """
    term = term.strip()
    if field == "issue":
        issues = Issue.objects.order_by("order", "title")
        if round is not None:
            issues = issues.filter(negotiation_id=round.negotiation_id)
        return issues.filter(title__icontains=term) if term else issues
    if field == "stance":
        stances = stances_for_choice()
        if round is not None:
            stances = stances.filter(issue__negotiation_id=round.negotiation_id)
        if issue_id:
            stances = stances.filter(issue_id=issue_id)
        if term:
            stances = stances.filter(models.Q(label__icontains=term) | models.Q(value=_int(term)))
        return stances
    if field not in ("softens", "in_return_for"):
        raise ValueError(f"No fitting choices for {field!r}.")
    demands = Demand.objects.select_related("party", "issue", "round")
    if round is not None:
        demands = demands.filter(round__in=Round.objects.up_to(round))
    if field == "softens":
        if party_id:
            demands = demands.filter(party_id=party_id)
        if issue_id:
            demands = demands.filter(issue_id=issue_id)
    elif party_id:
        demands = demands.exclude(party_id=party_id)
    if term:
        demands = demands.filter(
            models.Q(text__icontains=term)
            | models.Q(party__short_name__icontains=term)
            | models.Q(party__name__icontains=term)
            | models.Q(issue__title__icontains=term)
            | models.Q(round__title__icontains=term)
        )
    # Latest first; for "in return for", demands on the row's own issue first.
    same_issue_first = (
        [models.Case(models.When(issue_id=issue_id, then=0), default=1)] if issue_id else []
    )
    return demands.order_by(
        *same_issue_first, "-round__start_date", "-round__sequence", "party__name", "pk"
    )


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def choice_label(field: str, record, *, party_id=None, issue_id=None) -> str:
    """Return how a row's select names `record`: short, since the row says the rest."""
    if field == "issue":
        return record.title
    if field == "stance":
        return str(record) if issue_id else stance_label(record)
    return short_demand_label(record, issue_id=issue_id, party_id=party_id)


# A reference, in a concession row, to a demand row added in the same save: "new:<row index>".
NEW_ROW_PREFIX = "new:"


class RowChoicesSelect(forms.Select):
    """A select that renders only its chosen option; the rest are fetched as the analyst types.

    On a round's page every row's stance, "softens" and "in return for" once listed every
    stance and demand of the negotiation (22 MB at corpus scale). This widget sends the
    chosen value alone; positions/static/positions/admin-choices.js turns it into Django's
    select2 autocomplete, asking `RoundAdmin.choices_view` for what fits the row's round,
    party and issue (`fitting_choices`). Labels of chosen values come from `known` (filled
    from the row's loaded relations) or, failing that, one query.
    """

    known: dict[str, str] = {}

    def __init__(self, *, field_name: str, round_id=None, attrs=None):
        super().__init__(attrs)
        self.field_name = field_name
        self.round_id = round_id
        self.known = {}

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        classes = attrs.get("class", "")
        attrs.update(
            {
                "class": f"{classes} parley-choices".strip(),
                "data-field": self.field_name,
                "data-ajax--url": reverse("admin:negotiations_round_choices"),
                "data-ajax--delay": 250,
                "data-theme": "admin-autocomplete",
                "data-allow-clear": "true",
                "data-placeholder": "",
            }
        )
        if self.round_id:
            attrs["data-round"] = str(self.round_id)
        return attrs

    def optgroups(self, name, value, attrs=None):
        options = [self.create_option(name, "", "", False, 0)]
        chosen = [str(v) for v in value if v not in (None, "")]
        labels = self._labels(chosen)
        for pk in chosen:
            if pk in labels:
                options.append(self.create_option(name, pk, labels[pk], True, len(options)))
        return [(None, options, 0)]

    def _labels(self, chosen: list[str]) -> dict[str, str]:
        labels = {pk: self.known[pk] for pk in chosen if pk in self.known}
        for pk in chosen:
            if pk.startswith(NEW_ROW_PREFIX):
                labels[pk] = f"The new demand row {pk.removeprefix(NEW_ROW_PREFIX)}"
        missing = [pk for pk in chosen if pk not in labels and pk.isdigit()]
        field = getattr(self.choices, "field", None)
        if missing and field is not None:
            for record in field.queryset.filter(pk__in=missing):
                labels[str(record.pk)] = field.label_from_instance(record)
        return labels

    @property
    def media(self):
        extra = "" if settings.DEBUG else ".min"
        return forms.Media(
            js=(
                f"admin/js/vendor/jquery/jquery{extra}.js",
                f"admin/js/vendor/select2/select2.full{extra}.js",
                "admin/js/jquery.init.js",
                "positions/admin-choices.js",
            ),
            css={
                "screen": (
                    f"admin/css/vendor/select2/select2{extra}.css",
                    "admin/css/autocomplete.css",
                )
            },
        )


class NewDemandRow:
    """A concession row's reference to a demand row of the same save, by its row index."""

    def __init__(self, index: int):
        self.index = index

    def __eq__(self, other):
        return isinstance(other, NewDemandRow) and other.index == self.index

    def __hash__(self):
        return hash(self.index)


class RowDemandChoiceField(DemandChoiceField):
    """A demand chosen in a round's concession row: a saved one, or a demand row of this save.

    A value "new:<index>" names a demand row added on the same page; ConcessionFormSet checks
    it with the model's rules once the demand rows are valid and points the concession at the
    demand when it is saved (docs/admin.md, "The workflow").
    """

    def to_python(self, value):
        if isinstance(value, str) and value.startswith(NEW_ROW_PREFIX):
            index = value.removeprefix(NEW_ROW_PREFIX)
            if index.isdigit():
                return NewDemandRow(int(index))
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)

    def validate(self, value):
        if not isinstance(value, NewDemandRow):
            super().validate(value)


class AcceptedValuesMixin:
    """An autocomplete that shows, as selected, only values its field could accept.

    Django's autocomplete looks the selected values up in the database when it renders; a
    posted value that is not an id at all ("abc") makes that lookup raise, and a redisplayed
    form becomes a server error. Such a value is dropped from the widget instead: the field
    itself refuses it, so the analyst sees the field's usual "Select a valid choice" error.
    """

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, self.accepted_values(value), attr)

    def accepted_values(self, values) -> list:
        remote = self.field.remote_field
        opts = remote.model._meta
        target = opts.get_field(getattr(remote, "field_name", None) or opts.pk.name)
        accepted = []
        for value in values:
            try:
                target.get_prep_value(target.to_python(value))
            except (ValidationError, ValueError, TypeError):
                continue
            accepted.append(value)
        return accepted


class AcceptingAutocompleteSelect(AcceptedValuesMixin, AutocompleteSelect):
    """The autocomplete of every foreign key in Parley's admin (see ParleyAutocomplete)."""


class AcceptingAutocompleteSelectMultiple(AcceptedValuesMixin, AutocompleteSelectMultiple):
    """The autocomplete of every many-to-many field in Parley's admin."""


class KnownSourcesAutocomplete(AcceptingAutocompleteSelectMultiple):
    """Source autocomplete that labels the selected sources from a preloaded map.

    The stock widget looks its selected options up with one query per row; a round page
    holds dozens of rows whose sources are already prefetched.
    """

    known: dict[str, str] = {}

    def optgroups(self, name, value, attr=None):
        value = self.accepted_values(value)
        selected = [str(v) for v in value if str(v) not in self.choices.field.empty_values]
        if not all(pk in self.known for pk in selected):
            return super().optgroups(name, value, attr)
        options = [
            self.create_option(name, pk, self.known[pk], True, index)
            for index, pk in enumerate(selected)
        ]
        return [(None, options, 0)]


class RoundStatementFormSet(BaseInlineFormSet):
    """A round's demand or concession rows, with choices fitted to the round.

    Party choices (the participants, a handful) are loaded once for the whole formset. Issue,
    stance and demand fields validate against the round's choices (`round_choices`) but
    render only their chosen option (`RowChoicesSelect`), so the page does not grow with the
    negotiation; their labels come from the rows' loaded relations, not a query per row.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._querysets = round_choices(self.instance) if self.instance.pk else {}
        self._choices: dict[int, list] = {}

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for name, queryset in self._querysets.items():
            field = form.fields.get(name)
            if field is None:
                continue
            field.queryset = queryset
            widget = field.widget
            if isinstance(widget, RowChoicesSelect):
                widget.round_id = self.instance.pk
                widget.known = self._known_labels(form.instance, name)
                continue
            key = id(queryset)  # fields that share a queryset share its choices
            if key not in self._choices:
                # iter(): list() would first ask the iterator's length, one COUNT query more.
                self._choices[key] = list(iter(field.choices))
            field.choices = self._choices[key]
        sources = form.fields.get("sources")
        if sources is not None and form.instance.pk is not None:
            widget = getattr(sources.widget, "widget", sources.widget)
            widget.known = {
                str(source.pk): sources.label_from_instance(source)
                for source in form.instance.sources.all()
            }

    @staticmethod
    def _known_labels(statement, name: str) -> dict[str, str]:
        """Label the row's stored choice from its relations (loaded by the inline's query)."""
        if statement.pk is None or not getattr(statement, f"{name}_id", None):
            return {}
        record = getattr(statement, name)
        label = choice_label(name, record, party_id=statement.party_id, issue_id=statement.issue_id)
        return {str(record.pk): label}

    def get_unique_error_message(self, unique_check):
        return (
            "Two rows give the same party a statement on the same issue at this round; "
            "keep one of them."
        )

    def validate_unique(self):
        """Mark each duplicate row, in words that say what to do, and link a stored one.

        Django's own check names no row ("Please correct the duplicate values below"); here
        a row that repeats another row of the page, or a statement already stored for that
        party, issue and round, carries the refusal on its own party field. Only for the
        statements that are one per party, issue and round (demands): a party may make
        several concessions on one issue at a round.
        """
        if not is_one_per_round(self.model):
            super().validate_unique()
            return
        seen: dict[tuple, int] = {}
        for index, form in enumerate(self.forms):
            if not form.is_valid() or (self.can_delete and self._should_delete_form(form)):
                continue
            key = (form.cleaned_data.get("party"), form.cleaned_data.get("issue"))
            if None in key:
                continue
            if key in seen:
                form.add_error(
                    "party",
                    f"Row {seen[key] + 1} already gives {key[0]} a statement on “{key[1]}” "
                    "at this round: keep one of the two rows (delete this one, or change "
                    "its party or issue).",
                )
                continue
            seen[key] = index
        self._refuse_rows_stored_on_other_pages(seen)
        super().validate_unique()

    def _refuse_rows_stored_on_other_pages(self, seen: dict[tuple, int]) -> None:
        """Refuse a row that repeats a stored row the page does not show, with a link to it.

        The round's page edits a page of its rows at a time (positions/paginator.py); the
        duplicate may be on another page, where the check above cannot see it.
        """
        if not seen or self.instance.pk is None:
            return
        shown = [form.instance.pk for form in self.forms if form.instance.pk is not None]
        same = models.Q()
        for party, issue in seen:
            same |= models.Q(party=party, issue=issue)
        stored = self.model._default_manager.filter(same, round=self.instance).exclude(pk__in=shown)
        row_of = {(party.pk, issue.pk): index for (party, issue), index in seen.items()}
        for record in stored.only("pk", "party_id", "issue_id"):
            index = row_of[(record.party_id, record.issue_id)]
            self.forms[index].add_error(
                "party", already_stored(record, where=", on another page of the rows")
            )


class ConcessionFormSet(RoundStatementFormSet):
    """A round's concession rows: they may answer a demand row added in the same save.

    `demand_formset` is the page's demand rows (linked by `link_statement_formsets`). A row
    pointing at "new:<index>" is checked, once that demand row is valid, by the same
    Concession.clean as any other; the demand rows are saved first, and the concession is
    then pointed at the saved demand. The database's triggers stand behind both.
    """

    demand_formset = None

    def clean(self):
        super().clean()
        for form in self.forms:
            pending = getattr(form, "pending_demands", None)
            if not pending or self._should_delete_form(form):
                continue
            for name, row in pending.items():
                self._check_new_row(form, name, row)

    def _new_demand_form(self, row: NewDemandRow):
        demands = self.demand_formset
        if demands is None or row.index >= len(demands.forms):
            return None
        form = demands.forms[row.index]
        if form.instance.pk is not None or not form.has_changed():
            return None
        if demands.can_delete and demands._should_delete_form(form):
            return None
        return form

    def _check_new_row(self, form, name: str, row: NewDemandRow) -> None:
        demand_form = self._new_demand_form(row)
        if demand_form is None:
            form.add_error(name, "That new demand row is gone or empty: pick another demand.")
            return
        if not demand_form.is_valid():
            form.add_error(
                name, "The new demand row this answers has errors: correct that row first."
            )
            return
        # The model's own rules decide, on copies: a placeholder id stands for the demand's
        # id-to-be, so Concession.clean compares party, issue and round as for a saved one.
        demand = copy.copy(demand_form.instance)
        demand.pk = -1
        concession = copy.copy(form.instance)
        concession.round = self.instance
        setattr(concession, name, demand)
        try:
            concession.clean()
        except ValidationError as refusal:
            messages = messages_by_field(refusal)
            form.add_error(name, messages.get(name) or refusal.messages)

    def _point_at_new_rows(self, form) -> None:
        for name, row in (getattr(form, "pending_demands", None) or {}).items():
            setattr(form.instance, name, self.demand_formset.forms[row.index].instance)

    def save_new(self, form, commit=True):
        self._point_at_new_rows(form)
        return super().save_new(form, commit)

    def save_existing(self, form, obj, commit=True):
        self._point_at_new_rows(form)
        return super().save_existing(form, obj, commit)


def link_statement_formsets(formsets) -> None:
    """Give a round page's concession rows its demand rows, for same-save references."""
    demands = next((f for f in formsets if f.model is Demand), None)
    for formset in formsets:
        if isinstance(formset, ConcessionFormSet):
            formset.demand_formset = demands


# --- statement forms ------------------------------------------------------------------------


class StatementForm(VersionedModelForm):
    """A demand or concession on its own page; its rules are its model's `clean()`."""

    def validate_unique(self):
        """Refuse a second demand for one party, issue and round with a link to the first."""
        super().validate_unique()
        errors = self._errors.get(NON_FIELD_ERRORS) if self._errors else None
        existing = self._stored_duplicate() if errors else None
        if existing is None:
            return
        words = duplicate_words(self._meta.model)
        kept = [e for e in errors.as_data() if words not in e.messages]
        if len(kept) == len(errors):
            return
        errors.clear()
        errors.extend(kept)
        errors.append(already_stored(existing))

    def _stored_duplicate(self):
        data = self.cleaned_data
        if not all(data.get(name) for name in ("party", "issue")):
            return None
        round = data.get("round") or (self.instance.round if self.instance.round_id else None)
        if round is None:
            return None
        return (
            self._meta.model._default_manager.filter(
                party=data["party"], issue=data["issue"], round=round
            )
            .exclude(pk=self.instance.pk)
            .first()
        )


class InlineStatementForm(StatementForm):
    asks_reason = False


class InlineConcessionForm(InlineStatementForm):
    """A concession row; a demand row of the same save is set aside for ConcessionFormSet."""

    def clean(self):
        self.pending_demands = {
            name: value
            for name, value in self.cleaned_data.items()
            if isinstance(value, NewDemandRow)
        }
        for name in self.pending_demands:
            self.cleaned_data[name] = None
        return super().clean()


class ConcessionForm(StatementForm):
    """A concession's own page: it softens or answers only demands stated at or before its round.

    The round is the one posted, else the concession's own. A new concession's page, with no
    round yet, offers every demand; once a round is posted a later demand is refused on its
    field (and Concession.clean refuses it too, on the field it names).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        round = self._round()
        if round is None:
            return
        demands = demands_for_choice().filter(round__in=Round.objects.up_to(round))
        for name in ("softens", "in_return_for"):
            if name in self.fields:
                self.fields[name].queryset = demands

    def _round(self) -> Round | None:
        if self.is_bound and "round" in self.fields:
            posted = self.data.get(self.add_prefix("round"))
            try:
                round = Round.objects.filter(pk=posted).first() if posted else None
            except (ValueError, TypeError, ValidationError):
                round = None
            if round is not None:
                return round
        return self.instance.round if self.instance.round_id else None


def one_per_round_rule(model) -> models.BaseConstraint | None:
    """The model's one-per-party-issue-round constraint (demands have one), if any."""
    return next((c for c in model._meta.constraints if c.name.endswith("_one_per_round")), None)


def is_one_per_round(model) -> bool:
    return one_per_round_rule(model) is not None


def duplicate_words(model) -> str:
    """Return the words of a model's one-per-party-issue-round constraint, if it has one."""
    rule = one_per_round_rule(model)
    return str(rule.violation_error_message) if rule is not None else "\0"


def already_stored(record, where: str = "") -> str:
    """The refusal of a duplicate row, linking the stored `record` to edit instead."""
    opts = record._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
    return format_html(
        "This party already has a {} on this issue at this round{}: "
        '<a href="{}">edit that one</a> instead, or change the party, issue or round.',
        opts.verbose_name,
        where,
        url,
    )
