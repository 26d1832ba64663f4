"""Atom feeds of new rounds and position changes, for a negotiation, a party and an issue.

Entries are dated by when Parley recorded them (so subscribers see what is new to them), and
tie-broken by round order. Each entry links to the page and anchor where the fact is shown.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.contrib.syndication.views import Feed
from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join

from negotiations.models import Correction, Issue, Negotiation, Participant, Party, Round
from positions import records
from positions.models import Concession, Demand
from positions.page_tools import record_page_url
from positions.services import Ledger

FEED_LENGTH = 50


@dataclass(frozen=True)
class FeedItem:
    title: str
    summary: str
    link: str
    published: datetime.datetime
    updated: datetime.datetime
    order: tuple


def _cited(statement) -> str:
    return format_html_join(
        "; ",
        "{} ({})",
        (
            (
                s.outlet,
                f"{s.published_on.day} {s.published_on:%B %Y}" if s.published_on else "undated",
            )
            for s in statement.sources.all()
        ),
    )


def _statement_item(entry: records.Entry, ledger: Ledger, negotiation: Negotiation) -> FeedItem:
    demand: Demand = entry.demand
    # A mediator's or observer's statement has no move (moves are judged between principals).
    verb = entry.move.kind.verb if entry.move else "made a statement"
    stance = demand.placed_stance.label if demand.placed_stance else None
    summary = format_html(
        "<p>{}{}</p><p>{} ({}). Sources: {}.</p>",
        f"{stance}: " if stance else "",
        demand.text,
        entry.round.title,
        entry.round.date_display,
        _cited(demand),
    )
    issue_url = reverse("issue-detail", args=[negotiation.slug, entry.issue.slug])
    return FeedItem(
        title=f"{demand.party.name} {verb} on {entry.issue.title} — {entry.round.title}",
        summary=summary,
        link=f"{issue_url}#statement-{demand.pk}",
        published=demand.created_at,
        updated=demand.updated_at,
        order=(ledger.index[entry.round.pk], 1),
    )


def _concession_item(entry: records.Entry, ledger: Ledger, negotiation: Negotiation) -> FeedItem:
    concession: Concession = entry.concession
    summary = format_html(
        "<p>{}</p><p>Status: {}. {} ({}). Sources: {}.</p>",
        concession.text,
        concession.get_status_display(),
        entry.round.title,
        entry.round.date_display,
        _cited(concession),
    )
    issue_url = reverse("issue-detail", args=[negotiation.slug, entry.issue.slug])
    return FeedItem(
        title=f"{concession.party.name} offered a concession on {entry.issue.title} "
        f"— {entry.round.title}",
        summary=summary,
        link=f"{issue_url}#concession-{concession.pk}",
        published=concession.created_at,
        updated=concession.updated_at,
        order=(ledger.index[entry.round.pk], 2),
    )


def _corrections(negotiation: Negotiation) -> list[Correction]:
    """The newest corrections in a negotiation with their records: a query per kind of record."""
    records_with_pages = [
        Negotiation.objects.all(),
        Round.objects.select_related("negotiation"),
        Issue.objects.select_related("negotiation"),
        Demand.objects.select_related("round__negotiation"),
        Concession.objects.select_related("round__negotiation"),
    ]
    return list(
        Correction.objects.filter(negotiation=negotiation)
        .select_related("content_type")
        .prefetch_related(GenericPrefetch("record", records_with_pages))
        .order_by("-made_at")[:FEED_LENGTH]
    )


def _correction_item(correction: Correction) -> FeedItem:
    """A correction or withdrawal, announced like a newspaper's (docs/admin.md, "Corrections")."""
    record = correction.record
    what = f"{correction.content_type.model} “{record}”" if record else "a record since deleted"
    heading = "Withdrawn" if correction.is_withdrawal else "Correction"
    return FeedItem(
        title=f"{heading}: {what}",
        summary=format_html(
            "<p>{}, {} {}: {}</p>",
            heading,
            correction.date.day,
            f"{correction.date:%B %Y}",
            correction.note,
        ),
        link=f"{_page_of(correction)}#correction-{correction.pk}",
        published=correction.made_at,
        updated=correction.made_at,
        order=(0, 3),
    )


def _page_of(correction: Correction) -> str:
    """Where a correction's notice is shown; each notice has its own anchor there, so a record
    corrected twice gives two entries (an entry's id is its link)."""
    if correction.record is not None:
        return record_page_url(correction.record).partition("#")[0]
    if correction.negotiation_id:
        return reverse("negotiation-history", args=[correction.negotiation.slug])
    return reverse("home")


def _round_item(round: Round, negotiation: Negotiation, order: int) -> FeedItem:
    summary = format_html(
        "<p>{} — {}{}.</p><p>{}</p>",
        round.get_kind_display(),
        round.date_display,
        f", {round.location}" if round.location else "",
        round.summary,
    )
    return FeedItem(
        title=f"New round: {round.title} ({round.date_display})",
        summary=summary,
        link=reverse("round-detail", args=[negotiation.slug, round.slug]),
        published=round.updated_at,
        updated=round.updated_at,
        order=(order, 0),
    )


def _newest(
    negotiation: Negotiation,
    ledger: Ledger,
    *,
    rounds: list[Round],
    entries: list[records.Entry],
) -> list[FeedItem]:
    """Return the newest rounds and entries as feed items, fetching sources for those only."""

    def recorded(item) -> tuple:
        if isinstance(item, Round):
            return (item.updated_at, ledger.index[item.pk], 0)
        statement = item.demand or item.concession
        return (statement.created_at, ledger.index[item.round.pk], 1 if item.demand else 2)

    chosen = sorted([*rounds, *entries], key=recorded, reverse=True)[:FEED_LENGTH]
    chosen_entries = [e for e in chosen if not isinstance(e, Round)]
    prefetch_related_objects([e.demand for e in chosen_entries if e.demand], "sources")
    prefetch_related_objects([e.concession for e in chosen_entries if e.concession], "sources")
    return [
        _round_item(item, negotiation, ledger.index[item.pk])
        if isinstance(item, Round)
        else _statement_item(item, ledger, negotiation)
        if item.demand
        else _concession_item(item, ledger, negotiation)
        for item in chosen
    ]


def _ledger(negotiation: Negotiation, *, issue: Issue | None = None) -> Ledger:
    # Stances of every principal (to judge moves), without sources: _newest fetches those.
    demands = Demand.objects.select_related("party", "issue", "round", "stance")
    concessions = Concession.objects.select_related("party", "issue", "round")
    if issue is not None:
        demands, concessions = demands.filter(issue=issue), concessions.filter(issue=issue)
    return Ledger(negotiation, demands=demands, concessions=concessions)


def _participants(negotiation: Negotiation) -> list[Participant]:
    return list(negotiation.participants.select_related("party"))


class _AtomFeed(Feed):
    feed_type = Atom1Feed
    author_name = "Parley"

    def item_title(self, item: FeedItem) -> str:
        return item.title

    def item_description(self, item: FeedItem) -> str:
        return item.summary

    def item_link(self, item: FeedItem) -> str:
        return item.link

    def item_pubdate(self, item: FeedItem) -> datetime.datetime:
        return item.published

    def item_updateddate(self, item: FeedItem) -> datetime.datetime:
        return item.updated


class NegotiationFeed(_AtomFeed):
    def get_object(self, request, negotiation):
        return get_object_or_404(Negotiation, slug=negotiation)

    def title(self, obj: Negotiation) -> str:
        return f"{obj.title}: new rounds and moves"

    def subtitle(self, obj: Negotiation) -> str:
        return f"Rounds, demands and concessions recorded in Parley for {obj.title}."

    def link(self, obj: Negotiation) -> str:
        return obj.get_absolute_url()

    def items(self, obj: Negotiation) -> list[FeedItem]:
        ledger = _ledger(obj)
        participants = _participants(obj)
        entries = []
        for issue in ledger.issues:
            entries += records.issue_record(ledger, issue=issue, participants=participants)
        items = _newest(obj, ledger, rounds=ledger.rounds, entries=entries)
        items += [_correction_item(c) for c in _corrections(obj)]
        items.sort(key=lambda item: item.published, reverse=True)
        return items[:FEED_LENGTH]


class IssueFeed(_AtomFeed):
    def get_object(self, request, negotiation, issue):
        return get_object_or_404(
            Issue.objects.select_related("negotiation"), negotiation__slug=negotiation, slug=issue
        )

    def title(self, obj: Issue) -> str:
        return f"{obj.title}: moves in {obj.negotiation.title}"

    def subtitle(self, obj: Issue) -> str:
        return f"Demands and concessions on {obj.title}, as Parley records them."

    def link(self, obj: Issue) -> str:
        return reverse("issue-detail", args=[obj.negotiation.slug, obj.slug])

    def items(self, obj: Issue) -> list[FeedItem]:
        negotiation = obj.negotiation
        ledger = _ledger(negotiation, issue=obj)
        issue = next(i for i in ledger.issues if i.pk == obj.pk)
        entries = records.issue_record(ledger, issue=issue, participants=_participants(negotiation))
        return _newest(negotiation, ledger, rounds=[], entries=entries)


class PartyFeed(_AtomFeed):
    def get_object(self, request, party):
        return get_object_or_404(Party, slug=party)

    def title(self, obj: Party) -> str:
        return f"{obj.name}: new rounds and moves"

    def subtitle(self, obj: Party) -> str:
        return f"Rounds {obj.name} took part in, and its demands and concessions."

    def link(self, obj: Party) -> str:
        return obj.get_absolute_url()

    def items(self, obj: Party) -> list[FeedItem]:
        items = []
        # One ledger per negotiation the party takes part in (docs/pages.md, "Query budget").
        took_part = set(obj.rounds.values_list("pk", flat=True))
        for participation in obj.participations.select_related("negotiation"):
            negotiation = participation.negotiation
            ledger = _ledger(negotiation)
            entries = [
                entry
                for issue in ledger.issues
                for entry in records.issue_record(ledger, issue=issue, participants=[participation])
            ]
            rounds = [r for r in ledger.rounds if r.pk in took_part]
            items += _newest(negotiation, ledger, rounds=rounds, entries=entries)
        items.sort(key=lambda i: (i.published, i.order), reverse=True)
        return items[:FEED_LENGTH]
