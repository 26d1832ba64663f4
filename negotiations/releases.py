"""Releases and past days: frozen copies of one negotiation's records (docs/releases.md).

A snapshot is a small SQLite database built with the project's own migrations and holding the
negotiation's rows with their primary keys. A release keeps its snapshot compressed in its own
row (so backups hold it) with a SHA-256; reading it materialises the file once, verified, into
a cache directory. `?known_on=DAY` builds the same kind of snapshot from the history tables.
negotiations/routers.py then sends the request's reads to the snapshot: every view answers from
it through its usual code.
"""

from __future__ import annotations

import contextvars
import datetime
import hashlib
import lzma
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.utils import load_backend
from django.utils import timezone

from negotiations.history import links_tracked_since
from negotiations.models import (
    Issue,
    Negotiation,
    Participant,
    Party,
    Release,
    Round,
    Source,
    Stance,
)
from positions.models import CompetingClaim, Concession, Demand
from positions.plan_models import Plan, PlanPoint, PointLink

ALIAS_PREFIX = "parley_snapshot_"
_lock = threading.Lock()


# --- What a snapshot holds -------------------------------------------------------------------

# In insertion order (the integrity triggers check each row against those before it).
RECORD_MODELS = [
    Negotiation,
    Party,
    Participant,
    Source,
    Round,
    Issue,
    Stance,
    Demand,
    Concession,
    CompetingClaim,
    Plan,
    PlanPoint,
    PointLink,
]
# (model, many-to-many field) pairs: links stored as rows of their through tables.
LINKS = [
    (Round, "parties"),
    (Round, "sources"),
    (Demand, "sources"),
    (Concession, "sources"),
    (Plan, "sources"),
    (PlanPoint, "sources"),
]
# Kinds as the changelog names them.
KINDS = {model: model._meta.model_name for model in RECORD_MODELS}
# Not compared in changelogs: they move with every save and say nothing about the data.
UNCOMPARED = {"updated_at"}


def columns(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


@dataclass
class Rows:
    """The rows of one snapshot: {model: [row dicts]}, and {(model, field): [through rows]}."""

    records: dict = field(default_factory=dict)
    links: dict = field(default_factory=dict)


class LiveSource:
    """Rows as they stand now."""

    def rows(self, model, **where) -> list[dict]:
        return list(model._default_manager.filter(**where).order_by("pk").values(*columns(model)))

    def links(self, model, name: str, parent_ids) -> list[dict]:
        through = model._meta.get_field(name).remote_field.through
        parent = f"{model._meta.model_name}_id"
        return list(
            through.objects.filter(**{f"{parent}__in": list(parent_ids)})
            .order_by("pk")
            .values(*columns(through))
        )


class HistorySource:
    """Rows as the history tables knew them at `moment` (docs/releases.md, "As known on a day").

    Links come from the many-to-many history, recorded with each historical row of their parent
    since migration negotiations 0005; a parent row older than that takes the earliest links
    recorded for it, else its links now.
    """

    def __init__(self, moment: datetime.datetime):
        self.moment = moment
        self.history_ids: dict = {}  # model: {pk: history_id of the row as of moment}
        self.tracking_since = links_tracked_since()

    def rows(self, model, **where) -> list[dict]:
        pk = model._meta.pk.attname
        found = (
            model.history.filter(history_date__lte=self.moment, **where)
            .order_by(pk, "history_date", "history_id")  # ties in time: the later id wins
            .values("history_id", "history_date", "history_type", *columns(model))
        )
        latest: dict = {}
        for row in found.iterator():
            latest[row[pk]] = row
        rows, ids = [], self.history_ids.setdefault(model, {})
        for key, row in latest.items():
            if row.pop("history_type") == "-":
                continue  # deleted by then
            ids[key] = (row.pop("history_id"), row.pop("history_date"))
            rows.append(row)
        return rows

    def links(self, model, name: str, parent_ids) -> list[dict]:
        parent_ids = list(parent_ids)
        through = model._meta.get_field(name).remote_field.through
        historical_links = getattr(model.history.model, name).model
        attnames = columns(through)
        chosen = self.history_ids.get(model, {})
        tracked = {
            pk: history_id
            for pk, (history_id, when) in chosen.items()
            if pk in set(parent_ids)
            and (self.tracking_since is None or when >= self.tracking_since)
        }
        rows = list(
            historical_links.objects.filter(history_id__in=list(tracked.values())).values(*attnames)
        )
        untracked = [pk for pk in parent_ids if pk not in tracked]
        if untracked:
            parent = f"{model._meta.model_name}_id"
            earliest: dict = {}
            for row in (
                historical_links.objects.filter(**{f"{parent}__in": untracked})
                .order_by("history__history_date", "m2m_history_id")
                .values("history_id", *attnames)
            ):
                earliest.setdefault(row[parent], row["history_id"])
                if earliest[row[parent]] == row.pop("history_id"):
                    rows.append(row)
            rest = [pk for pk in untracked if pk not in earliest]
            rows += LiveSource().links(model, name, rest)
        return sorted(rows, key=lambda row: row["id"])


def collect(negotiation_id: int, source) -> Rows:
    """Gather the negotiation's rows from `source`: records and links, with their keys."""
    rows = Rows()
    r = rows.records

    def ids(model) -> list[int]:
        return [row["id"] for row in r[model]]

    r[Negotiation] = source.rows(Negotiation, id=negotiation_id)
    r[Participant] = source.rows(Participant, negotiation_id=negotiation_id)
    r[Round] = source.rows(Round, negotiation_id=negotiation_id)
    r[Issue] = source.rows(Issue, negotiation_id=negotiation_id)
    r[Stance] = source.rows(Stance, issue_id__in=ids(Issue))
    r[Demand] = source.rows(Demand, round_id__in=ids(Round))
    r[Concession] = source.rows(Concession, round_id__in=ids(Round))
    r[CompetingClaim] = [
        *source.rows(CompetingClaim, demand_id__in=ids(Demand)),
        *source.rows(CompetingClaim, concession_id__in=ids(Concession)),
    ]
    r[Plan] = source.rows(Plan, negotiation_id=negotiation_id)
    r[PlanPoint] = source.rows(PlanPoint, plan_id__in=ids(Plan))
    r[PointLink] = source.rows(PointLink, from_plan_id__in=ids(Plan))
    for model, name in LINKS:
        rows.links[(model, name)] = source.links(model, name, ids(model))

    party_ids = {row["party_id"] for row in r[Participant]}
    party_ids |= {row["high_pole_side_id"] for row in r[Issue]}
    party_ids |= {row["tabled_by_id"] for row in r[Plan]}
    party_ids |= {row["party_id"] for row in rows.links[(Round, "parties")]}
    r[Party] = source.rows(Party, id__in=sorted(party_ids - {None}))

    source_ids = {row["source_id"] for row in r[CompetingClaim]}
    for (_model, name), links in rows.links.items():
        if name == "sources":
            source_ids |= {row["source_id"] for row in links}
    found: dict[int, dict] = {}
    wanted = source_ids - {None}
    while wanted:  # follow "cited in" to the sources they are known through
        for row in source.rows(Source, id__in=sorted(wanted)):
            found[row["id"]] = row
        wanted = {row["cited_in_id"] for row in found.values()} - set(found) - {None}
    r[Source] = sorted(found.values(), key=lambda row: row["id"])
    return rows


# --- Snapshot databases ----------------------------------------------------------------------


def cache_dir() -> Path:
    """Where materialised snapshots live: PARLEY_SNAPSHOT_DIR, else a directory in /tmp."""
    configured = os.environ.get("PARLEY_SNAPSHOT_DIR")
    path = Path(configured) if configured else Path(tempfile.gettempdir()) / "parley-snapshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def register(alias: str, path: Path, *, read_only: bool) -> str:
    """Open `alias`, a connection to the SQLite file at `path`, in this thread (idempotent).

    The connection is kept out of settings.DATABASES on purpose: it lives for one request (or
    one build), and whoever opens it closes it with `unregister` (the middleware does, after
    the answer is written), so nothing else needs to know of it.
    """
    name = f"file:{path}?mode=ro" if read_only else str(path)
    current = getattr(connections._connections, alias, None)
    if current is not None and current.settings_dict["NAME"] == name:
        return alias
    configured = connections.configure_settings({"default": {}, alias: {}})[alias]
    configured.update(ENGINE="django.db.backends.sqlite3", NAME=name)
    wrapper = load_backend(configured["ENGINE"]).DatabaseWrapper(configured, alias)
    setattr(connections._connections, alias, wrapper)
    return alias


def unregister(alias: str) -> None:
    current = getattr(connections._connections, alias, None)
    if current is not None:
        current.close()
        delattr(connections._connections, alias)


def migration_state() -> str:
    """A digest of the applied migrations' leaves: a snapshot file is current for one state."""
    leaves = sorted(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())
    return hashlib.sha256(repr(leaves).encode()).hexdigest()[:12]


def migrate(alias: str) -> None:
    """Apply every migration to the snapshot at `alias` (schema and data migrations alike)."""
    executor = MigrationExecutor(connections[alias])
    targets = executor.loader.graph.leaf_nodes()
    executor.migrate(targets, executor.migration_plan(targets))


def empty_database(state: str) -> Path:
    """Return a migrated, empty SQLite file for this migration state (built once, then copied)."""
    template = cache_dir() / f"empty-{state}.sqlite3"
    with _lock:
        if not template.exists():
            building = template.with_suffix(f".{os.getpid()}.building")
            building.unlink(missing_ok=True)
            alias = register(f"{ALIAS_PREFIX}build_{os.getpid()}", building, read_only=False)
            try:
                migrate(alias)
            finally:
                unregister(alias)
            os.replace(building, template)
    return template


def write_snapshot(rows: Rows, path: Path) -> None:
    """Write `rows` into a copy of the empty database at `path`, keys and values as they are."""
    shutil.copyfile(empty_database(migration_state()), path)
    alias = register(
        f"{ALIAS_PREFIX}write_{os.getpid()}_{threading.get_ident()}", path, read_only=False
    )
    try:
        connection = connections[alias]
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            for model in RECORD_MODELS:
                insert(cursor, connection, model, rows.records.get(model, []))
            for (model, name), links in rows.links.items():
                through = model._meta.get_field(name).remote_field.through
                insert(cursor, connection, through, links)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM")
    finally:
        unregister(alias)


def insert(cursor, connection, model, rows: list[dict]) -> None:
    if not rows:
        return
    fields = model._meta.concrete_fields
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join("%s" for _ in fields)
    cursor.executemany(
        f"INSERT INTO {table} ({names}) VALUES ({marks})",
        [[f.get_db_prep_save(row[f.attname], connection) for f in fields] for row in rows],
    )


def snapshot_bytes(rows: Rows) -> bytes:
    with tempfile.TemporaryDirectory(dir=cache_dir()) as directory:
        path = Path(directory) / "snapshot.sqlite3"
        write_snapshot(rows, path)
        return path.read_bytes()


# --- Cutting and reading releases -----------------------------------------------------------


def counts_of(rows: Rows) -> dict[str, int]:
    return {KINDS[model]: len(rows.records.get(model, [])) for model in RECORD_MODELS}


def cut_release(negotiation: Negotiation, *, tag: str, date=None, note="", cut_by="") -> Release:
    """Cut a release: copy the negotiation's records, as they stand now, in one transaction.

    The rows are read inside one transaction (REPEATABLE READ on PostgreSQL), so a save
    elsewhere during the cut is either wholly in the release or wholly out of it.
    """
    release = Release(
        negotiation=negotiation,
        tag=tag,
        date=date or timezone.localdate(),
        note=note,
        cut_by=cut_by,
        cut_at=timezone.now(),
        checksum="0" * 64,
    )
    release.full_clean(exclude=["snapshot", "checksum"])
    connection = connections["default"]
    outermost = not connection.in_atomic_block  # else the caller's transaction decides
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        rows = collect(negotiation.pk, LiveSource())
        release.cut_at = timezone.now()
        raw = snapshot_bytes(rows)
        release.checksum = hashlib.sha256(raw).hexdigest()
        release.snapshot = lzma.compress(raw)
        release.counts = counts_of(rows)
        try:
            with transaction.atomic():
                release.save()
        except IntegrityError:  # another cut of the same tag committed since full_clean
            raise ValidationError(
                {"tag": f"{negotiation.slug} has a release {tag} already; pick another tag."}
            ) from None
    return release


def release_alias(release: Release) -> str:
    """Materialise the release's snapshot (once, verified) and return its connection alias."""
    state = migration_state()
    path = cache_dir() / f"release-{release.checksum}-{state}.sqlite3"
    alias = f"{ALIAS_PREFIX}{release.checksum[:24]}_{state}"
    if not path.exists():
        raw = lzma.decompress(bytes(release.snapshot))
        if hashlib.sha256(raw).hexdigest() != release.checksum:
            raise ValidationError(
                f"Release {release} does not match its checksum; it will not be served."
            )
        building = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.building")
        building.write_bytes(raw)
        # A snapshot cut before a later migration is brought forward to today's schema.
        build_alias = register(
            f"{ALIAS_PREFIX}migrate_{threading.get_ident()}", building, read_only=False
        )
        try:
            migrate(build_alias)
        finally:
            unregister(build_alias)
        os.replace(building, path)
    return register(alias, path, read_only=True)


def known_on_alias(negotiation: Negotiation, day: datetime.date) -> str:
    """Build (or reuse) the snapshot of what the history knew at the end of `day`.

    Cached per negotiation and day, keyed also by a fingerprint of the history up to the end
    of the day, so an edited history (or another database) never reuses a stale file. Today's
    file is reused too until the next save changes the fingerprint.
    """
    moment = end_of_day(day)
    fingerprint = history_fingerprint(moment)
    state = migration_state()
    key = hashlib.sha256(
        f"{connections['default'].settings_dict['NAME']}|{negotiation.pk}|{day}|{fingerprint}".encode()
    ).hexdigest()[:24]
    directory = Path(os.environ.get("PARLEY_KNOWN_ON_DIR") or cache_dir())
    path = directory / f"known-{key}-{state}.sqlite3"
    if not path.exists():
        building = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.building")
        write_snapshot(collect(negotiation.pk, HistorySource(moment)), building)
        os.replace(building, path)
    return register(f"{ALIAS_PREFIX}known_{key}_{state}", path, read_only=True)


def recorded_by(negotiation: Negotiation, day: datetime.date) -> bool:
    """Whether the history knows the negotiation by the end of `day`: asked before a snapshot
    of that day is built, so a day before the record began builds (and stores) nothing."""
    return (
        Negotiation.history.using("default")
        .filter(id=negotiation.pk, history_date__lte=end_of_day(day))
        .exists()
    )


def end_of_day(day: datetime.date) -> datetime.datetime:
    start = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(start) - datetime.timedelta(microseconds=1)


def history_fingerprint(moment: datetime.datetime) -> str:
    parts = []
    for model in RECORD_MODELS:
        found = model.history.model.objects.filter(history_date__lte=moment).aggregate(
            n=models.Count("history_id"), last=models.Max("history_date")
        )
        parts.append(f"{found['n']}:{found['last']}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


# --- The request being read ------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """What the current request reads instead of the live tables."""

    alias: str
    negotiation: Negotiation
    release: Release | None = None
    known_on: datetime.date | None = None

    @property
    def as_of(self) -> datetime.datetime:
        """The moment the data is from: the cut, or the end of the day."""
        return self.release.cut_at if self.release else end_of_day(self.known_on)


reading: contextvars.ContextVar[Reading | None] = contextvars.ContextVar(
    "parley_reading", default=None
)


def release_being_read() -> Release | None:
    """The Release the current request reads (?release=TAG), or None."""
    current = reading.get()
    return current.release if current else None


def latest_release(negotiation: Negotiation) -> Release | None:
    """The negotiation's most recently cut release, or None."""
    return (
        Release.objects.using("default")
        .filter(negotiation=negotiation)
        .defer("snapshot")
        .latest_first()
        .first()
    )


def parse_known_on(value: str) -> datetime.date:
    """Return the day `known_on` names; refuse a malformed date or one not over yet."""
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            f"“{value}” is not a date; give known_on as YYYY-MM-DD, e.g. 2025-08-15."
        ) from None
    if len(value) != 10:
        raise ValidationError("Give known_on as YYYY-MM-DD, e.g. 2025-08-15.")
    if day > timezone.localdate():
        raise ValidationError(
            f"{day} has not happened yet; give a day up to today ({timezone.localdate()})."
        )
    return day


# --- Changelogs and diffs --------------------------------------------------------------------


@dataclass
class Snapshot:
    """An opened snapshot for comparing: its rows, and labels to show them by."""

    alias: str
    rows: Rows


def open_snapshot(alias: str) -> Snapshot:
    return Snapshot(alias, collect_all(alias))


def collect_all(alias: str) -> Rows:
    rows = Rows()
    for model in RECORD_MODELS:
        rows.records[model] = list(
            model._default_manager.using(alias).order_by("pk").values(*columns(model))
        )
    for model, name in LINKS:
        through = model._meta.get_field(name).remote_field.through
        rows.links[(model, name)] = list(
            through.objects.using(alias).order_by("pk").values(*columns(through))
        )
    return rows


def label(alias: str, model, pk) -> str:
    record = model._default_manager.using(alias).filter(pk=pk).first()
    return str(record) if record is not None else f"{KINDS.get(model, model.__name__)} {pk}"


def readable(alias: str, model, attname: str, value) -> str:
    """A value as a reader reads it: a related record's name, a choice's label, ISO dates."""
    if value is None or value == "":
        return ""
    model_field = next(f for f in model._meta.concrete_fields if f.attname == attname)
    if model_field.is_relation:
        return label(alias, model_field.related_model, value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return str(value)


def sources_of(alias: str, rows: Rows, model, pk) -> list[str]:
    if (model, "sources") not in rows.links:
        return []
    parent = f"{model._meta.model_name}_id"
    ids = [row["source_id"] for row in rows.links[(model, "sources")] if row[parent] == pk]
    return [label(alias, Source, source_id) for source_id in ids]


def diff(before: Snapshot | None, after: Snapshot) -> dict:
    """Records added, changed (field by field, readable values) and removed from before to after.

    Links (a round's parties, a record's sources) count as fields of their record.
    """
    added, changed, removed = [], [], []
    old_rows = before.rows if before else Rows()
    for model in RECORD_MODELS:
        old = {row["id"]: row for row in old_rows.records.get(model, [])}
        new = {row["id"]: row for row in after.rows.records.get(model, [])}
        kind = KINDS[model]
        for pk in sorted(new.keys() - old.keys()):
            added.append(entry(kind, pk, after, model))
        for pk in sorted(old.keys() - new.keys()):
            removed.append(entry(kind, pk, before, model))
        for pk in sorted(new.keys() & old.keys()):
            fields = [
                {
                    "field": attname.removesuffix("_id"),
                    "before": readable(before.alias, model, attname, old[pk][attname]),
                    "after": readable(after.alias, model, attname, new[pk][attname]),
                }
                for attname in columns(model)
                if attname not in UNCOMPARED and old[pk][attname] != new[pk][attname]
            ]
            fields += link_changes(model, pk, before, after)
            if fields:
                changed.append({**entry(kind, pk, after, model), "fields": fields})
    return {"added": added, "changed": changed, "removed": removed}


def entry(kind: str, pk, snapshot: Snapshot, model) -> dict:
    return {
        "kind": kind,
        "id": pk,
        "label": label(snapshot.alias, model, pk),
        "sources": sources_of(snapshot.alias, snapshot.rows, model, pk),
    }


def link_changes(model, pk, before: Snapshot, after: Snapshot) -> list[dict]:
    changes = []
    parent = f"{model._meta.model_name}_id"
    for linked_model, name in LINKS:
        if linked_model is not model:
            continue
        target = model._meta.get_field(name).related_model
        other = f"{target._meta.model_name}_id"

        def linked(snapshot, key=(model, name), other=other):
            return sorted(
                row[other] for row in snapshot.rows.links.get(key, []) if row[parent] == pk
            )

        old, new = linked(before), linked(after)
        if old != new:
            changes.append(
                {
                    "field": name,
                    "before": "; ".join(label(before.alias, target, i) for i in old),
                    "after": "; ".join(label(after.alias, target, i) for i in new),
                }
            )
    return changes


def previous_release(release: Release) -> Release | None:
    return (
        Release.objects.filter(negotiation_id=release.negotiation_id, cut_at__lt=release.cut_at)
        .defer("snapshot")
        .latest_first()
        .first()
    )


def changelog(release: Release) -> dict:
    """What changed since the negotiation's previous release (everything, for the first)."""
    before = previous_release(release)
    return releases_diff(before, release)


def releases_diff(before: Release | None, after: Release) -> dict:
    """What changed from `before` to `after`, with sources; kept in the cache for good, keyed by
    the two snapshots' checksums (releases never change) and the schema state."""
    key = f"parley:release-diff:{before.checksum if before else '-'}:{after.checksum}:" + (
        migration_state()
    )
    found = cache.get(key)
    if found is None:
        found = compute_releases_diff(before, after)
        cache.set(key, found, timeout=None)
    return found


def compute_releases_diff(before: Release | None, after: Release) -> dict:
    aliases = [release_alias(after)] + ([release_alias(before)] if before else [])
    try:
        old = open_snapshot(aliases[1]) if before else None
        changes = diff(old, open_snapshot(aliases[0]))
    finally:
        for alias in aliases:
            unregister(alias)
    return {"from": before.tag if before else None, "to": after.tag, **changes}


def diff_rows(changes: dict) -> list[dict]:
    """The diff as flat rows for CSV: one per added or removed record, one per changed field."""
    rows = []
    for change in ("added", "removed"):
        for item in changes[change]:
            rows.append(
                {
                    "change": change,
                    "kind": item["kind"],
                    "id": item["id"],
                    "record": item["label"],
                    "field": "",
                    "before": "",
                    "after": "",
                    "sources": "; ".join(item["sources"]),
                }
            )
    for item in changes["changed"]:
        for one in item["fields"]:
            rows.append(
                {
                    "change": "changed",
                    "kind": item["kind"],
                    "id": item["id"],
                    "record": item["label"],
                    "field": one["field"],
                    "before": one["before"],
                    "after": one["after"],
                    "sources": "; ".join(item["sources"]),
                }
            )
    return rows
