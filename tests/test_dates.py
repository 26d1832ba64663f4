"""Fuzzy dates: stored at their first day, displayed as a reader would say them."""

import datetime

import pytest

from negotiations.dates import (
    anchor_date,
    describe_date,
    parse_date_words,
    understood_date,
    validate_fuzzy_date,
)

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


# --- dates typed in words ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "words, stored, precision, part",
    [
        ("February 2026", datetime.date(2026, 2, 1), "month", ""),
        ("late spring 2025", datetime.date(2025, 5, 1), "season", "late"),
        ("2025", datetime.date(2025, 1, 1), "year", ""),
        ("24 Jan 2026", datetime.date(2026, 1, 24), "day", ""),
        ("January 24, 2026", datetime.date(2026, 1, 24), "day", ""),
        ("mid-March 2025", datetime.date(2025, 3, 11), "month", "mid"),
        ("Late  March 2025", datetime.date(2025, 3, 21), "month", "late"),
        ("first half of 2025", datetime.date(2025, 1, 1), "half", ""),
        ("second half of 2025", datetime.date(2025, 7, 1), "half", ""),
        ("fall 2025", datetime.date(2025, 9, 1), "season", ""),
        ("winter 2025", datetime.date(2025, 1, 1), "season", ""),
        ("Sept 2025", datetime.date(2025, 9, 1), "month", ""),
        ("2026-02-14", datetime.date(2026, 2, 14), "day", ""),
    ],
)
def test_dates_in_words_fill_date_precision_and_part(words, stored, precision, part):
    worded = parse_date_words(words)

    assert (worded.start_date, worded.precision, worded.part) == (stored, precision, part)
    # What is stored passes the same checks as a date entered in its three fields.
    validate_fuzzy_date(worded.start_date, worded.precision, worded.part)


def test_reading_of_words_is_shown_as_readers_will_read_it():
    assert parse_date_words("late spring 2025").explained == (
        "Read as late spring 2025: stored as 1 May 2025, precision season, late."
    )


@pytest.mark.parametrize(
    "words, says",
    [
        ("soon", "is not a date Parley can read"),
        ("31 February 2026", "There is no such day"),
        ("early winter 2025", "Parts of a winter are not distinguished"),
        ("Brumaire 2025", "is neither a month nor a season"),
    ],
)
def test_words_that_are_not_a_date_are_refused_saying_what_to_write(words, says):
    with pytest.raises(ValueError, match=says):
        parse_date_words(words)


@pytest.mark.parametrize(
    "typed, precision, part, stored",
    [
        (datetime.date(2026, 2, 14), "month", "", datetime.date(2026, 2, 1)),
        (datetime.date(2026, 2, 14), "month", "mid", datetime.date(2026, 2, 11)),
        (datetime.date(2026, 2, 25), "month", "early", datetime.date(2026, 2, 25)),  # refused
        (datetime.date(2025, 5, 14), "season", "late", datetime.date(2025, 5, 1)),
        (datetime.date(2025, 9, 14), "half", "", datetime.date(2025, 7, 1)),
        (datetime.date(2025, 9, 14), "year", "", datetime.date(2025, 1, 1)),
        (datetime.date(2025, 9, 14), "day", "", datetime.date(2025, 9, 14)),
    ],
)
def test_a_day_typed_with_a_coarser_precision_is_understood_as_its_period(
    typed, precision, part, stored
):
    assert understood_date(typed, precision, part) == stored
