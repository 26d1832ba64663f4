"""A synthetic negotiation far larger than the shipped one, built with bulk_create.

Sizes come from the environment so the same benchmarks can be run small (CI smoke) or large:
PARLEY_BENCH_ROUNDS (default 300), PARLEY_BENCH_ISSUES (12), PARLEY_BENCH_PARTIES (6).
"""

import datetime
import os
import random

import pytest

from negotiations.models import Issue, Negotiation, Participant, Party, Round, Source, Stance
from positions.models import Concession, Demand


def size(name: str, default: int) -> int:
    return int(os.environ.get(f"PARLEY_BENCH_{name}", default))


@pytest.fixture
def big_negotiation(db) -> Negotiation:
    rng = random.Random(2025)
    rounds_n, issues_n, parties_n = size("ROUNDS", 300), size("ISSUES", 12), size("PARTIES", 6)
    negotiation = Negotiation.objects.create(slug="bench", title="Benchmark talks")
    source = Source.objects.create(slug="bench-source", kind="media", outlet="Wire")
    parties = Party.objects.bulk_create(
        Party(slug=f"p{i}", name=f"Party {i}", short_name=f"P{i}") for i in range(parties_n)
    )
    Participant.objects.bulk_create(
        Participant(negotiation=negotiation, party=p, order=i) for i, p in enumerate(parties)
    )
    issues = Issue.objects.bulk_create(
        Issue(
            negotiation=negotiation,
            slug=f"i{i}",
            title=f"Issue {i}",
            category="territory",
            low_pole="none",
            high_pole="all",
            order=i,
        )
        for i in range(issues_n)
    )
    stances = Stance.objects.bulk_create(
        Stance(issue=issue, value=v, label=f"level {v}") for issue in issues for v in range(5)
    )
    by_issue = {(s.issue_id, s.value): s for s in stances}
    start = datetime.date(2020, 1, 1)
    rounds = Round.objects.bulk_create(
        Round(
            negotiation=negotiation,
            slug=f"r{i}",
            title=f"Round {i}",
            kind="talks",
            start_date=start + datetime.timedelta(days=i),
        )
        for i in range(rounds_n)
    )
    Round.sources.through.objects.bulk_create(
        Round.sources.through(round=r, source=source) for r in rounds
    )
    demands = []
    for r in rounds:
        for p in parties:
            for issue in issues:
                if rng.random() < 0.3:
                    value = rng.randrange(5)
                    demands.append(
                        Demand(
                            party=p,
                            issue=issue,
                            round=r,
                            text=f"{p.pk}-{r.pk}",
                            stance=by_issue[(issue.pk, value)],
                        )
                    )
    demands = Demand.objects.bulk_create(demands, batch_size=2000)
    Demand.sources.through.objects.bulk_create(
        (Demand.sources.through(demand=d, source=source) for d in demands), batch_size=2000
    )
    Concession.objects.bulk_create(
        Concession(party=d.party, issue=d.issue, round=d.round, text="gives ground")
        for d in demands[::20]
    )
    return negotiation
