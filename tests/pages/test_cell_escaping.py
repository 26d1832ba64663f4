"""Words typed into the record show as words in the cells the Python tags build.

The matrix, comparison and issue-table cells build their HTML in positions/templatetags
(docs/performance.md, "Pages") rather than in templates that escape by default; a party name,
a demand's wording, a concession's conditions or an outlet holding markup must reach the
reader as text, never as elements.
"""

import pytest

from negotiations.models import Party, Source
from positions.models import Concession, Demand
from tests.pages.conftest import fetch, text_of

pytestmark = pytest.mark.django_db

NAME = 'North<b>land</b> & "Co"'
WORDING = "All of it <script>alert(1)</script>"
CONDITIONS = "If <i>south</i> recognises the line"
OUTLET = "Daily <em>Wire</em>"


@pytest.fixture
def marked_up(talks):
    Party.objects.filter(pk=talks.north.pk).update(name=NAME)
    Demand.objects.filter(party=talks.north, round=talks.r4).update(text=WORDING)
    Concession.objects.filter(party=talks.north).update(conditions=CONDITIONS)
    Source.objects.update(outlet=OUTLET)
    return talks


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("/test-talks/", [NAME, OUTLET]),
        ("/test-talks/compare/r1/r4/", [NAME, "<script>alert(1)</script>", CONDITIONS, OUTLET]),
        ("/test-talks/issues/border/", [NAME, "<script>alert(1)</script>", CONDITIONS, OUTLET]),
    ],
)
def test_markup_in_the_record_reads_as_text(client, marked_up, url, shown):
    main = fetch(client, url).select_one("main")
    assert not main.select("b, i, em, script"), "text from the record became markup"
    words = text_of(main)
    for text in shown:
        assert text in words
