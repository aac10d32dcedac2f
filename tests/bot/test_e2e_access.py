"""End to end, who may act on an answer: forged buttons, votes per member in a group, deep links
that open a shared answer in a private chat."""

from __future__ import annotations

import pytest
from e2e_kit import StartBot, button_rows, callback_data, message_id, share_query_of
from emulator import AsyncEmulatorClient, Chat, User
from sqlalchemy import select

from bot.storage.records import FeedbackRecord, QuestionRecord, hash_user
from bot.telegram import texts

pytestmark = pytest.mark.e2e

ALICE = User(5001, "Alice")
BRUNO = User(5002, "Bruno")
CHLOE = User(5003, "Chloé")
GROUP = Chat.supergroup(11, "Incubateur ESS Occitanie")
OTHER_GROUP = Chat.supergroup(12, "Autre groupe")
PRIVATE_QUESTION = "Comment organiser une visioconférence libre pour l'association Les Castors ?"
QUESTION = "quel outil libre pour organiser une visioconférence ?"


async def ask_private(emu: AsyncEmulatorClient, user: User, text: str) -> dict:  # type: ignore[type-arg]
    update = await emu.send_message(Chat.private(user), user, text)
    [reply] = await emu.wait_for_bot_messages(user.id, after=message_id(update), timeout=10)
    return reply  # type: ignore[no-any-return]


def token_of(message: dict) -> str:  # type: ignore[type-arg]
    return callback_data(message)[0].rsplit(":", 1)[1]


async def acks(emu: AsyncEmulatorClient, count: int) -> list[str]:
    calls = await emu.wait_for_calls("answerCallbackQuery", count)
    return [c["params"].get("text", "") for c in calls]


async def test_forged_callbacks_cannot_read_or_vote_on_another_members_answer(
    start_bot: StartBot, emu: AsyncEmulatorClient
) -> None:
    bot = await start_bot()
    alice_reply = await ask_private(emu, ALICE, PRIVATE_QUESTION)
    token = token_of(alice_reply)
    bruno_reply = await ask_private(emu, BRUNO, QUESTION)
    with bot.sessions() as session:
        alice_id = session.scalars(
            select(QuestionRecord.id).where(QuestionRecord.question == PRIVATE_QUESTION)
        ).one()
    bruno_chat = Chat.private(BRUNO)
    forged = [
        (bruno_chat, f"more:{token}", bruno_reply),  # Alice's token under Bruno's own message
        (bruno_chat, f"fb:down:{token}", bruno_reply),
        (bruno_chat, f"fb:why:hs:{token}", bruno_reply),
        (Chat.private(ALICE), f"more:{token}", alice_reply),  # Bruno pressing in Alice's chat
        (bruno_chat, f"more:{alice_id}", bruno_reply),  # the sequential id of old
        (GROUP, f"more:{token}", bruno_reply),  # a group where the answer was never posted
    ]
    for chat, data, message in forged:
        await emu.send_callback(chat, BRUNO, data, message)
    assert await acks(emu, len(forged)) == [texts.FEEDBACK_UNKNOWN] * len(forged)
    for chat_id in (BRUNO.id, ALICE.id):
        sent = [m["text"] for m in await emu.bot_messages(chat_id)]
        assert not any("Les Castors" in text for text in sent[1 if chat_id == ALICE.id else 0 :])
    assert not any("Les Castors" in m["text"] for m in await emu.bot_messages(BRUNO.id))
    assert await emu.calls("editMessageReplyMarkup") == []
    with bot.sessions() as session:
        assert session.scalars(select(FeedbackRecord)).all() == []
    # the asker's own press still works
    await emu.send_callback(Chat.private(ALICE), ALICE, f"more:{token}", alice_reply)
    [more] = await emu.wait_for_bot_messages(ALICE.id, after=alice_reply["message_id"])
    assert more["text"].startswith(texts.MORE_SOURCES_TITLE) and "Les Castors" in more["text"]


async def test_votes_in_a_group_are_per_member_and_buttons_stay(
    start_bot: StartBot, emu: AsyncEmulatorClient
) -> None:
    bot = await start_bot()
    update = await emu.send_message(GROUP, ALICE, "/question " + QUESTION)
    [reply] = await emu.wait_for_bot_messages(GROUP.id, after=message_id(update), timeout=10)
    token = token_of(reply)

    async def press(user: User, vote: str, count: int) -> list[str]:
        await emu.send_callback(GROUP, user, f"fb:{vote}:{token}", reply)
        edits = await emu.wait_for_calls("editMessageReplyMarkup", count)
        return [b["text"] for b in button_rows(edits[-1]["result"])[0]]

    assert await press(ALICE, "up", 1) == ["👍 1", "👎"]
    assert await press(BRUNO, "down", 2) == ["👍 1", "👎 1"]  # Bruno can still vote
    assert await press(BRUNO, "up", 3) == ["👍 2", "👎"]  # and change his mind
    assert set(await acks(emu, 3)) == {texts.FEEDBACK_THANKS}
    edits = await emu.calls("editMessageReplyMarkup")
    assert f"more:{token}" in callback_data(edits[-1]["result"])  # the other buttons stay
    with bot.sessions() as session:
        votes = {(f.user_hash, f.vote) for f in session.scalars(select(FeedbackRecord))}
    assert votes == {
        (hash_user(b"e2e-key-0123456789abcdef", ALICE.id), 1),
        (hash_user(b"e2e-key-0123456789abcdef", BRUNO.id), 1),
    }
    # someone in another group cannot vote with this answer's token
    await emu.send_callback(OTHER_GROUP, CHLOE, f"fb:down:{token}", reply)
    assert (await acks(emu, 4))[-1] == texts.FEEDBACK_UNKNOWN


async def test_continue_in_private_opens_the_shared_answer(
    start_bot: StartBot, emu: AsyncEmulatorClient
) -> None:
    bot = await start_bot()
    # an inline result: the card's button opens that answer in a private chat
    await emu.send_inline_query(BRUNO, "outil de visioconférence libre", chat_type="supergroup")
    [call] = await emu.wait_for_calls("answerInlineQuery")
    [result] = call["params"]["results"]
    button = result["reply_markup"]["inline_keyboard"][-1][0]
    assert button["text"] == texts.BUTTON_CONTINUE_PRIVATE
    payload = button["url"].split("?start=", 1)[1]
    assert payload.startswith("r_")
    opened = await ask_private(emu, CHLOE, f"/start {payload}")
    assert texts.ANSWER_SOURCES in opened["text"] and "Choisir un outil" in opened["text"]
    await emu.send_callback(Chat.private(CHLOE), CHLOE, f"fb:up:{token_of(opened)}", opened)
    assert await acks(emu, 1) == [texts.FEEDBACK_THANKS]  # the buttons are Chloé's own
    # a stored answer shared by its asker: the card links to it too
    alice_reply = await ask_private(emu, ALICE, QUESTION)
    await emu.send_inline_query(ALICE, share_query_of(alice_reply), chat_type="supergroup")
    calls = await emu.wait_for_calls("answerInlineQuery", 2)
    [card] = calls[1]["params"]["results"]
    url = card["reply_markup"]["inline_keyboard"][-1][0]["url"]
    assert url.endswith(f"?start=r_{token_of(alice_reply)}")
    opened = await ask_private(emu, BRUNO, "/start " + url.split("?start=", 1)[1])
    assert opened["text"] == alice_reply["text"]
    with bot.sessions() as session:
        owners = session.scalars(select(QuestionRecord.user_hash)).all()
    assert (
        hash_user(b"e2e-key-0123456789abcdef", BRUNO.id) in owners
    )  # stored as Bruno's, his to erase
    # an unknown token: said plainly, then the welcome
    update = await emu.send_message(Chat.private(BRUNO), BRUNO, "/start r_AAAAAAAAAAAAAAAA")
    gone, welcome = await emu.wait_for_bot_messages(BRUNO.id, 2, after=message_id(update))
    assert gone["text"] == texts.SHARED_ANSWER_GONE and texts.EXAMPLES[0] in welcome["text"]
