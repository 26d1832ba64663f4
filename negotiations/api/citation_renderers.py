"""`cite/?format=bibtex` and `?format=csl-json`: one citation format as the whole answer.

What a reference manager imports from a URL or a file (docs/api.md, "Citing"). The JSON answer
carries every format; these give one, as the file a reader saves.
"""

from __future__ import annotations

import json

from rest_framework.renderers import BaseRenderer


class CitationRenderer(BaseRenderer):
    charset = "utf-8"
    key = ""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if not isinstance(data, dict) or self.key not in data:  # an error: say it as JSON text
            return json.dumps(data, ensure_ascii=False).encode(self.charset)
        return self.text(data[self.key]).encode(self.charset)

    def text(self, value) -> str:
        return value + "\n"


class BibTeXRenderer(CitationRenderer):
    media_type = "application/x-bibtex"
    format = "bibtex"
    key = "bibtex"


class CSLJSONRenderer(CitationRenderer):
    media_type = "application/vnd.citationstyles.csl+json"
    format = "csl-json"
    key = "csl_json"

    def text(self, value) -> str:
        return json.dumps(value, ensure_ascii=False, indent=2) + "\n"
