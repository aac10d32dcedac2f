"""End to end, growing the base: ask the team, relay the answer, add it to the base, alerts;
documents admins send; /ajouter against a local web server."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from e2e_kit import ADMIN_ID, RunningBot, StartBot, callback_data, message_id
from emulator import AsyncEmulatorClient, Chat, User
from sqlalchemy import select

from bot.storage.contributions import AdditionRecord, EscalationRecord, NotificationRecord
from bot.storage.records import QuestionRecord
from bot.telegram import texts
from indexing.engine import KnowledgeEngine

pytestmark = pytest.mark.e2e

ADMIN = User(ADMIN_ID, "Alex")
MEMBER = User(3101, "Camille")
OTHER = User(3102, "Dominique")
QUESTION = "Quels sont les horaires d'ouverture de la médiathèque de Roubaix ?"
TEAM_ANSWER = (
    "La médiathèque de Roubaix est ouverte du mardi au samedi, de 10 h à 18 h, "
    "et le dimanche matin de 10 h à 13 h."
)

Msg = dict[str, Any]


async def ask(emu: AsyncEmulatorClient, user: User, text: str, reply_to: int | None = None) -> Msg:
    update = await emu.send_message(Chat.private(user), user, text, reply_to=reply_to)
    [reply] = await emu.wait_for_bot_messages(user.id, after=message_id(update), timeout=20)
    return reply  # type: ignore[no-any-return]


async def press(emu: AsyncEmulatorClient, user: User, data: str, message: Msg) -> None:
    await emu.send_callback(Chat.private(user), user, data, message["message_id"])


async def next_message(emu: AsyncEmulatorClient, chat_id: int, after: int) -> Msg:
    [message] = await emu.wait_for_bot_messages(chat_id, after=after, timeout=30)
    return message  # type: ignore[no-any-return]


async def current(emu: AsyncEmulatorClient, chat_id: int, msg_id: int) -> Msg:
    return next(m for m in await emu.bot_messages(chat_id) if m["message_id"] == msg_id)  # type: ignore[no-any-return]


async def wait_text(emu: AsyncEmulatorClient, chat_id: int, msg_id: int, part: str) -> str:
    """Wait until the bot's message `msg_id` (edits applied) contains `part`."""
    for _ in range(600):
        text = str((await current(emu, chat_id, msg_id)).get("text", ""))
        if part in text:
            return text
        await asyncio.sleep(0.05)
    raise AssertionError(f"message {msg_id} never contained {part!r}")


def button(message: Msg, prefix: str) -> str:
    return next(d for d in callback_data(message) if d.startswith(prefix))


async def pass_on(emu: AsyncEmulatorClient, bot: RunningBot) -> tuple[Msg, Msg]:
    """The member asks, presses 🔔 then 🙋; (the team's request, the member's confirmation)."""
    reply = await ask(emu, MEMBER, QUESTION)
    assert texts.NO_ANSWER_TITLE in reply["text"] or "pas trouvé" in reply["text"]
    await press(emu, MEMBER, button(reply, "notify:"), reply)
    noted = await next_message(emu, MEMBER.id, reply["message_id"])
    assert noted["text"] == texts.NOTIFY_OK.format(days=14)
    # the admin receives the question with the nearest documents
    await press(emu, MEMBER, button(reply, "esc:"), reply)
    request = await next_message(emu, ADMIN.id, 0)
    assert QUESTION in request["text"] and texts.TEAM_NEAREST in request["text"]
    confirmed = await next_message(emu, MEMBER.id, noted["message_id"])
    assert confirmed["text"].startswith("Votre question a été transmise à l'équipe")
    buttons = button_prefixes(await current(emu, MEMBER.id, reply["message_id"]))
    assert not buttons & {"esc", "notify"}
    with bot.sessions() as session:
        pending = session.scalars(select(EscalationRecord)).one()
        assert pending.member_chat_id == MEMBER.id and pending.status == "pending"
    return request, confirmed


async def test_ask_the_team_relay_add_to_the_base_and_tell_who_asked(
    start_bot: StartBot, emu: AsyncEmulatorClient, own_engine: KnowledgeEngine
) -> None:
    knowledge = own_engine.settings.knowledge_dir
    bot = await start_bot(engine=own_engine, knowledge_dir=knowledge)
    request, confirmed = await pass_on(emu, bot)

    # the admin replies: the member receives the answer, unsigned, with 👍 / 👎
    acknowledged = await ask(emu, ADMIN, TEAM_ANSWER, reply_to=request["message_id"])
    assert acknowledged["text"] == texts.TEAM_RELAYED
    relayed = await next_message(emu, MEMBER.id, confirmed["message_id"])
    assert relayed["text"].startswith("💬 " + texts.TEAM_REPLY_TITLE)
    assert TEAM_ANSWER in relayed["text"] and ADMIN.first_name not in relayed["text"]
    assert [d.split(":")[1] for d in callback_data(relayed)] == ["up", "down"]
    await wait_text(emu, ADMIN.id, request["message_id"], texts.TEAM_ANSWERED)
    with bot.sessions() as session:
        answered = session.scalars(select(EscalationRecord)).one()
        assert answered.member_chat_id is None and answered.status == "answered"
    # a second reply is refused politely and reaches nobody
    refused = await ask(emu, ADMIN, "Une autre réponse.", reply_to=request["message_id"])
    assert refused["text"] == texts.TEAM_ALREADY
    await press(emu, MEMBER, button(relayed, "tv:up:"), relayed)
    await emu.wait_for_calls("editMessageReplyMarkup", count=3)

    # "Ajouter à la base": a sheet appears, is indexed, and the member who asked is told, once
    await press(emu, ADMIN, button(acknowledged, "addkb:"), acknowledged)
    summary = await next_message(emu, ADMIN.id, refused["message_id"])
    assert summary["text"].startswith("✅ Ajouté à la base : " + QUESTION)
    [sheet] = (knowledge / "reponses").glob("*.md")
    assert sheet.name == "quels-sont-les-horaires-d-ouverture-de-la-mediatheque-de.md"
    content = sheet.read_text(encoding="utf-8")
    assert "type: reponse" in content and "auteur: équipe" in content and TEAM_ANSWER in content
    assert f"Fichier : reponses/{sheet.name}" in summary["text"]
    assert "Passages indexés : " in summary["text"]
    notice = await next_message(emu, MEMBER.id, relayed["message_id"])
    assert notice["text"].startswith("🔔 Votre question du ")
    assert "a maintenant une réponse" in notice["text"] and "mardi au samedi" in notice["text"]
    # the same question is now answered from the sheet
    again = await ask(emu, OTHER, QUESTION)
    assert "mardi au samedi" in again["text"] and not button_prefixes(again) & {"esc", "notify"}
    # another reindex that changes something sends no second alert
    (knowledge / "ressources" / "autre.md").write_text(
        "# Une autre fiche\nLes tiers-lieux accueillent des ateliers de réparation.\n",
        encoding="utf-8",
    )
    status = await ask(emu, ADMIN, "/reindex")
    await wait_text(emu, ADMIN.id, status["message_id"], texts.REINDEX_DONE)
    with bot.sessions() as session:
        [alert] = session.scalars(select(NotificationRecord)).all()
        assert alert.status == "sent" and alert.chat_id is None
    assert await emu.bot_messages(MEMBER.id, after=notice["message_id"]) == []
    # a second press on the button adds nothing more
    pressed = len(await emu.calls("answerCallbackQuery"))
    await press(emu, ADMIN, button(acknowledged, "addkb:"), acknowledged)
    answer_call = (await emu.wait_for_calls("answerCallbackQuery", count=pressed + 1))[-1]
    assert answer_call["params"]["text"].startswith("Cette réponse est déjà dans la base")
    assert len(list((knowledge / "reponses").glob("*.md"))) == 1


def button_prefixes(message: Msg) -> set[str]:
    return {d.split(":")[0] for d in callback_data(message)}


async def test_team_group_and_a_dislike_then_ask(
    start_bot: StartBot, emu: AsyncEmulatorClient, own_engine: KnowledgeEngine
) -> None:
    team = Chat.supergroup(77, "Équipe d'animation")
    await start_bot(engine=own_engine, team_chat_id=team.id)
    reply = await ask(emu, MEMBER, "Quel outil libre pour organiser une visioconférence ?")
    assert not button_prefixes(reply) & {"esc", "notify"}  # answered: nothing to ask yet
    await press(emu, MEMBER, button(reply, "fb:down:"), reply)
    await emu.wait_for_calls("editMessageReplyMarkup")
    disliked = await current(emu, MEMBER.id, reply["message_id"])
    await press(emu, MEMBER, button(disliked, "esc:"), disliked)
    [request] = await emu.wait_for_bot_messages(team.id, timeout=20)
    assert "visioconférence" in request["text"]
    confirmed = await next_message(emu, MEMBER.id, reply["message_id"])
    assert await emu.bot_messages(ADMIN.id) == []  # the group, not the admins' chats
    update = await emu.send_message(
        team, OTHER, "#signé Essayez Jitsi Meet, sans compte.", reply_to=request["message_id"]
    )
    [ack] = await emu.wait_for_bot_messages(team.id, after=message_id(update), timeout=20)
    assert ack["text"] == texts.TEAM_RELAYED
    relayed = await next_message(emu, MEMBER.id, confirmed["message_id"])
    assert texts.TEAM_REPLY_SIGNED.format(name=OTHER.first_name) in relayed["text"]
    assert "#signé" not in relayed["text"] and "Essayez Jitsi Meet" in relayed["text"]


# ----------------------------------------------------------------------------- documents
MARKDOWN = """---
title: Fiche sur la mutuelle des salariés associatifs
---
# Mutuelle des salariés associatifs
Depuis 2016, toute association employeuse doit proposer une complémentaire santé collective à
ses salariés et en financer au moins la moitié. La convention collective peut imposer un
organisme ou des garanties minimales plus élevées.
"""


async def test_admin_documents_are_checked_saved_and_indexed(
    start_bot: StartBot, emu: AsyncEmulatorClient, own_engine: KnowledgeEngine
) -> None:
    knowledge = own_engine.settings.knowledge_dir
    await start_bot(engine=own_engine, knowledge_dir=knowledge)
    chat = Chat.private(ADMIN)
    document = await emu.upload_file(
        MARKDOWN.encode(), "../../.Mutuelle Salariés.md", "text/markdown"
    )
    update = await emu.send_document(chat, ADMIN, document)
    status = await next_message(emu, ADMIN.id, message_id(update))
    text = await wait_text(emu, ADMIN.id, status["message_id"], "✅")
    assert "Ajouté à la base : Fiche sur la mutuelle des salariés associatifs" in text
    assert "Fichier : reponses/mutuelle-salaries.md" in text and "Passages indexés : 1" in text
    assert (knowledge / "reponses" / "mutuelle-salaries.md").read_bytes() == MARKDOWN.encode()
    answer = await ask(emu, MEMBER, "Une association employeuse doit-elle proposer une mutuelle ?")
    assert "complémentaire santé collective" in answer["text"]

    # a corrupt PDF is refused with the loaders' reason; nothing is written
    corrupt = await emu.upload_file(b"%PDF-1.7\nnot really a pdf", "rapport.pdf", "application/pdf")
    update = await emu.send_document(chat, ADMIN, corrupt)
    status = await next_message(emu, ADMIN.id, message_id(update))
    text = await wait_text(emu, ADMIN.id, status["message_id"], "Je n'ai rien ajouté")
    assert "PDF illisible ou corrompu" in text
    assert sorted(p.name for p in (knowledge / "reponses").iterdir()) == ["mutuelle-salaries.md"]

    # a member's document is refused politely, never downloaded
    calls = len(await emu.calls("getFile"))
    sent = await emu.upload_file(MARKDOWN.encode(), "ma-fiche.md", "text/markdown")
    update = await emu.send_document(Chat.private(MEMBER), MEMBER, sent)
    refusal = await next_message(emu, MEMBER.id, message_id(update))
    assert refusal["text"].startswith("Merci ! Seuls les administrateurs peuvent ajouter")
    assert len(await emu.calls("getFile")) == calls
    assert sorted(p.name for p in (knowledge / "reponses").iterdir()) == ["mutuelle-salaries.md"]


# ----------------------------------------------------------------------------- web pages
PAGE = """<!doctype html><html lang="fr"><head><title>Le prêt d'honneur solidaire</title></head>
<body><nav><a href="/">Accueil</a> · <a href="/contact">Contact</a></nav>
<main><article><h1>Le prêt d'honneur solidaire</h1>
<p>Le prêt d'honneur solidaire est un prêt personnel à taux zéro, sans garantie, accordé au
porteur ou à la porteuse d'un projet d'utilité sociale pour renforcer ses fonds propres.</p>
<p>Il facilite ensuite l'obtention d'un prêt bancaire : une banque prête en moyenne cinq fois
le montant du prêt d'honneur obtenu. Le comité d'engagement se réunit chaque mois.</p>
</article></main><footer>Mentions légales · Plan du site</footer></body></html>"""


@pytest.fixture
def web_server() -> Iterator[str]:
    """A local web server: `/page` serves PAGE (its text changes at `?v=2` is not needed)."""
    served = {"body": PAGE}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/ancienne":
                self.send_response(301)
                self.send_header("Location", "/page")
                self.end_headers()
                return
            body = served["body"].encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


async def test_add_a_page_then_again_updates_its_sheet(
    start_bot: StartBot, emu: AsyncEmulatorClient, own_engine: KnowledgeEngine, web_server: str
) -> None:
    knowledge = own_engine.settings.knowledge_dir
    bot = await start_bot(engine=own_engine, knowledge_dir=knowledge, fetch_allow_private=True)
    status = await ask(emu, ADMIN, f"/ajouter {web_server}/ancienne")
    text = await wait_text(emu, ADMIN.id, status["message_id"], "✅")
    assert "Ajouté à la base : Le prêt d'honneur solidaire" in text
    [sheet] = (knowledge / "reponses").glob("*.md")
    content = sheet.read_text(encoding="utf-8")
    assert f"url: {web_server}/ancienne" in content and "type: ressource" in content
    assert "taux zéro" in content and "Mentions légales" not in content
    answer = await ask(emu, MEMBER, "Qu'est-ce qu'un prêt d'honneur solidaire ?")
    assert "taux zéro" in answer["text"]
    status = await ask(emu, ADMIN, f"/ajouter {web_server}/ancienne")
    text = await wait_text(emu, ADMIN.id, status["message_id"], "✅")
    assert text.startswith("✅ Mis à jour dans la base : Le prêt d'honneur solidaire")
    assert list((knowledge / "reponses").glob("*.md")) == [sheet]
    with bot.sessions() as session:
        assert len(session.scalars(select(AdditionRecord)).all()) == 1


async def test_a_loopback_address_is_refused_without_the_setting(
    start_bot: StartBot, emu: AsyncEmulatorClient, own_engine: KnowledgeEngine, web_server: str
) -> None:
    knowledge = own_engine.settings.knowledge_dir
    await start_bot(engine=own_engine, knowledge_dir=knowledge)
    status = await ask(emu, ADMIN, f"/ajouter {web_server}/page")
    text = await wait_text(emu, ADMIN.id, status["message_id"], "Je n'ai rien ajouté")
    assert "adresse locale ou privée refusée" in text
    assert not (knowledge / "reponses").exists()
    assert (await ask(emu, MEMBER, f"/ajouter {web_server}/page"))["text"] == texts.ADMIN_REFUSED


async def test_a_request_nobody_received_can_be_made_again(
    start_bot: StartBot, emu: AsyncEmulatorClient
) -> None:
    bot = await start_bot()
    reply = await ask(emu, MEMBER, QUESTION)
    await emu.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    await press(emu, MEMBER, button(reply, "esc:"), reply)
    sorry = await next_message(emu, MEMBER.id, reply["message_id"])
    assert sorry["text"].startswith("Je n'ai pas pu joindre l'équipe")
    with bot.sessions() as session:
        assert session.scalars(select(EscalationRecord)).all() == []
    await press(emu, MEMBER, button(reply, "esc:"), reply)
    confirmed = await next_message(emu, MEMBER.id, sorry["message_id"])
    assert confirmed["text"].startswith("Votre question a été transmise à l'équipe")
    [request] = await emu.wait_for_bot_messages(ADMIN.id, timeout=20)
    assert QUESTION in request["text"]


async def test_forget_withdraws_a_pending_request_from_the_team(
    start_bot: StartBot, emu: AsyncEmulatorClient
) -> None:
    bot = await start_bot()
    reply = await ask(emu, MEMBER, QUESTION)
    await press(emu, MEMBER, button(reply, "esc:"), reply)
    [request] = await emu.wait_for_bot_messages(ADMIN.id, timeout=20)
    confirmed = await next_message(emu, MEMBER.id, reply["message_id"])
    confirm = await ask(emu, MEMBER, "/oubli")
    assert confirmed["message_id"] < confirm["message_id"]
    await press(emu, MEMBER, "forget:yes", confirm)
    await wait_text(emu, ADMIN.id, request["message_id"], texts.TEAM_WITHDRAWN)
    done = await wait_text(emu, MEMBER.id, confirm["message_id"], "C'est fait")
    assert "Demandes à l'équipe et alertes effacées : 1." in done
    with bot.sessions() as session:
        assert session.scalars(select(EscalationRecord)).all() == []


async def test_forged_presses_neither_pass_on_nor_add_nor_vote(
    start_bot: StartBot, emu: AsyncEmulatorClient
) -> None:
    bot = await start_bot()
    reply = await ask(emu, MEMBER, QUESTION)
    escalate, notify = button(reply, "esc:"), button(reply, "notify:")
    token = escalate.removeprefix("esc:")
    with bot.sessions() as session:
        question_id = session.scalars(select(QuestionRecord.id)).one()
    assert len(token) >= 16 and notify == f"notify:{token}" and token != str(question_id)
    # another member replays the buttons of this answer under a message of their own chat
    own = await ask(emu, OTHER, "Bonjour")
    forged = (escalate, notify, f"esc:{question_id}", f"notify:{question_id}", "addkb:1")
    for data in forged:
        await press(emu, OTHER, data, own)
    answers = await emu.wait_for_calls("answerCallbackQuery", count=len(forged))
    texts_shown = [a["params"].get("text") for a in answers]
    # the bot may answer the presses in any order (updates are processed concurrently)
    assert sorted(texts_shown) == sorted([texts.FEEDBACK_UNKNOWN] * 4 + [texts.ADMIN_REFUSED])
    with bot.sessions() as session:
        assert session.scalars(select(EscalationRecord)).all() == []
        assert session.scalars(select(NotificationRecord)).all() == []
    assert await emu.bot_messages(ADMIN.id) == []
