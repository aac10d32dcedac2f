"""Group etiquette: is a group message addressed to the bot, and what is the question in it."""

from __future__ import annotations

from telegram import Message, MessageEntity


def is_reply_to(message: Message, bot_id: int) -> bool:
    """Whether the message replies to one of the bot's messages."""
    replied = message.reply_to_message
    return bool(replied and replied.from_user and replied.from_user.id == bot_id)


def _mentions(message: Message, bot_id: int, username: str) -> list[MessageEntity]:
    """The entities of the message that mention the bot."""
    handle = "@" + username.casefold()
    found = []
    for entity, text in message.parse_entities(
        [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
    ).items():
        by_name = entity.type == MessageEntity.MENTION and text.casefold() == handle
        by_id = (
            entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id
        )
        if by_name or by_id:
            found.append(entity)
    return found


def addressed_question(message: Message, bot_id: int, username: str) -> str | None:
    """The question of a group message addressed to the bot (mention or reply), else None.

    The mention itself is removed from the question; an empty string means the bot was
    addressed without a question.
    """
    text = message.text or ""
    mentions = _mentions(message, bot_id, username)
    if not mentions and not is_reply_to(message, bot_id):
        return None
    if not mentions:
        return text.strip()
    # Entity offsets count UTF-16 units: cut in that encoding.
    raw = text.encode("utf-16-le")
    kept = bytearray()
    position = 0
    for entity in sorted(mentions, key=lambda e: e.offset):
        kept += raw[position * 2 : entity.offset * 2]
        position = entity.offset + entity.length
    kept += raw[position * 2 :]
    question = kept.decode("utf-16-le")
    return " ".join(question.split()).strip(" ,:;")
