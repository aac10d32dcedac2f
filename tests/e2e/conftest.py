"""Fixtures for the end-to-end tests: one emulator per session, one bot token per test.

    async def test_echo(run_bot, emu):
        await run_bot(lambda app: app.add_handler(MessageHandler(filters.TEXT, echo)))
        update = await emu.send_message(chat, user, "bonjour")
        [reply] = await emu.wait_for_bot_messages(chat.id, after=update["message"]["message_id"])

``run_bot`` accepts the keyword arguments of ``emulator.running_application`` (``configure``
for the builder, ``application`` for an Application built elsewhere, ``check_errors``...).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

if str(Path(__file__).parent) not in sys.path:  # `import emulator` under any import mode
    sys.path.insert(0, str(Path(__file__).parent))

from emulator import Emulator, running_application

RunBot = Callable[..., Awaitable[Any]]


@pytest.fixture
async def run_bot(emulator: Emulator, bot_token: str) -> AsyncIterator[RunBot]:
    """``await run_bot(setup, **options) -> Application``: polls in the background until the
    end of the test (stopped and shut down cleanly at teardown)."""
    async with contextlib.AsyncExitStack() as stack:

        async def start(setup: Callable[[Any], Any] | None = None, **options: Any) -> Any:
            options.setdefault("token", bot_token)
            return await stack.enter_async_context(running_application(emulator, setup, **options))

        yield start
