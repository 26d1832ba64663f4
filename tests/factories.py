"""factory_boy factories: small, valid records that tests adjust with keyword arguments."""

import datetime

import factory

from negotiations.models import Issue, Negotiation, Participant, Party, Round, Source, Stance
from positions.models import Concession, Demand


class NegotiationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Negotiation

    slug = factory.Sequence(lambda n: f"talks-{n}")
    title = factory.Sequence(lambda n: f"Talks {n}")
    started_on = datetime.date(2025, 1, 1)


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"party-{n}")
    name = factory.Sequence(lambda n: f"Party {n}")
    short_name = factory.Sequence(lambda n: f"P{n}")

    @factory.post_generation
    def takes_part_in(self, create, extracted, **kwargs):
        """`takes_part_in=negotiation` makes the new party a principal there."""
        if create and extracted is not None:
            Participant.objects.create(negotiation=extracted, party=self)


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    negotiation = factory.SubFactory(NegotiationFactory)
    party = factory.SubFactory(PartyFactory)
    role = Participant.Role.PRINCIPAL


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    slug = factory.Sequence(lambda n: f"source-{n}")
    kind = Source.Kind.MEDIA
    outlet = "Daily Wire Service"
    title = factory.Sequence(lambda n: f"Report {n}")
    url = factory.Sequence(lambda n: f"https://news.example/report-{n}")
    published_on = datetime.date(2025, 3, 1)


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round
        skip_postgeneration_save = True

    negotiation = factory.SubFactory(NegotiationFactory)
    slug = factory.Sequence(lambda n: f"round-{n}")
    title = factory.Sequence(lambda n: f"Round {n}")
    kind = Round.Kind.TALKS
    start_date = factory.Sequence(lambda n: datetime.date(2025, 1, 1) + datetime.timedelta(days=n))

    @factory.post_generation
    def sources(self, create, extracted, **kwargs):
        if create:
            self.sources.set(extracted or [SourceFactory()])


class IssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Issue
        skip_postgeneration_save = True

    negotiation = factory.SubFactory(NegotiationFactory)
    slug = factory.Sequence(lambda n: f"issue-{n}")
    title = factory.Sequence(lambda n: f"Issue {n}")
    category = Issue.Category.TERRITORY
    low_pole = "none"
    high_pole = "all"

    @factory.post_generation
    def scale(self, create, extracted, **kwargs):
        """Give the issue stances 0..4 unless a list of labels is passed."""
        if create:
            labels = extracted or ["none", "little", "half", "most", "all"]
            for value, label in enumerate(labels):
                Stance.objects.create(issue=self, value=value, label=label)


class StatementFactory(factory.django.DjangoModelFactory):
    """A demand or concession its rules accept: the issue and a participating party of the
    round's negotiation (a party given explicitly is taken as given)."""

    class Meta:
        abstract = True
        skip_postgeneration_save = True

    round = factory.SubFactory(RoundFactory)
    issue = factory.SubFactory(
        IssueFactory, negotiation=factory.SelfAttribute("..round.negotiation")
    )
    # A post-generation value is read from the party's own step: three dots reach the statement.
    party = factory.SubFactory(
        PartyFactory, takes_part_in=factory.SelfAttribute("...round.negotiation")
    )

    @factory.post_generation
    def sources(self, create, extracted, **kwargs):
        if create:
            self.sources.set(extracted or [SourceFactory()])


class DemandFactory(StatementFactory):
    class Meta:
        model = Demand

    text = factory.Sequence(lambda n: f"Demand number {n}")


class ConcessionFactory(StatementFactory):
    class Meta:
        model = Concession

    text = factory.Sequence(lambda n: f"Concession number {n}")


# --- plans (docs/plans.md) ----------------------------------------------------------------------


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "positions.Plan"
        skip_postgeneration_save = True

    negotiation = factory.SubFactory(NegotiationFactory)
    slug = factory.Sequence(lambda n: f"plan-{n}")
    title = factory.Sequence(lambda n: f"Plan {n}")
    tabled_by = factory.SubFactory(PartyFactory)
    date = factory.Sequence(lambda n: datetime.date(2025, 1, 1) + datetime.timedelta(days=n))
    status = "published"

    @factory.post_generation
    def sources(self, create, extracted, **kwargs):
        if create:
            self.sources.set(extracted if extracted is not None else [SourceFactory()])


class PlanPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "positions.PlanPoint"
        skip_postgeneration_save = True

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    text = factory.Sequence(lambda n: f"Point {n} says something neutral")

    @factory.post_generation
    def sources(self, create, extracted, **kwargs):
        if create:
            self.sources.set(extracted if extracted is not None else [SourceFactory()])
