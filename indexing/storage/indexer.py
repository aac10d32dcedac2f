"""Incremental reindex: hash files, re-embed what changed, write a new snapshot, swap it in."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from indexing.errors import UnreadableFileError
from indexing.models import (
    Chunk,
    Document,
    DocumentInfo,
    FailedFile,
    IndexReport,
    Passage,
    references_from_json,
)
from indexing.retrieval.embedding import Embedder, Vectors
from indexing.retrieval.vector_cache import CachedVectors, VectorCache, save_vectors, text_key
from indexing.sources import front_matter
from indexing.sources.chunking import ChunkingPolicy, chunk_document
from indexing.sources.loaders import (
    build_document,
    content_hash,
    iter_candidate_files,
    loader_for,
    read_file,
)
from indexing.sources.units import UNITS_VERSION, build_units
from indexing.storage import store
from indexing.storage.locking import ReindexLock
from indexing.storage.snapshot import SnapshotStore, new_build_id
from indexing.storage.unit_table import build_table, read_table

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
_EMBED_BATCH = 64
EMBEDDING_STAGE = "embeddings"  # the `current` of progress calls during the encoding stage


class FileFailure(Exception):
    """One file could not be loaded; `reason` says why, in French."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class _Plan:
    """What a reindex will do, file by file."""

    to_embed: list[Document] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    failed: list[FailedFile] = field(default_factory=list)
    embedded: int = 0  # passages given to the embedder
    reused: int = 0  # passages whose vector came from the cache
    units_rebuilt: bool = False  # the previous build's answer units are of an older version


class Indexer:
    """Brings the index in line with the knowledge folder."""

    def __init__(
        self,
        knowledge_dir: Path,
        snapshots: SnapshotStore,
        sessions: sessionmaker[Session],
        embedder: Embedder,
        policy: ChunkingPolicy | None = None,
        max_file_bytes: int = 20_000_000,
        lock_path: Path | None = None,
        on_published: Callable[[str], None] | None = None,
        shipped_vectors: bool = True,
    ) -> None:
        self._root = knowledge_dir
        self._snapshots = snapshots
        self._sessions = sessions
        self._embedder = embedder
        self._policy = policy or ChunkingPolicy()
        self._max_bytes = max_file_bytes
        self._lock_path = lock_path or snapshots.root / "reindex.lock"
        self._on_published = on_published
        self._shipped = shipped_vectors
        self.vector_cache_path = snapshots.root / "vector-cache.npz"

    def reindex(
        self, full: bool = False, progress: Progress | None = None, wait_seconds: float = 0.0
    ) -> IndexReport:
        """Run one reindex under the inter-process lock."""
        if not self._root.is_dir():
            raise UnreadableFileError(f"dossier de connaissances introuvable : {self._root}")
        with ReindexLock(self._lock_path, wait_seconds=wait_seconds):
            return self._reindex(full, progress)

    def _reindex(self, full: bool, progress: Progress | None) -> IndexReport:
        with self._sessions() as session:
            latest = store.latest_build(session)
            full = full or latest is None or latest.model != self._embedder.name
            known = {} if full else store.known_hashes(session)
            latest_id = latest.build_id if latest else None
        plan = self._plan(known, progress)
        if full:
            with self._sessions() as session:
                previous = store.known_hashes(session)
            plan.removed = sorted(
                set(previous) - {d.path for d in plan.to_embed} - {f.path for f in plan.failed}
            )
            plan.added = [d.path for d in plan.to_embed if d.path not in previous]
            plan.updated = [d.path for d in plan.to_embed if d.path in previous]
        current = self._snapshots.current_id()
        # answer units made by an older version of this program: a new build is written
        stale_units = bool(latest_id) and self._snapshots.units_version(latest_id) != UNITS_VERSION
        plan.units_rebuilt = stale_units and not full
        changed = bool(plan.to_embed or plan.removed or full or stale_units)
        if not changed and latest_id and self._snapshots.is_complete(latest_id):
            if current != latest_id:
                # A previous reindex was killed after committing, before publishing.
                self._publish(latest_id)
            self._prune_orphans()
            return self._report(plan, latest_id)
        embedded = self._embed(plan, progress)
        # sentences of answer units, embedded before the write transaction (it must stay short)
        pieces = self._piece_vectors(embedded, full, stale_units, progress)
        build_id = new_build_id()
        with self._sessions.begin() as session:
            if full:
                store.clear_all(session)
            store.remove_documents(session, plan.removed)
            for document, (chunks, vectors) in zip(plan.to_embed, embedded, strict=True):
                store.upsert_document(session, document, chunks, vectors)
            session.flush()
            counts = self._write_snapshot(session, build_id, pieces)
            report = self._report(plan, build_id)
            store.record_build(session, build_id, self._embedder.name, counts[0], counts[1])
        self._publish(build_id)
        return report

    def _plan(self, known: dict[str, str], progress: Progress | None) -> _Plan:
        plan = _Plan()
        files = list(iter_candidate_files(self._root))
        seen: set[str] = set()
        for number, path in enumerate(files, 1):
            rel = path.relative_to(self._root).as_posix()
            seen.add(rel)
            if progress:
                progress(number, len(files), rel)
            try:
                data = read_file(self._root, path, self._max_bytes)
                if known.get(rel) == content_hash(data):
                    plan.unchanged += 1
                    continue
                document = self._load(rel, path, data)
            except FileFailure as failure:
                kept = " ; la version déjà indexée est conservée" if rel in known else ""
                plan.failed.append(FailedFile(rel, failure.reason + kept))
                continue
            except UnreadableFileError as exc:  # read_file's own refusals
                kept = " ; la version déjà indexée est conservée" if rel in known else ""
                plan.failed.append(FailedFile(rel, str(exc) + kept))
                log.warning("skipped %s: %s", rel, exc)
                continue
            (plan.updated if rel in known else plan.added).append(rel)
            plan.to_embed.append(document)
        plan.removed = sorted(set(known) - seen)
        return plan

    @staticmethod
    def _load(rel: str, path: Path, data: bytes) -> Document:
        """Run the file's loader; whatever it raises becomes this file's failure, never the
        whole run's (a parser bug, a library missing an optional dependency...)."""
        loader = loader_for(path)
        assert loader is not None
        try:
            return build_document(rel, data, loader)
        except UnreadableFileError as exc:
            log.warning("skipped %s: %s", rel, exc)
            raise FileFailure(str(exc)) from exc
        except (OSError, RecursionError, ValueError) as exc:
            log.warning("skipped %s: %r", rel, exc)
            raise FileFailure(f"lecture impossible ({exc.__class__.__name__})") from exc
        except Exception as exc:
            log.warning("unexpected error reading %s", rel, exc_info=exc)
            raise FileFailure(f"erreur inattendue à la lecture ({exc.__class__.__name__})") from exc

    def _embed(self, plan: _Plan, progress: Progress | None) -> list[tuple[list[Chunk], Vectors]]:
        """Vectors for every chunk of the changed documents: from the cache when this model
        already encoded the same text, else encoded in large batches, reporting progress in
        files whose passages all have their vectors (the unit the reading phase counts in)."""
        per_doc = [chunk_document(d, self._policy) for d in plan.to_embed]
        texts = [c.embedding_text() for chunks in per_doc for c in chunks]
        cache = self._cached_vectors() if texts else None
        found = [cache.get(text_key(t)) if cache else None for t in texts]
        missing = [i for i, vector in enumerate(found) if vector is None]
        plan.embedded, plan.reused = len(missing), len(texts) - len(missing)
        ends = np.cumsum([len(chunks) for chunks in per_doc])  # where each file's chunks end

        def report(encoded: int) -> None:
            if progress and per_doc:
                first_left = missing[encoded] if encoded < len(missing) else len(texts)
                files_done = int(np.searchsorted(ends, first_left, side="right"))
                progress(files_done, len(per_doc), EMBEDDING_STAGE)

        report(0)
        for start in range(0, len(missing), _EMBED_BATCH):
            batch = missing[start : start + _EMBED_BATCH]
            encoded = self._embedder.embed_passages([texts[i] for i in batch])
            for i, vector in zip(batch, encoded, strict=True):
                found[i] = vector
            report(min(start + _EMBED_BATCH, len(missing)))
        rows = [vector for vector in found if vector is not None]
        matrix = np.vstack(rows) if rows else np.zeros((0, self._embedder.dim), np.float32)
        out, offset = [], 0
        for chunks in per_doc:
            out.append((chunks, matrix[offset : offset + len(chunks)]))
            offset += len(chunks)
        return out

    def _piece_vectors(
        self,
        embedded: list[tuple[list[Chunk], Vectors]],
        full: bool,
        every_document: bool,
        progress: Progress | None,
    ) -> dict[str, Vectors]:
        """Vectors of every unit sentence the new build needs: the previous build's, plus the
        sentences of changed documents (of every document when no usable previous build, or
        when `every_document`: the previous build's units are of an older version)."""
        current = self._snapshots.current_id()
        previous = None
        if current and not full and self._snapshots.model_of(current) == self._embedder.name:
            previous = read_table(self._snapshots.builds / current)
        known = previous.vectors_by_piece() if previous else {}
        cache: CachedVectors | None = None
        chunks = [c for doc_chunks, _vectors in embedded for c in doc_chunks]
        if previous is None or every_document:
            with self._sessions() as session:
                changed = {c.doc_path for c in chunks}
                chunks += [
                    Chunk(row.document.path, row.ordinal, row.text, row.section, "")
                    for row in session.scalars(
                        select(store.ChunkRow).options(selectinload(store.ChunkRow.document))
                    ).all()
                    if row.document.path not in changed
                ]
        chunks.sort(key=lambda c: (c.doc_path, c.ordinal))
        units = build_units(chunks)
        for piece in {p for unit in units for p in unit.parts} - set(known):
            cache = cache or self._cached_vectors()  # the shipped starter vectors hold pieces too
            vector = cache.get(text_key(piece))
            if vector is not None:
                known[piece] = vector
        table = build_table(
            units, known, self._embedder.embed_passages, self._embedder.dim, progress
        )
        known.update(table.vectors_by_piece())
        return known

    def _cached_vectors(self) -> CachedVectors:
        """What this data folder already encoded with the model, then the shipped vectors."""
        model = self._embedder.name
        layers = [VectorCache.load(self.vector_cache_path, model)]
        if self._shipped:
            layers.append(VectorCache.shipped(model))
        return CachedVectors(model, layers)

    def _save_vector_cache(self, keys: list[bytes], vectors: Vectors) -> None:
        """Remember the vectors of the new build (a failure only costs a later re-encoding)."""
        try:
            save_vectors(self.vector_cache_path, self._embedder.name, keys, vectors)
        except OSError as exc:
            log.warning("vector cache not saved (%s): %s", self.vector_cache_path, exc)

    def _write_snapshot(
        self, session: Session, build_id: str, pieces: dict[str, Vectors]
    ) -> tuple[int, int]:
        rows = session.scalars(
            select(store.DocumentRow)
            .options(selectinload(store.DocumentRow.chunks))
            .order_by(store.DocumentRow.path)
        ).all()
        passages: list[Passage] = []
        blobs: list[bytes] = []
        keys: list[bytes] = []
        documents = []
        for row in rows:
            documents.append(
                DocumentInfo(
                    path=row.path,
                    title=row.title,
                    url=row.url,
                    date=row.date,
                    type=row.type,
                    tags=tuple(row.tags or ()),
                    themes=tuple(_as_list(row.meta.get("themes"))),
                    **_details(row.meta),
                )
            )
            for chunk in row.chunks:
                passages.append(
                    Passage(chunk.id, row.path, chunk.ordinal, chunk.section, chunk.text)
                )
                blobs.append(chunk.vector)
                embedded_text = Chunk(
                    row.path, chunk.ordinal, chunk.text, chunk.section, row.title
                ).embedding_text()
                keys.append(text_key(embedded_text))
        dim = self._embedder.dim or (len(blobs[0]) // 4 if blobs else 1)
        vectors = (
            np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), -1)
            if blobs
            else np.zeros((0, dim), np.float32)
        )
        if not documents:
            log.info(
                "the knowledge folder %s holds no indexable document (see knowledge/README.md)",
                self._root,
            )
        units = build_table(
            build_units(passages), pieces, self._embedder.embed_passages, self._embedder.dim
        )
        self._snapshots.write(
            build_id, self._embedder.name, passages, vectors, documents, units=units
        )
        self._save_vector_cache(
            keys + [text_key(p) for p in units.pieces],
            np.vstack([vectors, units.piece_vectors]) if len(units.pieces) else vectors,
        )
        return len(documents), len(passages)

    def _publish(self, build_id: str) -> None:
        previous = self._snapshots.current_id()
        self._snapshots.publish(build_id)
        # The previous build stays on disk so that a process loading it right now still can.
        self._snapshots.prune(keep={build_id} | ({previous} if previous else set()))
        if self._on_published:
            self._on_published(build_id)
        log.info("published index %s", build_id)

    def _prune_orphans(self) -> None:
        """Delete builds that an interrupted reindex left behind: every folder but the
        published build and the two latest recorded ones (the previous may still be loading)."""
        with self._sessions() as session:
            keep = set(store.recent_build_ids(session, 2))
        current = self._snapshots.current_id()
        self._snapshots.prune(keep | ({current} if current else set()))

    def _report(self, plan: _Plan, build_id: str) -> IndexReport:
        return IndexReport(
            added=tuple(plan.added),
            updated=tuple(plan.updated),
            removed=tuple(plan.removed),
            unchanged=plan.unchanged,
            failed=tuple(plan.failed),
            build_id=build_id,
            usable=True,
            embedded=plan.embedded,
            reused=plan.reused,
            units_rebuilt=plan.units_rebuilt,
        )


def _details(meta: dict[str, object]) -> dict[str, Any]:
    """References, example flag and review dates kept in a document row's JSON metadata."""
    references = references_from_json(meta.get("references"))
    if "references" not in meta:  # a row indexed before references existed
        references = front_matter.check({"sources": meta.get("sources")})[0].references
    review_by, facts_date = meta.get("review_by"), meta.get("facts_date")
    return {
        "references": references,
        "example": meta.get("exemple") is True,
        "review_by": review_by if isinstance(review_by, str) else None,
        "facts_date": facts_date if isinstance(facts_date, str) else None,
    }


def _as_list(value: object) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if isinstance(value, str) and value:
        return [v.strip() for v in value.split(",")]
    return []
