"""Measuring the engine: the evaluation of retrieval and answers on a YAML question set.

May import the engine's public face (`indexing.models`, `indexing.errors`)."""
