"""Hybrid retrieval: dense vectors (FAISS) and French BM25, fused, then ranked by document."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from indexing.models import DocumentInfo, Passage
from indexing.retrieval.embedding import Embedder
from indexing.retrieval.glossary import GLOSSARY_TYPE, Glossary, Term
from indexing.retrieval.keyword import KeywordIndex, fold


class SearchIndex(Protocol):
    """What a search reads from an index build (`indexing.storage.snapshot.Snapshot`)."""

    @property
    def passages(self) -> Sequence[Passage]: ...
    @property
    def documents(self) -> Mapping[str, DocumentInfo]: ...
    @property
    def vectors(self) -> object: ...  # a FAISS index over the passages' unit vectors
    @property
    def keyword(self) -> KeywordIndex: ...


@dataclass(frozen=True)
class FusionConfig:
    """How dense and keyword rankings are combined; values chosen on the eval sets."""

    normalise: str = "max"  # "max" (score / best) or "minmax"
    level: str = "document"  # fuse per chunk, or each document's best dense and keyword scores
    dense_weight: float = 0.6
    candidates: int = 60  # passages taken from each ranking before fusion
    # The glossary holds a line on every subject: it is demoted below the dedicated sheets, and
    # less so when a definition is asked for (glossary_definition_weight).
    glossary_weight: float = 0.5
    glossary_definition_weight: float = 1.0


_DEFINITION = re.compile(
    r"(c'?est quoi|c quoi|ca veut dire|veut dire|signifi|definition|defini|qu'?est[- ]ce qu|kesako|"
    r"sigle|acronyme|what is|what are|what does|stand for|meaning)"
)


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
    coverage: float = 0.0  # share of the question's own terms that occur in the knowledge base
    glossary_terms: tuple[Term, ...] = ()  # glossary entries the question uses
    # the (expanded) question's vector, for ranking answer units
    query_vector: np.ndarray | None = field(default=None, compare=False, repr=False)

    @property
    def glossary_variants(self) -> frozenset[str]:
        """Folded glossary forms the question uses."""
        return frozenset(v for t in self.glossary_terms for v in t.variants)


class Retriever:
    """Runs a query against a snapshot."""

    def __init__(self, embedder: Embedder, config: FusionConfig | None = None) -> None:
        self._embedder = embedder
        self.config = config or FusionConfig()

    def search(self, snapshot: SearchIndex, glossary: Glossary, query: str) -> Retrieval:
        """Retrieve and rank documents for a query."""
        terms = glossary.find(query)
        expanded = glossary.expand(query, terms)
        size = len(snapshot.passages)
        if size == 0:
            return Retrieval(query, expanded, (), 0.0, 0.0, 0.0)
        k = min(self.config.candidates, size)
        vector = self._embedder.embed_query(expanded).astype(np.float32)
        found_scores, found_ids = snapshot.vectors.search(vector[None, :], k)  # type: ignore[attr-defined]
        dense = {
            int(i): float(s) for i, s in zip(found_ids[0], found_scores[0], strict=True) if i >= 0
        }
        keyword_all = snapshot.keyword.scores(expanded)
        keyword = {
            int(i): float(keyword_all[i])
            for i in np.argsort(-keyword_all)[:k]
            if keyword_all[i] > 0
        }
        for i in set(keyword) - set(dense):
            dense[i] = float(snapshot.vectors.reconstruct(i) @ vector)  # type: ignore[attr-defined]
        fused = self.fuse(dense, keyword)
        hits = [
            ChunkHit(i, dense[i], float(keyword_all[i]), score)
            for i, score in sorted(fused.items(), key=lambda kv: -kv[1])
        ]
        documents = self._rank_documents(snapshot, hits, asks_for_definition(query))
        return Retrieval(
            query=query,
            expanded=expanded,
            documents=documents,
            top_dense=max(dense.values(), default=0.0),
            top_keyword=max(keyword.values(), default=0.0),
            coverage=snapshot.keyword.coverage(query),
            glossary_terms=tuple(terms),
            query_vector=vector,
        )

    def _rank_documents(
        self, snapshot: SearchIndex, hits: list[ChunkHit], definition: bool
    ) -> tuple[DocumentHit, ...]:
        grouped: dict[str, list[ChunkHit]] = {}
        for hit in hits:
            grouped.setdefault(snapshot.passages[hit.index].doc_path, []).append(hit)
        paths = list(grouped)
        if self.config.level == "document":
            dense = {n: max(c.dense for c in grouped[p]) for n, p in enumerate(paths)}
            keyword = {n: max(c.keyword for c in grouped[p]) for n, p in enumerate(paths)}
            scores = self.fuse(dense, {n: s for n, s in keyword.items() if s > 0})
        else:
            scores = {n: grouped[p][0].fused for n, p in enumerate(paths)}
        ranked = []
        for n, path in enumerate(paths):
            score = scores[n]
            info = snapshot.documents.get(path)
            if info is not None and info.type == GLOSSARY_TYPE:
                score *= (
                    self.config.glossary_definition_weight
                    if definition
                    else self.config.glossary_weight
                )
            ranked.append(DocumentHit(path, score, tuple(grouped[path])))
        return tuple(sorted(ranked, key=lambda d: -d.score))

    def fuse(self, dense: dict[int, float], keyword: dict[int, float]) -> dict[int, float]:
        """One score per id: the weighted sum of the normalised dense and keyword scores (the
        benchmarks override this to measure other fusions)."""
        cfg = self.config
        ids = set(dense) | set(keyword)
        d_norm = _minmax(dense) if cfg.normalise == "minmax" else _by_max(dense)
        k_norm = _by_max(keyword)
        return {
            i: cfg.dense_weight * d_norm.get(i, 0.0) + (1 - cfg.dense_weight) * k_norm.get(i, 0.0)
            for i in ids
        }


def _by_max(scores: dict[int, float]) -> dict[int, float]:
    high = max(scores.values(), default=0.0)
    if high <= 0:
        return dict.fromkeys(scores, 0.0)
    return {i: max(s, 0.0) / high for i, s in scores.items()}


def _minmax(scores: dict[int, float]) -> dict[int, float]:
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    span = high - low or 1.0
    return {i: (s - low) / span for i, s in scores.items()}
