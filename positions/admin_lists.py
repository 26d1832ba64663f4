"""How the demand and concession lists stay fast at a million rows (docs/performance.md,
"Admin lists"): an issue filter that lists one negotiation's issues, not every issue, and a
demand list that starts with the newest entries unless it is narrowed to a negotiation.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.views.main import ORDER_VAR, ChangeList

from negotiations.models import Issue

# The list filter's parameter for "demands of this negotiation".
NEGOTIATION_PARAMETER = "round__negotiation__id__exact"


class IssueOfNegotiationFilter(admin.RelatedFieldListFilter):
    """Issues to filter by: those of the negotiation filtered on, or all of them when few.

    Every negotiation has its own issues, often named alike ("Ceasefire"); at corpus scale a
    list of all of them is 4,000 links (~300 KB of every list page). Past ALL_UP_TO issues the
    filter waits for a negotiation to be chosen; an issue already chosen stays shown.
    """

    ALL_UP_TO = 100

    def field_choices(self, field, request, model_admin):
        issues = Issue.objects.order_by("negotiation_id", "order", "title")
        negotiation = request.GET.get(NEGOTIATION_PARAMETER, "")
        if negotiation.isdigit():
            return list(issues.filter(negotiation_id=negotiation).values_list("pk", "title"))
        few = list(issues.values_list("pk", "title")[: self.ALL_UP_TO + 1])
        if len(few) <= self.ALL_UP_TO:
            return few
        chosen = str(self.lookup_val[-1]) if self.lookup_val else ""
        if chosen.isdigit():
            return list(issues.filter(pk=chosen).values_list("pk", "title"))
        return []

    def has_output(self):
        # Shown whenever there is something to pick, so a chosen issue can always be unpicked.
        return bool(self.lookup_choices)


class NewestFirstChangeList(ChangeList):
    """A list of a big table that opens on its newest rows unless narrowed to a negotiation.

    The model's chronological order (round date, party, issue) sorts through three joins: at a
    million demands ~1.2 s for the first page of the whole table, but <1 ms within one
    negotiation. The newest rows come straight from the primary key's index. A column the
    analyst clicks to sort by is honoured either way.
    """

    def get_ordering(self, request, queryset):
        if ORDER_VAR in self.params or NEGOTIATION_PARAMETER in self.params:
            return super().get_ordering(request, queryset)
        return ["-pk"]
