"""Profile one API address in-process: `python bench/profile_request.py URL [REQUESTS]`.

Runs the request through Django's test client (DEBUG off, no throttling) against the database
in DATABASE_URL and prints the functions that took the most time, cumulative and own.
"""

import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "negotiations.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("API_ANON_RATE", "1000000000/second")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")


def main(url: str, requests: int = 50) -> None:
    import django

    django.setup()
    from django.test import Client

    client = Client(HTTP_HOST="localhost")

    def fetch():
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return b"".join(response.streaming_content) if response.streaming else response.content

    fetch()  # warm up
    started = time.perf_counter()
    for _ in range(requests):
        fetch()
    elapsed = (time.perf_counter() - started) / requests
    print(f"{url}: {elapsed * 1000:.2f} ms per request (unprofiled)")
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(requests):
        fetch()
    profile.disable()
    stats = pstats.Stats(profile).strip_dirs()
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)


if __name__ == "__main__":
    main(sys.argv[1], *(int(arg) for arg in sys.argv[2:3]))
