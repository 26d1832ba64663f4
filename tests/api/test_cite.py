"""Citing: one citation record as text, BibTeX and CSL-JSON, for the moving head or a release.

A release here is a plain value (tag, date, note, negotiation), as negotiations/releases.py will
hand the cite action one; the formats are checked by parsing them.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass

import pytest

from negotiations.api.citation import citation
from negotiations.models import Negotiation

TALKS = "/api/v1/negotiations/test-talks"
ACCESSED = datetime.date(2026, 3, 1)
VERSION = datetime.datetime(2026, 2, 20, 9, 30, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Release:
    tag: str
    date: datetime.date
    note: str
    negotiation: Negotiation


def parse_bibtex(text: str) -> tuple[str, str, dict[str, str]]:
    """Parse one entry strictly: @type{key, then name = {value} fields with balanced braces."""
    match = re.fullmatch(r"@(\w+)\{([^,\s]+),\n(.*)\n\}", text, flags=re.S)
    assert match, text
    kind, key, body = match.groups()
    fields = {}
    for line in body.split(",\n"):
        field = re.fullmatch(r"  (\w+) = \{(.*)\}", line, flags=re.S)
        assert field, line
        name, value = field.groups()
        depth = 0
        for char in re.sub(r"\\[{}]", "", value):
            depth += {"{": 1, "}": -1}.get(char, 0)
            assert depth >= 0, line
        assert depth == 0, line
        assert name not in fields
        fields[name] = value
    return kind, key, fields


def check_csl(items: list[dict]) -> dict:
    [item] = items
    for required in ("id", "type", "title", "issued", "URL", "version", "author", "accessed"):
        assert item.get(required), required
    assert item["type"] == "dataset"
    [[year, month, day]] = item["issued"]["date-parts"]
    datetime.date(year, month, day)
    return item


def cite(negotiation, **kwargs):
    return citation(
        negotiation=negotiation,
        version=VERSION,
        address="https://parley.example/talks/",
        accessed=ACCESSED,
        **kwargs,
    )


@pytest.mark.django_db
def test_a_release_is_cited_by_tag_address_and_date(talks):
    release = Release("2026.02", datetime.date(2026, 2, 1), "February", talks.negotiation)
    cited = cite(talks.negotiation, release=release, latest_release=release)
    assert cited["moving_head"] is False
    assert cited["release_url"] == "https://parley.example/talks/?release=2026.02"
    assert "2026.02" in cited["citation"] and cited["release_url"] in cited["citation"]
    kind, key, fields = parse_bibtex(cited["bibtex"])
    assert (kind, key) == ("misc", "parley-test-talks-2026.02")
    assert fields["version"] == "2026.02"
    assert fields["date"] == "2026-02-01" and fields["urldate"] == "2026-03-01"
    assert fields["url"] == cited["release_url"]
    item = check_csl(cited["csl_json"])
    assert item["issued"]["date-parts"] == [[2026, 2, 1]]
    assert item["URL"] == cited["release_url"] and item["version"] == "2026.02"


@pytest.mark.django_db
def test_the_head_is_a_moving_head_that_names_the_latest_release(talks):
    latest = Release("2026.02", datetime.date(2026, 2, 1), "", talks.negotiation)
    cited = cite(talks.negotiation, latest_release=latest)
    assert cited["moving_head"] is True and cited["release"] is None
    assert cited["latest_release"] == "2026.02"
    assert "moving head" in cited["statement"] and VERSION.isoformat() in cited["statement"]
    assert "https://parley.example/talks/?release=2026.02" in cited["statement"]
    assert "latest release 2026.02" in cited["citation"]
    _, _, fields = parse_bibtex(cited["bibtex"])
    assert fields["version"] == VERSION.isoformat()
    assert check_csl(cited["csl_json"])["issued"]["date-parts"] == [[2026, 2, 20]]
    alone = cite(talks.negotiation)
    assert alone["latest_release"] is None and "No release has been cut yet" in alone["statement"]


@pytest.mark.django_db
def test_bibtex_escapes_what_it_would_read_as_markup(talks):
    talks.negotiation.title = "Talks {draft} 100% & more_#1"
    _, _, fields = parse_bibtex(cite(talks.negotiation)["bibtex"])
    assert fields["title"] == r"Talks \{draft\} 100\% \& more\_\#1"


@pytest.mark.django_db
def test_cite_answers_json_bibtex_and_csl_json(api, talks):
    payload = api.get(f"{TALKS}/cite/").json()
    assert payload["moving_head"] is True and payload["latest_release"] is None
    check_csl(payload["csl_json"])
    bibtex = api.get(f"{TALKS}/cite/", {"format": "bibtex"})
    assert bibtex["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert bibtex.content.decode().strip() == payload["bibtex"]
    parse_bibtex(payload["bibtex"])
    csl = api.get(f"{TALKS}/cite/", HTTP_ACCEPT="application/vnd.citationstyles.csl+json")
    assert csl["Content-Type"].startswith("application/vnd.citationstyles.csl+json")
    assert json.loads(csl.content) == payload["csl_json"]
    refused = api.get(f"{TALKS}/cite/", {"format": "ris"})
    assert refused.status_code == 400 and "bibtex" in refused.json()["format"][0]


@pytest.mark.django_db
def test_a_negotiation_page_offers_its_citation_as_bibtex_and_csl_json(client, talks):
    from bs4 import BeautifulSoup

    page = BeautifulSoup(client.get("/test-talks/").content, "html.parser")
    links = {a.get_text(): a["href"] for a in page.select(".page-tools a.cite-format")}
    assert links == {
        "BibTeX": f"{TALKS}/cite/?format=bibtex",
        "CSL-JSON": f"{TALKS}/cite/?format=csl-json",
    }
    kind, _, fields = parse_bibtex(client.get(links["BibTeX"]).content.decode().strip())
    assert kind == "misc" and fields["title"] == "Test talks"
    check_csl(json.loads(client.get(links["CSL-JSON"]).content))
