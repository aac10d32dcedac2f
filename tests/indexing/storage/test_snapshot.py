"""Snapshots on disk: a build written, published and loaded back whole; incomplete builds and
missing pointers are clear errors; pruning keeps what readers use."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from indexing.errors import IndexNotBuiltError
from indexing.models import DocumentInfo, Passage
from indexing.retrieval.embedding import HashingEmbedder
from indexing.storage.snapshot import Snapshot, SnapshotStore, new_build_id

DOCUMENTS = [
    DocumentInfo("rgpd.md", "Le RGPD", None, "2026-01-05", "ressource", ("données",), ("droit",)),
    DocumentInfo("visio.md", "Réunions à distance", "https://x.org/v", None, "atelier"),
]
PASSAGES = [
    Passage(10, "rgpd.md", 0, "Registre", "Tenir le registre des traitements."),
    Passage(11, "rgpd.md", 1, "Sécurité", "Chiffrer les sauvegardes."),
    Passage(12, "visio.md", 0, "", "Une visioconférence libre : Jitsi."),
]


def write_build(store: SnapshotStore, build_id: str, model: str = "hashing-trigrams") -> None:
    vectors = HashingEmbedder().embed_passages([p.text for p in PASSAGES])
    store.write(build_id, model, PASSAGES, vectors, DOCUMENTS)


def test_a_published_build_loads_back_whole(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path / "index")
    build_id = new_build_id()
    write_build(store, build_id)
    assert store.is_complete(build_id) and store.current_id() is None
    store.publish(build_id)
    assert store.current_id() == build_id and store.model_of(build_id) == "hashing-trigrams"

    snapshot = Snapshot.load(store)
    assert (snapshot.build_id, snapshot.model) == (build_id, "hashing-trigrams")
    assert snapshot.passages == PASSAGES
    assert snapshot.documents == {d.path: d for d in DOCUMENTS}  # tuples restored from JSON
    assert snapshot.vectors.ntotal == 3  # type: ignore[attr-defined]
    query = HashingEmbedder().embed_query("Chiffrer les sauvegardes.")
    _, ids = snapshot.vectors.search(query[None, :].astype(np.float32), 1)  # type: ignore[attr-defined]
    assert ids[0][0] == 1


def test_what_keyword_search_sees_of_a_passage(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path / "index")
    write_build(store, "b1")
    snapshot = Snapshot.load(store, "b1")
    analyse = snapshot.keyword.analyzer().tokens
    terms = snapshot.passage_terms(0)  # title, section, tags and text
    assert {*analyse("RGPD"), *analyse("registre"), *analyse("données")} <= terms
    assert snapshot.document_text("rgpd.md").startswith("le rgpd registre donnees")
    assert "securite" in snapshot.document_text("rgpd.md")
    assert snapshot.document_text("absent.md") == ""
    assert snapshot.keyword.scores("visioconférence Jitsi").argmax() == 2


def test_no_build_or_an_incomplete_one_is_a_clear_error(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path / "index")
    with pytest.raises(IndexNotBuiltError, match="essbot index"):
        Snapshot.load(store)
    write_build(store, "b1")
    (store.builds / "b1" / "manifest.json").unlink()  # killed before the manifest was written
    store.publish("b1")
    assert not store.is_complete("b1") and store.model_of("b1") is None
    with pytest.raises(IndexNotBuiltError):
        Snapshot.load(store)


def test_prune_keeps_the_builds_in_use_and_removes_leftovers(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path / "index")
    for build_id in ("b1", "b2", "b3"):
        write_build(store, build_id)
    (store.builds / ".b4.tmp").mkdir()  # a build killed while being written
    store.prune({"b2", "b3"})
    assert sorted(p.name for p in store.builds.iterdir()) == ["b2", "b3"]


def test_build_ids_sort_by_time_and_are_unique() -> None:
    first, second = new_build_id(), new_build_id()
    assert first != second and first[:15] <= second[:15]
