"""Composition root of the Telegram bot: settings, database, engine, service, PTB Application."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Coroutine
from typing import Any, Literal
from urllib.parse import urlsplit

from sqlalchemy.orm import Session, sessionmaker
from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError
from telegram.ext import (
    AIORateLimiter,
    Application,
    BaseRateLimiter,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.assistant.service import Assistant, KnowledgeBase
from bot.community.insight import Insight
from bot.community.privacy import Privacy
from bot.contributions.additions import AdditionService, build_additions
from bot.contributions.escalation import Escalations
from bot.settings import BotSettings
from bot.storage.pseudonym_key import resolve_hash_key
from bot.telegram import callbacks, contributions, handlers, jobs, keyboards, texts
from bot.telegram.context import BotApplication, BotData, CustomContext, Services
from bot.telegram.reachability import Reachability, WatchedRequest
from bot.upkeep.freshness import Freshness, KnowledgeWatcher
from bot.upkeep.running import RunLock, run_lock_path
from indexing.engine import KnowledgeEngine
from indexing.errors import EngineError
from indexing.storage.db import DatabaseOpener

log = logging.getLogger(__name__)

CONCURRENT_UPDATES = 64  # every slow call runs in a thread, so updates may overlap
CONNECTION_POOL = 256  # PTB's own default for the bot's calls


class MissingTokenError(EngineError):
    """TELEGRAM_BOT_TOKEN is not set."""


class MissingJobQueueError(EngineError):
    """python-telegram-bot was installed without its job-queue extra."""


class TokenRejectedError(EngineError):
    """Telegram refused TELEGRAM_BOT_TOKEN (the message never contains it)."""


class TelegramUnreachableError(EngineError):
    """The Bot API at TELEGRAM_BASE_URL did not answer."""


TOKEN_REJECTED = (  # a message about the token, not one
    "Telegram refuse le jeton TELEGRAM_BOT_TOKEN (non autorisé) : vérifiez-le dans @BotFather "  # noqa: S105
    "(/mybots → votre bot → API Token) et recopiez-le en entier dans le fichier de réglages "
    "(.env) ; un jeton révoqué doit être remplacé."
)


def unreachable_message(settings: BotSettings, error: Exception) -> str:
    """Why the bot could not talk to the Bot API, naming the setting and the address."""
    return (
        f"l'API Telegram ne répond pas à l'adresse {settings.telegram_base_url} "
        f"(TELEGRAM_BASE_URL) : {error.__class__.__name__}. Vérifiez la connexion du serveur à "
        "Internet (pare-feu, proxy, DNS) et la valeur de TELEGRAM_BASE_URL (par défaut "
        "https://api.telegram.org/bot)."
    )


class MessageRateLimiter(AIORateLimiter):
    """Telegram's flood limits count messages: "typing" and button or inline answers pass.

    They still wait out a RetryAfter and are retried; only the message budget is not spent on
    them, so an answer costs one slot of the 30 a second, not two.
    """

    UNCOUNTED = frozenset({"sendChatAction", "answerCallbackQuery", "answerInlineQuery"})

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Throttle like AIORateLimiter, except the calls that send no message."""
        if endpoint in self.UNCOUNTED:  # without a chat id, no limiter applies, retries do
            data = {key: value for key, value in data.items() if key != "chat_id"}
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )


def default_rate_limiter() -> AIORateLimiter:
    """Telegram's flood limits (30 messages/s, 20 a minute per group); RetryAfter is retried."""
    return MessageRateLimiter(
        overall_max_rate=30, group_max_rate=20, group_time_period=60, max_retries=3
    )


def build_application(
    settings: BotSettings,
    engine: KnowledgeBase,
    sessions: sessionmaker[Session],
    *,
    rate_limiter: BaseRateLimiter[Any] | Literal["default"] | None = "default",
    progress_interval: float = 1.0,
) -> BotApplication:
    """The PTB application with every handler registered; services go to bot_data in post_init.

    `rate_limiter=None` removes the flood-limit throttle (benchmarks against an emulator only).
    """
    if settings.telegram_bot_token is None:
        raise MissingTokenError("TELEGRAM_BOT_TOKEN n'est pas défini")
    services = build_services(settings, engine, sessions, progress_interval)
    reachability = Reachability()  # one warning per Telegram outage, not one per failed call

    async def post_init(application: BotApplication) -> None:
        application.bot_data.services = services
        contributions.watch_reindexes(application, services)
        await set_command_menus(application, settings.admin_ids)
        if settings.watch_knowledge:
            start_watch(application, services, settings)

    async def post_stop(application: BotApplication) -> None:
        if application.bot_data.watcher is not None:
            await application.bot_data.watcher.stop()

    builder = (
        Application.builder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_file_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                allow_sending_without_reply=True,  # the question may be deleted before we reply
            )
        )
        .request(WatchedRequest(reachability, connection_pool_size=CONNECTION_POOL))
        .get_updates_request(WatchedRequest(reachability, connection_pool_size=1))
        .context_types(ContextTypes(context=CustomContext, bot_data=BotData))
        .concurrent_updates(CONCURRENT_UPDATES)
        .post_init(post_init)
        .post_stop(post_stop)
    )
    if rate_limiter is not None:  # the builder's methods configure it in place
        builder.rate_limiter(default_rate_limiter() if rate_limiter == "default" else rate_limiter)
    application: BotApplication = builder.build()
    register_handlers(application, team_chat_id=settings.team_chat_id)
    if application.job_queue is None:
        raise MissingJobQueueError("installez python-telegram-bot[job-queue]")
    jobs.schedule_jobs(application.job_queue, settings)
    return application


def build_services(
    settings: BotSettings,
    engine: KnowledgeBase,
    sessions: sessionmaker[Session],
    progress_interval: float,
) -> Services:
    """The services handlers and jobs reach through their context."""
    key = resolve_hash_key(settings)
    assistant = Assistant(
        engine,
        sessions,
        hash_key=key,
        questions_per_minute=settings.questions_per_minute,
        admin_ids=settings.admin_ids,
        knowledge_dir=settings.knowledge_dir,
        max_file_bytes=int(settings.max_file_mb * 1_000_000),
    )
    privacy = Privacy(
        sessions,
        hash_key=key,
        retention_days=settings.retention_days,
        escalation_days=settings.escalation_days,
    )
    return Services(
        assistant=assistant,
        insight=Insight(engine, sessions, similarity=settings.digest_similarity),
        privacy=privacy,
        freshness=Freshness(assistant, settings.knowledge_dir),
        escalations=Escalations(engine, sessions, hash_key=key, days=settings.escalation_days),
        additions=AdditionService(build_additions(settings, sessions), assistant),
        community_contact=settings.community_contact,
        admin_ids=settings.admin_ids,
        team_chat_id=settings.team_chat_id,
        max_file_mb=settings.max_file_mb,
        digest_days=settings.digest_interval_days or 7,
        progress_interval=progress_interval,
    )


def start_watch(application: BotApplication, services: Services, settings: BotSettings) -> None:
    """Reindex shortly after files change in the knowledge folder (WATCH_KNOWLEDGE)."""

    async def on_change() -> None:
        await jobs.refresh(application.bot, services, "watch")

    watcher = KnowledgeWatcher(settings.knowledge_dir, on_change, quiet_ms=settings.watch_quiet_ms)
    application.bot_data.watcher = watcher
    watcher.start()


def register_handlers(application: BotApplication, team_chat_id: int | None = None) -> None:
    """Every handler of the bot, in one place."""
    new = filters.UpdateType.MESSAGE  # edits of old messages are not new questions
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    team = private | filters.Chat(team_chat_id) if team_chat_id else private
    text = filters.TEXT & ~filters.COMMAND
    application.add_handlers(
        [
            # Commands (a command addressed to another bot, /x@otherbot, is ignored by PTB)
            CommandHandler("start", handlers.start, filters=new),
            CommandHandler(["aide", "help"], handlers.help_command, filters=new),
            CommandHandler("sources", handlers.sources_command, filters=new),
            CommandHandler("ateliers", handlers.workshops_command, filters=new),
            CommandHandler("question", handlers.question_command, filters=new),
            CommandHandler("reindex", handlers.reindex_command, filters=new),
            CommandHandler("stats", handlers.stats_command, filters=new),
            CommandHandler("verifier", handlers.check_command, filters=new),
            CommandHandler("resume", handlers.digest_command, filters=new),
            CommandHandler("liens", handlers.links_command, filters=new),
            CommandHandler("confidentialite", handlers.privacy_command, filters=new),
            CommandHandler("oubli", handlers.forget_command, filters=new),
            CommandHandler("ajouter", contributions.add_command, filters=new),
            # The team's replies to requests (any other reply falls through to the next ones)
            MessageHandler(new & team & filters.REPLY & text, contributions.team_reply),
            # Questions: any text in private; in groups only when addressed
            MessageHandler(new & private & text, handlers.private_text),
            MessageHandler(new & groups & text, handlers.group_text),
            MessageHandler(new & private & filters.COMMAND, handlers.unknown_command),
            # Documents sent in private: admins add them to the base
            MessageHandler(new & private & filters.Document.ALL, contributions.document_message),
            MessageHandler(
                new & ~filters.TEXT & ~filters.StatusUpdate.ALL & (private | filters.REPLY),
                handlers.non_text,
            ),
            # Groups joined or left, inline mode, buttons
            ChatMemberHandler(handlers.my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER),
            InlineQueryHandler(callbacks.inline_query),
            CallbackQueryHandler(callbacks.feedback_button, pattern=r"^fb:"),
            CallbackQueryHandler(callbacks.more_button, pattern=r"^more:"),
            CallbackQueryHandler(callbacks.document_button, pattern=keyboards.DOCUMENT_PATTERN),
            CallbackQueryHandler(callbacks.noop_button, pattern=r"^noop$"),
            CallbackQueryHandler(callbacks.sources_button, pattern=keyboards.SOURCES_PATTERN),
            CallbackQueryHandler(callbacks.forget_button, pattern=keyboards.FORGET_PATTERN),
            CallbackQueryHandler(
                contributions.escalate_button,
                pattern=keyboards.ESCALATE_PATTERN,
            ),
            CallbackQueryHandler(
                contributions.notify_button,
                pattern=keyboards.NOTIFY_PATTERN,
            ),
            CallbackQueryHandler(
                contributions.add_to_base_button,
                pattern=keyboards.prefix_pattern(keyboards.ADD_PREFIX),
            ),
            CallbackQueryHandler(
                contributions.team_vote_button, pattern=keyboards.TEAM_VOTE_PATTERN
            ),
        ]
    )
    application.add_error_handler(handlers.on_error)


def _commands(pairs: tuple[tuple[str, str], ...]) -> list[BotCommand]:
    return [BotCommand(name, description) for name, description in pairs]


async def set_command_menus(application: BotApplication, admin_ids: tuple[int, ...]) -> None:
    """The French command menus: private chats, groups, and admins' private chats."""
    bot = application.bot
    private = _commands(texts.COMMANDS_PRIVATE)
    group = _commands(texts.COMMANDS_GROUP)
    for language in (None, "fr"):
        await bot.set_my_commands(private, BotCommandScopeAllPrivateChats(), language)
        await bot.set_my_commands(group, BotCommandScopeAllGroupChats(), language)
    for admin in admin_ids:
        try:
            await bot.set_my_commands(
                private + _commands(texts.COMMANDS_ADMIN), BotCommandScopeChat(admin)
            )
        except BadRequest as error:  # the admin has not opened a chat with the bot yet
            log.warning("No admin command menu for one admin: %s", error)


def webhook_options(settings: BotSettings) -> dict[str, Any]:
    """Arguments of `run_webhook` / `Updater.start_webhook` for the configured WEBHOOK_URL.

    Telegram echoes the secret in a header of every delivery and PTB rejects requests without
    it; when WEBHOOK_SECRET is not set, a random one is drawn for this run.
    """
    if not settings.webhook_url:
        raise ValueError("WEBHOOK_URL is not set")
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        "url_path": urlsplit(settings.webhook_url).path.lstrip("/"),
        "webhook_url": settings.webhook_url,
        "secret_token": secret or secrets.token_urlsafe(32),
        "allowed_updates": Update.ALL_TYPES,
    }


def run(settings: BotSettings, open_database: DatabaseOpener) -> None:
    """Start the bot (long polling, or a webhook when WEBHOOK_URL is set) until interrupted.

    A rejected token and an unreachable Bot API at start-up become domain errors with a
    French message (the token is never part of it). The data folder's run lock is held
    throughout, so `essbot restore` cannot run under it.
    """
    from indexing.console.logs import explain_errors
    from indexing.console.progress import ReindexProgress

    explain_errors([InvalidToken, NetworkError])  # their French message follows; -v: the trace
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines carry the token
    with RunLock(run_lock_path(settings)):
        database = open_database(settings.resolved_database_url)
        try:
            engine = KnowledgeEngine.open(settings, database.sessions)
            progress = ReindexProgress()
            try:
                engine.ensure_index(progress=progress)
            finally:
                progress.close()
            if not engine.documents():
                log.warning(
                    "No document indexed in %s: the bot will answer nothing "
                    "(see knowledge/README.md)",
                    settings.knowledge_dir,
                )
            _serve(build_application(settings, engine, database.sessions), settings)
        finally:
            database.close()


def _serve(application: BotApplication, settings: BotSettings) -> None:
    try:
        if settings.webhook_url:
            log.info("Starting in webhook mode on port %d", settings.webhook_port)
            application.run_webhook(**webhook_options(settings))
        else:
            log.info("Starting in long-polling mode")
            application.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken as error:
        raise TokenRejectedError(TOKEN_REJECTED) from error
    except NetworkError as error:
        if isinstance(error, BadRequest):  # Telegram answered: not a connection problem
            raise
        raise TelegramUnreachableError(unreachable_message(settings, error)) from error
