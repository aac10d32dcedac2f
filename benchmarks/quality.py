"""Retrieval quality and abstention on question sets, and the sweeps that chose the defaults.

    python benchmarks/quality.py --knowledge knowledge --questions tests/eval/questions.yaml
    python benchmarks/quality.py --knowledge ../shared/eval/fr-paraphrase/corpus \
        --questions ../shared/eval/fr-paraphrase/questions.yaml --sweep fusion
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.variants import RrfRetriever, embedder_for
from bot.storage.database import open_database
from indexing.answering.abstention import AbstainConfig
from indexing.engine import KnowledgeEngine
from indexing.quality.evaluation import EvalReport, evaluate, load_questions
from indexing.retrieval.search import FusionConfig, Retriever
from indexing.settings import EngineSettings
from indexing.sources.chunking import ChunkingPolicy


def open_engine(
    knowledge: Path, data: Path, model: str, policy: ChunkingPolicy | None = None
) -> KnowledgeEngine:
    """Index a folder into a scratch data folder."""
    settings = EngineSettings(
        knowledge_dir=knowledge,
        data_dir=data,
        embedding_model=model,
        answer_cache_size=0,  # sweeps re-ask the same questions
        _env_file=None,
    )  # type: ignore[call-arg]
    database = open_database(settings.resolved_database_url)  # lives as long as the benchmark
    data.mkdir(parents=True, exist_ok=True)
    engine = KnowledgeEngine(settings, database.sessions, embedder_for(model), policy=policy)
    engine.reindex()
    return engine


def run(
    engine: KnowledgeEngine,
    questions_file: Path,
    fusion: FusionConfig | None = None,
    abstain: AbstainConfig | None = None,
    retriever: type[Retriever] = Retriever,
) -> EvalReport:
    """Evaluate with the given settings of fusion (and fusion rule) and abstention."""
    if fusion:
        engine.retriever = retriever(engine.embedder, fusion)
    if abstain:
        engine.composer.config = abstain
    return evaluate(load_questions(questions_file), lambda q: engine.answer(q, limit=10))


def sweep_abstention(
    engine: KnowledgeEngine, questions_file: Path, answered_at_least: float
) -> None:
    """Calibrate abstention on the unanswerable questions.

    The dense score is taken raw (cosine) or relative (spreads above the best score of off-topic
    probes on this base, `AbstainConfig.relative`). For each pair of weights (coverage, keyword),
    among the thresholds that keep the answered rate at or above `answered_at_least`, those with
    the best answered + abstain rates form a plateau; its middle is the threshold proposed. Rows
    are sorted by that sum, then by plateau width (a wider one is safer on unseen questions).
    """
    null = engine.null_scores()
    print(f"off-topic probes on this base: best cosine {null.mean:.3f} ± {null.spread:.3f}\n")
    features = []
    for question in load_questions(questions_file):
        snapshot, retrieval = engine.retrieve(question.question)
        precise = engine.composer.missing_information(snapshot, retrieval) is not None
        # a question whose every term is in the best document is answered whatever its score
        rescued = engine.composer.config.full_match_answers and engine.composer.full_match(
            snapshot, retrieval
        )
        features.append(
            (
                bool(question.expected),
                {False: retrieval.top_dense, True: null.z(retrieval.top_dense)},
                retrieval.coverage,
                math.log1p(max(retrieval.top_keyword, 0.0)),
                precise,
                rescued,
            )
        )
    answerable = [f for f in features if f[0]]
    unanswerable = [f for f in features if not f[0]]
    if not answerable or not unanswerable:
        raise SystemExit("the sweep needs answerable and unanswerable questions")
    results = []
    # relative scores count in spreads (about 0.03 of cosine for e5): weights scale with them
    for relative, unit, low, high in ((False, 1.0, 0.0, 2.0), (True, 30.0, -3.0, 8.0)):
        for coverage_weight in (0.0, 0.2 * unit, 0.4 * unit):
            for keyword_weight in (0.0, 0.01 * unit, 0.02 * unit, 0.03 * unit, 0.04 * unit):
                scores_a = [
                    (f[1][relative] + coverage_weight * f[2] + keyword_weight * f[3], f[4], f[5])
                    for f in answerable
                ]
                scores_u = [
                    (f[1][relative] + coverage_weight * f[2] + keyword_weight * f[3], f[4], f[5])
                    for f in unanswerable
                ]
                plateau: list[float] = []
                best = (-1.0, 0.0, 0.0)  # (answered + abstain, answered, abstain)
                for step in range(0, 2001):
                    threshold = low + (high - low) * step / 2000
                    a_rate = sum((sc >= threshold or r) and not p for sc, p, r in scores_a)
                    a_rate /= len(scores_a)
                    b_rate = sum((sc < threshold and not r) or p for sc, p, r in scores_u)
                    b_rate /= len(scores_u)
                    if a_rate < answered_at_least:
                        continue
                    if a_rate + b_rate > best[0] + 1e-9:
                        best, plateau = (a_rate + b_rate, a_rate, b_rate), [threshold]
                    elif abs(a_rate + b_rate - best[0]) <= 1e-9:
                        plateau.append(threshold)
                if plateau:
                    middle = (plateau[0] + plateau[-1]) / 2
                    width = plateau[-1] - plateau[0]
                    results.append(
                        (
                            best[0],
                            width / unit,
                            *best[1:],
                            relative,
                            coverage_weight,
                            keyword_weight,
                            middle,
                            width,
                        )
                    )
    results.sort(reverse=True)
    print(
        "| relative | coverage_weight | keyword_weight | min_confidence (plateau) | answered "
        "| abstain |"
    )
    print("|---|---|---|---|---|---|")
    for row_ in results[:24]:
        _sum, _w, a_rate, b_rate, relative, coverage_weight, keyword_weight, middle, width = row_
        print(
            f"| {relative} | {coverage_weight:g} | {keyword_weight:g} | {middle:.3f} ({width:.3f})"
            f" | {a_rate:.3f} | {b_rate:.3f} |"
        )


def row(label: str, report: EvalReport) -> str:
    """One line of the results table."""
    m = report.to_json()
    abstain = "None" if m["abstain_rate"] is None else format(m["abstain_rate"], ".3f")
    return (
        f"| {label} | {m['hit_at_1']:.3f} | {m['hit_at_5']:.3f} | {m['mrr_at_10']:.3f} | "
        f"{m['answered_rate']:.3f} | {abstain} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--knowledge", type=Path, required=True)
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--model", default="use")
    parser.add_argument("--sweep", choices=["none", "fusion", "chunks", "abstain"], default="none")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--answered-at-least",
        type=float,
        default=0.96,
        help="abstain sweep: the answered rate to keep (default 0.96)",
    )
    parser.add_argument("--data", type=Path, help="reuse this data folder (keeps embeddings)")
    args = parser.parse_args()
    if args.sweep != "abstain":
        print("| configuration | hit@1 | hit@5 | MRR@10 | answered | abstain |")
        print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        if args.sweep == "chunks":
            for max_words in (60, 100, 160, 220, 300, 400):
                policy = ChunkingPolicy(max_words=max_words)
                engine = open_engine(args.knowledge, Path(tmp) / str(max_words), args.model, policy)
                print(row(f"max_words={max_words}", run(engine, args.questions)))
            return
        engine = open_engine(args.knowledge, args.data or Path(tmp) / "data", args.model)
        if args.sweep == "fusion":
            base = FusionConfig()
            configs: list[tuple[type[Retriever], FusionConfig]] = [
                (Retriever, dataclasses.replace(base, level=level, normalise=n, dense_weight=w))
                for level in ("document", "chunk")
                for n in ("max", "minmax")
                for w in (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0)
            ]
            configs += [
                (RrfRetriever, dataclasses.replace(base, dense_weight=w)) for w in (0.3, 0.5, 0.7)
            ]
            configs += [
                (Retriever, dataclasses.replace(base, glossary_weight=g)) for g in (0.3, 0.7, 1.0)
            ]
            for kind, cfg in configs:
                method = "rrf" if kind is RrfRetriever else "linear"
                label = (
                    f"{method} {cfg.level} {cfg.normalise} w={cfg.dense_weight} "
                    f"g={cfg.glossary_weight}"
                )
                print(row(label, run(engine, args.questions, fusion=cfg, retriever=kind)))
        elif args.sweep == "abstain":
            sweep_abstention(engine, args.questions, args.answered_at_least)
        else:
            report = run(engine, args.questions)
            print(row(f"default ({args.model})", report))
            if args.json:
                print(json.dumps(report.to_json()))


if __name__ == "__main__":
    main()
