"""History that also records a record's links (docs/releases.md, "As known on a day").

django-simple-history's `m2m_fields` keeps, with each historical row, the record's links then.
Out of the box every change of links writes a row of its own, so a record saved and then given
its sources (as the admin, the API and the loader all do, in one operation) would get two
history rows. Here, links changed on the very object that was just saved update that save's
row instead: one history row per edit. Links changed on their own (a record loaded and its
sources set) still write a row.
"""

import datetime

from django.db.migrations.recorder import MigrationRecorder
from simple_history.models import HistoricalRecords


def links_tracked_since() -> datetime.datetime | None:
    """When link history began (migration negotiations 0005 was applied): an older version's
    links were never recorded, so they are unknown, not empty."""
    return (
        MigrationRecorder.Migration.objects.filter(
            app="negotiations", name="0005_release_and_m2m_history"
        )
        .values_list("applied", flat=True)
        .first()
    )


class LinkedHistoricalRecords(HistoricalRecords):
    def create_historical_record_m2ms(self, history_instance, instance):
        instance._parley_history_row = history_instance
        super().create_historical_record_m2ms(history_instance, instance)

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        row = getattr(instance, "_parley_history_row", None)
        if (
            row is not None
            and not reverse
            and action in ("post_add", "post_remove", "post_clear")
            and type(instance)._meta.simple_history_manager_attribute == self.manager_name
        ):
            for field in row._history_m2m_fields:
                self.m2m_models[field].objects.filter(history=row).delete()
            super().create_historical_record_m2ms(row, instance)
            return
        super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
