"""Hybrid retrieval: dense vectors (FAISS) and French BM25, fused, then ranked by document."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from indexing.embedding import Embedder
from indexing.glossary import GLOSSARY_TYPE, Glossary
from indexing.keyword import fold
from indexing.snapshot import Snapshot


@dataclass(frozen=True)
class FusionConfig:
    """How dense and keyword rankings are combined; values chosen on the eval sets."""

    method: str = "linear"  # "linear" (min-max normalised scores) or "rrf"
    dense_weight: float = 0.6
    rrf_k: int = 60
    candidates: int = 60
    # The glossary holds a line on every subject: it only leads when a definition is asked for.
    glossary_weight: float = 0.5


_DEFINITION = re.compile(
    r"(c'?est quoi|c quoi|ca veut dire|veut dire|signifi|definition|defini|qu'?est[- ]ce qu|kesako|"
    r"sigle|acronyme|what is|what are|what does|stand for|meaning)", re.IGNORECASE)


def asks_for_definition(query: str) -> bool:
    """True for 'c'est quoi X ?', 'X définition', a bare acronym, and the like."""
    folded = fold(query)
    return bool(_DEFINITION.search(folded)) or len(folded.split()) <= 2


@dataclass(frozen=True)
class ChunkHit:
    """One passage retrieved for a query."""

    index: int  # position in snapshot.passages
    dense: float  # cosine similarity
    keyword: float  # raw BM25
    fused: float


@dataclass(frozen=True)
class DocumentHit:
    """A document ranked for a query, with its passages in rank order."""

    path: str
    score: float
    chunks: tuple[ChunkHit, ...]


@dataclass(frozen=True)
class Retrieval:
    """Everything the answer composer needs to know about one search."""

    query: str
    expanded: str
    documents: tuple[DocumentHit, ...]
    top_dense: float
    top_keyword: float
    keyword_terms: int  # query terms that match the vocabulary


class Retriever:
    """Runs a query against a snapshot."""

    def __init__(self, embedder: Embedder, config: FusionConfig | None = None) -> None:
        self._embedder = embedder
        self.config = config or FusionConfig()

    def search(self, snapshot: Snapshot, glossary: Glossary, query: str) -> Retrieval:
        """Retrieve and rank documents for a query."""
        expanded = glossary.expand(query)
        size = len(snapshot.passages)
        if size == 0:
            return Retrieval(query, expanded, (), 0.0, 0.0, 0)
        k = min(self.config.candidates, size)
        vector = self._embedder.embed_query(expanded)
        dense_scores, dense_ids = snapshot.vectors.search(vector[None, :].astype(np.float32), k)  # type: ignore[attr-defined]
        dense = {int(i): float(s) for i, s in zip(dense_ids[0], dense_scores[0], strict=True) if i >= 0}
        keyword_all = snapshot.keyword.scores(expanded)
        top_kw = np.argsort(-keyword_all)[:k]
        keyword = {int(i): float(keyword_all[i]) for i in top_kw if keyword_all[i] > 0}
        fused = self._fuse(dense, keyword)
        if not asks_for_definition(query):
            for i in fused:
                doc = snapshot.documents.get(snapshot.passages[i].doc_path)
                if doc is not None and doc.type == GLOSSARY_TYPE:
                    fused[i] *= self.config.glossary_weight
        hits = [
            ChunkHit(i, dense.get(i, self._dense_of(snapshot, vector, i)), float(keyword_all[i]), score)
            for i, score in sorted(fused.items(), key=lambda kv: -kv[1])
        ]
        return Retrieval(
            query=query,
            expanded=expanded,
            documents=_by_document(snapshot, hits),
            top_dense=max(dense.values(), default=0.0),
            top_keyword=max(keyword.values(), default=0.0),
            keyword_terms=len(snapshot.keyword.matched_terms(expanded)),
        )

    @staticmethod
    def _dense_of(snapshot: Snapshot, vector: np.ndarray, index: int) -> float:
        stored = snapshot.vectors.reconstruct(index)  # type: ignore[attr-defined]
        return float(np.dot(stored, vector))

    def _fuse(self, dense: dict[int, float], keyword: dict[int, float]) -> dict[int, float]:
        cfg = self.config
        ids = set(dense) | set(keyword)
        if cfg.method == "rrf":
            d_rank = {i: r for r, i in enumerate(sorted(dense, key=lambda i: -dense[i]))}
            k_rank = {i: r for r, i in enumerate(sorted(keyword, key=lambda i: -keyword[i]))}
            return {
                i: cfg.dense_weight / (cfg.rrf_k + d_rank.get(i, 10_000))
                + (1 - cfg.dense_weight) / (cfg.rrf_k + k_rank.get(i, 10_000))
                for i in ids
            }
        d_norm = _minmax(dense)
        k_max = max(keyword.values(), default=0.0)
        return {
            i: cfg.dense_weight * d_norm.get(i, 0.0)
            + (1 - cfg.dense_weight) * (keyword.get(i, 0.0) / k_max if k_max else 0.0)
            for i in ids
        }


def _minmax(scores: dict[int, float]) -> dict[int, float]:
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    span = high - low or 1.0
    return {i: (s - low) / span for i, s in scores.items()}


def _by_document(snapshot: Snapshot, hits: list[ChunkHit]) -> tuple[DocumentHit, ...]:
    grouped: dict[str, list[ChunkHit]] = {}
    for hit in hits:
        grouped.setdefault(snapshot.passages[hit.index].doc_path, []).append(hit)
    ranked = [DocumentHit(path, chunks[0].fused, tuple(chunks)) for path, chunks in grouped.items()]
    return tuple(sorted(ranked, key=lambda d: -d.score))
