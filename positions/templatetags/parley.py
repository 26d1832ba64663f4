"""Small pieces the reader pages repeat: citations, move badges, party swatches, dates, stances."""

import re

from django import template
from django.utils.html import format_html

from negotiations.dates import DatePrecision
from positions import presenters
from positions.services import MoveKind

register = template.Library()

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_NEUTRAL = "#555555"


@register.simple_tag
def swatch(party):
    """A party's colour as a small square; the party's name always stands beside it."""
    colour = party.colour if _COLOUR.match(party.colour or "") else _NEUTRAL
    return format_html(
        '<span class="swatch" style="background:{}" aria-hidden="true"></span>', colour
    )


@register.simple_tag
def party_colour(party):
    return party.colour if _COLOUR.match(party.colour or "") else _NEUTRAL


@register.simple_tag
def round_date(round):
    """A round's date as readers say it; machine-readable only as far as it is known."""
    machine = {
        DatePrecision.DAY: "%Y-%m-%d",
        DatePrecision.MONTH: "%Y-%m",
        DatePrecision.YEAR: "%Y",
    }.get(round.date_precision)
    exact = round.date_precision == DatePrecision.DAY
    css = "date" if exact else "date date--approximate"
    if machine and (exact or not round.date_part) and not round.end_date:
        return format_html(
            '<time class="{}" datetime="{}">{}</time>',
            css,
            round.start_date.strftime(machine),
            round.date_display,
        )
    return format_html('<span class="{}">{}</span>', css, round.date_display)


@register.inclusion_tag("positions/_badge.html")
def move_badge(kind):
    kind = MoveKind(kind)
    return {"kind": kind.value, "label": kind.label, "note": presenters.MOVE_KIND_NOTES[kind]}


@register.inclusion_tag("positions/_sources.html")
def sources(statement):
    """The sources of a round, demand or concession, grouped by outlet and date.

    Several excerpts of one article then read "FAKTI.BG, 24 Jan 2026 (excerpts 1, 2)" rather
    than the same label twice; each excerpt still links to its own page and quote.
    Prefetch `sources` when listing many.
    """
    groups: dict[tuple, list] = {}
    for source in statement.sources.all():
        groups.setdefault((source.outlet, source.published_on), []).append(source)
    # Competing claims are shown where the page fetched them (`with_claims()`), never one
    # query per statement.
    prefetched = getattr(statement, "_prefetched_objects_cache", {})
    claims = statement.competing_claims if "competing_claims" in prefetched else None
    return {
        "groups": [(outlet, date, items) for (outlet, date), items in groups.items()],
        "count": sum(len(items) for items in groups.values()),
        # Sources that say otherwise (docs/dataset.md).
        "claims": list(claims.all()) if claims is not None else [],
    }


@register.inclusion_tag("positions/_stance.html")
def stance(issue, demand):
    """A standing demand's stance on the issue's scale (issue with its stances prefetched)."""
    if demand is None:
        return {"state": "none"}
    if demand.is_retracted:
        return {"state": "retracted", "demand": demand}
    placed = demand.placed_stance
    if placed is None:
        return {"state": "unplaced", "demand": demand}
    return {
        "state": "placed",
        "demand": demand,
        "stance": placed,
        "position": presenters.scale_position(issue, placed),
    }


@register.simple_tag
def word_diff(before, after):
    return presenters.word_diff(before or "", after or "")


@register.simple_tag
def party_list(parties):
    """Names joined for a sentence: "Russia", "Russia and Ukraine", "Russia, Ukraine and Europe"."""
    names = [p.short_name for p in parties]
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"
