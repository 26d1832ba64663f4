"""The shipped dataset's evidence: every record sourced with an address and an excerpt, no date
more precise than its sources, and the four-party coverage issue 7 asks for.

The rules these tests enforce are written down in docs/dataset.md ("Coding rules" and "Dating").
"""

import datetime
import re
from collections import Counter

import pytest
from django.urls import reverse

from negotiations.dates import DatePrecision
from negotiations.loader import (
    DATASETS_DIR,
    DEFAULT_DATASET,
    DatasetError,
    dataset_path,
    load_dataset,
    read_dataset,
    url_dates,
)
from negotiations.models import Round, Source
from positions.models import CompetingClaim, Concession, Demand
from positions.services import compare_rounds, positions_as_of

PRINCIPALS = ["united-states", "russia", "ukraine", "europe"]
MAX_EXCERPT_WORDS = 40


def shipped_sources() -> list[dict]:
    return read_dataset(dataset_path(DEFAULT_DATASET))["sources"]


def statements(dataset):
    yield from Demand.objects.filter(round__negotiation=dataset).prefetch_related("sources")
    yield from Concession.objects.filter(round__negotiation=dataset).prefetch_related("sources")


def label(record) -> str:
    if isinstance(record, Round):
        return f"round {record.slug}"
    return f"{type(record).__name__} {record.party.slug}/{record.issue.slug}@{record.round.slug}"


# --- sources ------------------------------------------------------------------------------------


def test_every_round_demand_and_concession_cites_an_addressed_source_with_an_excerpt(dataset):
    records = [*Round.objects.filter(negotiation=dataset).prefetch_related("sources")]
    records += list(statements(dataset))
    assert len(records) > 200

    unsupported = [
        label(record)
        for record in records
        if not any(s.url and s.quote and s.outlet and s.title for s in record.sources.all())
    ]

    assert unsupported == []


def test_excerpts_are_at_most_forty_words():
    long = []
    for source in shipped_sources():
        quote = source.get("quote", "")
        if len(quote.split()) > MAX_EXCERPT_WORDS:
            long.append(source["slug"])
    assert long == []


def test_competing_claims_cite_a_source_other_than_the_statements_own(dataset):
    claims = CompetingClaim.objects.filter(
        demand__round__negotiation=dataset
    ) | CompetingClaim.objects.filter(concession__round__negotiation=dataset)
    assert claims.count() >= 8
    assert set(claims.values_list("status", flat=True)) <= {"reported", "confirmed", "disputed"}
    for claim in claims.select_related("source"):
        assert claim.source.url and claim.source.quote
        assert claim.source not in claim.statement.sources.all()


def test_the_reporting_spans_at_least_sixty_pages_from_twelve_outlets(dataset):
    addressed = Source.objects.exclude(url="")
    assert addressed.values("url").distinct().count() >= 60
    assert addressed.values("outlet").distinct().count() >= 12


# --- dates --------------------------------------------------------------------------------------


def test_a_source_carries_a_day_only_where_its_page_or_address_gives_one():
    """`dated` says where the day comes from; an address-dated source must spell it out."""
    problems = []
    for source in shipped_sources():
        dated, day, url = source.get("dated"), source.get("published_on"), source.get("url", "")
        if "excerpt_of" in source or "cited_in" in source:
            continue  # takes the article's date, or has none (the outlets the article cites)
        if dated is None:
            problems.append(f"{source['slug']}: says nothing of how it is dated")
        elif dated == "unknown" and day is not None:
            problems.append(f"{source['slug']}: dated 'unknown' but carries {day}")
        elif dated in ("page", "url") and day is None:
            problems.append(f"{source['slug']}: dated {dated!r} without a date")
        elif dated == "url" and day not in url_dates(url):
            problems.append(f"{source['slug']}: its address does not give {day}")
    assert problems == []


def test_a_round_is_no_more_precise_and_no_later_than_its_sources(dataset):
    problems = []
    for round in Round.objects.filter(negotiation=dataset).prefetch_related("sources"):
        dates = [s.published_on for s in round.sources.all() if s.published_on]
        if round.date_precision == DatePrecision.DAY and not dates:
            problems.append(f"{round.slug}: a day, but no source is dated")
        if dates and round.start_date > max(dates):
            problems.append(f"{round.slug}: starts after its newest source ({max(dates)})")
    assert problems == []


def test_a_statement_rests_on_a_source_published_after_its_round_began(dataset):
    """A report cannot predate what it reports: some source is undated or no older."""
    stale = [
        label(s)
        for s in statements(dataset)
        if not any(
            src.published_on is None or src.published_on >= s.round.start_date
            for src in s.sources.all()
        )
    ]
    assert stale == []


def test_the_loader_refuses_a_day_its_source_cannot_account_for(db, tmp_path):
    base = """
[negotiation]
slug = "dating"
title = "Dating"

[[sources]]
slug = "page"
kind = "media"
outlet = "Wire"
url = "https://example.org/2025/11/23/talks"
published_on = {day}
dated = "{dated}"
"""
    path = tmp_path / "dating.toml"
    path.write_text(base.format(day="2025-11-24", dated="url"), encoding="utf-8")
    with pytest.raises(DatasetError, match=r"source 'page': dated 'url' but its address does"):
        load_dataset(path)

    path.write_text(base.format(day="2025-11-24", dated="unknown"), encoding="utf-8")
    with pytest.raises(DatasetError, match=r"source 'page': dated 'unknown' but it gives"):
        load_dataset(path)

    path.write_text(base.format(day="2025-11-23", dated="url"), encoding="utf-8")
    assert load_dataset(path).created["sources"] == 1


def test_no_round_claims_an_end_the_article_does_not_give(dataset):
    rounds = {r.slug: r for r in Round.objects.filter(negotiation=dataset)}
    article_day = datetime.date(2026, 1, 24)
    for round in rounds.values():
        if round.end_date:
            assert round.end_date <= article_day, round.slug
    for slug in ("demands-called-excessive", "trilateral-meeting-not-held"):
        assert rounds[slug].end_date is None


# --- coverage: what issue 7 is done with --------------------------------------------------------


def test_each_principal_states_at_least_25_demands(dataset):
    counts = Counter(
        Demand.objects.filter(round__negotiation=dataset).values_list("party__slug", flat=True)
    )
    assert {p: counts[p] >= 25 for p in PRINCIPALS} == dict.fromkeys(PRINCIPALS, True)


def test_the_overview_as_of_the_latest_round_places_ukraine_and_europe_on_ten_issues(dataset):
    latest = Round.objects.filter(negotiation=dataset).chronological().last()
    matrix = positions_as_of(round=latest)

    for slug in ("ukraine", "europe"):
        party = next(p for p in matrix.parties if p.slug == slug)
        stated = [i.slug for i in matrix.issues if matrix.cell(party, i).is_stated]
        assert len(stated) >= 10, (slug, stated)


def moved_principals(comparison) -> set[str]:
    return {change.party.slug for change in comparison.moved()}


def window_rounds(dataset) -> list[Round]:
    rounds = Round.objects.filter(
        negotiation=dataset,
        start_date__gte=datetime.date(2025, 11, 1),
        start_date__lte=datetime.date(2026, 1, 31),
    ).chronological()
    return list(rounds)


def test_every_compare_between_consecutive_rounds_of_november_to_january_moves_two_principals(
    dataset,
):
    """Issue 7's done-when, plainly: no round of the window is skipped."""
    rounds = window_rounds(dataset)
    assert len(rounds) >= 16
    thin = {}
    for earlier, later in zip(rounds, rounds[1:], strict=False):
        moved = moved_principals(compare_rounds(from_round=earlier, to_round=later))
        if len(moved) < 2:
            thin[f"{earlier.slug} -> {later.slug}"] = sorted(moved)
    assert thin == {}


def test_the_compare_page_shows_moves_by_two_principals(client, dataset):
    rounds = {r.slug: r for r in window_rounds(dataset)}
    earlier, later = rounds["geneva-talks"], rounds["responses-to-geneva"]

    response = client.get(reverse("compare", args=[dataset.slug, earlier.slug, later.slug]))

    assert response.status_code == 200
    html = response.content.decode()
    cells = re.findall(r'<td class="change change--(\w+)">\s*<p class="cell-party">(.*?)</p>', html)
    moved = {
        re.sub(r"<[^>]+>", "", party).strip()
        for kind, party in cells
        if kind not in ("unchanged", "none")
    }
    assert {"Russia", "Ukraine", "Europe"} <= moved


def test_the_dataset_lives_in_files_by_period_that_load_in_name_order():
    folder = DATASETS_DIR / DEFAULT_DATASET
    names = [p.name for p in sorted(folder.glob("*.toml"))]
    assert names[0] == "00-negotiation.toml" and len(names) >= 6
    assert dataset_path(DEFAULT_DATASET) == folder
