"""Variants measured by benchmarks/quality.py and not shipped: the runtime keeps what won.

- `ConcatEmbedder` (`--model use+e5`): several models at once; e5 alone did better.
- `RrfRetriever` (`--sweep fusion`): reciprocal rank fusion; the linear fusion of normalised
  scores did better (README, "Choix faits par la mesure").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from indexing.retrieval.embedding import Embedder, Vectors, make_embedder
from indexing.retrieval.search import FusionConfig, Retriever

RRF_K = 60  # the constant of Cormack et al. (2009); ranks beyond it weigh little
UNRANKED = 10_000  # rank given to an id absent from one of the rankings


class ConcatEmbedder:
    """Several models at once: the cosine of concatenated unit vectors averages their cosines."""

    def __init__(self, parts: Sequence[Embedder], weights: Sequence[float] | None = None) -> None:
        self._parts = list(parts)
        raw = list(weights or [1.0] * len(self._parts))
        total = sum(raw)
        self._scales = [float(np.sqrt(w / total)) for w in raw]
        self.name = "+".join(p.name for p in self._parts)
        self.dim = sum(p.dim for p in self._parts)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Encode with every model and concatenate the scaled vectors."""
        blocks = [
            p.embed_passages(texts) * s for p, s in zip(self._parts, self._scales, strict=True)
        ]
        return np.ascontiguousarray(np.hstack(blocks), dtype=np.float32)

    def embed_query(self, text: str) -> Vectors:
        """Encode one query with every model."""
        blocks = [p.embed_query(text) * s for p, s in zip(self._parts, self._scales, strict=True)]
        return np.ascontiguousarray(np.concatenate(blocks), dtype=np.float32)


def embedder_for(spec: str, threads: int = 2) -> Embedder:
    """The runtime's embedders, plus "a+b" concatenations."""
    if "+" in spec:
        return ConcatEmbedder([make_embedder(part, threads) for part in spec.split("+")])
    return make_embedder(spec, threads)


class RrfRetriever(Retriever):
    """Reciprocal rank fusion: each ranking adds weight / (RRF_K + rank)."""

    def __init__(self, embedder: Embedder, config: FusionConfig) -> None:
        super().__init__(embedder, config)

    def fuse(self, dense: dict[int, float], keyword: dict[int, float]) -> dict[int, float]:
        """Fuse by rank, not by score."""
        weight = self.config.dense_weight
        d_rank = {i: r for r, i in enumerate(sorted(dense, key=lambda i: -dense[i]))}
        k_rank = {i: r for r, i in enumerate(sorted(keyword, key=lambda i: -keyword[i]))}
        return {
            i: weight / (RRF_K + d_rank.get(i, UNRANKED))
            + (1 - weight) / (RRF_K + k_rank.get(i, UNRANKED))
            for i in set(dense) | set(keyword)
        }
