"""`essbot report` (the anonymised report files) and `essbot purge` (retention), on the database
`essbot --data data` opens."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from bot_testkit import source
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main
from bot.storage import records
from bot.storage.database import open_database
from bot.storage.records import QuestionRecord, hash_user
from indexing.models import Answer


def store(
    sessions: sessionmaker[Session],
    question: str,
    *,
    at: dt.datetime,
    answered: bool = True,
    votes: tuple[tuple[int, int], ...] = (),
) -> int:
    """Store a question citing one document, with votes (user, ±1)."""
    with sessions.begin() as session:
        record = records.add_question(
            session,
            Answer(question, answered, "Une réponse.", (source(0),)),
            user_hash=hash_user(b"k", 1),
            chat_type="private",
            group_id=None,
            latency_ms=3,
            now=at,
        )
        for voter, vote in votes:
            records.set_feedback(
                session, record.id, hash_user(b"k", voter), vote=vote, reason=None, now=at
            )
        return record.id


def _cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> sessionmaker[Session]:
    """The database `essbot --data tmp/data` uses, with every table."""
    monkeypatch.chdir(tmp_path)  # no developer .env
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return open_database(f"sqlite:///{(tmp_path / 'data' / 'essbot.sqlite3').resolve()}").sessions


def test_essbot_report_writes_both_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sessions = _cli_database(tmp_path, monkeypatch)
    store(sessions, "q1", at=dt.datetime(2026, 1, 15, 9))
    store(sessions, "q2", answered=False, at=dt.datetime(2026, 1, 31, 23, 59))
    store(sessions, "q3", at=dt.datetime(2026, 2, 1, 0, 0))  # the day after --to
    args = ["--data", "data", "--knowledge", "kb", "report", "--from", "2026-01-01"]
    assert main([*args, "--to", "2026-01-31", "--out", "rapports"]) == 0
    written = capsys.readouterr().out.split()
    assert written == [
        "rapports/rapport-2026-01-01-2026-01-31.md",
        "rapports/rapport-2026-01-01-2026-01-31.csv",
    ]
    text = Path(written[0]).read_text(encoding="utf-8")
    assert "- Questions posées : 2" in text and "- Avec réponse : 1 (50 %)" in text
    assert main([*args, "--to", "2025-12-31"]) == 2
    with pytest.raises(SystemExit):
        main([*args, "--to", "31/01/2026"])


def test_essbot_purge_on_demand(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sessions = _cli_database(tmp_path, monkeypatch)
    now = records.utcnow()
    store(sessions, "ancienne", at=now - dt.timedelta(days=400), votes=((1, -1),))
    recent = store(sessions, "récente", at=now - dt.timedelta(days=3))
    monkeypatch.setenv("RETENTION_DAYS", "365")
    assert main(["--data", "data", "purge"]) == 0
    assert "1 question et 1 avis effacés" in capsys.readouterr().out
    with sessions() as session:
        assert list(session.scalars(select(QuestionRecord.id))) == [recent]
    assert main(["--data", "data", "purge", "--days", "1"]) == 0
    assert "1 question et 0 avis effacés" in capsys.readouterr().out
