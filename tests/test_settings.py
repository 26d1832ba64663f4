"""Settings come from the environment, with safe defaults and refusal of unsafe production ones."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_check(*options, **env):
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS")
        and not k.startswith(("SECURE_", "DJANGO_"))  # the browser tests set DJANGO_ALLOW_…
    }
    environ.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", *options],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_the_development_secret_key():
    result = run_check(DEBUG="0")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_production_starts_with_its_own_secret_key():
    result = run_check(DEBUG="0", SECRET_KEY="a-long-random-production-key-" + "x" * 30)
    assert result.returncode == 0, result.stderr


def test_deploy_check_is_silent_with_only_the_three_production_settings():
    """HSTS, SSL redirect, secure cookies and the rest are on by default when DEBUG is off."""
    result = run_check(
        "--deploy",
        "--fail-level",
        "DEBUG",
        DEBUG="0",
        SECRET_KEY="a-long-random-production-key-" + "x" * 30,
        ALLOWED_HOSTS="parley.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert result.stderr == ""


def test_each_https_piece_can_be_turned_off_and_the_check_says_so():
    result = run_check(
        "--deploy",
        DEBUG="0",
        SECRET_KEY="a-long-random-production-key-" + "x" * 30,
        ALLOWED_HOSTS="parley.example",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        SECURE_COOKIES="0",
    )
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr + result.stdout


def test_local_runs_with_debug_on_stay_plain_http(client, db):
    assert client.get("/").status_code == 200  # not a redirect to https
    assert "Strict-Transport-Security" not in client.get("/", secure=True)
    assert not client.get("/").cookies.get("csrftoken", {}).get("secure")
