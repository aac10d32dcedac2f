"""End to end, how the bot starts: `essbot run` (long polling), webhook mode with a secret."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from e2e_kit import callback_data, message_id, write_knowledge
from emulator import AsyncEmulatorClient, Chat, Emulator, User, free_port
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import BotSettings
from bot.telegram.app import build_application, webhook_options
from indexing.engine import KnowledgeEngine

pytestmark = pytest.mark.e2e

MEMBER = User(5001, "Camille")
QUESTION = "Quel outil libre pour organiser une visioconférence ?"


async def test_webhook_mode_with_secret(
    emulator: Emulator,
    emu: AsyncEmulatorClient,
    bot_token: str,
    shared_engine: KnowledgeEngine,
    sessions: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    port = free_port()
    settings = BotSettings(  # type: ignore[call-arg]
        _env_file=None,
        telegram_bot_token=bot_token,
        telegram_base_url=emulator.base_url,
        telegram_base_file_url=emulator.base_file_url,
        webhook_url=f"http://127.0.0.1:{port}/essbot/hook",
        webhook_listen="127.0.0.1",
        webhook_port=port,
        data_dir=tmp_path / "data",
    )
    options = webhook_options(settings)
    assert options["url_path"] == "essbot/hook" and len(options["secret_token"]) >= 32
    application = build_application(settings, shared_engine, sessions)
    await application.initialize()
    try:
        assert application.post_init is not None
        await application.post_init(application)
        await application.updater.start_webhook(**options)  # type: ignore[union-attr]
        await application.start()
        [hook] = await emu.calls("setWebhook")
        assert hook["params"]["secret_token"] == options["secret_token"]
        assert "my_chat_member" in hook["params"]["allowed_updates"]
        update = await emu.send_message(Chat.private(MEMBER), MEMBER, QUESTION)
        [reply] = await emu.wait_for_bot_messages(MEMBER.id, after=message_id(update))
        assert callback_data(reply)
    finally:
        await application.updater.stop()  # type: ignore[union-attr]
        await application.stop()
        await application.shutdown()


async def test_essbot_run_answers_then_stops_on_sigint(
    emulator: Emulator, emu: AsyncEmulatorClient, bot_token: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": bot_token,
        "TELEGRAM_BASE_URL": emulator.base_url,
        "TELEGRAM_BASE_FILE_URL": emulator.base_file_url,
        "KNOWLEDGE_DIR": str(write_knowledge(tmp_path / "knowledge")),
        "DATA_DIR": str(tmp_path / "data"),
        "EMBEDDING_THREADS": "1",
    }
    command = [sys.executable, "-m", "bot.cli", "run"]
    with subprocess.Popen(  # noqa: S603 - our own interpreter and module
        command, cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True
    ) as proc:
        try:
            update = await emu.send_message(Chat.private(MEMBER), MEMBER, QUESTION)
            [reply] = await emu.wait_for_bot_messages(
                MEMBER.id, after=message_id(update), timeout=60
            )
            assert callback_data(reply)
            assert (tmp_path / "data" / "essbot.sqlite3").exists()
        finally:
            proc.send_signal(signal.SIGINT)
            _, errors = proc.communicate(timeout=30)
    assert proc.returncode == 0, errors
    assert bot_token not in errors
