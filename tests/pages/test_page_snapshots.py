"""The overview, compare and issue pages of the shipped dataset, exactly as recorded.

The repeated pieces of these pages are built by Python tags for speed (docs/performance.md,
"Pages"); this holds the HTML a reader gets to what the templates gave before, so a faster
tag cannot quietly drop a link, a class or a word. Whitespace between tags, the CSP nonce,
database ids (which depend on load order) and the day the data was loaded (the citations'
"Data as of …", which is the test run's day) are the only things ignored.

What is recorded is a digest of each page per database (the two order undated sources
differently), in page_digests.json. After a deliberate change to these pages, record them again
on both databases; PARLEY_SNAPSHOT_DIR=<dir> also writes each page's HTML there, so the HTML
before and after a change can be diffed:
    PARLEY_RECORD_SNAPSHOTS=1 .venv/bin/pytest tests/pages/test_page_snapshots.py
"""

import hashlib
import json
import os
import re
from pathlib import Path

import pytest
from django.db import connection

from negotiations.models import Round

pytestmark = pytest.mark.django_db

DIGESTS = Path(__file__).parent / "page_digests.json"
N = "/russia-ukraine-2025"
_BETWEEN_TAGS = re.compile(r">\s+<")
_NONCE = re.compile(r' nonce="[^"]*"')
_IDS = re.compile(r"\b(demand|statement|concession|correction)-\d+\b")
_LOADED_ON = re.compile(r"Data as of \d{1,2} [A-Z][a-z]+ \d{4}")


def normalised(html: str) -> str:
    html = _NONCE.sub("", html)
    html = _IDS.sub(r"\1-N", html)
    html = _LOADED_ON.sub("Data as of (the day of loading)", html)
    return _BETWEEN_TAGS.sub("><", html).strip() + "\n"


def page_urls(negotiation) -> list[str]:
    rounds = list(Round.objects.filter(negotiation=negotiation).chronological())
    urls = [f"{N}/"]
    for earlier, later in zip(rounds, rounds[1:], strict=False):
        urls.append(f"{N}/compare/{earlier.slug}/{later.slug}/")
    urls.append(f"{N}/compare/{rounds[0].slug}/{rounds[-1].slug}/")
    urls.append(f"{N}/compare/{rounds[0].slug}/{rounds[-1].slug}/?only=changes")
    urls += [f"{N}/issues/{issue.slug}/" for issue in negotiation.issues.order_by("order")]
    return urls


def test_pages_render_the_recorded_html(client, dataset):
    record = os.environ.get("PARLEY_RECORD_SNAPSHOTS") == "1"
    html_dir = os.environ.get("PARLEY_SNAPSHOT_DIR")
    recorded = json.loads(DIGESTS.read_text()) if DIGESTS.exists() else {}
    expected = recorded.get(connection.vendor, {})
    digests, differing = {}, []
    for url in page_urls(dataset):
        response = client.get(url)
        assert response.status_code == 200, url
        html = normalised(response.content.decode())
        digests[url] = hashlib.sha256(html.encode()).hexdigest()
        if html_dir:
            name = url.strip("/").replace("/", "__").replace("?", "--").replace("=", "-")
            Path(html_dir, f"{name}.html").write_text(html)
        if digests[url] != expected.get(url):
            differing.append(url)
    if record:
        recorded[connection.vendor] = digests
        DIGESTS.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n")
    else:
        assert not differing, f"HTML differs from the recorded pages for: {differing}"
