"""Load a dataset file into the database: `manage.py load_dataset [--if-missing] [NAME|PATH]`."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from negotiations.loader import DEFAULT_DATASET, DatasetError, load_dataset, negotiation_slug
from negotiations.models import Negotiation
from positions.plan_loader import load_plans, plans_path


class Command(BaseCommand):
    help = (
        "Create or update a negotiation from a dataset: a name under negotiations/datasets/ "
        "(a directory of .toml files read in name order, or one .toml file) or a path to either. "
        "The file wins: a record the file holds is brought back to the file's values, which "
        "OVERWRITES edits made to it in the admin, and the negotiation's records the file no "
        "longer holds (rounds, issues, demands, concessions, participants) are REMOVED and "
        "listed. Unchanged records are not touched, and on any error nothing is loaded. With "
        "--if-missing, the file is loaded only if its negotiation is not in the database yet, "
        "so admin edits are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "dataset",
            nargs="?",
            default=DEFAULT_DATASET,
            help=(
                f"Dataset name, or path to a .toml file or a directory of them "
                f"(default: {DEFAULT_DATASET})."
            ),
        )
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help=(
                "Load only if the file's negotiation is not in the database yet; otherwise skip "
                "and change nothing (what bootstrap and the container entrypoint run)."
            ),
        )

    def handle(self, *args, dataset, if_missing=False, **options):
        try:
            if if_missing:
                slug = negotiation_slug(dataset)
                existing = Negotiation.objects.filter(slug=slug).first()
                if existing is not None:
                    self.stdout.write(
                        f"{existing.title} ({slug}) is in the database already; skipped "
                        "(--if-missing), so edits made in the admin are kept. To make it match "
                        f"the file, overwriting those edits, run: python manage.py load_dataset "
                        f"{dataset}"
                    )
                    return
            with transaction.atomic():  # the dataset and its plans file (docs/plans.md)
                report = load_dataset(dataset)
                plans = load_plans(path) if (path := plans_path(dataset)) else None
        except DatasetError as exc:
            raise CommandError(f"Nothing was loaded. {exc}") from exc
        for line in report.lines() + (plans.lines() if plans else []):
            self.stdout.write(line)
        self.stdout.write(
            "The database now matches the file. Loading overwrites edits made in the admin to "
            f"records the file holds ({report.total_updated} record(s) updated this time) and "
            f"removes the negotiation's records the file no longer holds "
            f"({report.total_removed} removed this time)."
        )
