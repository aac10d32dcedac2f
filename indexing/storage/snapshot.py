"""Index snapshots on disk: one immutable folder per build, and an atomic CURRENT pointer."""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
import uuid
from pathlib import Path

import numpy as np

from indexing.errors import IndexNotBuiltError
from indexing.models import DocumentInfo, Passage
from indexing.retrieval.embedding import Vectors
from indexing.retrieval.keyword import KeywordIndex, fold
from indexing.sources.units import UNITS_VERSION, build_units
from indexing.storage.unit_table import UnitTable, read_table, write_table

log = logging.getLogger(__name__)

_MANIFEST = "manifest.json"
_PASSAGES = "passages.json"
_VECTORS = "vectors.faiss"


def new_build_id() -> str:
    """Sortable, unique build identifier."""
    return time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_json(path: Path, payload: object) -> None:
    with path.open("w", encoding="utf-8") as handle:
        json.dump(payload, handle, ensure_ascii=False)
        handle.flush()
        os.fsync(handle.fileno())


class SnapshotStore:
    """The `index/` folder of the data directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.builds = root / "builds"
        self.pointer = root / "CURRENT"

    def current_id(self) -> str | None:
        """The build the pointer names, if any."""
        try:
            value = self.pointer.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return value or None

    def model_of(self, build_id: str) -> str | None:
        """The embedding model a complete build was made with."""
        try:
            manifest = json.loads((self.builds / build_id / _MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        model = manifest.get("model") if isinstance(manifest, dict) else None
        return model if isinstance(model, str) else None

    def units_version(self, build_id: str) -> int:
        """The version of the answer units a build holds (0: made before versions existed)."""
        try:
            manifest = json.loads((self.builds / build_id / _MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return 0
        version = manifest.get("units_version") if isinstance(manifest, dict) else None
        return version if isinstance(version, int) else 0

    def is_complete(self, build_id: str) -> bool:
        """A build folder is complete when its manifest exists (written last)."""
        return (self.builds / build_id / _MANIFEST).is_file()

    def write(
        self,
        build_id: str,
        model: str,
        passages: list[Passage],
        vectors: Vectors,
        documents: list[DocumentInfo],
        units: UnitTable | None = None,
    ) -> Path:
        """Write a complete build folder: temporary name first, renamed once durable."""
        import faiss

        self.builds.mkdir(parents=True, exist_ok=True)
        tmp = self.builds / f".{build_id}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        dim = int(vectors.shape[1]) if vectors.ndim == 2 and vectors.shape[0] else 0
        index = faiss.IndexFlatIP(max(dim, 1))
        if len(passages):
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        faiss.write_index(index, str(tmp / _VECTORS))
        _write_json(
            tmp / _PASSAGES,
            {
                "passages": [p.__dict__ for p in passages],
                "documents": [d.to_json() for d in documents],
            },
        )
        if units is not None:
            write_table(tmp, units)
        _write_json(
            tmp / _MANIFEST,
            {
                "build_id": build_id,
                "model": model,
                "dim": dim,
                "passages": len(passages),
                "documents": len(documents),
                "units_version": UNITS_VERSION if units is not None else 0,
            },
        )
        _fsync_dir(tmp)
        final = self.builds / build_id
        os.replace(tmp, final)
        _fsync_dir(self.builds)
        return final

    def publish(self, build_id: str) -> None:
        """Point readers at a build, atomically."""
        tmp = self.root / "CURRENT.tmp"
        with tmp.open("w", encoding="utf-8") as handle:
            handle.write(build_id + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.pointer)
        _fsync_dir(self.root)

    def prune(self, keep: set[str]) -> None:
        """Delete build folders that nobody points at (and leftovers of killed builds)."""
        if not self.builds.is_dir():
            return
        for entry in self.builds.iterdir():
            if entry.name not in keep:
                shutil.rmtree(entry, ignore_errors=True)


class Snapshot:
    """A loaded, immutable index: FAISS vectors, BM25, passages and documents."""

    def __init__(
        self,
        build_id: str,
        model: str,
        passages: list[Passage],
        documents: dict[str, DocumentInfo],
        vectors_index: object,
        units: UnitTable | None = None,
    ) -> None:
        self.build_id = build_id
        self.model = model
        self.passages = passages
        self.documents = documents
        self.vectors = vectors_index
        # answer units (a build made before units existed gets them from its passages, without
        # vectors: the composer then ranks them on words alone)
        if units is None:
            units = UnitTable(tuple(build_units(passages)), (), np.zeros((0, 0), np.float32))
        self.units = units.units
        self.unit_vectors = units.unit_vectors() if len(units.pieces) else None
        self.units_by_passage: dict[int, list[int]] = {}
        for number, unit in enumerate(self.units):
            self.units_by_passage.setdefault(unit.passage, []).append(number)
        self.keyword = KeywordIndex([_keyword_text(p, documents) for p in passages])
        texts: dict[str, list[str]] = {}
        for p in passages:
            texts.setdefault(p.doc_path, []).append(_keyword_text(p, documents))
        self._texts = {path: fold("\n".join(parts)) for path, parts in texts.items()}

    def passage_terms(self, index: int) -> frozenset[str]:
        """The analysed terms of one passage, with its title, section and tags (as BM25 sees it)."""
        passage = self.passages[index]
        return frozenset(self.keyword.analyzer().tokens(_keyword_text(passage, self.documents)))

    def document_text(self, path: str) -> str:
        """All the text of a document, accent-folded, for exact mentions."""
        return self._texts.get(path, "")

    @classmethod
    def load(cls, store: SnapshotStore, build_id: str | None = None) -> Snapshot:
        """Load the build the pointer names (or the given one)."""
        import faiss

        build_id = build_id or store.current_id()
        if not build_id or not store.is_complete(build_id):
            raise IndexNotBuiltError("aucun index n'est encore construit : lancez `essbot index`")
        folder = store.builds / build_id
        manifest = json.loads((folder / _MANIFEST).read_text(encoding="utf-8"))
        payload = json.loads((folder / _PASSAGES).read_text(encoding="utf-8"))
        passages = [Passage(**p) for p in payload["passages"]]
        documents = {d["path"]: DocumentInfo.from_json(d) for d in payload["documents"]}
        index = faiss.read_index(str(folder / _VECTORS))
        units = read_table(folder)
        if units is not None and store.units_version(build_id) != UNITS_VERSION:
            # units made by an older version: rebuilt from the passages, each unit's vector from
            # the sentences already encoded (the next reindex encodes the others)
            log.info("index %s holds older answer units: rebuilt until the next reindex", build_id)
            units = UnitTable(tuple(build_units(passages)), units.pieces, units.piece_vectors)
        log.info("loaded index %s: %d passages", build_id, len(passages))
        return cls(build_id, manifest["model"], passages, documents, index, units)


def _keyword_text(passage: Passage, documents: dict[str, DocumentInfo]) -> str:
    doc = documents.get(passage.doc_path)
    title = doc.title if doc else ""
    tags = " ".join(doc.tags) if doc else ""
    return f"{title} {passage.section} {tags}\n{passage.text}"
