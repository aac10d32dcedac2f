"""Telegram HTML primitives: escaped spans, paragraphs, and splitting under the length limit.

The only place that writes HTML tags. `bot.telegram.answer_messages` composes messages from these
paragraphs of plain text; the HTML is produced last, so a split never falls inside a tag and
lengths are measured on the text Telegram will show.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Final, Literal
from urllib.parse import urlsplit

MAX_LENGTH: Final = 4096  # telegram.constants.MessageLimit.MAX_TEXT_LENGTH
MAX_ENTITIES: Final = 90  # Telegram drops formatting past ~100 entities per message
Style = Literal["b", "i", "u", "s", "code"]


@dataclass(frozen=True)
class Span:
    """A run of plain text with at most one style or a link."""

    text: str
    style: Style | None = None
    href: str | None = None


@dataclass(frozen=True)
class Para:
    """A paragraph: joined to the previous one by a blank line, or by one newline if tight."""

    spans: tuple[Span, ...]
    tight: bool = False
    quote: bool = False


def clean(text: str) -> str:
    """Drop characters Telegram or the JSON encoder reject: lone surrogates and controls."""
    return "".join(
        ch for ch in text if ch in "\n\t" or (ord(ch) >= 32 and not 0xD800 <= ord(ch) <= 0xDFFF)
    )


def safe_url(url: str | None) -> str | None:
    """The URL if Telegram accepts it as a link target (http, https, tg), else None."""
    if not url:
        return None
    url = url.strip()
    if any(ch.isspace() or ord(ch) < 32 for ch in url) or len(url) > 2048:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme == "tg" or (parts.scheme in ("http", "https") and parts.netloc):
        return url
    return None


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def para(*spans: Span | str, tight: bool = False, quote: bool = False) -> Para:
    """A paragraph from spans or plain strings; text is cleaned, empty spans dropped."""
    items = (Span(s) if isinstance(s, str) else s for s in spans)
    kept = tuple(replace(s, text=clean(s.text)) for s in items)
    return Para(tuple(s for s in kept if s.text), tight=tight, quote=quote)


def link(text: str, url: str | None) -> Span:
    """A link when the URL is acceptable, bold text otherwise."""
    target = safe_url(url)
    return Span(text, href=target) if target else Span(text, style="b")


def truncate(text: str, limit: int) -> str:
    """Cut plain text to `limit` UTF-16 units on a word boundary, with an ellipsis."""
    text = clean(text).strip()
    if utf16_len(text) <= limit:
        return text
    cut = _cut(text, limit - 1)
    return text[:cut].rstrip() + "…"


def visible_len(p: Para) -> int:
    """Length of the paragraph's text after entity parsing."""
    return sum(utf16_len(s.text) for s in p.spans)


def entity_count(p: Para) -> int:
    """Number of entities the paragraph creates."""
    return sum(1 for s in p.spans if s.style or s.href) + (1 if p.quote else 0)


def to_html(p: Para) -> str:
    """The paragraph as Telegram HTML; every piece of text and every URL is escaped."""
    out: list[str] = []
    for s in p.spans:
        text = html.escape(s.text, quote=False)
        if s.href:
            out.append(f'<a href="{html.escape(s.href, quote=True)}">{text}</a>')
        elif s.style:
            out.append(f"<{s.style}>{text}</{s.style}>")
        else:
            out.append(text)
    body = "".join(out)
    return f"<blockquote>{body}</blockquote>" if p.quote else body


def pack(paras: Iterable[Para], limit: int = MAX_LENGTH) -> list[str]:
    """Group paragraphs into as few messages as possible, each within the limits."""
    messages: list[str] = []
    current: list[Para] = []
    length = entities = 0
    for whole in paras:
        if not whole.spans:
            continue
        for p in _split(whole, limit):
            sep = 0 if not current else (1 if p.tight else 2)
            fits = length + sep + visible_len(p) <= limit
            if current and (not fits or entities + entity_count(p) > MAX_ENTITIES):
                messages.append(_join(current))
                current, length, entities, sep = [], 0, 0, 0
            current.append(p)
            length += sep + visible_len(p)
            entities += entity_count(p)
    if current:
        messages.append(_join(current))
    return messages


def _join(paras: Sequence[Para]) -> str:
    parts = [to_html(paras[0])]
    for p in paras[1:]:
        parts.append(("\n" if p.tight else "\n\n") + to_html(p))
    return "".join(parts)


def _split(p: Para, limit: int) -> list[Para]:
    """Split a paragraph longer than `limit` into pieces that fit, at whitespace if possible."""
    if visible_len(p) <= limit:
        return [p]
    pieces: list[Para] = []
    current: list[Span] = []
    room = limit
    for span in p.spans:
        text = span.text
        while text:
            size = utf16_len(text)
            if size <= room:
                current.append(replace(span, text=text))
                room -= size
                break
            cut = _cut(text, room, hard=not current)
            if cut == 0 and not current:
                cut = 1  # cannot happen with a sane limit; guarantees progress
            if cut == 0:  # no good break point in what is left: start a new piece
                pieces.append(Para(tuple(current), tight=p.tight, quote=p.quote))
                current, room = [], limit
                continue
            current.append(replace(span, text=text[:cut]))
            pieces.append(Para(tuple(current), tight=p.tight, quote=p.quote))
            current, room, text = [], limit, text[cut:]
    if current:
        pieces.append(Para(tuple(current), tight=p.tight, quote=p.quote))
    return [q for q in pieces if q.spans]


def _cut(text: str, room: int, hard: bool = True) -> int:
    """Index where to cut `text` so the head fits in `room` units, preferring whitespace."""
    end = 0
    used = 0
    for i, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > room:
            break
        end = i + 1
    head = text[:end]
    for sep in ("\n", " "):
        pos = head.rfind(sep)
        if pos > 0 and (pos >= end // 2 or not hard):
            return pos + 1
    return end if hard else 0
