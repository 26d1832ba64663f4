"""What parties say: demands (positions on an issue) and concessions (moves they offer)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from simple_history.models import HistoricalRecords

from negotiations.history import LinkedHistoricalRecords
from negotiations.models import Issue, Participant, Party, Round, Source, Stance, stored_values
from negotiations.refusals import refusal


class DemandQuerySet(models.QuerySet):
    def standing_as_of(self, round):
        """Demands that stand at `round`: each party's latest on each issue at or before it.

        One SQL query (a window function ranks each party's demands on an issue, newest
        first); a retracted demand stands too, recording that the party withdrew.
        """
        latest_first = Window(
            RowNumber(),
            partition_by=[F("party_id"), F("issue_id")],
            order_by=[F("round__start_date").desc(), F("round__sequence").desc()],
        )
        ranked = Demand.objects.filter(round__in=Round.objects.up_to(round)).annotate(
            recency=latest_first
        )
        return self.filter(pk__in=ranked.filter(recency=1).values("pk"))

    def for_display(self):
        return self.select_related("party", "issue", "round", "stance").prefetch_related("sources")

    def with_claims(self):
        """Also fetch competing claims, for pages that show them (one more query)."""
        return self.prefetch_related(claims_prefetch())


class Demand(models.Model):
    """What one party demands on one issue as stated at one round; it stands until restated."""

    class Priority(models.TextChoices):
        RED_LINE = "red_line", "red line"
        CORE = "core", "core"
        SECONDARY = "secondary", "secondary"

    class Status(models.TextChoices):
        REPORTED = "reported", "reported"
        CONFIRMED = "confirmed", "confirmed"
        DISPUTED = "disputed", "disputed"
        RETRACTED = "retracted", "retracted"

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="demands")
    issue = models.ForeignKey(Issue, on_delete=models.PROTECT, related_name="demands")
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="demands")
    stance = models.ForeignKey(
        Stance,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="demands",
        help_text="Where the demand sits on the issue's scale; empty if it cannot be placed.",
    )
    text = models.TextField(help_text="The demand in neutral words, close to the source.")
    priority = models.CharField(max_length=20, choices=Priority, default=Priority.CORE)
    status = models.CharField(
        max_length=20,
        choices=Status,
        default=Status.REPORTED,
        help_text="Retracted: at this round the party withdrew its demand on the issue.",
    )
    sources = models.ManyToManyField(Source, related_name="demands")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DemandQuerySet.as_manager()
    history = LinkedHistoricalRecords(m2m_fields=["sources"])  # m2m history: docs/releases.md

    class Meta:
        ordering = ["round__start_date", "round__sequence", "party__name", "issue__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["party", "issue", "round"],
                name="positions_demand_one_per_round",
                violation_error_message=(
                    "This party already has a demand on this issue at this round; edit that one."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status="retracted") | Q(stance__isnull=True),
                name="positions_demand_retraction_has_no_stance",
                violation_error_message=(
                    "A retraction withdraws the demand; leave its stance empty."
                ),
            ),
        ]
        indexes = [
            # Position service and API: a party's demands on an issue in round order.
            models.Index(fields=["issue", "party", "round"], name="positions_demand_issue_party"),
            # Round page and compare: everything stated at one round.
            models.Index(fields=["round", "party"], name="positions_demand_round_party"),
        ]

    def __str__(self):
        return self.text[:80]

    def clean(self):
        validate_statement(self)
        if self.stance_id and self.issue_id and self.stance.issue_id != self.issue_id:
            raise refusal("stance_of_issue")
        if self.pk is not None:
            self.validate_citations()

    def validate_citations(self):
        """Refuse a change that would strand the concessions citing this demand.

        A cited demand keeps its party and issue (what `softens` and `in_return_for` mean
        depends on them) and stays at or before the round of every concession citing it.
        """
        citing = list(
            Concession.objects.filter(Q(softens=self.pk) | Q(in_return_for=self.pk))
            .select_related("round")
            .order_by()
        )
        if not citing:
            return
        stored = stored_values(self, "party_id", "issue_id")
        concessions = f"{len(citing)} concession(s)"
        for name in ("party", "issue"):
            if stored and getattr(self, f"{name}_id") != stored[f"{name}_id"]:
                raise refusal(f"cited_demand_keeps_{name}", concessions=concessions)
        if self.round_id:
            earlier = [c for c in citing if stated_later(self.round, c.round)]
            if earlier:
                raise refusal(
                    "cited_demand_not_after_concession",
                    concessions=f"{len(earlier)} concession(s)",
                )

    @property
    def is_retracted(self) -> bool:
        return self.status == self.Status.RETRACTED

    @property
    def placed_stance(self) -> Stance | None:
        """Return the stance that counts for gaps and moves: none once retracted."""
        return None if self.is_retracted else self.stance


class ConcessionQuerySet(models.QuerySet):
    def for_display(self):
        return self.select_related(
            "party", "issue", "round", "softens", "in_return_for__party"
        ).prefetch_related("sources")

    def with_claims(self):
        """Also fetch competing claims, for pages that show them (one more query)."""
        return self.prefetch_related(claims_prefetch())

    def with_answered_demands(self):
        """Also fetch the demands each concession softens or answers, to name them (no query
        per row)."""
        return self.select_related(*ANSWERED_DEMAND_RELATIONS)


# What naming a concession's softened and answered demands reads ("SO · Round 2: …").
ANSWERED_DEMAND_RELATIONS = (
    "softens__party",
    "softens__issue",
    "softens__round",
    "in_return_for__party",
    "in_return_for__issue",
    "in_return_for__round",
)


class Concession(models.Model):
    """An explicit move a party offers or makes at a round on an issue."""

    class Status(models.TextChoices):
        OFFERED = "offered", "offered"
        ACCEPTED = "accepted", "accepted"
        REJECTED = "rejected", "rejected"
        WITHDRAWN = "withdrawn", "withdrawn"
        IMPLEMENTED = "implemented", "implemented"

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="concessions")
    issue = models.ForeignKey(Issue, on_delete=models.PROTECT, related_name="concessions")
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="concessions")
    text = models.TextField(help_text="The move in neutral words, close to the source.")
    softens = models.ForeignKey(
        Demand,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="softened_by",
        help_text="The party's own earlier demand that this gives up or softens.",
    )
    conditions = models.TextField(blank=True, help_text="What the party asks in return.")
    in_return_for = models.ForeignKey(
        Demand,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conditioning",
        help_text="The counterpart's demand this concession is conditional on.",
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.OFFERED)
    sources = models.ManyToManyField(Source, related_name="concessions")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConcessionQuerySet.as_manager()
    history = LinkedHistoricalRecords(m2m_fields=["sources"])  # m2m history: docs/releases.md

    class Meta:
        ordering = ["round__start_date", "round__sequence", "party__name", "issue__order"]
        indexes = [
            # Compare: concessions of a party on an issue between two rounds.
            models.Index(fields=["issue", "party", "round"], name="positions_concession_lookup"),
            models.Index(fields=["round", "party"], name="positions_concession_round"),
        ]

    def __str__(self):
        return self.text[:80]

    def clean(self):
        validate_statement(self)
        if self.softens_id and (
            self.softens.party_id != self.party_id or self.softens.issue_id != self.issue_id
        ):
            raise refusal("softens_own_demand")
        if self.in_return_for_id and self.in_return_for.party_id == self.party_id:
            raise refusal("in_return_for_other_party")
        for link in ("softens", "in_return_for"):
            demand = getattr(self, link) if getattr(self, f"{link}_id") else None
            if demand and self.round_id and stated_later(demand.round, self.round):
                raise refusal(f"{link}_stated_before")


def stated_later(demand_round: Round, concession_round: Round) -> bool:
    """Whether a demand's round comes after a concession's: it cannot then cite the demand."""
    return demand_round.order_key > concession_round.order_key


def claims_prefetch() -> models.Prefetch:
    """Prefetch a statement's competing claims with their sources in one query."""
    return models.Prefetch(
        "competing_claims", queryset=CompetingClaim.objects.select_related("source")
    )


class CompetingClaim(models.Model):
    """A source that says otherwise than a demand or concession records, kept beside it.

    Where reports disagree (versions of a plan, a denied report, "sources said"), the record
    keeps one reading and every other reading is a competing claim with its own source and
    status, so no disagreement is settled silently. docs/dataset.md gives the coding rules.
    """

    class Status(models.TextChoices):
        REPORTED = "reported", "reported"
        CONFIRMED = "confirmed", "confirmed"
        DISPUTED = "disputed", "disputed"

    demand = models.ForeignKey(
        Demand,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="competing_claims",
    )
    concession = models.ForeignKey(
        Concession,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="competing_claims",
    )
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="competing_claims")
    claim = models.TextField(help_text="What this source says instead, in neutral words.")
    status = models.CharField(max_length=20, choices=Status, default=Status.REPORTED)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(demand__isnull=False) & Q(concession__isnull=True))
                | (Q(demand__isnull=True) & Q(concession__isnull=False)),
                name="positions_claim_on_one_statement",
                violation_error_message="A competing claim answers one demand or one concession.",
            ),
            models.UniqueConstraint(
                fields=["demand", "source"],
                condition=Q(demand__isnull=False),
                name="positions_claim_one_per_demand_source",
                violation_error_message="This source already has a claim on this demand.",
            ),
            models.UniqueConstraint(
                fields=["concession", "source"],
                condition=Q(concession__isnull=False),
                name="positions_claim_one_per_concession_source",
                violation_error_message="This source already has a claim on this concession.",
            ),
        ]

    def __str__(self):
        return self.claim[:80]

    @property
    def statement(self) -> Demand | Concession | None:
        return self.demand if self.demand_id else self.concession

    def clean(self):
        if bool(self.demand_id) == bool(self.concession_id):
            raise ValidationError("A competing claim answers one demand or one concession.")
        statement = self.statement
        if self.source_id and statement.pk and statement.sources.filter(pk=self.source_id).exists():
            raise ValidationError(
                {
                    "source": "This source is already one the statement rests on; a competing "
                    "claim needs a source that says otherwise."
                }
            )


def validate_statement(statement: Demand | Concession) -> None:
    """Refuse a demand or concession whose party, issue and round do not fit together.

    The database enforces the same rules with triggers (positions/migrations/0003), so data
    written behind the models' back cannot break them either (docs/rules.md).
    """
    if not (statement.round_id and statement.issue_id and statement.party_id):
        return
    negotiation_id = statement.round.negotiation_id
    if statement.issue.negotiation_id != negotiation_id:
        raise refusal("issue_in_negotiation")
    if not Participant.objects.filter(
        negotiation_id=negotiation_id, party_id=statement.party_id
    ).exists():
        raise refusal("party_participates")


# Written plans and their point-by-point crosswalk (docs/plans.md).
from positions.plan_models import Plan, PlanPoint, PointLink  # noqa: E402, F401
