"""What each embedding model was measured to need, in one place: how to fuse dense and keyword
scores, when to abstain (benchmarks/quality.py, the README), and the cosine at which two questions
mean the same (the bot's digest groups them)."""

from __future__ import annotations

from dataclasses import dataclass

from indexing.answering.abstention import AbstainConfig
from indexing.retrieval.search import FusionConfig


@dataclass(frozen=True)
class Profile:
    """How to fuse, when to abstain and when two questions are paraphrases, for one model's
    score scale."""

    fusion: FusionConfig
    abstain: AbstainConfig
    # cosine above which two questions express the same need, calibrated on paraphrases: e5 packs
    # every French sentence between 0.8 and 1, USE spreads them
    paraphrase_cosine: float


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
        paraphrase_cosine=0.93,
    ),
    "use-multilingual-v3": Profile(
        FusionConfig(normalise="minmax", dense_weight=0.6, glossary_definition_weight=0.6),
        AbstainConfig(min_confidence=0.54, coverage_weight=0.4),
        paraphrase_cosine=0.6,
    ),
    # plumbing tests only: trigram vectors know no meaning, the question's terms decide
    "hashing-trigrams": Profile(
        FusionConfig(normalise="minmax", dense_weight=0.5, glossary_definition_weight=0.6),
        AbstainConfig(min_confidence=0.55, coverage_weight=0.4),
        paraphrase_cosine=0.5,
    ),
}

# Models never measured here (any sentence-transformers model): keyword-leaning fusion and an
# abstention relative to the off-topic probes, which adapts to the model's score scale.
FALLBACK = Profile(
    FusionConfig(normalise="minmax", dense_weight=0.5, glossary_definition_weight=0.6),
    AbstainConfig(min_confidence=1.3, coverage_weight=0.0, relative=True, full_match_answers=True),
    paraphrase_cosine=0.85,  # between e5's and USE's, for a model never measured here
)


def profile_for(model_name: str) -> Profile:
    """The measured profile of a model, or the fallback."""
    return PROFILES.get(model_name, FALLBACK)
