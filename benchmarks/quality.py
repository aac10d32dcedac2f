"""Retrieval quality and abstention on question sets, and the sweeps that chose the defaults.

    python benchmarks/quality.py --knowledge knowledge --questions tests/eval/questions.yaml
    python benchmarks/quality.py --knowledge ../shared/eval/fr-paraphrase/corpus \
        --questions ../shared/eval/fr-paraphrase/questions.yaml --sweep fusion
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexing.answers import AbstainConfig
from indexing.chunking import ChunkingPolicy
from indexing.engine import KnowledgeEngine
from indexing.evaluation import EvalReport, evaluate, load_questions
from indexing.search import FusionConfig
from indexing.settings import Settings


def open_engine(
    knowledge: Path, data: Path, model: str, policy: ChunkingPolicy | None = None
) -> KnowledgeEngine:
    """Index a folder into a scratch data folder."""
    settings = Settings(
        knowledge_dir=knowledge,
        data_dir=data,
        embedding_model=model,
        answer_cache_size=0,  # sweeps re-ask the same questions
        _env_file=None,
    )  # type: ignore[call-arg]
    engine = KnowledgeEngine.open(settings, policy=policy)
    engine.reindex()
    return engine


def run(
    engine: KnowledgeEngine,
    questions_file: Path,
    fusion: FusionConfig | None = None,
    abstain: AbstainConfig | None = None,
) -> EvalReport:
    """Evaluate with the given settings of fusion and abstention."""
    if fusion:
        engine.retriever.config = fusion
    if abstain:
        engine.composer.config = abstain
    return evaluate(load_questions(questions_file), lambda q: engine.answer(q, limit=10))


def sweep_abstention(engine: KnowledgeEngine, questions_file: Path) -> None:
    """Grid over (coverage weight, threshold): answered rate vs abstain rate."""
    features = []
    for question in load_questions(questions_file):
        snapshot, retrieval = engine.retrieve(question.question)
        composer = engine.composer
        precise = composer.missing_information(snapshot, retrieval) is not None
        features.append((bool(question.expected), retrieval.top_dense, retrieval.coverage, precise))
    answerable = [f for f in features if f[0]]
    unanswerable = [f for f in features if not f[0]]
    results = []
    for weight in (0.0, 0.1, 0.2, 0.3, 0.4):
        for step in range(0, 121):
            threshold = step / 100
            answered = sum(f[1] + weight * f[2] >= threshold and not f[3] for f in answerable)
            abstained = sum(f[1] + weight * f[2] < threshold or f[3] for f in unanswerable)
            a_rate = answered / len(answerable)
            b_rate = abstained / len(unanswerable) if unanswerable else 0.0
            results.append((min(a_rate - 0.95, b_rate - 0.75), a_rate, b_rate, weight, threshold))
    results.sort(reverse=True)
    print("| coverage_weight | min_confidence | answered | abstain |")
    print("|---|---|---|---|")
    for _margin, a_rate, b_rate, weight, threshold in results[:8]:
        print(f"| {weight} | {threshold:.2f} | {a_rate:.3f} | {b_rate:.3f} |")


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
    parser.add_argument("--data", type=Path, help="reuse this data folder (keeps embeddings)")
    args = parser.parse_args()
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
            configs = [
                dataclasses.replace(base, level=level, normalise=norm, dense_weight=w)
                for level in ("document", "chunk")
                for norm in ("max", "minmax")
                for w in (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0)
            ]
            configs += [
                dataclasses.replace(base, method="rrf", dense_weight=w) for w in (0.3, 0.5, 0.7)
            ]
            configs += [dataclasses.replace(base, glossary_weight=g) for g in (0.3, 0.7, 1.0)]
            for cfg in configs:
                label = (
                    f"{cfg.method} {cfg.level} {cfg.normalise} w={cfg.dense_weight} "
                    f"g={cfg.glossary_weight}"
                )
                print(row(label, run(engine, args.questions, fusion=cfg)))
        elif args.sweep == "abstain":
            sweep_abstention(engine, args.questions)
        else:
            report = run(engine, args.questions)
            print(row(f"default ({args.model})", report))
            if args.json:
                print(json.dumps(report.to_json()))


if __name__ == "__main__":
    main()
