"""PostgreSQL restarts under load: Parley recovers at once and loses no acknowledged write.

The test never touches the PostgreSQL the rest of the suite uses (others may be running on it):
it creates a throwaway cluster of its own with `initdb` in a temporary folder, on a free port
(or PARLEY_FAULT_PG_PORT), serves Parley from it under gunicorn with production settings, drives
reads and writes through the API from several threads, and restarts that cluster in the middle.
Connection handling that makes this pass is described in docs/deployment.md ("Database
connections"). It runs whenever the suite runs on PostgreSQL (DATABASE_URL=postgres://…), as CI's
PostgreSQL run does; on SQLite there is no server to restart and it is skipped with that reason.
"""

import contextlib
import http.client
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "f" * 40
RECOVERY_SECONDS = 2.0

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="the PostgreSQL restart test needs DATABASE_URL=postgres://… (this run uses SQLite)",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bin() -> Path:
    """The newest installed PostgreSQL's programs (Debian keeps them out of PATH)."""
    if os.environ.get("PARLEY_FAULT_PG_BIN"):
        return Path(os.environ["PARLEY_FAULT_PG_BIN"])
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not versions:
        pytest.fail("no PostgreSQL server programs found (apt-get install postgresql)")
    return versions[-1].parent


class Cluster:
    """A PostgreSQL cluster of the test's own, in a temporary folder, owned by `postgres`."""

    def __init__(self, port: int):
        self.port = port
        self.bin = postgres_bin()
        self.folder = Path(tempfile.mkdtemp(prefix="parley-faults-"))
        self.data = self.folder / "data"
        # initdb and pg_ctl refuse to run as root; CI and these machines run tests as root.
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_owner:
            owner = pwd.getpwnam("postgres")
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)

    def run(self, program: str, *args: str) -> None:
        subprocess.run(
            [*self.as_owner, str(self.bin / program), *args],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def pg_ctl(self, action: str, *args: str) -> None:
        self.run("pg_ctl", action, "-D", str(self.data), "-w", "-t", "60", *args)

    def create(self) -> None:
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        options = f"-c port={self.port} -c listen_addresses=127.0.0.1 -k {self.folder}"
        self.pg_ctl("start", "-o", options, "-l", str(self.folder / "server.log"))
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "parley")

    def restart(self) -> None:
        self.pg_ctl("restart", "-m", "fast", "-l", str(self.folder / "server.log"))

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/parley"


@pytest.fixture(scope="module")
def cluster():
    port = int(os.environ.get("PARLEY_FAULT_PG_PORT") or free_port())
    if port == 5432:
        pytest.fail("PARLEY_FAULT_PG_PORT must not be the shared server's port 5432")
    cluster = Cluster(port)
    try:
        cluster.create()
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture(scope="module")
def server(cluster):
    """Parley under gunicorn as production runs it (DEBUG=0, persistent connections)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_"))}
    env.update(
        DEBUG="0",
        SECRET_KEY="fault-test-key-" + "k" * 40,
        ALLOWED_HOSTS="parley.example",
        DATABASE_URL=cluster.url,
        DJANGO_SUPERUSER_PASSWORD="a long password for the fault test",
    )
    env.pop("CONN_MAX_AGE", None)

    def manage(*args):
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
        )

    manage("migrate", "--noinput")
    manage("createsuperuser", "--noinput", "--username", "writer", "--email", "w@parley.example")
    manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import User;"
        "from rest_framework.authtoken.models import Token;"
        f"Token.objects.create(user=User.objects.get(username='writer'), key='{TOKEN}')",
    )
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "negotiations.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "2",
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while call(port, "GET", "/healthz").status != 200:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=15)


@dataclass
class Answer:
    status: int
    body: bytes = b""


def call(port, method, path, body=None) -> Answer:
    headers = {
        "Host": "parley.example",
        "X-Forwarded-Proto": "https",  # as the TLS proxy in front sets it
        "Authorization": f"Token {TOKEN}",
        "Accept": "application/json",
    }
    if body is not None:
        headers["Content-Type"] = "application/json"
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request(method, path, body=json.dumps(body) if body else None, headers=headers)
        response = connection.getresponse()
        answer = Answer(response.status, response.read())
        connection.close()
        return answer
    except OSError:
        return Answer(0)


@dataclass
class Outcome:
    started: float
    ended: float
    kind: str
    status: int
    slug: str = ""


def drive(port, stop: threading.Event, outcomes: list, kind: str, worker: int):
    n = 0
    while not stop.is_set():
        n += 1
        started = time.monotonic()
        if kind == "write":
            slug = f"party-{worker}-{n}"
            answer = call(
                port,
                "POST",
                "/api/v1/parties/",
                {"slug": slug, "name": f"Party {worker} {n}", "short_name": f"P{worker}{n}"},
            )
        else:
            slug = ""
            answer = call(port, "GET", "/api/v1/parties/?ordering=slug")
        outcomes.append(Outcome(started, time.monotonic(), kind, answer.status, slug))
        time.sleep(0.02)


def test_postgres_restart_under_load_recovers_within_two_seconds_and_loses_no_write(
    cluster, server
):
    outcomes: list[Outcome] = []
    stop = threading.Event()
    threads = [
        threading.Thread(target=drive, args=(server, stop, outcomes, kind, worker))
        for worker, kind in enumerate(["write", "write", "read", "read"])
    ]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    restart_began = time.monotonic()
    cluster.restart()
    restarted = time.monotonic()  # pg_ctl -w returns once the server accepts connections
    time.sleep(RECOVERY_SECONDS + 2.0)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)

    before = [o for o in outcomes if o.ended < restart_began]
    assert before and all(o.status in (200, 201) for o in before), "load failed before restart"

    # Every request that began more than two seconds after the server was back succeeded.
    late = [o for o in outcomes if o.started >= restarted + RECOVERY_SECONDS]
    assert {o.kind for o in late} == {"read", "write"}
    failures = [
        (o.kind, o.status, round(o.started - restarted, 2))
        for o in late
        if o.status not in (200, 201)
    ]
    assert failures == []
    # And the first success came well before that: health checks reconnect at once.
    first_success = min(
        o.ended for o in outcomes if o.started >= restarted and o.status in (200, 201)
    )
    after = [o for o in outcomes if o.started >= restarted]
    print(
        f"\n{sum(o.status not in (200, 201) for o in after)} of {len(after)} requests begun "
        "after the restart failed; "
        f"restart took {restarted - restart_began:.2f} s; first success "
        f"{first_success - restarted:.2f} s after; "
        f"{sum(o.status not in (200, 201) for o in outcomes)} of {len(outcomes)} "
        "requests failed during the restart"
    )
    assert first_success - restarted <= RECOVERY_SECONDS

    acknowledged = {o.slug for o in outcomes if o.kind == "write" and o.status == 201}
    assert len(acknowledged) > 20
    stored = subprocess.run(
        [
            *cluster.as_owner,
            str(cluster.bin / "psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(cluster.port),
            "-U",
            "postgres",
            "-d",
            "parley",
            "-At",
            "-c",
            "SELECT slug FROM negotiations_party",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert acknowledged - set(stored) == set()


def burst(port, n=24) -> list[int]:
    """n reads at once, so that every gunicorn thread (and its connection) serves some."""
    statuses = []
    threads = [
        threading.Thread(
            target=lambda: statuses.append(call(port, "GET", "/api/v1/parties/").status)
        )
        for _ in range(n)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return statuses


def test_connections_left_idle_across_a_restart_do_not_fail_the_next_requests(cluster, server):
    """Persistent connections outlive a quiet restart (a failover at night): the health check
    finds each one dead before its first use and reconnects, so no reader sees an error."""
    assert set(burst(server)) == {200}
    cluster.restart()
    assert burst(server) == [200] * 24
