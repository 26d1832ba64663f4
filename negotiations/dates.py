"""Dates that carry their precision: "late spring 2025" is stored as such, not as a made-up day.

A fuzzy date is (date, precision, part). `date` is the first day the statement can mean and is
what rounds sort by; see docs/dates.md for the anchoring rules (seasons, parts of a period).
"""

import dataclasses
import datetime
import re

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
        article = "An" if part in ("early",) else "A"
        raise ValidationError(
            {"start_date": f"{article} {part or 'whole'}-month date is stored as day {expected}."}
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


# --- dates typed in words ----------------------------------------------------------------------

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
SEASONS = {"winter": "winter", "spring": "spring", "summer": "summer", "autumn": "autumn"}
SEASONS["fall"] = "autumn"
_PART = r"(?:(?P<part>early|mid|late)[\s-]+)?"
_YEAR = r"(?P<year>\d{4})"
_WORD_PATTERNS = [
    ("iso_day", rf"{_YEAR}-(?P<month>\d{{1,2}})-(?P<day>\d{{1,2}})"),
    ("iso_month", rf"{_YEAR}-(?P<month>\d{{1,2}})"),
    ("year", _YEAR),
    ("half", rf"(?P<half>first|second|1st|2nd|h1|h2)\s+half(?:\s+of)?\s+{_YEAR}"),
    ("half", rf"(?P<half>h1|h2)\s+{_YEAR}"),
    ("day", rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<name>[a-z]+)\.?,?\s+{_YEAR}"),
    ("day", rf"(?P<name>[a-z]+)\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR}"),
    ("named", rf"{_PART}(?P<name>[a-z]+)\.?\s+(?:of\s+)?{_YEAR}"),
]


@dataclasses.dataclass(frozen=True)
class WordedDate:
    """A date read from words: what the three date fields of a round or plan take."""

    start_date: datetime.date
    precision: str
    part: str = ""

    @property
    def shown(self) -> str:
        return describe_date(self.start_date, self.precision, self.part)

    @property
    def explained(self) -> str:
        """Say what will be stored: "Read as late spring 2025: 1 May 2025, season, late."."""
        part = f", {self.part}" if self.part else ""
        stored = f"{self.start_date.day} {self.start_date:%B %Y}"
        return f"Read as {self.shown}: stored as {stored}, precision {self.precision}{part}."


def parse_date_words(text: str) -> WordedDate:
    """Read a date as people write it: "February 2026", "late spring 2025", "24 Jan 2026".

    Also "2025", "mid-March 2025", "first half of 2025", "autumn 2025" (or fall) and ISO
    dates. Returns the stored start date with its precision and part (docs/dates.md); raises
    ValueError, in words that say what to write, for anything else. The one reader of dates
    in words: the admin's date field, its preview and the loader can all use it.
    """
    words = " ".join(text.lower().replace("–", "-").replace(",", ", ").split())
    words = words.replace(" ,", ",")
    for kind, pattern in _WORD_PATTERNS:
        match = re.fullmatch(pattern, words)
        if match:
            return _worded(kind, match.groupdict())
    raise ValueError(
        f"“{text.strip()}” is not a date Parley can read: write e.g. “24 January 2026”, "
        "“February 2026”, “mid-March 2025”, “late spring 2025”, “first half of 2025” or “2025”."
    )


def _worded(kind: str, found: dict) -> WordedDate:
    year = int(found["year"])
    part = found.get("part") or ""
    try:
        if kind == "year":
            return WordedDate(datetime.date(year, 1, 1), DatePrecision.YEAR)
        if kind == "half":
            second = found["half"] in ("second", "2nd", "h2")
            return WordedDate(datetime.date(year, 7 if second else 1, 1), DatePrecision.HALF)
        if kind in ("iso_day", "iso_month"):
            month = int(found["month"])
            if kind == "iso_month":
                return WordedDate(datetime.date(year, month, 1), DatePrecision.MONTH)
            return WordedDate(datetime.date(year, month, int(found["day"])), DatePrecision.DAY)
        name = found["name"]
        if kind == "day":
            if name not in MONTHS:
                raise ValueError(f"“{name}” is not a month.")
            return WordedDate(
                datetime.date(year, MONTHS[name], int(found["day"])), DatePrecision.DAY
            )
        if name in MONTHS:
            date = anchor_date(
                year=year, precision=DatePrecision.MONTH, month=MONTHS[name], part=part
            )
            return WordedDate(date, DatePrecision.MONTH, part)
        if name in SEASONS:
            season = SEASONS[name]
            if season == "winter" and part:
                raise ValueError("Parts of a winter are not distinguished: write “winter 2025”.")
            date = anchor_date(year=year, precision=DatePrecision.SEASON, season=season, part=part)
            return WordedDate(date, DatePrecision.SEASON, part)
        raise ValueError(f"“{name}” is neither a month nor a season.")
    except ValueError as error:
        if str(error).startswith(("day is out", "month must", "year")):
            raise ValueError(f"There is no such day: {error}.") from None
        raise


def understood_date(date: datetime.date, precision: str, part: str) -> datetime.date:
    """Return the stored date of the period `date` falls in, at `precision` and `part`.

    "14 February 2026" with precision month is February 2026, stored as 1 February; with
    part "mid" it is mid-February (11 February). A day that the part contradicts (the 25th
    as "early") is returned unchanged, so validate_fuzzy_date refuses it as before.
    """
    if precision == DatePrecision.DAY:
        return date
    if precision == DatePrecision.MONTH:
        first = MONTH_PART_DAYS[DatePart(part)]
        last = {"": 31, "early": 10, "mid": 20, "late": 31}[part]
        return date.replace(day=first) if first <= date.day <= last else date
    if precision == DatePrecision.SEASON:
        season = SEASON_OF_MONTH[date.month]
        if season == "winter":
            return date.replace(month=1, day=1) if date.month <= 2 else date
        anchored = anchor_date(year=date.year, precision=precision, season=season, part=part)
        if not part or anchored.month == date.month:
            return anchored
        return date
    return anchor_date(year=date.year, precision=precision, month=date.month)
