"""The emulator's fixes, proved with real python-telegram-bot applications."""

from __future__ import annotations

import asyncio
import datetime as dtm
import hashlib
import time
from collections.abc import Callable

import emulator as emulator_module
import httpx
import pytest
from echo_bench import run_echo_benchmark
from emulator import (
    BotHandlerErrors,
    Chat,
    Emulator,
    EmulatorError,
    User,
    compute_entities,
    running_application,
)
from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    MenuButtonCommands,
    MessageEntity,
    ReactionTypeEmoji,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import (
    AIORateLimiter,
    CallbackQueryHandler,
    ChatMemberHandler,
    ChosenInlineResultHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

pytestmark = pytest.mark.e2e

ANA = User(1001, "Ana", username="ana_ess")
BOB = User(1002, "Bob")


async def until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


def recent(when: dtm.datetime) -> bool:
    return abs(dtm.datetime.now(dtm.UTC) - when) < dtm.timedelta(seconds=60)


def msg_id(update: dict) -> int:
    return update["message"]["message_id"]


def test_entities_use_utf16_offsets():
    assert compute_entities("/ask@essbot_test_bot quoi ?") == [
        {"type": "bot_command", "offset": 0, "length": 20}
    ]
    assert compute_entities("🙂 Salut @essbot_test_bot, voir https://avise.org !") == [
        {"type": "mention", "offset": 9, "length": 16},
        {"type": "url", "offset": 32, "length": 17},
    ]
    assert compute_entities("a/b et mail@x.org") == []


async def test_get_me(run_bot, bot_token):
    app = await run_bot()
    me = await app.bot.get_me()
    assert (me.id, me.username, me.is_bot) == (
        int(bot_token.split(":")[0]),
        "essbot_test_bot",
        True,
    )
    assert me.can_join_groups and me.supports_inline_queries


async def test_message_round_trip(run_bot, emu):
    seen = []

    async def echo(update, context):
        seen.append(update)
        await context.bot.send_chat_action(update.effective_chat.id, ChatAction.TYPING)
        seen.append(await update.message.reply_text(f"écho : {update.message.text}", do_quote=True))

    app = await run_bot(lambda app: app.add_handler(MessageHandler(filters.TEXT, echo)))
    chat = Chat.private(ANA)
    update = await emu.send_message(chat, ANA, "Bonjour 👋")
    [reply] = await emu.wait_for_bot_messages(chat.id, after=msg_id(update))
    assert reply["text"] == "écho : Bonjour 👋"
    await until(lambda: len(seen) == 2)
    incoming, sent = seen
    assert incoming.message.api_kwargs == {}  # no `botToken` leaking into the update
    assert recent(incoming.message.date) and incoming.message.chat.type == "private"
    assert recent(sent.date)  # seconds, not milliseconds
    assert (sent.from_user.id, sent.from_user.is_bot) == (app.bot.id, True)
    assert (sent.chat.id, sent.chat.type) == (chat.id, "private")
    assert sent.reply_to_message.message_id == msg_id(update)
    assert sent.reply_to_message.text == "Bonjour 👋"
    [action] = await emu.calls("sendChatAction")
    assert action["params"] == {"chat_id": chat.id, "action": "typing"}


async def test_group_command_topic_and_mention(run_bot, emu):
    got: dict[str, object] = {}

    async def ask(update, context):
        got["args"] = context.args
        await update.message.reply_text("Réponse")

    async def mentioned(update, context):
        got["mentions"] = list(update.message.parse_entities([MessageEntity.MENTION]).values())
        await update.message.reply_text("Je regarde")

    await run_bot(
        lambda app: app.add_handlers(
            [
                CommandHandler("ask", ask),
                MessageHandler(filters.Entity(MessageEntity.MENTION), mentioned),
            ]
        )
    )
    forum = Chat.supergroup(1, "Incubateur ESS Lyon", is_forum=True)
    ignored = await emu.send_message(forum, ANA, "/ask@another_bot rien")
    update = await emu.send_message(
        forum, ANA, "/ask@essbot_test_bot Comment faire ?", thread_id=42
    )
    [reply] = await emu.wait_for_bot_messages(forum.id, after=msg_id(ignored))
    assert reply["reply_to_message"]["message_id"] == msg_id(update)  # not the other bot's
    assert got["args"] == ["Comment", "faire", "?"]
    assert reply["chat"] == forum.to_dict()  # the real chat: supergroup, title, is_forum
    assert (reply["message_thread_id"], reply["is_topic_message"]) == (42, True)

    group = Chat.group(2, "Atelier numérique")
    update = await emu.send_message(group, BOB, "🙂 Salut @essbot_test_bot, une question")
    assert update["message"]["entities"] == [{"type": "mention", "offset": 9, "length": 16}]
    [reply] = await emu.wait_for_bot_messages(group.id, after=msg_id(update))
    assert got["mentions"] == ["@essbot_test_bot"]
    assert (reply["chat"]["type"], reply["chat"]["title"]) == ("group", "Atelier numérique")


async def test_callback_query_and_keyboard_edit(run_bot, emu):
    seen = []
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("👍", callback_data="fb:+:42"),
                InlineKeyboardButton("👎", callback_data="fb:-:42"),
            ]
        ]
    )

    async def start(update, context):
        await update.message.reply_text("Cette réponse est-elle utile ?", reply_markup=keyboard)

    async def feedback(update, context):
        query = update.callback_query
        seen.append(query)
        await query.answer("Merci !")
        seen.append(await query.edit_message_reply_markup(reply_markup=None))

    await run_bot(
        lambda app: app.add_handlers(
            [CommandHandler("start", start), CallbackQueryHandler(feedback, pattern=r"^fb:")]
        )
    )
    chat = Chat.private(ANA)
    update = await emu.send_message(chat, ANA, "/start")
    [question] = await emu.wait_for_bot_messages(chat.id, after=msg_id(update))
    assert question["reply_markup"] == keyboard.to_dict()
    await emu.send_callback(chat, ANA, "fb:+:42", question)
    await until(lambda: len(seen) == 2)
    query, edited = seen
    assert query.chat_instance and query.data == "fb:+:42"
    assert query.message.message_id == question["message_id"]
    assert query.message.reply_markup == keyboard
    assert edited.reply_markup is None and recent(edited.edit_date)
    [now] = await emu.bot_messages(chat.id)
    assert "reply_markup" not in now  # clients see the edit
    [answer] = await emu.calls("answerCallbackQuery")
    assert answer["params"] == {"callback_query_id": query.id, "text": "Merci !"}


async def test_edit_and_delete(run_bot):
    bot = (await run_bot()).bot
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Sources", callback_data="src:1")]])
    placeholder = await bot.send_message(ANA.id, "🔎 Je cherche…", reply_markup=keyboard)
    assert placeholder.reply_markup == keyboard
    final = "<b>Réponse</b> : voir <a href='https://avise.org'>Avise</a> &amp; co"
    edited = await bot.edit_message_text(
        final, ANA.id, placeholder.message_id, parse_mode=ParseMode.HTML
    )
    assert edited.text == "Réponse : voir Avise & co"
    assert [(e.type, e.offset, e.length, e.url) for e in edited.entities] == [
        ("bold", 0, 7, None),
        ("text_link", 15, 5, "https://avise.org"),
    ]
    assert edited.reply_markup is None  # no keyboard sent with the edit: dropped
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            final, ANA.id, placeholder.message_id, parse_mode=ParseMode.HTML
        )
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", ANA.id, 987654)
    again = await bot.edit_message_reply_markup(
        ANA.id, placeholder.message_id, reply_markup=keyboard
    )
    assert again.reply_markup == keyboard and again.text == edited.text
    assert await bot.delete_message(ANA.id, placeholder.message_id) is True
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(ANA.id, placeholder.message_id)


async def test_inline_query_chosen_result_and_my_chat_member(run_bot, emu):
    events = []

    async def inline(update, context):
        content = InputTextMessageContent("<b>Réponse</b>", parse_mode=ParseMode.HTML)
        await update.inline_query.answer(
            [InlineQueryResultArticle("ans:7", "Réponse 7", content)],
            cache_time=0,
            is_personal=True,
        )

    async def chosen(update, context):
        events.append(("chosen", update.chosen_inline_result.result_id))

    async def member(update, context):
        events.append(
            ("member", update.my_chat_member.new_chat_member.status, update.effective_chat.title)
        )

    await run_bot(
        lambda app: app.add_handlers(
            [
                InlineQueryHandler(inline),
                ChosenInlineResultHandler(chosen),
                ChatMemberHandler(member, ChatMemberHandler.MY_CHAT_MEMBER),
            ]
        )
    )
    sent = await emu.send_inline_query(ANA, "ans:7")
    [call] = await emu.wait_for_calls("answerInlineQuery")
    assert call["ok"] and call["params"]["inline_query_id"] == sent["inline_query"]["id"]
    assert call["params"]["results"][0]["id"] == "ans:7"
    assert (call["params"]["cache_time"], call["params"]["is_personal"]) == (0, True)

    await emu.inject_update(
        {"chosen_inline_result": {"result_id": "ans:7", "from": ANA.to_dict(), "query": "ans:7"}}
    )
    me = {"id": emu.bot_id, "is_bot": True, "first_name": "ESS Bot", "username": "essbot_test_bot"}
    await emu.inject_update(
        {
            "my_chat_member": {
                "chat": Chat.group(3, "Réseau ESS").to_dict(),
                "from": ANA.to_dict(),
                "old_chat_member": {"status": "left", "user": me},
                "new_chat_member": {"status": "member", "user": me},
            }
        }
    )
    await until(lambda: len(events) == 2)
    assert events == [("chosen", "ans:7"), ("member", "member", "Réseau ESS")]


async def test_flood_limit_then_success_with_rate_limiter(run_bot, emu):
    async def echo(update, context):
        await update.message.reply_text("ok")

    await run_bot(
        lambda app: app.add_handler(MessageHandler(filters.TEXT, echo)),
        configure=lambda builder: builder.rate_limiter(AIORateLimiter(max_retries=2)),
    )
    await emu.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    chat = Chat.private(BOB)
    start = time.monotonic()
    update = await emu.send_message(chat, BOB, "question")
    [reply] = await emu.wait_for_bot_messages(chat.id, after=msg_id(update), timeout=10)
    assert reply["text"] == "ok" and time.monotonic() - start >= 1
    calls = await emu.calls("sendMessage")
    assert [c["ok"] for c in calls] == [False, True]
    assert calls[0]["error"] == {
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }


async def test_injected_errors_reach_the_bot(run_bot, emu):
    bot = (await run_bot()).bot
    await emu.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    with pytest.raises(RetryAfter) as flood:
        await bot.send_message(ANA.id, "x")
    assert flood.value.retry_after == dtm.timedelta(seconds=3)
    await emu.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user", count=2)
    for _ in range(2):
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(ANA.id, "x")
    assert (await bot.send_message(ANA.id, "x")).text == "x"  # only `count` calls fail
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(ANA.id, "x", reply_parameters=ReplyParameters(987654))
    lenient = ReplyParameters(987654, allow_sending_without_reply=True)
    assert (await bot.send_message(ANA.id, "x", reply_parameters=lenient)).reply_to_message is None


async def test_handler_errors_fail_the_test(emulator, emu, bot_token):
    async def answer(update, context):
        await update.message.reply_text("bonjour")

    setup = lambda app: app.add_handler(MessageHandler(filters.TEXT, answer))  # noqa: E731
    with pytest.raises(BotHandlerErrors) as errors:
        async with running_application(emulator, setup, token=bot_token):
            await emu.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
            await emu.send_message(Chat.private(ANA), ANA, "salut")
            await emu.wait_for_calls("sendMessage")
            await asyncio.sleep(0.1)
    [error] = errors.value.exceptions
    assert isinstance(error, Forbidden)


async def test_telegram_limits_give_400(run_bot):
    bot = (await run_bot()).bot
    assert await bot.send_message(ANA.id, "é" * 4096)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(ANA.id, "é" * 4097)
    # the limit applies after entity parsing: markup does not count
    assert await bot.send_message(ANA.id, f"<b>{'a' * 4096}</b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(ANA.id, "  ")
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(ANA.id, "<b>gras", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(ANA.id, "a < b", parse_mode=ParseMode.HTML)

    def button(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data=data)]])

    ok = await bot.send_message(ANA.id, "ok", reply_markup=button("é" * 32))  # 64 bytes
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(ANA.id, "ko", reply_markup=button("é" * 32 + "x"))  # 65 bytes
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.edit_message_reply_markup(ANA.id, ok.message_id, reply_markup=button("x" * 65))


async def test_long_polling_holds_and_wakes(run_bot, emu):
    handled = []

    async def record(update, context):
        handled.append(time.monotonic())

    await run_bot(
        lambda app: app.add_handler(MessageHandler(filters.TEXT, record)), poll_timeout=10
    )
    await asyncio.sleep(0.3)
    before = len(await emu.calls("getUpdates"))
    await asyncio.sleep(1.0)
    idle = len(await emu.calls("getUpdates")) - before
    assert idle <= 2, f"{idle} getUpdates calls in 1 s of idle: polling spins"
    sent = time.monotonic()
    await emu.send_message(Chat.private(ANA), ANA, "réveil")
    await until(lambda: handled)
    assert handled[0] - sent < 0.5  # the held request returns as soon as an update arrives


async def test_updates_are_never_lost(emulator, emu, bot_token):
    chat = Chat.private(ANA)
    for i in range(3):  # queued before any bot polls
        await emu.send_message(chat, ANA, f"m{i}")
    # Raw Bot API: unconfirmed updates come again; `offset` confirms them.
    async with httpx.AsyncClient(base_url=f"{emulator.base_url}{bot_token}/") as http:
        first = (await http.post("getUpdates", data={"timeout": "0"})).json()["result"]
        again = (await http.post("getUpdates", data={"limit": "2"})).json()["result"]
        assert [u["message"]["text"] for u in first] == ["m0", "m1", "m2"]
        assert again == first[:2] and all("botToken" not in u["message"] for u in first)
        rest = (
            await http.post("getUpdates", data={"offset": str(first[0]["update_id"] + 1)})
        ).json()
        assert [u["message"]["text"] for u in rest["result"]] == ["m1", "m2"]

    seen = []

    async def record(update, context):
        seen.append(update.message.text)

    setup = lambda app: app.add_handler(MessageHandler(filters.TEXT, record))  # noqa: E731
    async with running_application(emulator, setup, token=bot_token):
        await until(lambda: len(seen) == 2)
    await emu.send_message(chat, ANA, "m3")  # while no bot runs
    async with running_application(emulator, setup, token=bot_token):
        await until(lambda: len(seen) == 3)
        await emu.send_message(chat, ANA, "m4")  # the fence: a repeat would come before it
        await until(lambda: "m4" in seen)
    assert seen == ["m1", "m2", "m3", "m4"]  # nothing lost, nothing twice


async def test_default_allowed_updates_drop_chat_member(run_bot, emu):
    seen = []

    async def record(update, context):
        seen.append(update)

    await run_bot(lambda app: app.add_handler(TypeHandler(Update, record)))
    member = {"status": "member", "user": ANA.to_dict()}
    change = {"chat": Chat.group(4, "G").to_dict(), "from": BOB.to_dict()}
    change |= {"old_chat_member": member, "new_chat_member": member}
    await emu.inject_update({"chat_member": change})  # not asked for via allowed_updates
    await emu.send_message(Chat.private(ANA), ANA, "après")  # updates come in order
    await until(lambda: any(u.message is not None for u in seen))
    assert [u.message.text for u in seen] == ["après"]


async def test_documents_and_photos_are_multipart(run_bot, emu):
    bot = (await run_bot()).bot
    doc = await bot.send_document(
        ANA.id,
        document=b"%PDF-1.4 fake",
        filename="guide.pdf",
        caption="<b>Guide</b>",
        parse_mode="HTML",
    )
    assert (doc.document.file_name, doc.document.file_size, doc.document.mime_type) == (
        "guide.pdf",
        13,
        "application/pdf",
    )
    assert doc.caption == "Guide" and doc.caption_entities[0].type == "bold"
    photo = await bot.send_photo(ANA.id, photo=b"\x89PNG fake", caption="Schéma")
    assert photo.photo[-1].file_id and photo.caption == "Schéma"
    [call] = await emu.calls("sendDocument")
    assert call["params"]["document"] == {
        "filename": "guide.pdf",
        "mime_type": "application/pdf",
        "size": 13,
        "sha256": hashlib.sha256(b"%PDF-1.4 fake").hexdigest(),
    }


async def test_a_document_a_user_sends_can_be_downloaded(run_bot, emu):
    got = []

    async def fetch(update, context):
        file = await update.message.document.get_file()
        got.append((update.message.document.file_name, bytes(await file.download_as_bytearray())))

    bot = (
        await run_bot(lambda app: app.add_handler(MessageHandler(filters.Document.ALL, fetch)))
    ).bot
    data = b"%PDF-1.4 \x00\xff binary"
    document = await emu.upload_file(data, "compte rendu.pdf", "application/pdf")
    assert (document["file_name"], document["file_size"]) == ("compte rendu.pdf", len(data))
    await emu.send_document(Chat.private(ANA), ANA, document)
    await until(lambda: got)
    assert got == [("compte rendu.pdf", data)]
    [call] = await emu.calls("getFile")
    assert call["result"]["file_path"].endswith(".pdf") and "data" not in call["result"]
    with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
        await bot.get_file("inconnu")


async def test_other_methods_are_answered_and_recorded(run_bot, emu):
    bot = (await run_bot()).bot
    group = Chat.supergroup(7, "Réseau ESS")
    update = await emu.send_message(group, ANA, "coucou")  # the emulator learns the chat
    scope = BotCommandScopeAllGroupChats()
    commands = (BotCommand("question", "Poser une question"), BotCommand("aide", "Aide"))
    assert await bot.set_my_commands(commands, scope=scope, language_code="fr")
    assert await bot.get_my_commands(scope=scope, language_code="fr") == commands
    assert await bot.get_my_commands() == ()
    assert await bot.delete_my_commands(scope=scope, language_code="fr")
    assert await bot.get_my_commands(scope=scope, language_code="fr") == ()
    full = await bot.get_chat(group.id)
    assert (full.title, full.type) == ("Réseau ESS", "supergroup")
    member = await bot.get_chat_member(group.id, ANA.id)
    assert (member.status, member.user.first_name) == ("member", "Ana")
    await emu.respond_next(
        "getChatMember", {"status": "creator", "user": ANA.to_dict(), "is_anonymous": False}
    )
    assert (await bot.get_chat_member(group.id, ANA.id)).status == "creator"
    assert await bot.set_message_reaction(group.id, msg_id(update), ReactionTypeEmoji("👀"))
    assert await bot.set_chat_menu_button(menu_button=MenuButtonCommands())
    assert await bot.leave_chat(group.id)
    assert await bot.log_out()
    assert await bot.close()
    [reaction] = await emu.calls("setMessageReaction")
    assert reaction["params"]["reaction"] == [{"type": "emoji", "emoji": "👀"}]
    with pytest.raises(BadRequest, match="Wrong parameter action"):
        await bot.send_chat_action(group.id, "dancing")
    methods = {c["method"] for c in await emu.calls()}
    assert {
        "setMyCommands",
        "getMyCommands",
        "deleteMyCommands",
        "getChat",
        "getChatMember",
    } <= methods
    assert {
        "setChatMenuButton",
        "leaveChat",
        "logOut",
        "close",
        "deleteWebhook",
        "getUpdates",
    } <= methods


async def test_webhook_delivery_with_secret_token(run_bot, emu):
    async def echo(update, context):
        await update.message.reply_text("via webhook")

    await run_bot(
        lambda app: app.add_handler(MessageHandler(filters.TEXT, echo)),
        webhook=True,
        secret_token="s3cr3t",  # noqa: S106
    )
    [set_webhook] = await emu.calls("setWebhook")
    assert set_webhook["params"]["secret_token"] == "s3cr3t"  # noqa: S105
    chat = Chat.private(BOB)
    for text in ("un", "deux"):  # PTB answers 403 without the header: the reply proves it
        update = await emu.send_message(chat, BOB, text)
        [reply] = await emu.wait_for_bot_messages(chat.id, after=msg_id(update))
        assert reply["text"] == "via webhook"


def test_sync_helpers_and_library_client_routes(emulator):
    client = emulator.for_token(emulator.new_token())
    chat = Chat.supergroup(9, "Sync")
    update = client.send_message(chat, ANA, "/aide")
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 5}]
    client.fail_next("sendMessage", 400, "Bad Request: message to be replied not found")
    bot_api = f"{emulator.base_url}{client.token}"
    reply = {"chat_id": chat.id, "text": "x", "reply_to_message_id": msg_id(update)}
    assert httpx.post(f"{bot_api}/sendMessage", data=reply).status_code == 400
    sent = httpx.post(f"{bot_api}/sendMessage", data=reply).json()["result"]
    assert sent["reply_to_message"]["text"] == "/aide" and sent["chat"]["title"] == "Sync"
    assert client.bot_messages(chat.id) == [sent]
    assert [c["ok"] for c in client.calls("sendmessage")] == [False, True]  # case-insensitive
    # the library's own client route also goes through the fixed update path
    legacy = {"botToken": client.token, "from": BOB.to_dict(), "chat": chat.to_dict(), "text": "hé"}
    httpx.post(f"{emulator.url}/sendMessage", json=legacy)
    updates = httpx.post(f"{bot_api}/getUpdates").json()["result"]
    assert [u["message"]["text"] for u in updates] == ["/aide", "hé"]
    assert "botToken" not in updates[1]["message"] and updates[1]["message"]["date"] < 10**10
    client.reset()
    assert client.calls() == [] and client.messages(chat.id) == []


def test_missing_install_is_explained(monkeypatch, tmp_path):
    monkeypatch.setattr(emulator_module, "EMULATOR_DIR", tmp_path)
    with pytest.raises(EmulatorError, match="make install"):
        Emulator().start()


def test_echo_benchmark_smoke(emulator):
    result = run_echo_benchmark(emulator, members=4, questions_each=3)
    assert (result["questions"], result["answered"], result["failed"]) == (12, 12, 0)
    assert result["answers_per_s"] > 5 and 0 < result["latency_p95_ms"] < 2000
    assert result["bot_api_calls"]["sendChatAction"] == result["bot_api_calls"]["sendMessage"] == 12
