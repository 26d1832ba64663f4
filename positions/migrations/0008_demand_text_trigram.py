"""A trigram index on demand text, so the admin's search (`icontains`) uses an index.

PostgreSQL only: `pg_trgm` ships with PostgreSQL's contrib modules and is a trusted extension
(the database's owner may create it; docs/deployment.md). Django's `icontains` compares
`UPPER(text)`, so the index is on that expression. SQLite has no such index: a no-op there.
Built CONCURRENTLY (outside a transaction) so that analysts can keep saving while it builds,
about a minute at a million demands.
See docs/performance.md, "Admin lists".
"""

from django.db import migrations

INDEX = "positions_demand_text_upper_trgm"


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON positions_demand "
        "USING gin (UPPER(text) gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The extension stays: other database objects may use it by then.
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction
    dependencies = [("positions", "0007_m2m_history")]

    operations = [migrations.RunPython(add_index, drop_index, elidable=False)]
