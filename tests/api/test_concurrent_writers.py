"""Twenty writers at once on one demand: one wins each version, the rest get 412, nothing is lost.

Each writer is a thread with its own HTTP connection and token, talking to the live server (a
threaded server, one database connection per request), all released together by a barrier
with the same If-Match. The losers retry with the ETag their 412 carried until every writer's
change is in; the demand's history must then hold each acknowledged change once, in the order
the API acknowledged them. PostgreSQL only: that is where requests truly run side by side
(SQLite serialises every writer on its one database lock; tests/api/test_preconditions.py
covers the rules there).
"""

import http.client
import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group, User
from rest_framework.authtoken.models import Token

from positions.models import Demand

WRITERS = 20

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="concurrent writers need DATABASE_URL=postgres://… (SQLite serialises all writers; "
    "this run uses SQLite)",
)


@dataclass
class Answer:
    writer: int
    status: int
    etag: str | None
    body: dict


def patch(base: str, path: str, token: str, writer: int, etag: str, barrier) -> Answer:
    """PATCH the demand's text as `writer`, on a connection of the writer's own."""
    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    try:
        connection.connect()
        barrier.wait(timeout=60)  # everyone sends at the same moment
        connection.request(
            "PATCH",
            path,
            body=json.dumps({"text": f"Text of writer {writer}"}),
            headers={
                "Authorization": f"Token {token}",
                "Content-Type": "application/json",
                "If-Match": etag,
            },
        )
        response = connection.getresponse()
        return Answer(writer, response.status, response.getheader("ETag"), json.load(response))
    finally:
        connection.close()


def test_twenty_writers_one_wins_each_version_and_no_acknowledged_change_is_lost(
    live_server, talks
):
    analysts = Group.objects.get(name="Analyst")
    tokens = {}
    for writer in range(WRITERS):
        user = User.objects.create_user(f"writer{writer}", is_staff=True)
        user.groups.add(analysts)
        tokens[writer] = Token.objects.create(user=user).key
    demand = talks.demand(talks.north, talks.border, talks.r1)
    path = f"/api/v1/negotiations/test-talks/demands/{demand.pk}/"
    connection = http.client.HTTPConnection(
        urlsplit(live_server.url).hostname, urlsplit(live_server.url).port, timeout=60
    )
    connection.request("GET", path)
    first = connection.getresponse()
    first.read()
    etags = dict.fromkeys(range(WRITERS), first.getheader("ETag"))

    acknowledged: list[str] = []
    waiting = set(range(WRITERS))
    while waiting:
        barrier = threading.Barrier(len(waiting))
        with ThreadPoolExecutor(max_workers=len(waiting)) as pool:
            answers = list(
                pool.map(
                    lambda w, barrier=barrier: patch(
                        live_server.url, path, tokens[w], w, etags[w], barrier
                    ),
                    sorted(waiting),
                )
            )
        # All started from one version: exactly one wins it, every other gets 412.
        winners = [answer for answer in answers if answer.status == 200]
        losers = [answer for answer in answers if answer.status != 200]
        assert len(winners) == 1, [(a.writer, a.status, a.body) for a in answers]
        assert {answer.status for answer in losers} <= {412}
        (winner,) = winners
        assert winner.body["text"] == f"Text of writer {winner.writer}"
        acknowledged.append(winner.body["text"])
        for loser in losers:
            # The 412 names the winner's version and shows its change.
            assert loser.etag == winner.etag
            assert loser.body["current"]["text"] == winner.body["text"]
            etags[loser.writer] = loser.etag  # retry from what the 412 said
        waiting.remove(winner.writer)

    assert len(acknowledged) == WRITERS
    history = list(
        Demand.history.filter(id=demand.pk)
        .order_by("history_date", "history_id")
        .values_list("text", flat=True)
    )
    # The version it started from, then every acknowledged change once, in the order acknowledged.
    assert history[1:] == acknowledged
    assert sorted(acknowledged) == sorted(f"Text of writer {w}" for w in range(WRITERS))
    demand.refresh_from_db()
    assert demand.text == acknowledged[-1]
