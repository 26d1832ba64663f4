"""Who is asking, and what the browser may run: client address and CSP (docs/deployment.md)."""

import base64
import functools
import hashlib
import re
from pathlib import Path

import rest_framework
from django.conf import settings
from django.utils.html import escape
from rest_framework.compat import pygments_css
from rest_framework.renderers import BrowsableAPIRenderer


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


# --- The browsable API under the Content-Security-Policy ----------------------------------------

_DRF_TEMPLATES = Path(rest_framework.__file__).parent / "templates" / "rest_framework"


def _sha256_source(text: str) -> str:
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"'sha256-{digest}'"


@functools.cache
def browsable_api_style_sources() -> tuple[str, ...]:
    """CSP sources for exactly the inline styles DRF's own templates write, and nothing else.

    DRF's browsable API templates carry fixed style attributes (style="float: right") and one
    <style> element of Pygments rules. Rather than copy and edit DRF's templates, the policy of
    those answers allows these exact texts by hash ('unsafe-hashes' lets a hash match a style
    attribute); any other inline style, and every inline script, stays blocked.
    """
    attributes = set()
    for template in _DRF_TEMPLATES.rglob("*.html"):
        attributes.update(re.findall(r'style="([^"{}]*)"', template.read_text()))
    code_style = pygments_css(BrowsableAPIRenderer.code_style)
    elements = {str(escape(code_style))} if code_style else set()
    return ("'unsafe-hashes'", *sorted(_sha256_source(text) for text in attributes | elements))


class StrictBrowsableAPIRenderer(BrowsableAPIRenderer):
    """DRF's browsable API, sent with a policy that admits only its own fixed inline styles."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        html = super().render(data, accepted_media_type, renderer_context)
        response = (renderer_context or {}).get("response")
        if response is not None:
            response._csp_update = {"style-src": list(browsable_api_style_sources())}
        return html


# Redoc (the /api/v1/redoc/ page) does three things a strict policy refuses; this page alone
# allows exactly those: the two <style> elements its bundle adds while loading, before it can be
# given the page's nonce (allowed by hash: the texts are fixed in the drf-spectacular-sidecar
# release; tests/browser/test_csp.py fails if an upgrade changes them), its search index in a
# worker started from a blob: address, and its attribution logo, an image from its maker's site.
REDOC_POLICY = {
    "style-src": [
        "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
        "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
    ],
    "worker-src": ["blob:"],
    "img-src": ["https://cdn.redoc.ly"],
}
