"""End to end, private chats: questions with sources, feedback, more sources, quota, non-text."""

from __future__ import annotations

import pytest
from bot_testkit import RTL, check_html
from e2e_kit import (
    StartBot,
    button_rows,
    callback_data,
    link_urls,
    message_id,
    share_query_of,
)
from emulator import AsyncEmulatorClient, Chat, User
from sqlalchemy import select

from bot.storage import records
from bot.storage.records import FeedbackRecord, QuestionRecord, hash_user
from bot.telegram import texts

pytestmark = pytest.mark.e2e

MEMBER = User(1001, "Camille")
CHAT = Chat.private(MEMBER)
QUESTION = "Quel outil libre pour organiser une visioconférence ?"
REFERENCE_LINKS = ("https://example.org/comparatif-visio", "https://example.org/guide-")
UNANSWERABLE = "Quel est le numéro de téléphone de la CRESS de Bretagne ?"


async def ask(emu: AsyncEmulatorClient, text: str, user: User = MEMBER) -> dict:  # type: ignore[type-arg]
    update = await emu.send_message(Chat.private(user), user, text)
    [reply] = await emu.wait_for_bot_messages(user.id, after=message_id(update), timeout=10)
    return reply  # type: ignore[no-any-return]


async def test_question_gets_answer_with_linked_sources(
    start_bot: StartBot, emu: AsyncEmulatorClient
) -> None:
    bot = await start_bot()
    reply = await ask(emu, QUESTION)
    with bot.sessions() as session:
        record = session.scalars(select(QuestionRecord)).one()
        cited = [(c.title, c.url, c.path, list(c.chunk_ids)) for c in record.sources]
        assert (
            record.user_hash == hash_user(b"e2e-key-0123456789abcdef", MEMBER.id)
            and record.chat_type == "private"
        )
    assert record.question == QUESTION and record.answer_text and cited and all(c[3] for c in cited)
    text = reply["text"]
    assert record.answered, "the tiny knowledge folder has this answer (ressources/visio.md)"
    assert text.startswith(record.answer_text[:50]) and texts.ANSWER_SOURCES in text
    for rank, (title, _url, _path, _chunks) in enumerate(cited[:3], start=1):
        assert f"{rank}. {title}" in text
    sheet_links = [u for u in link_urls(reply) if not u.startswith(REFERENCE_LINKS)]
    assert [u for _, u, _, _ in cited[:3] if u] == sheet_links
    assert "Choisir un outil de visioconférence libre" in text
    assert "ressource · fiche rédigée le 4 mai 2026" in text
    line = "↳ Pour aller plus loin : Comparatif des outils de visioconférence (Framasoft, 2021)"
    assert line in text and "https://example.org/comparatif-visio" in link_urls(reply)
    # typing first, then the answer in HTML without link previews, with its keyboard
    [action] = await emu.calls("sendChatAction")
    assert action["params"]["action"] == "typing"
    sent = (await emu.calls("sendMessage"))[-1]["params"]
    assert sent["parse_mode"] == "HTML" and sent["link_preview_options"]["is_disabled"] is True
    check_html(sent["text"])
    data = callback_data(reply)
    assert {f"fb:up:{record.token}", f"fb:down:{record.token}", f"more:{record.token}"} <= set(data)
    assert share_query_of(reply) == f"ans:{record.token}"


async def test_unanswered_question_says_so_and_is_recorded(
    start_bot: StartBot, emu: AsyncEmulatorClient
) -> None:
    bot = await start_bot()
    reply = await ask(emu, UNANSWERABLE)
    assert texts.NO_ANSWER_RELATED in reply["text"]
    assert (
        "/sources" in reply["text"]
        and "contactez l'équipe d'animation de la Communauté" in reply["text"]
    )
    with bot.sessions() as session:
        record = session.scalars(select(QuestionRecord)).one()
        assert not record.answered and record.question == UNANSWERABLE


async def test_feedback_up_then_down_with_reason(
    start_bot: StartBot, emu: AsyncEmulatorClient
) -> None:
    bot = await start_bot()
    reply = await ask(emu, QUESTION)
    answer_id = callback_data(reply)[0].rsplit(":", 1)[1]
    await emu.send_callback(CHAT, MEMBER, f"fb:up:{answer_id}", reply)
    [edit] = await emu.wait_for_calls("editMessageReplyMarkup")
    [ack] = await emu.wait_for_calls("answerCallbackQuery")
    assert ack["params"]["text"] == texts.FEEDBACK_THANKS
    assert callback_data(edit["result"])[0] == "noop"
    assert f"more:{answer_id}" in callback_data(edit["result"])  # the other buttons stay

    await emu.send_callback(CHAT, MEMBER, f"fb:down:{answer_id}", reply)
    edits = await emu.wait_for_calls("editMessageReplyMarkup", 2)
    reasons = callback_data(edits[1]["result"])
    assert reasons[:4] == [f"fb:why:{code}:{answer_id}" for code in ("hs", "inc", "lien", "autre")]
    await emu.send_callback(CHAT, MEMBER, f"fb:why:lien:{answer_id}", reply)
    edits = await emu.wait_for_calls("editMessageReplyMarkup", 3)
    assert callback_data(edits[2]["result"])[0] == "noop"
    with bot.sessions() as session:
        [feedback] = session.scalars(select(FeedbackRecord)).all()
        record = session.scalars(select(QuestionRecord)).one()
        assert record.token == answer_id
        assert (feedback.question_id, feedback.vote, feedback.reason) == (record.id, -1, "lien")
        assert feedback.user_hash == hash_user(b"e2e-key-0123456789abcdef", MEMBER.id)


async def test_more_sources_shows_the_next_ones(
    start_bot: StartBot, emu: AsyncEmulatorClient
) -> None:
    bot = await start_bot()
    reply = await ask(emu, QUESTION)
    answer_id = callback_data(reply)[0].rsplit(":", 1)[1]
    answers_before = bot.engine.answers
    await emu.send_callback(CHAT, MEMBER, f"more:{answer_id}", reply)
    [more] = await emu.wait_for_bot_messages(CHAT.id, after=reply["message_id"])
    with bot.sessions() as session:
        record = records.question_by_token(session, answer_id)
        assert record is not None
        titles = [c.title for c in record.sources]
    assert more["text"].startswith(texts.MORE_SOURCES_TITLE)
    assert f"4. {titles[3]}" in more["text"] and f"{len(titles)}. {titles[-1]}" in more["text"]
    assert "↳ Pour aller plus loin : Guide pratique (" in more["text"]
    assert "(Avise, 2019)" in more["text"]
    [edit] = await emu.wait_for_calls("editMessageReplyMarkup")
    assert f"more:{answer_id}" not in callback_data(edit["result"])
    assert bot.engine.answers == answers_before  # built from the stored answer


async def test_rate_limit_per_user(start_bot: StartBot, emu: AsyncEmulatorClient) -> None:
    await start_bot(questions_per_minute=2)
    for _ in range(2):
        assert "Réessayez" not in (await ask(emu, QUESTION))["text"]
    limited = await ask(emu, QUESTION)
    assert "Réessayez dans" in limited["text"]
    other = User(1002, "Dominique")
    assert "Réessayez" not in (await ask(emu, QUESTION, user=other))["text"]


@pytest.mark.parametrize(
    "content",
    [
        {
            "sticker": {
                "file_id": "s1",
                "file_unique_id": "us1",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        },
        {"photo": [{"file_id": "p1", "file_unique_id": "up1", "width": 90, "height": 90}]},
        {"voice": {"file_id": "v1", "file_unique_id": "uv1", "duration": 3}},
    ],
)
async def test_non_text_messages_get_an_explanation(
    start_bot: StartBot,
    emu: AsyncEmulatorClient,
    content: dict,  # type: ignore[type-arg]
) -> None:
    await start_bot()
    update = await emu.inject_update(
        {"message": {"chat": CHAT.to_dict(), "from": MEMBER.to_dict(), **content}}
    )
    [reply] = await emu.wait_for_bot_messages(CHAT.id, after=message_id(update))
    assert reply["text"] == texts.NON_TEXT


async def test_start_help_sources_workshops_and_menus(
    start_bot: StartBot, emu: AsyncEmulatorClient
) -> None:
    await start_bot()
    welcome = await ask(emu, "/start")
    assert texts.EXAMPLES[0] in welcome["text"] and "Confidentialité" in welcome["text"]
    assert "@essbot_test_bot" in (await ask(emu, "/aide"))["text"]
    menu = await ask(emu, "/sources")
    assert "Choisir un outil" not in menu["text"] and "thèmes" in menu["text"]
    buttons = {b["text"]: b["callback_data"] for row in button_rows(menu) for b in row}
    tools = next(data for label, data in buttons.items() if label.startswith("Outils collab"))
    await emu.send_callback(CHAT, MEMBER, tools, menu)
    [edit] = await emu.wait_for_calls("editMessageText")
    assert (
        "Outils collaboratifs\n• Choisir un outil de visioconférence libre"
        in edit["result"]["text"]
    )
    assert "https://example.org/visio" in link_urls(edit["result"])
    await emu.send_callback(CHAT, MEMBER, callback_data(edit["result"])[0], menu)  # ⬅ back
    edits = await emu.wait_for_calls("editMessageText", 2)
    assert edits[1]["result"]["text"] == menu["text"]
    workshops = (await ask(emu, "/ateliers"))["text"].splitlines()
    assert workshops[1].startswith(
        "• Atelier : animer une réunion à distance (exemple) · 20 juin 2026"
    )
    assert (await ask(emu, "/inconnue"))["text"] == texts.UNKNOWN_COMMAND
    menus = {
        (c["params"]["scope"]["type"], c["params"].get("language_code")): c["params"]["commands"]
        for c in await emu.calls("setMyCommands")
    }
    private = [c["command"] for c in menus[("all_private_chats", "fr")]]
    assert private == [
        "start",
        "aide",
        "sources",
        "ateliers",
        "question",
        "confidentialite",
        "oubli",
    ]
    assert menus[("all_group_chats", "fr")][0]["command"] == "question"
    admin = [c["command"] for c in menus[("chat", None)]]
    assert admin[-6:] == ["reindex", "stats", "verifier", "ajouter", "resume", "liens"]


@pytest.mark.parametrize(
    "question",
    [
        "<b>visio</b> & <script>alert('x')</script> &amp; Jitsi ? 👩🏽‍💻 " + RTL,
        ("Quel outil de visioconférence & <i>libre</i> ? " * 90)[:4096],
    ],
)
async def test_hostile_questions_get_valid_html_everywhere(
    start_bot: StartBot, emu: AsyncEmulatorClient, question: str
) -> None:
    await start_bot()
    reply = await ask(emu, question)
    answer_id = callback_data(reply)[0].rsplit(":", 1)[1]
    await emu.send_callback(CHAT, MEMBER, f"more:{answer_id}", reply)
    [more] = await emu.wait_for_bot_messages(CHAT.id, after=reply["message_id"])
    assert more["text"].startswith(texts.MORE_SOURCES_TITLE + " : " + question[:20])
    await emu.send_inline_query(MEMBER, f"ans:{answer_id}")
    [call] = await emu.wait_for_calls("answerInlineQuery")
    [result] = call["params"]["results"]
    assert question[:20] in check_html(result["input_message_content"]["message_text"])
    # every call was also checked by the fixture, and the emulator parses HTML as Telegram does
    assert all(c["ok"] for c in await emu.calls("sendMessage"))
