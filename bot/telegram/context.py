"""The typed context handlers receive: services are reached through its properties."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.assistant.service import Assistant
from bot.community.insight import Insight
from bot.community.privacy import Privacy
from bot.contributions.additions import AdditionService
from bot.contributions.escalation import Escalations
from bot.upkeep.freshness import Freshness, KnowledgeWatcher


@dataclass(frozen=True)
class Services:
    """What the composition root hands to the handlers, stored in `bot_data` by `post_init`."""

    assistant: Assistant
    insight: Insight
    privacy: Privacy
    freshness: Freshness
    escalations: Escalations
    additions: AdditionService
    community_contact: str
    admin_ids: tuple[int, ...] = ()
    team_chat_id: int | None = None  # where requests go; None: the admins' private chats
    max_file_mb: float = 20.0  # largest document admins may send
    digest_days: int = 7  # the period the digest covers
    progress_interval: float = 1.0  # seconds between two edits of the /reindex message


class BotData:
    """`bot_data`: empty until `post_init` installs the services."""

    def __init__(self) -> None:
        self.services: Services | None = None
        self.watcher: KnowledgeWatcher | None = None  # when WATCH_KNOWLEDGE is on


class CustomContext(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], BotData]):
    """CallbackContext with typed access to the bot's services."""

    @property
    def services(self) -> Services:
        """The services; they exist once the application has run `post_init`."""
        services = self.bot_data.services
        if services is None:
            raise RuntimeError(
                "services are installed in post_init; the application is not started"
            )
        return services

    @property
    def assistant(self) -> Assistant:
        """The question-answering service."""
        return self.services.assistant

    @property
    def insight(self) -> Insight:
        """Digest, chart figures and reports for admins."""
        return self.services.insight

    @property
    def escalations(self) -> Escalations:
        """Requests to the team, relayed answers, alerts."""
        return self.services.escalations

    @property
    def additions(self) -> AdditionService:
        """Sheets, documents and pages admins add to the base."""
        return self.services.additions

    @property
    def privacy(self) -> Privacy:
        """Erasure on request and the retention purge."""
        return self.services.privacy


BotApplication = Application[
    ExtBot[Any], CustomContext, dict[Any, Any], dict[Any, Any], BotData, Any
]
