"""Passage vectors remembered by (embedding model, hash of the text given to the model).

A full reindex, or an edited file whose other passages did not change, re-encodes only the
passages whose text is new. Vectors of one model are never served for another: each cache file
names its model, and a file of another model is ignored. The starter base's vectors ship with
the package (`vectors/<model>.npz`, float16), so a first index of it encodes only what an admin
changed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Iterable, Sequence
from importlib.resources import files
from pathlib import Path

import numpy as np

from indexing.retrieval.embedding import Vectors, normalise

log = logging.getLogger(__name__)

KEY_BYTES = 16  # 128 bits of SHA-256: collisions are out of reach for any knowledge base
FORMAT = 1


def text_key(text: str) -> bytes:
    """The cache key of a passage text (the exact text given to the embedder)."""
    return hashlib.sha256(text.encode("utf-8")).digest()[:KEY_BYTES]


def model_slug(model: str) -> str:
    """A file-name-safe form of a model name."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", model).strip("_") or "model"


class VectorCache:
    """Vectors of one model by text key; lookups return float32 unit vectors."""

    def __init__(self, model: str, keys: Sequence[bytes] = (), vectors: Vectors | None = None):
        self.model = model
        self._rows: dict[bytes, int] = {key: row for row, key in enumerate(keys)}
        self._vectors = vectors if vectors is not None else np.zeros((0, 0), np.float32)

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, key: bytes) -> Vectors | None:
        """The vector stored for a key, or None."""
        row = self._rows.get(key)
        if row is None:
            return None
        vector: Vectors = self._vectors[row]
        return vector

    @classmethod
    def load(cls, path: Path, model: str) -> VectorCache:
        """The cache in `path` if it was made with `model`; empty otherwise (or if unreadable)."""
        try:
            with np.load(path, allow_pickle=False) as data:
                stored = str(data["model"])
                if int(data["format"]) != FORMAT or stored != model:
                    log.info("vector cache %s is for %s, not %s: ignored", path, stored, model)
                    return cls(model)
                raw_keys = np.asarray(data["keys"], dtype=np.uint8)
                vectors = normalise(np.asarray(data["vectors"], dtype=np.float32))
        except FileNotFoundError:
            return cls(model)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("vector cache %s unreadable, ignored: %s", path, exc)
            return cls(model)
        if raw_keys.ndim != 2 or len(raw_keys) != len(vectors):
            log.warning("vector cache %s is inconsistent, ignored", path)
            return cls(model)
        return cls(model, [row.tobytes() for row in raw_keys], vectors)

    @classmethod
    def shipped(cls, model: str) -> VectorCache:
        """The vectors of the starter base shipped with the package for `model`, if any."""
        resource = files("indexing.retrieval").joinpath("vectors", f"{model_slug(model)}.npz")
        if not resource.is_file():
            return cls(model)
        return cls.load(Path(str(resource)), model)


def save_vectors(
    path: Path, model: str, keys: Iterable[bytes], vectors: Vectors, dtype: str = "float32"
) -> None:
    """Write a cache file atomically (temporary file, fsync, rename)."""
    key_list = list(keys)
    key_matrix = np.frombuffer(b"".join(key_list), dtype=np.uint8).reshape(len(key_list), KEY_BYTES)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("wb") as handle:
        np.savez(
            handle,
            format=np.int64(FORMAT),
            model=np.str_(model),
            keys=key_matrix,
            vectors=np.asarray(vectors, dtype=dtype),
        )
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


class CachedVectors:
    """The lookup a reindex uses: vectors this data folder already computed, then the shipped
    ones; both for the embedder's own model only."""

    def __init__(self, model: str, layers: Sequence[VectorCache]) -> None:
        self.model = model
        self._layers = [layer for layer in layers if layer.model == model and len(layer)]

    def get(self, key: bytes) -> Vectors | None:
        """The first layer's vector for a key, or None."""
        for layer in self._layers:
            vector = layer.get(key)
            if vector is not None:
                return vector
        return None
