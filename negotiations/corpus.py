"""A synthetic corpus for measuring Parley at scale (`manage.py generate_corpus`, bench/).

Every negotiation is `synthetic-NNN` with its own rounds, issues (five-rung scales), sources
and principals drawn from a shared pool of synthetic parties; each principal states a demand on
each issue at a share of the rounds, its stance wandering one rung at a time, and a share of
the demands is followed by a concession. The same sizes and seed give the same corpus: each
negotiation draws from its own generator, seeded by the seed and its number, so a run that was
stopped resumes where it left off and a finished corpus is left as it is.

Rows go in through the models' `bulk_create`, so the constraints and the integrity triggers
(positions/migrations/0002) check every row. What bulk_create skips, and this skips with it:
model `clean()` (the triggers hold the same rules) and django-simple-history's records.
"""

from __future__ import annotations

import datetime
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction

from negotiations.models import Issue, Negotiation, Participant, Party, Round, Source, Stance
from positions.models import Concession, Demand

PREFIX = "synthetic-"
SCALE = range(5)  # stance values of every synthetic issue
BATCH = 5000


@dataclass(frozen=True)
class CorpusSize:
    negotiations: int = 100
    rounds: int = 50
    issues: int = 40
    principals: int = 5
    stated: float = 1.0  # share of round × issue × principal cells with a demand
    concessions: float = 0.02  # share of demands followed by a concession
    seed: int = 2025

    @property
    def demands(self) -> int:
        """Expected demands (exact when every cell is stated)."""
        return round(self.negotiations * self.rounds * self.issues * self.principals * self.stated)


class CorpusRefused(Exception):
    """The database holds real negotiations; the corpus would mix with them."""


def foreign_negotiations() -> list[str]:
    """Slugs of negotiations in the database that this generator did not make."""
    return list(
        Negotiation.objects.exclude(slug__startswith=PREFIX)
        .order_by("slug")
        .values_list("slug", flat=True)
    )


def refuse_mixing(*, force: bool) -> None:
    """Raise CorpusRefused when real negotiations are present and `force` is not given."""
    foreign = foreign_negotiations()
    if foreign and not force:
        named = ", ".join(foreign[:3]) + (", …" if len(foreign) > 3 else "")
        raise CorpusRefused(
            f"This database holds {len(foreign)} negotiation(s) that are not synthetic "
            f"({named}); a corpus of invented demands would mix with them in every list, "
            "export and page. Point DATABASE_URL at a separate database, or pass --force to "
            "add the corpus anyway."
        )


@dataclass
class CorpusReport:
    created: int = 0  # negotiations made in this run
    kept: int = 0  # negotiations already there (resumed or finished corpus)
    demands: int = 0
    concessions: int = 0


def generate_corpus(
    size: CorpusSize,
    *,
    force: bool = False,
    progress: Callable[[int, int, int], None] | None = None,
) -> CorpusReport:
    """Make the synthetic negotiations that are missing; return what was made.

    `progress(done, total, demands_so_far)` is called after each negotiation.
    """
    refuse_mixing(force=force)
    parties = party_pool(size)
    made = Negotiation.objects.filter(slug__startswith=PREFIX)
    existing = set(made.values_list("slug", flat=True))
    report = CorpusReport()
    for number in range(size.negotiations):
        slug = f"{PREFIX}{number:03d}"
        if slug in existing:
            report.kept += 1
        else:
            with transaction.atomic():
                demands, concessions = make_negotiation(size, number, slug, parties)
            report.created += 1
            report.demands += demands
            report.concessions += concessions
        if progress is not None:
            progress(number + 1, size.negotiations, report.demands)
    if report.created:
        refresh_planner_statistics()
    return report


def refresh_planner_statistics() -> None:
    """Run ANALYZE after a bulk load, as a deployment would after importing data.

    Without statistics SQLite reads a demand list through the party index (every negotiation
    the party is in) rather than the round × party one: ~50 ms instead of ~1 ms at 1M demands.
    """
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def party_pool(size: CorpusSize) -> list[Party]:
    """The synthetic parties, four times as many as a negotiation's principals (at least)."""
    count = max(size.principals * 4, size.principals)
    wanted = [f"{PREFIX}party-{n:03d}" for n in range(count)]
    have = {party.slug: party for party in Party.objects.filter(slug__in=wanted)}
    missing = [
        Party(
            slug=slug,
            name=f"Synthetic party {n}",
            short_name=f"SYN{n:03d}",
            colour=f"#{(n * 2654435761) % 0xFFFFFF:06x}",
        )
        for n, slug in enumerate(wanted)
        if slug not in have
    ]
    for party in Party.objects.bulk_create(missing):
        have[party.slug] = party
    return [have[slug] for slug in wanted]


def make_negotiation(
    size: CorpusSize, number: int, slug: str, pool: list[Party]
) -> tuple[int, int]:
    rng = random.Random(f"{size.seed}-{number}")
    start = datetime.date(2000, 1, 1) + datetime.timedelta(days=number * 3)
    negotiation = Negotiation.objects.create(
        slug=slug,
        title=f"Synthetic negotiation {number}",
        summary="Invented for measuring Parley at scale; no real party said any of it.",
        started_on=start,
    )
    principals = rng.sample(pool, size.principals)
    Participant.objects.bulk_create(
        Participant(negotiation=negotiation, party=party, order=order)
        for order, party in enumerate(principals)
    )
    sources = Source.objects.bulk_create(
        Source(
            slug=f"{slug}-source-{n}",
            kind=rng.choice(Source.Kind.values),
            outlet=f"Wire {n}",
            title=f"Report {n} on synthetic negotiation {number}",
            url=f"https://example.org/{slug}/{n}" if n % 3 else "",
            published_on=start + datetime.timedelta(days=n * 30),
        )
        for n in range(10)
    )
    rounds = Round.objects.bulk_create(
        Round(
            negotiation=negotiation,
            slug=f"r{n}",
            title=f"Round {n}",
            kind=rng.choice(Round.Kind.values),
            # Every fifth round shares its date with the one before, as real rounds can.
            start_date=start + datetime.timedelta(days=(n - (n % 5 == 4)) * 7),
            sequence=1 if n % 5 == 4 else 0,
        )
        for n in range(size.rounds)
    )
    Round.sources.through.objects.bulk_create(
        Round.sources.through(round=round, source=rng.choice(sources)) for round in rounds
    )
    Round.parties.through.objects.bulk_create(
        Round.parties.through(round=round, party=party) for round in rounds for party in principals
    )
    issues = Issue.objects.bulk_create(
        Issue(
            negotiation=negotiation,
            slug=f"issue-{n}",
            title=f"Issue {n}",
            category=rng.choice(Issue.Category.values),
            low_pole="nothing",
            high_pole="everything",
            order=n,
        )
        for n in range(size.issues)
    )
    stances = Stance.objects.bulk_create(
        Stance(issue=issue, value=value, label=f"level {value}")
        for issue in issues
        for value in SCALE
    )
    stance_of = {(stance.issue_id, stance.value): stance for stance in stances}

    current: dict[tuple[int, int], int] = {}  # (party, issue) → stance value, a random walk
    demands: list[Demand] = []
    for round in rounds:
        for party in principals:
            for issue in issues:
                if rng.random() >= size.stated:
                    continue
                key = (party.pk, issue.pk)
                value = current.get(key, rng.choice(SCALE))
                value = min(max(value + rng.choice((-1, 0, 0, 1)), SCALE[0]), SCALE[-1])
                current[key] = value
                retracted = rng.random() < 0.01
                demands.append(
                    Demand(
                        party=party,
                        issue=issue,
                        round=round,
                        stance=None if retracted else stance_of[(issue.pk, value)],
                        text=f"{party.short_name} on {issue.title} at {round.title}: level {value}",
                        priority=rng.choice(Demand.Priority.values),
                        status=Demand.Status.RETRACTED
                        if retracted
                        else rng.choice(("reported", "reported", "confirmed", "disputed")),
                    )
                )
    Demand.objects.bulk_create(demands, batch_size=BATCH)
    Demand.sources.through.objects.bulk_create(
        (
            Demand.sources.through(demand=demand, source=source)
            for demand in demands
            for source in rng.sample(sources, 2 if rng.random() < 0.2 else 1)
        ),
        batch_size=BATCH,
    )

    concessions = []
    by_cell: dict[tuple[int, int], Demand] = {}  # (round, issue) → a demand there, for conditions
    for demand in demands:
        counterpart = by_cell.get((demand.round_id, demand.issue_id))
        if (
            counterpart is not None
            and counterpart.party_id != demand.party_id
            and rng.random() < size.concessions
        ):
            concessions.append(
                Concession(
                    party=demand.party,
                    issue=demand.issue,
                    round=demand.round,
                    text=f"{demand.party.short_name} softens on {demand.issue.title}",
                    softens=demand,
                    in_return_for=counterpart,
                    conditions="The same in return.",
                    status=rng.choice(Concession.Status.values),
                )
            )
        by_cell.setdefault((demand.round_id, demand.issue_id), demand)
    Concession.objects.bulk_create(concessions, batch_size=BATCH)
    Concession.sources.through.objects.bulk_create(
        (
            Concession.sources.through(concession=concession, source=rng.choice(sources))
            for concession in concessions
        ),
        batch_size=BATCH,
    )
    return len(demands), len(concessions)


class ProgressBar:
    """A one-line progress bar with rate and time left, redrawn in place on a terminal."""

    def __init__(self, stream=sys.stderr, width: int = 30):
        self.stream, self.width, self.started = stream, width, time.monotonic()

    def __call__(self, done: int, total: int, demands: int) -> None:
        elapsed = time.monotonic() - self.started
        filled = self.width * done // max(total, 1)
        left = elapsed / done * (total - done) if done else 0
        line = (
            f"[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} negotiations, "
            f"{demands:,} demands made, {demands / max(elapsed, 1e-9):,.0f}/s, ~{left:.0f} s left"
        )
        end = "\n" if done == total else ""
        if self.stream.isatty():
            self.stream.write(f"\r{line}{end}")
        elif done == total or done % max(total // 20, 1) == 0:
            self.stream.write(f"{line}\n")
        self.stream.flush()
