"""Production answers as a public site must: HTTPS only, strict headers, compressed pages.

These tests start Parley the way production runs it: `DEBUG=0` with only `SECRET_KEY` and
`ALLOWED_HOSTS` set, static files collected, gunicorn, the shipped dataset in a fresh SQLite file.
Requests come "through the proxy" by sending the X-Forwarded-Proto header the documented TLS
proxy sets (docs/deployment.md). The headers checked are those the Mozilla Observatory scores.
"""

import gzip
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOST = "parley.example"
PASSWORD = "a long production password 42"
SIX_MONTHS = 15_768_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """A gunicorn serving Parley with production settings; yields its port and static root."""
    base = tmp_path_factory.mktemp("production")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECURE_", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"))
    }
    env.update(
        DEBUG="0",
        SECRET_KEY="production-test-key-" + "k" * 40,
        ALLOWED_HOSTS=HOST,
        DATABASE_URL=f"sqlite:///{base / 'db.sqlite3'}",
        STATIC_ROOT=str(base / "static"),
        PARLEY_ADMIN="boss",
        PARLEY_ADMIN_PASSWORD=PASSWORD,
    )

    def manage(*args):
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
        )

    manage("collectstatic", "--noinput")
    manage("bootstrap")
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "negotiations.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield {"port": port, "static": base / "static"}
    finally:
        server.terminate()
        server.wait(timeout=10)


def request(production, path, *, https=True, host=HOST, method="GET", body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", production["port"], timeout=30)
    sent = {"Host": host, **(headers or {})}
    if https:
        sent["X-Forwarded-Proto"] = "https"
        sent["X-Forwarded-For"] = "203.0.113.7"
    connection.request(method, path, body=body, headers=sent)
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def cookies(response) -> SimpleCookie:
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return jar


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


# --- HTTPS ---------------------------------------------------------------------------------------


def test_plain_http_is_sent_to_https(production):
    response = request(production, "/russia-ukraine-2025/", https=False)
    assert response.status == 301
    assert response.getheader("Location") == f"https://{HOST}/russia-ukraine-2025/"


def test_container_health_check_on_loopback_is_not_redirected(production):
    """The Dockerfile's HEALTHCHECK asks http://127.0.0.1:8000/healthz, without the proxy."""
    response = request(production, "/healthz", https=False, host="127.0.0.1")
    assert response.status == 200
    assert json.loads(response.body) == {"status": "ok"}


def test_https_answers_pin_https_for_two_years_with_subdomains(production):
    response = request(production, "/")
    assert response.status == 200
    hsts = response.getheader("Strict-Transport-Security")
    max_age = int(re.search(r"max-age=(\d+)", hsts).group(1))
    assert max_age >= SIX_MONTHS
    assert "includeSubDomains" in hsts
    assert "preload" in hsts


# --- Headers the Observatory scores ------------------------------------------------------------

PAGES = [
    "/",
    "/russia-ukraine-2025/",
    "/russia-ukraine-2025/issues/nato-membership/",
    "/api/v1/",
    "/api/v1/docs/",
    "/api/v1/redoc/",
    "/admin/login/",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_kind_of_answer_sends_the_protective_headers(production, path):
    response = request(production, path)
    assert response.status == 200, response.body[:300]
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("X-Frame-Options") == "DENY"
    assert response.getheader("Referrer-Policy") == "same-origin"
    assert response.getheader("Cross-Origin-Opener-Policy") in ("same-origin", "unsafe-none")
    policy = directives(response.getheader("Content-Security-Policy"))
    assert policy["default-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    for name, values in policy.items():
        for value in values:
            assert value not in ("'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"), (
                f"{name} allows {value}"
            )
    assert all(v == "'self'" or v.startswith("'nonce-") for v in policy["script-src"])
    strict = ("'self'", "'nonce-", "'sha256-", "'unsafe-hashes'")  # exact texts only
    assert all(v.startswith(strict) for v in policy["style-src"]), policy["style-src"]


def test_the_browsable_api_may_use_only_drfs_own_fixed_inline_styles(production):
    response = request(production, "/api/v1/parties/", headers={"Accept": "text/html"})
    assert response.status == 200
    assert b"Django REST framework" in response.body
    policy = directives(response.getheader("Content-Security-Policy"))
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    hashes = {v for v in policy["style-src"] if v.startswith("'sha256-")}
    html = response.body.decode()
    used = set(re.findall(r'style="([^"]*)"', html))
    used |= set(re.findall(r"<style>(.*?)</style>", html, re.S))
    assert used
    from negotiations.security import _sha256_source

    assert {_sha256_source(text) for text in used} <= hashes


def test_a_nonce_is_sent_only_where_a_page_uses_one(production):
    redoc = request(production, "/api/v1/redoc/")
    nonce = re.search(r"'nonce-([^']+)'", redoc.getheader("Content-Security-Policy")).group(1)
    assert f'nonce="{nonce}"'.encode() in redoc.body
    again = request(production, "/api/v1/redoc/").getheader("Content-Security-Policy")
    assert nonce not in again
    assert "nonce" not in request(production, "/").getheader("Content-Security-Policy")


def test_pages_carry_no_inline_script_style_or_handler(production):
    for path in PAGES:
        html = request(production, path).body.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert "<style" not in html, path
        assert not re.search(r"\sstyle=", html), path
        assert not re.search(r"\son[a-z]+=", html), path


def test_cookies_are_secure_http_only_and_same_site(production):
    login_page = request(production, "/admin/login/")
    csrf = cookies(login_page)["csrftoken"]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.body).group(1)
    logged_in = request(
        production,
        "/admin/login/?next=/admin/",
        method="POST",
        body=urlencode(
            {"username": "boss", "password": PASSWORD, "csrfmiddlewaretoken": token.decode()}
        ),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf.value}",
            "Referer": f"https://{HOST}/admin/login/",
        },
    )
    assert logged_in.status == 302, logged_in.body[:500]
    for cookie in (csrf, cookies(logged_in)["sessionid"]):
        assert cookie["secure"], cookie.key
        assert cookie["httponly"], cookie.key
        assert cookie["samesite"] == "Lax", cookie.key


# --- Compression --------------------------------------------------------------------------------

OVERVIEW = "/russia-ukraine-2025/"


def test_pages_go_out_gzipped_with_a_random_length_against_breach(production):
    plain = request(production, OVERVIEW).body
    assert len(plain) > 50_000
    answers = [
        request(production, OVERVIEW, headers={"Accept-Encoding": "gzip, br"}) for _ in range(8)
    ]
    for answer in answers:
        assert answer.getheader("Content-Encoding") == "gzip"
        assert "Accept-Encoding" in answer.getheader("Vary")
        assert gzip.decompress(answer.body) == plain
        assert len(answer.body) < len(plain) / 4
    # GZipMiddleware pads the gzip header with 0-99 random bytes, so the size of a compressed
    # answer does not give away how well a secret in it compresses with the reader's input.
    assert len({len(answer.body) for answer in answers}) > 1


def test_api_answers_are_left_uncompressed_for_programs(production):
    response = request(production, "/api/v1/parties/", headers={"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.getheader("Content-Encoding") is None
    assert json.loads(response.body)["results"]


def test_a_compressed_page_still_answers_a_revisit_with_304(production):
    first = request(production, OVERVIEW, headers={"Accept-Encoding": "gzip"})
    etag = first.getheader("ETag")
    assert etag
    again = request(
        production, OVERVIEW, headers={"Accept-Encoding": "gzip", "If-None-Match": etag}
    )
    assert again.status == 304
    assert again.body == b""


def test_static_files_are_served_precompressed_and_cached_for_good(production):
    manifest = json.loads((production["static"] / "staticfiles.json").read_text())
    hashed = manifest["paths"]["positions/parley.css"]
    response = request(production, f"/static/{hashed}", headers={"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip"
    assert "immutable" in response.getheader("Cache-Control")
    original = (production["static"] / hashed).read_bytes()
    assert gzip.decompress(response.body) == original


# --- Log-in lock-out (django-axes) --------------------------------------------------------------

RIGHT = "correct horse battery staple"  # the password tests/conftest.py gives its users


def log_in(client, username, password, address="198.51.100.20", **headers):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def is_logged_in(client) -> bool:
    return client.get("/admin/").status_code == 200


def test_twelve_wrong_passwords_lock_the_user_out_until_reset(client, editor):
    from django.core.management import call_command

    answers = [log_in(client, "erin", f"guess {n}") for n in range(12)]
    assert answers[0].status_code == 200  # the form again, with its error
    assert b"Please enter the correct username and password" in answers[0].content
    assert answers[-1].status_code == 429
    page = answers[-1].content.decode()
    assert "Log-in locked" in page
    assert "manage.py axes_reset_username erin" in page

    refused = log_in(client, "erin", RIGHT)
    assert refused.status_code == 429
    assert not is_logged_in(client)

    call_command("axes_reset_username", "erin")
    assert log_in(client, "erin", RIGHT).status_code == 302
    assert is_logged_in(client)


def test_the_lock_is_per_address_so_a_guesser_cannot_lock_out_the_user(client, editor):
    for n in range(12):
        log_in(client, "erin", f"guess {n}", address="192.0.2.66")
    assert log_in(client, "erin", RIGHT, address="192.0.2.66").status_code == 429
    assert log_in(client, "erin", RIGHT, address="198.51.100.20").status_code == 302


def test_behind_the_proxy_a_made_up_forwarded_address_does_not_dodge_the_lock(
    client, editor, settings
):
    """The proxy appends the real client address; whatever the client put before it is ignored."""
    settings.TRUSTED_PROXIES = 1
    for n in range(12):
        log_in(
            client,
            "erin",
            f"guess {n}",
            address="10.0.0.2",  # the proxy
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 192.0.2.66",
        )
    locked = log_in(
        client, "erin", RIGHT, address="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.66"
    )
    assert locked.status_code == 429
    other = log_in(client, "erin", RIGHT, address="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert other.status_code == 302


def test_the_api_takes_no_passwords_so_it_cannot_be_guessed_against(client, editor, talks):
    """Password log-in happens only on the locked-out admin form; the API wants a token or the
    session that form opened. Basic credentials, even right ones, are not accepted."""
    import base64

    basic = base64.b64encode(f"erin:{RIGHT}".encode()).decode()
    response = client.post(
        "/api/v1/parties/",
        {"slug": "west", "name": "Westland", "short_name": "WE"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert response.status_code == 401


# --- Styles without style attributes ----------------------------------------------------------


def test_every_stance_tint_a_page_uses_has_its_class_in_the_stylesheet(client, talks):
    """The CSP forbids style attributes, so each tint is a class in parley.css."""
    from positions.charts import SCALE_TINTS

    css = (ROOT / "positions/static/positions/parley.css").read_text()
    for tint in SCALE_TINTS:
        assert re.search(rf"\.stance--tint-{tint[1:]} \{{ background: {tint}; \}}", css), tint
    html = client.get("/test-talks/").content.decode()
    used = set(re.findall(r"stance--tint-([0-9a-f]{6})", html))
    assert len(used) >= 2
    assert used <= {tint[1:] for tint in SCALE_TINTS}
