"""No silent overwrite through the API: ETags on records, If-Match on every change.

A record's ETag names its stored version: its type, id and `updated_at`, the same version the
admin's guard compares (positions/forms.py, VersionedModelForm). PUT, PATCH and DELETE must
send it back in `If-Match`; without it the answer is 428, with a stale one 412 carrying the
record as it now stands. The check and the write happen in one transaction with the row locked
(PostgreSQL: SELECT … FOR UPDATE; SQLite: the database's write lock, taken before the first
read), so two writers holding the same ETag cannot both succeed. docs/api.md, "Writing safely:
ETag and If-Match", gives the rules (strong comparison, `*`, lists).
"""

from __future__ import annotations

import datetime
import hashlib
import re

from django.db import connection
from django.db.models import F, Model
from rest_framework import exceptions, status

from positions.services import stored_version

GUARDED_METHODS = frozenset({"PUT", "PATCH", "DELETE"})
VERSION_FIELD = "updated_at"
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)

# RFC 9110 §8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, in a comma-separated list.
ENTITY_TAG = re.compile(r'\s*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*(?:,|$)')


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        "Send the record's ETag in If-Match to change or delete it: GET the record, then send "
        'its ETag header back unchanged (If-Match: "…"). This keeps you from overwriting a '
        "change you have not seen."
    )
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    """The record changed since the client read it; the answer carries it as it now stands.

    Rendered by errors.exception_handler as `{"detail": …, "current": {record}}` with the
    current ETag, since DRF would turn the record's numbers into strings.
    """

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"

    def __init__(self, detail: str, *, current: dict, etag: str):
        super().__init__(detail)
        self.current = current
        self.etag = etag


def is_versioned(record) -> bool:
    return isinstance(record, Model) and hasattr(record, VERSION_FIELD)


def version_tag(model: type[Model], pk, version: datetime.datetime | None) -> str:
    """Return the strong ETag of `model` row `pk` at `version` (its `updated_at`)."""
    micros = (version - EPOCH) // datetime.timedelta(microseconds=1) if version else 0
    name = f"{model._meta.label_lower}:{pk}:{micros}"
    return f'"{hashlib.blake2b(name.encode(), digest_size=12).hexdigest()}"'


def etag_of(record) -> str | None:
    """Return the ETag of a record as loaded or just saved; None for a record without versions."""
    if not is_versioned(record) or record.pk is None:
        return None
    return version_tag(type(record), record.pk, getattr(record, VERSION_FIELD))


def if_match_tags(request) -> list[tuple[bool, str]] | None:
    """Return the If-Match header as (weak, opaque-tag) pairs, or None for `*`.

    Missing: 428. Malformed (an ETag without its double quotes, say): 400 naming If-Match.
    """
    header = request.headers.get("If-Match")
    if header is None or not header.strip():
        raise PreconditionRequired()
    if header.strip() == "*":
        return None
    tags, position = [], 0
    while position < len(header):
        match = ENTITY_TAG.match(header, position)
        if match is None or match.end() == position:
            raise exceptions.ValidationError(
                {
                    "If-Match": [
                        f"Cannot read “{header}” as entity tags; send the ETag header exactly "
                        'as given, double quotes included (If-Match: "…"), or * for any version.'
                    ]
                }
            )
        tags.append((match.group(1) is not None, match.group(2)))
        position = match.end()
    return tags


def take_write_lock(model: type[Model]) -> None:
    """On SQLite, hold the database's write lock from now until the transaction ends.

    SQLite has no row locks; a transaction that reads and then writes may find another writer
    holding the lock and fail. Writing nothing (no row has id -1) takes the lock up front, so
    writers queue instead. PostgreSQL locks the row itself (`current_version`).
    """
    if connection.vendor == "sqlite":
        model._default_manager.filter(pk=-1).update(**{VERSION_FIELD: F(VERSION_FIELD)})


def current_version(record) -> datetime.datetime | None:
    """Return the row's stored version, locking the row until the transaction ends.

    None if the row is gone. Must run inside the write's transaction.
    """
    return stored_version(record, lock=True)


def matches(tags: list[tuple[bool, str]] | None, etag: str) -> bool:
    """RFC 9110 §13.1.1: If-Match compares strongly; a weak tag never matches, `*` always."""
    if tags is None:
        return True
    return any(not weak and f'"{opaque}"' == etag for weak, opaque in tags)


def refuse_stale_write(tags, record, representation) -> None:
    """Raise 412 unless `tags` name `record`'s current version; `representation()` is its JSON."""
    etag = etag_of(record)
    if matches(tags, etag):
        return
    noun = type(record)._meta.verbose_name
    weak = tags and any(weak for weak, _ in tags)
    detail = (
        f"This {noun} has changed since you read it; nothing was saved. `current` holds it as "
        "it now stands and the ETag header its version: compare, then send your change again "
        "with that ETag in If-Match."
    )
    if weak:
        detail += ' (A weak ETag, W/"…", never matches If-Match; send the ETag without W/.)'
    raise PreconditionFailed(detail, current=representation(), etag=etag)
