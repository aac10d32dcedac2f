"""End to end: a Telegram answer is built from answer units; a message without a question gets
an invitation."""

from __future__ import annotations

import re

import pytest
from bot_testkit import check_html
from e2e_kit import StartBot, message_id
from emulator import AsyncEmulatorClient, Chat, User

pytestmark = pytest.mark.e2e

MEMBER = User(1301, "Dominique")


async def ask(emu: AsyncEmulatorClient, text: str) -> dict:  # type: ignore[type-arg]
    update = await emu.send_message(Chat.private(MEMBER), MEMBER, text)
    [reply] = await emu.wait_for_bot_messages(MEMBER.id, after=message_id(update), timeout=10)
    return reply  # type: ignore[no-any-return]


async def test_answer_is_built_from_units_with_numbered_sources(
    start_bot: StartBot, emu: AsyncEmulatorClient
) -> None:
    await start_bot()
    reply = await ask(emu, "Comment se déroule un accompagnement DLA ?")
    text = reply["text"]
    answer = text.split("\n\n")[0]
    # the unit that answers leads; "Il propose ensuite…" comes with what "Il" refers to
    assert "diagnostic partagé" in answer and not answer.startswith("Il ")
    assert re.search(r"\[1\]", answer) and not re.search(r":\s*\[\d\]", answer)
    assert "1. Le Dispositif local d'accompagnement (DLA)" in text
    sent = (await emu.calls("sendMessage"))[-1]["params"]
    check_html(sent["text"])


async def test_a_message_without_a_question_gets_an_invitation(
    start_bot: StartBot, emu: AsyncEmulatorClient
) -> None:
    await start_bot()
    reply = await ask(emu, " ?? ")
    assert reply["text"].startswith("Posez-moi une question")
    assert "Sources" not in reply["text"] and "proches" not in reply["text"]
