"""Fuzzy dates: stored at their first day, displayed as a reader would say them."""

import datetime

import pytest

from negotiations.dates import anchor_date, describe_date

D = datetime.date


@pytest.mark.parametrize(
    ("stored", "precision", "part", "end", "shown"),
    [
        (D(2026, 1, 24), "day", "", None, "24 January 2026"),
        (D(2025, 3, 11), "month", "mid", None, "mid-March 2025"),
        (D(2025, 11, 21), "month", "late", None, "late November 2025"),
        (D(2025, 5, 1), "season", "late", None, "late spring 2025"),
        (D(2025, 1, 1), "season", "", None, "winter 2025"),
        (D(2025, 9, 1), "season", "", None, "autumn 2025"),
        (D(2025, 1, 1), "half", "", None, "first half of 2025"),
        (D(2025, 1, 1), "year", "", None, "2025"),
        (D(2025, 11, 1), "month", "", D(2025, 12, 1), "November–December 2025"),
        (D(2025, 8, 15), "day", "", D(2025, 8, 16), "15–16 August 2025"),
        (None, "day", "", None, "undated"),
    ],
)
def test_dates_read_as_people_say_them(stored, precision, part, end, shown):
    assert describe_date(stored, precision, part, end) == shown


def test_anchor_places_parts_of_a_period_in_order():
    early, mid, late = (
        anchor_date(year=2025, precision="season", season="spring", part=p)
        for p in ("early", "mid", "late")
    )
    assert early < mid < late == D(2025, 5, 1)
    assert anchor_date(year=2025, precision="month", month=3, part="mid") == D(2025, 3, 11)


def test_unknown_season_is_refused_with_its_name():
    with pytest.raises(ValueError, match="monsoon"):
        anchor_date(year=2025, precision="season", season="monsoon")
