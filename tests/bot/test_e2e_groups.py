"""End to end, groups and sharing: etiquette, forum topics, welcome, inline mode, share cards."""

from __future__ import annotations

import asyncio

import pytest
from bot_testkit import check_html
from e2e_kit import StartBot, callback_data, message_id, share_query_of
from emulator import AsyncEmulatorClient, Chat, User
from sqlalchemy import select

from bot.storage.records import GroupRecord, QuestionRecord
from bot.telegram import texts

pytestmark = pytest.mark.e2e

ALICE = User(2001, "Alice")
BRUNO = User(2002, "Bruno")
GROUP = Chat.supergroup(1, "Incubateur ESS Bretagne")
QUESTION = "quel outil libre pour organiser une visioconférence ?"


def bot_user(emu: AsyncEmulatorClient) -> dict[str, object]:
    return {
        "id": emu.bot_id,
        "is_bot": True,
        "first_name": "ESS Bot (test)",
        "username": "essbot_test_bot",
    }


async def test_group_etiquette(start_bot: StartBot, emu: AsyncEmulatorClient) -> None:
    await start_bot()
    send = emu.send_message
    first = await send(GROUP, ALICE, "Bonjour à tous, quelqu'un connaît un outil de visio ?")
    other = await send(GROUP, BRUNO, "/question@autre_bot " + QUESTION)
    await send(GROUP, BRUNO, "Moi j'utilise Jitsi", reply_to=message_id(first))
    await send(GROUP, ALICE, "On en parle avec @quelquun_autre demain")
    await emu.inject_update(
        {
            "message": {
                "chat": GROUP.to_dict(),
                "from": ALICE.to_dict(),
                "sticker": {
                    "file_id": "s",
                    "file_unique_id": "u",
                    "width": 1,
                    "height": 1,
                    "is_animated": False,
                    "is_video": False,
                    "type": "regular",
                },
            }
        }
    )
    addressed = [
        await send(GROUP, ALICE, "/question " + QUESTION),
        await send(
            GROUP, BRUNO, "/question@essbot_test_bot comment animer une réunion à distance ?"
        ),
        await send(GROUP, ALICE, "@essbot_test_bot comment collecter des dons en ligne ?"),
    ]
    replies = await emu.wait_for_bot_messages(GROUP.id, 3, after=message_id(other), timeout=10)
    follow_up = await send(GROUP, BRUNO, "Et pour un tiers-lieu ?", reply_to=replies[0])
    usage = await send(GROUP, ALICE, "/question")
    await emu.wait_for_bot_messages(GROUP.id, 5, after=message_id(other), timeout=10)
    fence = await send(GROUP, ALICE, "/question " + QUESTION)  # after everything above
    await emu.wait_for_bot_messages(GROUP.id, 6, after=message_id(other), timeout=10)
    replies = await emu.bot_messages(GROUP.id)
    expected = {message_id(u) for u in [*addressed, follow_up, usage, fence]}
    assert {r["reply_to_message"]["message_id"] for r in replies} == expected
    by_question = {r["reply_to_message"]["message_id"]: r for r in replies}
    assert by_question[message_id(usage)]["text"] == texts.QUESTION_USAGE
    assert all(callback_data(by_question[message_id(u)]) for u in addressed)
    calls = await emu.calls("sendMessage")
    assert all(c["params"]["reply_parameters"]["allow_sending_without_reply"] for c in calls)


async def test_mention_strips_the_handle_and_bare_mention_gets_usage(
    start_bot: StartBot, emu: AsyncEmulatorClient
) -> None:
    bot = await start_bot()
    update = await emu.send_message(GROUP, ALICE, "@EssBot_Test_Bot, " + QUESTION)
    await emu.wait_for_bot_messages(GROUP.id, after=message_id(update))
    with bot.sessions() as session:
        record = session.scalars(select(QuestionRecord)).one()
        assert record.question == QUESTION and record.chat_type == "supergroup"
        assert record.group_id == GROUP.id
    bare = await emu.send_message(GROUP, ALICE, "@essbot_test_bot")
    [reply] = await emu.wait_for_bot_messages(GROUP.id, after=message_id(bare))
    assert reply["text"] == texts.MENTION_USAGE


async def test_reply_in_the_same_forum_topic(start_bot: StartBot, emu: AsyncEmulatorClient) -> None:
    await start_bot()
    forum = Chat.supergroup(2, "Forum des incubateurs", is_forum=True)
    update = await emu.send_message(forum, ALICE, "/question " + QUESTION, thread_id=77)
    [reply] = await emu.wait_for_bot_messages(forum.id, after=message_id(update))
    assert reply["message_thread_id"] == 77
    assert reply["reply_to_message"]["message_id"] == message_id(update)


async def test_welcome_when_added_and_groups_recorded(
    start_bot: StartBot, emu: AsyncEmulatorClient
) -> None:
    bot = await start_bot()
    group = Chat.group(3, "Atelier numérique")

    def change(old: str, new: str) -> dict[str, object]:
        member = {"user": bot_user(emu), **({"until_date": 0} if new == "kicked" else {})}
        return {
            "my_chat_member": {
                "chat": group.to_dict(),
                "from": ALICE.to_dict(),
                "old_chat_member": {"status": old, "user": bot_user(emu)},
                "new_chat_member": {"status": new, **member},
            }
        }

    await emu.inject_update(change("left", "member"))
    [welcome] = await emu.wait_for_bot_messages(group.id)
    assert welcome["text"].startswith("Bonjour à toutes et à tous")
    assert "Confidentialité" in welcome["text"] and "/question" in welcome["text"]
    await emu.inject_update(change("member", "kicked"))
    for _ in range(50):
        with bot.sessions() as session:
            record = session.get(GroupRecord, group.id)
            if record is not None and record.status == "kicked":
                break
        await asyncio.sleep(0.05)
    assert record is not None and record.status == "kicked" and record.title == "Atelier numérique"
    assert len(await emu.bot_messages(group.id)) == 1


async def test_inline_query_offers_a_card_and_a_private_chat_button(
    start_bot: StartBot, emu: AsyncEmulatorClient
) -> None:
    await start_bot()
    await emu.send_inline_query(BRUNO, "outil de visioconférence libre", chat_type="supergroup")
    [call] = await emu.wait_for_calls("answerInlineQuery")
    params = call["params"]
    assert params["button"]["start_parameter"] == "inline" and params["is_personal"] is True
    [result] = params["results"]
    content = result["input_message_content"]
    assert content["parse_mode"] == "HTML" and content["link_preview_options"]["is_disabled"]
    card = check_html(content["message_text"])
    assert "Question : outil de visioconférence libre" in card and texts.CHECK_SOURCE in card
    assert "?start=r_" in result["reply_markup"]["inline_keyboard"][-1][0]["url"]
    await emu.send_inline_query(BRUNO, "ab")  # too short: only the button
    calls = await emu.wait_for_calls("answerInlineQuery", 2)
    assert calls[1]["params"]["results"] == []


async def test_share_builds_the_card_from_the_stored_answer(
    start_bot: StartBot, emu: AsyncEmulatorClient
) -> None:
    bot = await start_bot()
    private = Chat.private(ALICE)
    update = await emu.send_message(private, ALICE, QUESTION)
    [reply] = await emu.wait_for_bot_messages(private.id, after=message_id(update))
    with bot.sessions() as session:
        record = session.scalars(select(QuestionRecord)).one()
        answer_text, titles = record.answer_text, [c.title for c in record.sources]
    query = f"ans:{record.token}"
    assert record.answered
    assert share_query_of(reply) == query
    searches = bot.engine.answers
    await emu.send_inline_query(ALICE, query, chat_type="supergroup")
    [call] = await emu.wait_for_calls("answerInlineQuery")
    [result] = call["params"]["results"]
    card = check_html(result["input_message_content"]["message_text"])
    assert QUESTION in card and titles[0] in card and texts.CHECK_SOURCE in card
    assert answer_text[:40] in card
    # the stored sources kept their references and dates
    assert "Comparatif des outils de visioconférence (Framasoft, 2021)" in card
    assert "fiche rédigée le 4 mai 2026" in card
    assert bot.engine.answers == searches  # no new search
    await emu.send_inline_query(BRUNO, query)  # someone else's private answer: not shared
    calls = await emu.wait_for_calls("answerInlineQuery", 2)
    assert calls[1]["params"]["results"] == []
