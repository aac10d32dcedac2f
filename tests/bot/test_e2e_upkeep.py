"""End to end, the bot looking after itself: jobs run through the application's job queue
(reindex, link check, digest, purge), the watch of the knowledge folder, /stats with its chart,
/confidentialite and /oubli."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from bot_testkit import check_html, make_answer, rows_about
from e2e_kit import ADMIN_ID, RunningBot, StartBot, button_rows, callback_data, message_id
from emulator import AsyncEmulatorClient, Chat, User
from sqlalchemy import select

from bot.storage import records
from bot.storage.records import QuestionRecord, hash_user
from bot.telegram import texts
from bot.telegram.jobs import JOB_DIGEST, JOB_LINKS, JOB_PURGE, JOB_REINDEX
from indexing.engine import KnowledgeEngine

pytestmark = pytest.mark.e2e

ADMIN = User(ADMIN_ID, "Alex")
MEMBER = User(5001, "Camille")
OTHER = User(5002, "Dominique")
QUESTION = "Quel outil libre pour organiser une visioconférence ?"
PHONE = (
    "Quel est le numéro de téléphone de la CRESS ?",
    "Comment joindre la CRESS par téléphone ?",
    "Quel numéro appeler pour contacter la CRESS de Bretagne ?",
)
NEW_DOC = """---
title: "Zorglub, gérer les adhésions de l'association"
url: https://example.org/zorglub
date: 2026-09-01
type: ressource
themes: [gestion associative]
---
# Zorglub

Zorglub est un logiciel libre pour gérer les adhésions et les cotisations des membres d'une
association : fichier des adhérents, relances de cotisation, reçus fiscaux.
"""


async def ask(emu: AsyncEmulatorClient, text: str, user: User = MEMBER) -> dict[str, Any]:
    update = await emu.send_message(Chat.private(user), user, text)
    [reply] = await emu.wait_for_bot_messages(user.id, after=message_id(update), timeout=15)
    return reply  # type: ignore[no-any-return]


async def run_job(bot: RunningBot, name: str) -> None:
    """Run the registered job now, as its schedule would (errors go to the error handler)."""
    queue = bot.application.job_queue
    assert queue is not None
    [job] = queue.get_jobs_by_name(name)
    await job.run(bot.application)


async def admin_texts(emu: AsyncEmulatorClient) -> list[str]:
    return [m.get("text", "") for m in await emu.bot_messages(ADMIN_ID)]


async def test_scheduled_reindex_tells_admins_only_of_changes_and_new_failures(
    start_bot: StartBot, emu: AsyncEmulatorClient, own_engine: KnowledgeEngine
) -> None:
    folder = own_engine.settings.knowledge_dir
    bot = await start_bot(engine=own_engine, knowledge_dir=folder, reindex_interval_minutes=30)
    await run_job(bot, JOB_REINDEX)  # nothing changed since the fixture indexed
    assert bot.engine.reindexes == 1 and await admin_texts(emu) == []

    (folder / "ressources" / "zorglub.md").write_text(NEW_DOC, encoding="utf-8")
    (folder / "ressources" / "casse.docx").write_bytes(b"pas un docx")
    await run_job(bot, JOB_REINDEX)
    [summary] = await admin_texts(emu)
    assert summary.startswith("✅ " + texts.AUTO_REINDEX_SCHEDULED)
    assert "Fichiers ajoutés : 1\n  ressources/zorglub.md" in summary
    assert "Fichiers en échec : 1\n  ressources/casse.docx" in summary

    await run_job(bot, JOB_REINDEX)  # the same failure again: not worth a message
    assert bot.engine.reindexes == 3 and len(await admin_texts(emu)) == 1
    menu = await ask(emu, "/sources")
    assert "Gestion associative (1)" in [b["text"] for row in button_rows(menu) for b in row]


async def test_failed_automatic_reindex_is_reported(
    start_bot: StartBot, emu: AsyncEmulatorClient, own_engine: KnowledgeEngine
) -> None:
    folder = own_engine.settings.knowledge_dir
    bot = await start_bot(engine=own_engine, knowledge_dir=folder, expect_errors=True)
    folder.rename(folder.with_name("ailleurs"))
    await run_job(bot, JOB_REINDEX)
    [alert] = await admin_texts(emu)
    assert texts.AUTO_REINDEX_FAILED in alert and "introuvable" in alert
    assert callback_data(await ask(emu, QUESTION))  # members are still served


async def test_watch_mode_reindexes_once_per_burst(
    start_bot: StartBot, emu: AsyncEmulatorClient, own_engine: KnowledgeEngine
) -> None:
    folder = own_engine.settings.knowledge_dir
    bot = await start_bot(
        engine=own_engine,
        knowledge_dir=folder,
        watch_knowledge=True,
        watch_quiet_ms=300,
        reindex_interval_minutes=0,
    )
    watcher = bot.application.bot_data.watcher
    assert watcher is not None and watcher.running
    await asyncio.sleep(0.5)  # the watch is in place
    (folder / "ressources" / "zorglub.md").write_text(NEW_DOC, encoding="utf-8")
    for n in range(5):  # an editor saving again and again
        (folder / "ressources" / "brouillon.md").write_text(
            f"# Brouillon\nVersion {n} d'une fiche sur les cotisations.\n", encoding="utf-8"
        )
    rgpd = folder / "ressources" / "rgpd.md"
    rgpd.write_text(rgpd.read_text(encoding="utf-8") + "\nMise à jour.\n", encoding="utf-8")

    [summary] = await emu.wait_for_bot_messages(ADMIN_ID, timeout=30)
    assert summary["text"].startswith("✅ " + texts.AUTO_REINDEX_WATCH)
    assert (
        "Fichiers ajoutés : 2" in summary["text"] and "Fichiers mis à jour : 1" in summary["text"]
    )
    # The fence: a later edit gives the second reindex; a spurious one would have come first.
    (folder / "ressources" / "temoin.md").write_text(
        "# Témoin\nUne fiche sur le compostage partagé.\n", encoding="utf-8"
    )
    summaries = await emu.wait_for_bot_messages(ADMIN_ID, 2, timeout=30)
    assert "Fichiers ajoutés : 1" in summaries[-1]["text"]
    assert bot.engine.reindexes == 2 and len(await admin_texts(emu)) == 2

    reply = await ask(
        emu, "Quel logiciel pour gérer les adhésions et les cotisations des membres ?"
    )
    assert "Zorglub" in reply["text"].split(texts.ANSWER_SOURCES)[1].splitlines()[1]
    with bot.sessions() as session:
        assert session.scalars(select(QuestionRecord)).one().answered


class LinkHandler(BaseHTTPRequestHandler):
    """200 on /ok, 301 from /ancien to /ok, 404 elsewhere."""

    def do_HEAD(self) -> None:
        if self.path == "/ancien":
            self.send_response(301)
            self.send_header("Location", "/ok")
        else:
            self.send_response(200 if self.path == "/ok" else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def link_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), LinkHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


async def test_link_check_job_reports_dead_and_moved_links(
    start_bot: StartBot, emu: AsyncEmulatorClient, tmp_path: Path, link_server: str
) -> None:
    folder = tmp_path / "kb-liens"
    (folder / "ressources").mkdir(parents=True)
    fiche = folder / "ressources" / "fiche.md"
    fiche.write_text(
        f"---\ntitle: Fiche\nurl: {link_server}/ok\n---\n"
        f"Voir [l'ancienne page]({link_server}/ancien)"
        f" et [la page disparue]({link_server}/disparue).\n",
        encoding="utf-8",
    )
    bot = await start_bot(knowledge_dir=folder, link_check_interval_hours=24)
    queue = bot.application.job_queue
    assert queue is not None
    [job] = queue.get_jobs_by_name(JOB_LINKS)
    queue.run_once(job.callback, when=0)  # through the running scheduler
    [report] = await emu.wait_for_bot_messages(ADMIN_ID, timeout=15)
    text = report["text"]
    assert text.startswith("🔗 " + texts.LINKS_TITLE) and "3 liens vérifiés : 1 OK" in text
    assert f"mort : {link_server}/disparue (page introuvable (404))" in text
    assert "cité par ressources/fiche.md" in text
    assert f"déplacé : {link_server}/ancien" in text
    fiche.write_text(f"---\ntitle: Fiche\nurl: {link_server}/ok\n---\nTout va bien.\n", "utf-8")
    await run_job(bot, JOB_LINKS)
    assert len(await admin_texts(emu)) == 1  # every link answers: nothing to say


async def test_link_check_job_flags_sheets_past_their_review_date(
    start_bot: StartBot,
    emu: AsyncEmulatorClient,
    own_engine: KnowledgeEngine,
    tmp_path: Path,
    link_server: str,
) -> None:
    rgpd = own_engine.settings.knowledge_dir / "ressources" / "rgpd.md"
    rgpd.write_text(
        rgpd.read_text(encoding="utf-8").replace(
            "date: 2026-11-15\n", "date: 2026-11-15\nreview_by: 2001-01-31\n", 1
        ),
        encoding="utf-8",
    )
    own_engine.reindex()
    links = tmp_path / "kb-liens-ok"
    (links / "ressources").mkdir(parents=True)
    (links / "ressources" / "fiche.md").write_text(
        f"---\ntitle: Fiche\nurl: {link_server}/ok\n---\nTout va bien.\n", encoding="utf-8"
    )
    bot = await start_bot(engine=own_engine, knowledge_dir=links, link_check_interval_hours=24)
    await run_job(bot, JOB_LINKS)  # every link answers, but a sheet is due for review
    [report] = await admin_texts(emu)
    assert report.startswith("🔗 " + texts.LINKS_TITLE)
    assert texts.REVIEW_DUE_TITLE in report and "• ressources/rgpd.md : 31 janvier 2001" in report


async def test_digest_job_sends_unanswered_and_disliked_questions_grouped(
    start_bot: StartBot, emu: AsyncEmulatorClient
) -> None:
    bot = await start_bot(digest_interval_days=7)
    await run_job(bot, JOB_DIGEST)
    assert await admin_texts(emu) == []  # nothing to report yet
    for question in PHONE:
        await ask(emu, question)
    reply = await ask(emu, QUESTION, user=OTHER)
    answer_id = callback_data(reply)[0].rsplit(":", 1)[1]
    await emu.send_callback(Chat.private(OTHER), OTHER, f"fb:down:{answer_id}", reply)
    await emu.wait_for_calls("editMessageReplyMarkup")
    await emu.send_callback(Chat.private(OTHER), OTHER, f"fb:why:inc:{answer_id}", reply)
    await emu.wait_for_calls("editMessageReplyMarkup", count=2)
    await run_job(bot, JOB_DIGEST)
    [digest] = await admin_texts(emu)
    assert digest.startswith("📋 " + texts.DIGEST_TITLE.format(period="7 derniers jours"))
    assert "Sans réponse : 3 · Avec un 👎 : 1" in digest
    first, second = digest.split("\n1. ")[1].split("\n2. ")
    assert "3 questions : 3 sans réponse" in first and all(q[:25] in first for q in PHONE)
    assert QUESTION in second and "incomplet (1)" in second


async def test_stats_sends_a_chart_after_the_summary(
    start_bot: StartBot, emu: AsyncEmulatorClient
) -> None:
    await start_bot()
    await ask(emu, QUESTION)
    await ask(emu, PHONE[0])
    update = await emu.send_message(Chat.private(ADMIN), ADMIN, "/stats 7")
    summary, chart = await emu.wait_for_bot_messages(ADMIN.id, 2, after=message_id(update))
    assert "Questions : 2" in summary["text"] and "photo" in chart
    [call] = await emu.calls("sendPhoto")
    photo = call["params"]["photo"]
    assert photo["mime_type"] == "image/png" and photo["size"] > 20_000
    assert call["params"]["parse_mode"] == "HTML"
    caption = check_html(call["params"]["caption"])
    assert "7 jours" in caption and "Thèmes les plus demandés : " in caption


async def test_privacy_page(start_bot: StartBot, emu: AsyncEmulatorClient) -> None:
    await start_bot(retention_days=90)
    text = (await ask(emu, "/confidentialite"))["text"]
    assert "90 jours" in text and "/oubli" in text and "pseudonyme" in text
    group = Chat.supergroup(77, "Atelier")
    update = await emu.send_message(group, MEMBER, "/confidentialite")
    [reply] = await emu.wait_for_bot_messages(group.id, after=message_id(update))
    assert "90 jours" in reply["text"]


async def test_forget_erases_everything_about_the_member_after_confirmation(
    start_bot: StartBot, emu: AsyncEmulatorClient
) -> None:
    bot = await start_bot()
    member = hash_user(b"e2e-key-0123456789abcdef", MEMBER.id)
    reply = await ask(emu, QUESTION)
    answer_id = callback_data(reply)[0].rsplit(":", 1)[1]
    await emu.send_callback(Chat.private(MEMBER), MEMBER, f"fb:up:{answer_id}", reply)
    await emu.wait_for_calls("editMessageReplyMarkup")
    await ask(emu, PHONE[0])
    await ask(emu, QUESTION, user=OTHER)
    with bot.sessions() as session:
        mine = set(
            session.scalars(select(QuestionRecord.id).where(QuestionRecord.user_hash == member))
        )
    db = bot.sessions.kw["bind"]
    assert len(mine) == 2 and rows_about(db, member, mine)

    confirm = await ask(emu, "/oubli")
    assert confirm["text"] == texts.FORGET_CONFIRM
    assert callback_data(confirm) == ["forget:yes", "forget:no"]
    assert rows_about(db, member, mine)  # nothing erased before the confirmation
    await emu.send_callback(Chat.private(MEMBER), MEMBER, "forget:yes", confirm)
    await emu.wait_for_calls("editMessageText")
    [done] = [
        m for m in await emu.bot_messages(MEMBER.id) if m["message_id"] == confirm["message_id"]
    ]
    assert (
        done["text"] == "C'est fait : 2 questions et 1 avis effacés. Il ne reste rien de vous ici."
    )
    assert not callback_data(done)
    assert rows_about(db, member, mine) == []
    with bot.sessions() as session:  # the other member's question stays
        assert [q.user_hash for q in session.scalars(select(QuestionRecord))] == [
            hash_user(b"e2e-key-0123456789abcdef", OTHER.id)
        ]


async def test_forget_can_be_cancelled_and_is_private_only(
    start_bot: StartBot, emu: AsyncEmulatorClient
) -> None:
    bot = await start_bot()
    await ask(emu, QUESTION)
    confirm = await ask(emu, "/oubli")
    await emu.send_callback(Chat.private(MEMBER), MEMBER, "forget:no", confirm)
    await emu.wait_for_calls("editMessageText")
    [kept] = [
        m for m in await emu.bot_messages(MEMBER.id) if m["message_id"] == confirm["message_id"]
    ]
    assert kept["text"] == texts.FORGET_CANCELLED
    group = Chat.supergroup(78, "Atelier")
    update = await emu.send_message(group, MEMBER, "/oubli")
    [reply] = await emu.wait_for_bot_messages(group.id, after=message_id(update))
    assert reply["text"] == texts.FORGET_PRIVATE_ONLY and not callback_data(reply)
    with bot.sessions() as session:
        assert len(session.scalars(select(QuestionRecord)).all()) == 1


async def test_daily_purge_job(start_bot: StartBot, emu: AsyncEmulatorClient) -> None:
    bot = await start_bot(retention_days=30)
    now = records.utcnow()
    with bot.sessions.begin() as session:
        for days in (45, 5):
            records.add_question(
                session,
                make_answer(f"Question d'il y a {days} jours"),
                user_hash="h",
                chat_type="private",
                group_id=None,
                latency_ms=1,
                now=now - dt.timedelta(days=days),
            )
    queue = bot.application.job_queue
    assert queue is not None
    [job] = queue.get_jobs_by_name(JOB_PURGE)
    assert job.next_t is not None and job.next_t.timetz().replace(tzinfo=None) == dt.time(3, 30)
    await run_job(bot, JOB_PURGE)
    with bot.sessions() as session:
        assert [q.question for q in session.scalars(select(QuestionRecord))] == [
            "Question d'il y a 5 jours"
        ]
    update = await emu.send_message(Chat.private(ADMIN), ADMIN, "/stats 90")
    summary, _chart = await emu.wait_for_bot_messages(ADMIN.id, 2, after=message_id(update))
    assert "Questions : 1" in summary["text"]  # the figures no longer count the purged one


async def test_admins_get_the_digest_and_the_link_report_on_demand(
    start_bot: StartBot, emu: AsyncEmulatorClient, tmp_path: Path, link_server: str
) -> None:
    folder = tmp_path / "kb-liens"
    (folder / "ressources").mkdir(parents=True)
    (folder / "ressources" / "fiche.md").write_text(
        f"---\ntitle: Fiche\nurl: {link_server}/ok\n---\nVoir [la page]({link_server}/disparue).\n",
        encoding="utf-8",
    )
    await start_bot(knowledge_dir=folder, digest_interval_days=0, link_check_interval_hours=0)
    for command in ("/resume", "/liens"):  # members are refused
        assert (await ask(emu, command))["text"] == texts.ADMIN_REFUSED
    empty = await ask(emu, "/resume", user=ADMIN)
    assert empty["text"] == texts.DIGEST_EMPTY.format(period="7 derniers jours")
    for question in PHONE:
        await ask(emu, question)
    digest = (await ask(emu, "/resume 30", user=ADMIN))["text"]
    assert digest.startswith("📋 " + texts.DIGEST_TITLE.format(period="30 derniers jours"))
    assert "3 questions : 3 sans réponse" in digest
    assert (await ask(emu, "/resume hier", user=ADMIN))["text"] == texts.DIGEST_USAGE
    status = await ask(emu, "/liens", user=ADMIN)
    assert status["text"] == texts.LINKS_CHECKING
    for _ in range(300):
        [current] = [
            m for m in await emu.bot_messages(ADMIN.id) if m["message_id"] == status["message_id"]
        ]
        if current["text"] != texts.LINKS_CHECKING:
            break
        await asyncio.sleep(0.05)
    assert current["text"].startswith("🔗 " + texts.LINKS_TITLE)
    assert (
        f"mort : {link_server}/disparue" in current["text"]
        and "2 liens vérifiés" in current["text"]
    )
