"""Word diffs: how a demand's wording changed, for the compare and plan pages."""

from __future__ import annotations

import difflib
import re

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(before: str, after: str) -> SafeString:
    """Return `after` as HTML with the words removed since `before` in <del> and added in <ins>.

    When most of the wording changed, a word-by-word diff is noise; the old and new wording are
    then shown whole, one after the other. Each change carries hidden words ("removed:",
    "added:") because screen readers do not announce <del> and <ins>.
    """
    words = difflib.SequenceMatcher(a=(before or "").split(), b=(after or "").split())
    if words.ratio() < REWRITE_RATIO:
        return format_html(
            '<span class="rewritten">{}{}</span>', _removed(before or ""), _added(after or "")
        )
    old, new = _TOKENS.findall(before or ""), _TOKENS.findall(after or "")
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    parts: list[str] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(new[b1:b2])))
            continue
        if op in ("delete", "replace"):
            parts.append(_removed("".join(old[a1:a2])))
        if op in ("insert", "replace"):
            parts.append(_added("".join(new[b1:b2])))
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped


# Below this share of words in common, wording counts as rewritten rather than edited.
REWRITE_RATIO = 0.5


def _removed(text: str) -> str:
    return format_html('<del><span class="visually-hidden">removed: </span>{}</del>', text)


def _added(text: str) -> str:
    return format_html('<ins><span class="visually-hidden">added: </span>{}</ins>', text)
