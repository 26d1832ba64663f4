"""Dates that carry their precision: "late spring 2025" is stored as such, not as a made-up day.

A fuzzy date is (date, precision, part). `date` is the first day the statement can mean and is
what rounds sort by; see docs/dates.md for the anchoring rules (seasons, parts of a period).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models


class DatePrecision(models.TextChoices):
    DAY = "day", "day"
    MONTH = "month", "month"
    SEASON = "season", "season"
    HALF = "half", "half-year"
    YEAR = "year", "year"


class DatePart(models.TextChoices):
    WHOLE = "", "whole period"
    EARLY = "early", "early"
    MID = "mid", "mid"
    LATE = "late", "late"


def part_of_month_or_season(name: str) -> models.CheckConstraint:
    """Return the constraint that early, mid and late qualify only a month or a season.

    One rule for every model with a fuzzy date (`date_precision` and `date_part`): rounds, plans.
    """
    return models.CheckConstraint(
        condition=models.Q(date_part="")
        | models.Q(date_precision__in=[DatePrecision.MONTH, DatePrecision.SEASON]),
        name=name,
        violation_error_message="Early, mid and late apply only to a month or a season.",
    )


# Seasons of the northern meteorological calendar; "winter 2025" is its January-February part
# (the article's winter of 2025 follows the January inauguration).
SEASON_OF_MONTH = {
    1: "winter",
    2: "winter",
    3: "spring",
    4: "spring",
    5: "spring",
    6: "summer",
    7: "summer",
    8: "summer",
    9: "autumn",
    10: "autumn",
    11: "autumn",
    12: "winter",
}
# First day of early / mid / late within a month, and first month offset within a season.
MONTH_PART_DAYS = {DatePart.WHOLE: 1, DatePart.EARLY: 1, DatePart.MID: 11, DatePart.LATE: 21}
SEASON_PART_OFFSET = {DatePart.WHOLE: 0, DatePart.EARLY: 0, DatePart.MID: 1, DatePart.LATE: 2}
SEASON_FIRST_MONTH = {"winter": 1, "spring": 3, "summer": 6, "autumn": 9}


def anchor_date(
    *, year: int, precision: str, month: int = 1, day: int = 1, season: str = "", part: str = ""
) -> datetime.date:
    """Return the stored date for a period, e.g. (2025, season, "spring", late) -> 2025-05-01."""
    if precision == DatePrecision.DAY:
        return datetime.date(year, month, day)
    if precision == DatePrecision.MONTH:
        return datetime.date(year, month, MONTH_PART_DAYS[DatePart(part)])
    if precision == DatePrecision.SEASON:
        if season not in SEASON_FIRST_MONTH:
            raise ValueError(f"Unknown season {season!r}: use winter, spring, summer or autumn.")
        offset = 0 if season == "winter" else SEASON_PART_OFFSET[DatePart(part)]
        return datetime.date(year, SEASON_FIRST_MONTH[season] + offset, 1)
    if precision == DatePrecision.HALF:
        return datetime.date(year, 1 if month <= 6 else 7, 1)
    return datetime.date(year, 1, 1)


def validate_fuzzy_date(date: datetime.date | None, precision: str, part: str) -> None:
    """Refuse a date that claims more than its precision, e.g. 14 March with precision "month"."""
    if date is None:
        return
    if part and precision not in (DatePrecision.MONTH, DatePrecision.SEASON):
        raise ValidationError(
            {"date_part": "Early, mid and late apply only to a month or a season."}
        )
    if precision == DatePrecision.MONTH and date.day != MONTH_PART_DAYS[DatePart(part)]:
        expected = MONTH_PART_DAYS[DatePart(part)]
        raise ValidationError(
            {"start_date": f"A {part or 'whole'}-month date is stored as day {expected}."}
        )
    if precision == DatePrecision.SEASON and date.day != 1:
        raise ValidationError({"start_date": "A season is stored as the first day of a month."})
    if precision == DatePrecision.HALF and (date.day, date.month) not in ((1, 1), (1, 7)):
        raise ValidationError({"start_date": "A half-year is stored as 1 January or 1 July."})
    if precision == DatePrecision.YEAR and (date.day, date.month) != (1, 1):
        raise ValidationError({"start_date": "A year is stored as 1 January."})


def describe_date(
    date: datetime.date | None, precision: str, part: str = "", end: datetime.date | None = None
) -> str:
    """Return a reader's wording of a fuzzy date or period: "mid-March 2025", "late spring 2025"."""
    if date is None:
        return "undated"
    text = _describe_point(date, precision, part)
    if end and end != date:
        end_text = _describe_point(end, precision, "")
        if precision == DatePrecision.DAY and end.year == date.year:
            if end.month == date.month:
                return f"{date.day}–{end.day} {date:%B %Y}"
            return f"{date.day} {date:%B} – {end_text}"
        if precision == DatePrecision.MONTH and not part and end.year == date.year:
            return f"{date:%B}–{end_text}"
        return f"{text} – {end_text}"
    return text


def _describe_point(date: datetime.date, precision: str, part: str) -> str:
    if precision == DatePrecision.DAY:
        return f"{date.day} {date:%B %Y}"
    if precision == DatePrecision.MONTH:
        prefix = {"": "", "early": "early ", "mid": "mid-", "late": "late "}[part]
        return f"{prefix}{date:%B %Y}"
    if precision == DatePrecision.SEASON:
        season = SEASON_OF_MONTH[date.month]
        prefix = f"{part} " if part else ""
        return f"{prefix}{season} {date.year}"
    if precision == DatePrecision.HALF:
        return f"{'first' if date.month <= 6 else 'second'} half of {date.year}"
    return str(date.year)
