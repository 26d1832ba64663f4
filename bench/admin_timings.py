"""Time the admin at corpus scale: every changelist and a round's change page, over real HTTP.

    .venv/bin/python bench/admin_timings.py                       # PostgreSQL, parley_corpus
    .venv/bin/python bench/admin_timings.py --database-url sqlite:////path/to/parley.sqlite3
    .venv/bin/python bench/admin_timings.py --repeat 9 --only round
    .venv/bin/python bench/admin_timings.py --source /path/to/older/checkout   # "before"

The database must hold the corpus `manage.py generate_corpus` builds (bench/README.md, "Pages at
a million demands"). The script makes a superuser `bench-admin` there if missing (and gives it
a fresh password each run), serves Parley under gunicorn (one sync worker, DEBUG off, as
bench/side_by_side.py does), logs in through the admin's login form with a plain HTTP client
and a cookie jar, and fetches each page once to warm up, then `--repeat` times. It prints the
median wall time of each page, the size of its HTML and the target of issue 12: every list
under 500 ms, a round's change page with 200 demand rows under 1 s and under 1 MB.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import secrets
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from side_by_side import PG, ROOT, gunicorn, parley_env, wait_until_up

sys.path.insert(0, str(ROOT))

USERNAME = "bench-admin"
PORT = 8405
LIST_MS, PAGE_MS, PAGE_BYTES = 500, 1000, 1_000_000


def prepare(database_url: str, negotiation_slug: str) -> tuple[str, dict]:
    """Make or reset the bench superuser; return its password and the ids the cases need."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "negotiations.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db.models import Count

    from negotiations.models import Negotiation, Participant, Round

    password = secrets.token_urlsafe(16)
    user = User.objects.filter(username=USERNAME).first()
    if user is None:
        user = User.objects.create_superuser(USERNAME, "bench@parley.example", password)
    else:
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
    negotiation = Negotiation.objects.get(slug=negotiation_slug)
    # The latest round holding the most demand rows: the page an analyst opens to add a round.
    round = (
        Round.objects.filter(negotiation=negotiation)
        .annotate(rows=Count("demands"))
        .order_by("-rows", "-start_date", "-sequence")
        .first()
    )
    participant = Participant.objects.filter(negotiation=negotiation).order_by("order").first()
    issue = negotiation.issues.order_by("order").first()
    ids = {
        "negotiation": negotiation.pk,
        "round": round.pk,
        "round_rows": round.rows,
        "party": participant.party_id,
        "issue": issue.pk,
    }
    return password, ids


def cases(ids: dict) -> list[tuple[str, str, str]]:
    """(kind, name, path): kind "list" has the list target, "page" the change-page one."""
    n, party, issue = ids["negotiation"], ids["party"], ids["issue"]
    lists = [
        ("negotiations", "negotiation", ""),
        ("negotiations", "party", ""),
        ("negotiations", "participant", ""),
        ("negotiations", "source", ""),
        ("negotiations", "round", ""),
        ("negotiations", "round", f"?negotiation__id__exact={n}"),
        ("negotiations", "round", "?o=6"),  # sorted by the demand count
        ("negotiations", "issue", ""),
        ("negotiations", "stance", ""),
        ("positions", "demand", ""),
        ("positions", "demand", f"?round__negotiation__id__exact={n}"),
        ("positions", "demand", f"?party__id__exact={party}"),
        ("positions", "demand", "?status__exact=confirmed"),
        ("positions", "demand", f"?round__negotiation__id__exact={n}&issue__id__exact={issue}"),
        ("positions", "demand", "?q=level+4"),
        ("positions", "demand", "?p=10000"),
        ("positions", "concession", ""),
        ("positions", "concession", f"?round__negotiation__id__exact={n}"),
        ("positions", "concession", f"?party__id__exact={party}"),
        ("positions", "plan", ""),
        ("positions", "planpoint", ""),
        ("positions", "pointlink", ""),
    ]
    found = [
        ("list", f"{model} list{query}", f"/admin/{app}/{model}/{query}")
        for app, model, query in lists
    ]
    found.append(
        (
            "page",
            f"round change page ({ids['round_rows']} demand rows)",
            f"/admin/negotiations/round/{ids['round']}/change/",
        )
    )
    return found


class Browser:
    """An HTTP client with a cookie jar that logs in through the admin's form."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> bytes:
        with self.opener.open(self.base + path, timeout=600) as response:
            redirected = response.url != self.base + path
            if response.status != 200 or (redirected and "/login/" in response.url):
                raise SystemExit(f"{path} answered {response.status} at {response.url}")
            return response.read()

    def login(self, username: str, password: str) -> None:
        form = self.get("/admin/login/").decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        data = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token,
                "username": username,
                "password": password,
                "next": "/admin/",
            }
        ).encode()
        request = urllib.request.Request(
            self.base + "/admin/login/",
            data=data,
            headers={"Referer": self.base + "/admin/login/"},
        )
        with self.opener.open(request, timeout=60) as response:
            if response.url.rstrip("/").endswith("/login"):
                raise SystemExit("The admin refused the bench superuser's login.")


def timed(browser: Browser, path: str, repeat: int) -> tuple[float, int]:
    """Median wall time in ms of fetching `path` whole, after one warm-up; and its size."""
    size = len(browser.get(path))
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        browser.get(path)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", PG))
    parser.add_argument("--negotiation", default="synthetic-050")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--port", type=int, default=PORT)
    parser.add_argument("--only", help="Measure only the cases whose name contains this.")
    parser.add_argument(
        "--source",
        type=Path,
        default=ROOT,
        help="Serve Parley from this checkout (with its own .venv), e.g. an older commit.",
    )
    args = parser.parse_args()
    source = args.source.resolve()

    password, ids = prepare(args.database_url, args.negotiation)
    env = {**parley_env(args.database_url), "SECURE_COOKIES": "0"}
    python = source / ".venv" / "bin" / "python" if source != ROOT else Path(sys.executable)
    subprocess.run(
        [str(python), str(source / "manage.py"), "collectstatic", "--noinput", "-v0"],
        env=env,
        cwd=source,
        check=True,
    )
    server = subprocess.Popen(
        gunicorn("negotiations.wsgi", args.port, {}, chdir=source),
        env=env,
        cwd=source,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(args.port)
        browser = Browser(f"http://127.0.0.1:{args.port}")
        browser.login(USERNAME, password)
        vendor = "PostgreSQL" if args.database_url.startswith("postgres") else "SQLite"
        print(
            f"{vendor}, {source}, negotiation {args.negotiation}; median of {args.repeat}; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
        print("| page | median ms | HTML KB | target | met |")
        print("| --- | --- | --- | --- | --- |")
        for kind, name, path in cases(ids):
            if args.only and args.only not in name:
                continue
            median, size = timed(browser, path, args.repeat)
            if kind == "list":
                target, met = f"< {LIST_MS} ms", median < LIST_MS
            else:
                target = f"< {PAGE_MS} ms, < {PAGE_BYTES // 1_000_000} MB"
                met = median < PAGE_MS and size < PAGE_BYTES
            print(
                f"| {name} | {median:,.0f} | {size / 1000:,.0f} | {target} | "
                f"{'yes' if met else '**no**'} |",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
