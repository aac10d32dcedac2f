"""Handlers of inline queries (sharing, `@bot question`), of the buttons under answers and of
the /oubli confirmation."""

from __future__ import annotations

import logging

from telegram import (
    CallbackQuery,
    Chat,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputFile,
    InputTextMessageContent,
    Message,
    Update,
)
from telegram.error import BadRequest, TelegramError

from bot.assistant.replies import StoredAnswer
from bot.telegram import answer_messages as render
from bot.telegram import catalogue_messages as catalogue
from bot.telegram import keyboards, texts
from bot.telegram.context import CustomContext
from bot.telegram.handlers import send
from indexing.models import Answer

log = logging.getLogger(__name__)

MIN_INLINE_QUERY = 3  # inline text arrives per keystroke: shorter is not a question yet


def _article(
    result_id: str, title: str, result: Answer, username: str, token: str
) -> InlineQueryResultArticle:
    sources = result.sources if result.answered else ()  # unrelated documents: not "sources"
    return InlineQueryResultArticle(
        id=result_id,
        title=title,
        description=render.inline_description(result),
        input_message_content=InputTextMessageContent(render.card(result)),
        reply_markup=keyboards.card_keyboard(sources, username, token),
    )


async def inline_query(update: Update, context: CustomContext) -> None:
    """Inline mode: the card of a stored answer (`ans:<token>`), or an answer to the text typed."""
    query = update.inline_query
    if query is None:
        return
    button = InlineQueryResultsButton(
        texts.BUTTON_OPEN_PRIVATE, start_parameter=keyboards.START_FROM_INLINE
    )
    text = query.query.strip()
    token = keyboards.parse_share_query(text)
    results: list[InlineQueryResultArticle] = []
    if token is not None:
        stored = await context.assistant.stored(token)
        if stored and context.assistant.may_share(stored, query.from_user.id):
            results.append(
                _article(
                    f"ans-{stored.id}",
                    texts.INLINE_SHARE_TITLE,
                    stored.answer,
                    context.bot.username,
                    token,
                )
            )
    elif len(text) >= MIN_INLINE_QUERY and context.assistant.inline_allowed(query.from_user.id):
        found = await context.assistant.lookup(text)
        title = render.inline_title(found.answer)
        results.append(_article("q", title, found.answer, context.bot.username, found.token))
    await query.answer(results, cache_time=0 if token else 30, is_personal=True, button=button)


def _chat_id(query: CallbackQuery) -> int | None:
    """The chat of the message under which a button was pressed (None for inline messages)."""
    return query.message.chat.id if query.message is not None else None


async def _edit_markup(query: CallbackQuery, markup: InlineKeyboardMarkup) -> None:
    """Edit the buttons; an edit that changes nothing (a member voting twice alike) is fine."""
    try:
        await query.edit_message_reply_markup(markup)
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise


async def _pressed(
    query: CallbackQuery, context: CustomContext
) -> tuple[keyboards.Callback, StoredAnswer] | None:
    """The button pressed and its answer, if this member may press it in this chat; otherwise
    (old numeric data, a forged token, another chat's answer) say the answer is gone."""
    press = keyboards.parse_callback(query.data)
    stored = None
    if press is not None:
        stored = await context.assistant.for_press(press.token, query.from_user.id, _chat_id(query))
    if press is None or stored is None:
        await query.answer(texts.FEEDBACK_UNKNOWN)
        return None
    return press, stored


async def feedback_button(update: Update, context: CustomContext) -> None:
    """👍, 👎 and the reasons of a 👎: store, thank, update the keyboard.

    In a group, every member votes once (a new press replaces their vote): the vote buttons
    stay and show the counts. In a private chat, a 👎 asks why, then the buttons say thanks.
    """
    query = update.callback_query
    pressed = await _pressed(query, context) if query else None
    if query is None or pressed is None:
        return
    press, stored = pressed
    up = press.action == "up"
    votes = await context.assistant.feedback(
        stored.id, query.from_user.id, up=up, reason=press.reason
    )
    if votes is None:  # erased meanwhile (/oubli)
        await query.answer(texts.FEEDBACK_UNKNOWN)
        return
    in_group = stored.group_id is not None
    asking_why = press.action == "down" and not in_group
    await query.answer(texts.FEEDBACK_WHY if asking_why else texts.FEEDBACK_THANKS)
    current = keyboards.keyboard_state(
        query.message.reply_markup if isinstance(query.message, Message) else None
    )
    after: keyboards.FeedbackState = "ask" if in_group else "done"
    # after a 👎 in private, the member may still ask the team
    disliked = not up and not in_group and stored.chat_type == Chat.PRIVATE
    markup = keyboards.answer_keyboard(
        stored.token,
        feedback="reasons" if asking_why else after,
        share=current.share,
        more=current.more,
        votes=votes if in_group else None,
        documents=current.documents,
        escalate=current.escalate or disliked,
        notify=current.notify,
    )
    await _edit_markup(query, markup)


async def more_button(update: Update, context: CustomContext) -> None:
    """Plus de sources: the next sources of the stored answer, then drop the button."""
    query = update.callback_query
    pressed = await _pressed(query, context) if query else None
    if query is None or pressed is None:
        return
    _, stored = pressed
    if not isinstance(query.message, Message):  # too old for Telegram to say what it was
        await query.answer(texts.FEEDBACK_UNKNOWN)
        return
    await query.answer()
    await send(query.message, render.more_sources(stored))
    current = keyboards.keyboard_state(query.message.reply_markup)
    markup = keyboards.answer_keyboard(
        stored.token,
        feedback=current.feedback,
        share=current.share,
        more=False,
        votes=current.votes,
        documents=current.documents,
        escalate=current.escalate,
        notify=current.notify,
    )
    await _edit_markup(query, markup)


async def sources_button(update: Update, context: CustomContext) -> None:
    """/sources menu: show a theme's documents, or the list of themes again."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    await query.answer()
    documents = await context.assistant.documents()
    found = catalogue.themes(documents)
    if query.data == keyboards.SOURCES_MENU:
        [menu] = catalogue.catalogue(documents)
        await query.edit_message_text(menu, reply_markup=keyboards.themes_keyboard(found))
        return
    theme = catalogue.theme_by_key(found, query.data.removeprefix(keyboards.SOURCES_PREFIX))
    if theme is None:  # the themes changed since the menu was sent
        await query.edit_message_text(render.plain(texts.CATALOGUE_GONE))
        return
    await query.edit_message_text(
        catalogue.theme_documents(theme), reply_markup=keyboards.theme_back_keyboard()
    )


async def document_button(update: Update, context: CustomContext) -> None:
    """📎 Le document: send the cited file itself, if it is a file of the index."""
    query = update.callback_query
    if query is None:
        return
    press = keyboards.parse_document_callback(query.data)
    if press is None or not isinstance(query.message, Message):  # stale (numeric) or forged
        await query.answer(texts.DOCUMENT_UNAVAILABLE)
        return
    token, rank = press
    chat = query.message.chat
    # the asker, in their private chat, on their own answer (the same check as every button)
    stored = await context.assistant.for_press(token, query.from_user.id, chat.id)
    document = None
    if stored is not None and chat.type == Chat.PRIVATE and stored.group_id is None:
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
