"""Admin list pages that do not count a whole big table on every page.

Django's admin numbers its pages with `COUNT(*)` of the listed rows. On PostgreSQL that reads
every row of the table (MVCC: each row's visibility is checked), ~0.2 s at a million demands,
on every page of the list. PostgreSQL already keeps estimates close enough to number the pages
of a big list: `pg_class.reltuples` for a whole table (refreshed by ANALYZE and autovacuum),
the planner's row estimate for a filtered one. See docs/performance.md, "Admin lists".
"""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Below this many rows an exact count is cheap, and a small table's count is one people check.
ESTIMATE_FROM = 100_000


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
    missing until the next ANALYZE. A list expected to be smaller is counted exactly, which
    is cheap; SQLite, which keeps no such estimate, always counts.
    """

    @cached_property
    def count(self) -> int:
        estimate = estimated_rows(self.object_list)
        if estimate is None:
            estimate = planned_rows(self.object_list)
        if estimate is not None and estimate >= ESTIMATE_FROM:
            return estimate
        return super().count
