"""Send a request's reads of the negotiation's records to the snapshot it reads (docs/releases.md).

negotiations.reading.ReadingMiddleware sets `negotiations.releases.reading` for a request with
?release= or ?known_on=; while it is set, every query of the negotiations and positions models
(releases themselves excepted) goes to that snapshot, so views, serializers, filters and CSV
renderers answer from it with no code of their own. Writes go there too, and fail: the snapshot
is opened read-only (the middleware refuses writing methods before that).
"""

from negotiations.releases import ALIAS_PREFIX, reading

ROUTED_APPS = {"negotiations", "positions"}


class SnapshotRouter:
    def _alias(self, model):
        current = reading.get()
        if current is None or model._meta.app_label not in ROUTED_APPS:
            return None
        if model._meta.model_name == "release":
            return "default"
        return current.alias

    def db_for_read(self, model, **hints):
        return self._alias(model)

    def db_for_write(self, model, **hints):
        return self._alias(model)

    def allow_relation(self, obj1, obj2, **hints):
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # A snapshot holds the whole schema, so a later migration can bring it forward.
        return True if db.startswith(ALIAS_PREFIX) else None
