"""The negotiation itself: who takes part, its rounds, the issues at stake and the evidence."""

from django.contrib.contenttypes.fields import GenericForeignKey
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
from negotiations.refusals import refusal


def stored_values(record: models.Model, *attnames: str) -> dict:
    """Return `attnames` of `record` as its row holds them now ({} for a record not saved yet).

    `clean()` compares them with the edited values to tell a move from an edit in place.
    """
    if record.pk is None:
        return {}
    return type(record)._default_manager.filter(pk=record.pk).values(*attnames).first() or {}


# Top-level paths of the site: a negotiation's pages live at /<slug>/, so it may not take these.
RESERVED_SLUGS = ("admin", "api", "healthz", "parties", "sources", "static", "feeds")


class Negotiation(models.Model):
    slug = models.SlugField(
        max_length=80,
        unique=True,
        validators=[
            RegexValidator(
                rf"^(?!({'|'.join(RESERVED_SLUGS)})$)",
                "This slug is taken by a site page; choose another.",
            )
        ],
    )
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True, help_text="Leave empty while talks go on.")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=models.F("started_on")),
                name="negotiations_negotiation_ends_after_start",
                violation_error_message="A negotiation cannot end before it starts.",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("negotiation-detail", kwargs={"negotiation": self.slug})


class Party(models.Model):
    class Kind(models.TextChoices):
        STATE = "state", "state"
        BLOC = "bloc", "bloc or group of states"
        ORGANISATION = "organisation", "international organisation"
        OTHER = "other", "other"

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    short_name = models.CharField(max_length=12, unique=True, help_text="E.g. US, RU, UA, EU.")
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.STATE)
    colour = models.CharField(
        max_length=7,
        default="#555555",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Give a colour as #rrggbb.")],
        help_text="Line and badge colour in charts, as #rrggbb.",
    )
    description = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "pk"]  # two parties may share a name
        verbose_name_plural = "parties"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("party-detail", kwargs={"party": self.slug})


class Participant(models.Model):
    """A party's role in one negotiation; only principals are compared and measured for gaps."""

    class Role(models.TextChoices):
        PRINCIPAL = "principal", "principal"
        MEDIATOR = "mediator", "mediator"
        OBSERVER = "observer", "observer"

    negotiation = models.ForeignKey(
        Negotiation, on_delete=models.CASCADE, related_name="participants"
    )
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(max_length=20, choices=Role, default=Role.PRINCIPAL)
    also_mediates = models.BooleanField(
        default=False, help_text="A principal that also mediates (the US in the 2025 talks)."
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Column order in comparisons.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["negotiation", "order", "party__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["negotiation", "party"],
                name="negotiations_participant_once_per_negotiation",
                violation_error_message="This party already takes part in this negotiation.",
            ),
        ]

    def __str__(self):
        # Walks two relations: lists select_related("party", "negotiation").
        try:
            return f"{self.party.name} as {self.get_role_display()} in {self.negotiation.title}"
        except (Party.DoesNotExist, Negotiation.DoesNotExist):  # a past version, since deleted
            return f"A {self.get_role_display()} (party or negotiation since deleted)"

    def clean(self):
        stored = stored_values(self, "party_id", "negotiation_id")
        if stored and (stored["party_id"], stored["negotiation_id"]) != (
            self.party_id,
            self.negotiation_id,
        ):
            Participant(pk=self.pk, **stored).validate_leaving()

    def statements(self) -> list[models.Model]:
        """Return the party's demands and concessions in this negotiation."""
        where = {"round__negotiation_id": self.negotiation_id}
        return [
            *self.party.demands.filter(**where).select_related("party", "issue", "round"),
            *self.party.concessions.filter(**where).select_related("party", "issue", "round"),
        ]

    def validate_leaving(self) -> None:
        """Refuse to let the party leave (or become another) while it has statements here:
        a party that speaks in a negotiation takes part in it."""
        count = len(self.statements())
        if count:
            raise refusal(
                "participant_has_statements",
                party=str(self.party),
                statements=f"{count} demand(s) or concession(s)",
            )


class Source(models.Model):
    """The evidence behind a round, demand or concession: readers always see on whose word."""

    class Kind(models.TextChoices):
        OFFICIAL = "official", "official statement"
        DOCUMENT = "document", "document"
        MEDIA = "media", "media report citing sources"
        ANALYSIS = "analysis", "analysis or opinion"

    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=Kind)
    outlet = models.CharField(max_length=120)
    title = models.CharField(max_length=300, blank=True)
    author = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=500, blank=True)
    published_on = models.DateField(null=True, blank=True)
    speaker = models.CharField(
        max_length=200, blank=True, help_text="The person whose words these are, if one said it."
    )
    quote = models.TextField(blank=True, help_text="A short excerpt supporting the record.")
    cited_in = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="citations",
        help_text="The source this one is known through (an outlet an article cites).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        # Ending with the id: excerpts of one article (same date, outlet, title) keep one
        # order on every database and query plan, so their numbers and ETags never move.
        ordering = ["-published_on", "outlet", "title", "pk"]
        indexes = [
            # Source lists and the API sort and filter by publication date.
            models.Index(fields=["published_on"], name="negotiations_source_published"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(cited_in=models.F("id")),
                name="negotiations_source_not_cited_in_itself",
                violation_error_message="A source cannot be cited in itself.",
            ),
        ]

    def __str__(self):
        return f"{self.outlet}: {self.title}" if self.title else self.outlet

    def get_absolute_url(self):
        return reverse("source-detail", kwargs={"source": self.slug})

    def delete(self, *args, **kwargs):
        """Refuse to delete a cited source, as a PROTECT foreign key would.

        Citations are many-to-many, so the database would silently unlink them; a fact must not
        lose its evidence by a click elsewhere.
        """
        citing = self.citing_records()
        if citing:
            raise models.ProtectedError(
                f"The source is cited by {len(citing)} record(s); cite another first.", citing
            )
        return super().delete(*args, **kwargs)

    def citing_records(self) -> list[models.Model]:
        """Return the rounds, demands, concessions, plans and plan points that cite this source."""
        return [
            *self.rounds.all(),
            *self.demands.all(),
            *self.concessions.all(),
            *self.plans.all(),
            *self.plan_points.all(),
        ]


class RoundQuerySet(models.QuerySet):
    def chronological(self):
        return self.order_by("start_date", "sequence")

    def up_to(self, round):
        """Rounds of the same negotiation at or before `round` in its order."""
        return self.filter(negotiation_id=round.negotiation_id).filter(
            Q(start_date__lt=round.start_date)
            | Q(start_date=round.start_date, sequence__lte=round.sequence)
        )

    def after(self, round):
        """Rounds of the same negotiation strictly after `round`."""
        return self.filter(negotiation_id=round.negotiation_id).filter(
            Q(start_date__gt=round.start_date)
            | Q(start_date=round.start_date, sequence__gt=round.sequence)
        )

    def before(self, round):
        """Rounds of the same negotiation strictly before `round`."""
        return self.filter(negotiation_id=round.negotiation_id).filter(
            Q(start_date__lt=round.start_date)
            | Q(start_date=round.start_date, sequence__lt=round.sequence)
        )

    def previous(self, round):
        """Return the round just before `round`, or None for the first."""
        return self.before(round).chronological().last()


class Round(models.Model):
    """A dated step of a negotiation; rounds sort by (start_date, sequence)."""

    class Kind(models.TextChoices):
        TALKS = "talks", "talks"
        SUMMIT = "summit", "summit"
        CALL = "call", "phone call"
        PROPOSAL = "proposal", "written proposal or plan"
        STATEMENT = "statement", "public statement"
        MEASURE = "measure", "unilateral measure"

    negotiation = models.ForeignKey(Negotiation, on_delete=models.PROTECT, related_name="rounds")
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind)
    location = models.CharField(max_length=120, blank=True)
    start_date = models.DateField(help_text="First day the date can mean; see the precision.")
    date_precision = models.CharField(
        max_length=10, choices=DatePrecision, default=DatePrecision.DAY
    )
    date_part = models.CharField(
        max_length=5,
        choices=DatePart,
        default=DatePart.WHOLE,
        blank=True,
        help_text="Early, mid or late in the month or season.",
    )
    end_date = models.DateField(
        null=True, blank=True, help_text="For a round over several days, months or seasons."
    )
    sequence = models.PositiveSmallIntegerField(
        default=0, help_text="Orders rounds that share a start date."
    )
    parties = models.ManyToManyField(Party, related_name="rounds", blank=True)
    summary = models.TextField(blank=True)
    outcome = models.TextField(blank=True)
    sources = models.ManyToManyField(Source, related_name="rounds")
    updated_at = models.DateTimeField(auto_now=True)

    objects = RoundQuerySet.as_manager()
    history = LinkedHistoricalRecords(
        m2m_fields=["parties", "sources"]
    )  # m2m history: docs/releases.md

    class Meta:
        ordering = ["negotiation", "start_date", "sequence"]
        get_latest_by = ["start_date", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["negotiation", "slug"],
                name="negotiations_round_unique_slug",
                violation_error_message="A round of this negotiation already has this slug.",
            ),
            models.UniqueConstraint(
                fields=["negotiation", "start_date", "sequence"],
                name="negotiations_round_unique_date_sequence",
                violation_error_message=(
                    "Another round of this negotiation has this start date and sequence; "
                    "give this one a different sequence to order them."
                ),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="negotiations_round_ends_after_start",
                violation_error_message="A round cannot end before it starts.",
            ),
            part_of_month_or_season("negotiations_round_part_of_month_or_season"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse(
            "round-detail", kwargs={"negotiation": self.negotiation.slug, "round": self.slug}
        )

    def clean(self):
        validate_fuzzy_date(self.start_date, self.date_precision, self.date_part)
        stored = stored_values(self, "negotiation_id", "start_date", "sequence")
        if not stored:
            return
        if stored["negotiation_id"] != self.negotiation_id and (
            self.demands.exists() or self.concessions.exists()
        ):
            raise refusal("round_keeps_negotiation")
        if (stored["start_date"], stored["sequence"]) != self.order_key:
            self.validate_citation_order()

    def validate_citation_order(self) -> None:
        """Refuse a new date that would put a cited demand after a concession citing it."""
        if self.start_date is None:
            return
        others = Round.objects.exclude(pk=self.pk)
        later, earlier = others.after(self), others.before(self)
        Concession = self.concessions.model  # positions.models imports this module
        crossing = (
            Concession.objects.filter(
                Q(round=self, softens__round__in=later)
                | Q(round=self, in_return_for__round__in=later)
                | Q(softens__round=self, round__in=earlier)
                | Q(in_return_for__round=self, round__in=earlier)
            )
            .distinct()
            .count()
        )
        if crossing:
            raise refusal("round_keeps_citation_order", concessions=f"{crossing} concession(s)")

    @property
    def date_display(self) -> str:
        """Return the date as a reader should read it, e.g. "late spring 2025"."""
        return describe_date(self.start_date, self.date_precision, self.date_part, self.end_date)

    @property
    def order_key(self) -> tuple:
        return (self.start_date, self.sequence)


class Issue(models.Model):
    """A dimension of the negotiation with an ordinal scale of stances between two poles."""

    class Category(models.TextChoices):
        PROCESS = "process", "process and sequencing"
        SECURITY = "security", "security and alliances"
        TERRITORY = "territory", "territory"
        MILITARY = "military", "military and hostilities"
        POLITICAL = "political", "political and constitutional"
        ECONOMIC = "economic", "economic and sanctions"
        HUMANITARIAN = "humanitarian", "humanitarian"

    negotiation = models.ForeignKey(Negotiation, on_delete=models.PROTECT, related_name="issues")
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    category = models.CharField(max_length=20, choices=Category)
    description = models.TextField(blank=True)
    low_pole = models.CharField(max_length=200, help_text="What the lowest stance means.")
    high_pole = models.CharField(max_length=200, help_text="What the highest stance means.")
    order = models.PositiveSmallIntegerField(default=0, help_text="Row order in comparisons.")
    updated_at = models.DateTimeField(auto_now=True)
    # What the poles mean for comparing issues (docs/positions.md, "Comparing issues").
    high_pole_side = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The party whose stated aim the high pole is, so stances on issues with the "
        "same side can be compared on one 0–1 axis. Empty: the scale does not run from one "
        "side's aim to the other's (a process question, a shared aim), so its scaled stance is "
        "not comparable with other issues'.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["negotiation", "order", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["negotiation", "slug"],
                name="negotiations_issue_unique_slug",
                violation_error_message="An issue of this negotiation already has this slug.",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse(
            "issue-detail", kwargs={"negotiation": self.negotiation.slug, "issue": self.slug}
        )

    def clean(self):
        stored = stored_values(self, "negotiation_id")
        if (
            stored
            and stored["negotiation_id"] != self.negotiation_id
            and (self.demands.exists() or self.concessions.exists())
        ):
            raise refusal("issue_keeps_negotiation")


class Stance(models.Model):
    """One labelled rung of an issue's scale: a neutral description of an option, not a verdict."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="stances")
    value = models.SmallIntegerField(help_text="Position on the scale, low pole to high pole.")
    label = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["issue", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "value"],
                name="negotiations_stance_unique_value",
                violation_error_message="This issue's scale already has a stance at this value.",
            ),
            models.UniqueConstraint(
                fields=["issue", "label"],
                name="negotiations_stance_unique_label",
                violation_error_message="This issue's scale already has a stance with this label.",
            ),
        ]

    def __str__(self):
        return f"{self.value}: {self.label}"

    def clean(self):
        stored = stored_values(self, "issue_id")
        if stored and stored["issue_id"] != self.issue_id and self.demands.exists():
            raise refusal("stance_keeps_issue")


class ReleaseQuerySet(models.QuerySet):
    def latest_first(self):
        return self.order_by("-cut_at", "-id")


class Release(models.Model):
    """A frozen copy of one negotiation's records, cut by an Editor (docs/releases.md).

    The copy is a small SQLite database (built with the project's migrations), compressed in
    `snapshot`; reading `?release=TAG` routes the request's reads to it, so every view answers
    exactly as when the release was cut. Cut with negotiations.releases.cut_release; never
    changed or deleted afterwards (here and by a database trigger).
    """

    negotiation = models.ForeignKey(Negotiation, on_delete=models.PROTECT, related_name="releases")
    tag = models.CharField(
        max_length=20,
        validators=[
            RegexValidator(
                r"^[0-9]{4}\.[0-9]{2}(\.[0-9]{1,3})?$",
                "Give a tag as YEAR.MONTH, e.g. 2026.02 (a third part for a second release "
                "that month: 2026.02.1).",
            )
        ],
        help_text="E.g. 2026.02; a third part for another release in a month: 2026.02.1.",
    )
    date = models.DateField(help_text="The release date to cite.")
    note = models.TextField(blank=True, help_text="What this release is for or what it adds.")
    cut_at = models.DateTimeField(editable=False)
    cut_by = models.CharField(max_length=150, blank=True, editable=False)
    snapshot = models.BinaryField(editable=False)
    checksum = models.CharField(
        max_length=64, editable=False, help_text="SHA-256 of the uncompressed snapshot."
    )
    counts = models.JSONField(default=dict, editable=False, help_text="Records per kind.")

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["negotiation", "-cut_at"]
        get_latest_by = "cut_at"
        constraints = [
            models.UniqueConstraint(
                fields=["negotiation", "tag"],
                name="negotiations_release_unique_tag",
                violation_error_message="This negotiation already has a release with this tag.",
            ),
        ]

    def __str__(self):
        return f"{self.negotiation.slug} {self.tag}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValidationError("A release never changes after it is cut; cut a new one.")
        return super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse(
            "release-detail", kwargs={"negotiation": self.negotiation.slug, "tag": self.tag}
        )

    def delete(self, *args, **kwargs):
        raise models.ProtectedError("A release is never deleted: a citation may name it.", [self])


# The kinds of record a reader sees on a page of its own or as a row of one: what a correction
# may name (docs/admin.md, "Corrections").
NOTE_REQUIRED = "Give the public note: readers see why it changed."
CORRECTABLE_MODELS = {
    "negotiations": ["negotiation", "round", "issue", "source"],
    "positions": ["demand", "concession"],
}
CORRECTABLE = Q(app_label="negotiations", model__in=CORRECTABLE_MODELS["negotiations"]) | Q(
    app_label="positions", model__in=CORRECTABLE_MODELS["positions"]
)


class CorrectionQuerySet(models.QuerySet):
    def of(self, record):
        """The corrections of one record, oldest first."""
        return self.filter(
            content_type__app_label=record._meta.app_label,
            content_type__model=record._meta.model_name,
            object_id=record.pk,
        )

    def by_record(self) -> dict[tuple[str, int], list]:
        """These corrections by (model name, record id), so a page spreads them in memory."""
        found: dict[tuple[str, int], list] = {}
        for correction in self.select_related("content_type"):
            key = (correction.content_type.model, correction.object_id)
            found.setdefault(key, []).append(correction)
        return found


class Correction(models.Model):
    """A public correction or withdrawal of a published record, newspaper style.

    Made by an Editor in the admin (negotiations/correction_admin.py) with a public note and
    date; who made it is kept as a role only, since it is public. Never changed or deleted
    afterwards (here and by a database trigger): a later correction corrects an earlier one.
    A withdrawn statement still counts in positions (docs/admin.md, "Corrections").
    """

    class Kind(models.TextChoices):
        CORRECTION = "correction", "correction"
        WITHDRAWAL = "withdrawal", "withdrawal"

    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        on_delete=models.PROTECT,
        limit_choices_to=CORRECTABLE,
        verbose_name="kind of record",
    )
    object_id = models.PositiveBigIntegerField(
        "record id", help_text="The id of the record, as its admin page shows it."
    )
    record = GenericForeignKey("content_type", "object_id")
    # The record's negotiation (none for a source), so a negotiation's pages and feed find its
    # corrections in one query. Set from the record when the correction is made.
    negotiation = models.ForeignKey(
        Negotiation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="corrections",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CORRECTION)
    note = models.TextField(
        "public note", help_text="What was wrong and what is right now; readers see it as written."
    )
    date = models.DateField(help_text="The date readers see on the notice.")
    made_at = models.DateTimeField(auto_now_add=True)
    made_by = models.CharField(max_length=150, blank=True, editable=False, help_text="A role.")

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["date", "made_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["correction", "withdrawal"]),
                name="negotiations_correction_kind",
                violation_error_message="A correction is a correction or a withdrawal.",
            ),
            models.CheckConstraint(
                condition=~Q(note=""),
                name="negotiations_correction_note",
                violation_error_message=NOTE_REQUIRED,
            ),
        ]

    def __str__(self):
        return (
            f"{self.get_kind_display().capitalize()} of {self.content_type.model} #{self.object_id}"
        )

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValidationError("A correction never changes once made; add another one.")
        self.negotiation = negotiation_of(self.record)
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise models.ProtectedError("A correction is public and is never deleted.", [self])

    def clean(self):
        self.note = (self.note or "").strip()
        if not self.note:
            raise ValidationError({"note": NOTE_REQUIRED})
        named = self.content_type_id is not None and self.object_id is not None
        if named and self.record is None:
            raise ValidationError(
                {"object_id": f"There is no {self.content_type.model} #{self.object_id}."}
            )

    @property
    def is_withdrawal(self) -> bool:
        return self.kind == self.Kind.WITHDRAWAL


def negotiation_of(record) -> Negotiation | None:
    """The negotiation a record belongs to (a source belongs to none)."""
    if isinstance(record, Negotiation):
        return record
    if hasattr(record, "round"):
        return record.round.negotiation
    return getattr(record, "negotiation", None)
