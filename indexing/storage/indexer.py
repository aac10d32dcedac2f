"""Incremental reindex: hash files, re-embed what changed, write a new snapshot, swap it in."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from indexing.errors import UnreadableFileError
from indexing.models import Chunk, Document, DocumentInfo, FailedFile, IndexReport, Passage
from indexing.retrieval.embedding import Embedder, Vectors
from indexing.sources.chunking import ChunkingPolicy, chunk_document
from indexing.sources.loaders import (
    build_document,
    content_hash,
    iter_candidate_files,
    loader_for,
    read_file,
)
from indexing.storage import store
from indexing.storage.locking import ReindexLock
from indexing.storage.snapshot import SnapshotStore, new_build_id

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
_EMBED_BATCH = 64


@dataclass
class _Plan:
    """What a reindex will do, file by file."""

    to_embed: list[Document] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    failed: list[FailedFile] = field(default_factory=list)


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
    ) -> None:
        self._root = knowledge_dir
        self._snapshots = snapshots
        self._sessions = sessions
        self._embedder = embedder
        self._policy = policy or ChunkingPolicy()
        self._max_bytes = max_file_bytes
        self._lock_path = lock_path or snapshots.root / "reindex.lock"
        self._on_published = on_published

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
        changed = bool(plan.to_embed or plan.removed or full)
        current = self._snapshots.current_id()
        if not changed and latest_id and self._snapshots.is_complete(latest_id):
            if current != latest_id:
                # A previous reindex was killed after committing, before publishing.
                self._publish(latest_id)
            return self._report(plan, latest_id)
        embedded = self._embed(plan.to_embed, progress)
        build_id = new_build_id()
        with self._sessions.begin() as session:
            if full:
                store.clear_all(session)
            store.remove_documents(session, plan.removed)
            for document, (chunks, vectors) in zip(plan.to_embed, embedded, strict=True):
                store.upsert_document(session, document, chunks, vectors)
            session.flush()
            counts = self._write_snapshot(session, build_id)
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
                loader = loader_for(path)
                assert loader is not None
                document = build_document(rel, data, loader)
            except UnreadableFileError as exc:
                reason = str(exc) + (
                    " ; la version déjà indexée est conservée" if rel in known else ""
                )
                plan.failed.append(FailedFile(rel, reason))
                log.warning("skipped %s: %s", rel, exc)
                continue
            except (OSError, RecursionError, ValueError) as exc:
                plan.failed.append(
                    FailedFile(rel, f"lecture impossible ({exc.__class__.__name__})")
                )
                log.warning("skipped %s: %r", rel, exc)
                continue
            (plan.updated if rel in known else plan.added).append(rel)
            plan.to_embed.append(document)
        plan.removed = sorted(set(known) - seen)
        return plan

    def _embed(
        self, documents: list[Document], progress: Progress | None
    ) -> list[tuple[list[Chunk], Vectors]]:
        """Embed every chunk of the changed documents in large batches, reporting progress."""
        per_doc = [chunk_document(d, self._policy) for d in documents]
        flat = [c for chunks in per_doc for c in chunks]
        vectors: list[Vectors] = []
        for start in range(0, len(flat), _EMBED_BATCH):
            batch = flat[start : start + _EMBED_BATCH]
            vectors.append(self._embedder.embed_passages([c.embedding_text() for c in batch]))
            if progress:
                progress(min(start + _EMBED_BATCH, len(flat)), len(flat), "embeddings")
        matrix = np.vstack(vectors) if vectors else np.zeros((0, self._embedder.dim), np.float32)
        out, offset = [], 0
        for chunks in per_doc:
            out.append((chunks, matrix[offset : offset + len(chunks)]))
            offset += len(chunks)
        return out

    def _write_snapshot(self, session: Session, build_id: str) -> tuple[int, int]:
        rows = session.scalars(
            select(store.DocumentRow)
            .options(selectinload(store.DocumentRow.chunks))
            .order_by(store.DocumentRow.path)
        ).all()
        passages: list[Passage] = []
        blobs: list[bytes] = []
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
                )
            )
            for chunk in row.chunks:
                passages.append(
                    Passage(chunk.id, row.path, chunk.ordinal, chunk.section, chunk.text)
                )
                blobs.append(chunk.vector)
        dim = self._embedder.dim or (len(blobs[0]) // 4 if blobs else 1)
        vectors = (
            np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), -1)
            if blobs
            else np.zeros((0, dim), np.float32)
        )
        self._snapshots.write(build_id, self._embedder.name, passages, vectors, documents)
        return len(documents), len(passages)

    def _publish(self, build_id: str) -> None:
        previous = self._snapshots.current_id()
        self._snapshots.publish(build_id)
        # The previous build stays on disk so that a process loading it right now still can.
        self._snapshots.prune(keep={build_id} | ({previous} if previous else set()))
        if self._on_published:
            self._on_published(build_id)
        log.info("published index %s", build_id)

    def _report(self, plan: _Plan, build_id: str) -> IndexReport:
        return IndexReport(
            added=tuple(plan.added),
            updated=tuple(plan.updated),
            removed=tuple(plan.removed),
            unchanged=plan.unchanged,
            failed=tuple(plan.failed),
            build_id=build_id,
            usable=True,
        )


def _as_list(value: object) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if isinstance(value, str) and value:
        return [v.strip() for v in value.split(",")]
    return []
