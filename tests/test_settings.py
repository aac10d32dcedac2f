"""Settings: `.env.example` mirrors every field, and values parse from the environment."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexing.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_env_example_mirrors_the_settings_one_for_one() -> None:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    names = re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, re.MULTILINE)
    assert len(names) == len(set(names)), "a setting appears twice"
    assert set(names) == {name.upper() for name in Settings.model_fields}


def test_environment_overrides_and_admin_ids(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ADMIN_IDS", "12, 34;56")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:tok-xyz")
    settings = Settings()
    assert settings.admin_ids == (12, 34, 56)
    assert settings.resolved_database_url.endswith("/d/essbot.sqlite3")
    assert "tok-xyz" not in repr(settings)
