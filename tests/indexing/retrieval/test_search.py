"""Hybrid search over a real snapshot (FAISS, BM25) with the hashing embedder: the fusion
arithmetic, definition questions, the glossary demoted below the dedicated sheets."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexing.models import DocumentInfo, Passage
from indexing.retrieval.embedding import HashingEmbedder
from indexing.retrieval.glossary import GLOSSARY_TYPE, Glossary
from indexing.retrieval.search import FusionConfig, Retriever, asks_for_definition
from indexing.storage.snapshot import Snapshot, SnapshotStore

DOCUMENTS = [
    DocumentInfo("dla.md", "Le DLA", None, None, "ressource"),
    DocumentInfo("dons.md", "Dons en ligne", None, None, "ressource"),
    DocumentInfo("glossaire.md", "Glossaire", None, None, GLOSSARY_TYPE),
]
PASSAGES = [
    Passage(1, "dla.md", 0, "", "Le DLA accompagne gratuitement les associations employeuses."),
    Passage(2, "dla.md", 1, "Contact", "Le DLA se contacte par le réseau régional."),
    Passage(3, "dons.md", 0, "", "Collecter des dons en ligne avec un formulaire sécurisé."),
    Passage(
        4,
        "glossaire.md",
        0,
        "Glossaire > DLA — Dispositif local d'accompagnement",
        "Accompagnement des structures de l'ESS.",
    ),
]


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    store = SnapshotStore(tmp_path_factory.mktemp("search") / "index")
    vectors = HashingEmbedder().embed_passages([p.text for p in PASSAGES])
    store.write("b1", "hashing-trigrams", PASSAGES, vectors, DOCUMENTS)
    return Snapshot.load(store, "b1")


def glossary(snapshot: Snapshot) -> Glossary:
    return Glossary.from_passages(snapshot.passages, {"glossaire.md"})


def test_linear_fusion_of_normalised_scores() -> None:
    retriever = Retriever(HashingEmbedder(), FusionConfig(normalise="max", dense_weight=0.5))
    fused = retriever.fuse({1: 0.8, 2: 0.4}, {2: 6.0, 3: 3.0})
    assert fused == pytest.approx({1: 0.5, 2: 0.25 + 0.5, 3: 0.25})
    minmax = Retriever(HashingEmbedder(), FusionConfig(normalise="minmax", dense_weight=1.0))
    assert minmax.fuse({1: 0.8, 2: 0.4}, {}) == pytest.approx({1: 1.0, 2: 0.0})


def test_definition_questions() -> None:
    assert asks_for_definition("C'est quoi une SCIC ?")
    assert asks_for_definition("RGPD")  # a bare term or acronym
    assert asks_for_definition("what does DLA stand for")
    assert not asks_for_definition("Comment collecter des dons en ligne ?")


def test_documents_are_ranked_with_their_passages(snapshot: Snapshot) -> None:
    retrieval = Retriever(HashingEmbedder()).search(
        snapshot, glossary(snapshot), "Comment collecter des dons en ligne ?"
    )
    assert retrieval.documents[0].path == "dons.md"
    assert retrieval.top_keyword > 0 and 0 < retrieval.top_dense <= 1
    assert retrieval.coverage == 1.0  # every term of the question is in the base
    dla = next(d for d in retrieval.documents if d.path == "dla.md")
    assert [snapshot.passages[c.index].chunk_id for c in dla.chunks] in ([1, 2], [2, 1])


def scores(snapshot: Snapshot, question: str, **weights: float) -> dict[str, float]:
    retriever = Retriever(HashingEmbedder(), FusionConfig(**weights))  # type: ignore[arg-type]
    found = retriever.search(snapshot, glossary(snapshot), question)
    return {d.path: d.score for d in found.documents}


def test_the_glossary_is_demoted_unless_a_definition_is_asked(snapshot: Snapshot) -> None:
    plain = "Le DLA accompagne-t-il les associations ?"
    full = scores(snapshot, plain, glossary_weight=1.0, glossary_definition_weight=0.2)
    demoted = scores(snapshot, plain, glossary_weight=0.5, glossary_definition_weight=0.2)
    assert demoted["glossaire.md"] == pytest.approx(full["glossaire.md"] * 0.5)
    assert demoted["dla.md"] == full["dla.md"] and max(demoted, key=demoted.get) == "dla.md"  # type: ignore[arg-type]

    asked = "C'est quoi le DLA ?"
    full = scores(snapshot, asked, glossary_weight=0.2, glossary_definition_weight=1.0)
    demoted = scores(snapshot, asked, glossary_weight=0.2, glossary_definition_weight=0.6)
    assert demoted["glossaire.md"] == pytest.approx(full["glossaire.md"] * 0.6)


def test_the_question_is_expanded_with_the_glossary(snapshot: Snapshot) -> None:
    found = Retriever(HashingEmbedder()).search(snapshot, glossary(snapshot), "Le DLA ?")
    assert [t.term for t in found.glossary_terms] == ["DLA"]
    assert found.expanded == "Le DLA ? (DLA Dispositif local d'accompagnement)"


def test_an_empty_snapshot_finds_nothing(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path / "index")
    store.write("empty", "hashing-trigrams", [], HashingEmbedder().embed_passages([]), [])
    empty = Snapshot.load(store, "empty")
    retrieval = Retriever(HashingEmbedder()).search(empty, Glossary([]), "DLA")
    assert retrieval.documents == () and retrieval.top_dense == 0.0
