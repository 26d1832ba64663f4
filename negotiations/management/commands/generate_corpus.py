"""Fill a database with a synthetic corpus for benchmarks: `manage.py generate_corpus`."""

from django.core.management.base import BaseCommand, CommandError

from negotiations.corpus import CorpusRefused, CorpusSize, ProgressBar, generate_corpus

DEFAULT = CorpusSize()


def share(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = (
        "Add a synthetic corpus (negotiations synthetic-000, synthetic-001, …) for benchmarks. "
        "The defaults make 1,000,000 demands: 100 negotiations × 50 rounds × 40 issues × 5 "
        "principals. The same options give the same corpus; negotiations already there are "
        "kept, so a stopped run resumes. Refuses a database holding real negotiations unless "
        "--force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--negotiations", type=int, default=DEFAULT.negotiations)
        parser.add_argument("--rounds", type=int, default=DEFAULT.rounds)
        parser.add_argument("--issues", type=int, default=DEFAULT.issues)
        parser.add_argument(
            "--principals", type=int, default=DEFAULT.principals, help="Parties per negotiation."
        )
        parser.add_argument(
            "--stated",
            type=share,
            default=DEFAULT.stated,
            help="Share (0–1) of round × issue × principal cells with a demand (default 1).",
        )
        parser.add_argument(
            "--concessions",
            type=share,
            default=DEFAULT.concessions,
            help="Share (0–1) of demands followed by a concession (default 0.02).",
        )
        parser.add_argument("--seed", type=int, default=DEFAULT.seed)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Add the corpus even though the database holds real negotiations.",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, force, no_progress, **options):
        fields = CorpusSize.__dataclass_fields__
        size = CorpusSize(**{name: options[name] for name in fields})
        for name in ("negotiations", "rounds", "issues", "principals"):
            if getattr(size, name) < 1:
                raise CommandError(f"--{name} must be at least 1.")
        self.stdout.write(
            f"Synthetic corpus: {size.negotiations} negotiations × {size.rounds} rounds × "
            f"{size.issues} issues × {size.principals} principals, {size.stated:.0%} stated "
            f"(about {size.demands:,} demands), seed {size.seed}."
        )
        progress = None if no_progress else ProgressBar(self.stderr._out)
        try:
            report = generate_corpus(size, force=force, progress=progress)
        except CorpusRefused as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Made {report.created} negotiation(s) with {report.demands:,} demands and "
            f"{report.concessions:,} concessions; {report.kept} were there already and kept."
        )
