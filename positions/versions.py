"""What changed between the saved versions of a record, field by field, in readable words.

Reads django-simple-history's historical rows (every model has `history = HistoricalRecords()`),
so there is one history, the one the admin shows. For readers: a relation reads as its slug
(a stance as "value: label"), a choice as its label, and whoever saved a version only as their
role (their groups, "Editor", "Analyst"), never their name. Used by the API's `…/history/`
(negotiations/api/history.py); a reader page can use the same functions.

A record's many-to-many links (sources, a round's parties) are kept with each historical row
(`m2m_fields`, negotiations/history.py) and compared like a field: the linked records' slugs,
sorted and joined by ", ", so a version that only changed links still lists what changed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from simple_history.models import HistoricalRecords

from negotiations.history import links_tracked_since

CHANGE_TYPES = {"+": "created", "~": "changed", "-": "deleted"}
# Bookkeeping, not content: every save changes `updated_at`.
UNTRACKED = {"id", "created_at", "updated_at"}


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str | None
    new: str | None


@dataclass
class Version:
    id: int
    date: object
    change: str
    changes: list[FieldChange] = field(default_factory=list)
    reason: str | None = None
    role: str | None = None


def content_fields(historical) -> list[models.Field]:
    """The record's own fields a version can change (not its id or timestamps)."""
    return [f for f in type(historical).tracked_fields if f.name not in UNTRACKED]


class ReadableValues:
    """Turns stored values into what a reader recognises, loading related records in bulk."""

    def __init__(self, records: list):
        wanted: dict[type[models.Model], set] = defaultdict(set)
        for record in records:
            for f in content_fields(record):
                value = getattr(record, f.attname)
                if f.is_relation and value is not None:
                    wanted[f.related_model].add(value)
        self.names: dict[tuple[type[models.Model], object], str] = {}
        for model, keys in wanted.items():
            for related in model._default_manager.filter(pk__in=keys):
                self.names[(model, related.pk)] = readable_name(related)

    def of(self, f: models.Field, value) -> str | None:
        if value is None or value == "":
            return None
        if f.is_relation:
            return self.names.get((f.related_model, value), f"#{value} (since deleted)")
        if f.choices:
            return str(dict(f.flatchoices).get(value, value))
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return str(value)


def link_fields(historical) -> list[models.ManyToManyField]:
    """The record's many-to-many fields whose links its history keeps."""
    return list(getattr(type(historical), "_history_m2m_fields", []))


class Links(dict):
    """Each version's links, readable, keyed by (history id, field); None: no links."""

    def __init__(self, found: dict, since):
        super().__init__(found)
        self.since = since

    def known(self, version) -> bool:
        """Whether the version's links were recorded (negotiations/history.py)."""
        return self.since is not None and version.history_date >= self.since


def links_of(records: list) -> Links:
    """Each version's links, readable: one query per field."""
    if not records:
        return Links({}, None)
    found: dict[tuple[int, str], list[str]] = defaultdict(list)
    for f in link_fields(records[0]):
        kept = HistoricalRecords.m2m_models[f]
        target = f.m2m_reverse_field_name()
        rows = list(
            kept.objects.filter(history__in=[r.history_id for r in records]).values_list(
                "history_id", f"{target}_id"
            )
        )
        names = {
            related.pk: readable_name(related)
            for related in f.related_model._default_manager.filter(pk__in={pk for _, pk in rows})
        }
        for history_id, pk in rows:
            found[(history_id, f.name)].append(names.get(pk, f"#{pk} (since deleted)"))
    return Links(
        {key: ", ".join(sorted(linked)) for key, linked in found.items()}, links_tracked_since()
    )


def readable_name(record: models.Model) -> str:
    """A related record as readers know it: its slug, a stance's "value: label", else its id."""
    slug = getattr(record, "slug", None)
    if slug:
        return slug
    if hasattr(record, "label") and hasattr(record, "value"):
        return f"{record.value}: {record.label}"
    return str(record.pk)


def field_changes(before, after, values: ReadableValues, links=None) -> list[FieldChange]:
    """The fields and links that differ between two versions (`before` None: all set at creation).

    `links` is `links_of()` of both versions; without it, or where a version is older than
    link history, links are not compared.
    """
    changes = []
    for f in content_fields(after):
        old = values.of(f, getattr(before, f.attname)) if before is not None else None
        new = values.of(f, getattr(after, f.attname))
        if old != new:
            changes.append(FieldChange(f.name, str(f.verbose_name), old, new))
    if links is not None and links.known(after) and (before is None or links.known(before)):
        for f in link_fields(after):
            old = links.get((before.history_id, f.name)) if before is not None else None
            new = links.get((after.history_id, f.name))
            if old != new:
                changes.append(FieldChange(f.name, str(f.verbose_name), old, new))
    return changes


def staff_role(user) -> str | None:
    """Who saved a version, as much as readers may know: the user's groups, never the name."""
    if user is None:
        return None
    groups = sorted(group.name for group in user.groups.all())
    if groups:
        return ", ".join(groups)
    return "Administrator" if user.is_superuser else "Staff"


def versions(records: list, previous=None) -> list[Version]:
    """Describe consecutive historical rows of one record, oldest first.

    `previous` is the version just before the first (None if the first is the creation), so
    a page of a long history is described without reading the rest of it.
    """
    every = [*records, *([previous] if previous is not None else [])]
    values = ReadableValues(every)
    links = links_of(every)
    described = []
    for record in records:
        change = CHANGE_TYPES[record.history_type]
        deleted = change == "deleted"
        described.append(
            Version(
                id=record.history_id,
                date=record.history_date,
                change=change,
                changes=[] if deleted else field_changes(previous, record, values, links),
                reason=record.history_change_reason or None,
                role=staff_role(record.history_user),
            )
        )
        previous = record
    return described


# --- a reader's page of history (positions/views.py, docs/pages.md "History") ------------------

PAGE_SIZE = 20


@dataclass
class HistoryPage:
    """One page of a record's versions, newest first, and where the older ones continue."""

    versions: list[Version]
    older: int | None  # the history id to pass as ?before= for the next page; None at the start


def history_page(record, *, before: int | None = None, size: int = PAGE_SIZE) -> HistoryPage:
    """Describe `size` versions of `record`, newest first, older than version `before` if given.

    One query reads the page and the version just before it (what the oldest shown changed
    from), so a long history is never read whole.
    """
    kept = type(record).history.filter(id=record.pk)
    if before is not None:
        start = kept.filter(history_id=before).values("history_date")[:1]
        kept = kept.filter(
            models.Q(history_date__lt=models.Subquery(start))
            | models.Q(history_date=models.Subquery(start), history_id__lt=before)
        )
    rows = list(
        kept.order_by("-history_date", "-history_id")
        .select_related("history_user")
        .prefetch_related("history_user__groups")[: size + 1]
    )
    shown, previous = rows[:size], (rows[size] if len(rows) > size else None)
    described = versions(list(reversed(shown)), previous)
    return HistoryPage(
        versions=list(reversed(described)),
        older=shown[-1].history_id if previous is not None else None,
    )


def is_long_text(model: type[models.Model], name: str) -> bool:
    """A field read as prose (a demand's wording, a summary): readers see a word diff of it."""
    try:
        return isinstance(model._meta.get_field(name), models.TextField)
    except FieldDoesNotExist:  # a field since removed
        return False
