"""Fixtures of the bot tests: a database file in tmp_path, a fake engine, the service."""

from __future__ import annotations

import contextlib
import logging
import shutil
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from bot_testkit import FakeEngine, check_html
from e2e_kit import ADMIN_ID, ProxyEngine, RunningBot, StartBot, write_knowledge
from sqlalchemy.orm import Session, sessionmaker

from bot.assistant.service import Assistant
from bot.settings import BotSettings
from bot.storage.database import open_database
from bot.telegram.app import build_application
from indexing.engine import KnowledgeEngine
from indexing.retrieval.embedding import Embedder
from indexing.storage.db import make_engine, make_sessions


@pytest.fixture
def db(tmp_path: Path, migrated_sqlite: Path) -> Iterator[sqlalchemy.Engine]:
    """A SQLite file database at the latest revision (a copy of the session's migrated file)."""
    path = tmp_path / "bot.sqlite3"
    shutil.copyfile(migrated_sqlite, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(db: sqlalchemy.Engine) -> sessionmaker[Session]:
    """The session factory on the test database."""
    return make_sessions(db)


@pytest.fixture
def fake_engine() -> FakeEngine:
    """A fake knowledge engine."""
    return FakeEngine()


@pytest.fixture
def assistant(fake_engine: FakeEngine, sessions: sessionmaker[Session]) -> Assistant:
    """The service over the fake engine and a real database."""
    return Assistant(
        fake_engine, sessions, hash_key=b"test-key", questions_per_minute=3, admin_ids=(42,)
    )


# ----------------------------------------------------------------------------- end to end
E2E_DIR = Path(__file__).parents[1] / "e2e"
if str(E2E_DIR) not in sys.path:  # the emulator helpers of tests/e2e, under any import mode
    sys.path.insert(0, str(E2E_DIR))

from emulator import Emulator, running_application  # noqa: E402


@pytest.fixture(scope="session")
def shared_engine(
    tmp_path_factory: pytest.TempPathFactory, default_embedder: Embedder
) -> Iterator[KnowledgeEngine]:
    """The real engine over a small knowledge folder, indexed once (tests must not reindex it)."""
    root = tmp_path_factory.mktemp("shared-kb")
    with indexed_engine(root / "knowledge", root / "data", default_embedder) as engine:
        yield engine


@pytest.fixture
def own_engine(tmp_path: Path, default_embedder: Embedder) -> Iterator[KnowledgeEngine]:
    """A real engine on this test's own folder, indexed, that the test may change and reindex."""
    with indexed_engine(
        tmp_path / "knowledge", tmp_path / "engine-data", default_embedder
    ) as engine:
        yield engine


@contextlib.contextmanager
def indexed_engine(knowledge: Path, data: Path, embedder: Embedder) -> Iterator[KnowledgeEngine]:
    """A real engine over the small test knowledge folder written at `knowledge`, indexed."""
    settings = BotSettings(knowledge_dir=write_knowledge(knowledge), data_dir=data, _env_file=None)  # type: ignore[call-arg]
    database = open_database(settings.resolved_database_url)
    try:
        engine = KnowledgeEngine(settings, database.sessions, embedder)
        engine.reindex()
        yield engine
    finally:
        database.close()


@pytest.fixture
async def start_bot(
    emulator: Emulator,
    bot_token: str,
    tmp_path: Path,
    shared_engine: KnowledgeEngine,
    sessions: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
) -> AsyncIterator[StartBot]:
    """`await start_bot(engine=None, expect_errors=False, **settings)`: the real bot, polling the
    emulator until the end of the test; handler errors fail the test unless expected."""
    expected = [False]
    async with contextlib.AsyncExitStack() as stack:

        async def start(
            engine: KnowledgeEngine | None = None, expect_errors: bool = False, **overrides: Any
        ) -> RunningBot:
            expected[0] = expect_errors
            fields: dict[str, Any] = {
                "telegram_bot_token": bot_token,
                "telegram_base_url": emulator.base_url,
                "telegram_base_file_url": emulator.base_file_url,
                "admin_ids": (ADMIN_ID,),
                "user_hash_key": "e2e-key-0123456789abcdef",
                "data_dir": tmp_path / "bot-data",
                "knowledge_dir": (engine or shared_engine).settings.knowledge_dir,
                "community_contact": "l'équipe d'animation de la Communauté",
                **overrides,
            }
            settings = BotSettings(_env_file=None, **fields)  # type: ignore[call-arg]
            proxy = ProxyEngine(engine or shared_engine)
            application = build_application(settings, proxy, sessions, progress_interval=0)
            caplog.set_level(logging.INFO)
            await stack.enter_async_context(running_application(emulator, application=application))
            stack.callback(proxy.open_gates)  # runs first at exit: held work must finish
            return RunningBot(application, proxy, sessions, settings)

        yield start
    if not expected[0]:
        failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert not failures, [r.getMessage() for r in failures]
    check_sent_html(emulator.for_token(bot_token).calls())


def check_sent_html(calls: list[dict[str, Any]]) -> None:
    """Every text the bot sent during the test is valid Telegram HTML within the limits."""
    for call in calls:
        params = call["params"]
        if call["method"] in ("sendMessage", "editMessageText"):
            assert params.get("parse_mode") == "HTML", call
            check_html(params["text"])
        elif call["method"] == "answerInlineQuery":
            for result in params.get("results", []):
                check_html(result["input_message_content"]["message_text"])
