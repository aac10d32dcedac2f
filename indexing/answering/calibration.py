"""How close an off-topic question comes to a given knowledge base: the null for abstention.

A model's cosine scale shifts from one corpus to another (passage length, style, vocabulary), so
a raw similarity threshold calibrated on one base over- or under-answers on another. Everyday
questions that no base of this project covers (cooking, pets, astronomy...) are asked of each
snapshot; the mean and spread of their best scores say how high "unrelated" reaches there. The
abstention threshold is then a number of spreads above that mean (see `AbstainConfig.relative`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from indexing.retrieval.embedding import Embedder, Vectors

# Questions about subjects none of the project's knowledge will ever cover. They are not the
# evaluation set's unanswerable questions: those measure the rule these only anchor.
OFF_TOPIC_PROBES: tuple[str, ...] = (
    "Quelle est la capitale de l'Australie ?",
    "Comment faire pousser des tomates sur un balcon ?",
    "Comment fonctionne une éclipse de soleil ?",
    "Combien de calories dans une banane ?",
    "Comment changer une roue de vélo ?",
    "Quels films sortent au cinéma cette semaine ?",
    "Comment apprendre à nager à l'âge adulte ?",
    "Quelle est la meilleure race de chien pour un appartement ?",
    "Comment détartrer une bouilloire ?",
    "Qui a écrit Les Misérables ?",
    "Comment préparer un risotto aux champignons ?",
    "Comment réduire le ronflement ?",
    "Quelles plantes d'intérieur demandent peu de lumière ?",
    "Comment nettoyer un four encrassé ?",
    "Combien de temps faut-il pour cuire un œuf dur ?",
    "Comment choisir un matelas ?",
    "Quelle est la distance entre la Terre et la Lune ?",
    "Comment se débarrasser des fourmis dans la cuisine ?",
    "Quelle crème solaire pour un enfant ?",
    "Comment tricoter une écharpe ?",
    "Où partir au ski en février ?",
    "Comment réparer une fuite de robinet ?",
    "Quel vin servir avec du poisson ?",
    "How tall is the Eiffel Tower?",
    "What is the best recipe for chocolate chip cookies?",
    "How do volcanoes form?",
    "Who painted the Mona Lisa?",
    "What are good exercises for back pain?",
    "Quelle est la durée de gestation d'une vache ?",
    "Comment dessiner un portrait au crayon ?",
    "Comment fabriquer un cerf-volant ?",
    "Comment enlever une tache de vin rouge ?",
)

_MIN_SPREAD = 0.005  # a tiny base can give near-identical scores: keep the scale finite


@dataclass(frozen=True)
class NullScores:
    """The best dense score of off-topic questions on one snapshot: mean and spread."""

    mean: float
    spread: float

    def z(self, score: float) -> float:
        """How many spreads a score stands above what an off-topic question reaches."""
        return (score - self.mean) / self.spread


def probe_vectors(embedder: Embedder) -> Vectors:
    """The probes encoded as queries (depends on the model only: compute once per engine)."""
    return np.vstack([embedder.embed_query(q) for q in OFF_TOPIC_PROBES]).astype(np.float32)


def null_scores(vectors: Vectors, index: object, size: int) -> NullScores:
    """Score the probe vectors against a snapshot's FAISS index."""
    if size == 0 or len(vectors) == 0:
        return NullScores(0.0, 1.0)
    found, _ids = index.search(np.ascontiguousarray(vectors), 1)  # type: ignore[attr-defined]
    best: Sequence[float] = [float(s) for s in found[:, 0]]
    return NullScores(float(np.mean(best)), max(float(np.std(best)), _MIN_SPREAD))
