"""Per-model profiles: each measured model has its own, any other gets the fallback; the
embedders' names are the keys."""

from __future__ import annotations

from indexing.answering.profiles import FALLBACK, PROFILES, profile_for
from indexing.retrieval.embedding import HashingEmbedder


def test_measured_models_have_their_profile_and_others_the_fallback() -> None:
    assert profile_for(HashingEmbedder.name) is PROFILES["hashing-trigrams"]
    assert profile_for("st:some-model") is FALLBACK
    e5 = profile_for("multilingual-e5-small-q4")
    assert e5.abstain.relative and e5.fusion.dense_weight == 0.8


def test_every_profile_is_within_its_scales() -> None:
    for profile in (*PROFILES.values(), FALLBACK):
        assert 0 <= profile.fusion.dense_weight <= 1
        assert 0 < profile.paraphrase_cosine < 1
        assert profile.abstain.min_confidence > 0
    # e5 packs French sentences high, USE spreads them: their paraphrase cosines differ so
    assert (
        PROFILES["use-multilingual-v3"].paraphrase_cosine
        < FALLBACK.paraphrase_cosine
        < PROFILES["multilingual-e5-small-q4"].paraphrase_cosine
    )
