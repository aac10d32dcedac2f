"""Turning retrieved passages into an answer: composition, abstention, calibration, the answer
cache, the per-model tuning profiles and the page a quoted passage credits.

May import `indexing.retrieval`, `indexing.sources` (sentence splitting, review dates),
`indexing.storage` and the models."""
