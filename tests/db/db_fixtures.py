"""Storage fixtures: a throwaway PostgreSQL server for the session, `db_url` over both databases.

A plugin of tests/conftest.py: every test may use them (the PostgreSQL runs are marked slow).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

if (
    str(Path(__file__).parent) not in sys.path
):  # the helpers beside this file, under any import mode
    sys.path.insert(0, str(Path(__file__).parent))

from postgres_server import PostgresServer, find_server_binaries

from indexing.settings import EngineSettings

NO_SERVER = (
    "PostgreSQL server binaries (initdb, pg_ctl) are not installed: on Debian, "
    "`apt-get install postgresql` (.ci/run does it)"
)


@pytest.fixture(scope="session")
def postgresql_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server started for the session; skipped only if it is not installed."""
    bin_dir = find_server_binaries()
    if bin_dir is None:
        pytest.skip(NO_SERVER)
    with PostgresServer(bin_dir) as server:
        yield server


@pytest.fixture
def postgresql_url(postgresql_server: PostgresServer) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    url = postgresql_server.create_database()
    yield url
    postgresql_server.drop_database(url)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file in tmp_path, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'essbot.sqlite3'}"
    return str(request.getfixturevalue("postgresql_url"))


@pytest.fixture
def db_settings(db_url: str, kb_dir: Path, tmp_path: Path) -> EngineSettings:
    """EngineSettings on `db_url` with the fast hashing embedder, ignoring any .env."""
    return EngineSettings(  # type: ignore[call-arg]
        knowledge_dir=kb_dir,
        data_dir=tmp_path / "data",
        database_url=db_url,
        embedding_model="hashing",
        _env_file=None,
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test on the throwaway PostgreSQL server is slow (the server starts in seconds)."""
    for item in items:
        if {"postgresql_server", "postgresql_url"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
