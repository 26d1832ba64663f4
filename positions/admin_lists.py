"""How the demand and concession lists stay fast at a million rows (docs/performance.md,
"Admin lists"): an issue filter that lists one negotiation's issues, not every issue, a
demand list that starts with the newest entries unless it is narrowed to a negotiation, and
a search that an index can answer.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.db.models import Q
from django.utils.text import smart_split, unescape_string_literal

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


def statements_matching(queryset, search_term: str, search_fields: list[str]):
    """Return the demands or concessions whose text, party, issue or round has every word.

    As the admin's own search (words split the same way, quotes keep a phrase), but the
    names are looked up in their own small tables first: an OR across joined tables cannot
    use an index, while `text ILIKE` or a list of party, issue and round ids can (the
    trigram index of migration positions 0008 on PostgreSQL; docs/performance.md).
    `search_fields` are the admin's: the record's own fields, and `relation__field` names.
    """
    own = [name for name in search_fields if "__" not in name]
    named: dict[str, list[str]] = {}
    for name in search_fields:
        if "__" in name:
            relation, field = name.split("__", 1)
            named.setdefault(relation, []).append(field)
    for word in smart_split(search_term):
        if word[:1] in ('"', "'") and word[-1:] == word[:1] and len(word) > 1:
            word = unescape_string_literal(word)
        if not word:
            continue
        matches = Q()
        for field in own:
            matches |= Q(**{f"{field}__icontains": word})
        for relation, fields in named.items():
            model = queryset.model._meta.get_field(relation).related_model
            by_name = Q()
            for field in fields:
                by_name |= Q(**{f"{field}__icontains": word})
            ids = list(model.objects.filter(by_name).values_list("pk", flat=True))
            if ids:
                matches |= Q(**{f"{relation}_id__in": ids})
        queryset = queryset.filter(matches)
    return queryset
