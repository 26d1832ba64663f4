"""Admin pages that do not count, skip or render a whole big table on every request.

Django's admin numbers its pages with `COUNT(*)` of the listed rows. On PostgreSQL that reads
every row of the table (MVCC: each row's visibility is checked), ~0.2 s at a million demands,
on every page of the list. PostgreSQL already keeps estimates close enough to number the pages
of a big list: `pg_class.reltuples` for a whole table (refreshed by ANALYZE and autovacuum),
the planner's row estimate for a filtered one. See docs/performance.md, "Admin lists".
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Below this many rows an exact count is cheap, and a small table's count is one people check.
ESTIMATE_FROM = 100_000
# A list PostgreSQL expects to be smaller is counted exactly, up to this many rows.
COUNT_UP_TO = 10_000


def estimated_rows(queryset) -> int | None:
    """Return PostgreSQL's estimate of the rows of `queryset`'s table, or None.

    None unless the queryset is the whole table (no filter, no DISTINCT, no slice, no UNION)
    on PostgreSQL, with statistics gathered; then the count it estimates is that of the table.
    """
    if not isinstance(queryset, QuerySet):
        return None
    connection = connections[queryset.db]
    query = queryset.query
    if (
        connection.vendor != "postgresql"
        or query.where
        or query.distinct
        or query.combinator
        or query.is_sliced
        or query.extra
    ):
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
            [connection.ops.quote_name(queryset.model._meta.db_table)],
        )
        row = cursor.fetchone()
    # reltuples is -1 for a table never analyzed or vacuumed (PostgreSQL 14+).
    if row is None or row[0] is None or row[0] < 0:
        return None
    return int(row[0])


def planned_rows(queryset) -> int | None:
    """Return the rows PostgreSQL's planner expects `queryset` to give (EXPLAIN), or None."""
    if not isinstance(queryset, QuerySet):
        return None
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(Paginator):
    """Number the pages of a big list by PostgreSQL's estimate; count small ones exactly.

    The whole table is estimated from pg_class.reltuples, a filtered list by the planner's
    EXPLAIN (~1 ms). Only when the estimate is ESTIMATE_FROM rows or more is it shown: such a
    list is paged through by narrowing it, and its last page may come out short or a page
    missing until the next ANALYZE. A list expected to be smaller is counted exactly up to
    COUNT_UP_TO rows, which is cheap; SQLite, which keeps no such estimate, always counts.
    """

    @cached_property
    def count(self) -> int:
        estimate = estimated_rows(self.object_list)
        if estimate is None:
            estimate = planned_rows(self.object_list)
        if estimate is None:
            return super().count
        if estimate >= ESTIMATE_FROM:
            return estimate
        # The planner can be far too low (a search for "level 4": 1,600 rows expected, some
        # hundred thousand found, 1-3 s to count). Counting stops after COUNT_UP_TO rows; a
        # list that reaches it is numbered by the larger of the two, and narrowed from there.
        counted = self.object_list.order_by()[: COUNT_UP_TO + 1].count()
        return counted if counted <= COUNT_UP_TO else max(estimate, counted)

    def page(self, number):
        """Fetch a page after the first by its ids first: a deep OFFSET then walks one index.

        `?p=10000` of the demand list is OFFSET 499,950: with the list's joins PostgreSQL
        builds and drops half a million joined rows (~4 s). Skipping over primary keys alone
        costs a fraction of that; the page's rows are then fetched by id, in the list's order.
        """
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom == 0 or not isinstance(self.object_list, QuerySet):
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        return self._get_page(self.object_list.filter(pk__in=ids), number, self)


# Rows of a round's demands (or concessions) its change page edits at once: each row is ~20
# widgets (~1 ms each to render), so 200 rows took 4.5 s; 20 keep the page under a second.
ROWS_PER_PAGE = 20
# The button of the round's page that saves, then shows another page of rows: "<prefix>-page=N".
ROWS_BUTTON = "_rows"


@dataclass
class RowPage:
    """Which of a round's rows its change page shows, and the buttons to the others."""

    prefix: str
    number: int
    count: int
    first: int
    last: int
    numbers: list

    @property
    def parameter(self) -> str:
        return page_parameter(self.prefix)

    @property
    def several(self) -> bool:
        return self.count > ROWS_PER_PAGE


def page_parameter(prefix: str) -> str:
    """The address parameter naming the page of a formset's rows: "demands-page"."""
    return f"{prefix}-page"


def rows_on_page(queryset, *, prefix: str, number, posted=None) -> tuple[QuerySet, RowPage]:
    """Return the rows of `queryset` (one round's, ordered) that its page edits, and the page.

    Shown: the page `number` asks for, ROWS_PER_PAGE rows. Posted: exactly the rows the
    analyst had on the page (their ids), whatever was added or removed meanwhile, so every
    posted row is matched to its record and none is taken for another.
    """
    count = queryset.count()
    pages = Paginator(range(count), ROWS_PER_PAGE)
    page = pages.get_page(number)
    if posted is not None:
        rows = queryset.filter(pk__in=posted_row_ids(posted, prefix))
    else:
        start = page.start_index() - 1 if count else 0
        ids = list(queryset.values_list("pk", flat=True)[start : start + ROWS_PER_PAGE])
        rows = queryset.filter(pk__in=ids)
    shown = RowPage(
        prefix=prefix,
        number=page.number,
        count=count,
        first=page.start_index(),
        last=page.end_index(),
        numbers=list(pages.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
    )
    return rows, shown


def posted_row_ids(data, prefix: str) -> list[int]:
    """Return the ids of the stored rows a formset posted (`<prefix>-<i>-id`)."""
    try:
        initial = int(data.get(f"{prefix}-INITIAL_FORMS", 0))
    except (TypeError, ValueError):
        return []  # the formset's management form reports it
    values = (data.get(f"{prefix}-{index}-id", "") for index in range(min(initial, 1000)))
    return [int(value) for value in values if value.isascii() and value.isdigit()]
