"""Who is asking: the client's address as the proxy in front saw it (docs/deployment.md)."""

from django.conf import settings


def client_ip(request) -> str | None:
    """Return the client's address, trusting only the proxies Parley is told are in front.

    Each trusted proxy appends the address it was connected from to X-Forwarded-For, so the
    client is the entry that many places from the right; entries further left came from the
    client itself and could be anything. With no trusted proxy, the connection's own address.
    Used by the log-in lock-out, so a guesser cannot dodge it by sending a made-up header.
    """
    proxies = settings.TRUSTED_PROXIES
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")
