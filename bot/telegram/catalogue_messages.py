"""/sources: the catalogue as a short menu of themes, and the documents of one theme."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from bot.assistant.replies import DocumentLike
from bot.telegram import texts
from bot.telegram.answer_messages import TITLE_MAX, count, plain
from bot.telegram.html import Span, link, pack, para, truncate

THEME_SHOWN: Final = 20  # documents listed under a theme; 20 titles of 150 chars fit a message
THEME_KEY_CHARS: Final = 12


@dataclass(frozen=True)
class Theme:
    """A theme of the catalogue with its documents, and the short key its button carries."""

    name: str
    key: str
    documents: tuple[DocumentLike, ...]


def themes(documents: Iterable[DocumentLike]) -> list[Theme]:
    """The catalogue's themes, alphabetically ("Autres sujets" last), documents by title."""
    by_theme: dict[str, list[DocumentLike]] = defaultdict(list)
    for doc in documents:
        for theme in doc.themes or (texts.CATALOGUE_OTHER_THEME,):
            by_theme[theme].append(doc)
    names = sorted((t for t in by_theme if t != texts.CATALOGUE_OTHER_THEME), key=str.casefold)
    if texts.CATALOGUE_OTHER_THEME in by_theme:
        names.append(texts.CATALOGUE_OTHER_THEME)
    return [
        Theme(
            name,
            hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:THEME_KEY_CHARS],
            tuple(sorted(by_theme[name], key=lambda d: d.title.casefold())),
        )
        for name in names
    ]


def theme_by_key(found: Sequence[Theme], key: str) -> Theme | None:
    """The theme a button refers to, if it still exists."""
    return next((theme for theme in found if theme.key == key), None)


def _capitalised(name: str) -> str:
    return name[:1].upper() + name[1:]


def catalogue(documents: Iterable[DocumentLike]) -> list[str]:
    """/sources: one short message; the themes are buttons (`keyboards.themes_keyboard`)."""
    docs = list(documents)
    found = themes(docs)
    if not found:
        return [plain(texts.CATALOGUE_EMPTY)]
    summary = texts.CATALOGUE_MENU.format(
        documents=count(len(docs), "document", "documents"),
        themes=count(len(found), "thème", "thèmes"),
    )
    return pack([para("📚 ", Span(texts.CATALOGUE_TITLE, "b")), para(summary)])


def theme_label(theme: Theme) -> str:
    """The button of a theme: its name and how many documents it holds (plain text)."""
    return truncate(f"{_capitalised(theme.name)} ({len(theme.documents)})", 60)


def theme_documents(theme: Theme) -> str:
    """The documents of one theme, each linked, in one message."""
    paras = [para("📚 ", Span(truncate(_capitalised(theme.name), TITLE_MAX), "b"))]
    for doc in theme.documents[:THEME_SHOWN]:
        paras.append(
            para(
                "• ",
                link(truncate(doc.title, TITLE_MAX), doc.url),
                texts.EXAMPLE_LABEL if doc.example else "",
                tight=True,
            )
        )
    if len(theme.documents) > THEME_SHOWN:
        rest = len(theme.documents) - THEME_SHOWN
        paras.append(para(texts.CATALOGUE_MORE.format(count=rest)))
    return pack(paras)[0]  # THEME_SHOWN titles of at most TITLE_MAX stay under 4096
