"""Write a negotiation back out in the loader's own format (docs/dataset.md, "Exporting").

The export is what negotiations/loader.py and positions/plan_loader.py read, so a database can be
rebuilt from it: `load_dataset` of the exported file gives the same records, and exporting that
database again gives the same bytes. For that, everything is ordered by what the records say
(slugs, dates, scale values), never by primary keys, and written with tomli-w, whose output
depends only on the data. Fields that hold their default (an empty text, no date) are left out,
as a hand-written file leaves them out; the loader fills in the same defaults.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tomli_w
from django.db.models import Q

from negotiations.dates import (
    SEASON_FIRST_MONTH,
    SEASON_OF_MONTH,
    DatePrecision,
    anchor_date,
)
from negotiations.models import Issue, Negotiation, Participant, Party, Round, Source
from positions.models import CompetingClaim, Concession, Demand
from positions.plan_models import Plan, PointLink

HEADER = (
    "# Exported by `manage.py export_dataset` from the Parley database: the loader's own format\n"
    "# (docs/dataset.md). Load it with `manage.py load_dataset PATH`.\n\n"
)


class ExportError(Exception):
    """A record the file format cannot say (the message names it); nothing is written."""


# --- the pieces the two files share -------------------------------------------------------------


def without_defaults(record: dict[str, Any]) -> dict[str, Any]:
    """Drop fields that hold what the loader would assume anyway: "", None, an empty list."""
    return {key: value for key, value in record.items() if value not in ("", None, [])}


def date_spec(date: datetime.date, precision: str, part: str, label: str) -> Any:
    """Return a stored fuzzy date as the file writes it: a day, or a table naming the period.

    The reverse of loader.fuzzy_date; the result is checked by anchoring it again, so a stored
    date the file could not reproduce (a season anchored in December) is refused, not changed.
    """
    if precision == DatePrecision.DAY:
        return date
    spec: dict[str, Any] = {"precision": precision, "year": date.year}
    if precision == DatePrecision.MONTH:
        spec["month"] = date.month
    elif precision == DatePrecision.SEASON:
        spec["season"] = SEASON_OF_MONTH[date.month]
    elif precision == DatePrecision.HALF:
        spec["half"] = 1 if date.month <= 6 else 2
    if part:
        spec["part"] = part
    month = {"month": spec["month"]} if "month" in spec else {}
    if "half" in spec:
        month = {"month": (1, 7)[spec["half"] - 1]}
    anchored = anchor_date(
        year=date.year, precision=precision, part=part, season=spec.get("season", ""), **month
    )
    if anchored != date:
        raise ExportError(
            f"{label}: the stored date {date} with precision {precision!r} and part {part!r} "
            "is not one the file format can state; correct it in the admin."
        )
    return spec


def until_spec(start: Any, end: datetime.date | None, precision: str, label: str) -> Any:
    """Return a round's end as `until`: the period only, in the start's precision."""
    if end is None:
        return None
    if precision == DatePrecision.DAY:
        return end
    spec = date_spec(end, precision, "", label + " (its end)")
    spec.pop("precision")
    if precision == DatePrecision.SEASON and SEASON_FIRST_MONTH[spec["season"]] != end.month:
        raise ExportError(f"{label}: its end {end} does not open a season.")
    return spec


def source_record(source: Source) -> dict[str, Any]:
    """Return a [[sources]] row with every field written out (no `excerpt_of` shorthand)."""
    return without_defaults(
        {
            "slug": source.slug,
            "kind": source.kind,
            "outlet": source.outlet,
            "title": source.title,
            "author": source.author,
            "url": source.url,
            "published_on": source.published_on,
            "speaker": source.speaker,
            "quote": source.quote,
            "cited_in": source.cited_in.slug if source.cited_in_id else None,
        }
    )


def in_citation_order(sources: Iterable[Source]) -> list[Source]:
    """Sort sources by slug, each after the source it is `cited_in` (the loader needs it above)."""
    by_slug = {source.slug: source for source in sources}
    ordered: list[Source] = []
    placed: set[str] = set()

    def place(source: Source) -> None:
        if source.slug in placed:
            return
        placed.add(source.slug)
        if source.cited_in_id and source.cited_in.slug in by_slug:
            place(by_slug[source.cited_in.slug])
        ordered.append(source)

    for slug in sorted(by_slug):
        place(by_slug[slug])
    return ordered


def with_citing_sources(sources: set[Source]) -> set[Source]:
    """Add the sources the given ones are `cited_in`, and theirs, so every link resolves."""
    found = set(sources)
    frontier = [s for s in found if s.cited_in_id]
    while frontier:
        parent = frontier.pop().cited_in
        if parent not in found:
            found.add(parent)
            if parent.cited_in_id:
                frontier.append(parent)
    return found


UNCITED = {
    "rounds": None,
    "demands": None,
    "concessions": None,
    "competing_claims": None,
    "plans": None,
    "plan_points": None,
    "citations": None,
}


def with_articles(sources: set[Source]) -> set[Source]:
    """Add the uncited sources that share an address with the given ones: their articles.

    A file declares an article once and cites its excerpts (`excerpt_of`); the article row is
    cited by nothing, but it is the negotiation's all the same.
    """
    urls = {source.url for source in sources if source.url}
    articles = Source.objects.filter(url__in=urls, **UNCITED).select_related("cited_in")
    return sources | set(articles)


def sources_in_no_negotiation() -> list[str]:
    """Return the slugs of sources nothing cites and that are no cited source's article.

    No export holds them: a source belongs to a negotiation only through what cites it.
    """
    uncited = Source.objects.filter(**UNCITED)
    cited_urls = Source.objects.exclude(pk__in=uncited).exclude(url="").values("url")
    return sorted(uncited.exclude(url__in=cited_urls).values_list("slug", flat=True))


def slugs(records: Iterable) -> list[str]:
    return sorted(record.slug for record in records)


def dumps(document: dict[str, Any]) -> str:
    return HEADER + tomli_w.dumps(document, multiline_strings=True)


# --- the dataset file ---------------------------------------------------------------------------


def negotiation_sources(negotiation: Negotiation) -> set[Source]:
    """Return the sources the dataset file declares: those its records cite, and their parents.

    Sources are shared between negotiations, so the file holds the ones this negotiation's
    rounds, demands, concessions and competing claims cite, plus the sources these are
    `cited_in` and their articles (with_articles). Sources that only plans cite go into the
    plans file.
    """
    cited = Source.objects.filter(
        Q(rounds__negotiation=negotiation)
        | Q(demands__round__negotiation=negotiation)
        | Q(concessions__round__negotiation=negotiation)
        | Q(competing_claims__demand__round__negotiation=negotiation)
        | Q(competing_claims__concession__round__negotiation=negotiation)
    ).distinct()
    return with_citing_sources(with_articles(set(cited.select_related("cited_in"))))


def dataset_document(negotiation: Negotiation) -> dict[str, Any]:
    """Return the negotiation as the loader's sections, in the loader's order."""
    participants = list(Participant.objects.filter(negotiation=negotiation).select_related("party"))
    issues = list(
        Issue.objects.filter(negotiation=negotiation)
        .select_related("high_pole_side")
        .prefetch_related("stances")
        .order_by("order", "slug")
    )
    rounds = list(
        Round.objects.filter(negotiation=negotiation)
        .prefetch_related("parties", "sources")
        .order_by("start_date", "sequence", "slug")
    )
    parties = {p.party for p in participants}
    for issue in issues:
        if issue.high_pole_side_id:
            parties.add(issue.high_pole_side)
    for round in rounds:
        parties.update(round.parties.all())
    statements = statements_by_round(negotiation, rounds)
    for records in statements.values():
        parties.update(record.party for kind in records.values() for record in kind)

    document: dict[str, Any] = {
        "negotiation": without_defaults(
            {
                "slug": negotiation.slug,
                "title": negotiation.title,
                "summary": negotiation.summary,
                "started_on": negotiation.started_on,
                "ended_on": negotiation.ended_on,
            }
        ),
        "parties": [party_record(party) for party in sorted(parties, key=lambda p: p.slug)],
        "participants": [
            participant_record(p)
            for p in sorted(participants, key=lambda p: (p.order, p.party.slug))
        ],
        "sources": [source_record(s) for s in in_citation_order(negotiation_sources(negotiation))],
        "issues": [issue_record(issue) for issue in issues],
        "rounds": [round_record(round) for round in rounds],
        "statements": [
            statement_record(round, statements[round.pk])
            for round in rounds
            if round.pk in statements
        ],
    }
    return {key: value for key, value in document.items() if value != []}


def party_record(party: Party) -> dict[str, Any]:
    return without_defaults(
        {
            "slug": party.slug,
            "name": party.name,
            "short_name": party.short_name,
            "kind": party.kind,
            "colour": party.colour,
            "description": party.description,
        }
    )


def participant_record(participant: Participant) -> dict[str, Any]:
    return {
        "party": participant.party.slug,
        "role": participant.role,
        "also_mediates": participant.also_mediates,
        "order": participant.order,
    }


def issue_record(issue: Issue) -> dict[str, Any]:
    return without_defaults(
        {
            "slug": issue.slug,
            "title": issue.title,
            "category": issue.category,
            "description": issue.description,
            "low_pole": issue.low_pole,
            "high_pole": issue.high_pole,
            "order": issue.order,
            "high_pole_side": issue.high_pole_side.slug if issue.high_pole_side_id else None,
            "stances": [
                without_defaults({"value": s.value, "label": s.label, "description": s.description})
                for s in sorted(issue.stances.all(), key=lambda s: s.value)
            ],
        }
    )


def round_record(round: Round) -> dict[str, Any]:
    label = f"round {round.slug!r}"
    return without_defaults(
        {
            "slug": round.slug,
            "title": round.title,
            "kind": round.kind,
            "location": round.location,
            "date": date_spec(round.start_date, round.date_precision, round.date_part, label),
            "until": until_spec(round.start_date, round.end_date, round.date_precision, label),
            "sequence": round.sequence,
            "parties": slugs(round.parties.all()),
            "summary": round.summary,
            "outcome": round.outcome,
            "sources": slugs(round.sources.all()),
        }
    )


def statements_by_round(negotiation: Negotiation, rounds: list[Round]) -> dict[int, dict]:
    """Return each round's demands and concessions, ordered by party and issue slug."""
    related = ("party", "issue", "round", "stance")
    claims = "competing_claims__source"
    demands = (
        Demand.objects.filter(round__negotiation=negotiation)
        .select_related(*related)
        .prefetch_related("sources", claims)
    )
    concessions = (
        Concession.objects.filter(round__negotiation=negotiation)
        .select_related(
            "party",
            "issue",
            "round",
            "softens__round",
            "in_return_for__party",
            "in_return_for__issue",
            "in_return_for__round",
        )
        .prefetch_related("sources", claims)
    )
    grouped: dict[int, dict] = {}
    for kind, records in (("demands", demands), ("concessions", concessions)):
        for record in records:
            grouped.setdefault(record.round_id, {"demands": [], "concessions": []})[kind].append(
                record
            )
    for records in grouped.values():
        for kind in records.values():
            kind.sort(key=lambda r: (r.party.slug, r.issue.slug, r.text))
    return grouped


def claims_of(record: Demand | Concession) -> list[dict[str, Any]]:
    claims: list[CompetingClaim] = sorted(
        record.competing_claims.all(), key=lambda c: c.source.slug
    )
    return [{"source": c.source.slug, "claim": c.claim, "status": c.status} for c in claims]


def statement_record(round: Round, records: dict[str, list]) -> dict[str, Any]:
    demands = [
        without_defaults(
            {
                "party": d.party.slug,
                "issue": d.issue.slug,
                "stance": d.stance.value if d.stance_id else None,
                "text": d.text,
                "priority": d.priority,
                "status": d.status,
                "sources": slugs(d.sources.all()),
                "claims": claims_of(d),
            }
        )
        for d in records["demands"]
    ]
    concessions = []
    for c in records["concessions"]:
        label = f"concession {c.party.slug} on {c.issue.slug} at {round.slug}"
        if c.softens_id and (c.softens.party_id != c.party_id or c.softens.issue_id != c.issue_id):
            raise ExportError(f"{label}: it softens another party's or issue's demand.")
        answered = c.in_return_for
        concessions.append(
            without_defaults(
                {
                    "party": c.party.slug,
                    "issue": c.issue.slug,
                    "text": c.text,
                    "status": c.status,
                    "conditions": c.conditions,
                    "softens": c.softens.round.slug if c.softens_id else None,
                    "in_return_for": (
                        {
                            "party": answered.party.slug,
                            "issue": answered.issue.slug,
                            "round": answered.round.slug,
                        }
                        if answered
                        else None
                    ),
                    "sources": slugs(c.sources.all()),
                    "claims": claims_of(c),
                }
            )
        )
    return without_defaults({"round": round.slug, "demands": demands, "concessions": concessions})


# --- the plans file -----------------------------------------------------------------------------


def plans_document(negotiation: Negotiation) -> dict[str, Any] | None:
    """Return the plans file's sections, or None when the negotiation has no plans."""
    plans = list(
        Plan.objects.filter(negotiation=negotiation)
        .select_related("tabled_by", "round", "previous")
        .prefetch_related("sources", "points__sources", "points__issue", "points__stance")
    )
    if not plans:
        return None
    plans = in_revision_order(plans)
    declared = {s.pk for s in negotiation_sources(negotiation)}
    cited = {s for plan in plans for s in plan.sources.all()}
    cited |= {s for plan in plans for point in plan.points.all() for s in point.sources.all()}
    own = {s for s in with_citing_sources(with_articles(cited)) if s.pk not in declared}
    for source in own:
        if source.cited_in_id and source.cited_in.pk in declared:
            raise ExportError(
                f"source {source.slug!r}: only plans cite it, but it is cited_in "
                f"{source.cited_in.slug!r} of the dataset file, which the plans file cannot name."
            )
    document: dict[str, Any] = {
        "negotiation": negotiation.slug,
        "sources": [source_record(s) for s in in_citation_order(own)],
        "plans": [plan_record(plan) for plan in plans],
        "crosswalk": crosswalk_records(plans),
    }
    return {key: value for key, value in document.items() if value != []}


def in_revision_order(plans: list[Plan]) -> list[Plan]:
    """Sort plans by date and slug, each after the plan it revises (`previous` must be above)."""
    by_pk = {plan.pk: plan for plan in plans}
    ordered: list[Plan] = []

    def place(plan: Plan) -> None:
        if plan in ordered:
            return
        if plan.previous_id in by_pk:
            place(by_pk[plan.previous_id])
        ordered.append(plan)

    for plan in sorted(plans, key=lambda p: (p.date, p.slug)):
        place(plan)
    return ordered


def plan_record(plan: Plan) -> dict[str, Any]:
    label = f"plan {plan.slug!r}"
    points = sorted(plan.points.all(), key=lambda p: (p.sort_key, p.number))
    record = without_defaults(
        {
            "slug": plan.slug,
            "title": plan.title,
            "tabled_by": plan.tabled_by.slug,
            "round": plan.round.slug if plan.round_id else None,
            "date": date_spec(plan.date, plan.date_precision, plan.date_part, label),
            "status": plan.status,
            "text_public": plan.text_public,
            "summary": plan.summary,
            "previous": plan.previous.slug if plan.previous_id else None,
            "sources": slugs(plan.sources.all()),
            "points": [
                without_defaults(
                    {
                        "number": point.number,
                        "text": point.text,
                        "issue": point.issue.slug if point.issue_id else None,
                        "stance": point.stance.value if point.stance_id else None,
                        "status": point.status,
                        "note": point.note,
                        "sources": slugs(point.sources.all()),
                    }
                )
                for point in points
            ],
        }
    )
    record["points"] = record.get("points", [])  # required, even when none is public yet
    return record


def crosswalk_records(plans: list[Plan]) -> list[dict[str, Any]]:
    """Return the crosswalk: per pair of plans (in plan order), its links by point order."""
    position = {plan.pk: index for index, plan in enumerate(plans)}
    links = PointLink.objects.filter(from_plan__in=plans).select_related(
        "from_plan", "to_plan", "from_point", "to_point"
    )
    pairs: dict[tuple[int, int], list[PointLink]] = {}
    for link in links:
        pairs.setdefault((position[link.from_plan_id], position[link.to_plan_id]), []).append(link)

    def point_key(point) -> tuple:
        return (0, 0, "") if point is None else (1, point.sort_key, point.number)

    records = []
    for (start, end), pair in sorted(pairs.items()):
        pair.sort(key=lambda k: (point_key(k.from_point), point_key(k.to_point), k.kind))
        records.append(
            {
                "from": plans[start].slug,
                "to": plans[end].slug,
                "links": [
                    without_defaults(
                        {
                            "kind": link.kind,
                            "from": link.from_point.number if link.from_point_id else None,
                            "to": link.to_point.number if link.to_point_id else None,
                            "note": link.note,
                        }
                    )
                    for link in pair
                ],
            }
        )
    return records


# --- writing ------------------------------------------------------------------------------------


def export_dataset(negotiation: Negotiation) -> str:
    """Return the dataset file's text for the negotiation."""
    return dumps(dataset_document(negotiation))


def export_plans(negotiation: Negotiation) -> str | None:
    """Return the plans file's text, or None when the negotiation has no plans."""
    document = plans_document(negotiation)
    return dumps(document) if document else None


def plans_path_for(output: Path) -> Path:
    """Where the plans file goes so `load_dataset OUTPUT` finds it (positions.plan_loader)."""
    return output.with_name(f"{output.stem}-plans.toml")


def write_export(negotiation: Negotiation, output: Path, plans_output: Path | None = None):
    """Write the dataset file and, if there are plans, the plans file; return the paths written.

    Both texts are made before either file is written, so a refusal leaves no half export.
    """
    dataset = export_dataset(negotiation)
    plans = export_plans(negotiation)
    output.write_text(dataset, encoding="utf-8")
    written = [output]
    if plans is not None:
        target = plans_output or plans_path_for(output)
        target.write_text(plans, encoding="utf-8")
        written.append(target)
    return written
