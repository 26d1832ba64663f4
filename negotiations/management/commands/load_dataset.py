"""Load a dataset file into the database: `manage.py load_dataset [NAME|PATH]`."""

from django.core.management.base import BaseCommand, CommandError

from negotiations.loader import DEFAULT_DATASET, DatasetError, load_dataset


class Command(BaseCommand):
    help = (
        "Create or update a negotiation from a dataset file: a name under negotiations/datasets/ "
        "or a path to a .toml file. Safe to run again: unchanged records are not touched. "
        "On any error nothing is loaded."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "dataset",
            nargs="?",
            default=DEFAULT_DATASET,
            help=f"Dataset name or path to a .toml file (default: {DEFAULT_DATASET}).",
        )

    def handle(self, *args, dataset, **options):
        try:
            report = load_dataset(dataset)
        except DatasetError as exc:
            raise CommandError(f"Nothing was loaded. {exc}") from exc
        for line in report.lines():
            self.stdout.write(line)
