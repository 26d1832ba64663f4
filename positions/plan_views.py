"""Reader pages for plans: the list, one plan's points, and two plans point by point.

Thin views: what a comparison holds comes from positions.plan_services (docs/plans.md).
"""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from negotiations.models import Negotiation
from positions.page_tools import page_tools
from positions.plan_services import (
    KIND_NOTES,
    UNCODED,
    UNCODED_NOTE,
    comparable,
    comparable_pairs,
    compare_plans,
    comparison_counts,
    plans_for_display,
    points_for_display,
)


@require_safe
def plan_list(request, negotiation):
    found = Negotiation.objects.filter(slug=negotiation).first()
    if found is None:
        return _missing(request, "negotiation", negotiation, None, _negotiation_options())
    plans = list(plans_for_display(found))
    return render(
        request,
        "positions/plans.html",
        {
            "negotiation": found,
            "plans": plans,
            "pairs": comparable_pairs(plans),
            "tools": page_tools(
                request,
                title=f"Plans — {found.title}",
                csv_url=f"{reverse('api:plan-list')}?negotiation={found.slug}&format=csv",
            ),
        },
    )


@require_safe
def plan_detail(request, negotiation, plan):
    found = Negotiation.objects.filter(slug=negotiation).first()
    if found is None:
        return _missing(request, "negotiation", negotiation, None, _negotiation_options())
    plans = list(plans_for_display(found))
    current = next((p for p in plans if p.slug == plan), None)
    if current is None:
        return _missing(request, "plan", plan, found, _plan_options(plans))
    return render(
        request,
        "positions/plan.html",
        {
            "negotiation": found,
            "plan": current,
            "points": list(points_for_display(current)),
            "pairs": [pair for pair in comparable_pairs(plans) if current in pair],
            "tools": page_tools(
                request,
                title=f"{current.title} — {found.title}",
                csv_url=f"{reverse('api:plan-points', args=[current.slug])}?format=csv",
            ),
        },
    )


@require_safe
def plan_compare(request, negotiation, plan, later):
    found = Negotiation.objects.filter(slug=negotiation).first()
    if found is None:
        return _missing(request, "negotiation", negotiation, None, _negotiation_options())
    plans = list(plans_for_display(found))
    by_slug = {p.slug: p for p in plans}
    for slug in (plan, later):
        if slug not in by_slug:
            return _missing(request, "plan", slug, found, _plan_options(plans))
    earlier, later_plan = by_slug[plan], by_slug[later]
    if comparable(later_plan, earlier):  # asked the wrong way round: show it earlier first
        return redirect("plan-compare", found.slug, later_plan.slug, earlier.slug)
    if not comparable(earlier, later_plan):
        return render(
            request,
            "positions/plan_compare_problem.html",
            {
                "negotiation": found,
                "earlier": earlier,
                "later": later_plan,
                "pairs": comparable_pairs(plans),
            },
            status=404,
        )
    rows = compare_plans(earlier, later_plan)
    return render(
        request,
        "positions/plan_compare.html",
        {
            "negotiation": found,
            "earlier": earlier,
            "later": later_plan,
            "rows": rows,
            "counts": comparison_counts(rows),
            "legend": [(k.value, k.label, note) for k, note in KIND_NOTES.items()]
            + [(UNCODED, "not coded", UNCODED_NOTE)],
            "tools": page_tools(
                request,
                title=f"{earlier.title} and {later_plan.title} — {found.title}",
                csv_url=(
                    f"{reverse('api:plan-compare', args=[earlier.slug])}"
                    f"?with={later_plan.slug}&format=csv"
                ),
            ),
        },
    )


def _negotiation_options():
    return [(n.title, n.get_absolute_url(), n.summary[:120]) for n in Negotiation.objects.all()]


def _plan_options(plans):
    return [(p.title, p.get_absolute_url(), p.date_display) for p in plans]


def _missing(request, what, slug, negotiation, options):
    return render(
        request,
        "positions/not_found.html",
        {"what": what, "slug": slug, "options": options, "negotiation": negotiation},
        status=404,
    )
