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

    slug = factory.Sequence(lambda n: f"party-{n}")
    name = factory.Sequence(lambda n: f"Party {n}")
    short_name = factory.Sequence(lambda n: f"P{n}")


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


class DemandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Demand
        skip_postgeneration_save = True

    party = factory.SubFactory(PartyFactory)
    issue = factory.SubFactory(IssueFactory)
    round = factory.SubFactory(RoundFactory)
    text = factory.Sequence(lambda n: f"Demand number {n}")

    @factory.post_generation
    def sources(self, create, extracted, **kwargs):
        if create:
            self.sources.set(extracted or [SourceFactory()])


class ConcessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Concession
        skip_postgeneration_save = True

    party = factory.SubFactory(PartyFactory)
    issue = factory.SubFactory(IssueFactory)
    round = factory.SubFactory(RoundFactory)
    text = factory.Sequence(lambda n: f"Concession number {n}")

    @factory.post_generation
    def sources(self, create, extracted, **kwargs):
        if create:
            self.sources.set(extracted or [SourceFactory()])


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
