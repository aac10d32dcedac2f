"""The engine's settings, read from the environment and `.env`, built once in the entry point.

The bot's settings (`bot.settings.BotSettings`) extend these: one `.env`, one `.env.example`.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class EngineSettings(BaseSettings):
    """What the knowledge engine reads; `.env.example` mirrors them one for one."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    knowledge_dir: Path = Path("./knowledge")
    data_dir: Path = Path("./data")
    database_url: str | None = None  # default: SQLite file in data_dir

    embedding_model: str = "e5"  # "e5" (default), "use" or "st:<folder or model name>"
    embedding_threads: int = 2
    max_file_mb: float = 20.0
    # answers kept per (index build, question): a repeated question skips the encoder; 0 = off
    answer_cache_size: int = Field(default=512, ge=0)

    @property
    def resolved_database_url(self) -> str:
        """The SQLAlchemy URL: the configured one, or a SQLite file in the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'essbot.sqlite3').resolve()}"
