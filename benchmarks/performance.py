"""Speed and memory of the engine: indexing overhead, no-op reindex, query latency, peak RSS.

python benchmarks/performance.py [--model e5] [--files 1000] [--chunks 10000]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.storage.database import open_database  # noqa: E402
from indexing.engine import KnowledgeEngine  # noqa: E402
from indexing.models import DocumentInfo, Passage  # noqa: E402
from indexing.retrieval.embedding import make_embedder  # noqa: E402
from indexing.settings import EngineSettings  # noqa: E402
from indexing.sources.chunking import chunk_document  # noqa: E402
from indexing.sources.loaders import build_document, iter_candidate_files, loader_for  # noqa: E402
from indexing.sources.units import build_units  # noqa: E402
from indexing.storage.snapshot import new_build_id  # noqa: E402
from indexing.storage.unit_table import build_table, read_table  # noqa: E402

QUESTIONS = [
    "Le DLA est-il gratuit ?",
    "logiciel de compta pour une asso",
    "RGPD registre des traitements",
    "comment collecter des dons en ligne",
    "c'est quoi un tiers-lieu",
    "double authentification",
    "accessibilité de notre site web",
    "financer l'achat d'ordinateurs",
    "IA générative risques",
    "How do we back up our files?",
    "trouver un conseiller numérique",
    "visio sans Zoom",
]


def settings_for(knowledge: Path, data: Path, model: str) -> EngineSettings:
    """EngineSettings for a measure; the answer cache is off so every question is searched again."""
    return EngineSettings(  # type: ignore[call-arg]
        knowledge_dir=knowledge,
        data_dir=data,
        embedding_model=model,
        answer_cache_size=0,
        _env_file=None,
    )


def open_engine(settings: EngineSettings) -> KnowledgeEngine:
    """The engine on its migrated database (left open for the life of the benchmark)."""
    return KnowledgeEngine.open(settings, open_database(settings.resolved_database_url).sessions)


def indexing_overhead(model: str, files: int, tmp: Path) -> dict[str, float]:
    """Full index of a subset vs the raw embedder on exactly the same chunk texts."""
    subset = tmp / "subset"
    for path in list(iter_candidate_files(ROOT / "knowledge"))[:files]:
        target = subset / path.relative_to(ROOT / "knowledge")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    texts = []
    for path in iter_candidate_files(subset):
        loader = loader_for(path)
        assert loader is not None
        doc = build_document(path.relative_to(subset).as_posix(), path.read_bytes(), loader)
        texts += [c.embedding_text() for c in chunk_document(doc)]
    embedder = make_embedder(model)
    embedder.embed_passages(texts[:4])  # load the model outside the timings
    start = time.perf_counter()
    for i in range(0, len(texts), 64):
        embedder.embed_passages(texts[i : i + 64])
    raw = time.perf_counter() - start
    engine = open_engine(settings_for(subset, tmp / "data-subset", model))
    engine.embedder = embedder
    engine.indexer._embedder = embedder  # same loaded model: compare work, not loading
    engine.retriever._embedder = embedder
    engine.indexer._shipped = False  # the starter vectors would spare all the encoding measured
    start = time.perf_counter()
    engine.reindex()
    full = time.perf_counter() - start
    return {
        "chunks": len(texts),
        "raw_embed_s": round(raw, 2),
        "index_s": round(full, 2),
        "raw_passages_per_s": round(len(texts) / raw, 1),
        "index_passages_per_s": round(len(texts) / full, 1),
        "throughput_ratio": round(raw / full, 3),
    }


def noop_reindex(files: int, tmp: Path) -> dict[str, float]:
    """A reindex with nothing changed over many files (first index with the hashing embedder)."""
    folder = tmp / "many"
    sources = [p for p in iter_candidate_files(ROOT / "knowledge") if p.suffix == ".md"]
    for n in range(files):
        src = sources[n % len(sources)]
        target = folder / f"lot{n // 100:02d}" / f"{n:04d}-{src.name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            src.read_text(encoding="utf-8") + f"\n\nVariante {n}.\n", encoding="utf-8"
        )
    engine = open_engine(settings_for(folder, tmp / "data-many", "hashing"))
    engine.reindex()
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        report = engine.reindex()
        timings.append(time.perf_counter() - start)
        assert report.unchanged == files and not report.changed
    return {"files": files, "noop_reindex_s_median": round(sorted(timings)[1], 3)}


def query_latency(model: str, chunks: int, tmp: Path) -> dict[str, float]:
    """Warm latency of `answer` on a snapshot of `chunks` passages (the real ones, replicated)."""
    engine = open_engine(settings_for(ROOT / "knowledge", tmp / "data-real", model))
    engine.reindex()
    base = engine.retrieve("x")[0]
    rng = np.random.default_rng(0)
    vectors = np.vstack([base.vectors.reconstruct(i) for i in range(len(base.passages))])  # type: ignore[attr-defined]
    passages, documents, blocks = [], [], []
    copies = -(-chunks // len(base.passages))
    for copy in range(copies):
        for doc in base.documents.values():
            # One glossary per base: the copies are ordinary sheets.
            kind = doc.type if copy == 0 else "ressource"
            documents.append(
                DocumentInfo(
                    f"c{copy}/{doc.path}", doc.title, doc.url, doc.date, kind, doc.tags, doc.themes
                )
            )
        for p in base.passages:
            passages.append(
                Passage(len(passages), f"c{copy}/{p.doc_path}", p.ordinal, p.section, p.text)
            )
        noisy = vectors + rng.normal(0, 0.02, vectors.shape).astype(np.float32) * (copy > 0)
        blocks.append(noisy / np.linalg.norm(noisy, axis=1, keepdims=True))
    build = new_build_id()
    # answer units of the copies: same sentences, so the base build's sentence vectors serve
    base_table = read_table(engine.snapshots.builds / base.build_id)
    known = base_table.vectors_by_piece() if base_table else {}
    units = build_table(
        build_units(passages[:chunks]), known, engine.embedder.embed_passages, engine.embedder.dim
    )
    engine.snapshots.write(
        build,
        engine.embedder.name,
        passages[:chunks],
        np.vstack(blocks)[:chunks].astype(np.float32),
        documents,
        units=units,
    )
    engine.snapshots.publish(build)
    engine._checked_at = 0.0
    for q in QUESTIONS:
        engine.answer(q)  # warm up: load, first encodes
    latencies = []
    for _ in range(10):
        for q in QUESTIONS:
            start = time.perf_counter()
            engine.answer(q)
            latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()
    return {
        "chunks": min(chunks, len(passages)),
        "units": len(units.units),
        "queries": len(latencies),
        "p50_ms": round(latencies[len(latencies) // 2], 1),
        "p95_ms": round(latencies[int(len(latencies) * 0.95)], 1),
    }


def peak_memory(model: str, tmp: Path) -> dict[str, float]:
    """Peak RSS of a fresh process that loads the engine and answers questions."""
    data = tmp / "data-real"
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "from bot.storage.database import open_database\n"
        "from indexing.engine import KnowledgeEngine\n"
        "from indexing.settings import EngineSettings\n"
        f"s = EngineSettings(knowledge_dir={str(ROOT / 'knowledge')!r},"
        f" data_dir={str(data)!r}, embedding_model={model!r}, _env_file=None)\n"
        "e = KnowledgeEngine.open(s, open_database(s.resolved_database_url).sessions)\n"
        f"for q in {QUESTIONS!r} * 5: e.answer(q)\n"
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent through fork and
        # exec, so a big benchmark process would inflate the child's figure
        "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))\n"
    )
    out = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return {"peak_rss_mb": round(int(out.stdout.strip().splitlines()[-1]) / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="e5")
    parser.add_argument("--subset-files", type=int, default=12)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--chunks", type=int, default=10_000)
    args = parser.parse_args()
    random.seed(0)
    results: dict[str, object] = {"model": args.model}
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        results["indexing"] = indexing_overhead(args.model, args.subset_files, tmp)
        print(json.dumps(results["indexing"]), flush=True)
        results["noop_reindex"] = noop_reindex(args.files, tmp)
        print(json.dumps(results["noop_reindex"]), flush=True)
        results["query_latency"] = query_latency(args.model, args.chunks, tmp)
        print(json.dumps(results["query_latency"]), flush=True)
        results["memory"] = peak_memory(args.model, tmp)
        print(json.dumps(results["memory"]), flush=True)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
