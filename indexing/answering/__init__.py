"""Turning retrieved passages into an answer: composition, abstention, calibration, the answer
cache and the per-model tuning profiles.

May import `indexing.retrieval`, `indexing.sources` (sentence splitting), `indexing.storage` and
the models."""
