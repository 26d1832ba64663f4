"""The readers' pages. Each view finds its objects, asks the position service and renders.

Unknown slugs give a 404 page that lists what does exist; see docs/pages.md for the URL scheme
and the caching rule.
"""

from urllib.parse import urlencode

from django import forms
from django.db.models import Count, Exists, F, OuterRef, Prefetch, prefetch_related_objects
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from negotiations.models import (
    Correction,
    Issue,
    Negotiation,
    Participant,
    Party,
    Round,
    Source,
    negotiation_of,
)
from positions import charts, records
from positions.diffs import word_diff
from positions.freshness import conditional_page, last_change_of
from positions.models import Concession, Demand
from positions.page_tools import (
    csv_export_url,
    issue_feed,
    negotiation_feed,
    page_tools,
    party_feed,
    record_page_url,
)
from positions.services import (
    MOVE_WORDING,
    Frame,
    Ledger,
    compare_rounds,
    gap_history,
    positions_as_of,
    stance_tracks,
)
from positions.versions import history_page, is_long_text


class CompareForm(forms.Form):
    """Two menus of rounds; the view turns a valid choice into the comparison's permalink."""

    def __init__(self, data=None, *, rounds: list[Round], **kwargs):
        super().__init__(data, label_suffix="", **kwargs)
        self.rounds = {r.slug: r for r in rounds}
        choices = [(r.slug, f"{r.title} ({r.date_display})") for r in rounds]
        self.fields["from"] = forms.ChoiceField(label="From round", choices=choices)
        self.fields["to"] = forms.ChoiceField(label="To round", choices=choices)
        self.fields["only"] = forms.BooleanField(
            label="Only issues where something moved",
            required=False,
            widget=forms.CheckboxInput(attrs={"value": "changes"}),
        )
        for name in ("from", "to"):
            self.fields[name].error_messages["invalid_choice"] = (
                "There is no round “%(value)s” in this negotiation; pick one from the menu."
            )
            self.fields[name].error_messages["required"] = "Pick a round in this menu."

    @classmethod
    def for_rounds(cls, rounds: list[Round], *, start: str = "", end: str = "", only=False):
        """Return an unbound form showing `start` and `end` (by default the first and last)."""
        first, last = (rounds[0].slug, rounds[-1].slug) if rounds else ("", "")
        initial = {"from": start or first, "to": end or last, "only": only}
        return cls(rounds=rounds, initial=initial)

    def clean(self):
        data = super().clean()
        if data.get("from") and data.get("from") == data.get("to"):
            raise forms.ValidationError(
                "Both menus name the same round; pick two different rounds to compare."
            )
        return data

    def ordered(self) -> tuple[Round, Round, bool]:
        """Return the two rounds in time order and whether the reader gave them reversed."""
        first, second = self.rounds[self.cleaned_data["from"]], self.rounds[self.cleaned_data["to"]]
        if first.order_key > second.order_key:
            return second, first, True
        return first, second, False


@require_safe
@conditional_page(scope="site")
def home(request):
    negotiations = list(
        Negotiation.objects.annotate(issue_count=Count("issues"))
        .order_by(F("started_on").desc(nulls_last=True), "title")
        .prefetch_related(
            Prefetch("rounds", queryset=Round.objects.chronological()),
            Prefetch(
                "participants",
                queryset=Participant.objects.filter(role=Participant.Role.PRINCIPAL).select_related(
                    "party"
                ),
            ),
        )
    )
    tools = page_tools(
        request,
        title="Negotiations",
        csv_url=csv_export_url("negotiations"),
    )
    cards = [
        records.NegotiationCard(
            negotiation=n,
            rounds=list(n.rounds.all()),
            principals=[p.party for p in n.participants.all()],
        )
        for n in negotiations
    ]
    return render(request, "positions/home.html", {"cards": cards, "tools": tools})


@require_safe
@conditional_page(scope="negotiation")
def negotiation_detail(request, negotiation):
    found = _negotiation(negotiation)
    if found is None:
        return _missing_negotiation(request, negotiation)
    negotiation = found
    rounds = list(
        negotiation.rounds.chronological()
        .annotate(statement_count=Count("demands"))
        .prefetch_related("parties")
    )
    latest = rounds[-1] if rounds else None
    # Shared by the matrix and the convergence table; the timeline's rounds serve it too.
    frame = Frame.load(negotiation, rounds=rounds)
    matrix = positions_as_of(round=latest, frame=frame) if latest else None
    if matrix is not None:
        # Each cell cites its sources; the service leaves them to the pages that show them.
        prefetch_related_objects([c.demand for c in matrix.cells.values() if c.demand], "sources")
    convergence = [
        charts.convergence(issue, gaps)
        for issue, gaps in gap_history(negotiation=negotiation, frame=frame)
    ]
    return render(
        request,
        "positions/negotiation.html",
        {
            "negotiation": negotiation,
            "rounds": rounds,
            "latest": latest,
            "matrix": matrix,
            "convergence": convergence,
            "form": CompareForm.for_rounds(rounds),
            "corrections": _corrections_of(negotiation, [negotiation])[0],
            "tools": page_tools(
                request,
                title=negotiation.title,
                csv_url=csv_export_url("panel", negotiation=negotiation.slug),
                feeds=[negotiation_feed(negotiation)],
            ),
        },
    )


@require_safe
@conditional_page(scope="negotiation")
def compare_form(request, negotiation):
    """Turn the two menus into the comparison's permalink, or explain what is wrong."""
    found = _negotiation(negotiation)
    if found is None:
        return _missing_negotiation(request, negotiation)
    negotiation = found
    rounds = list(negotiation.rounds.chronological())
    if not request.GET:
        form = CompareForm.for_rounds(rounds)
        return _compare_problem(request, negotiation, rounds, form, status=200)
    form = CompareForm(request.GET, rounds=rounds)
    if not form.is_valid():
        return _compare_problem(request, negotiation, rounds, form, status=400)
    earlier, later, swapped = form.ordered()
    return redirect(
        _compare_url(
            negotiation, earlier, later, changes_only=form.cleaned_data["only"], swapped=swapped
        )
    )


@require_safe
@conditional_page(scope="negotiation")
def compare(request, negotiation, from_round, to_round):
    found = _negotiation(negotiation)
    if found is None:
        return _missing_negotiation(request, negotiation)
    negotiation = found
    changes_only = request.GET.get("only") == "changes"
    picked = {r.slug: r for r in negotiation.rounds.filter(slug__in=[from_round, to_round])}
    if len(picked) < 2 or from_round == to_round:
        # An unknown round is a 404, the same round twice a 400; both pages say why and offer
        # the menus again with every valid round.
        rounds = list(negotiation.rounds.chronological())
        form = CompareForm({"from": from_round, "to": to_round}, rounds=rounds)
        form.is_valid()
        status = 400 if from_round == to_round and picked else 404
        return _compare_problem(request, negotiation, rounds, form, status=status)
    earlier, later = picked[from_round], picked[to_round]
    if earlier.order_key > later.order_key:
        # A comparison reads forward in time: send the reader to the same pair in that order
        # and say so on the page (docs/pages.md, "Rounds in the wrong order").
        return redirect(
            _compare_url(negotiation, later, earlier, changes_only=changes_only, swapped=True)
        )
    frame = _frame(request, negotiation)  # its rounds also fill the menus
    rounds = frame.rounds
    try:
        comparison = compare_rounds(from_round=earlier, to_round=later, frame=frame)
    except ValueError as error:
        # The checks above should leave nothing for the service to refuse; if it does, its
        # reason is the one to show, with the menus (docs/pages.md, "other bad input").
        form = CompareForm({"from": from_round, "to": to_round}, rounds=rounds)
        form.is_valid()
        form.add_error(None, str(error))
        return _compare_problem(request, negotiation, rounds, form, status=400)
    moved = comparison.moved()
    rows = comparison.rows(changes_only=changes_only)
    # The page cites the sources of each "after" demand and of each concession it shows.
    shown = [change for _, cells in rows for change in cells]
    prefetch_related_objects([c.after for c in shown if c.after], "sources")
    prefetch_related_objects([k for c in shown for k in c.concessions], "sources")
    path = reverse("compare", args=[negotiation.slug, earlier.slug, later.slug])
    return render(
        request,
        "positions/compare.html",
        {
            "negotiation": negotiation,
            "comparison": comparison,
            "rows": rows,
            "changes_only": changes_only,
            "swapped": request.GET.get("swapped") == "1",
            "moved": moved,
            "kind_counts": records.kind_counts(moved),
            "issues_moved": len({c.issue.pk for c in moved}),
            "form": CompareForm.for_rounds(
                rounds, start=earlier.slug, end=later.slug, only=changes_only
            ),
            "move_kinds": list(MOVE_WORDING),
            "path": path,
            "tools": page_tools(
                request,
                title=f"{negotiation.title}: from {earlier.title} to {later.title}",
                path=path + ("?only=changes" if changes_only else ""),
                csv_url=csv_export_url(
                    "changes",
                    negotiation=negotiation.slug,
                    **{"from": earlier.slug, "to": later.slug},
                    moved_only=changes_only,
                ),
                feeds=[negotiation_feed(negotiation)],
            ),
        },
    )


@require_safe
@conditional_page(scope="negotiation")
def issue_detail(request, negotiation, issue):
    found = _negotiation(negotiation)
    if found is None:
        return _missing_negotiation(request, negotiation)
    negotiation = found
    slug = issue
    frame = _frame(request, negotiation)
    issue = next((i for i in frame.issues if i.slug == slug), None)
    if issue is None:
        options = [
            (i.title, i.get_absolute_url(), i.get_category_display())
            for i in negotiation.issues.all()
        ]
        return _not_found(
            request, what="issue", slug=slug, negotiation=negotiation, options=options
        )
    # Rounds and stances come from the frame; the page shows each statement's party and sources.
    ledger = Ledger(
        negotiation,
        demands=Demand.objects.select_related("party")
        .prefetch_related("sources")
        .filter(issue=issue),
        concessions=Concession.objects.select_related("party")
        .prefetch_related("sources")
        .filter(issue=issue),
        frame=frame,
    )
    rounds, tracks = stance_tracks(issue=issue, ledger=ledger)
    participants = frame.participants
    entries = records.issue_record(ledger, issue=issue, participants=participants)
    _corrections_of(negotiation, [issue, *(e.demand or e.concession for e in entries)])
    return render(
        request,
        "positions/issue.html",
        {
            "negotiation": negotiation,
            "issue": issue,
            "stances": list(issue.stances.all()),
            "chart": charts.dance_chart(issue=issue, rounds=rounds, tracks=tracks),
            "parties": [t.party for t in tracks],
            "table": records.track_table(ledger, issue=issue, rounds=rounds, tracks=tracks),
            "entries": entries,
            "tools": page_tools(
                request,
                title=f"{issue.title} — {negotiation.title}",
                csv_url=csv_export_url("issue", negotiation=negotiation.slug, issue=issue.slug),
                feeds=[issue_feed(negotiation, issue)],
            ),
        },
    )


@require_safe
@conditional_page(scope="negotiation")
def round_detail(request, negotiation, round):
    found = _negotiation(negotiation)
    if found is None:
        return _missing_negotiation(request, negotiation)
    negotiation = found
    slug = round
    round = negotiation.rounds.prefetch_related("parties", "sources").filter(slug=slug).first()
    if round is None:
        return _not_found(
            request,
            what="round",
            slug=slug,
            negotiation=negotiation,
            options=_round_options(negotiation),
        )
    frame = _frame(request, negotiation)  # the neighbours, issues and the comparison's layout
    at = next(n for n, r in enumerate(frame.rounds) if r.pk == round.pk)
    previous = frame.rounds[at - 1] if at else None
    following = frame.rounds[at + 1] if at + 1 < len(frame.rounds) else None
    comparison = (
        compare_rounds(from_round=previous, to_round=round, frame=frame) if previous else None
    )
    issues = frame.issues
    demands = list(Demand.objects.for_display().with_claims().filter(round=round))
    concessions = list(
        Concession.objects.for_display()
        .with_claims()
        # The demands each concession answers, named and linked (`entry` tag: name_answered).
        .with_answered_demands()
        .filter(round=round)
    )
    _corrections_of(negotiation, [round, *demands, *concessions])
    record = records.round_record(
        round=round,
        comparison=comparison,
        issues=issues,
        participants=frame.participants,
        demands=demands,
        concessions=concessions,
    )
    return render(
        request,
        "positions/round.html",
        {
            "negotiation": negotiation,
            "round": round,
            "previous": previous,
            "following": following,
            "record": record,
            "tools": page_tools(
                request,
                title=f"{round.title} — {negotiation.title}",
                csv_url=csv_export_url("round", negotiation=negotiation.slug, round=round.slug),
                feeds=[negotiation_feed(negotiation)],
            ),
        },
    )


@require_safe
@conditional_page(scope="site")
def party_detail(request, party):
    slug = party
    party = Party.objects.filter(slug=slug).first()
    if party is None:
        options = [(p.name, p.get_absolute_url(), p.short_name) for p in Party.objects.all()]
        return _not_found(request, what="party", slug=slug, options=options)
    participations = list(
        party.participations.select_related("negotiation").order_by("-negotiation__started_on")
    )
    # One ledger per negotiation the party takes part in: every principal's stances (to judge
    # each move) without their sources; party_record fetches the sources it shows.
    by_negotiation = [
        (
            p,
            records.party_record(
                Ledger(
                    p.negotiation,
                    demands=Demand.objects.select_related("party", "issue", "round", "stance"),
                    concessions=Concession.objects.for_display().filter(party=party),
                ),
                party=party,
            ),
        )
        for p in participations
    ]
    return render(
        request,
        "positions/party.html",
        {
            "party": party,
            "records": by_negotiation,
            "tools": page_tools(
                request,
                title=party.name,
                csv_url=csv_export_url("party", party=party.slug),
                feeds=[party_feed(party)],
            ),
        },
    )


@require_safe
@conditional_page(scope="site")
def source_detail(request, source):
    slug = source
    source = (
        Source.objects.select_related("cited_in")
        .annotate(corrected=_corrected(content_type__model="source", object_id=OuterRef("pk")))
        .filter(slug=slug)
        .first()
    )
    if source is None:
        return _not_found(request, what="source", slug=slug, options=[])
    return render(
        request,
        "positions/source.html",
        {
            "source": source,
            "corrections": list(Correction.objects.of(source)) if source.corrected else [],
            "citations": list(source.citations.all()),
            "rounds": list(source.rounds.select_related("negotiation").order_by("start_date")),
            "demands": list(
                source.demands.select_related(
                    "party", "issue", "round__negotiation", "stance"
                ).order_by("round__start_date", "round__sequence")
            ),
            "concessions": list(
                source.concessions.select_related("party", "issue", "round__negotiation").order_by(
                    "round__start_date", "round__sequence"
                )
            ),
            "tools": page_tools(
                request,
                title=str(source),
                csv_url=csv_export_url("source", source=source.slug),
            ),
        },
    )


# --- Helpers -------------------------------------------------------------------------------------


def _negotiation(slug: str) -> Negotiation | None:
    # `corrected`: whether anything in it was corrected, so most pages never look further.
    corrected = _corrected(negotiation=OuterRef("pk"))
    return Negotiation.objects.annotate(corrected=corrected).filter(slug=slug).first()


def _corrected(**where) -> Exists:
    return Exists(Correction.objects.filter(**where))


def _corrections_of(negotiation: Negotiation, shown: list) -> list[list[Correction]]:
    """Give each shown record of a negotiation its public corrections (`.notices`).

    One query for all of them, none when nothing in the negotiation was ever corrected.
    """
    corrected = getattr(negotiation, "corrected", True)
    found = Correction.objects.filter(negotiation=negotiation).by_record() if corrected else {}
    for record in shown:
        record.notices = found.get((record._meta.model_name, record.pk), [])
    return [record.notices for record in shown]


def _frame(request, negotiation: Negotiation) -> Frame:
    """The negotiation's frame, cached while it is unchanged (docs/performance.md, "Computed
    views' queries"); the page's conditional GET has already asked for its last change."""
    changed = last_change_of(request, negotiation_slug=negotiation.slug)
    return Frame.cached(negotiation, changed=changed)


def _round_options(negotiation: Negotiation) -> list[tuple[str, str, str]]:
    return [
        (r.title, reverse("round-detail", args=[negotiation.slug, r.slug]), r.date_display)
        for r in negotiation.rounds.chronological()
    ]


def _compare_url(negotiation, earlier, later, *, changes_only: bool, swapped: bool) -> str:
    path = reverse("compare", args=[negotiation.slug, earlier.slug, later.slug])
    params = [("only", "changes")] if changes_only else []
    if swapped:
        params.append(("swapped", "1"))
    return f"{path}?{urlencode(params)}" if params else path


def _compare_problem(request, negotiation, rounds, form, *, status):
    return render(
        request,
        "positions/compare_problem.html",
        {
            "negotiation": negotiation,
            "rounds": rounds,
            "form": form,
            "tools": page_tools(
                request,
                title=f"Compare rounds — {negotiation.title}",
                path=reverse("compare-form", args=[negotiation.slug]),
                csv_url=csv_export_url("panel", negotiation=negotiation.slug),
                feeds=[negotiation_feed(negotiation)],
            ),
        },
        status=status,
    )


def _missing_negotiation(request, slug):
    options = [(n.title, n.get_absolute_url(), n.summary[:120]) for n in Negotiation.objects.all()]
    return _not_found(request, what="negotiation", slug=slug, options=options)


def _not_found(request, *, what, slug, options, negotiation=None):
    return render(
        request,
        "positions/not_found.html",
        {"what": what, "slug": slug, "options": options, "negotiation": negotiation},
        status=404,
    )


# --- History pages (docs/pages.md, "History") ----------------------------------------------------


@require_safe
@conditional_page(scope="negotiation")
def negotiation_history(request, negotiation):
    found = _negotiation(negotiation)
    if found is None:
        return _missing_negotiation(request, negotiation)
    return _history(request, found, kind="negotiation", negotiation=found, back=found.title)


@require_safe
@conditional_page(scope="negotiation")
def round_history(request, negotiation, round):
    found = Round.objects.select_related("negotiation").filter(
        negotiation__slug=negotiation, slug=round
    )
    return _history_of(request, found.first(), "round", negotiation, round)


@require_safe
@conditional_page(scope="negotiation")
def issue_history(request, negotiation, issue):
    found = Issue.objects.select_related("negotiation").filter(
        negotiation__slug=negotiation, slug=issue
    )
    return _history_of(request, found.first(), "issue", negotiation, issue)


@require_safe
@conditional_page(scope="negotiation")
def demand_history(request, negotiation, id):
    found = Demand.objects.select_related("round__negotiation", "party", "issue").filter(
        round__negotiation__slug=negotiation, pk=id
    )
    return _history_of(request, found.first(), "demand", negotiation, id)


@require_safe
@conditional_page(scope="negotiation")
def concession_history(request, negotiation, id):
    found = Concession.objects.select_related("round__negotiation", "party", "issue").filter(
        round__negotiation__slug=negotiation, pk=id
    )
    return _history_of(request, found.first(), "concession", negotiation, id)


@require_safe
@conditional_page(scope="site")
def source_history(request, source):
    found = Source.objects.filter(slug=source).first()
    if found is None:
        return _not_found(request, what="source", slug=source, options=[])
    return _history(request, found, kind="source", negotiation=None, back=str(found))


def _history_of(request, record, kind, negotiation_slug, key):
    if record is None:
        negotiation = _negotiation(negotiation_slug)
        if negotiation is None:
            return _missing_negotiation(request, negotiation_slug)
        return _not_found(request, what=kind, slug=str(key), options=[], negotiation=negotiation)
    negotiation = negotiation_of(record)
    return _history(request, record, kind=kind, negotiation=negotiation, back=_named(kind, record))


def _named(kind: str, record) -> str:
    if kind in ("demand", "concession"):
        return f"{record.party.name}’s {kind} on {record.issue.title}, {record.round.title}"
    return record.title


def _history(request, record, *, kind, negotiation, back):
    before = request.GET.get("before")
    if before is not None and not (before.isascii() and before.isdigit()):
        return render(
            request,
            "positions/history_problem.html",
            {"before": before, "path": request.path, "negotiation": negotiation},
            status=400,
        )
    page = history_page(record, before=int(before) if before else None)
    versions = [
        (
            v,
            [
                (c, word_diff(c.old, c.new) if is_long_text(type(record), c.field) else None)
                for c in v.changes
            ],
        )
        for v in page.versions
    ]
    return render(
        request,
        "positions/history.html",
        {
            "kind": kind,
            "record": record,
            "name": back,
            "record_url": record_page_url(record),
            "negotiation": negotiation,
            "versions": versions,
            "corrections": list(Correction.objects.of(record)),
            "older": page.older,
            "later": before is not None,
            "tools": page_tools(
                request,
                title=f"History: {back}",
                csv_url=csv_export_url(f"{kind}-history", **request.resolver_match.kwargs),
                feeds=[negotiation_feed(negotiation)] if negotiation else [],
            ),
        },
    )
