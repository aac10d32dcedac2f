"""Echo baseline for the bot's throughput benchmark, through the Bot API emulator.

``members`` simulated members each ask ``questions_each`` questions in their private chat, one
after the other (a member waits for the answer before asking again), all members at once. The
bot answers like the real one: ``sendChatAction(typing)`` then ``sendMessage``. We measure, from
the user's message to the bot's answer being stored by the emulator, answers/second and
latency percentiles. The bot and the simulated members share one event loop.

Pass your own ``setup`` (registers handlers) or ``application`` to benchmark the real bot the
same way. From a script: ``python tests/e2e/echo_bench.py --members 20 --questions 10``.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from telegram import Update
from telegram.constants import ChatAction
from telegram.ext import ContextTypes, MessageHandler, filters

try:
    from .emulator import Chat, Emulator, User, running_application
except ImportError:  # imported as a top-level module (pytest's rootdir-less layout, scripts)
    from emulator import Chat, Emulator, User, running_application  # type: ignore[no-redef]


async def echo_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    await context.bot.send_chat_action(message.chat_id, ChatAction.TYPING)
    await message.reply_text(f"Écho : {message.text}")


def echo_setup(application: Any) -> None:
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo_answer))


def _percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile (0 < q <= 1) of an already sorted list."""
    if not sorted_values:
        return math.nan
    return sorted_values[min(len(sorted_values) - 1, math.ceil(q * len(sorted_values)) - 1)]


async def arun_echo_benchmark(
    emulator: Emulator,
    members: int,
    questions_each: int,
    *,
    setup: Callable[[Any], Any] | None = None,
    application: Any = None,
    token: str | None = None,
    concurrent_updates: bool | int = True,
    rate_limiter: Any = None,
    answers_per_question: int = 1,
    question: Callable[[int, int], str] = lambda m, q: f"Question {q + 1} du membre {m + 1} ?",
    answer_timeout: float = 15.0,
    total_timeout: float = 120.0,
) -> dict[str, Any]:
    """Run the benchmark in the current event loop; see the module docstring.

    ``setup(app)`` registers the handlers (default: the echo answer). The default builder uses
    ``concurrent_updates`` (a real bot must not answer one member at a time) and, when given,
    ``rate_limiter`` (PTB's flood-limit throttle, as in production). ``application``:
    an Application built elsewhere (with ``emulator.base_url``; pass its ``token`` too). A
    question counts as answered once the bot posted ``answers_per_question`` messages after it.
    """
    if members < 1 or questions_each < 1:
        raise ValueError("members and questions_each must be >= 1")
    token = token or emulator.new_token()
    latencies: list[float] = []
    failed = 0

    def configure(builder: Any) -> Any:
        builder = builder.concurrent_updates(concurrent_updates)
        return builder.rate_limiter(rate_limiter) if rate_limiter is not None else builder

    async with (
        emulator.async_client(token) as client,
        running_application(
            emulator,
            setup or echo_setup,
            token=token,
            application=application,
            configure=configure,
            check_errors=False,
        ),
    ):
        deadline = time.monotonic() + total_timeout

        async def member(index: int) -> None:
            nonlocal failed
            user = User(50_000 + index, f"Membre{index + 1}")
            chat = Chat.private(user)
            for q in range(questions_each):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    failed += questions_each - q
                    return
                start = time.perf_counter()
                update = await client.send_message(chat, user, question(index, q))
                try:
                    await client.wait_for_bot_messages(
                        chat.id,
                        answers_per_question,
                        timeout=min(answer_timeout, remaining),
                        after=update["message"]["message_id"],
                    )
                except AssertionError:
                    failed += 1
                    continue
                latencies.append(time.perf_counter() - start)

        started = time.perf_counter()
        await asyncio.gather(*(member(i) for i in range(members)))
        elapsed = time.perf_counter() - started
        calls = Counter(c["method"] for c in await client.calls() if c["method"] != "getUpdates")

    latencies.sort()
    ms = [x * 1000 for x in latencies]
    return {
        "members": members,
        "questions_each": questions_each,
        "questions": members * questions_each,
        "answered": len(latencies),
        "failed": failed,
        "duration_s": round(elapsed, 3),
        "answers_per_s": round(len(latencies) / elapsed, 2) if elapsed > 0 else math.nan,
        "latency_p50_ms": round(_percentile(ms, 0.50), 1),
        "latency_p95_ms": round(_percentile(ms, 0.95), 1),
        "latency_max_ms": round(ms[-1], 1) if ms else math.nan,
        "bot_api_calls": dict(calls),
    }


def run_echo_benchmark(
    emulator: Emulator, members: int, questions_each: int, **options: Any
) -> dict[str, Any]:
    """Blocking wrapper of ``arun_echo_benchmark`` (not from inside a running event loop)."""
    return asyncio.run(arun_echo_benchmark(emulator, members, questions_each, **options))


if __name__ == "__main__":
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--questions", type=int, default=10)
    args = parser.parse_args()
    with Emulator() as emu:
        print(json.dumps(run_echo_benchmark(emu, args.members, args.questions), indent=2))
