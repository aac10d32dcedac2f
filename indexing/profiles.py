"""Retrieval settings measured per embedding model (see benchmarks/quality.py and the README)."""

from __future__ import annotations

from dataclasses import dataclass

from indexing.answers import AbstainConfig
from indexing.search import FusionConfig


@dataclass(frozen=True)
class Profile:
    """How to fuse and when to abstain, for one model's score scale."""

    fusion: FusionConfig
    abstain: AbstainConfig


# Each model has its own score scale: e5 cosines bunch up high, USE's spread low.
PROFILES: dict[str, Profile] = {
    "multilingual-e5-small-q4": Profile(
        FusionConfig(normalise="minmax", dense_weight=0.8, glossary_definition_weight=0.6),
        AbstainConfig(min_confidence=0.915, coverage_weight=0.4),
    ),
    "use-multilingual-v3": Profile(
        FusionConfig(normalise="minmax", dense_weight=0.6, glossary_definition_weight=0.6),
        AbstainConfig(min_confidence=0.46, coverage_weight=0.4),
    ),
}

# Models never measured here (any sentence-transformers model): keyword-leaning fusion and an
# abstention that relies on the question's terms being known to the base.
FALLBACK = Profile(
    FusionConfig(normalise="minmax", dense_weight=0.5, glossary_definition_weight=0.6),
    AbstainConfig(min_confidence=0.55, coverage_weight=0.4),
)


def profile_for(model_name: str) -> Profile:
    """The measured profile of a model, or the fallback."""
    return PROFILES.get(model_name, FALLBACK)
