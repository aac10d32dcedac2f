"""The starter base's passage vectors shipped with the package (`vectors/<model>.npz`).

Regenerate them after editing `knowledge/` or changing the default model:
`make starter-vectors` (= `python -m indexing.retrieval.starter --knowledge knowledge`).
Entries are keyed by the hash of the passage text, so a stale file is harmless: passages that
changed since are simply encoded at the first index.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path

from indexing.models import Chunk
from indexing.retrieval.embedding import Embedder, make_embedder
from indexing.retrieval.vector_cache import model_slug, save_vectors, text_key
from indexing.settings import EngineSettings
from indexing.sources.chunking import ChunkingPolicy, chunk_document
from indexing.sources.loaders import build_document, iter_candidate_files, loader_for, read_file
from indexing.sources.units import build_units

SHIPPED_DTYPE = "float16"  # half the size; cosines move by less than 1e-3


def passage_texts(knowledge_dir: Path, policy: ChunkingPolicy | None = None) -> list[str]:
    """The texts the indexer gives the embedder for every readable file of a folder: passages,
    then the sentences of the answer units."""
    texts: list[str] = []
    chunks: list[Chunk] = []
    for path in iter_candidate_files(knowledge_dir):
        loader = loader_for(path)
        if loader is None:
            continue
        rel = path.relative_to(knowledge_dir).as_posix()
        document = build_document(rel, read_file(knowledge_dir, path, 20_000_000), loader)
        document_chunks = chunk_document(document, policy or ChunkingPolicy())
        texts += [c.embedding_text() for c in document_chunks]
        chunks += document_chunks
    texts += [piece for unit in build_units(chunks) for piece in unit.parts]
    return texts


def shipped_path(model: str) -> Path:
    """Where the package keeps the starter vectors of a model."""
    return Path(str(files("indexing.retrieval"))) / "vectors" / f"{model_slug(model)}.npz"


def write_starter_vectors(knowledge_dir: Path, embedder: Embedder, out: Path) -> int:
    """Encode every passage of the folder and write them compactly; returns the count."""
    texts = sorted(set(passage_texts(knowledge_dir)))
    vectors = embedder.embed_passages(texts)
    save_vectors(out, embedder.name, [text_key(t) for t in texts], vectors, SHIPPED_DTYPE)
    return len(texts)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line of `make starter-vectors`."""
    parser = argparse.ArgumentParser(
        description="Encoder les passages de la base de départ livrés avec le paquet."
    )
    parser.add_argument("--knowledge", type=Path, default=Path("knowledge"), help="dossier")
    parser.add_argument(
        "--model",
        default=EngineSettings.model_fields["embedding_model"].default,
        help="modèle (e5)",
    )
    args = parser.parse_args(argv)
    embedder = make_embedder(args.model)
    out = shipped_path(embedder.name)
    count = write_starter_vectors(args.knowledge, embedder, out)
    print(f"{count} passages et phrases encodés avec {embedder.name} : {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
