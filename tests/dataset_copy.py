"""The shipped dataset for tests: loaded once through the real loader, copied back afterwards.

Loading the dataset runs the loader's checks on every record (~2–7 s); a hundred tests start
from it. The first test that asks loads it with `load_dataset`, as users do, and this module
keeps the rows that load wrote (records, links, history); later tests get those rows back by
bulk insert in a fraction of the time. The copy is used only when the tables it fills are as
empty as they were before the first load, so it never meets rows it could collide with;
otherwise the loader runs again. Nothing here decides what the dataset is: the loader does.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models, transaction

from negotiations.loader import load_dataset
from negotiations.models import Negotiation


@dataclass
class _Written:
    model: type[models.Model]
    rows: list[models.Model]


_copies: dict[tuple[str, str], list[_Written]] = {}


def shipped_dataset(name: str) -> Negotiation:
    """The dataset `name`, loaded into the test database as `load_dataset(name)` would."""
    key = (connection.vendor, name)
    written = _copies.get(key)
    if written is not None and _all_empty(m.model for m in written):
        _insert(written)
        return Negotiation.objects.get(slug=name)
    counts_before = {m: m._base_manager.count() for m in apps.get_models(include_auto_created=True)}
    negotiation = load_dataset(name).negotiation
    filled = {m for m, count in counts_before.items() if not count and m._base_manager.exists()}
    grown = [m for m, count in counts_before.items() if count and m._base_manager.count() != count]
    if not grown:  # rows added to a table that held some already could not be told apart
        _copies[key] = [
            _Written(model, list(model._base_manager.order_by("pk")))
            for model in _in_dependency_order(filled)
        ]
    return negotiation


def _all_empty(models_: object) -> bool:
    return not any(model._base_manager.exists() for model in models_)


def _insert(written: list[_Written]) -> None:
    # One transaction: foreign keys are checked at its end, and the database's own triggers
    # (positions/migrations/0002) see the rows they look up.
    with transaction.atomic(), _times_as_stored([w.model for w in written]):
        for part in written:
            part.model._base_manager.bulk_create([copy.copy(row) for row in part.rows])
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [w.model for w in written]):
                cursor.execute(sql)


@contextmanager
def _times_as_stored(models_: list[type[models.Model]]) -> Iterator[None]:
    """Keep the copied rows' created_at/updated_at: bulk_create would stamp them anew."""
    stamped = [
        (f, f.auto_now, f.auto_now_add)
        for model in models_
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for f, _, _ in stamped:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in stamped:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _in_dependency_order(chosen: set[type[models.Model]]) -> list[type[models.Model]]:
    """Referenced tables before the tables that refer to them (triggers read them on insert)."""
    ordered: list[type[models.Model]] = []
    seen: set[type[models.Model]] = set()

    def visit(model: type[models.Model]) -> None:
        if model in seen:
            return
        seen.add(model)
        for field in model._meta.concrete_fields:
            target = field.related_model if field.is_relation else None
            if target in chosen and target is not model:
                visit(target)
        ordered.append(model)

    for model in sorted(chosen, key=lambda m: m._meta.label):
        visit(model)
    return ordered
