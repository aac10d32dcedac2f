"""Alembic migrations on SQLite and PostgreSQL: empty to head, adoption of create_all databases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, insert, inspect, select

from bot.storage.database import (
    alembic_config,
    migration_connection,
    schema_matches_models,
    upgrade_database,
)
from indexing.storage import store
from indexing.storage.db import Base, make_engine

ENGINE_TABLES = ("documents", "chunks", "index_builds")


def head() -> str:
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None
    return revision


def current(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@pytest.fixture
def db(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def test_empty_database_upgrades_to_head_and_matches_the_models(db_url: str, db: Engine) -> None:
    upgrade_database(db_url)
    assert current(db) == head()
    assert set(inspect(db).get_table_names()) == {*Base.metadata.tables, "alembic_version"}
    assert schema_matches_models(db) == []
    upgrade_database(db_url)  # a second run changes nothing
    assert current(db) == head() and schema_matches_models(db) == []


def test_the_check_reports_a_missing_table(db_url: str, db: Engine) -> None:
    upgrade_database(db_url)
    with db.begin() as connection:
        connection.exec_driver_sql("DROP TABLE bot_groups")
    assert any("bot_groups" in difference for difference in schema_matches_models(db))


def test_database_created_by_create_all_is_stamped_and_keeps_its_rows(
    db_url: str, db: Engine
) -> None:
    Base.metadata.create_all(db)  # every model imported: what the bot made before migrations
    with db.begin() as connection:
        connection.execute(insert(store.BuildRow), [_build_row("b1")])
    upgrade_database(db_url)
    assert current(db) == head()
    assert schema_matches_models(db) == []
    with db.connect() as connection:
        assert connection.scalars(select(store.BuildRow.build_id)).all() == ["b1"]


def test_engine_only_database_gets_the_bot_tables(db_url: str, db: Engine) -> None:
    Base.metadata.create_all(db, tables=[Base.metadata.tables[name] for name in ENGINE_TABLES])
    with db.begin() as connection:
        connection.execute(insert(store.BuildRow), [_build_row("b2")])
    upgrade_database(db_url)
    assert current(db) == head()
    assert schema_matches_models(db) == []
    with db.connect() as connection:
        assert connection.scalars(select(store.BuildRow.build_id)).all() == ["b2"]


def test_downgrade_to_base_then_upgrade_again(db_url: str, db: Engine) -> None:
    upgrade_database(db_url)
    with migration_connection(db) as connection:
        command.downgrade(alembic_config(connection), "base")
    assert set(inspect(db).get_table_names()) <= {"alembic_version"}
    upgrade_database(db_url)
    assert schema_matches_models(db) == []


def _build_row(build_id: str) -> dict[str, object]:
    return {
        "build_id": build_id,
        "model": "hashing",
        "documents": 1,
        "chunks": 2,
        "created_at": dt.datetime.now(dt.UTC),
    }


def test_a_database_at_0001_loses_the_unread_build_report_and_keeps_its_builds(
    db_url: str, db: Engine
) -> None:
    with migration_connection(db) as connection:
        command.upgrade(alembic_config(connection), "0001")
    with db.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO index_builds (build_id, model, documents, chunks, report, created_at) "
            "VALUES ('b3', 'hashing', 1, 2, '{}', '2026-12-01 10:00:00')"
        )
    upgrade_database(db_url)
    assert current(db) == head() and schema_matches_models(db) == []
    assert "report" not in {column["name"] for column in inspect(db).get_columns("index_builds")}
    with db.connect() as connection:
        assert connection.scalars(select(store.BuildRow.build_id)).all() == ["b3"]


def test_answers_stored_before_tokens_get_distinct_tokens(db_url: str, db: Engine) -> None:
    with migration_connection(db) as connection:
        command.upgrade(alembic_config(connection), "0001")
    now = dt.datetime(2026, 1, 1)
    with db.begin() as connection:
        for n in range(3):
            connection.exec_driver_sql(
                "INSERT INTO bot_questions (asked_at, user_hash, chat_type, question, answered,"
                " answer_text, latency_ms) VALUES (?, ?, 'private', ?, true, 'r', 0)"
                if db.dialect.name == "sqlite"
                else "INSERT INTO bot_questions (asked_at, user_hash, chat_type, question,"
                " answered, answer_text, latency_ms) VALUES (%s, %s, 'private', %s, true, 'r', 0)",
                (now, "h" * 64, f"question {n}"),
            )
    upgrade_database(db_url)
    assert current(db) == head() and schema_matches_models(db) == []
    with db.connect() as connection:
        tokens = connection.exec_driver_sql("SELECT token FROM bot_questions").scalars().all()
    assert len(set(tokens)) == 3 and all(len(t) >= 16 for t in tokens)
