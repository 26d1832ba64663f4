"""The shipped dataset and its plans file, loaded twice: the second load changes nothing.

The two files share sources by slug; a source defined in both with different words would be
rewritten on every load, each file undoing the other (docs/dataset.md, docs/plans.md).
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def load() -> str:
    out = StringIO()
    call_command("load_dataset", "russia-ukraine-2025", stdout=out)
    return out.getvalue()


def test_loading_the_shipped_dataset_twice_changes_nothing_the_second_time():
    first = load()
    assert re.search(r"plans: [1-9]\d* created", first)
    second = load()
    counts = re.findall(r"(\d+) (created|updated|deleted)", second)
    assert counts, second
    assert all(number == "0" for number, _ in counts), second
    assert "0 removed this time" in second
