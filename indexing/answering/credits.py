"""The page a quoted passage itself credits: a link in its text, or a `[n]` footnote that
points to the n-th reference of its sheet."""

from __future__ import annotations

import re
from collections.abc import Sequence

from indexing.models import Reference

_MARKDOWN_LINK = re.compile(r"\]\((https?://[^\s)]+)\)")
_BARE_LINK = re.compile(r"(?<![(\w])(https?://[^\s)>\]]+)")
_FOOTNOTE = re.compile(r"\[(\d{1,2})\](?!\()")


def credited_url(passage: str, references: Sequence[Reference]) -> str | None:
    """The first page the passage links to or cites by footnote, if any."""
    for pattern in (_MARKDOWN_LINK, _BARE_LINK):
        match = pattern.search(passage)
        if match:
            return match.group(1).rstrip(".,;:")
    for match in _FOOTNOTE.finditer(passage):
        number = int(match.group(1))
        if 1 <= number <= len(references) and references[number - 1].url:
            return references[number - 1].url
    return None
