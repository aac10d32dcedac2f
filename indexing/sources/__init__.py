"""Reading the knowledge folder: one loader per file suffix, and chunking into passages.

Owns loaders and chunking. May import `indexing.models` and `indexing.errors` only."""
