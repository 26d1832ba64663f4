"""Records for a list or a CSV export read as flat rows, their relations as the serializer needs.

A page of 100 demands through `select_related` and `prefetch_related` made ~830 model
instances: each demand's party, issue, round, negotiations and stance anew for every row, and
a queryset per demand for its sources (docs/performance.md, "The API and its exports"). Here
one `values_list` query reads each record with the columns of the records it points to, and
one query per to-many relation (sources, competing claims) reads those for the whole batch.
Each related record is made once per batch and shared by every row that names it, so the
serializer's references (reused per record, representation.py) are built once too.

Which relations to read is derived from the serializer's fields: each field's `source` walked
over the model (`round.negotiation`), nested and reference serializers followed, and each
`SerializerMethodField` naming what it reads with `@reads(...)`. There is no second list of
fields: a field added to a serializer is read here with nothing else to edit. A relation a
method reads but does not name costs a query per row, which `tests/api/test_query_counts.py`
catches.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.core.exceptions import FieldDoesNotExist
from django.db import connections, models
from django.db.models import prefetch_related_objects
from rest_framework import fields as f
from rest_framework import relations, serializers

from negotiations.api.renderers import _nested

OWNER = "_parley_owner"


ALL = None  # a record read whole: a property of the model may read any of its columns


@dataclass
class Relation:
    """A relation to read: the columns wanted, and the relations read through it."""

    name: str
    field: models.Field | None
    many: bool
    columns: set[str] | None = field(default_factory=set)
    children: dict[str, Relation] = field(default_factory=dict)

    @property
    def model(self) -> type[models.Model]:
        return self.field.related_model


@functools.lru_cache(maxsize=64)
def relations_of(serializer_class, model) -> Relation:
    """What `serializer_class` reads of `model`: the record whole, and its relations' columns.

    A related record is read with the columns its serializer's fields name (a reference:
    slug, name, …), or whole when a field reads a property of its model (a round's
    `date_display`). Made once per serializer class: fields do not depend on the request.
    """
    root = Relation("", None, False, ALL)
    _collect(serializer_class(), model, root)
    return root


def _collect(serializer, model, node: Relation) -> None:
    if isinstance(serializer, serializers.ListSerializer):
        serializer = serializer.child
    for item in serializer.fields.values():
        if item.write_only:
            continue
        if isinstance(item, f.SerializerMethodField):
            method = getattr(serializer, item.method_name)
            for path in getattr(method, "reads", ()):
                _add_path(model, node, path.split("__"))
            continue
        if item.source == "*":
            continue  # the record itself (its links): read from its own columns
        inner, inner_model = _add_path(model, node, item.source_attrs)
        if inner is node:
            continue  # a column or a property of the record itself
        nested, _ = _nested(item)
        if nested is not None:
            _collect(nested, inner_model, inner)
        elif isinstance(getattr(item, "child_relation", item), relations.SlugRelatedField):
            _want(inner, getattr(item, "child_relation", item).slug_field)
        else:
            inner.columns = ALL


def _want(node: Relation, column: str) -> None:
    if node.columns is not ALL:
        node.columns.add(column)


def _add_path(model, node: Relation, names) -> tuple[Relation, type[models.Model]]:
    """Add the relations along `names`; a column at its end is wanted, a property reads all.

    Returns the last relation reached and its model.
    """
    for name in names:
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:  # a property or method of the model: it may read anything
            node.columns = ALL
            return node, model
        if not model_field.is_relation:
            _want(node, model_field.attname)
            return node, model
        if not (model_field.many_to_many or model_field.one_to_many):
            _want(node, model_field.attname)  # the key: a null relation is read as None
        child = node.children.get(name)
        if child is None:
            many = model_field.many_to_many or model_field.one_to_many
            child = node.children[name] = Relation(name, model_field, many)
        node, model = child, child.model
    return node, model


@dataclass
class Columns:
    """Where a model's columns sit in a flat row, and what hangs from it."""

    model: type[models.Model]
    start: int
    names: list[str]
    single: list[tuple[Relation, Columns]]

    @property
    def pk_index(self) -> int:
        return self.start + self.names.index(self.model._meta.pk.attname)


def layout(model, node: Relation, prefix: str, paths: list[str]) -> Columns:
    """Append the wanted columns of `model` and its single-valued relations to `paths`.

    Columns left out are deferred: reading one makes a query (refresh_from_db), which the
    query-count tests catch.
    """
    names = [
        column.attname
        for column in model._meta.concrete_fields
        if node.columns is ALL or column.primary_key or column.attname in node.columns
    ]
    columns = Columns(model, len(paths), names, [])
    paths += [prefix + name for name in names]
    for relation in node.children.values():
        if not relation.many:
            inner = layout(relation.model, relation, f"{prefix}{relation.name}__", paths)
            columns.single.append((relation, inner))
    return columns


class RowReader:
    """Makes the records of a queryset from flat rows, with the relations a serializer reads."""

    def __init__(self, queryset: models.QuerySet, serializer_class):
        self.queryset = queryset.select_related(None).prefetch_related(None)
        self.model = queryset.model
        self.tree = relations_of(serializer_class, self.model)
        self.paths: list[str] = []
        self.columns = layout(self.model, self.tree, "", self.paths)
        self.annotations = list(queryset.query.annotation_select)
        self.db = queryset.db

    def rows(self) -> models.QuerySet:
        """The flat rows: the wanted columns, then the queryset's annotations (`date`)."""
        return self.queryset.values_list(*self.paths, *self.annotations)

    def records(self, rows) -> list[models.Model]:
        """Return the records of `rows` (from `rows()`), their to-many relations loaded."""
        made: dict = {}
        width = len(self.paths)
        records = []
        for row in rows:
            record = self.make(row, self.columns, made)
            for name, value in zip(self.annotations, row[width:], strict=True):
                setattr(record, name, value)
            records.append(record)
        self.load_many(records, self.tree.children)
        return records

    def make(self, row, columns: Columns, made: dict):
        model = columns.model
        values = row[columns.start : columns.start + len(columns.names)]
        record = model.from_db(self.db, columns.names, values)
        for relation, inner in columns.single:
            key = row[inner.pk_index]
            if key is None:
                related = None
            else:
                # Per path: the same record read elsewhere may have other columns.
                known = made.setdefault(id(inner), {})
                related = known.get(key)
                if related is None:
                    related = known[key] = self.make(row, inner, made)
            relation.field.set_cached_value(record, related)
        return record

    def load_many(self, records: list[models.Model], tree: dict[str, Relation]) -> None:
        """Read each to-many relation of `records` in one query, as prefetching would."""
        for relation in tree.values():
            if relation.many:
                self.load_relation(records, relation)
            else:
                inner = {id(r): r for r in (getattr(x, relation.name) for x in records) if r}
                self.load_many(list(inner.values()), relation.children)

    def load_relation(self, records, relation: Relation) -> None:
        if not records:
            return
        owners = {record.pk for record in records}
        paths: list[str] = []
        columns = layout(relation.model, relation, "", paths)
        model_field = relation.field
        if model_field.many_to_many and not model_field.auto_created:
            # The query prefetching makes (one join), the owner read from the join table.
            quote = connections[self.db].ops.quote_name
            owner = f"{quote(model_field.m2m_db_table())}.{quote(model_field.m2m_column_name())}"
            # In the model's order, as a prefetch reads them (Source and Party end with the id).
            queryset = (
                relation.model._default_manager.filter(
                    **{f"{model_field.related_query_name()}__in": owners}
                )
                .extra(select={OWNER: owner})
                .order_by(*relation.model._meta.ordering)
            )
            rows = queryset.values_list(*paths, OWNER)
        elif model_field.one_to_many:
            owner = model_field.field.attname  # competing_claims → demand_id
            rows = relation.model._default_manager.filter(**{f"{owner}__in": owners})
            rows = rows.values_list(*paths, owner)
        else:  # a relation no list reads yet: Django's own prefetching, correct if slower
            prefetch_related_objects(records, relation.name)
            return
        made: dict = {}
        by_owner: dict = {key: [] for key in owners}
        related = []
        for row in rows:
            item = self.make(row, columns, made)
            by_owner[row[-1]].append(item)
            related.append(item)
        self.load_many(related, relation.children)
        for record in records:
            # Where a related manager looks first (the accessor's name); a list, not a queryset
            # per record, which is what made prefetching cost ~0.1 ms a record.
            cache = record.__dict__.setdefault("_prefetched_objects_cache", {})
            cache[relation.name] = by_owner[record.pk]

    def batches(self, size: int) -> Iterator[list[models.Model]]:
        """The whole queryset in batches of `size` records, streamed from the database."""
        rows = self.rows().iterator(chunk_size=size)
        while batch := list(islice(rows, size)):
            yield self.records(batch)
