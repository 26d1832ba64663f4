"""The floor: the same rows as Parley's demand list and CSV, by raw SQL and orjson, no framework.

A WSGI app served under the same gunicorn as Parley, so the bench shows what the hardware and
SQLite allow at all. Not part of Parley; DATABASE (a SQLite path) names the corpus.

    /demands?negotiation=SLUG&party=SLUG   first 100 demands as JSON, nested as Parley nests them
    /demands.csv?negotiation=SLUG          every demand of the negotiation as CSV, streamed
"""

import csv
import io
import os
import sqlite3
from urllib.parse import parse_qs

import orjson

connection = sqlite3.connect(os.environ["DATABASE"], check_same_thread=False)

SELECT = """
select d.id, d.text, d.priority, d.status, d.created_at, d.updated_at,
  n.slug, n.title, p.slug, p.name, p.short_name, i.slug, i.title, i.category,
  r.slug, r.title, r.start_date, s.value, s.label,
  (select group_concat(src.slug, '; ') from positions_demand_sources ds
   join negotiations_source src on src.id = ds.source_id where ds.demand_id = d.id)
from positions_demand d
join negotiations_round r on r.id = d.round_id
join negotiations_negotiation n on n.id = r.negotiation_id
join negotiations_party p on p.id = d.party_id
join negotiations_issue i on i.id = d.issue_id
left join negotiations_stance s on s.id = d.stance_id
"""
API = "http://127.0.0.1/api/v1"


def demand(row) -> dict:
    (id, text, priority, status, created, updated, nslug, ntitle, pslug, pname, pshort) = row[:11]
    islug, ititle, icategory, rslug, rtitle, rdate, svalue, slabel, sources = row[11:]
    negotiation = f"{API}/negotiations/{nslug}"
    return {
        "id": id,
        "negotiation": {"slug": nslug, "title": ntitle, "url": f"{negotiation}/"},
        "party": {"slug": pslug, "name": pname, "short_name": pshort, "url": f"{API}/{pslug}/"},
        "issue": {"slug": islug, "title": ititle, "category": icategory, "url": islug},
        "round": {"slug": rslug, "title": rtitle, "date": rdate, "url": f"{negotiation}/{rslug}/"},
        "stance": None if svalue is None else {"value": svalue, "label": slabel},
        "text": text,
        "priority": priority,
        "status": status,
        "sources": [{"slug": slug} for slug in (sources or "").split("; ")],
        "created_at": created,
        "updated_at": updated,
        "url": f"{negotiation}/demands/{id}/",
    }


def application(environ, start_response):
    query = {key: values[0] for key, values in parse_qs(environ["QUERY_STRING"]).items()}
    path = environ["PATH_INFO"]
    if path == "/demands":
        rows = connection.execute(
            SELECT + " where n.slug = ? and p.slug = ? order by r.start_date, r.sequence, d.id "
            "limit 100",
            (query["negotiation"], query["party"]),
        )
        body = orjson.dumps({"results": [demand(row) for row in rows]})
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]
    if path == "/demands.csv":
        rows = connection.execute(
            SELECT + " where n.slug = ? order by r.start_date, r.sequence, d.id",
            (query["negotiation"],),
        )
        start_response("200 OK", [("Content-Type", "text/csv")])
        return stream_csv(rows)
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"not found"]


def stream_csv(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    while batch := rows.fetchmany(1000):
        writer.writerows(batch)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
