"""Fixtures of the bot tests: a database file in tmp_path, a fake engine, the service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy
from bot_testkit import FakeEngine
from sqlalchemy.orm import Session, sessionmaker

from bot.service import Assistant
from indexing.db import create_schema, make_engine, make_sessions


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sqlalchemy.Engine]:
    """A SQLite file database with every table."""
    engine = make_engine(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    create_schema(engine)
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
    return Assistant(fake_engine, sessions, hash_key=b"test-key", questions_per_minute=3,
                     admin_ids=(42,))
