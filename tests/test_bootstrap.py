"""`manage.py bootstrap`: the README's first-run command, safe to run again."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.http import HttpRequest

from negotiations.models import Round
from positions.models import Demand

pytestmark = pytest.mark.django_db


def bootstrap(**options) -> str:
    out = io.StringIO()
    call_command("bootstrap", stdout=out, **options)
    return out.getvalue()


def test_first_run_loads_the_dataset_and_creates_an_admin_once():
    first = bootstrap()
    assert "Admin account created" in first
    assert User.objects.filter(is_superuser=True).count() == 1
    rounds, demands = Round.objects.count(), Demand.objects.count()
    assert rounds > 10 and demands > 10

    second = bootstrap()
    assert "exists already" in second
    assert User.objects.filter(is_superuser=True).count() == 1
    assert (Round.objects.count(), Demand.objects.count()) == (rounds, demands)


def test_a_second_bootstrap_keeps_edits_made_in_the_admin():
    bootstrap()
    demand = Demand.objects.get(
        party__slug="russia", issue__slug="language", round__slug="moscow-conditions"
    )
    demand.text = "An analyst's rewording, made in the admin."
    demand.save()
    history = demand.history.count()

    second = bootstrap()

    demand.refresh_from_db()
    assert demand.text == "An analyst's rewording, made in the admin."
    assert demand.history.count() == history
    assert "is in the database already; skipped" in second


def test_printed_password_logs_in(client):
    output = bootstrap(dataset="none")
    password = output.split("with password '")[1].split("'")[0]
    assert client.login(request=HttpRequest(), username="admin", password=password)


def test_admin_password_can_come_from_the_environment(client, monkeypatch):
    monkeypatch.setenv("PARLEY_ADMIN_PASSWORD", "a sturdy passphrase")
    bootstrap(dataset="none")
    assert client.login(request=HttpRequest(), username="admin", password="a sturdy passphrase")
