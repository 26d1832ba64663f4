"""CSV: every list and computed view as a flat table that loads straight into a data frame.

Columns come from the serializer, not from the rows, so a file has the same header whether
or not its first row happens to have a stance. Nesting flattens with underscores (`party` →
`party_slug`, `party_name`, …); a list of records becomes one column per field with the values
joined by "; " (`sources_slug`); a list of plain values is joined the same way.

A hand-made renderer rather than djangorestframework-csv: that package names columns by dotted
paths taken from the data (`party.slug`), so a column vanishes when every row has a null there,
and it has had no release since 2023. This one is small and follows the serializers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import orjson
from rest_framework import relations, renderers, serializers
from rest_framework.renderers import BaseRenderer

from negotiations.api.serializers import RefField, StanceField, StanceRefSerializer

JOIN = "; "


@dataclass(frozen=True)
class Column:
    name: str
    path: tuple[str, ...]
    # Set when `path` leads to a list of records: the path of the value inside each of them.
    within: tuple[str, ...] = ()


def csv_columns(serializer: serializers.BaseSerializer) -> list[Column]:
    """Return the flat columns of what `serializer` outputs (one row per record)."""
    if isinstance(serializer, serializers.ListSerializer):
        serializer = serializer.child
    return list(_columns(serializer, ()))


def _columns(serializer, prefix: tuple[str, ...]) -> Iterator[Column]:
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        path = (*prefix, name)
        nested, many = _nested(field)
        if nested is None:
            yield Column("_".join(path), path)
        elif many:
            for inner in _columns(nested, ()):
                yield Column("_".join((*path, inner.name)), path, within=inner.path)
        else:
            yield from _columns(nested, path)


def _nested(field) -> tuple[serializers.BaseSerializer | None, bool]:
    if isinstance(field, serializers.ListSerializer):
        return field.child, True
    if isinstance(field, serializers.BaseSerializer):
        return field, False
    if isinstance(field, RefField):
        return field.ref(), False
    if isinstance(field, relations.ManyRelatedField) and isinstance(field.child_relation, RefField):
        return field.child_relation.ref(), True
    if isinstance(field, StanceField):
        return StanceRefSerializer(), False
    return None, False


def _walk(value, path: tuple[str, ...]):
    for key in path:
        if value is None:
            return None
        value = value.get(key)
    return value


def _cell(value) -> str:
    if type(value) is str:  # most cells: checked first, as CSV exports write millions
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # what both R's read.csv and pandas read as logical
    if isinstance(value, dict):
        return JOIN.join(f"{key}={_cell(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return JOIN.join(_cell(item) for item in value)
    return str(value)


def csv_row(record: dict, columns: list[Column]) -> list[str]:
    row = []
    for column in columns:
        value = _walk(record, column.path)
        if column.within and value is not None:
            value = [_walk(item, column.within) for item in value]
        row.append(_cell(value))
    return row


def csv_lines(records: Iterable[dict], columns: list[Column]) -> Iterator[str]:
    """Yield the header and then one CSV line per record, for streaming."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.name for column in columns])
    yield _drain(buffer)
    for record in records:
        writer.writerow(csv_row(record, columns))
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def records_of(data) -> list[dict]:
    """Return the rows in a response body: a page's or a computed view's `results`, else itself."""
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        return data["results"]
    if isinstance(data, list):
        return data
    return [data]


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        view = (renderer_context or {}).get("view")
        records = records_of(data)
        if view is not None and hasattr(view, "csv_columns"):
            columns = view.csv_columns()
        else:
            columns = [Column(name, (name,)) for name in (records[0] if records else {})]
        return "".join(csv_lines(records, columns)).encode(self.charset)


# Numbers orjson writes otherwise than Python's `json` (`0.00001` for 1e-05, `1e16` for 1e+16).
_OTHERWISE_WRITTEN = re.compile(rb"[:,\[]-?(?:0\.0000|\d+(?:\.\d+)?e)")


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer with orjson encoding: the same bytes, several times faster.

    DRF's settings here write compact UTF-8 (`COMPACT_JSON`, `UNICODE_JSON`), which is what
    orjson writes. Everything orjson would write differently goes through DRF's encoder:
    datetimes (DRF shortens them to milliseconds and writes `Z`), types orjson does not know
    (via the encoder's `default`), indented output (the browsable API, `; indent=`), and any
    answer whose bytes look like a number orjson and Python format differently. A false alarm
    only costs speed. tests/api/test_fast_paths.py compares the bytes.
    """

    def render(self, data, accepted_media_type=None, renderer_context=None):
        context = renderer_context or {}
        plain = (
            data is not None
            and self.compact
            and not self.ensure_ascii
            and not self.get_indent(accepted_media_type, context)
        )
        if plain:
            try:
                out = orjson.dumps(
                    data,
                    default=self.encoder_class().default,
                    option=orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS,
                )
            except TypeError:
                out = None
            if out is not None and not _OTHERWISE_WRITTEN.search(out):
                # As DRF does: U+2028 and U+2029 are valid JSON but end lines in JavaScript.
                return out.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        return super().render(data, accepted_media_type, renderer_context)
