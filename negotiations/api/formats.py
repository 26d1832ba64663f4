"""Which formats an answer comes in, and a clear refusal for any other.

DRF answers an unknown `?format=` with a bare 404 "Not found.", which reads as if the record
were missing. Here it is a 400 naming `format` and the formats there are; an Accept header no
renderer can serve stays a 406, now saying which media types there are.
"""

from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation


class StrictContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        name = self.settings.URL_FORMAT_OVERRIDE
        given = format_suffix or request.query_params.get(name)
        formats = sorted({renderer.format for renderer in renderers} - {"api"})
        if given and not self.filter_renderers_quietly(renderers, given):
            raise exceptions.ValidationError(
                {name: [f"No format “{given}”; choose {' or '.join(formats)}."]}
            )
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except exceptions.NotAcceptable:
            media_types = sorted(
                {renderer.media_type for renderer in renderers if renderer.format != "api"}
            )
            raise exceptions.NotAcceptable(
                f"Cannot answer as “{request.META.get('HTTP_ACCEPT', '')}”"
                + (f" with format={given}" if given else "")
                + f"; this endpoint answers {' or '.join(media_types)} "
                f"(or ?{name}={'|'.join(formats)})."
            ) from None

    def filter_renderers_quietly(self, renderers, given):
        return [renderer for renderer in renderers if renderer.format == given]
