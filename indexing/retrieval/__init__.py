"""Finding passages: embedders, French BM25, glossary and lexicon expansion, hybrid search.

May import `indexing.models`, `indexing.errors` and `indexing.storage.snapshot` (the arrays it
searches); never `indexing.answering`."""
