"""End to end: the "📎 Le document" button sends a cited file of the index, and nothing else;
/verifier gives admins the knowledge check."""

from __future__ import annotations

import hashlib

import pytest
from e2e_kit import ADMIN_ID, StartBot, callback_data, message_id
from emulator import AsyncEmulatorClient, Chat, User
from sqlalchemy import select

from bot.storage import records
from bot.storage.records import QuestionRecord
from bot.telegram import texts
from indexing.engine import KnowledgeEngine
from indexing.models import Answer, Source

pytestmark = pytest.mark.e2e

MEMBER = User(5001, "Dominique")
OTHER = User(5002, "Eden")
ADMIN = User(ADMIN_ID, "Alex")
CHECKLIST = "ressources/checklist-sauvegardes.txt"
CHECKLIST_TEXT = (
    "# Check-list des sauvegardes d'une association\n\n"
    "Date : 2026-10-01\n\n"
    "Appliquer la règle 3-2-1 : trois copies des fichiers, sur deux supports, dont une hors "
    "du local. Tester une restauration de sauvegarde chaque trimestre.\n"
)
QUESTION = "check-list règle 3-2-1 des sauvegardes"


async def ask(emu: AsyncEmulatorClient, user: User, text: str) -> dict:  # type: ignore[type-arg]
    update = await emu.send_message(Chat.private(user), user, text)
    [reply] = await emu.wait_for_bot_messages(user.id, after=message_id(update), timeout=10)
    return reply  # type: ignore[no-any-return]


async def test_document_button_sends_the_cited_file_of_the_index(
    start_bot: StartBot, emu: AsyncEmulatorClient, own_engine: KnowledgeEngine
) -> None:
    folder = own_engine.settings.knowledge_dir
    (folder / CHECKLIST).write_text(CHECKLIST_TEXT, encoding="utf-8")
    own_engine.reindex()
    bot = await start_bot(engine=own_engine)
    reply = await ask(emu, MEMBER, QUESTION)
    with bot.sessions() as session:
        record = session.scalars(select(QuestionRecord)).one()
        paths = [c.path for c in record.sources]
    rank = paths.index(CHECKLIST) + 1
    assert rank <= 3, paths
    assert f"doc:{record.token}:{rank}" in callback_data(reply)
    assert "fiche rédigée le 1er octobre 2026" in reply["text"]  # the date line of the file
    button = [b for row in reply["reply_markup"]["inline_keyboard"] for b in row]
    assert texts.BUTTON_DOCUMENT in [b["text"] for b in button]

    await emu.send_callback(Chat.private(MEMBER), MEMBER, f"doc:{record.token}:{rank}", reply)
    [sent] = await emu.wait_for_calls("sendDocument")
    params = sent["params"]
    data = CHECKLIST_TEXT.encode("utf-8")
    assert params["document"]["filename"] == "checklist-sauvegardes.txt"
    assert params["document"]["size"] == len(data)
    assert params["document"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert params["caption"] == "Check-list des sauvegardes d'une association"
    assert int(params["chat_id"]) == MEMBER.id

    # another member forging the callback data of this answer gets nothing
    await emu.send_callback(Chat.private(OTHER), OTHER, f"doc:{record.token}:{rank}", reply)
    answers = await emu.wait_for_calls("answerCallbackQuery", 2)
    assert answers[-1]["params"]["text"] == texts.DOCUMENT_UNAVAILABLE
    # a source with a web page, or a rank that does not exist, is refused too
    linked = next(n for n, c in enumerate(record.sources, 1) if c.url)
    # and so are an unknown token and the sequential id of old
    forged = (
        f"doc:{record.token}:{linked}",
        f"doc:{record.token}:99",
        "doc:AAAAAAAAAAAAAAAA:1",
        f"doc:{record.id}:{rank}",
    )
    for data in forged:
        await emu.send_callback(Chat.private(MEMBER), MEMBER, data, reply)
    answers = await emu.wait_for_calls("answerCallbackQuery", 6)
    assert [a["params"].get("text") for a in answers[-4:]] == [texts.DOCUMENT_UNAVAILABLE] * 4
    assert len(await emu.calls("sendDocument")) == 1


async def test_document_button_refuses_a_file_outside_the_index(
    start_bot: StartBot, emu: AsyncEmulatorClient, own_engine: KnowledgeEngine
) -> None:
    folder = own_engine.settings.knowledge_dir
    (folder / "hors-index.txt").write_text("Secret : pas dans l'index.", encoding="utf-8")
    bot = await start_bot(engine=own_engine)
    reply = await ask(emu, MEMBER, QUESTION)  # any stored answer of this member
    outside = Source("Secret", None, "hors-index.txt", None, "ressource", 1.0, "Secret")
    escape = Source("Mots de passe", None, "../bot.sqlite3", None, "ressource", 1.0, "x")
    with bot.sessions.begin() as session:
        stored = records.add_question(
            session,
            Answer("Où est le secret ?", True, "Voir [1].", (outside, escape)),
            user_hash=records.hash_user(b"e2e-key-0123456789abcdef", MEMBER.id),
            chat_type="private",
            group_id=None,
            latency_ms=1,
            now=records.utcnow(),
        )
        token = stored.token
    for rank in (1, 2):
        await emu.send_callback(Chat.private(MEMBER), MEMBER, f"doc:{token}:{rank}", reply)
    answers = await emu.wait_for_calls("answerCallbackQuery", 2)
    assert [a["params"].get("text") for a in answers] == [texts.DOCUMENT_UNAVAILABLE] * 2
    assert await emu.calls("sendDocument") == []


async def test_verifier_reports_the_knowledge_check_to_admins_only(
    start_bot: StartBot, emu: AsyncEmulatorClient, own_engine: KnowledgeEngine
) -> None:
    folder = own_engine.settings.knowledge_dir
    (folder / "ressources" / "mauvaise.md").write_text(
        "---\ntitle: Mauvaise\ndate: 2024-13-45\nurl: https://example.org/visio\n---\nTexte.\n",
        encoding="utf-8",
    )
    await start_bot(engine=own_engine)
    refused = await ask(emu, MEMBER, "/verifier")
    assert refused["text"] == texts.ADMIN_REFUSED
    report = await ask(emu, ADMIN, "/verifier")
    text = report["text"]
    assert text.startswith("🔎 " + texts.CHECK_TITLE) and texts.CHECK_ERRORS in text
    assert "ressources/mauvaise.md — date : « 2024-13-45 » n'est pas une date AAAA-MM-JJ" in text
    assert "ressources/visio.md — url : « https://example.org/visio » est déjà le lien de" in text
    assert text.rstrip().endswith("3 erreurs, 0 avertissement")
