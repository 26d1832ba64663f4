"""Small pieces the reader pages repeat: citations, move badges, party swatches, dates, stances."""

import functools
import html
import re

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import dateformat
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator, capfirst
from django.utils.translation import get_language

from negotiations.dates import DatePrecision
from positions import charts, diffs
from positions.services import MoveKind

register = template.Library()


def _html(fmt: str, *args) -> SafeString:
    """django.utils.html.format_html for these tags: the same escaping (safe strings pass
    through, the rest goes through html.escape as Django's escape does), without the lazy-string
    wrapper around each call, which cost a fifth of a big page's rendering time
    (docs/performance.md, "Pages")."""
    return SafeString(
        fmt.format(
            *(arg.__html__() if hasattr(arg, "__html__") else html.escape(str(arg)) for arg in args)
        )
    )


_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_NEUTRAL = "#555555"


@register.simple_tag
def swatch(party):
    """A party's colour as a small square; the party's name always stands beside it."""
    colour = party.colour if _COLOUR.match(party.colour or "") else _NEUTRAL
    return _html(
        '<svg class="swatch" viewBox="0 0 1 1" aria-hidden="true" focusable="false">'
        '<rect width="1" height="1" rx="0.2" fill="{}"/></svg>',
        colour,
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
        return _html(
            '<time class="{}" datetime="{}">{}</time>',
            css,
            round.start_date.strftime(machine),
            round.date_display,
        )
    return _html('<span class="{}">{}</span>', css, round.date_display)


# The three tags below run hundreds of times on a big page; they build their HTML here rather
# than render a template each time, which was a third of the overview's rendering time
# (docs/performance.md, "Pages").


@register.simple_tag
def move_badge(kind):
    """A kind of move as a labelled badge; its legend sentence is the title."""
    kind = MoveKind(kind)
    return _html(
        '<span class="badge badge--{}" title="{}">{}</span>',
        kind.value,
        capfirst(kind.note),
        kind.label,
    )


@register.simple_tag
def sources(statement):
    """The sources of a round, demand or concession, grouped by outlet and date.

    Several excerpts of one article then read "FAKTI.BG, 24 Jan 2026 (excerpts 1, 2)" rather
    than the same label twice; each excerpt still links to its own page and quote.
    Prefetch `sources` when listing many.
    """
    groups: dict[tuple, list] = {}
    for source in _prefetched(statement, "sources"):
        groups.setdefault((source.outlet, source.published_on), []).append(source)
    claims = competing_claims(statement)
    if not groups:
        return mark_safe('<span class="sources sources--none">No source recorded</span>' + claims)
    count = sum(len(items) for items in groups.values())
    parts = []
    for (outlet, date), items in groups.items():
        when = _day_month_year(date, get_language()) if date else "undated"
        if len(items) == 1:
            source = items[0]
            speaker = f" ({source.speaker})" if source.speaker else ""
            parts.append(_cite(source, _html("{}, {}{}", outlet, when, speaker)))
        else:
            excerpts = [
                _cite(
                    source,
                    _html("excerpt {}{}", n, f": {source.speaker}" if source.speaker else ""),
                )
                for n, source in enumerate(items, start=1)
            ]
            parts.append(_html("{}, {} ({})", outlet, when, mark_safe(", ".join(excerpts))))
    return _html(
        '<span class="sources"><span class="sources-label">Source{}:</span> {}</span>{}',
        "" if count == 1 else "s",
        mark_safe("; ".join(parts)),  # noqa: S308 - every part is built by _html
        claims,
    )


def _prefetched(statement, relation: str):
    """A prefetched relation's rows without building its manager (a related manager costs
    ~40 us to make, twice per cell of a comparison); the manager where nothing was prefetched."""
    cache = getattr(statement, "_prefetched_objects_cache", {})
    return cache[relation] if relation in cache else getattr(statement, relation).all()


@functools.lru_cache(maxsize=4096)
def _day_month_year(date, language: str) -> str:
    """ "24 Jan 2026": a page cites the same few dates over and over (keyed by language)."""
    return dateformat.format(date, "j M Y")


def competing_claims(statement) -> str:
    """Sources that say otherwise (docs/dataset.md), where the page fetched them.

    Only a page that asked for them (`with_claims()`) shows them: never one query per statement.
    """
    if "competing_claims" not in getattr(statement, "_prefetched_objects_cache", {}):
        return ""
    claims = list(statement.competing_claims.all())
    if not claims:
        return ""
    return render_to_string("positions/_competing_claims.html", {"claims": claims})


@register.simple_tag
def page_url(name, *args):
    """{% url %} for links repeated in every cell of a big page: reversed once per address.

    Reversing walks the URL patterns each time; a page with hundreds of cells links the same
    few rounds and parties over and over (docs/performance.md, "Pages"). The script prefix is
    part of the key, so a deployment under a sub-path still gets its own addresses.
    """
    return _reversed(get_script_prefix(), name, args)


@functools.lru_cache(maxsize=8192)
def _reversed(prefix: str, name: str, args: tuple) -> str:
    return reverse(name, args=args)


def _cite(source, text) -> str:
    title = ""
    if source.quote:
        quote = Truncator(source.quote).chars(280)
        speaker = f" — {source.speaker}" if source.speaker else ""
        title = _html(' title="“{}”{}"', quote, speaker)
    return _html(
        '<a class="cite" href="{}"{}>{}</a>',
        page_url("source-detail", source.slug),
        title,
        text,
    )


@register.simple_tag
def stance(issue, demand):
    """A standing demand's stance on the issue's scale (issue with its stances prefetched)."""
    if demand is None:
        return mark_safe('<span class="stance stance--none">no stated position</span>')
    if demand.is_retracted:
        return mark_safe('<span class="stance stance--retracted">demand withdrawn</span>')
    placed = demand.placed_stance
    if placed is None:
        return mark_safe('<span class="stance stance--unplaced">not placed on the scale</span>')
    position = charts.scale_position(issue, placed)
    # Classes and an SVG presentation attribute, not style="": the Content-Security-Policy
    # allows no style attributes (docs/deployment.md).
    mark = ""
    if position.percent is not None:
        mark = _html(
            '<span class="scale" aria-hidden="true"><svg class="scale-marks" focusable="false">'
            '<circle class="scale-mark" cx="{}%" cy="6" r="5"/></svg></span>',
            position.percent,
        )
    return _html(
        '<span class="stance stance--tint-{}">{}{}<span class="visually-hidden"> (step {} '
        "of {} on the scale)</span></span>",
        position.tint.lstrip("#"),
        placed.label,
        mark,
        position.step,
        position.steps,
    )


@register.simple_tag
def word_diff(before, after):
    return diffs.word_diff(before or "", after or "")


@register.simple_tag
def party_list(parties):
    """Names joined for a sentence: "Russia", "Russia and Ukraine", "Russia, Ukraine and Europe"."""
    names = [p.short_name for p in parties]
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


@register.simple_tag
def entry(
    entry,
    negotiation,
    *,
    show_round=False,
    show_issue=False,
    hide_party=False,
    name_answered=False,
):
    """One line of a record (records.Entry): who, when or on what, the stance or concession,
    the wording and its sources. Built in Python for the same reason as the tags above: a
    record lists hundreds of entries.

    `name_answered`: a concession names and links the demands it softens and is conditional
    on; the page must load them with their party, issue and round (see round_detail)."""
    statement = entry.demand or entry.concession
    head = []
    if not hide_party:
        party = statement.party
        head.append(
            _html(
                '{}<a href="{}">{}</a>',
                swatch(party),
                page_url("party-detail", party.slug),
                party.name,
            )
        )
    if show_round:
        url = page_url("round-detail", negotiation.slug, entry.round.slug)
        head.append(_at("At" if hide_party else "at", url, entry.round.title))
        head.append(_html(", {}", round_date(entry.round)))
    if show_issue:
        url = page_url("issue-detail", negotiation.slug, entry.issue.slug)
        head.append(_at("On" if hide_party else "on", url, entry.issue.title))
    anchor = _html(' id="demand-{}"', entry.demand.pk) if entry.demand else ""
    lines = [_html('<p class="entry-head"{}>{}</p>', anchor, mark_safe("".join(head)))]
    demand = entry.demand
    if demand is not None:
        flags = []
        if demand.priority == "red_line":
            flags.append(mark_safe(' <span class="flag">red line</span>'))
        if demand.status != "reported" and not demand.is_retracted:
            flags.append(_html(' <span class="flag">{}</span>', demand.get_status_display()))
        badge = _html("{} ", move_badge(entry.move.kind)) if entry.move else ""
        lines.append(
            _html(
                '<p class="entry-position">{}{}{}</p>',
                badge,
                stance(entry.issue, demand),
                mark_safe("".join(flags)),
            )
        )
        lines.append(_html('<p class="entry-text">{}</p>', demand.text))
    else:
        concession = entry.concession
        lines.append(
            _html(
                '<p class="entry-position"><span class="badge badge--concession">concession'
                '</span> <span class="flag">{}</span></p>',
                concession.get_status_display(),
            )
        )
        lines.append(_html('<p class="entry-text">{}</p>', concession.text))
        if concession.conditions:
            lines.append(
                _html('<p class="conditions">In return for: {}</p>', concession.conditions)
            )
        if name_answered:
            lines.extend(_answered_demands(concession, negotiation))
    lines.append(_html('<p class="entry-sources">{}</p>', sources(statement)))
    return mark_safe("\n" + "\n".join(lines) + "\n")  # noqa: S308 - each line is built by _html


def _answered_demands(concession, negotiation) -> list[str]:
    """Name and link the demands a concession softens and answers (ids "demand-<pk>")."""
    lines = []
    for link, words in (("softens", "Softens"), ("in_return_for", "Conditional on")):
        demand = getattr(concession, link) if getattr(concession, f"{link}_id") else None
        if demand is None:
            continue
        url = page_url("round-detail", negotiation.slug, demand.round.slug)
        lines.append(
            _html(
                '<p class="answers">{} <a href="{}#demand-{}">{}’s demand on {} at {}</a>: '
                "“{}”</p>",
                words,
                url,
                demand.pk,
                demand.party.name,
                demand.issue.title,
                demand.round.title,
                demand.text,
            )
        )
    return lines


def _at(word: str, url: str, title: str) -> str:
    return _html(' <span class="at">{}</span> <a href="{}">{}</a>', word, url, title)


# The cells below fill the overview's matrix, the comparison and the issue page's table: 200 to
# 250 per page at issue 8's scale. As template markup each cost dozens of nodes (~10-30 us each);
# built here they are the same HTML at a fraction of the time (docs/performance.md, "Pages";
# tests/pages/test_page_snapshots.py holds the HTML).


@register.simple_tag
def matrix_cell(issue, cell, negotiation):
    """One cell of the overview's matrix: the standing stance, since when, on whose word."""
    if not cell.demand:
        return _html("<td>{}</td>", stance(issue, cell.demand))
    since = cell.since
    return _html(
        '<td>{}\n<span class="since">since <a href="{}">{}</a>, {}</span>\n{}</td>',
        stance(issue, cell.demand),
        page_url("round-detail", negotiation.slug, since.slug),
        since.title,
        since.date_display,
        sources(cell.demand),
    )


@register.simple_tag
def compare_cell(issue, change, negotiation):
    """One cell of a comparison: who, how they moved and toward whom, before → after, the
    wording's diff, where it was said and the concessions made on the issue in between."""
    kind = str(change.kind)
    before, after = change.before, change.after
    lines = [_html('<p class="cell-party">{}{}</p>', swatch(change.party), change.party.name)]
    if kind == "none":
        lines.append(
            mark_safe(
                '<p class="cell-kind"><span class="stance stance--none">no stated position'
                "</span></p>"
            )
        )
    else:
        lines.append(_html('<p class="cell-kind">{}{}</p>', move_badge(kind), _direction(change)))
    if kind in ("unchanged", "none"):
        if after:
            lines.append(
                _html(
                    '<p class="before-after">{}</p><p class="said-at">Since <a href="{}">{}</a>'
                    " · {}</p>",
                    stance(issue, after),
                    page_url("round-detail", negotiation.slug, after.round.slug),
                    after.round.title,
                    sources(after),
                )
            )
    else:
        if kind == "new" or not before or before.placed_stance == after.placed_stance:
            lines.append(_html('<p class="before-after">{}</p>', stance(issue, after)))
        else:
            lines.append(
                _html(
                    '<p class="before-after"><span class="visually-hidden">Before: </span>{} '
                    '<span class="after"><span class="arrow" aria-hidden="true">→</span>'
                    '<span class="visually-hidden">after: </span>{}</span></p>',
                    stance(issue, before),
                    stance(issue, after),
                )
            )
        if before and not before.is_retracted:
            wording = word_diff(before.text, after.text)
        else:
            wording = after.text
        lines.append(_html('<p class="wording">{}</p>', wording))
        lines.append(
            _html(
                '<p class="said-at">Said at <a href="{}">{}</a> · {}</p>',
                page_url("round-detail", negotiation.slug, after.round.slug),
                after.round.title,
                sources(after),
            )
        )
    for concession in change.concessions:
        conditions = ""
        if concession.conditions:
            conditions = _html(
                ' <span class="conditions">In return for: {}</span>', concession.conditions
            )
        lines.append(
            _html(
                '<div class="concession">\n<p><span class="badge badge--concession">concession'
                '</span> <span class="flag">{}</span> at <a href="{}">{}</a></p>\n'
                '<p>{}{}</p>\n<p class="said-at">{}</p>\n</div>',
                concession.get_status_display(),
                page_url("round-detail", negotiation.slug, concession.round.slug),
                concession.round.title,
                concession.text,
                conditions,
                sources(concession),
            )
        )
    return _html(
        '<td class="change change--{}">\n{}\n</td>',
        kind,
        mark_safe("\n".join(lines)),  # noqa: S308 - each line is built by _html
    )


def _direction(change) -> str:
    """ "toward RU, away from UA" after a move's badge, or nothing."""
    if not (change.toward or change.away_from):
        return ""
    words = []
    if change.toward:
        words.append(f"toward {party_list(change.toward)}")
    if change.away_from:
        words.append(f"away from {party_list(change.away_from)}")
    return _html(' <span class="direction">{}</span>', ", ".join(words))


@register.simple_tag
def track_cell(cell):
    """One cell of an issue's round-by-round table: the standing stance, bold where stated."""
    css = "stated" if cell.stated_here else "standing"
    demand = cell.demand
    if not demand:
        return _html('<td class="{}"><span class="none">—</span></td>', css)
    if demand.is_retracted:
        label = "withdrawn"
    elif demand.placed_stance:
        label = demand.placed_stance.label
    else:
        label = "not placed"
    here = (
        mark_safe('<span class="visually-hidden"> (stated at this round)</span>')
        if cell.stated_here
        else ""
    )
    return _html('<td class="{}">{}{}</td>', css, label, here)
