"""Paging: cursors for the long lists, the whole list for the short ones, one envelope for both.

Every list answers `{"next": …, "previous": …, "results": […]}`. Neither style counts rows: a
COUNT(*) per request grows with the table, and a cursor stays stable while analysts add rows.
"""

import datetime

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination, CursorPagination
from rest_framework.response import Response


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
    """Rounds, demands, concessions and sources, oldest first, by their `date`.

    The querysets annotate `date` (a round's start date, a source's publication date). The
    cursor's position is that date plus an offset among the records sharing it; those keep one
    order across pages because the rest of the view's key (round sequence, then id) is unique.
    """

    ordering = ("date", "id")
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    page_size_query_description = "Records per page, 1 to 1000 (default 100)."
    cursor_query_description = "Opaque position from the `next` or `previous` link."

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

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            cursor = None
            valid = False
        else:
            valid = cursor is None or cursor.position is None or _is_date(cursor.position)
        if not valid:
            raise ValidationError(
                {self.cursor_query_param: ["Invalid cursor: follow the next or previous link."]}
            )
        return cursor


def _is_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


class WholeListPagination(BasePagination):
    """Negotiations, parties and issues: short by nature, so sent whole, in the same envelope."""

    def paginate_queryset(self, queryset, request, view=None):
        return list(queryset)

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
