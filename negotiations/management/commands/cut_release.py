"""manage.py cut_release NEGOTIATION TAG [--date YYYY-MM-DD] [--note TEXT] (docs/releases.md)."""

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from negotiations.models import Negotiation
from negotiations.releases import cut_release


class Command(BaseCommand):
    help = "Cut a release of a negotiation: a frozen copy of its records, citable by its tag."

    def add_arguments(self, parser):
        parser.add_argument("negotiation", help="The negotiation's slug.")
        parser.add_argument("tag", help="The release's tag, e.g. 2026.02.")
        parser.add_argument("--note", default="", help="What the release is for or adds.")
        parser.add_argument(
            "--date", type=datetime.date.fromisoformat, help="Release date (default: today)."
        )

    def handle(self, *args, negotiation, tag, note, date, **options):
        found = Negotiation.objects.filter(slug=negotiation).first()
        if found is None:
            slugs = ", ".join(Negotiation.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No negotiation “{negotiation}”; there are: {slugs}.")
        try:
            release = cut_release(found, tag=tag, date=date, note=note, cut_by="manage.py")
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        counts = ", ".join(f"{n} {kind}" for kind, n in release.counts.items() if n)
        self.stdout.write(f"Cut release {release.tag} of {found.slug}: {counts}.")
        self.stdout.write(f"SHA-256 {release.checksum}")
