"""Paging: cursors for the long lists, the whole list for the short ones, one envelope for both.

Every list answers `{"next": …, "previous": …, "results": […]}`. Neither style counts rows: a
COUNT(*) per request grows with the table, and a keyset cursor stays exact while analysts add
and delete rows.
"""

import binascii
import datetime
import json
from base64 import urlsafe_b64decode, urlsafe_b64encode

from django.db.models import Q
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination, Cursor, CursorPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param


def chronological_ordering(view, direction: str = "date") -> tuple[str, ...]:
    """Return the view's full chronological key, oldest first or (`-date`) newest first.

    A view's `ordering` is that key, ascending: `date`, then what orders records sharing a
    date (a round's `sequence`, the statement's `round__sequence`), then the id, so the order
    is the rounds' own order (Round.objects.chronological()) and unique on every database.
    """
    sign = "-" if direction.startswith("-") else ""
    return tuple(f"{sign}{field}" for field in view.ordering)


def is_chronological(view) -> bool:
    return list(getattr(view, "ordering", None) or [])[:1] == ["date"]


class ChronologicalCursorPagination(CursorPagination):
    """Rounds, demands, concessions and sources, oldest first, by their `date`: keyset paging.

    A cursor holds the whole sort key of the record it stands after (or before): the date, the
    round's sequence where the list has one, and the id. The key is unique, so "the records
    after this key" is exact: a record that exists throughout a walk is met exactly once,
    however many records are added or deleted meanwhile, on whatever date. (The position plus
    offset cursor this replaced skipped and repeated records when rows sharing a date came and
    went.) Each page is one query of `page_size + 1` rows; nothing is counted. docs/api.md,
    "Paging".
    """

    ordering = ("date", "id")
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    page_size_query_description = "Records per page, 1 to 1000 (default 100)."
    cursor_query_description = "Opaque position from the `next` or `previous` link."

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, queryset, view)
        cursor = self.decode_cursor(request)
        backwards = cursor is not None and cursor.reverse
        if cursor is not None:
            queryset = queryset.filter(beyond(self.ordering, cursor.position, backwards))
        order = [flip(term) for term in self.ordering] if backwards else list(self.ordering)
        records = load(view, queryset.order_by(*order)[: self.page_size + 1])
        more = len(records) > self.page_size
        records = records[: self.page_size]
        if backwards:
            records.reverse()
        self.page = records
        # Going forward there is something behind whenever we came from a cursor; going back,
        # there is something ahead (the page we came from).
        self.has_next = more if not backwards else True
        self.has_previous = more if backwards else cursor is not None
        return records

    def get_next_link(self):
        if not self.has_next or not self.page:
            return None
        return self.link(self.page[-1], backwards=False)

    def get_previous_link(self):
        if not self.has_previous or not self.page:
            return None
        return self.link(self.page[0], backwards=True)

    def link(self, record, *, backwards: bool) -> str:
        key = [key_value(record, term.lstrip("-")) for term in self.ordering]
        return self.encode_cursor(Cursor(offset=0, reverse=backwards, position=key))

    def encode_cursor(self, cursor):
        payload = {
            "k": [
                value.isoformat() if i == 0 else value for i, value in enumerate(cursor.position)
            ],
            "o": self.ordering[0],
            "b": cursor.reverse,
        }
        encoded = urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode())
        return replace_query_param(self.base_url, self.cursor_query_param, encoded.decode())

    def decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            payload = json.loads(urlsafe_b64decode(encoded.encode("ascii")))
            key = payload["k"]
            valid = (
                isinstance(payload, dict)
                and payload.get("o") == self.ordering[0]
                and isinstance(payload.get("b"), bool)
                and isinstance(key, list)
                and len(key) == len(self.ordering)
                and all(type(value) is int and 0 <= value < 2**63 for value in key[1:])
            )
            if valid:
                key[0] = datetime.date.fromisoformat(key[0])
        except (ValueError, TypeError, KeyError, UnicodeError, binascii.Error):
            valid = False
        if not valid:
            raise ValidationError(
                {
                    self.cursor_query_param: [
                        "Invalid cursor: follow the next or previous link, with the same ordering."
                    ]
                }
            )
        return Cursor(offset=0, reverse=payload["b"], position=key)

    def get_ordering(self, request, queryset, view):
        ordering = tuple(super().get_ordering(request, queryset, view))
        if ordering[0].lstrip("-") != "date":
            raise ValidationError({"ordering": ["Long lists are ordered by date or -date."]})
        return chronological_ordering(view, ordering[0])

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        try:
            size = int(value)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        f"Give a whole number from 1 to {self.max_page_size}."
                    ]
                }
            )
        return size


def beyond(ordering: tuple[str, ...], key: list, backwards: bool) -> Q:
    """Return the condition "sorts after `key`" (before it, `backwards`) in `ordering`.

    (a, b, c) after (x, y, z) is a > x, or a = x and b > y, or a = x, b = y and c > z; a
    descending term compares the other way.
    """
    condition = Q()
    equal = Q()
    for term, value in zip(ordering, key, strict=True):
        field = term.lstrip("-")
        descending = term.startswith("-") != backwards
        condition |= equal & Q(**{f"{field}__{'lt' if descending else 'gt'}": value})
        equal &= Q(**{field: value})
    return condition


def flip(term: str) -> str:
    return term[1:] if term.startswith("-") else f"-{term}"


def load(view, queryset) -> list:
    """The page's records, as the view reads them (flat rows, views.ParleyViewSet)."""
    return view.load_records(queryset) if hasattr(view, "load_records") else list(queryset)


def key_value(record, path: str):
    """Return a sort key's value from a record: `round__sequence` reads record.round.sequence."""
    value = record
    for name in path.split("__"):
        value = getattr(value, name)
    return value


class WholeListPagination(BasePagination):
    """Negotiations, parties and issues: short by nature, so sent whole, in the same envelope."""

    def paginate_queryset(self, queryset, request, view=None):
        return load(view, queryset)

    def get_paginated_response(self, data):
        return Response({"next": None, "previous": None, "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }
