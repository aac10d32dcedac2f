"""Handlers of growing the base: "🙋 Demander à l'équipe", the team's replies relayed to members,
"Ajouter à la base", documents admins send, /ajouter, "🔔 Me prévenir" and its alerts.

They call `bot.contributions` and send what `answer_messages` / `admin_messages` build.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Bot, CallbackQuery, Chat, Message, Update
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.assistant.replies import StoredAnswer
from bot.contributions.additions import Added, AdditionRefusedError
from bot.contributions.escalation import AlreadyAnsweredError, Escalation, Relay
from bot.telegram import admin_messages as admin_render
from bot.telegram import answer_messages as render
from bot.telegram import handlers, keyboards, texts
from bot.telegram.context import BotApplication, CustomContext, Services
from indexing.models import IndexReport

log = logging.getLogger(__name__)

SIGN_TAGS = (texts.SIGN_TAG.casefold(), "#signe")
UNREACHABLE = (Forbidden, BadRequest)  # never opened a chat with the bot, left it, blocked it


async def _press(update: Update, prefix: str) -> tuple[CallbackQuery, Message, int] | None:
    """The button press, its message and the id of a `<prefix><id>` button."""
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        return None
    found = keyboards.parse_id(query.data, prefix)
    if found is None:
        await query.answer()
        return None
    return query, query.message, found


async def _answer_press(
    update: Update, context: CustomContext, prefix: str
) -> tuple[CallbackQuery, Message, StoredAnswer] | None:
    """The press of a `<prefix><answer token>` button and its answer, if this member may act
    on it in this chat (the rule of every answer button); otherwise say the answer is gone."""
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        return None
    token = keyboards.parse_token(query.data, prefix)
    stored = None
    if token is not None:
        stored = await context.assistant.for_press(token, query.from_user.id, query.message.chat.id)
    if stored is None:
        await query.answer(texts.FEEDBACK_UNKNOWN)
        return None
    return query, query.message, stored


async def _drop_button(query: CallbackQuery, message: Message, token: str, **change: bool) -> None:
    """Redraw an answer keyboard without the button just used."""
    current = keyboards.keyboard_state(message.reply_markup)
    markup = keyboards.answer_keyboard(
        token,
        feedback=current.feedback,
        share=current.share,
        more=current.more,
        votes=current.votes,
        documents=current.documents,
        escalate=change.get("escalate", current.escalate),
        notify=change.get("notify", current.notify),
    )
    try:
        await query.edit_message_reply_markup(markup)
    except BadRequest as error:  # unchanged, or the message is gone: the answer stands
        log.info("Answer keyboard not redrawn: %s", error)


def team_chats(services: Services) -> tuple[int, ...]:
    """Where requests go: the team group, or else every admin's private chat."""
    return (services.team_chat_id,) if services.team_chat_id else services.admin_ids


async def _tell_team(bot: Bot, services: Services, request: Escalation) -> list[tuple[int, int]]:
    """Send a request to the team; (chat id, message id) of every message that arrived."""
    sent = []
    for chat_id in team_chats(services):
        try:
            message = await bot.send_message(chat_id, admin_render.escalation(request))
        except UNREACHABLE as error:
            log.warning("A request could not reach a team chat: %s", error)
        else:
            sent.append((chat_id, message.message_id))
    return sent


async def escalate_button(update: Update, context: CustomContext) -> None:
    """🙋 Demander à l'équipe: pass the question on, tell the member when to expect a reply."""
    press = await _answer_press(update, context, keyboards.ESCALATE_PREFIX)
    if press is None:
        return
    query, message, stored = press
    request = await context.escalations.escalate(stored.id, query.from_user.id, message.chat.id)
    if request is None:
        await query.answer(texts.FEEDBACK_UNKNOWN)
        return
    if not request.new:
        await query.answer(texts.ESCALATED_AGAIN)
        await _drop_button(query, message, stored.token, escalate=False)
        return
    sent = await _tell_team(context.bot, context.services, request)
    await query.answer()
    if not sent:  # nobody got it: forget the request, the member may try again later
        await context.escalations.withdraw(request.id)
        contact = context.services.community_contact
        await message.reply_text(render.plain(texts.ESCALATION_NO_TEAM.format(contact=contact)))
        return
    await context.escalations.record_team_messages(request.id, sent)
    await _drop_button(query, message, stored.token, escalate=False)
    await message.reply_text(render.escalated(request.expires_at))


async def notify_button(update: Update, context: CustomContext) -> None:
    """🔔 Me prévenir: remember the question until the base can answer it."""
    press = await _answer_press(update, context, keyboards.NOTIFY_PREFIX)
    if press is None:
        return
    query, message, stored = press
    if not await context.escalations.subscribe(stored.id, query.from_user.id, message.chat.id):
        await query.answer(texts.FEEDBACK_UNKNOWN)
        return
    await query.answer()
    await _drop_button(query, message, stored.token, notify=False)
    days = context.escalations.days
    await message.reply_text(render.plain(texts.NOTIFY_OK.format(days=days)))


def signed(text: str, first_name: str) -> tuple[str, str | None]:
    """The answer without the #signé tag, and the name to sign with if it was there."""
    stripped = text.strip()
    if stripped.casefold().startswith(SIGN_TAGS):  # with or without the accent
        return stripped[len(texts.SIGN_TAG) :].strip(" :\n"), first_name
    return stripped, None


async def team_reply(update: Update, context: CustomContext) -> None:
    """A reply in a team chat: to a request, relay it to the member; otherwise a plain message."""
    message = update.effective_message
    if message is None or message.reply_to_message is None or not message.text:
        return
    user = message.from_user
    text, signer = signed(message.text, user.first_name if user else "")
    try:
        relay = await context.escalations.relay(
            message.chat.id, message.reply_to_message.message_id, text
        )
    except AlreadyAnsweredError:
        await message.reply_text(render.plain(texts.TEAM_ALREADY))
        return
    if relay is None:  # not a request: what any message in this chat would get
        if message.chat.type == Chat.PRIVATE:
            await handlers.private_text(update, context)
        else:
            await handlers.group_text(update, context)
        return
    await _relay(context, message, relay, signer)


async def _relay(
    context: CustomContext, message: Message, relay: Relay, signer: str | None
) -> None:
    parts = render.team_reply(relay.question, relay.answer, signer)
    try:
        for part in parts[:-1]:
            await context.bot.send_message(relay.member_chat_id, part)
        await context.bot.send_message(
            relay.member_chat_id,
            parts[-1],
            reply_markup=keyboards.team_answer_keyboard(relay.escalation_id),
        )
    except UNREACHABLE as error:
        log.warning("A team answer could not reach the member: %s", error)
        await message.reply_text(render.plain(texts.TEAM_MEMBER_GONE))
        return
    answered = admin_render.escalation_answered(relay)
    for chat_id, message_id in relay.team_messages:
        try:
            await context.bot.edit_message_text(answered, chat_id=chat_id, message_id=message_id)
        except TelegramError as error:  # deleted by an admin: nothing to mark
            log.info("A request message could not be marked answered: %s", error)
    await message.reply_text(
        render.plain(texts.TEAM_RELAYED),
        reply_markup=keyboards.add_to_base_keyboard(relay.escalation_id),
    )


async def team_vote_button(update: Update, context: CustomContext) -> None:
    """👍 / 👎 under a team answer."""
    query = update.callback_query
    vote = keyboards.parse_team_vote(query.data if query else None)
    if query is None or vote is None:
        return
    escalation_id, up = vote
    if not await context.escalations.vote(escalation_id, query.from_user.id, up=up):
        await query.answer(texts.FEEDBACK_UNKNOWN)
        return
    await query.answer(texts.FEEDBACK_THANKS)
    await query.edit_message_reply_markup(keyboards.team_answer_keyboard(escalation_id, voted=True))


def _may_add(context: CustomContext, user_id: int, chat_id: int) -> bool:
    """Admins may add; so may anyone in the team group, who answered the request."""
    team = context.services.team_chat_id
    return (team is not None and chat_id == team) or context.assistant.is_admin(
        user_id, "ajouter à la base"
    )


async def add_to_base_button(update: Update, context: CustomContext) -> None:
    """Ajouter à la base: the relayed answer becomes a sheet of the inbox, then reindex."""
    press = await _press(update, keyboards.ADD_PREFIX)
    if press is None:
        return
    query, message, escalation_id = press
    if not _may_add(context, query.from_user.id, message.chat.id):
        await query.answer(texts.ADMIN_REFUSED)
        return
    answer = await context.escalations.team_answer(escalation_id)
    if answer is None:
        await query.answer(texts.FEEDBACK_UNKNOWN)
        return
    if answer.added_path:
        await query.answer(texts.ADD_ALREADY.format(path=answer.added_path))
        return
    await query.answer(texts.ADD_WORKING)
    await query.edit_message_reply_markup(None)  # one press is enough
    try:
        added = await context.additions.add_answer(answer.question, answer.answer)
    except AdditionRefusedError as error:
        await message.reply_text(render.plain(texts.ADD_REFUSED.format(reason=error)))
        return
    await context.escalations.mark_added(escalation_id, added.saved.path)
    await message.reply_text(admin_render.added(added))


async def _add(message: Message, addition: Callable[[], Awaitable[Added]]) -> None:
    """Run an addition under a status message, edited to its summary or its refusal."""
    status = await message.reply_text(render.plain(texts.ADD_WORKING))
    try:
        added = await addition()
    except AdditionRefusedError as error:
        await status.edit_text(render.plain(texts.ADD_REFUSED.format(reason=error)))
        return
    await status.edit_text(admin_render.added(added))


async def document_message(update: Update, context: CustomContext) -> None:
    """A document sent in private: admins add it to the base; anyone else is thanked, no more."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or message.document is None:
        return
    if user.id not in context.services.admin_ids:
        contact = context.services.community_contact
        await message.reply_text(
            render.plain(texts.DOCUMENT_MEMBER_REFUSED.format(contact=contact))
        )
        return
    document = message.document
    limit = context.services.max_file_mb
    if document.file_size is not None and document.file_size > limit * 1_000_000:
        await message.reply_text(render.plain(texts.DOCUMENT_TOO_BIG.format(limit=f"{limit:g}")))
        return
    file = await document.get_file()
    data = bytes(await file.download_as_bytearray())
    name = document.file_name or "document"
    await _add(message, lambda: context.additions.add_file(name, data))


async def add_command(update: Update, context: CustomContext) -> None:
    """/ajouter <url> (admins): fetch the page, keep its main text as a sheet, reindex."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    if not context.assistant.is_admin(user.id, "/ajouter"):
        await message.reply_text(render.plain(texts.ADMIN_REFUSED))
        return
    if len(context.args or ()) != 1:
        await message.reply_text(render.plain(texts.ADD_USAGE))
        return
    url = (context.args or [""])[0]
    await _add(message, lambda: context.additions.add_page(url))


async def send_notices(bot: Bot, services: Services) -> int:
    """Send the answers the base now has to members who asked to be told; how many arrived."""
    delivered = 0
    for notice in await services.escalations.due_notices():
        try:
            await bot.send_message(notice.chat_id, render.notice(notice.asked_at, notice.answer))
        except UNREACHABLE as error:
            log.info("An alert could not reach its member: %s", error)
        else:
            delivered += 1
    return delivered


def watch_reindexes(application: BotApplication, services: Services) -> None:
    """After every reindex that changed the index, send the alerts that now have an answer."""

    async def listener(report: IndexReport) -> None:
        application.create_task(send_notices(application.bot, services), name="alerts")

    services.assistant.on_reindexed(listener)
