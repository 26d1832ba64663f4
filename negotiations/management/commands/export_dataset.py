"""Write a negotiation in the loader's format: `manage.py export_dataset NEGOTIATION [--output]`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from negotiations.exporter import (
    ExportError,
    export_dataset,
    export_plans,
    sources_in_no_negotiation,
    write_export,
)
from negotiations.models import Negotiation


class Command(BaseCommand):
    help = (
        "Write a negotiation (by slug) in the dataset format that load_dataset reads "
        "(docs/dataset.md). Without --output the dataset file goes to standard output. With "
        "--output PATH, the plans file (if the negotiation has plans) goes beside it as "
        "NAME-plans.toml, where load_dataset PATH finds it, unless --plans-output says otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument("negotiation", help="The negotiation's slug.")
        parser.add_argument("--output", type=Path, help="File to write the dataset to.")
        parser.add_argument(
            "--plans-output",
            type=Path,
            help="File to write the plans to (default: beside --output, as NAME-plans.toml).",
        )

    def handle(self, *args, negotiation, output=None, plans_output=None, **options):
        found = Negotiation.objects.filter(slug=negotiation).first()
        if found is None:
            known = ", ".join(Negotiation.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(f"No negotiation {negotiation!r}. Known: {known or 'none'}.")
        if stray := sources_in_no_negotiation():
            self.stderr.write(
                f"Not exported: {len(stray)} source(s) that nothing cites, so they belong to no "
                f"negotiation: {', '.join(stray)}."
            )
        try:
            if output is None:
                self.stdout.write(export_dataset(found), ending="")
                if plans_output is not None and (plans := export_plans(found)) is not None:
                    plans_output.write_text(plans, encoding="utf-8")
                    self.stderr.write(f"Wrote {plans_output}")
                return
            written = write_export(found, output, plans_output)
        except ExportError as exc:
            raise CommandError(f"Nothing was written. {exc}") from exc
        except OSError as exc:
            raise CommandError(f"Could not write the export: {exc}") from exc
        for path in written:
            self.stdout.write(f"Wrote {path}")
