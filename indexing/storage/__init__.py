"""Keeping the index: database tables, immutable snapshots, the reindex lock and the indexer.

May import `indexing.sources` and `indexing.retrieval` (the indexer embeds and analyses what it
stores); never `indexing.answering`."""
