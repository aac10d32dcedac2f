"""Handlers of inline queries (sharing, `@bot question`), of the buttons under answers and of
the /oubli confirmation."""

from __future__ import annotations

import logging

from telegram import (
    Chat,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputFile,
    InputTextMessageContent,
    Message,
    Update,
)
from telegram.error import TelegramError

from bot.telegram import answer_messages as render
from bot.telegram import keyboards, texts
from bot.telegram.context import CustomContext
from bot.telegram.handlers import send
from indexing.models import Answer

log = logging.getLogger(__name__)

MIN_INLINE_QUERY = 3  # inline text arrives per keystroke: shorter is not a question yet


def _article(result_id: str, title: str, result: Answer, username: str) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        id=result_id,
        title=title,
        description=render.inline_description(result),
        input_message_content=InputTextMessageContent(render.card(result)),
        reply_markup=keyboards.card_keyboard(result.sources, username),
    )


async def inline_query(update: Update, context: CustomContext) -> None:
    """Inline mode: the card of a stored answer (`ans:<id>`), or an answer to the text typed."""
    query = update.inline_query
    if query is None:
        return
    button = InlineQueryResultsButton(
        texts.BUTTON_OPEN_PRIVATE, start_parameter=keyboards.START_FROM_INLINE
    )
    text = query.query.strip()
    answer_id = keyboards.parse_share_query(text)
    results: list[InlineQueryResultArticle] = []
    if answer_id is not None:
        stored = await context.assistant.stored(answer_id)
        if stored and context.assistant.may_share(stored, query.from_user.id):
            results.append(
                _article(
                    f"ans-{answer_id}",
                    texts.INLINE_SHARE_TITLE,
                    stored.answer,
                    context.bot.username,
                )
            )
    elif len(text) >= MIN_INLINE_QUERY and context.assistant.inline_allowed(query.from_user.id):
        found = await context.assistant.lookup(text)
        results.append(_article("q", render.inline_title(found), found, context.bot.username))
    await query.answer(results, cache_time=0 if answer_id else 30, is_personal=True, button=button)


async def feedback_button(update: Update, context: CustomContext) -> None:
    """👍, 👎 and the reasons of a 👎: store, thank, update the keyboard."""
    query = update.callback_query
    press = keyboards.parse_callback(query.data if query else None)
    if query is None or press is None:
        return
    up = press.action == "up"
    if not await context.assistant.feedback(
        press.answer_id, query.from_user.id, up=up, reason=press.reason
    ):
        await query.answer(texts.FEEDBACK_UNKNOWN)
        return
    asking_why = press.action == "down"
    await query.answer(texts.FEEDBACK_WHY if asking_why else texts.FEEDBACK_THANKS)
    message = query.message if isinstance(query.message, Message) else None
    current = keyboards.keyboard_state(message.reply_markup if message else None)
    # after a 👎 in private, the member may still ask the team
    disliked = not up and message is not None and message.chat.type == Chat.PRIVATE
    await query.edit_message_reply_markup(
        keyboards.answer_keyboard(
            press.answer_id,
            feedback="reasons" if asking_why else "done",
            share=current.share,
            more=current.more,
            documents=current.documents,
            escalate=current.escalate or disliked,
            notify=current.notify,
        )
    )


async def more_button(update: Update, context: CustomContext) -> None:
    """Plus de sources: the next sources of the stored answer, then drop the button."""
    query = update.callback_query
    press = keyboards.parse_callback(query.data if query else None)
    if query is None or press is None or not isinstance(query.message, Message):
        return
    stored = await context.assistant.stored(press.answer_id)
    if stored is None:
        await query.answer(texts.FEEDBACK_UNKNOWN)
        return
    await query.answer()
    await send(query.message, render.more_sources(stored))
    current = keyboards.keyboard_state(query.message.reply_markup)
    await query.edit_message_reply_markup(
        keyboards.answer_keyboard(
            press.answer_id,
            feedback=current.feedback,
            share=current.share,
            more=False,
            documents=current.documents,
            escalate=current.escalate,
            notify=current.notify,
        )
    )


async def document_button(update: Update, context: CustomContext) -> None:
    """📎 Le document: send the cited file itself, if it is a file of the index."""
    query = update.callback_query
    press = keyboards.parse_document_callback(query.data if query else None)
    if query is None or press is None or not isinstance(query.message, Message):
        return
    answer_id, rank = press
    stored = await context.assistant.stored(answer_id)
    document = None
    if stored is not None and query.message.chat.type == Chat.PRIVATE:
        document = await context.assistant.document_file(stored, rank, query.from_user.id)
    if document is None:
        await query.answer(texts.DOCUMENT_UNAVAILABLE)
        return
    await query.answer()
    await query.message.reply_document(
        InputFile(document.data, filename=document.name),
        caption=render.document_caption(document.title),
    )


async def noop_button(update: Update, context: CustomContext) -> None:
    """A button that only acknowledges (the "Merci" after a vote)."""
    if update.callback_query:
        await update.callback_query.answer()


async def forget_button(update: Update, context: CustomContext) -> None:
    """The answer to /oubli's confirmation: erase and say what was erased, or nothing."""
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    if query.data != keyboards.FORGET_YES:
        await query.edit_message_text(render.plain(texts.FORGET_CANCELLED))
        return
    erased = await context.privacy.forget(query.from_user.id)
    await query.edit_message_text(render.forget_done(erased))
    for chat_id, message_id in erased.team_messages:  # nobody may answer them any more
        try:
            await context.bot.edit_message_text(
                render.plain(texts.TEAM_WITHDRAWN), chat_id=chat_id, message_id=message_id
            )
        except TelegramError as error:
            log.info("A withdrawn request could not be marked: %s", error)
