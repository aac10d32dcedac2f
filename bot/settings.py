"""The bot's settings: the engine's (`indexing.settings.EngineSettings`) plus the Telegram shell's
and the scheduled jobs'. Built once by the entry point (`bot.cli`); `.env.example` mirrors them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode

from indexing.settings import EngineSettings


class BotSettings(EngineSettings):
    """Every setting of the assistant: the engine's, then the bot's."""

    telegram_bot_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str = "https://api.telegram.org/file/bot"
    admin_ids: Annotated[tuple[int, ...], NoDecode] = ()
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"  # noqa: S104 - the reverse proxy in front decides exposure
    webhook_port: int = 8443
    # unset: a random key is generated in data_dir at first start (bot.storage.pseudonym_key)
    user_hash_key: SecretStr | None = None
    questions_per_minute: int = Field(default=10, ge=1)
    community_contact: str = "les animateurs et animatrices de la communauté"

    # Freshness, insight and privacy (bot jobs): an interval set to 0 turns its job off
    reindex_interval_minutes: int = Field(default=60, ge=0)  # scheduled incremental reindex
    watch_knowledge: bool = False  # also reindex shortly after files change in knowledge_dir
    watch_quiet_ms: int = Field(default=2000, ge=50)  # a burst of edits ends after this quiet
    link_check_interval_hours: int = Field(default=168, ge=0)  # dead/moved links sent to admins
    digest_interval_days: int = Field(default=7, ge=0)  # unanswered and 👎 questions to admins
    # cosine above which digest questions group; unset: calibrated for the embedding model
    digest_similarity: float | None = Field(default=None, gt=0, le=1)
    retention_days: int = Field(default=365, ge=1)  # older questions and feedback are purged
    # --- issue 13 ---
    team_chat_id: int | None = None  # escalations go to this team group; unset: admins' chats
    escalation_days: int = Field(default=14, ge=1)  # pending requests and alerts expire after this
    knowledge_inbox: Path = Path("reponses")  # writable folder of knowledge_dir for additions
    fetch_allow_private: bool = False  # /ajouter may fetch loopback and private addresses

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(int(part) for part in value.replace(";", ",").split(",") if part.strip())
        if isinstance(value, int):
            return (value,)
        return value

    @field_validator("knowledge_inbox")
    @classmethod
    def _inside_knowledge(cls, value: Path) -> Path:
        if value.is_absolute() or ".." in value.parts or not value.parts:
            raise ValueError("KNOWLEDGE_INBOX est un sous-dossier relatif de KNOWLEDGE_DIR")
        return value

    @property
    def inbox_dir(self) -> Path:
        """Where admin additions land: KNOWLEDGE_INBOX, relative to the knowledge folder."""
        return self.knowledge_dir / self.knowledge_inbox
