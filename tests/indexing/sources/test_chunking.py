"""Chunks follow headings, keep their section path and stay within the size policy."""

from __future__ import annotations

import pytest

from indexing.models import Document
from indexing.sources.chunking import ChunkingPolicy, chunk_document, split_sentences


def doc(text: str) -> Document:
    """A document with the given body."""
    return Document(path="a.md", title="Titre", text=text, content_hash="h")


def test_chunks_never_cross_headings_and_keep_the_section_path() -> None:
    body = (
        "# Titre\n\nIntro "
        + "mot " * 30
        + "\n\n## Partie A\n\n"
        + "alpha " * 40
        + "\n\n### Détail\n\n"
        + "beta " * 40
        + "\n\n## Partie B\n\n"
        + "gamma " * 40
    )
    chunks = chunk_document(doc(body))
    sections = [c.section for c in chunks]
    assert sections == ["", "Partie A", "Partie A > Détail", "Partie B"]
    assert all(c.title == "Titre" for c in chunks)
    assert "gamma" in chunks[-1].text and "alpha" not in chunks[-1].text
    assert chunks[2].embedding_text().startswith("Titre — Partie A > Détail. ")


def test_long_sections_are_split_by_sentence_under_the_limit() -> None:
    sentence = "Une phrase de dix mots pour remplir la section ici. "
    chunks = chunk_document(doc("## Long\n\n" + sentence * 60), ChunkingPolicy(max_words=100))
    assert len(chunks) >= 5
    assert all(len(c.text.split()) <= 100 for c in chunks)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))


def test_tiny_passages_are_merged_with_the_next_one_of_their_section() -> None:
    chunks = chunk_document(doc("## A\n\nCourt.\n\n" + "suite " * 40), ChunkingPolicy(min_words=10))
    assert len(chunks) == 1 and chunks[0].text.startswith("Court.")


def test_split_sentences_handles_french_punctuation() -> None:
    assert split_sentences("Le DLA est gratuit. Est-ce utile ? « Oui » dit-on… Enfin !") == [
        "Le DLA est gratuit.",
        "Est-ce utile ?",
        "« Oui » dit-on…",
        "Enfin !",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "mot " * 200_000,  # no sentence or paragraph break at all
        "x" * 1_000_000,  # not even a space
        "Titre\n\n" + ("une phrase sans fin, " * 5000) + "\n\n" + "a" * 30_000 + " fin.",
    ],
)
def test_every_passage_has_a_hard_size_limit(text: str) -> None:
    policy = ChunkingPolicy()
    chunks = chunk_document(doc(text), policy)
    assert chunks
    assert all(len(c.text.split()) <= policy.hard_max_words for c in chunks)
    assert all(len(c.text) <= policy.max_chars for c in chunks)
    assert sum(len("".join(c.text.split())) for c in chunks) == len("".join(text.split()))
