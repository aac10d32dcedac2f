"""Message, command and chat-member handlers, and the error handler: short functions that call
the service and send what `bot.telegram.answer_messages` builds (buttons and inline mode:
`bot.telegram.callbacks`).
"""

from __future__ import annotations

import asyncio
import logging

from telegram import (
    Chat,
    ChatMember,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
)
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError

from bot.assistant.replies import Progress, StoredAnswer
from bot.telegram import admin_messages as admin_render
from bot.telegram import answer_messages as render
from bot.telegram import catalogue_messages as catalogue
from bot.telegram import keyboards, texts
from bot.telegram.addressing import addressed_question, is_reply_to
from bot.telegram.context import CustomContext
from indexing.errors import IndexNotBuiltError, ReindexInProgressError

log = logging.getLogger(__name__)

FULL_REINDEX_WORDS = frozenset({"complet", "complete", "full", "tout"})
DEFAULT_STATS_DAYS = 30  # /stats without a number of days: the last month
MAX_DAYS = 3650  # /stats N: at most ten years
CHART_FILENAME = "statistiques.png"


async def send(
    message: Message, parts: list[str], reply_markup: InlineKeyboardMarkup | None = None
) -> Message:
    """Reply with every part of a message; the keyboard goes under the last one."""
    for part in parts[:-1]:
        await message.reply_text(part)
    return await message.reply_text(parts[-1], reply_markup=reply_markup)


async def _answer(message: Message, context: CustomContext, question: str) -> None:
    """Answer a question in the chat it came from, within the asker's quota."""
    user, chat = message.from_user, message.chat
    if user is None:
        return
    wait = context.assistant.retry_after(user.id)
    if wait:
        await message.reply_text(render.plain(texts.RATE_LIMITED.format(seconds=int(wait) + 1)))
        return
    group_id = chat.id if chat.type != Chat.PRIVATE else None
    _, stored = await asyncio.gather(  # "typing…" shows while the search runs in a thread
        message.reply_chat_action(ChatAction.TYPING),
        context.assistant.ask(question, user_id=user.id, chat_type=chat.type, group_id=group_id),
    )
    await _reply_with_answer(message, context, stored)


async def _reply_with_answer(
    message: Message, context: CustomContext, stored: StoredAnswer
) -> None:
    """Send a stored answer with its buttons: in a private chat, the cited files to receive,
    and "ask the team" / "tell me" under an answer the base could not give."""
    private = message.chat.type == Chat.PRIVATE and stored.group_id is None
    unanswered_here = private and not stored.answer.answered
    markup = keyboards.answer_keyboard(
        stored.token,
        more=render.has_more_sources(stored.answer),
        share=stored.answer.answered,
        documents=render.sendable_ranks(stored.answer) if private else (),
        escalate=unanswered_here,
        notify=unanswered_here,
    )
    await send(
        message, render.answer(stored, context.services.community_contact), reply_markup=markup
    )


async def start(update: Update, context: CustomContext) -> None:
    """/start: welcome, examples and privacy note; `/start r_<token>` (the "Continuer en
    privé" deep link of a card) opens on that answer."""
    message, user = update.effective_message, update.effective_user
    if message is None:
        return
    token = keyboards.parse_start_payload(context.args[0]) if context.args else None
    if token is not None and user is not None and message.chat.type == Chat.PRIVATE:
        stored = await context.assistant.open_shared(token, user.id)
        if stored is not None:
            await _reply_with_answer(message, context, stored)
            return
        await message.reply_text(render.plain(texts.SHARED_ANSWER_GONE))
    await send(message, render.welcome())


async def help_command(update: Update, context: CustomContext) -> None:
    """/aide: how to use the bot."""
    if update.effective_message:
        await send(update.effective_message, render.help_text(context.bot.username))


async def sources_command(update: Update, context: CustomContext) -> None:
    """/sources: a short menu of the catalogue's themes, as buttons."""
    if update.effective_message:
        documents = await context.assistant.documents()
        markup = keyboards.themes_keyboard(catalogue.themes(documents))
        await send(update.effective_message, catalogue.catalogue(documents), reply_markup=markup)


async def workshops_command(update: Update, context: CustomContext) -> None:
    """/ateliers: the latest workshop notes."""
    if update.effective_message:
        documents = await context.assistant.documents()
        await send(update.effective_message, render.workshops(documents))


async def question_command(update: Update, context: CustomContext) -> None:
    """/question <text>, in groups (and in private)."""
    message = update.effective_message
    if message is None:
        return
    question = " ".join(context.args or ())
    if not question.strip():
        await message.reply_text(render.plain(texts.QUESTION_USAGE))
        return
    await _answer(message, context, question)


async def private_text(update: Update, context: CustomContext) -> None:
    """Any text in a private chat is a question."""
    if update.effective_message and update.effective_message.text:
        await _answer(update.effective_message, context, update.effective_message.text)


async def group_text(update: Update, context: CustomContext) -> None:
    """In a group, answer only a mention of the bot or a reply to one of its messages."""
    message = update.effective_message
    if message is None:
        return
    question = addressed_question(message, context.bot.id, context.bot.username)
    if question is None:
        return
    if not question:
        await message.reply_text(render.plain(texts.MENTION_USAGE))
        return
    await _answer(message, context, question)


async def non_text(update: Update, context: CustomContext) -> None:
    """Stickers, photos, voice: explain that only text is understood (in groups, if addressed)."""
    message = update.effective_message
    if message is None:
        return
    if message.chat.type == Chat.PRIVATE or is_reply_to(message, context.bot.id):
        await message.reply_text(render.plain(texts.NON_TEXT))


async def unknown_command(update: Update, context: CustomContext) -> None:
    """A command the bot does not know, in a private chat."""
    if update.effective_message:
        await update.effective_message.reply_text(render.plain(texts.UNKNOWN_COMMAND))


async def _admin_message(update: Update, context: CustomContext, command: str) -> Message | None:
    """The message of an admin command, or None after refusing (and logging) anyone else."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return None
    if not context.assistant.is_admin(user.id, command):
        await message.reply_text(render.plain(texts.ADMIN_REFUSED))
        return None
    return message


async def reindex_command(update: Update, context: CustomContext) -> None:
    """/reindex [complet] (admins): progress edited as it goes, then the summary."""
    message = await _admin_message(update, context, "/reindex")
    if message is None:
        return
    if context.assistant.reindexing:
        await message.reply_text(render.plain(texts.REINDEX_BUSY))
        return
    args = context.args or []
    full = bool(args) and args[0].casefold() in FULL_REINDEX_WORDS
    status = await message.reply_text(render.reindex_progress(None))

    async def show(progress: Progress) -> None:
        try:
            await status.edit_text(render.reindex_progress(progress))
        except TelegramError as error:  # a missed progress edit must not stop the reindex
            log.warning("Could not edit the reindex progress: %s", error)

    try:
        report = await context.assistant.reindex(
            show, full=full, interval=context.services.progress_interval
        )
    except ReindexInProgressError:
        await status.edit_text(render.plain(texts.REINDEX_BUSY))
        return
    parts = render.reindex_report(report)
    await status.edit_text(parts[0])
    for part in parts[1:]:
        await message.reply_text(part)


async def stats_command(update: Update, context: CustomContext) -> None:
    """/stats [jours] (admins): questions, answered rate, feedback, top unanswered; a chart."""
    message = await _admin_message(update, context, "/stats")
    if message is None:
        return
    days = _days(context.args, DEFAULT_STATS_DAYS)
    if days is None:
        await message.reply_text(render.plain(texts.STATS_USAGE))
        return
    await send(message, render.stats(await context.assistant.stats(days)))
    chart = await context.insight.chart(days)
    if chart is not None:
        photo = InputFile(chart.png, filename=CHART_FILENAME)
        await message.reply_photo(photo, caption=render.chart_caption(chart.data))


async def check_command(update: Update, context: CustomContext) -> None:
    """/verifier (admins): the `essbot check` report on the knowledge folder."""
    message = await _admin_message(update, context, "/verifier")
    if message is None:
        return
    report = await context.assistant.check_knowledge()
    if report is not None:
        await send(message, admin_render.check_report(report))


def _days(args: list[str] | None, default: int) -> int | None:
    """The number of days an admin command was given (or the default); None if invalid."""
    arg = (args or [str(default)])[0]
    if not arg.isdigit() or not 1 <= int(arg) <= MAX_DAYS:
        return None
    return int(arg)


async def digest_command(update: Update, context: CustomContext) -> None:
    """/resume [jours] (admins): the digest of unanswered and 👎 questions, now."""
    message = await _admin_message(update, context, "/resume")
    if message is None:
        return
    days = _days(context.args, context.services.digest_days)
    if days is None:
        await message.reply_text(render.plain(texts.DIGEST_USAGE))
        return
    digest = await context.insight.digest(days)
    if digest.empty:
        await message.reply_text(admin_render.digest_empty(days))
        return
    await send(message, admin_render.digest(digest))


async def links_command(update: Update, context: CustomContext) -> None:
    """/liens (admins): check every cited link now and send the report, even when all is well."""
    message = await _admin_message(update, context, "/liens")
    if message is None:
        return
    status = await message.reply_text(render.plain(texts.LINKS_CHECKING))
    results = await context.services.freshness.check_links()
    parts = admin_render.links_report(results)
    await status.edit_text(parts[0])
    for part in parts[1:]:
        await message.reply_text(part)


async def privacy_command(update: Update, context: CustomContext) -> None:
    """/confidentialite: what is kept, why, for how long, how to erase it."""
    if update.effective_message:
        retention = context.privacy.retention_days
        contact = context.services.community_contact
        days = context.privacy.escalation_days
        await send(update.effective_message, render.privacy(retention, contact, days))


async def forget_command(update: Update, context: CustomContext) -> None:
    """/oubli, in a private chat: ask for confirmation before erasing the member's data."""
    message = update.effective_message
    if message is None:
        return
    if message.chat.type != Chat.PRIVATE:
        await message.reply_text(render.plain(texts.FORGET_PRIVATE_ONLY))
        return
    await message.reply_text(
        render.plain(texts.FORGET_CONFIRM), reply_markup=keyboards.forget_keyboard()
    )


async def my_chat_member(update: Update, context: CustomContext) -> None:
    """The bot was added to or removed from a group: record it, and present itself on arrival."""
    change = update.my_chat_member
    if change is None or change.chat.type not in (Chat.GROUP, Chat.SUPERGROUP):
        return
    present = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER)
    was_in = change.old_chat_member.status in present
    is_in = change.new_chat_member.status in present
    chat = change.chat
    await context.assistant.record_group(
        chat.id, title=chat.title or "", chat_type=chat.type, status=change.new_chat_member.status
    )
    if is_in and not was_in:
        log.info("Added to group %s", chat.id)
        await context.bot.send_message(chat.id, render.group_welcome())


async def on_error(update: object, context: CustomContext) -> None:
    """Log every error with its traceback; apologise briefly when someone is waiting."""
    error = context.error
    if isinstance(error, Forbidden):  # blocked by the user, or removed from the group
        log.info("Cannot reach the chat: %s", error)
        return
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        # bot.telegram.reachability warned when the outage started and will when it ends
        log.debug("Network error talking to Telegram: %s", error)
        return
    log.error("Error while handling an update", exc_info=error)
    if not isinstance(update, Update):
        return
    apology = (
        texts.INDEX_NOT_READY if isinstance(error, IndexNotBuiltError) else texts.ERROR_APOLOGY
    )
    try:
        if update.callback_query:
            await update.callback_query.answer(apology)
        elif update.effective_message and not update.inline_query:
            await update.effective_message.reply_text(render.plain(apology))
    except TelegramError as again:
        log.warning("Could not apologise either: %s", again)
