"""Build the synthetic corpus the page timings run on (bench/page_timings.py).

Defaults give issue 8's corpus: 100 negotiations × 50 rounds × 40 issues × 5 principals, every
principal stating a demand on every issue at every round (1,000,000 demands), one source each,
a concession for every 50th demand. Inserts go through the models with bulk_create, so the
database's constraints and triggers check every row. The seed is fixed: same corpus every run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parley_pagecorpus \
        .venv/bin/python bench/page_corpus.py [--negotiations 100 --rounds 50 ...]

It refuses a database that already holds negotiations, so it never mixes with real data; this is
the page half's own stand-in for `manage.py generate_corpus` (issue 8, item 1).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "negotiations.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from negotiations.models import (  # noqa: E402
    Issue,
    Negotiation,
    Participant,
    Party,
    Round,
    Source,
    Stance,
)
from positions.models import Concession, Demand  # noqa: E402

STEPS = 5  # rungs on every issue's scale
WORDS = [
    "withdrawal",
    "of",
    "forces",
    "from",
    "the",
    "line",
    "of",
    "contact",
    "under",
    "international",
    "monitoring",
    "with",
    "guarantees",
    "of",
    "security",
    "for",
    "the",
    "population",
    "and",
    "a",
    "timetable",
    "agreed",
    "by",
    "both",
    "sides",
]


def build(*, negotiations: int, rounds: int, issues: int, principals: int, seed: int) -> None:
    rng = random.Random(seed)
    parties = Party.objects.bulk_create(
        Party(slug=f"party-{p}", name=f"Party {p}", short_name=f"P{p}") for p in range(principals)
    )
    started = time.monotonic()
    for n in range(negotiations):
        with transaction.atomic():
            _negotiation(n, rng, parties, rounds=rounds, issues=issues)
        elapsed = time.monotonic() - started
        print(f"\r{n + 1}/{negotiations} negotiations, {elapsed:.0f} s", end="", file=sys.stderr)
    print(file=sys.stderr)


def _negotiation(n: int, rng: random.Random, parties, *, rounds: int, issues: int) -> None:
    start = datetime.date(2000, 1, 1) + datetime.timedelta(days=60 * n)
    negotiation = Negotiation.objects.create(
        slug=f"talks-{n}", title=f"Synthetic talks {n}", started_on=start
    )
    Participant.objects.bulk_create(
        Participant(negotiation=negotiation, party=p, order=i) for i, p in enumerate(parties)
    )
    source = Source.objects.create(slug=f"wire-{n}", kind="media", outlet="Wire")
    issue_rows = Issue.objects.bulk_create(
        Issue(
            negotiation=negotiation,
            slug=f"issue-{i}",
            title=f"Issue {i}",
            category="territory",
            low_pole="none",
            high_pole="all",
            order=i,
        )
        for i in range(issues)
    )
    stances = {
        (s.issue_id, s.value): s
        for s in Stance.objects.bulk_create(
            Stance(issue=issue, value=v, label=f"level {v}")
            for issue in issue_rows
            for v in range(STEPS)
        )
    }
    round_rows = Round.objects.bulk_create(
        Round(
            negotiation=negotiation,
            slug=f"round-{r}",
            title=f"Round {r}",
            kind="talks",
            start_date=start + datetime.timedelta(days=r),
        )
        for r in range(rounds)
    )
    Round.sources.through.objects.bulk_create(
        Round.sources.through(round=r, source=source) for r in round_rows
    )
    Round.parties.through.objects.bulk_create(
        Round.parties.through(round=r, party=p) for r in round_rows for p in parties
    )
    value = {(p.pk, i.pk): rng.randrange(STEPS) for p in parties for i in issue_rows}
    demands = []
    for r in round_rows:
        for p in parties:
            for issue in issue_rows:
                key = (p.pk, issue.pk)
                if rng.random() < 0.2:  # a fifth of the cells move one rung
                    value[key] = min(STEPS - 1, max(0, value[key] + rng.choice((-1, 1))))
                retracted = rng.random() < 0.01
                words = rng.sample(WORDS, 14)
                demands.append(
                    Demand(
                        party=p,
                        issue=issue,
                        round=r,
                        text=" ".join(words),
                        status=Demand.Status.RETRACTED if retracted else Demand.Status.REPORTED,
                        stance=None if retracted else stances[(issue.pk, value[key])],
                    )
                )
    demands = Demand.objects.bulk_create(demands, batch_size=5000)
    Demand.sources.through.objects.bulk_create(
        (Demand.sources.through(demand=d, source=source) for d in demands), batch_size=5000
    )
    concessions = Concession.objects.bulk_create(
        (
            Concession(party=d.party, issue=d.issue, round=d.round, text="gives ground", softens=d)
            for d in demands[::50]
        ),
        batch_size=5000,
    )
    Concession.sources.through.objects.bulk_create(
        (Concession.sources.through(concession=c, source=source) for c in concessions),
        batch_size=5000,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--negotiations", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--issues", type=int, default=40)
    parser.add_argument("--principals", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if Negotiation.objects.exists():
        sys.exit("This database already holds negotiations; build the corpus in an empty one.")
    build(
        negotiations=args.negotiations,
        rounds=args.rounds,
        issues=args.issues,
        principals=args.principals,
        seed=args.seed,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"{Demand.objects.count()} demands, {Concession.objects.count()} concessions")


if __name__ == "__main__":
    main()
