"""Parley beside Datasette and a raw-SQL floor, on one synthetic corpus, in one run.

    .venv/bin/pip install -e '.[bench]' && apt-get install -y wrk
    .venv/bin/python bench/side_by_side.py                    # 1,000,000 demands
    .venv/bin/python bench/side_by_side.py --negotiations 5   # a quick run (50,000 demands)

Builds the corpus once (manage.py generate_corpus; kept in PARLEY_CORPUS_DIR, default
bench/corpus/, and in the PostgreSQL database PARLEY_BENCH_PG), serves Parley under gunicorn
(one sync worker, DEBUG off, no throttling) on SQLite and on PostgreSQL, Datasette on the same
SQLite file and the floor (bench/floor.py) under the same gunicorn, drives each with `wrk`
over one connection and prints a table. Absolute numbers drift on a shared machine; the ratios
between servers measured in the same run are what count.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CORPUS = Path(os.environ.get("PARLEY_CORPUS_DIR", ROOT / "bench" / "corpus"))
PG = os.environ.get("PARLEY_BENCH_PG", "postgres://postgres@127.0.0.1:5432/parley_corpus")
# The Parley checkout to serve (--source: e.g. an older commit, with its own .venv).
SOURCE = ROOT
PORTS = {"parley": 8401, "parley-pg": 8402, "datasette": 8403, "floor": 8404}

DATASETTE_LIST = """
select d.id, d.text, d.priority, d.status, d.created_at, d.updated_at,
  n.slug as negotiation_slug, n.title as negotiation_title,
  p.slug as party_slug, p.name as party_name, p.short_name as party_short_name,
  i.slug as issue_slug, i.title as issue_title, i.category as issue_category,
  r.slug as round_slug, r.title as round_title, r.start_date as round_date,
  s.value as stance_value, s.label as stance_label,
  (select group_concat(src.slug, '; ') from positions_demand_sources ds
   join negotiations_source src on src.id = ds.source_id where ds.demand_id = d.id) as sources
from positions_demand d
join negotiations_round r on r.id = d.round_id
join negotiations_negotiation n on n.id = r.negotiation_id
join negotiations_party p on p.id = d.party_id
join negotiations_issue i on i.id = d.issue_id
left join negotiations_stance s on s.id = d.stance_id
where n.slug = :negotiation and p.slug = :party
order by r.start_date, r.sequence, d.id limit 100
"""


def build(database_url: str, sizes: list[str]) -> None:
    env = {**os.environ, "DATABASE_URL": database_url}
    manage = [str(BIN / "python"), str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    subprocess.run([*manage, "generate_corpus", *sizes], env=env, check=True)


def parley_env(database_url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-a-secret",
        "API_ANON_RATE": "1000000000/second",
        "LOG_LEVEL": "WARNING",
        "SECURE_SSL_REDIRECT": "0",  # served over plain HTTP on localhost
    }


def gunicorn(app: str, port: int, env: dict, chdir: Path = ROOT) -> list[str]:
    # Another checkout is served from its own virtualenv: an editable install of this one
    # would otherwise be imported in its place.
    venv = chdir / ".venv" / "bin"
    return [
        str(venv / "gunicorn" if chdir != ROOT and venv.exists() else BIN / "gunicorn"),
        app,
        "--chdir",
        str(chdir),
        "--workers=1",
        f"--bind=127.0.0.1:{port}",
        "--timeout=900",
    ]


@contextlib.contextmanager
def servers(sqlite_path: Path, with_pg: bool):
    sqlite_url = f"sqlite:///{sqlite_path}"
    metadata = Path(tempfile.mkdtemp()) / "metadata.json"
    metadata.write_text(
        json.dumps({"databases": {"parley": {"queries": {"demand_list": DATASETTE_LIST}}}})
    )
    commands = {
        "parley": (
            gunicorn("negotiations.wsgi", PORTS["parley"], {}, chdir=SOURCE),
            parley_env(sqlite_url),
        ),
        "datasette": (
            [
                str(BIN / "datasette"),
                "serve",
                "-i",
                str(sqlite_path),
                "--metadata",
                str(metadata),
                "-p",
                str(PORTS["datasette"]),
                "--setting",
                "sql_time_limit_ms",
                "600000",
                "--setting",
                "max_csv_mb",
                "0",
                "--setting",
                "max_returned_rows",
                "10000",
            ],
            os.environ.copy(),
        ),
        "floor": (
            gunicorn("floor:application", PORTS["floor"], {}, chdir=ROOT / "bench"),
            {**os.environ, "DATABASE": str(sqlite_path)},
        ),
    }
    if with_pg:
        commands["parley-pg"] = (
            gunicorn("negotiations.wsgi", PORTS["parley-pg"], {}),
            parley_env(PG),
        )
    processes = {}
    try:
        for name, (command, env) in commands.items():
            processes[name] = subprocess.Popen(
                command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        for name in processes:
            wait_until_up(PORTS[name])
        yield processes
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:  # Datasette still writing a dropped download
                process.kill()
                process.wait()


def wait_until_up(port: int) -> None:
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
            return
        except urllib.error.HTTPError:
            return  # answering, if only with a 404
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"Nothing answers on port {port}.")


def url(server: str, path: str) -> str:
    return f"http://127.0.0.1:{PORTS[server]}{path}"


def wrk(address: str, seconds: int) -> float:
    """Requests per second over one connection, as wrk measures it."""
    out = subprocess.run(
        ["wrk", "-t1", "-c1", f"-d{seconds}s", "--latency", "--timeout", "120s", address],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise SystemExit(f"{address} answered with errors:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def download(address: str, limit: int | None = None) -> tuple[int, float]:
    """Fetch a CSV whole (or its first `limit` rows); return its data rows and the seconds."""
    started = time.perf_counter()
    lines = 0
    with urllib.request.urlopen(address, timeout=900) as response:
        assert response.status == 200, address
        while chunk := response.read(1 << 16):
            lines += chunk.count(b"\n")
            if limit is not None and lines > limit:
                break
    return lines - 1, time.perf_counter() - started


def rows_per_second(address: str, repeat: int) -> float:
    timings = [download(address) for _ in range(repeat)]
    rows = timings[0][0]
    return rows / statistics.median(seconds for _, seconds in timings)


def worker_pid(process: subprocess.Popen) -> int:
    """The gunicorn worker (the master's only child), or the process itself (Datasette)."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    return int(children[0]) if children else process.pid


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024


def full_export(address: str, pid: int, limit: int | None) -> tuple[int, float, float]:
    """Download a whole-table CSV; return rows, rows/s and the worker's peak RSS growth (MB)."""
    before = rss_mb(pid)
    peak = [before]
    done = threading.Event()

    def sample():
        while not done.wait(0.1):
            peak[0] = max(peak[0], rss_mb(pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    rows, seconds = download(address, limit)
    done.set()
    sampler.join()
    return rows, rows / seconds, peak[0] - before


def pick_case(sqlite_path: Path) -> tuple[str, str, str, int, int]:
    """A negotiation in the middle of the corpus, one of its principals, its round id range."""
    db = sqlite3.connect(sqlite_path)
    (count,) = db.execute("select count(*) from negotiations_negotiation").fetchone()
    slug = f"synthetic-{count // 2:03d}"
    party = db.execute(
        "select p.slug from negotiations_participant x join negotiations_party p "
        "on p.id = x.party_id join negotiations_negotiation n on n.id = x.negotiation_id "
        'where n.slug = ? order by x."order" limit 1',
        (slug,),
    ).fetchone()[0]
    low, high = db.execute(
        "select min(r.id), max(r.id) from negotiations_round r join negotiations_negotiation n "
        "on n.id = r.negotiation_id where n.slug = ?",
        (slug,),
    ).fetchone()
    last = db.execute(
        "select r.slug from negotiations_round r join negotiations_negotiation n "
        "on n.id = r.negotiation_id where n.slug = ? order by r.start_date desc, r.sequence desc",
        (slug,),
    ).fetchone()[0]
    return slug, party, last, low, high


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--negotiations", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=10, help="wrk run per list measurement")
    parser.add_argument("--repeat", type=int, default=3, help="downloads per CSV (median)")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--no-full", action="store_true", help="skip the whole-table CSV")
    parser.add_argument(
        "--full-rows",
        type=int,
        help="read only the first N rows of the whole-table CSV (when all would take too long)",
    )
    parser.add_argument("--only-full", action="store_true", help="only the whole-table CSV")
    parser.add_argument(
        "--full-pg", action="store_true", help="the whole-table CSV on PostgreSQL too (slow)"
    )
    parser.add_argument(
        "--source", type=Path, default=ROOT, help="serve Parley from this checkout (before/after)"
    )
    args = parser.parse_args()
    globals()["SOURCE"] = args.source.resolve()

    CORPUS.mkdir(parents=True, exist_ok=True)
    sqlite_path = CORPUS / str(args.negotiations) / "parley.sqlite3"  # Datasette names it "parley"
    sqlite_path.parent.mkdir(exist_ok=True)
    sizes = ["--negotiations", str(args.negotiations)]
    build(f"sqlite:///{sqlite_path}", sizes)
    pg = PG if args.negotiations == 100 else f"{PG}_{args.negotiations}"
    if not args.no_pg:
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-U", "postgres", pg.rsplit("/", 1)[1]],
            stderr=subprocess.DEVNULL,
        )
        build(pg, sizes)
    globals()["PG"] = pg
    slug, party, last_round, low, high = pick_case(sqlite_path)
    print(f"Corpus: {sqlite_path}; case: {slug}, party {party}.", flush=True)

    list_path = f"/api/v1/demands/?negotiation={slug}&party={party}"
    csv_path = f"/api/v1/negotiations/{slug}/demands/?format=csv"
    parleys = ["parley"] + ([] if args.no_pg else ["parley-pg"])
    results: dict[str, dict[str, float | str]] = {}
    with servers(sqlite_path, with_pg=not args.no_pg) as processes:
        for name in [] if args.only_full else parleys:
            first = json.load(urllib.request.urlopen(url(name, list_path)))
            assert len(first["results"]) == 100, len(first["results"])
        if not args.only_full:
            rates = results.setdefault("list req/s", {})
            for name in parleys:
                rates[name] = wrk(url(name, list_path), args.seconds)
            rates["datasette"] = wrk(
                url("datasette", f"/parley/demand_list.json?negotiation={slug}&party={party}"),
                args.seconds,
            )
            rates["floor"] = wrk(
                url("floor", f"/demands?negotiation={slug}&party={party}"), args.seconds
            )
            print(rates, flush=True)

            one = results.setdefault("CSV one negotiation rows/s", {})
            for name in parleys:
                one[name] = rows_per_second(url(name, csv_path), args.repeat)
            one["datasette"] = rows_per_second(
                url(
                    "datasette",
                    f"/parley/positions_demand.csv?round_id__gte={low}&round_id__lte={high}"
                    "&_labels=on&_stream=on&_size=max",
                ),
                args.repeat,
            )
            one["floor"] = rows_per_second(
                url("floor", f"/demands.csv?negotiation={slug}"), args.repeat
            )
            print(one, flush=True)

            for view, path in (
                ("panel", f"/api/v1/negotiations/{slug}/panel/?format=csv"),
                ("changes", f"/api/v1/negotiations/{slug}/changes/?to={last_round}&format=csv"),
            ):
                row = results.setdefault(f"CSV {view} rows/s", {})
                for name in parleys:
                    row[name] = rows_per_second(url(name, path), args.repeat)
                row["datasette"] = one["datasette"]
                print(view, row, flush=True)

        if not args.no_full:
            full = results.setdefault("CSV all demands rows/s", {})
            memory = results.setdefault("CSV all demands: worker memory growth MB", {})
            for name in parleys if args.full_pg else ["parley"]:
                rows, rate, grown = full_export(
                    url(name, "/api/v1/demands/?format=csv"),
                    worker_pid(processes[name]),
                    args.full_rows,
                )
                full[name], memory[name] = rate, grown
                print(name, rows, "rows", flush=True)
            rows, rate, grown = full_export(
                url("datasette", "/parley/positions_demand.csv?_labels=on&_stream=on&_size=max"),
                worker_pid(processes["datasette"]),
                args.full_rows,
            )
            full["datasette"], memory["datasette"] = rate, grown
            print("datasette", rows, "rows", flush=True)
            print(full, memory, flush=True)

    print_table(results, parleys)


def print_table(results: dict, parleys: list[str]) -> None:
    columns = [*parleys, "datasette", "floor"]
    print()
    print("| work | " + " | ".join(columns) + " | Parley ÷ Datasette |")
    print("| --- |" + " --- |" * (len(columns) + 1))
    for work, row in results.items():
        cells = [f"{row[c]:,.1f}" if c in row else "" for c in columns]
        if "memory" in work:
            ratio = ""
        else:
            ratio = " / ".join(f"{row[name] / row['datasette']:.2f}×" for name in parleys)
        print(f"| {work} | " + " | ".join(cells) + f" | {ratio} |")


if __name__ == "__main__":
    main()
