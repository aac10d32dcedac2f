"""Throughput of the real bot through the Bot API emulator, as a ratio to an echo bot.

N simulated members ask at once in their private chats (each waits for the answer before the
next question). The same harness (tests/e2e/echo_bench.py) runs an echo bot, then the real
bot with the real engine on the knowledge folder:

- "bot" : every question costs a full search (answer cache off), the issue's figure;
- "bot, atelier" : a workshop where members ask the same few questions (a pool of
  ``--pool`` questions), with the answer cache on, as deployed;
- both bots again with PTB's flood-limit throttle (Telegram's limits, as in production), compared
  with the throttled echo bot.

    python benchmarks/bot_bench.py --members 20 --questions 10 [--knowledge knowledge]
        [--pool 15] [--embedding-threads 1] [--data DIR] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

import yaml  # noqa: E402
from echo_bench import arun_echo_benchmark  # noqa: E402
from emulator import Emulator  # noqa: E402

from bot.settings import BotSettings  # noqa: E402
from bot.storage.database import open_database  # noqa: E402
from bot.telegram.app import build_application, default_rate_limiter  # noqa: E402
from indexing.answering.cache import AnswerCache  # noqa: E402
from indexing.engine import KnowledgeEngine  # noqa: E402

QUESTIONS = ROOT / "tests" / "eval" / "questions.yaml"


def load_questions(path: Path) -> list[str]:
    """Questions as members type them, from the evaluation set."""
    return [item["question"] for item in yaml.safe_load(path.read_text(encoding="utf-8"))]


async def bench_bot(
    emulator: Emulator,
    engine: KnowledgeEngine,
    scratch: Path,
    *,
    members: int,
    each: int,
    questions: list[str],
    throttled: bool,
    cache_size: int = 0,
) -> dict[str, Any]:
    """The real bot under the echo benchmark's load, with a fresh answer cache."""
    engine.answers = AnswerCache(cache_size)
    token = emulator.new_token()
    settings = BotSettings(  # type: ignore[call-arg]
        _env_file=None,
        telegram_bot_token=token,
        telegram_base_url=emulator.base_url,
        telegram_base_file_url=emulator.base_file_url,
        questions_per_minute=10_000,
        data_dir=scratch,
        knowledge_dir=engine.settings.knowledge_dir,
    )
    bot_id = token.split(":")[0]
    database = open_database(f"sqlite:///{scratch / f'bot-{bot_id}.sqlite3'}")
    application = build_application(
        settings, engine, database.sessions, rate_limiter="default" if throttled else None
    )
    try:
        return await arun_echo_benchmark(
            emulator,
            members,
            each,
            application=application,
            token=token,
            question=lambda m, q: questions[(m * each + q) % len(questions)],
        )
    finally:
        database.close()


RUNS = (
    ("echo", "écho"),
    ("bot", "bot (chaque question cherchée)"),
    ("bot_workshop", "bot, atelier (cache)"),
    ("echo_with_flood_limiter", "écho + limiteur"),
    ("bot_with_flood_limiter", "bot + limiteur"),
)


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    questions = load_questions(args.questions)
    with tempfile.TemporaryDirectory() as tmp, Emulator() as emulator:
        scratch = Path(tmp)
        options = {"embedding_threads": args.embedding_threads} if args.embedding_threads else {}
        settings = BotSettings(
            knowledge_dir=args.knowledge,
            data_dir=args.data or scratch / "engine",
            _env_file=None,
            **options,
        )  # type: ignore[call-arg]
        engine_database = open_database(settings.resolved_database_url)
        engine = KnowledgeEngine.open(settings, engine_database.sessions)
        load = {"members": args.members, "each": args.questions_each}
        results: dict[str, Any] = {}
        try:
            engine.reindex()
            engine.answer(questions[0])  # load the model and the index before timing
            results["echo"] = await arun_echo_benchmark(emulator, args.members, args.questions_each)
            results["bot"] = await bench_bot(
                emulator, engine, scratch, **load, questions=questions, throttled=False
            )
            results["bot_workshop"] = await bench_bot(
                emulator,
                engine,
                scratch,
                **load,
                questions=questions[: args.pool],
                throttled=False,
                cache_size=settings.answer_cache_size,
            )
            results["echo_with_flood_limiter"] = await arun_echo_benchmark(
                emulator, args.members, args.questions_each, rate_limiter=default_rate_limiter()
            )
            results["bot_with_flood_limiter"] = await bench_bot(
                emulator, engine, scratch, **load, questions=questions, throttled=True
            )
        finally:
            engine_database.close()

    def ratio(bot: str, echo: str) -> float:
        return round(results[bot]["answers_per_s"] / results[echo]["answers_per_s"], 3)

    return {
        "embedding_model": settings.embedding_model,
        "embedding_threads": settings.embedding_threads,
        "members": args.members,
        "questions_each": args.questions_each,
        "workshop_pool": args.pool,
        **results,
        "ratio_answers_per_s": ratio("bot", "echo"),
        "ratio_workshop": ratio("bot_workshop", "echo"),
        "ratio_with_flood_limiter": ratio("bot_with_flood_limiter", "echo_with_flood_limiter"),
    }


def summary(result: dict[str, Any]) -> str:
    """One line per run, then the ratios."""
    lines = [
        f"{result['members']} membres x {result['questions_each']} questions"
        f" (EMBEDDING_MODEL={result['embedding_model']},"
        f" EMBEDDING_THREADS={result['embedding_threads']})"
    ]
    for name, label in RUNS:
        r = result[name]
        lines.append(
            f"  {label:32} {r['answers_per_s']:7.1f} réponses/s  p50 {r['latency_p50_ms']:6.0f} ms"
            f"  p95 {r['latency_p95_ms']:6.0f} ms  ({r['answered']}/{r['questions']} répondues)"
        )
    lines.append(
        f"  ratio bot / écho : {result['ratio_answers_per_s']}"
        f" ; atelier ({result['workshop_pool']} questions) : {result['ratio_workshop']}"
        f" ; avec le limiteur des deux côtés : {result['ratio_with_flood_limiter']}"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--questions", dest="questions_each", type=int, default=10)
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    parser.add_argument("--question-file", dest="questions", type=Path, default=QUESTIONS)
    parser.add_argument(
        "--pool", type=int, default=15, help="distinct questions in the workshop run (default 15)"
    )
    parser.add_argument(
        "--embedding-threads",
        type=int,
        default=None,
        help="EMBEDDING_THREADS for the engine (default: the settings' default)",
    )
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON")
    parser.add_argument("--data", type=Path, help="reuse this engine data folder (its index)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    result = asyncio.run(main_async(args))
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else summary(result))


if __name__ == "__main__":
    main()
