"""Test kit of the bot tests: hostile strings, an HTML checker, engines, end-to-end helpers."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import sqlalchemy
from sqlalchemy import select

from bot.telegram.html import MAX_LENGTH, utf16_len
from indexing.models import Answer, FailedFile, IndexReport, Source
from indexing.retrieval.embedding import HashingEmbedder
from indexing.storage.db import Base

ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-spoiler",
}
ENTITY_NAMES = {"lt", "gt", "amp", "quot"}

RTL = "\u202eمرحبا بالعالم\u202c שלום עולם"
HOSTILE = (
    "<script>alert('x')</script>",
    "Tom & Jerry &amp; &lt;b&gt; &#x27; &nbsp; & <b>gras</b> </i> <a href='x'>",
    "Émoji 👩🏽‍💻🚀🇫🇷 ✅ " * 3,
    RTL,
    "Guillemets \" et ' et `code` et *étoiles* _tirets_",
    "Ligne\navec\r\nretours\tet\x00contrôles\x07",
    "Surrogate seul \ud800 ici",
    "mot " * 2500,  # 10,000 characters
    "x" * 10_000,  # 10,000 characters, no space
    "👍" * 5000,  # 10,000 UTF-16 units
)
HOSTILE_URLS = (
    'https://example.org/a?b=1&c="2"<script>',
    "javascript:alert(1)",
    "https://exa mple.org/space",
    "ftp://example.org/file",
    None,
    "",
    "https://example.org/" + "é" * 50,
)


class TelegramHtml(HTMLParser):
    """Checks that a string is HTML Telegram accepts, and measures its text after parsing."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.errors.append(f"tag <{tag}> not allowed")
        names = [name for name, _ in attrs]
        if tag == "a":
            if names != ["href"]:
                self.errors.append(f"<a> attributes {names}")
        elif names and not (tag in ("code", "blockquote") and names in (["class"], ["expandable"])):
            self.errors.append(f"<{tag}> attributes {names}")
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.errors.append(f"self-closing <{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unbalanced </{tag}> (open: {self.stack})")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        for ch in "<>&":
            if ch in data:
                self.errors.append(f"raw {ch!r} in text")
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in ENTITY_NAMES:
            self.errors.append(f"entity &{name}; not supported")
        self.text.append({"lt": "<", "gt": ">", "amp": "&", "quot": '"'}.get(name, "?"))

    def handle_charref(self, name: str) -> None:
        self.text.append(chr(int(name[1:], 16) if name.lower().startswith("x") else int(name)))

    def handle_comment(self, data: str) -> None:
        self.errors.append("comment")

    def unknown_decl(self, data: str) -> None:
        self.errors.append(f"declaration {data}")


def check_html(message: str) -> str:
    """Assert the message is valid Telegram HTML within limits; return its visible text."""
    parser = TelegramHtml()
    parser.feed(message)
    parser.close()
    assert not parser.errors, (parser.errors, message[:500])
    assert not parser.stack, f"unclosed tags {parser.stack}"
    text = "".join(parser.text)
    assert text.strip(), "empty message"
    assert utf16_len(text) <= MAX_LENGTH, utf16_len(text)
    text.encode("utf-8")  # no lone surrogate
    return text


def check_messages(messages: Sequence[str]) -> str:
    """Check every part of a multi-part message; return the visible text joined."""
    assert messages, "no message"
    return "\n".join(check_html(m) for m in messages)


def source(
    n: int,
    *,
    title: str | None = None,
    url: str | None = "https://example.org/doc",
    excerpt: str = "Un passage du document.",
    type_: str = "ressource",
    date: str | None = "2026-03-12",
    path: str | None = None,
    **details: Any,
) -> Source:
    """A source for tests (`details`: references, example, review_due, passage_url...)."""
    return Source(
        **details,
        title=title or f"Document {n}",
        url=url,
        path=path or f"ressources/doc-{n}.md",
        date=date,
        type=type_,
        score=1.0 / (n + 1),
        excerpt=excerpt,
        chunk_ids=(n, n + 100),
    )


def make_answer(
    question: str = "Quel outil pour partager des fichiers ?",
    *,
    answered: bool = True,
    text: str = "Nextcloud permet de partager des fichiers.",
    sources: int = 6,
) -> Answer:
    """An answer for tests."""
    return Answer(
        question=question,
        answered=answered,
        text=text,
        sources=tuple(source(i) for i in range(sources)),
        build_id="b1",
    )


@dataclass(frozen=True)
class Doc:
    """A catalogue entry for tests."""

    path: str
    title: str
    url: str | None
    date: str | None
    type: str
    tags: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    review_by: str | None = None
    example: bool = False


class FakeEngine:
    """The engine's interface with canned answers; reindex can be held open by the test."""

    def __init__(self) -> None:
        self.questions: list[str] = []
        self.embedder = HashingEmbedder()
        self.release = threading.Event()
        self.release.set()
        self.reindex_started = threading.Event()
        self.docs = [
            Doc(
                "r/nextcloud.md",
                "Nextcloud & Framaspace",
                "https://example.org/nc",
                "2026-01-05",
                "ressource",
                themes=("outils collaboratifs",),
            ),
            Doc(
                "a/atelier.md",
                "Atelier <visio>",
                None,
                "2026-02-01",
                "atelier",
                themes=("animation",),
            ),
        ]

    def answer(self, question: str, limit: int = 5) -> Answer:
        self.questions.append(question)
        if "inconnu" in question:
            return Answer(
                question,
                False,
                "La base ne parle pas de ce sujet.",
                tuple(source(i) for i in range(2)),
                missing="ce sujet",
            )
        return make_answer(question, sources=min(limit, 6))

    def reindex(
        self, full: bool = False, progress: Callable[[int, int, str], None] | None = None
    ) -> IndexReport:
        self.reindex_started.set()
        for done in range(1, 4):
            if progress:
                progress(done, 3, f"ressources/doc-{done}.md")
            self.release.wait(10)
        return IndexReport(
            added=("ressources/doc-1.md",),
            updated=("ressources/doc-2.md",),
            removed=(),
            unchanged=4,
            failed=(FailedFile("ressources/casse.pdf", "PDF illisible <chiffré>"),),
        )

    def documents(self) -> list[Doc]:
        return list(self.docs)


def rows_about(db: sqlalchemy.Engine, user_hash: str, question_ids: set[int]) -> list[str]:
    """Every row of every table that holds the pseudonym or points at one of the questions."""
    found = []
    with db.connect() as connection:
        for table in Base.metadata.sorted_tables:
            pointers = [
                c
                for c in table.columns
                if any(fk.column.table.name == "bot_questions" for fk in c.foreign_keys)
                or (table.name == "bot_questions" and c.name == "id")
            ]
            for row in connection.execute(select(table)):
                values = row._mapping
                if any(isinstance(v, str) and user_hash in v for v in values.values()) or any(
                    values[c.name] in question_ids for c in pointers
                ):
                    found.append(f"{table.name}: {dict(values)}")
    return found
