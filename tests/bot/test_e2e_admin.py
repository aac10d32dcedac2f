"""End to end, admins and failures: /reindex with progress, /stats, refusals, the error handler."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from e2e_kit import ADMIN_ID, StartBot, callback_data, message_id
from emulator import AsyncEmulatorClient, Chat, Emulator, User

from bot.telegram import texts
from indexing.engine import KnowledgeEngine

pytestmark = pytest.mark.e2e

ADMIN = User(ADMIN_ID, "Alex")
MEMBER = User(3001, "Camille")
QUESTION = "Quel outil libre pour organiser une visioconférence ?"


async def ask(emu: AsyncEmulatorClient, user: User, text: str, timeout: float = 10) -> dict:  # type: ignore[type-arg]
    update = await emu.send_message(Chat.private(user), user, text)
    [reply] = await emu.wait_for_bot_messages(user.id, after=message_id(update), timeout=timeout)
    return reply  # type: ignore[no-any-return]


async def wait_text(emu: AsyncEmulatorClient, chat_id: int, msg_id: int, part: str) -> str:
    """Wait until the bot's message `msg_id` (edits applied) contains `part`."""
    for _ in range(200):
        for message in await emu.bot_messages(chat_id):
            if message["message_id"] == msg_id and part in message["text"]:
                return str(message["text"])
        await asyncio.sleep(0.05)
    raise AssertionError(f"message {msg_id} never contained {part!r}")


async def test_reindex_progress_summary_and_answers_meanwhile(
    start_bot: StartBot, emu: AsyncEmulatorClient, own_engine: KnowledgeEngine
) -> None:
    bot = await start_bot(engine=own_engine)
    folder = own_engine.settings.knowledge_dir
    (folder / "ressources" / "nouveau.md").write_text(
        "---\ntitle: Nouvelle fiche sur les logiciels libres\ndate: 2026-11-30\n---\n"
        "# Logiciels libres\nLibreOffice remplace une suite bureautique propriétaire.\n",
        encoding="utf-8",
    )
    rgpd = folder / "ressources" / "rgpd.md"
    rgpd.write_text(
        rgpd.read_text(encoding="utf-8") + "\nUne mise à jour de la fiche.\n", encoding="utf-8"
    )
    (folder / "ressources" / "dons-en-ligne.md").unlink()

    bot.engine.hold_reindex.clear()
    status = await ask(emu, ADMIN, "/reindex")
    await emu.wait_for_calls("editMessageText")
    progress = await wait_text(emu, ADMIN.id, status["message_id"], "Réindexation en cours")
    assert "/" in progress
    # members keep getting answers while the reindex is held midway
    answer = await ask(emu, MEMBER, QUESTION)
    assert callback_data(answer)
    assert (await ask(emu, ADMIN, "/reindex"))["text"] == texts.REINDEX_BUSY
    bot.engine.hold_reindex.set()
    summary = await wait_text(emu, ADMIN.id, status["message_id"], texts.REINDEX_DONE)
    assert "Fichiers ajoutés : 1\n  ressources/nouveau.md" in summary
    assert "Fichiers mis à jour : 1\n  ressources/rgpd.md" in summary
    assert "Fichiers retirés : 1\n  ressources/dons-en-ligne.md" in summary
    assert "Fichiers en échec : 0" in summary
    assert len(await emu.calls("editMessageText")) >= 2  # progress edits, then the summary
    menu = await ask(emu, MEMBER, "/sources")
    other = callback_data(menu)[-1]  # "Autres sujets": documents without a theme
    await emu.send_callback(Chat.private(MEMBER), MEMBER, other, menu)
    for _ in range(200):
        edits = [c for c in await emu.calls("editMessageText") if c["params"].get("reply_markup")]
        if edits:
            break
        await asyncio.sleep(0.05)
    assert "Nouvelle fiche sur les logiciels libres" in edits[-1]["result"]["text"]


async def test_non_admins_are_refused_and_logged(
    start_bot: StartBot, emu: AsyncEmulatorClient, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await start_bot()
    for command in ("/reindex", "/stats", "/resume", "/liens"):
        assert (await ask(emu, MEMBER, command))["text"] == texts.ADMIN_REFUSED
    refusals = [r.getMessage() for r in caplog.records if "Refused admin command" in r.getMessage()]
    assert len(refusals) == 4 and str(MEMBER.id) not in " ".join(refusals)
    assert bot.engine.answers == 0


async def test_stats_for_admins(start_bot: StartBot, emu: AsyncEmulatorClient) -> None:
    await start_bot()
    reply = await ask(emu, MEMBER, QUESTION)
    answer_id = callback_data(reply)[0].rsplit(":", 1)[1]
    await ask(emu, MEMBER, "Quel est le numéro de téléphone de la CRESS ?")
    await ask(emu, MEMBER, "quel est le numéro de téléphone de la CRESS ?")
    await emu.send_callback(Chat.private(MEMBER), MEMBER, f"fb:down:{answer_id}", reply)
    await emu.wait_for_calls("editMessageReplyMarkup")
    text = (await ask(emu, ADMIN, "/stats 7"))["text"]
    assert "Statistiques sur 7 jours" in text and "Questions : 3" in text and "👎 1" in text
    assert "1. Quel est le numéro de téléphone de la CRESS ? (2)" in text
    assert (await ask(emu, ADMIN, "/stats demain"))["text"] == texts.STATS_USAGE


async def test_error_handler_logs_and_apologises(
    start_bot: StartBot, emu: AsyncEmulatorClient, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await start_bot(expect_errors=True)
    bot.engine.fail_on = "explose"
    assert (await ask(emu, MEMBER, "Pourquoi ça explose ?"))["text"] == texts.ERROR_APOLOGY
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.exc_info and "engine failure" in str(record.exc_info[1])
    assert callback_data(await ask(emu, MEMBER, QUESTION))  # still serving


async def test_blocked_user_and_flood_limits_are_not_fatal(
    start_bot: StartBot, emu: AsyncEmulatorClient, caplog: pytest.LogCaptureFixture
) -> None:
    await start_bot()
    await emu.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    update = await emu.send_message(Chat.private(MEMBER), MEMBER, QUESTION)
    await emu.wait_for_calls("sendMessage")
    for _ in range(100):
        if any("Cannot reach the chat" in r.getMessage() for r in caplog.records):
            break
        await asyncio.sleep(0.02)
    assert not await emu.bot_messages(MEMBER.id, after=message_id(update))
    await emu.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    reply = await ask(emu, MEMBER, QUESTION, timeout=15)  # AIORateLimiter waits and retries
    assert callback_data(reply)
    assert [c["ok"] for c in await emu.calls("sendMessage")] == [False, False, True]


async def test_question_deleted_before_the_reply(
    start_bot: StartBot, emu: AsyncEmulatorClient, emulator: Emulator, bot_token: str
) -> None:
    bot = await start_bot()
    group = Chat.supergroup(9, "Groupe pressé")
    bot.engine.hold_answers.clear()
    update = await emu.send_message(group, MEMBER, "/question patientez : " + QUESTION)
    await emu.wait_for_calls("sendChatAction")
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{emulator.base_url}{bot_token}/deleteMessage",
            json={"chat_id": group.id, "message_id": message_id(update)},
        )
        assert response.json()["ok"]
    bot.engine.hold_answers.set()
    [reply] = await emu.wait_for_bot_messages(group.id, timeout=10)
    assert callback_data(reply) and "reply_to_message" not in reply


async def test_a_telegram_outage_logs_one_warning_when_it_starts_and_one_when_it_ends(
    start_bot: StartBot, emu: AsyncEmulatorClient, caplog: pytest.LogCaptureFixture
) -> None:
    await start_bot()
    await emu.fail_next("getUpdates", 502, "Bad Gateway", count=3)
    calls = await emu.wait_for_calls("getUpdates", 4, timeout=20)  # 3 failed, then polling
    assert [c.get("ok") for c in calls].count(False) == 3
    reply = await ask(emu, MEMBER, QUESTION)
    assert callback_data(reply)
    outage = [r for r in caplog.records if "Telegram" in r.getMessage() and r.levelno >= 30]
    assert [r.getMessage().split(" ")[1] for r in outage] == ["unreachable", "reachable"]
    assert all(r.exc_info is None for r in caplog.records if r.name.startswith("bot."))
