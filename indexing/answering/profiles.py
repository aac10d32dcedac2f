"""Retrieval settings measured per embedding model (see benchmarks/quality.py and the README)."""

from __future__ import annotations

from dataclasses import dataclass

from indexing.answering.abstention import AbstainConfig
from indexing.retrieval.search import FusionConfig


@dataclass(frozen=True)
class Profile:
    """How to fuse and when to abstain, for one model's score scale."""

    fusion: FusionConfig
    abstain: AbstainConfig


# Each model has its own score scale: e5 cosines bunch up high, USE's spread low. Thresholds come
# from `python benchmarks/quality.py --sweep abstain` on tests/eval/questions.yaml (48 questions
# without an answer); e5's is relative to the off-topic probes, so that it carries over to other
# bases (a raw cosine threshold under-answered on an untuned corpus).
PROFILES: dict[str, Profile] = {
    "multilingual-e5-small-q4": Profile(
        FusionConfig(normalise="minmax", dense_weight=0.8, glossary_definition_weight=0.6),
        AbstainConfig(
            min_confidence=1.31, coverage_weight=0.0, relative=True, full_match_answers=True
        ),
    ),
    "use-multilingual-v3": Profile(
        FusionConfig(normalise="minmax", dense_weight=0.6, glossary_definition_weight=0.6),
        AbstainConfig(min_confidence=0.54, coverage_weight=0.4),
    ),
    # plumbing tests only: trigram vectors know no meaning, the question's terms decide
    "hashing-trigrams": Profile(
        FusionConfig(normalise="minmax", dense_weight=0.5, glossary_definition_weight=0.6),
        AbstainConfig(min_confidence=0.55, coverage_weight=0.4),
    ),
}

# Models never measured here (any sentence-transformers model): keyword-leaning fusion and an
# abstention relative to the off-topic probes, which adapts to the model's score scale.
FALLBACK = Profile(
    FusionConfig(normalise="minmax", dense_weight=0.5, glossary_definition_weight=0.6),
    AbstainConfig(min_confidence=1.3, coverage_weight=0.0, relative=True, full_match_answers=True),
)


def profile_for(model_name: str) -> Profile:
    """The measured profile of a model, or the fallback."""
    return PROFILES.get(model_name, FALLBACK)
