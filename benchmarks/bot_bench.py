"""Throughput of the real bot through the Bot API emulator, as a ratio to an echo bot.

N simulated members ask at once in their private chats (each waits for the answer before the
next question). The same harness (tests/e2e/echo_bench.py) runs an echo bot, then the real
bot with the real engine on the knowledge folder:

- "bot" : every question costs a full search (answer cache off), the issue's figure;
- "bot, atelier" : a workshop where members ask the same few questions (a pool of
  ``--pool`` questions), with the answer cache on, as deployed;
- both bots again with PTB's flood-limit throttle (Telegram's limits, as in production), compared
  with the throttled echo bot;
- "bot process": the real `essbot run` in a process of its own (flood limiter on, answer cache
  off, every question new), after a warm-up; its CPU time (utime + stime from /proc/<pid>/stat)
  per answered question gives the answers/s one and two cores could sustain when Telegram's
  side does not share our cores, as on a real server.

    python benchmarks/bot_bench.py --members 20 --questions 10 [--knowledge knowledge]
        [--pool 15] [--embedding-threads 1] [--data DIR] [--json] [--cpu-only] [--repeat N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

import yaml  # noqa: E402
from echo_bench import arun_echo_benchmark  # noqa: E402
from emulator import Chat, Emulator, User  # noqa: E402

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


def process_cpu_seconds(pid: int) -> float:
    """utime + stime of a process, in seconds (fields 14 and 15 of /proc/<pid>/stat)."""
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    fields = stat.rsplit(")", 1)[1].split()  # after the command name, field 3 is index 0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def ask_all(
    client: Any, members: int, each: int, questions: list[str], first_user: int
) -> list[float]:
    """Members ask at once, each waiting for the answer before the next question."""
    latencies: list[float] = []

    async def member(index: int) -> None:
        user = User(first_user + index, f"Membre{index + 1}")
        chat = Chat.private(user)
        for q in range(each):
            start = time.perf_counter()
            text = questions[(index * each + q) % len(questions)]
            update = await client.send_message(chat, user, text)
            try:
                await client.wait_for_bot_messages(
                    chat.id, 1, timeout=30, after=update["message"]["message_id"]
                )
            except AssertionError:
                continue
            latencies.append(time.perf_counter() - start)

    await asyncio.gather(*(member(i) for i in range(members)))
    return latencies


async def bench_bot_process(
    emulator: Emulator,
    data_dir: Path,
    settings: BotSettings,
    *,
    members: int,
    each: int,
    questions: list[str],
) -> dict[str, Any]:
    """`essbot run` in its own process; its CPU seconds per answered question."""
    token = emulator.new_token()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")},
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_BASE_URL": emulator.base_url,
        "TELEGRAM_BASE_FILE_URL": emulator.base_file_url,
        "KNOWLEDGE_DIR": str(settings.knowledge_dir),
        "DATA_DIR": str(data_dir),
        "EMBEDDING_MODEL": settings.embedding_model,
        "EMBEDDING_THREADS": str(settings.embedding_threads),
        "ANSWER_CACHE_SIZE": "0",
        "QUESTIONS_PER_MINUTE": "100000",
        "REINDEX_INTERVAL_MINUTES": "0",
        "LINK_CHECK_INTERVAL_HOURS": "0",
        "DIGEST_INTERVAL_DAYS": "0",
    }
    bot = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], env=env, cwd=data_dir.parent)
    try:
        async with emulator.async_client(token) as client:
            # warm-up: model, index, off-topic calibration, first database writes
            warm = await ask_all(client, 2, 3, questions[::-1], first_user=70_000)
            if not warm:
                raise RuntimeError("the bot process did not answer the warm-up questions")
            cpu_before, started = process_cpu_seconds(bot.pid), time.perf_counter()
            latencies = await ask_all(client, members, each, questions, first_user=80_000)
            elapsed = time.perf_counter() - started
            cpu = process_cpu_seconds(bot.pid) - cpu_before
    finally:
        bot.terminate()
        bot.wait(timeout=30)
    per_answer_ms = 1000 * cpu / max(1, len(latencies))
    return {
        "answered": len(latencies),
        "questions": members * each,
        "answers_per_s": round(len(latencies) / elapsed, 2),
        "cpu_s": round(cpu, 2),
        "cpu_ms_per_answer": round(per_answer_ms, 1),
        "capacity_1_core": round(1000 / per_answer_ms, 1),
        "capacity_2_cores": round(2000 / per_answer_ms, 1),
    }


async def cpu_runs(args: argparse.Namespace) -> dict[str, Any]:
    """Only the bot-process run, `--repeat` times: medians and spread of the CPU figures."""
    questions = load_questions(args.questions)
    with tempfile.TemporaryDirectory() as tmp, Emulator() as emulator:
        scratch = Path(tmp)
        settings = engine_settings(args, scratch)
        build_index(settings)
        runs = [
            await bench_bot_process(
                emulator,
                settings.data_dir,
                settings,
                members=args.members,
                each=args.questions_each,
                questions=questions,
            )
            for _ in range(args.repeat)
        ]
    per_answer = [r["cpu_ms_per_answer"] for r in runs]
    median = statistics.median(per_answer)
    return {
        "embedding_model": settings.embedding_model,
        "embedding_threads": settings.embedding_threads,
        "members": args.members,
        "questions_each": args.questions_each,
        "runs": runs,
        "cpu_ms_per_answer_median": median,
        "cpu_ms_per_answer_range": [min(per_answer), max(per_answer)],
        "capacity_1_core_median": round(1000 / median, 1),
        "capacity_2_cores_median": round(2000 / median, 1),
    }


def engine_settings(args: argparse.Namespace, scratch: Path) -> BotSettings:
    """The settings for the benchmark's knowledge folder and data folder."""
    options = {"embedding_threads": args.embedding_threads} if args.embedding_threads else {}
    return BotSettings(
        knowledge_dir=args.knowledge,
        data_dir=args.data or scratch / "engine",
        _env_file=None,
        **options,
    )  # type: ignore[call-arg]


def build_index(settings: BotSettings) -> None:
    """Index the knowledge folder once (shipped and cached vectors make it quick)."""
    database = open_database(settings.resolved_database_url)  # upgraded, as `essbot start` does
    try:
        KnowledgeEngine.open(settings, database.sessions).reindex()
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
        settings = engine_settings(args, scratch)
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
        results["bot_process"] = await bench_bot_process(
            emulator, settings.data_dir, settings, **load, questions=questions
        )

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
    process = result["bot_process"]
    lines.append(
        f"  processus du bot seul : {process['cpu_ms_per_answer']} ms de CPU par réponse, soit"
        f" {process['capacity_1_core']} réponses/s sur 1 cœur, {process['capacity_2_cores']}"
        " sur 2"
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
    parser.add_argument(
        "--cpu-only", action="store_true", help="only the bot-process CPU run (see --repeat)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="bot-process runs with --cpu-only")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.cpu_only:
        cpu = asyncio.run(cpu_runs(args))
        print(json.dumps(cpu, indent=2, ensure_ascii=False) if args.json else cpu_summary(cpu))
        return
    result = asyncio.run(main_async(args))
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else summary(result))


def cpu_summary(result: dict[str, Any]) -> str:
    """The bot process's CPU per answer, run by run, then the medians."""
    lines = [
        f"processus du bot seul, {result['members']} membres x {result['questions_each']}"
        f" questions (EMBEDDING_MODEL={result['embedding_model']})"
    ]
    for run in result["runs"]:
        lines.append(
            f"  {run['cpu_ms_per_answer']:6.1f} ms de CPU par réponse"
            f" ({run['answered']}/{run['questions']} répondues, {run['answers_per_s']} réponses/s)"
        )
    low, high = result["cpu_ms_per_answer_range"]
    lines.append(
        f"  médiane {result['cpu_ms_per_answer_median']} ms (de {low} à {high}) :"
        f" {result['capacity_1_core_median']} réponses/s sur 1 cœur,"
        f" {result['capacity_2_cores_median']} sur 2"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
