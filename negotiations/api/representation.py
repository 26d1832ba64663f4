"""Serializer output without DRF's per-value overhead, following the serializers' own fields.

DRF's `Serializer.to_representation` asks every field, for every record, to find its value
and convert it; nested references (`RefField`) built a whole ModelSerializer per value. At a
million demands that was ~85 % of a list request (docs/performance.md). `CompiledRepresentation`
walks the same `fields` once per serializer instance and turns each into a small reader:

- plain attributes are read with `operator.attrgetter` along the field's `source`;
- values whose representation is themselves (a `str` for a CharField, an `int` for an
  IntegerField, …) are passed through, dates become `isoformat()`; every other value, and every
  field of a kind not listed here, goes through the field's own `to_representation`;
- nested serializers and references call their (compiled) serializer once per value.

Anything unusual (a dict instead of a model, a missing attribute, a callable source) falls back
to the field's own `get_attribute`, so DRF's rules for defaults, nulls and skipped fields hold.
The output is the same as DRF's; tests/api/test_fast_paths.py compares both on every list and
export. A field added to a serializer is picked up here with no second list to edit.
"""

from __future__ import annotations

import datetime
import operator
from collections.abc import Callable
from typing import Any

from django.db.models.manager import BaseManager
from rest_framework import fields as f
from rest_framework import relations, serializers
from rest_framework.fields import SkipField
from rest_framework.settings import api_settings

SKIP = object()
ISO = f.ISO_8601
DATETIME_FORMAT = api_settings.DATETIME_FORMAT
MAX_REUSED = 5000  # references kept per serializer and request

Reader = Callable[[Any], Any]

# Field kinds whose representation of a value of exactly this type is the value itself.
PASS_THROUGH: dict[type, type] = {
    f.CharField: str,
    f.URLField: str,
    f.SlugField: str,
    f.EmailField: str,
    f.ChoiceField: str,
    f.IntegerField: int,
    f.BooleanField: bool,
    f.FloatField: float,
}


def reads(*paths: str):
    """Name the relations a `SerializerMethodField`'s method reads (`"round__negotiation"`).

    The flat list and CSV reader (rows.py) loads them alongside each record.
    """

    def mark(method):
        method.reads = paths
        return method

    return mark


class CompiledRepresentation:
    """Mixin for serializers: `to_representation` through readers compiled from `fields`."""

    # Off: DRF's own path (and `reverse` for every URL), which the tests compare against.
    enabled = True
    # A reference (`{"slug", "name", "url"}`) depends on its record's row alone, so a record
    # named many times in one answer (a page of demands names a few rounds and one party
    # hundreds of times) is represented once; the same dict is reused, never changed.
    reused_per_record = False

    def to_representation(self, instance):
        if not CompiledRepresentation.enabled:
            return super().to_representation(instance)
        if self.reused_per_record:
            key = getattr(instance, "pk", None)
            if key is not None:
                made = self.__dict__.setdefault("_made", {})
                row = made.get(key)
                if row is None:
                    if len(made) >= MAX_REUSED:  # a whole-table export: keep memory flat
                        made.clear()
                    row = made[key] = self.represent(instance)
                return row
        return self.represent(instance)

    def represent(self, instance):
        readers = self.__dict__.get("_readers")
        if readers is None:
            readers = self.__dict__["_readers"] = compile_readers(self)
        row = {}
        for name, read in readers:
            value = read(instance)
            if value is not SKIP:
                row[name] = value
        return row


def compile_readers(serializer: serializers.BaseSerializer) -> list[tuple[str, Reader]]:
    """Return (output name, reader) for each readable field, in the serializer's order."""
    return [
        (name, reader_for(field))
        for name, field in serializer.fields.items()
        if not field.write_only
    ]


def reader_for(field: f.Field) -> Reader:
    convert = converter_for(field)
    if isinstance(field, f.SerializerMethodField):
        method = getattr(field.parent, field.method_name)
        return method
    get = getter_for(field)

    def read(instance):
        try:
            value = get(instance)
        except SkipField:
            return SKIP
        if value is None:
            return None
        return convert(value)

    return read


def getter_for(field: f.Field) -> Reader:
    """Return what `field.get_attribute` returns, taking the quick way for model attributes."""
    if field.source == "*":
        return lambda instance: instance
    slow = field.get_attribute
    if isinstance(field, relations.ManyRelatedField):
        name = field.source

        def get_many(instance):
            # What `.all()` returns when the view prefetched the relation, without making a
            # related manager and a queryset per record to get at it.
            prefetched = getattr(instance, "_prefetched_objects_cache", {}).get(name)
            if type(prefetched) is list:  # read by rows.RowReader
                return prefetched
            if prefetched is not None and prefetched._result_cache is not None:
                return prefetched._result_cache
            return slow(instance)

        return get_many
    fast = operator.attrgetter(".".join(field.source_attrs))
    key = field.source_attrs[0] if len(field.source_attrs) == 1 else None

    def get(instance):
        if isinstance(instance, dict):
            # The computed views' rows (the panel's, for one) are dicts of plain values.
            if key is not None and key in instance:
                value = instance[key]
                if not callable(value):
                    return value
            return slow(instance)
        try:
            value = fast(instance)
        except (AttributeError, KeyError):
            return slow(instance)
        if callable(value):
            return slow(instance)  # a method DRF calls, or a manager
        return value

    return get


def converter_for(field: f.Field) -> Reader:
    """Return what `field.to_representation` does with a value that is not None."""
    from negotiations.api.serializers import RefField, StanceField

    kind = type(field)
    same = PASS_THROUGH.get(kind)
    if kind is f.ChoiceField and not all(type(key) is str for key in field.choices):
        same = None  # DRF maps a string back to a non-string choice key
    if same is not None:
        generic = field.to_representation
        return lambda value: value if type(value) is same else generic(value)
    if kind is f.DateField and getattr(field, "format", f.ISO_8601) in (f.ISO_8601, "iso-8601"):
        generic = field.to_representation
        return lambda value: value.isoformat() if type(value) is datetime.date else generic(value)
    if kind is f.DateTimeField and str(getattr(field, "format", DATETIME_FORMAT)).lower() == ISO:
        zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()
        if zone is not None and str(zone) == "UTC":
            # DRF's output for a UTC datetime shown in UTC: isoformat with "Z" for "+00:00".
            generic = field.to_representation

            def utc_datetime(value):
                if type(value) is datetime.datetime and value.tzinfo is datetime.UTC:
                    return value.isoformat()[:-6] + "Z"
                return generic(value)

            return utc_datetime
    if isinstance(field, RefField):
        return field.reference().to_representation
    if isinstance(field, StanceField):
        return field.reference().to_representation
    if isinstance(field, relations.ManyRelatedField) and isinstance(field.child_relation, RefField):
        item = field.child_relation.reference().to_representation
        return lambda values: [item(value) for value in values]
    if isinstance(field, serializers.ListSerializer):
        item = field.child.to_representation

        def items(values):
            if isinstance(values, BaseManager):
                values = values.all()
            return [item(value) for value in values]

        return items
    return field.to_representation
