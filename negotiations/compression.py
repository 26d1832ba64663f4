"""Compressed pages (docs/deployment.md, "Compression")."""

from django.middleware.gzip import GZipMiddleware

COMPRESSED_TYPES = ("text/html", "application/atom+xml")


class PageGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware, with its padding against BREACH, for pages and feeds only.

    Pages are large (60–400 KB) and compress six- to tenfold. API answers and CSV exports are
    left as they are: their clients are programs on fast links, compressing a streamed export
    of a million rows would cost the worker more than it saves, and a proxy in front can still
    compress them if a deployment wants it.
    """

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith(COMPRESSED_TYPES):
            return response
        return super().process_response(request, response)
