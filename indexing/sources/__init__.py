"""Reading the knowledge folder: one loader per file suffix, the typed front matter schema,
the folder check of `essbot check`, and chunking into passages.

Owns loaders, front_matter, validation and chunking. May import `indexing.models` and
`indexing.errors` only."""
