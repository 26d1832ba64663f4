"""Written plans (the 28-point plan, the European counter-proposal, ...) and their crosswalk.

A plan is a document one party tabled; its points are numbered as the document numbers them and
each may be placed on an issue's scale. A PointLink says what became of an earlier plan's point
in a later plan of the same chain (kept, reworded, softened, ... dropped, new). docs/plans.md
has the coding rules; each rule below lives here, in `clean()`, backed by named constraints.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from negotiations.dates import (
    DatePart,
    DatePrecision,
    describe_date,
    part_of_month_or_season,
    validate_fuzzy_date,
)
from negotiations.history import LinkedHistoricalRecords
from negotiations.models import Issue, Negotiation, Participant, Party, Round, Source, Stance

POINT_NUMBER = re.compile(r"^[1-9][0-9]{0,2}(\.[a-z0-9]{1,3})?$")


def point_sort_key(number: str) -> int:
    """Return an integer that orders point numbers as a reader does: 2 < 5 < 5.a < 5.b < 10.

    Stored on the point so that listings sort in the database, not as text ("10" < "2").
    """
    main, _, sub = number.partition(".")
    rank = 0
    if sub.isdigit():
        rank = int(sub)
    elif sub:
        rank = sum((ord(ch) - ord("a") + 1) * 27**i for i, ch in enumerate(reversed(sub)))
    return int(main) * 100_000 + rank


class Plan(models.Model):
    """A written plan or draft for settling the negotiation, as one party tabled it."""

    class Status(models.TextChoices):
        LEAKED = "leaked", "leaked"
        REPORTED = "reported", "reported, text not public"
        PUBLISHED = "published", "published"
        OFFICIAL = "official", "official text"
        SUPERSEDED = "superseded", "superseded"

    class Text(models.TextChoices):
        FULL = "full", "full text public"
        PARTIAL = "partial", "partly public"
        NONE = "none", "text not public"

    negotiation = models.ForeignKey(Negotiation, on_delete=models.PROTECT, related_name="plans")
    # Unique site-wide, as parties' and sources' are: the API addresses a plan by slug alone.
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    tabled_by = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="plans")
    round = models.ForeignKey(
        Round,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plans",
        help_text="The round at which the plan was tabled, if one is recorded.",
    )
    date = models.DateField(help_text="First day the date can mean; see the precision.")
    date_precision = models.CharField(
        max_length=10, choices=DatePrecision, default=DatePrecision.DAY
    )
    date_part = models.CharField(max_length=5, choices=DatePart, default=DatePart.WHOLE, blank=True)
    status = models.CharField(max_length=20, choices=Status, default=Status.REPORTED)
    text_public = models.CharField(
        max_length=10,
        choices=Text,
        default=Text.FULL,
        help_text="How much of the plan's text is public: the points record only that part.",
    )
    summary = models.TextField(blank=True)
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revisions",
        help_text="The plan this one answers or revises; the crosswalk maps points along it.",
    )
    sources = models.ManyToManyField(Source, related_name="plans")
    updated_at = models.DateTimeField(auto_now=True)

    history = LinkedHistoricalRecords(m2m_fields=["sources"])  # m2m history: docs/releases.md

    class Meta:
        ordering = ["negotiation", "date", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(previous=models.F("id")),
                name="positions_plan_not_its_own_previous",
                violation_error_message="A plan cannot revise itself.",
            ),
            part_of_month_or_season("positions_plan_part_of_month_or_season"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse(
            "plan-detail", kwargs={"negotiation": self.negotiation.slug, "plan": self.slug}
        )

    @property
    def date_display(self) -> str:
        return describe_date(self.date, self.date_precision, self.date_part)

    def ancestors(self) -> list[Plan]:
        """Return the plans this one descends from, nearest first (one query per step)."""
        chain, seen, plan = [], {self.pk}, self.previous
        while plan is not None and plan.pk not in seen:
            chain.append(plan)
            seen.add(plan.pk)
            plan = plan.previous
        return chain

    def clean(self):
        try:
            validate_fuzzy_date(self.date, self.date_precision, self.date_part)
        except ValidationError as error:  # the helper names a round's field, start_date
            messages = {
                ("date" if name == "start_date" else name): text
                for name, text in error.message_dict.items()
            }
            raise ValidationError(messages) from error
        if not self.negotiation_id:
            return
        if self.round_id and self.round.negotiation_id != self.negotiation_id:
            raise ValidationError({"round": "This round belongs to another negotiation."})
        if (
            self.tabled_by_id
            and not Participant.objects.filter(
                negotiation_id=self.negotiation_id, party_id=self.tabled_by_id
            ).exists()
        ):
            raise ValidationError(
                {"tabled_by": "This party does not take part in the negotiation; add it first."}
            )
        if self.previous_id:
            previous = self.previous
            if previous.negotiation_id != self.negotiation_id:
                raise ValidationError(
                    {"previous": "The previous plan belongs to another negotiation."}
                )
            if self.pk and any(p.pk == self.pk for p in previous.ancestors() + [previous]):
                raise ValidationError(
                    {"previous": "That plan descends from this one; the chain would loop."}
                )
            if self.date and previous.date > self.date:
                raise ValidationError(
                    {"previous": "The previous plan is dated after this one; pick an earlier plan."}
                )


class PlanPoint(models.Model):
    """One numbered point of a plan, in neutral words, placed on an issue where it fits."""

    class Status(models.TextChoices):
        REPORTED = "reported", "reported"
        CONFIRMED = "confirmed", "confirmed"
        DISPUTED = "disputed", "versions disagree"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="points")
    number = models.CharField(
        max_length=10,
        validators=[
            RegexValidator(POINT_NUMBER, 'Number a point as the plan does: "5", "5.b" or "10.2".')
        ],
    )
    sort_key = models.PositiveIntegerField(default=0, editable=False)
    text = models.TextField(help_text="What the point says, in neutral words, close to the source.")
    issue = models.ForeignKey(
        Issue, on_delete=models.PROTECT, null=True, blank=True, related_name="plan_points"
    )
    stance = models.ForeignKey(
        Stance,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_points",
        help_text="Where the point sits on the issue's scale; empty if it cannot be placed.",
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.REPORTED)
    note = models.TextField(blank=True, help_text="Where versions of the text disagree, and how.")
    sources = models.ManyToManyField(Source, related_name="plan_points")

    history = LinkedHistoricalRecords(m2m_fields=["sources"])  # m2m history: docs/releases.md

    class Meta:
        ordering = ["plan", "sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"],
                name="positions_planpoint_unique_number",
                violation_error_message="This plan already has a point with this number.",
            ),
            models.CheckConstraint(
                condition=Q(stance__isnull=True) | Q(issue__isnull=False),
                name="positions_planpoint_stance_needs_issue",
                violation_error_message="A stance is on an issue's scale; pick the issue first.",
            ),
        ]

    def __str__(self):
        return f"{self.plan.title}, point {self.number}"

    def save(self, *args, **kwargs):
        if POINT_NUMBER.match(self.number or ""):
            self.sort_key = point_sort_key(self.number)
        super().save(*args, **kwargs)

    def clean(self):
        if self.issue_id and self.plan_id and self.issue.negotiation_id != self.plan.negotiation_id:
            raise ValidationError({"issue": "This issue belongs to another negotiation."})
        if self.stance_id and not self.issue_id:
            raise ValidationError({"stance": "Pick the issue whose scale this stance is on."})
        if self.stance_id and self.stance.issue_id != self.issue_id:
            raise ValidationError(
                {"stance": "This stance is on another issue's scale; pick one of this issue's."}
            )


class PointLink(models.Model):
    """What became of a point of an earlier plan in a later plan of the same chain."""

    class Kind(models.TextChoices):
        KEPT = "kept", "kept"
        REWORDED = "reworded", "reworded"
        SOFTENED = "softened", "softened"
        HARDENED = "hardened", "hardened"
        MERGED = "merged", "merged"
        SPLIT = "split", "split"
        DROPPED = "dropped", "dropped"
        NEW = "new", "new"

    from_plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="links_out")
    to_plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="links_in")
    from_point = models.ForeignKey(
        PlanPoint,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="links_out",
        help_text="The earlier plan's point; empty for a point that is new in the later plan.",
    )
    to_point = models.ForeignKey(
        PlanPoint,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="links_in",
        help_text="The later plan's point; empty for a point the later plan dropped.",
    )
    kind = models.CharField(max_length=10, choices=Kind)
    note = models.TextField(blank=True, help_text="What changed, in neutral words.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["from_plan", "to_plan", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_plan=models.F("to_plan")),
                name="positions_pointlink_two_plans",
                violation_error_message="A link maps a point between two different plans.",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="dropped", from_point__isnull=False, to_point__isnull=True)
                    | Q(kind="new", from_point__isnull=True, to_point__isnull=False)
                    | (
                        ~Q(kind__in=["dropped", "new"])
                        & Q(from_point__isnull=False, to_point__isnull=False)
                    )
                ),
                name="positions_pointlink_ends_fit_kind",
                violation_error_message=(
                    "A dropped point has no later point, a new point has no earlier point, and "
                    "every other kind links an earlier point to a later one."
                ),
            ),
            models.UniqueConstraint(
                fields=["from_point", "to_plan", "kind"],
                condition=~Q(kind="split") & Q(from_point__isnull=False),
                name="positions_pointlink_from_once_per_kind",
                violation_error_message=(
                    "This point is already mapped into that plan as this kind; only a split "
                    "maps one point to several."
                ),
            ),
            models.UniqueConstraint(
                fields=["to_point", "from_plan", "kind"],
                condition=~Q(kind="merged") & Q(to_point__isnull=False),
                name="positions_pointlink_to_once_per_kind",
                violation_error_message=(
                    "This point is already mapped from that plan as this kind; only a merge "
                    "maps several points to one."
                ),
            ),
            models.UniqueConstraint(
                fields=["from_point", "to_point"],
                name="positions_pointlink_pair_once",
                violation_error_message="These two points are already linked.",
            ),
        ]
        indexes = [
            models.Index(fields=["from_plan", "to_plan"], name="positions_pointlink_pair"),
        ]

    def __str__(self):
        earlier = f"point {self.from_point.number}" if self.from_point_id else "—"
        later = f"point {self.to_point.number}" if self.to_point_id else "—"
        return f"{earlier} → {later}: {self.get_kind_display()}"

    def clean(self):
        validate_point_link(self)


def validate_point_link(link: PointLink) -> None:
    """Refuse a link whose plans and points do not fit together (docs/plans.md, "Crosswalk").

    The two plans must be one chain's earlier and later plan; each point must belong to the
    plan on its side; a dropped point cannot also be carried over, and a new one cannot also
    come from an earlier point.
    """
    if not (link.from_plan_id and link.to_plan_id):
        return
    from_plan, to_plan = link.from_plan, link.to_plan
    if from_plan.negotiation_id != to_plan.negotiation_id:
        raise ValidationError({"to_plan": "The two plans belong to different negotiations."})
    if from_plan.pk == to_plan.pk:
        raise ValidationError({"to_plan": "Pick a later plan than the earlier one."})
    if from_plan.pk not in {p.pk for p in to_plan.ancestors()}:
        raise ValidationError(
            {
                "to_plan": f"“{to_plan}” does not descend from “{from_plan}”; link points "
                "only between a plan and one it revises (set the later plan's previous plan)."
            }
        )
    if link.from_point_id and link.from_point.plan_id != from_plan.pk:
        raise ValidationError({"from_point": f"This point is not a point of “{from_plan}”."})
    if link.to_point_id and link.to_point.plan_id != to_plan.pk:
        raise ValidationError({"to_point": f"This point is not a point of “{to_plan}”."})
    kind = link.kind
    if kind == PointLink.Kind.DROPPED and link.to_point_id:
        raise ValidationError({"to_point": "A dropped point has no later point; leave it empty."})
    if kind == PointLink.Kind.NEW and link.from_point_id:
        raise ValidationError({"from_point": "A new point has no earlier point; leave it empty."})
    if kind not in (PointLink.Kind.DROPPED, PointLink.Kind.NEW):
        missing = [f for f in ("from_point", "to_point") if not getattr(link, f"{f}_id")]
        if missing:
            raise ValidationError(
                {f: f"A “{link.get_kind_display()}” link needs this point." for f in missing}
            )
    others = PointLink.objects.filter(from_plan=from_plan, to_plan=to_plan).exclude(pk=link.pk)
    if link.from_point_id:
        carried = others.filter(from_point_id=link.from_point_id)
        if kind == PointLink.Kind.DROPPED and carried.exists():
            raise ValidationError(
                {"kind": "This point is already carried into the later plan; it is not dropped."}
            )
        if kind != PointLink.Kind.DROPPED and carried.filter(kind=PointLink.Kind.DROPPED).exists():
            raise ValidationError(
                {"kind": "This point is recorded as dropped; delete that link first."}
            )
    if link.to_point_id:
        sourced = others.filter(to_point_id=link.to_point_id)
        if kind == PointLink.Kind.NEW and sourced.exists():
            raise ValidationError(
                {"kind": "This point already comes from an earlier point; it is not new."}
            )
        if kind != PointLink.Kind.NEW and sourced.filter(kind=PointLink.Kind.NEW).exists():
            raise ValidationError(
                {"kind": "This point is recorded as new; delete that link first."}
            )
