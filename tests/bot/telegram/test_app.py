"""The composition root: flood limits that count messages only, configuration errors."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker
from telegram.error import RetryAfter

from bot.settings import BotSettings
from bot.telegram.app import (
    MessageRateLimiter,
    MissingTokenError,
    build_application,
    webhook_options,
)


async def test_only_messages_spend_the_flood_budget() -> None:
    limiter = MessageRateLimiter(overall_max_rate=1, overall_time_period=0.2, max_retries=1)
    await limiter.initialize()
    calls: list[str] = []

    async def call(endpoint: str) -> bool:
        calls.append(endpoint)
        return True

    async def send(endpoint: str) -> Any:
        return await limiter.process_request(call, (endpoint,), {}, endpoint, {"chat_id": 5}, None)

    budget = limiter._base_limiter  # the overall flood limit: one message per 0.2 s here
    assert budget is not None
    for _ in range(5):
        await send("sendChatAction")
        await send("answerCallbackQuery")
    assert budget.has_capacity()  # nothing spent
    started = time.perf_counter()
    for _ in range(3):
        await send("sendMessage")
    assert time.perf_counter() - started >= 0.3  # one message per 0.2 s
    assert len(calls) == 13
    await limiter.shutdown()


async def test_uncounted_calls_still_wait_out_retry_after() -> None:
    limiter = MessageRateLimiter(max_retries=2)
    await limiter.initialize()
    attempts = []

    async def flaky() -> bool:
        attempts.append(1)
        if len(attempts) == 1:
            raise RetryAfter(dt.timedelta(seconds=0))
        return True

    assert await limiter.process_request(flaky, (), {}, "sendChatAction", {"chat_id": 1}, None)
    assert len(attempts) == 2
    await limiter.shutdown()


def test_configuration_errors(sessions: sessionmaker[Session]) -> None:
    settings = BotSettings(_env_file=None)  # type: ignore[call-arg]
    with pytest.raises(MissingTokenError, match="TELEGRAM_BOT_TOKEN"):
        build_application(settings, object(), sessions)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="WEBHOOK_URL"):
        webhook_options(settings)
    secret = BotSettings(_env_file=None, webhook_url="https://x.org/h", webhook_secret="s" * 40)  # type: ignore[call-arg]
    assert webhook_options(secret)["secret_token"] == "s" * 40
