"""Group etiquette on real python-telegram-bot messages: a mention (by name or by id) or a reply
addresses the bot, and the mention is cut out of the question (offsets in UTF-16 units)."""

from __future__ import annotations

import datetime as dt

from telegram import Chat, Message, MessageEntity, User

from bot.telegram.addressing import addressed_question, is_reply_to

BOT = User(99, "EssBot", is_bot=True, username="essbot_test_bot")
ALICE = User(1, "Alice", is_bot=False)
GROUP = Chat(-100, Chat.SUPERGROUP)
WHEN = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)


def message(
    text: str, entities: tuple[MessageEntity, ...] = (), reply_to: Message | None = None
) -> Message:
    return Message(
        1, WHEN, GROUP, from_user=ALICE, text=text, entities=entities, reply_to_message=reply_to
    )


def mention(text: str, handle: str) -> MessageEntity:
    offset = len(text[: text.index(handle)].encode("utf-16-le")) // 2
    return MessageEntity(MessageEntity.MENTION, offset, len(handle.encode("utf-16-le")) // 2)


def ask(text: str, *entities: MessageEntity, reply_to: Message | None = None) -> str | None:
    return addressed_question(message(text, entities, reply_to), BOT.id, BOT.username or "")


def test_a_mention_by_name_is_cut_out_whatever_its_case_and_place() -> None:
    text = "@EssBot_Test_Bot, c'est quoi le DLA ?"
    assert ask(text, mention(text, "@EssBot_Test_Bot")) == "c'est quoi le DLA ?"
    text = "Le DLA 🚀 est-il gratuit @essbot_test_bot ?"  # an emoji counts two UTF-16 units
    assert ask(text, mention(text, "@essbot_test_bot")) == "Le DLA 🚀 est-il gratuit ?"


def test_a_mention_by_id_addresses_the_bot() -> None:
    text = "EssBot comment faire une visio ?"
    entity = MessageEntity(MessageEntity.TEXT_MENTION, 0, 6, user=BOT)
    assert ask(text, entity) == "comment faire une visio ?"


def test_a_reply_to_the_bot_addresses_it_and_keeps_the_whole_text() -> None:
    answer = Message(2, WHEN, GROUP, from_user=BOT, text="Réponse")
    other = Message(3, WHEN, GROUP, from_user=ALICE, text="Autre")
    assert is_reply_to(message("Et pour un tiers-lieu ?", reply_to=answer), BOT.id)
    assert ask(" Et pour un tiers-lieu ? ", reply_to=answer) == "Et pour un tiers-lieu ?"
    assert ask("Et pour un tiers-lieu ?", reply_to=other) is None


def test_other_messages_are_not_addressed() -> None:
    text = "On en parle avec @quelquun_autre demain"
    assert ask(text, mention(text, "@quelquun_autre")) is None
    assert ask("Bonjour à tous") is None
    text = "@essbot_test_bot"
    assert ask(text, mention(text, "@essbot_test_bot")) == ""  # addressed, without a question
