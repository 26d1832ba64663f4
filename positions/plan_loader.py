"""Load a dataset's plans file (NAME-plans.toml beside NAME.toml) into the database.

Like the main loader (negotiations/loader.py, whose file helpers this reuses) loading is
all-or-nothing, validates every record with `full_clean`, names the bad record in each error and
writes nothing for a record that already matches. Unlike it, the plans file owns its plans'
points and crosswalk links: a point or link the file no longer holds is deleted, because a plan's
text is the file's to state (docs/plans.md, "Loading").
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from negotiations.loader import (
    INTEGER,
    TEXT,
    DatasetError,
    dataset_path,
    describe_errors,
    differs,
    fields,
    fuzzy_date,
    read_file,
    record_label,
    slug_list,
    source_values,
)
from negotiations.models import Issue, Negotiation, Party, Round, Source, Stance
from positions.plan_models import Plan, PlanPoint, PointLink

LIST = (list, "a list")
KINDS = ["sources", "plans", "points", "links"]


@dataclass
class PlanReport:
    negotiation: Negotiation
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    deleted: Counter = field(default_factory=Counter)

    def lines(self) -> list[str]:
        lines = [f"Plans of {self.negotiation.title}:"]
        for kind in KINDS:
            counts = [self.created[kind], self.updated[kind], self.unchanged[kind]]
            if any(counts) or self.deleted[kind]:
                lines.append(
                    f"  {kind}: {counts[0]} created, {counts[1]} updated, {counts[2]} unchanged, "
                    f"{self.deleted[kind]} deleted"
                )
        return lines


def plans_path(name_or_path: str | Path) -> Path | None:
    """Return the plans file beside a dataset (russia-ukraine-2025-plans.toml), if there is one."""
    path = dataset_path(name_or_path)
    candidate = path.with_name(f"{path.stem}-plans.toml")
    return candidate if candidate.is_file() else None


def load_plans(path: Path) -> PlanReport:
    """Create or update the plans a plans file describes; all of them or, on error, none."""
    data = read_file(path)
    with transaction.atomic():
        return _PlanLoader(data, path.name).load()


class _PlanLoader:
    def __init__(self, data: dict[str, Any], filename: str):
        self.data = data
        self.filename = filename
        self.issues: dict[str, Issue] = {}
        self.sources: dict[str, Source] = {}
        self.source_fields: dict[str, dict] = {}
        self.plans: dict[str, Plan] = {}
        self.report: PlanReport | None = None

    def load(self) -> PlanReport:
        data = self.data
        unknown = set(data) - {"negotiation", "sources", "plans", "crosswalk"}
        if unknown:
            raise DatasetError(f"{self.filename}: unknown section {', '.join(sorted(unknown))}.")
        slug = data.get("negotiation")
        negotiation = (
            Negotiation.objects.filter(slug=slug).first() if isinstance(slug, str) else None
        )
        if negotiation is None:
            raise DatasetError(
                f"{self.filename}: 'negotiation' should name a loaded negotiation, not {slug!r}; "
                "load its dataset first."
            )
        self.negotiation = negotiation
        self.report = PlanReport(negotiation)
        self.issues = {i.slug: i for i in negotiation.issues.all()}
        for number, record in enumerate(data.get("sources", []), 1):
            self.load_source(record, number)
        for number, record in enumerate(data.get("plans", []), 1):
            self.load_plan(record, number)
        for number, record in enumerate(data.get("crosswalk", []), 1):
            self.load_crosswalk(record, number)
        return self.report

    # --- writing ---------------------------------------------------------------------------

    def upsert(self, model, label: str, *, key: dict, values: dict, kind: str):
        instance = model.objects.filter(**key).first()
        if instance is None:
            instance = model(**key, **values)
            action = "created"
        elif any(differs(instance, name, value) for name, value in values.items()):
            for name, value in values.items():
                setattr(instance, name, value)
            action = "updated"
        else:
            self.report.unchanged[kind] += 1
            return instance
        try:
            instance.full_clean()
            instance.save()
        except ValidationError as error:
            raise DatasetError(f"{label}: {describe_errors(error)}") from error
        getattr(self.report, action)[kind] += 1
        return instance

    def set_sources(self, instance, sources: list[Source]) -> None:
        wanted = {s.pk for s in sources}
        if {s.pk for s in instance.sources.all()} != wanted:
            instance.sources.set(sources)

    def resolve_sources(self, record: dict, label: str) -> list[Source]:
        slugs = slug_list(record.get("sources", []), label, "sources")
        if not slugs:
            raise DatasetError(f"{label}: cites no source; every plan and point needs one.")
        missing = [slug for slug in slugs if slug not in self.sources]
        if missing:
            found = {s.slug: s for s in Source.objects.filter(slug__in=missing)}
            for slug in missing:
                if slug not in found:
                    raise DatasetError(f"{label}: source {slug!r} is not declared or loaded.")
                self.sources[slug] = found[slug]
        return [self.sources[slug] for slug in slugs]

    # --- sections --------------------------------------------------------------------------

    def load_source(self, record: Any, number: int) -> None:
        label = record_label("source", number, record)
        values = source_values(record, label, declared=self.source_fields, sources=self.sources)
        self.source_fields[record["slug"]] = values
        self.sources[record["slug"]] = self.upsert(
            Source, label, key={"slug": record["slug"]}, values=values, kind="sources"
        )

    def load_plan(self, record: Any, number: int) -> None:
        label = record_label("plan", number, record)
        fields(
            record,
            label,
            required={
                "slug": TEXT,
                "title": TEXT,
                "tabled_by": TEXT,
                "date": (object, "a date"),
                "status": TEXT,
                "sources": LIST,
                "points": LIST,
            },
            optional={
                "round": TEXT,
                "text_public": TEXT,
                "summary": TEXT,
                "previous": TEXT,
            },
        )
        slug = record["slug"]
        if slug in self.plans:
            raise DatasetError(f"{label}: declared twice.")
        party = Party.objects.filter(slug=record["tabled_by"]).first()
        if party is None:
            raise DatasetError(f"{label}: tabled_by {record['tabled_by']!r} names no party.")
        round = None
        if "round" in record:
            round = Round.objects.filter(negotiation=self.negotiation, slug=record["round"]).first()
            if round is None:
                raise DatasetError(f"{label}: round {record['round']!r} names no round.")
        previous = None
        if "previous" in record:
            previous = self.plans.get(record["previous"])
            if previous is None:
                raise DatasetError(
                    f"{label}: previous {record['previous']!r} names no plan declared above it."
                )
        date, precision, part = fuzzy_date(record["date"], label)
        values = {
            "title": record["title"].strip(),
            "tabled_by": party,
            "round": round,
            "date": date,
            "date_precision": precision,
            "date_part": part,
            "status": record["status"],
            "text_public": record.get("text_public", Plan.Text.FULL),
            "summary": record.get("summary", "").strip(),
            "previous": previous,
        }
        sources = self.resolve_sources(record, label)
        plan = self.upsert(
            Plan,
            label,
            key={"negotiation": self.negotiation, "slug": slug},
            values=values,
            kind="plans",
        )
        self.set_sources(plan, sources)
        self.plans[slug] = plan
        kept = []
        for point in record["points"]:
            kept.append(self.load_point(plan, point, label).pk)
        _, gone = plan.points.exclude(pk__in=kept).delete()
        self.report.deleted["points"] += gone.get(PlanPoint._meta.label, 0)

    def load_point(self, plan: Plan, record: Any, plan_label: str) -> PlanPoint:
        number = record.get("number") if isinstance(record, dict) else None
        label = f"{plan_label}, point {number!r}"
        fields(
            record,
            label,
            required={"number": TEXT, "text": TEXT, "sources": LIST},
            optional={"issue": TEXT, "stance": INTEGER, "status": TEXT, "note": TEXT},
        )
        issue = stance = None
        if "issue" in record:
            issue = self.issues.get(record["issue"])
            if issue is None:
                raise DatasetError(
                    f"{label}: issue {record['issue']!r} is not in the dataset; add it there "
                    "(one scale per issue, docs/plans.md)."
                )
        if "stance" in record:
            if issue is None:
                raise DatasetError(f"{label}: a stance needs the point's issue.")
            stance = Stance.objects.filter(issue=issue, value=record["stance"]).first()
            if stance is None:
                raise DatasetError(
                    f"{label}: {issue.slug!r} has no stance with value {record['stance']}."
                )
        values = {
            "text": " ".join(record["text"].split()),
            "issue": issue,
            "stance": stance,
            "status": record.get("status", PlanPoint.Status.REPORTED),
            "note": " ".join(record.get("note", "").split()),
        }
        sources = self.resolve_sources(record, label)
        point = self.upsert(
            PlanPoint,
            label,
            key={"plan": plan, "number": record["number"]},
            values=values,
            kind="points",
        )
        self.set_sources(point, sources)
        return point

    def load_crosswalk(self, record: Any, number: int) -> None:
        label = f"crosswalk #{number}"
        fields(record, label, required={"from": TEXT, "to": TEXT, "links": LIST}, optional={})
        label = f"crosswalk {record['from']!r} → {record['to']!r}"
        plans = {}
        for end in ("from", "to"):
            plans[end] = self.plans.get(record[end])
            if plans[end] is None:
                raise DatasetError(f"{label}: {end} {record[end]!r} names no plan in this file.")
        points = {end: {p.number: p for p in plans[end].points.all()} for end in ("from", "to")}
        wanted = []
        for link in record["links"]:
            link_label = f"{label}, link {link!r}"
            fields(
                link,
                link_label,
                required={"kind": TEXT},
                optional={"from": TEXT, "to": TEXT, "note": TEXT},
            )
            ends = {}
            for end in ("from", "to"):
                ends[end] = None
                if end in link:
                    ends[end] = points[end].get(link[end])
                    if ends[end] is None:
                        raise DatasetError(
                            f"{link_label}: {plans[end].title!r} has no point {link[end]!r}."
                        )
            if link["kind"] not in PointLink.Kind.values:
                raise DatasetError(
                    f"{link_label}: unknown kind {link['kind']!r} "
                    f"(use {', '.join(PointLink.Kind.values)})."
                )
            key = {
                "from_plan": plans["from"],
                "to_plan": plans["to"],
                "from_point": ends["from"],
                "to_point": ends["to"],
                "kind": link["kind"],
            }
            wanted.append((link_label, key, " ".join(link.get("note", "").split())))
        # Links the file no longer holds go first, so a link whose kind changed can take the
        # place of the old one without tripping the one-link-per-pair constraint.
        stale = PointLink.objects.filter(from_plan=plans["from"], to_plan=plans["to"])
        for _, key, _ in wanted:
            stale = stale.exclude(
                from_point=key["from_point"], to_point=key["to_point"], kind=key["kind"]
            )
        _, gone = stale.delete()
        self.report.deleted["links"] += gone.get(PointLink._meta.label, 0)
        for link_label, key, note in wanted:
            self.upsert(PointLink, link_label, key=key, values={"note": note}, kind="links")
