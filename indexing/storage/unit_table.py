"""The answer units of a build and the vectors of the sentences they are made of.

Written into the build folder beside the passages: `units.json` (units, and the distinct
sentences, "pieces", they are made of) and `pieces.npy` (one vector per piece). A unit's vector
is the normalised mean of its pieces' vectors. A reindex reuses the previous build's piece
vectors, so only new sentences are embedded.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexing.retrieval.embedding import Vectors
from indexing.sources.units import Unit

log = logging.getLogger(__name__)

UNITS_FILE = "units.json"
PIECES_FILE = "pieces.npy"
_EMBED_BATCH = 64
SENTENCE_STAGE = "phrases"  # the `current` of progress calls while encoding unit sentences

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class UnitTable:
    """Units, their pieces, and one vector per piece."""

    units: tuple[Unit, ...]
    pieces: tuple[str, ...]
    piece_vectors: Vectors

    def unit_vectors(self) -> Vectors:
        """One L2-normalised vector per unit: the mean of its pieces' vectors."""
        dim = self.piece_vectors.shape[1] if self.piece_vectors.ndim == 2 else 1
        out = np.zeros((len(self.units), dim), dtype=np.float32)
        if not self.units or not len(self.pieces):
            return out
        position = {text: n for n, text in enumerate(self.pieces)}
        for row, unit in enumerate(self.units):
            rows = [position[p] for p in unit.parts if p in position]
            if rows:
                out[row] = self.piece_vectors[rows].mean(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.where(norms == 0, 1.0, norms)).astype(np.float32)

    def vectors_by_piece(self) -> dict[str, Vectors]:
        """Piece text → vector, for reuse by the next build."""
        return {text: self.piece_vectors[n] for n, text in enumerate(self.pieces)}


def build_table(
    units: Sequence[Unit],
    known: Mapping[str, Vectors],
    embed: Callable[[list[str]], Vectors],
    dim: int,
    progress: Progress | None = None,
) -> UnitTable:
    """The table for these units: known piece vectors reused, the others embedded."""
    pieces = list(dict.fromkeys(p for unit in units for p in unit.parts))
    missing = [p for p in pieces if p not in known]
    fresh: dict[str, Vectors] = {}
    for start in range(0, len(missing), _EMBED_BATCH):
        batch = missing[start : start + _EMBED_BATCH]
        fresh.update(zip(batch, embed(batch), strict=True))
        if progress:
            progress(min(start + _EMBED_BATCH, len(missing)), len(missing), SENTENCE_STAGE)
    rows = [fresh[p] if p in fresh else known[p] for p in pieces]
    matrix = np.vstack(rows).astype(np.float32) if rows else np.zeros((0, dim), np.float32)
    return UnitTable(tuple(units), tuple(pieces), matrix)


def write_table(folder: Path, table: UnitTable) -> None:
    """Write the table into a build folder being written (durably: fsync)."""
    position = {text: n for n, text in enumerate(table.pieces)}
    payload = {
        "pieces": list(table.pieces),
        "units": [
            {
                "passage": u.passage,
                "kind": u.kind,
                "text": u.text,
                "parts": [position[p] for p in u.parts],
            }
            for u in table.units
        ],
    }
    with (folder / UNITS_FILE).open("w", encoding="utf-8") as handle:
        json.dump(payload, handle, ensure_ascii=False)
        handle.flush()
        os.fsync(handle.fileno())
    with (folder / PIECES_FILE).open("wb") as handle:
        np.save(handle, np.ascontiguousarray(table.piece_vectors, dtype=np.float32))
        handle.flush()
        os.fsync(handle.fileno())


def read_table(folder: Path) -> UnitTable | None:
    """The table of a build folder; None for a build written before units existed."""
    try:
        payload = json.loads((folder / UNITS_FILE).read_text(encoding="utf-8"))
        vectors = np.load(folder / PIECES_FILE)
    except FileNotFoundError:
        return None
    pieces = tuple(payload["pieces"])
    units = tuple(
        Unit(u["passage"], u["kind"], u["text"], tuple(pieces[i] for i in u["parts"]))
        for u in payload["units"]
    )
    return UnitTable(units, pieces, vectors.astype(np.float32))
