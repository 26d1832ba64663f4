"""One command from a fresh checkout to a working Parley: schema, dataset, an admin account."""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Apply migrations, load the shipped dataset if its negotiation is not in the database yet "
        "and make sure an admin account exists. Safe to run again: it reuses what is there, "
        "duplicates nothing and never overwrites edits made in the admin (to make the data match "
        "the file again, run load_dataset yourself)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dataset",
            default="russia-ukraine-2025",
            help="Dataset to load if its negotiation is missing (name or path); 'none' to skip.",
        )
        parser.add_argument("--admin-username", default=os.environ.get("PARLEY_ADMIN", "admin"))

    def handle(self, *args, dataset, admin_username, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database schema is up to date.")
        if dataset != "none":
            call_command("load_dataset", dataset, if_missing=True, stdout=self.stdout)
        self.ensure_admin(admin_username)

    def ensure_admin(self, username: str) -> None:
        """Create a superuser on first run only; its password is printed once, never stored."""
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write(
                "An admin account exists already. Forgot its password? "
                f"Run: python manage.py changepassword {username}"
            )
            return
        password = os.environ.get("PARLEY_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        User.objects.create_superuser(username, "", password)
        self.stdout.write(
            self.style.SUCCESS(
                "Admin account created. Log in at http://127.0.0.1:8000/admin/ as "
                f"'{username}' with password '{password}' (shown only this once)."
            )
        )
