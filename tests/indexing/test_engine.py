"""The engine's face on the session's indexed fixture folder (read-only): its catalogue, its
index check, the glossary reminders under an answer; and an engine with no index yet."""

from __future__ import annotations

import pytest

from indexing.engine import DEFINITIONS_SHOWN, KnowledgeEngine, first_sentence
from indexing.errors import IndexNotBuiltError


def test_the_catalogue_lists_every_document_by_title(indexed_shared: KnowledgeEngine) -> None:
    documents = indexed_shared.documents()
    titles = [d.title.lower() for d in documents]
    assert titles == sorted(titles) and len(documents) == 5
    assert {d.path for d in documents} >= {"glossaire.md", "ressources/dla.md"}


def test_an_indexed_engine_needs_no_first_index(indexed_shared: KnowledgeEngine) -> None:
    assert indexed_shared.has_index()
    assert indexed_shared.ensure_index() is None


def test_glossary_reminders_are_one_sentence_and_few(indexed_shared: KnowledgeEngine) -> None:
    answer = indexed_shared.answer("Une SCIC ou une association pour notre tiers-lieu ? Le DLA ?")
    assert 0 < len(answer.definitions) <= DEFINITIONS_SHOWN
    for entry in answer.definitions:
        assert entry.definition == first_sentence(entry.definition)


def test_first_sentence() -> None:
    assert (
        first_sentence("Une coopérative. Elle associe salariés et usagers.") == "Une coopérative."
    )
    assert first_sentence("") == ""


def test_an_engine_without_index_says_so(engine: KnowledgeEngine) -> None:
    assert not engine.has_index()
    with pytest.raises(IndexNotBuiltError, match="essbot index"):
        engine.documents()
