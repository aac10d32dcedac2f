"""The knowledge engine's public face: answer questions, reindex, list documents."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from indexing.answering.abstention import AbstainConfig, is_question
from indexing.answering.cache import AnswerCache
from indexing.answering.calibration import NullScores, null_scores, probe_vectors
from indexing.answering.composer import AnswerComposer, no_question
from indexing.answering.profiles import profile_for
from indexing.errors import IndexNotBuiltError
from indexing.models import Answer, Definition, DocumentInfo, IndexReport
from indexing.retrieval.embedding import Embedder, Vectors, make_embedder
from indexing.retrieval.glossary import GLOSSARY_TYPE, Glossary
from indexing.retrieval.keyword import FrenchAnalyzer
from indexing.retrieval.search import FusionConfig, Retrieval, Retriever
from indexing.settings import EngineSettings
from indexing.sources.chunking import ChunkingPolicy, split_sentences
from indexing.storage.indexer import Indexer, Progress
from indexing.storage.snapshot import Snapshot, SnapshotStore

log = logging.getLogger(__name__)

_POINTER_CHECK_SECONDS = 1.0  # how stale a reader may be after another process publishes
DEFINITIONS_SHOWN = 3  # glossary reminders under an answer: the terms the question uses first


@dataclass(frozen=True)
class _Loaded:
    snapshot: Snapshot
    glossary: Glossary


class KnowledgeEngine:
    """Answers from the live snapshot; a reindex builds a new one and swaps it in."""

    def __init__(
        self,
        settings: EngineSettings,
        sessions: sessionmaker[Session],
        embedder: Embedder,
        fusion: FusionConfig | None = None,
        abstain: AbstainConfig | None = None,
        policy: ChunkingPolicy | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions  # of a database already upgraded: the engine creates no table
        self.embedder = embedder
        self.snapshots = SnapshotStore(settings.data_dir / "index")
        profile = profile_for(embedder.name)
        self.retriever = Retriever(embedder, fusion or profile.fusion)
        self.composer = AnswerComposer(FrenchAnalyzer(), abstain or profile.abstain)
        self.indexer = Indexer(
            settings.knowledge_dir,
            self.snapshots,
            self.sessions,
            embedder,
            policy,
            int(settings.max_file_mb * 1_000_000),
            on_published=self._on_published,
        )
        self.answers = AnswerCache(settings.answer_cache_size)
        self._loaded: _Loaded | None = None
        self._probes: Vectors | None = None  # off-topic probes, encoded once per engine
        self._null: tuple[str, NullScores] | None = None  # (build id, its null scores)
        self._load_lock = threading.Lock()
        self._checked_at = 0.0

    @classmethod
    def open(
        cls, settings: EngineSettings, sessions: sessionmaker[Session], **options: object
    ) -> KnowledgeEngine:
        """Build the engine from settings on an open database (its owner closes it); cheap: the
        model and index load on first use."""
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        embedder = make_embedder(settings.embedding_model, settings.embedding_threads)
        return cls(settings, sessions, embedder, **options)  # type: ignore[arg-type]

    # -- reading ---------------------------------------------------------------------------
    def _current(self) -> _Loaded:
        """The loaded snapshot, reloaded when another process published a new build."""
        now = time.monotonic()
        loaded = self._loaded
        if loaded is not None and now - self._checked_at < _POINTER_CHECK_SECONDS:
            return loaded
        self._checked_at = now
        pointer = self.snapshots.current_id()
        if loaded is not None and (pointer is None or pointer == loaded.snapshot.build_id):
            return loaded
        with self._load_lock:
            loaded = self._loaded
            if loaded is None or loaded.snapshot.build_id != pointer:
                try:
                    self._loaded = loaded = self._load(pointer)
                except (IndexNotBuiltError, OSError, ValueError, KeyError) as exc:
                    if loaded is None:
                        raise IndexNotBuiltError(str(exc)) from exc
                    log.warning(
                        "keeping index %s: cannot load %s (%s)",
                        loaded.snapshot.build_id,
                        pointer,
                        exc,
                    )
        return loaded

    def _load(self, build_id: str | None) -> _Loaded:
        snapshot = Snapshot.load(self.snapshots, build_id)
        if snapshot.model != self.embedder.name:
            raise IndexNotBuiltError(_other_model(snapshot.model, self.embedder.name))
        glossary_paths = {p for p, d in snapshot.documents.items() if d.type == GLOSSARY_TYPE}
        return _Loaded(snapshot, Glossary.from_passages(snapshot.passages, glossary_paths))

    def _null_for(self, snapshot: Snapshot) -> NullScores:
        """The snapshot's off-topic scores, computed when first needed (a reindex that nobody
        questions, `essbot index` for one, never encodes the probes)."""
        known = self._null
        if known is not None and known[0] == snapshot.build_id:
            return known[1]
        if self._probes is None:
            self._probes = probe_vectors(self.embedder)
        null = null_scores(self._probes, snapshot.vectors, len(snapshot.passages))
        log.info(
            "index %s: off-topic questions reach %.3f ± %.3f",
            snapshot.build_id,
            null.mean,
            null.spread,
        )
        self._null = (snapshot.build_id, null)
        return null

    def _on_published(self, build_id: str) -> None:
        """Load a build this process just published, then swap the reference."""
        fresh = self._load(build_id)
        with self._load_lock:
            self._loaded = fresh

    def retrieve(self, question: str) -> tuple[Snapshot, Retrieval]:
        """Raw retrieval, for evaluation and diagnostics."""
        loaded = self._current()
        return loaded.snapshot, self.retriever.search(loaded.snapshot, loaded.glossary, question)

    def null_scores(self) -> NullScores:
        """How close off-topic questions come to the live snapshot (for calibration)."""
        return self._null_for(self._current().snapshot)

    def answer(self, question: str, limit: int = 5) -> Answer:
        """Answer a question from the live index (synchronous, thread-safe)."""
        question = " ".join(question.split())
        if not is_question(question):
            return no_question(question)
        loaded = self._current()
        key = (loaded.snapshot.build_id, question, limit)
        cached = self.answers.get(key)
        if cached is not None:
            return cached
        retrieval = self.retriever.search(loaded.snapshot, loaded.glossary, question)
        null = self._null_for(loaded.snapshot) if self.composer.config.relative else None
        answer = self.composer.compose(loaded.snapshot, retrieval, limit, null)
        definitions = tuple(
            Definition(t.term, t.expansion, first_sentence(t.definition))
            for t in retrieval.glossary_terms[:DEFINITIONS_SHOWN]
        )
        if definitions:
            answer = dataclasses.replace(answer, definitions=definitions)
        self.answers.put(key, answer)
        return answer

    def documents(self) -> list[DocumentInfo]:
        """The catalogue of indexed documents, by title."""
        return sorted(self._current().snapshot.documents.values(), key=lambda d: d.title.lower())

    def glossary(self) -> Glossary:
        """The glossary of the live index."""
        return self._current().glossary

    def has_index(self) -> bool:
        """True when a complete build made with this engine's model is published."""
        pointer = self.snapshots.current_id()
        return bool(
            pointer
            and self.snapshots.is_complete(pointer)
            and self.snapshots.model_of(pointer) == self.embedder.name
        )

    # -- writing ---------------------------------------------------------------------------
    def reindex(
        self, full: bool = False, progress: Progress | None = None, wait_seconds: float = 0.0
    ) -> IndexReport:
        """Bring the index in line with the knowledge folder; readers keep the old one meanwhile."""
        return self.indexer.reindex(full=full, progress=progress, wait_seconds=wait_seconds)

    def ensure_index(self, progress: Progress | None = None) -> IndexReport | None:
        """Index the folder if no usable index exists yet."""
        if self.has_index():
            return None
        return self.reindex(progress=progress, wait_seconds=600)


def _other_model(built_with: str, configured: str) -> str:
    return (
        f"l'index a été construit avec le modèle {built_with}, mais EMBEDDING_MODEL désigne "
        f"{configured} : lancez `essbot index` pour le reconstruire (ou revenez au modèle "
        "précédent)"
    )


def first_sentence(text: str) -> str:
    """The first sentence of a definition, for a one-line reminder."""
    sentences = split_sentences(text)
    return sentences[0] if sentences else text
