"""BotSettings parse from the environment (.env.example's mirror: tests/bot/test_env_example.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import BotSettings


def test_environment_overrides_and_admin_ids(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ADMIN_IDS", "12, 34;56")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:tok-xyz")
    settings = BotSettings()
    assert settings.admin_ids == (12, 34, 56)
    assert settings.resolved_database_url.endswith("/d/essbot.sqlite3")
    assert "tok-xyz" not in repr(settings)
