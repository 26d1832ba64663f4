"""Time the position service and the reader pages on the corpus `manage.py generate_corpus` builds.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parley_pagecorpus \
        .venv/bin/python bench/page_timings.py [--repeat 15] [--negotiation synthetic-000] \
        [--pages-only]

Each service call and page is run once to warm up, then `--repeat` times; the median is printed
with the number of SQL queries of one run. Pages go through Django's test client with DEBUG off
(the middleware and templates a visitor's request goes through, without a network hop), and
without If-None-Match, so every request renders the page in full. Targets: issue 8.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "negotiations.settings")
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-bench-only-not-a-secret")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")  # the test client speaks plain HTTP

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from negotiations.models import Negotiation, Round  # noqa: E402
from positions.services import compare_rounds, positions_as_of  # noqa: E402

TARGETS_MS = {"service": 50, "page": 150}


def timed(run, repeat: int) -> tuple[float, float, int]:
    """Return the median wall time and CPU time of `run` in ms, and the queries one run makes.

    The CPU time is this process's only (Python, Django, the driver), not the database's: on a
    shared machine it moves less with the load than the wall time does.
    """
    queries = []
    with connection.execute_wrapper(lambda execute, *a: queries.append(1) or execute(*a)):
        run()
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        run()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return statistics.median(times), statistics.median(cpu), len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--negotiation", default="synthetic-000")
    parser.add_argument(
        "--pages-only", action="store_true", help="skip the service calls: time the pages alone"
    )
    args = parser.parse_args()
    # DEBUG off serves hashed static names from the manifest, as in production.
    call_command("collectstatic", interactive=False, verbosity=0)
    negotiation = Negotiation.objects.get(slug=args.negotiation)
    rounds = list(Round.objects.filter(negotiation=negotiation).chronological())
    first, last = rounds[0], rounds[-1]
    issue = negotiation.issues.order_by("order").first()
    client = Client()

    def page(url: str):
        def run():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return run

    slug = negotiation.slug
    cases = [
        ("service", "positions_as_of (latest round)", lambda: positions_as_of(round=last)),
        (
            "service",
            "compare_rounds (first → last)",
            lambda: compare_rounds(from_round=first, to_round=last),
        ),
        ("page", f"/{slug}/ (overview)", page(f"/{slug}/")),
        (
            "page",
            f"/{slug}/compare/{first.slug}/{last.slug}/",
            page(f"/{slug}/compare/{first.slug}/{last.slug}/"),
        ),
        ("page", f"/{slug}/issues/{issue.slug}/", page(f"/{slug}/issues/{issue.slug}/")),
    ]
    from positions.models import Demand

    demands = Demand.objects.count()
    print(f"corpus: {demands:,} demands; {connection.vendor}; median of {args.repeat}")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"| {'what':<45} | median ms | CPU ms | queries | target ms |")
    print(f"| {'-' * 45} | --- | --- | --- | --- |")
    for group, name, run in cases:
        if args.pages_only and group != "page":
            continue
        median, cpu, queries = timed(run, args.repeat)
        target = TARGETS_MS[group]
        flag = "" if median <= target else " (over)"
        print(f"| {name:<45} | {median:.0f}{flag} | {cpu:.0f} | {queries} | ≤ {target} |")


if __name__ == "__main__":
    main()
