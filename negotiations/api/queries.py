"""Query parameters of the gaps and panel views: slugs of the negotiation's own records.

Strict like every filter (negotiations/api/filters.py): an unknown slug is a 400 that lists the
slugs there are, never a silently empty answer.
"""

from __future__ import annotations

from rest_framework import serializers

from positions.services import Frame


def known_slugs(kind: str, frame: Frame) -> list[str]:
    """The slugs a parameter may name, in the negotiation's own order (read from its frame)."""
    if kind == "party":
        return [participant.party.slug for participant in frame.participants]
    return [record.slug for record in (frame.issues if kind == "issue" else frame.rounds)]


class SlugsParameter(serializers.ListField):
    """Slugs of the negotiation's parties, issues or rounds; repeat for several."""

    def __init__(self, kind: str, **kwargs):
        self.kind = kind
        super().__init__(child=serializers.CharField(), required=False, **kwargs)

    def to_internal_value(self, data):
        slugs = list(dict.fromkeys(super().to_internal_value(data)))
        negotiation = self.context["negotiation"]
        known = known_slugs(self.kind, self.context["frame"])
        unknown = [slug for slug in slugs if slug not in known]
        if unknown:
            raise serializers.ValidationError(
                f"No {self.kind} “{unknown[0]}” in negotiation “{negotiation.slug}”; "
                f"choose from {', '.join(known) or 'none yet'}."
            )
        return [slug for slug in known if slug in slugs]  # the negotiation's order


class GapsQuerySerializer(serializers.Serializer):
    party = SlugsParameter(
        "party",
        help_text="Measure the gap between these parties (at least two; with two, it is their "
        "distance). Default: the principals. Any participant may be named.",
    )

    def validate_party(self, slugs):
        if len(slugs) < 2:
            raise serializers.ValidationError(
                "Name at least two parties to measure the gap between them "
                "(party=united-states&party=russia)."
            )
        return slugs


class PanelQuerySerializer(serializers.Serializer):
    party = SlugsParameter("party", help_text="Only these parties' rows (participant slugs).")
    issue = SlugsParameter("issue", help_text="Only these issues' rows.")
    round = SlugsParameter(
        "round", help_text="Only these rounds' rows (`round_index` keeps counting all rounds)."
    )


def chosen_parties(frame: Frame, slugs: list[str] | None) -> list:
    """The parties a gap measures: those named, else the principals; in column order."""
    if not slugs:
        return frame.principals
    return [p.party for p in frame.participants if p.party.slug in slugs]
