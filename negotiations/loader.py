"""Load a negotiation from a dataset file (TOML) into the database.

The file is the reviewable record of a dataset; docs/dataset.md describes its format. Loading is
all-or-nothing (one transaction), validates every record as the admin would (`full_clean`), and is
idempotent: records are matched by natural key, and a record whose fields and links already match
the file is not saved again, so a second run writes no rows and no history. A dataset is one file
or a directory of files read in name order (one period each). The file is the record: what the
negotiation holds and the file no longer does (rounds, issues, stances, demands, concessions,
participants, and sources only this negotiation cited) is deleted and named in the report.
"""

from __future__ import annotations

import datetime
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, models, transaction
from django.db.models.deletion import ProtectedError

from negotiations.dates import DatePart, DatePrecision, anchor_date
from negotiations.models import Issue, Negotiation, Participant, Party, Round, Source, Stance
from negotiations.refusals import as_validation_error
from positions.models import CompetingClaim, Concession, Demand

DATASETS_DIR = Path(__file__).resolve().parent / "datasets"
DEFAULT_DATASET = "russia-ukraine-2025"
DATASET_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")

# Record kinds in loading order; the report counts each under these names.
RECORD_KINDS = [
    "negotiations",
    "parties",
    "participants",
    "sources",
    "issues",
    "stances",
    "rounds",
    "demands",
    "concessions",
    "competing claims",
]
# Kinds a load removes when the file no longer holds them, in the order it deletes them.
REMOVAL_ORDER = [
    "competing claims",
    "concessions",
    "demands",
    "rounds",
    "stances",
    "issues",
    "participants",
    "sources",
]
TOP_LEVEL = {"negotiation", "parties", "participants", "sources", "issues", "rounds", "statements"}
# Bibliographic fields an excerpt row takes over from the source it is an excerpt of.
EXCERPT_FIELDS = ("kind", "outlet", "title", "author", "url", "published_on")


class DatasetError(Exception):
    """A dataset that cannot be loaded; the message names the record and the problem."""


@dataclass
class LoadReport:
    negotiation: Negotiation
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    removed: dict[str, list[str]] = field(default_factory=dict)

    @property
    def total_created(self) -> int:
        return sum(self.created.values())

    @property
    def total_updated(self) -> int:
        return sum(self.updated.values())

    @property
    def total_unchanged(self) -> int:
        return sum(self.unchanged.values())

    @property
    def total_removed(self) -> int:
        return sum(len(names) for names in self.removed.values())

    def lines(self) -> list[str]:
        """Return the report as lines for a terminal: a total, then one line per record kind."""
        lines = [
            f"{self.negotiation.title} ({self.negotiation.slug}): {self.total_created} created, "
            f"{self.total_updated} updated, {self.total_unchanged} unchanged, "
            f"{self.total_removed} removed."
        ]
        for kind in RECORD_KINDS:
            counts = (self.created[kind], self.updated[kind], self.unchanged[kind])
            if any(counts):
                lines.append(
                    f"  {kind}: {counts[0]} created, {counts[1]} updated, {counts[2]} unchanged"
                )
        for kind in REMOVAL_ORDER:
            if names := self.removed.get(kind):
                lines.append(
                    f"  removed {len(names)} {kind} the file no longer holds: " + "; ".join(names)
                )
        return lines


def dataset_path(name_or_path: str | Path) -> Path:
    """Return the dataset for a name or a path: a .toml file or a directory of .toml files.

    A name looks first for the directory negotiations/datasets/NAME/ (the dataset split by
    period), then for the file negotiations/datasets/NAME.toml.
    """
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or "/" in text or "\\" in text or text.endswith(".toml"):
        path = Path(name_or_path)
        if not (path.is_file() or (path.is_dir() and any(path.glob("*.toml")))):
            raise DatasetError(f"No dataset file or directory of .toml files at {path}.")
        return path
    if not DATASET_NAME.match(text):
        raise DatasetError(
            f"{text!r} is not a dataset name (lower-case letters, digits and hyphens) "
            "or a path to a .toml file."
        )
    for path in (DATASETS_DIR / text, DATASETS_DIR / f"{text}.toml"):
        if path.is_file() or (path.is_dir() and any(path.glob("*.toml"))):
            return path
    known = sorted(
        {p.stem for p in DATASETS_DIR.glob("*.toml")}
        | {p.name for p in DATASETS_DIR.iterdir() if p.is_dir() and any(p.glob("*.toml"))}
    )
    raise DatasetError(f"No dataset named {text!r}. Available: {', '.join(known) or 'none'}.")


def dataset_files(path: Path) -> list[Path]:
    """Return the files of a dataset in reading order: the file itself, or a directory's by name."""
    return sorted(path.glob("*.toml")) if path.is_dir() else [path]


def read_file(path: Path) -> dict[str, Any]:
    """Return one parsed file, or raise DatasetError saying where the syntax is wrong."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise DatasetError(f"{path.name} is not valid TOML: {exc}.") from exc
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path.name} is not UTF-8 text: {exc}.") from exc


def read_dataset(path: Path) -> dict[str, Any]:
    """Return the dataset's sections, its files' lists joined in reading order.

    Each list section comes with `_files`: for every record, the name of the file it came from,
    so errors can name it. Only one file may hold the [negotiation] section.
    """
    data: dict[str, Any] = {"_files": {}}
    for file in dataset_files(path):
        part = read_file(file)
        for key, value in part.items():
            if key == "negotiation" or not isinstance(value, list):
                if key in data:
                    raise DatasetError(f"{file.name}: [{key}] is given in more than one file.")
                data[key] = value
                continue
            data.setdefault(key, []).extend(value)
            data["_files"].setdefault(key, []).extend([file.name] * len(value))
    return data


def negotiation_slug(name_or_path: str | Path = DEFAULT_DATASET) -> str:
    """Return the slug of the negotiation a dataset file describes, without loading it."""
    path = dataset_path(name_or_path)
    record = read_dataset(path).get("negotiation")
    slug = record.get("slug") if isinstance(record, dict) else None
    if not isinstance(slug, str) or not slug:
        raise DatasetError(f"{path.name}: the [negotiation] section names no slug.")
    return slug


def load_dataset(name_or_path: str | Path = DEFAULT_DATASET) -> LoadReport:
    """Make the negotiation match the dataset (create, update, remove): all of it, or none."""
    path = dataset_path(name_or_path)
    data = read_dataset(path)
    with transaction.atomic():
        return _Loader(data).load()


# --- reading the file ---------------------------------------------------------------------------

TEXT = (str, "text")
INTEGER = (int, "an integer")
BOOLEAN = (bool, "true or false")
DATE = (datetime.date, "a date such as 2025-08-15")
LIST = (list, "a list")
TABLE = (dict, "a table")
DATE_SPEC = ((datetime.date, dict), "a date (2026-01-24) or a table such as { precision = ... }")


def fields(
    record: Any, label: str, *, required: dict[str, tuple], optional: dict[str, tuple]
) -> dict[str, Any]:
    """Return the record's fields after checking none is missing, unknown or of the wrong type."""
    if not isinstance(record, dict):
        raise DatasetError(f"{label}: expected a table of fields, found {record!r}.")
    missing = [key for key in required if key not in record]
    if missing:
        raise DatasetError(f"{label}: missing field {', '.join(map(repr, missing))}.")
    unknown = sorted(set(record) - set(required) - set(optional))
    if unknown:
        known = ", ".join(sorted({*required, *optional}))
        raise DatasetError(
            f"{label}: unknown field {', '.join(map(repr, unknown))} (known fields: {known})."
        )
    for key, value in record.items():
        expected, description = {**required, **optional}[key]
        # bool is an int and datetime a date in Python; neither is what the file means there.
        wrong = not isinstance(value, expected)
        wrong |= expected is int and isinstance(value, bool)
        wrong |= expected is datetime.date and isinstance(value, datetime.datetime)
        if wrong:
            raise DatasetError(f"{label}: {key!r} should be {description}, not {value!r}.")
    return record


def record_label(kind: str, number: int, record: Any) -> str:
    """Return how errors name a record: by its slug when it has a readable one."""
    slug = record.get("slug") if isinstance(record, dict) else None
    return f"{kind} {slug!r}" if isinstance(slug, str) else f"{kind} #{number}"


def slug_list(value: list, label: str, key: str) -> list[str]:
    if not all(isinstance(item, str) for item in value):
        raise DatasetError(f"{label}: {key!r} should be a list of slugs, not {value!r}.")
    if len(set(value)) != len(value):
        raise DatasetError(f"{label}: {key!r} names the same slug twice.")
    return value


PERIOD_FIELDS = {"year": INTEGER, "month": INTEGER, "day": INTEGER, "season": TEXT, "half": INTEGER}
PERIOD_NEEDS = {
    DatePrecision.DAY: {"month", "day"},
    DatePrecision.MONTH: {"month"},
    DatePrecision.SEASON: {"season"},
    DatePrecision.HALF: {"half"},
    DatePrecision.YEAR: set(),
}


def fuzzy_date(
    value: Any, label: str, *, key: str = "date", precision: str | None = None
) -> tuple[datetime.date, str, str]:
    """Return (stored date, precision, part) for a `date` or `until` entry of a round.

    `date` names its precision: { precision = "season", year = 2025, season = "spring",
    part = "late" }, or is a plain day (2026-01-24). `until` takes the start's precision and
    names only the period: { year = 2025, month = 12 }.
    """
    where = f"{label}: {key!r}"
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        if precision not in (None, DatePrecision.DAY):
            raise DatasetError(f"{where} should name a {precision}, as the start date does.")
        return value, DatePrecision.DAY, ""
    if not isinstance(value, dict):
        raise DatasetError(f"{where} should be {DATE_SPEC[1]}, not {value!r}.")
    if precision is None:
        required = {"precision": TEXT, "year": INTEGER}
        spec = dict(
            fields(value, where, required=required, optional=PERIOD_FIELDS | {"part": TEXT})
        )
        precision = spec.pop("precision")
    else:
        spec = dict(fields(value, where, required={"year": INTEGER}, optional=PERIOD_FIELDS))
    if precision not in PERIOD_NEEDS:
        raise DatasetError(
            f"{where}: unknown precision {precision!r} (use {', '.join(DatePrecision.values)})."
        )
    needs = PERIOD_NEEDS[precision]
    allowed = {"year", *needs}
    if precision in (DatePrecision.MONTH, DatePrecision.SEASON):
        allowed.add("part")
    if missing := needs - set(spec):
        raise DatasetError(f"{where}: a {precision} date needs {', '.join(sorted(missing))}.")
    if extra := set(spec) - allowed:
        raise DatasetError(
            f"{where}: {', '.join(sorted(extra))} does not belong in a {precision} date."
        )
    part = spec.pop("part", "")
    if part not in DatePart.values:
        raise DatasetError(f"{where}: unknown part {part!r} (use early, mid or late).")
    if spec.get("half", 1) not in (1, 2):
        raise DatasetError(f"{where}: half should be 1 or 2, not {spec['half']}.")
    month = (1, 7)[spec.pop("half") - 1] if "half" in spec else spec.pop("month", 1)
    try:
        stored = anchor_date(precision=precision, part=part, month=month, **spec)
    except ValueError as exc:
        raise DatasetError(f"{where} is not a real date: {exc}.") from exc
    return stored, precision, part


# How a source's publication date was found (docs/dataset.md, "Dating sources").
DATED_BY = {
    "page": "the page shows the date (dateline or date stamp)",
    "url": "the date is in the page's web address",
    "unknown": "neither the page nor its address gives a day",
}


def url_dates(url: str) -> set[datetime.date]:
    """Return the dates a web address spells out: 2025/11/23, 2025-11-24, 20251123, 2025/dec/19."""
    months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    found = set()
    patterns = [
        (r"(20\d\d)[/-](\d\d?)[/-](\d\d?)(?!\d)", (1, 2, 3)),
        (r"(?<!\d)(\d\d?)-(\d\d?)-(20\d\d)", (3, 1, 2)),
        (r"(?<!\d)(20\d\d)(\d\d)(\d\d)(?!\d)", (1, 2, 3)),
    ]
    for pattern, (y, m, d) in patterns:
        for match in re.finditer(pattern, url):
            try:
                found.add(datetime.date(int(match[y]), int(match[m]), int(match[d])))
            except ValueError:
                continue
    # Some sites put the publication time in the address as a Unix timestamp (rbc.ua).
    for match in re.finditer(r"(?<!\d)(1[67]\d{8})(?!\d)", url):
        found.add(datetime.datetime.fromtimestamp(int(match[1]), datetime.UTC).date())
    for match in re.finditer(r"(20\d\d)/([a-z]{3})/(\d\d?)(?!\d)", url.lower()):
        if match[2] in months:
            found.add(datetime.date(int(match[1]), months.index(match[2]) + 1, int(match[3])))
    return found


def check_dating(dated: str | None, published_on, url: str, label: str) -> None:
    """Refuse a source date the file cannot account for: no day without a page or address."""
    if dated is None:
        return
    if dated not in DATED_BY:
        raise DatasetError(f"{label}: 'dated' should be one of {', '.join(DATED_BY)}.")
    if dated == "unknown" and published_on is not None:
        raise DatasetError(f"{label}: dated 'unknown' but it gives published_on {published_on}.")
    if dated != "unknown" and published_on is None:
        raise DatasetError(f"{label}: dated {dated!r} but it gives no published_on.")
    if dated == "url" and published_on not in url_dates(url):
        raise DatasetError(
            f"{label}: dated 'url' but its address does not spell out {published_on}."
        )


def source_values(
    record: Any, label: str, *, declared: dict[str, dict], sources: dict[str, Source]
) -> dict[str, Any]:
    """Return a source's field values from its record: the one reading of a [[sources]] row.

    `declared` holds the values of the sources read so far (an excerpt takes its article's
    bibliographic fields), `sources` their records (for `cited_in`). Every file that declares
    sources, the dataset's and a plans file (positions/plan_loader.py), reads them here.
    """
    text_fields = ("kind", "outlet", "title", "author", "url", "speaker", "quote")
    fields(
        record,
        label,
        required={"slug": TEXT},
        optional={
            **dict.fromkeys(text_fields, TEXT),
            "published_on": DATE,
            "cited_in": TEXT,
            "excerpt_of": TEXT,
            "dated": TEXT,
        },
    )
    if record["slug"] in declared:
        raise DatasetError(f"{label}: declared twice.")
    values: dict[str, Any] = {}
    if "excerpt_of" in record:
        parent = record["excerpt_of"]
        if parent not in declared:
            raise DatasetError(f"{label}: excerpt_of {parent!r} names no source declared above it.")
        values |= {k: declared[parent][k] for k in EXCERPT_FIELDS}
    for name in text_fields:
        if name in record:
            values[name] = record[name].strip()
        values.setdefault(name, "")
    values["published_on"] = record.get("published_on", values.get("published_on"))
    check_dating(record.get("dated"), values["published_on"], values["url"], label)
    for name in ("kind", "outlet"):
        if not values[name]:
            raise DatasetError(f"{label}: missing field {name!r}.")
    cited_in = record.get("cited_in")
    if cited_in is not None and cited_in not in sources:
        raise DatasetError(f"{label}: cited_in {cited_in!r} names no source declared above it.")
    values["cited_in"] = sources.get(cited_in) if cited_in else None
    return values


# --- writing the database -----------------------------------------------------------------------


def describe_errors(error: ValidationError) -> str:
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    parts = []
    for name, messages in error.message_dict.items():
        text = " ".join(messages)
        parts.append(text if name == NON_FIELD_ERRORS else f"{name}: {text}")
    return "; ".join(parts)


def describe_record(record: models.Model) -> str:
    """Return how the removal report names a record: by slug, or by party, issue and round."""
    if isinstance(record, Demand | Concession):
        return (
            f"{record.party.slug} on {record.issue.slug} at {record.round.slug} ({str(record)!r})"
        )
    if isinstance(record, CompetingClaim):
        return f"{record.source.slug} on {describe_record(record.statement)}"
    if isinstance(record, Stance):
        return f"{record.issue.slug} stance {record.value}"
    if isinstance(record, Participant):
        return record.party.slug
    return getattr(record, "slug", None) or str(record)


def differs(instance: models.Model, name: str, value: Any) -> bool:
    model_field = instance._meta.get_field(name)
    if model_field.is_relation:
        return getattr(instance, model_field.attname) != (value.pk if value is not None else None)
    return getattr(instance, name) != value


class _Loader:
    """One load of one file; holds the records resolved so far so later ones can refer to them."""

    def __init__(self, data: dict[str, Any]):
        self.data = data
        self.negotiation: Negotiation | None = None
        self.seen: set[tuple] = set()
        self.counts = {"created": Counter(), "updated": Counter(), "unchanged": Counter()}
        self.parties: dict[str, Party] = {}
        self.sources: dict[str, Source] = {}
        self.source_fields: dict[str, dict[str, Any]] = {}
        self.issues: dict[str, Issue] = {}
        self.stances: dict[tuple[str, int], Stance] = {}
        self.rounds: dict[str, Round] = {}
        # Primary keys of the records the file holds, per model: the rest of the negotiation's
        # records are removed at the end of the load.
        self.kept: dict[type[models.Model], set[int]] = {}

    def load(self) -> LoadReport:
        files = self.data.pop("_files", {})
        unknown = sorted(set(self.data) - TOP_LEVEL)
        if unknown:
            raise DatasetError(
                f"Unknown section {', '.join(map(repr, unknown))} "
                f"(sections: {', '.join(sorted(TOP_LEVEL))})."
            )
        if "negotiation" not in self.data:
            raise DatasetError("The file has no [negotiation] section.")
        negotiation = self.load_negotiation(self.data["negotiation"])
        cited_before = set(self.cited_sources().values_list("pk", flat=True))
        for key, loader in [
            ("parties", self.load_party),
            ("participants", self.load_participant),
            ("sources", self.load_source),
            ("issues", self.load_issue),
            ("rounds", self.load_round),
            ("statements", self.load_statements),
        ]:
            records = self.data.get(key, [])
            if not isinstance(records, list):
                raise DatasetError(f"[[{key}]] should be a list of tables.")
            names = files.get(key, [None] * len(records))
            numbers: Counter = Counter()
            for record, name in zip(records, names, strict=True):
                numbers[name] += 1
                try:
                    loader(record, numbers[name])
                except DatasetError as exc:
                    raise DatasetError(f"{name}: {exc}" if name else str(exc)) from exc
        removed = self.remove_what_the_file_dropped(cited_before)
        return LoadReport(negotiation=negotiation, removed=removed, **self.counts)

    def cited_sources(self) -> models.QuerySet:
        """Return the sources the negotiation's rounds, demands or concessions cite."""
        negotiation = self.negotiation
        return Source.objects.filter(
            models.Q(rounds__negotiation=negotiation)
            | models.Q(demands__round__negotiation=negotiation)
            | models.Q(concessions__round__negotiation=negotiation)
            | models.Q(competing_claims__demand__round__negotiation=negotiation)
            | models.Q(competing_claims__concession__round__negotiation=negotiation)
        ).distinct()

    def remove_what_the_file_dropped(self, cited_before: set[int]) -> dict[str, list[str]]:
        """Delete the negotiation's records the file no longer holds; return them by kind.

        Dependants go first (concessions before the demands they point to, statements before
        their rounds and issues). Sources are shared between negotiations, so only a source this
        negotiation cited before the load, that the file no longer declares and that nothing
        cites any more is removed. Parties are shared too and are never removed here.
        """
        negotiation = self.negotiation
        candidates: list[tuple[str, models.QuerySet]] = [
            (
                "competing claims",
                CompetingClaim.objects.filter(
                    models.Q(demand__round__negotiation=negotiation)
                    | models.Q(concession__round__negotiation=negotiation)
                ),
            ),
            ("concessions", Concession.objects.filter(round__negotiation=negotiation)),
            ("demands", Demand.objects.filter(round__negotiation=negotiation)),
            ("rounds", Round.objects.filter(negotiation=negotiation)),
            ("stances", Stance.objects.filter(issue__negotiation=negotiation)),
            ("issues", Issue.objects.filter(negotiation=negotiation)),
            ("participants", Participant.objects.filter(negotiation=negotiation)),
        ]
        removed: dict[str, list[str]] = {}
        for kind, queryset in candidates:
            stale = queryset.exclude(pk__in=self.kept.get(queryset.model, set()))
            removed |= self.delete(kind, list(stale))
        still_cited = set(self.cited_sources().values_list("pk", flat=True))
        stale_sources = Source.objects.filter(pk__in=cited_before - still_cited).exclude(
            pk__in=self.kept.get(Source, set())
        )
        removed |= self.delete("sources", list(stale_sources))
        return removed

    def delete(self, kind: str, records: list[models.Model]) -> dict[str, list[str]]:
        if not records:
            return {}
        names = [describe_record(record) for record in records]
        for record, name in zip(records, names, strict=True):
            try:
                with transaction.atomic():
                    record.delete()
            except (ProtectedError, DatabaseError) as exc:
                raise DatasetError(
                    f"The file no longer holds {kind[:-1]} {name}, but it cannot be removed: "
                    f"other records depend on it ({exc}). Remove those first, or keep it."
                ) from exc
        return {kind: names}

    def upsert(
        self,
        model: type[models.Model],
        label: str,
        *,
        key: dict[str, Any],
        values: dict[str, Any],
        links: dict[str, list] | None = None,
        existing: models.Model | None = None,
    ) -> models.Model:
        """Create the record or bring it in line with the file; save only what differs.

        A record whose links (sources, parties) differ is saved too, even when none of its own
        fields do: the save moves `updated_at` and writes a history row, which is what tells
        readers' caches and the history that the record changed.
        """
        links = links or {}
        instance = existing or model._default_manager.filter(**key).first()
        if instance is None:
            instance = model(**key, **values)
            outcome = "created"
            relinked = dict(links)
        else:
            changed = {name: v for name, v in values.items() if differs(instance, name, v)}
            for name, value in changed.items():
                setattr(instance, name, value)
            relinked = {
                name: targets
                for name, targets in links.items()
                if set(getattr(instance, name).values_list("pk", flat=True))
                != {t.pk for t in targets}
            }
            outcome = "updated" if changed or relinked else "unchanged"
        if outcome != "unchanged":
            try:
                instance.full_clean()
            except ValidationError as exc:
                raise DatasetError(f"{label}: {describe_errors(exc)}") from exc
            try:
                with transaction.atomic():
                    instance.save()
            except DatabaseError as exc:
                reason = " ".join(as_validation_error(exc).messages)
                raise DatasetError(f"{label}: the database refused it: {reason}") from exc
        for name, targets in relinked.items():
            getattr(instance, name).set(targets)
        self.counts[outcome][model._meta.verbose_name_plural] += 1
        self.kept.setdefault(model, set()).add(instance.pk)
        return instance

    def resolve(self, table: dict[str, Any], slug: str, label: str, what: str, section: str):
        if slug not in table:
            raise DatasetError(
                f"{label}: unknown {what} {slug!r} (declare it under [[{section}]])."
            )
        return table[slug]

    def resolve_sources(self, record: dict[str, Any], label: str) -> list[Source]:
        slugs = slug_list(record["sources"], label, "sources")
        if not slugs:
            raise DatasetError(f"{label}: cite at least one source.")
        return [self.resolve(self.sources, s, label, "source", "sources") for s in slugs]

    # Sections, in file order.

    def load_negotiation(self, record: Any) -> Negotiation:
        label = "[negotiation]"
        fields(
            record,
            label,
            required={"slug": TEXT, "title": TEXT},
            optional={"summary": TEXT, "started_on": DATE, "ended_on": DATE},
        )
        label = f"negotiation {record['slug']!r}"
        self.negotiation = self.upsert(
            Negotiation,
            label,
            key={"slug": record["slug"]},
            values={
                "title": record["title"],
                "summary": record.get("summary", "").strip(),
                "started_on": record.get("started_on"),
                "ended_on": record.get("ended_on"),
            },
        )
        return self.negotiation

    def load_party(self, record: Any, number: int) -> None:
        label = record_label("party", number, record)
        fields(
            record,
            label,
            required={"slug": TEXT, "name": TEXT, "short_name": TEXT},
            optional={"kind": TEXT, "colour": TEXT, "description": TEXT},
        )
        slug = record["slug"]
        if slug in self.parties:
            raise DatasetError(f"{label}: declared twice.")
        self.parties[slug] = self.upsert(
            Party,
            label,
            key={"slug": slug},
            values={
                "name": record["name"],
                "short_name": record["short_name"],
                "kind": record.get("kind", Party.Kind.STATE),
                "colour": record.get("colour", Party._meta.get_field("colour").default),
                "description": record.get("description", "").strip(),
            },
        )

    def load_participant(self, record: Any, number: int) -> None:
        label = f"participant #{number}"
        fields(
            record,
            label,
            required={"party": TEXT},
            optional={"role": TEXT, "also_mediates": BOOLEAN, "order": INTEGER},
        )
        party = self.resolve(self.parties, record["party"], label, "party", "parties")
        label = f"participant {record['party']!r}"
        self.upsert(
            Participant,
            label,
            key={"negotiation": self.negotiation, "party": party},
            values={
                "role": record.get("role", Participant.Role.PRINCIPAL),
                "also_mediates": record.get("also_mediates", False),
                "order": record.get("order", 0),
            },
        )

    def load_source(self, record: Any, number: int) -> None:
        label = record_label("source", number, record)
        values = source_values(record, label, declared=self.source_fields, sources=self.sources)
        self.source_fields[record["slug"]] = values
        self.sources[record["slug"]] = self.upsert(
            Source, label, key={"slug": record["slug"]}, values=values
        )

    def load_issue(self, record: Any, number: int) -> None:
        label = record_label("issue", number, record)
        fields(
            record,
            label,
            required={
                "slug": TEXT,
                "title": TEXT,
                "category": TEXT,
                "low_pole": TEXT,
                "high_pole": TEXT,
                "stances": LIST,
            },
            optional={"description": TEXT, "order": INTEGER, "high_pole_side": TEXT},
        )
        slug = record["slug"]
        side = record.get("high_pole_side")  # docs/positions.md, "Comparing issues"
        if slug in self.issues:
            raise DatasetError(f"{label}: declared twice.")
        issue = self.upsert(
            Issue,
            label,
            key={"negotiation": self.negotiation, "slug": slug},
            values={
                "title": record["title"],
                "category": record["category"],
                "description": record.get("description", "").strip(),
                "low_pole": record["low_pole"],
                "high_pole": record["high_pole"],
                "order": record.get("order", 0),
                "high_pole_side": (
                    self.resolve(self.parties, side, label, "party", "parties") if side else None
                ),
            },
        )
        self.issues[slug] = issue
        if not record["stances"]:
            raise DatasetError(f"{label}: give the issue a scale of stances.")
        for position, stance in enumerate(record["stances"], start=1):
            stance_label = f"{label}, stance #{position}"
            fields(
                stance,
                stance_label,
                required={"value": INTEGER, "label": TEXT},
                optional={"description": TEXT},
            )
            value = stance["value"]
            if (slug, value) in self.stances:
                raise DatasetError(f"{stance_label}: value {value} appears twice on the scale.")
            self.stances[(slug, value)] = self.upsert(
                Stance,
                f"{label}, stance {value}",
                key={"issue": issue, "value": value},
                values={"label": stance["label"], "description": stance.get("description", "")},
            )

    def load_round(self, record: Any, number: int) -> None:
        label = record_label("round", number, record)
        fields(
            record,
            label,
            required={
                "slug": TEXT,
                "title": TEXT,
                "kind": TEXT,
                "date": DATE_SPEC,
                "sources": LIST,
            },
            optional={
                "location": TEXT,
                "until": DATE_SPEC,
                "sequence": INTEGER,
                "parties": LIST,
                "summary": TEXT,
                "outcome": TEXT,
            },
        )
        slug = record["slug"]
        if slug in self.rounds:
            raise DatasetError(f"{label}: declared twice.")
        start, precision, part = fuzzy_date(record["date"], label)
        end = None
        if "until" in record:
            end, _, _ = fuzzy_date(record["until"], label, key="until", precision=precision)
        parties = [
            self.resolve(self.parties, p, label, "party", "parties")
            for p in slug_list(record.get("parties", []), label, "parties")
        ]
        sources = self.resolve_sources(record, label)
        self.rounds[slug] = self.upsert(
            Round,
            label,
            key={"negotiation": self.negotiation, "slug": slug},
            values={
                "title": record["title"],
                "kind": record["kind"],
                "location": record.get("location", ""),
                "start_date": start,
                "date_precision": precision,
                "date_part": part,
                "end_date": end,
                "sequence": record.get("sequence", 0),
                "summary": record.get("summary", "").strip(),
                "outcome": record.get("outcome", "").strip(),
            },
            links={"parties": parties, "sources": sources},
        )

    def load_statements(self, record: Any, number: int) -> None:
        label = f"statements #{number}"
        fields(
            record,
            label,
            required={"round": TEXT},
            optional={"demands": LIST, "concessions": LIST},
        )
        round = self.resolve(self.rounds, record["round"], label, "round", "rounds")
        for position, demand in enumerate(record.get("demands", []), start=1):
            self.load_demand(demand, round, f"demand #{position} at round {round.slug!r}")
        for position, concession in enumerate(record.get("concessions", []), start=1):
            self.load_concession(
                concession, round, f"concession #{position} at round {round.slug!r}"
            )

    def statement_parts(self, record: dict[str, Any], label: str) -> tuple[Party, Issue, str]:
        party = self.resolve(self.parties, record["party"], label, "party", "parties")
        issue = self.resolve(self.issues, record["issue"], label, "issue", "issues")
        return party, issue, f"{label} ({record['party']} on {record['issue']})"

    def load_demand(self, record: Any, round: Round, label: str) -> None:
        fields(
            record,
            label,
            required={"party": TEXT, "issue": TEXT, "text": TEXT, "sources": LIST},
            optional={"stance": INTEGER, "priority": TEXT, "status": TEXT, "claims": LIST},
        )
        party, issue, label = self.statement_parts(record, label)
        key = {"party": party, "issue": issue, "round": round}
        if self.counted(("demand", party.pk, issue.pk, round.pk)):
            raise DatasetError(f"{label}: the party already has a demand on this issue here.")
        stance = None
        if "stance" in record:
            stance = self.stances.get((record["issue"], record["stance"]))
            if stance is None:
                scale = sorted(v for (i, v) in self.stances if i == record["issue"])
                raise DatasetError(
                    f"{label}: stance {record['stance']} is not on the scale of issue "
                    f"{record['issue']!r} (values {', '.join(map(str, scale))})."
                )
        demand = self.upsert(
            Demand,
            label,
            key=key,
            values={
                "stance": stance,
                "text": record["text"].strip(),
                "priority": record.get("priority", Demand.Priority.CORE),
                "status": record.get("status", Demand.Status.REPORTED),
            },
            links={"sources": self.resolve_sources(record, label)},
        )
        self.load_claims(record.get("claims", []), label, demand=demand)

    def load_concession(self, record: Any, round: Round, label: str) -> None:
        fields(
            record,
            label,
            required={"party": TEXT, "issue": TEXT, "text": TEXT, "sources": LIST},
            optional={
                "status": TEXT,
                "conditions": TEXT,
                "softens": TEXT,
                "in_return_for": TABLE,
                "claims": LIST,
            },
        )
        party, issue, label = self.statement_parts(record, label)
        if self.counted(("concession", party.pk, issue.pk, round.pk)):
            raise DatasetError(
                f"{label}: a second concession by this party on this issue at this round; the "
                "loader keys concessions by party, issue and round, so merge the two."
            )
        softens = None
        if "softens" in record:
            softens = self.find_demand(
                {"party": record["party"], "issue": record["issue"], "round": record["softens"]},
                f"{label}: softens",
            )
        in_return_for = None
        if "in_return_for" in record:
            wanted = fields(
                record["in_return_for"],
                f"{label}: in_return_for",
                required={"party": TEXT, "issue": TEXT, "round": TEXT},
                optional={},
            )
            in_return_for = self.find_demand(wanted, f"{label}: in_return_for")
        existing = self.existing_concession(party, issue, round, record["text"].strip(), label)
        concession = self.upsert(
            Concession,
            label,
            key={"party": party, "issue": issue, "round": round},
            existing=existing,
            values={
                "text": record["text"].strip(),
                "status": record.get("status", Concession.Status.OFFERED),
                "conditions": record.get("conditions", "").strip(),
                "softens": softens,
                "in_return_for": in_return_for,
            },
            links={"sources": self.resolve_sources(record, label)},
        )
        self.load_claims(record.get("claims", []), label, concession=concession)

    def load_claims(self, records: list, label: str, **statement: Demand | Concession) -> None:
        """Create or update the competing claims of a demand or concession (one per source)."""
        slugs = []
        for position, record in enumerate(records, start=1):
            claim_label = f"{label}, claim #{position}"
            fields(
                record,
                claim_label,
                required={"source": TEXT, "claim": TEXT},
                optional={"status": TEXT},
            )
            if record["source"] in slugs:
                raise DatasetError(f"{claim_label}: source {record['source']!r} is given twice.")
            slugs.append(record["source"])
            source = self.resolve(self.sources, record["source"], claim_label, "source", "sources")
            self.upsert(
                CompetingClaim,
                claim_label,
                key={**statement, "source": source},
                values={
                    "claim": record["claim"].strip(),
                    "status": record.get("status", CompetingClaim.Status.REPORTED),
                },
            )

    def counted(self, key: tuple) -> bool:
        """Return whether this statement was met before in the file, and remember it."""
        if key in self.seen:
            return True
        self.seen.add(key)
        return False

    def find_demand(self, ref: dict[str, str], label: str) -> Demand:
        party = self.resolve(self.parties, ref["party"], label, "party", "parties")
        issue = self.resolve(self.issues, ref["issue"], label, "issue", "issues")
        round = self.resolve(self.rounds, ref["round"], label, "round", "rounds")
        demand = Demand.objects.filter(party=party, issue=issue, round=round).first()
        if demand is None:
            raise DatasetError(
                f"{label}: {ref['party']} has no demand on {ref['issue']!r} at round "
                f"{ref['round']!r}."
            )
        return demand

    def existing_concession(
        self, party: Party, issue: Issue, round: Round, text: str, label: str
    ) -> Concession | None:
        """Return the concession this record updates; refuse to guess between several."""
        matches = list(Concession.objects.filter(party=party, issue=issue, round=round))
        if len(matches) <= 1:
            return matches[0] if matches else None
        same_text = [c for c in matches if c.text == text]
        if len(same_text) == 1:
            return same_text[0]
        raise DatasetError(
            f"{label}: the database holds {len(matches)} concessions by this party on this issue "
            "at this round and none has this text, so the loader cannot tell which to update. "
            "Edit them in the admin, then load again."
        )
