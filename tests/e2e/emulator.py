"""Python side of the Bot API emulator (``tests/e2e/emulator/launcher.js``).

``Emulator`` starts ``node launcher.js`` on a free port of 127.0.0.1 and plays the Telegram
users: it injects updates (messages with their entities, button presses, inline queries, any
raw update), reads what the bot sent, the recorded Bot API calls, and injects faults.

Every helper exists in a sync flavour (``Emulator``, usable from any thread) and an async one
(``emulator.async_client(token)``, bound to the running event loop: use it from async tests
where the bot runs in the same loop, since a blocking wait would freeze the bot).

Each bot token has its own state in the emulator, so give each test its own token
(``emulator.new_token()``) rather than resetting a shared one.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import os
import queue
import re
import secrets
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from telegram.ext import Application

EMULATOR_DIR = Path(__file__).parent / "emulator"
LAUNCHER = EMULATOR_DIR / "launcher.js"
DEFAULT_BOT_USERNAME = "essbot_test_bot"
DEFAULT_TOKEN = "123456789:TEST-essbot-token"  # noqa: S105 (a fake token)


class EmulatorError(RuntimeError):
    """The emulator could not be started or answered an error."""


# ----------------------------------------------------------------------------- users and chats
@dataclass(frozen=True)
class User:
    id: int
    first_name: str = "Camille"
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "fr"
    is_bot: bool = False

    def to_dict(self) -> dict[str, Any]:
        data = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data


@dataclass(frozen=True)
class Chat:
    id: int
    type: str = "private"  # private | group | supergroup | channel
    title: str | None = None
    first_name: str | None = None
    username: str | None = None
    is_forum: bool = False

    @classmethod
    def private(cls, user: User) -> Chat:
        return cls(id=user.id, type="private", first_name=user.first_name, username=user.username)

    @classmethod
    def group(cls, id: int, title: str = "Groupe de test") -> Chat:
        return cls(id=-abs(id), type="group", title=title)

    @classmethod
    def supergroup(cls, id: int, title: str = "Incubateur ESS", is_forum: bool = False) -> Chat:
        return cls(id=-(10**12 + abs(id)), type="supergroup", title=title, is_forum=is_forum)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        for key in ("title", "first_name", "username"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        if self.is_forum:
            data["is_forum"] = True
        return data


# ----------------------------------------------------------------------------- entities
_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w@])")
_MENTION = re.compile(r"(?<![\w@/])@[A-Za-z][A-Za-z0-9_]{3,31}(?!\w)")
_URL = re.compile(r"\bhttps?://[^\s<>\"']+")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def compute_entities(text: str) -> list[dict[str, Any]]:
    """The ``bot_command``, ``mention`` and ``url`` entities Telegram would attach to ``text``,
    with offsets and lengths in UTF-16 code units."""
    found: list[tuple[int, int, str]] = []
    for kind, pattern in (("bot_command", _COMMAND), ("url", _URL), ("mention", _MENTION)):
        for m in pattern.finditer(text):
            if all(m.end() <= s or m.start() >= e for s, e, _ in found):
                found.append((m.start(), m.end(), kind))
    return [
        {"type": kind, "offset": utf16_len(text[:s]), "length": utf16_len(text[s:e])}
        for s, e, kind in sorted(found)
    ]


def _message_id(message: int | dict[str, Any] | Any) -> int:
    if isinstance(message, int):
        return message
    if isinstance(message, dict):
        return int(message["message_id"])
    return int(message.message_id)  # a telegram.Message


# ----------------------------------------------------------------------------- client API
_token_counter = itertools.count(1)


class _Api:
    """The helpers, written once: ``_call`` returns the value (sync) or a coroutine (async)."""

    token: str

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        raise NotImplementedError

    @property
    def bot_id(self) -> int:
        return int(self.token.split(":")[0])

    def inject_update(self, update: dict[str, Any]) -> Any:
        """Queue any raw update (inline_query, chosen_inline_result, my_chat_member, a message
        with entities...); missing update_id, message_id, date, callback/inline query id and
        chat_instance are filled in, a ``{"message_id", "chat": {"id"}}`` stub of a stored
        message is completed. Returns the update as queued. It must otherwise be valid Bot API
        JSON: PTB rejects a whole getUpdates batch it cannot parse."""
        return self._call("POST", "update", json=update)

    def send_message(
        self,
        chat: Chat,
        user: User,
        text: str,
        entities: list[dict[str, Any]] | None = None,
        reply_to: int | dict[str, Any] | Any | None = None,
        thread_id: int | None = None,
        **fields: Any,
    ) -> Any:
        """``user`` writes ``text`` in ``chat``. Entities are computed unless given. Returns the
        update (``result["message"]["message_id"]`` is the new message id)."""
        message: dict[str, Any] = {"chat": chat.to_dict(), "from": user.to_dict(), "text": text}
        entities = compute_entities(text) if entities is None else entities
        if entities:
            message["entities"] = entities
        if reply_to is not None:  # completed by the emulator from the stored message
            message["reply_to_message"] = {
                "message_id": _message_id(reply_to),
                "chat": {"id": chat.id},
            }
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            if chat.is_forum:
                message["is_topic_message"] = True
        message.update(fields)
        return self.inject_update({"message": message})

    def send_callback(
        self, chat: Chat, user: User, data: str, message: int | dict[str, Any] | Any
    ) -> Any:
        """``user`` presses the button with ``data`` under the bot's ``message`` (id or dict)."""
        stub = {"message_id": _message_id(message), "chat": {"id": chat.id}}
        return self.inject_update(
            {"callback_query": {"from": user.to_dict(), "message": stub, "data": data}}
        )

    def upload_file(
        self, data: bytes, filename: str, mime_type: str = "application/octet-stream"
    ) -> Any:
        """Store a file a user is about to send; returns the ``Document`` to put in a message
        (the bot can then ``getFile`` it and download it)."""
        params = {"filename": filename, "mime_type": mime_type}
        headers = {"content-type": "application/octet-stream"}
        return self._call("POST", "file", params=params, content=data, headers=headers)

    def send_document(
        self, chat: Chat, user: User, document: dict[str, Any], caption: str | None = None
    ) -> Any:
        """``user`` sends a document (from ``upload_file``) in ``chat``; returns the update."""
        message: dict[str, Any] = {
            "chat": chat.to_dict(),
            "from": user.to_dict(),
            "document": document,
        }
        if caption:
            message["caption"] = caption
        return self.inject_update({"message": message})

    def send_inline_query(self, user: User, query: str, chat_type: str | None = "sender") -> Any:
        inline: dict[str, Any] = {"from": user.to_dict(), "query": query}
        if chat_type:
            inline["chat_type"] = chat_type
        return self.inject_update({"inline_query": inline})

    def messages(self, chat_id: int, *, only_bot: bool = False, after: int = 0) -> Any:
        """The chat's current messages, oldest first (edits applied, deleted ones gone)."""
        params = {"chat_id": chat_id, "bot": int(only_bot), "after": after}
        return self._call("GET", "messages", params=params)

    def bot_messages(self, chat_id: int, *, after: int = 0) -> Any:
        return self.messages(chat_id, only_bot=True, after=after)

    def calls(self, method: str | None = None) -> Any:
        """Recorded Bot API calls: ``{method, params, ok, result | error, time}``."""
        return self._call("GET", "calls", params={"method": method} if method else {})

    def reset(self) -> Any:
        """Forget this token's calls, faults, messages, pending updates and commands."""
        return self._call("POST", "reset")

    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        count: int = 1,
    ) -> Any:
        """The next ``count`` calls of ``method`` fail, e.g. ``(429, "Too Many Requests: retry
        after 1", retry_after=1)`` or ``(403, "Forbidden: bot was blocked by the user")``."""
        body: dict[str, Any] = {"method": method, "count": count, "error_code": error_code}
        body["description"] = description
        if retry_after is not None:
            body["retry_after"] = retry_after
        return self._call("POST", "override", json=body)

    def respond_next(self, method: str, result: Any, count: int = 1) -> Any:
        """The next ``count`` calls of ``method`` answer ``result`` (e.g. an admin ChatMember)."""
        return self._call(
            "POST", "override", json={"method": method, "count": count, "result": result}
        )

    def set_me(self, **fields: Any) -> Any:
        """Change what getMe answers for this token (username, first_name, ...)."""
        return self._call("POST", "me", json=fields)

    def _wait_params(self, chat_id: int, count: int, timeout: float, after: int) -> dict[str, Any]:
        return {"chat_id": chat_id, "bot": 1, "after": after, "count": count, "wait": timeout}


def _unwrap(response: httpx.Response) -> Any:
    data = response.json()
    if not data.get("ok"):
        raise EmulatorError(f"emulator: {data.get('description', data)}")
    return data["result"]


def _too_few(chat_id: int, count: int, got: list[Any], timeout: float) -> AssertionError:
    texts = [m.get("text", m.get("caption")) for m in got]
    return AssertionError(
        f"expected {count} bot message(s) in chat {chat_id} within {timeout}s, got {texts}"
    )


class AsyncEmulatorClient(_Api):
    """Async helpers for one bot token; ``async with`` it (or ``await aclose()``)."""

    def __init__(self, url: str, token: str) -> None:
        self.token = token
        limits = httpx.Limits(max_connections=1000, max_keepalive_connections=100)
        self._http = httpx.AsyncClient(base_url=f"{url}/_emu/{token}/", timeout=70, limits=limits)

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        return _unwrap(await self._http.request(method, path, **kwargs))

    async def wait_for_bot_messages(
        self, chat_id: int, count: int = 1, timeout: float = 5.0, *, after: int = 0
    ) -> list[dict[str, Any]]:
        """Wait (long-poll, no busy loop) until the bot has ``count`` messages in the chat
        (newer than message id ``after``); returns them all, or raises AssertionError."""
        got = await self._call(
            "GET", "messages", params=self._wait_params(chat_id, count, timeout, after)
        )
        if len(got) < count:
            raise _too_few(chat_id, count, got, timeout)
        return got

    async def wait_for_calls(
        self, method: str, count: int = 1, timeout: float = 5.0
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(found := await self.calls(method)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"expected {count} {method} call(s) within {timeout}s, got {len(found)}"
                )
            await asyncio.sleep(0.02)
        return found

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncEmulatorClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class Emulator(_Api):
    """Runs ``node launcher.js`` and offers the sync helpers for ``self.token``."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_username: str = DEFAULT_BOT_USERNAME,
        startup_timeout: float = 15.0,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.startup_timeout = startup_timeout
        self.port: int | None = None
        self._proc: subprocess.Popen[str] | None = None
        self._http: httpx.Client | None = None
        self._stderr: list[str] = []
        self._threads: list[threading.Thread] = []

    # -- process
    def start(self) -> Emulator:
        node = os.environ.get("NODE") or shutil.which("node")
        if not node:
            raise EmulatorError(
                "node is not installed (Node.js 20 is needed for the Bot API emulator)"
            )
        if not (EMULATOR_DIR / "node_modules" / "telegram-test-api").is_dir():
            raise EmulatorError(
                f"{EMULATOR_DIR}/node_modules is missing: run `make install` "
                "(or `cd tests/e2e/emulator && npm ci`)"
            )
        cmd = [node, str(LAUNCHER), "--port", "0", "--username", self.bot_username, "--watch-stdin"]
        self._proc = subprocess.Popen(  # noqa: S603 (our own launcher)
            cmd,
            cwd=EMULATOR_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        lines: queue.Queue[str | None] = queue.Queue()
        self._pump(self._proc.stdout, lines.put, end_marker=True)
        self._pump(self._proc.stderr, self._stderr.append)
        deadline = time.monotonic() + self.startup_timeout
        while self.port is None:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                line = None
            if line is None:  # EOF or timeout
                self.close()
                raise EmulatorError(f"the emulator did not start: {''.join(self._stderr[-20:])}")
            if line.startswith("READY "):
                self.port = int(line.split()[1])
        self._http = httpx.Client(base_url=f"{self.url}/_emu/{self.token}/", timeout=70)
        return self

    def _pump(self, stream: Any, sink: Callable[[Any], None], end_marker: bool = False) -> None:
        """Drain a pipe in a thread (so the launcher never blocks on a full pipe)."""

        def run() -> None:
            for line in stream:
                sink(line)
            if end_marker:
                sink(None)

        thread = threading.Thread(target=run, daemon=True, name="emulator-pipe")
        thread.start()
        self._threads.append(thread)

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin:
            with contextlib.suppress(OSError):
                proc.stdin.close()  # --watch-stdin: the launcher exits on EOF
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        for thread in self._threads:
            thread.join(timeout=5)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- addresses
    @property
    def url(self) -> str:
        if self.port is None:
            raise EmulatorError("the emulator is not started")
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)`` (the token is appended by PTB)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    def new_token(self) -> str:
        """A fresh token (fresh emulator state), ``<bot id>:TEST-<n>``."""
        n = next(_token_counter)
        return f"{6_000_000_000 + n}:TEST-e2e-{secrets.token_hex(4)}"

    def async_client(self, token: str | None = None) -> AsyncEmulatorClient:
        return AsyncEmulatorClient(self.url, token or self.token)

    def for_token(self, token: str) -> _SyncClient:
        """Sync helpers for another token (same emulator process)."""
        return _SyncClient(self, token)

    # -- sync transport
    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        if self._http is None:
            raise EmulatorError("the emulator is not started")
        return _unwrap(self._http.request(method, path, **kwargs))

    def wait_for_bot_messages(
        self, chat_id: int, count: int = 1, timeout: float = 5.0, *, after: int = 0
    ) -> list[dict[str, Any]]:
        """Blocking wait: only when the bot runs in another thread or process."""
        got = self._call(
            "GET", "messages", params=self._wait_params(chat_id, count, timeout, after)
        )
        if len(got) < count:
            raise _too_few(chat_id, count, got, timeout)
        return got


class _SyncClient(_Api):
    def __init__(self, emulator: Emulator, token: str) -> None:
        self.token, self._emulator = token, emulator

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        url = f"{self._emulator.url}/_emu/{self.token}/{path}"
        return _unwrap(httpx.request(method, url, timeout=70, **kwargs))


# ----------------------------------------------------------------------------- running a bot
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BotHandlerErrors(ExceptionGroup):
    """Exceptions raised by handlers while the bot ran (PTB would only log them)."""


@contextlib.asynccontextmanager
async def running_application(  # noqa: PLR0912
    emulator: Emulator,
    setup: Callable[[Any], Awaitable[Any] | Any] | None = None,
    *,
    token: str | None = None,
    application: Any = None,
    configure: Callable[[Any], Any] | None = None,
    poll_timeout: int = 10,
    allowed_updates: list[str] | None = None,
    drop_pending_updates: bool = False,
    webhook: bool = False,
    secret_token: str | None = None,
    check_errors: bool = True,
) -> AsyncIterator[Any]:
    """Run a PTB ``Application`` against the emulator in the current event loop: long polling,
    or with ``webhook=True`` PTB's webhook server on a free 127.0.0.1 port (the emulator then
    POSTs updates with the ``X-Telegram-Bot-Api-Secret-Token`` header).

    ``setup(app)`` (sync or async) registers the handlers. ``configure(builder)`` may tweak the
    builder (rate limiter, defaults, concurrent_updates...) and return it. Or pass a ready
    ``application`` (it must already point at ``emulator.base_url``). The sequence is the one of
    ``run_polling``: initialize, post_init, start_polling, start ... stop, post_stop, shutdown,
    post_shutdown. If ``check_errors``, exceptions from handlers (with no error handler of the
    application's own) are raised at exit as ``BotHandlerErrors``.
    """
    if application is None:
        builder = (
            Application.builder()
            .token(token or emulator.token)
            .base_url(emulator.base_url)
            .base_file_url(emulator.base_file_url)
        )
        if configure is not None:
            builder = configure(builder) or builder
        application = builder.build()
    errors: list[BaseException] = []
    if not application.error_handlers:

        async def collect(_update: object, context: Any) -> None:
            errors.append(context.error)

        application.add_error_handler(collect)
    if setup is not None and inspect.isawaitable(result := setup(application)):
        await result
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        if webhook:
            port = free_port()
            await application.updater.start_webhook(
                listen="127.0.0.1",
                port=port,
                url_path="telegram",
                webhook_url=f"http://127.0.0.1:{port}/telegram",
                secret_token=secret_token or secrets.token_urlsafe(16),
                allowed_updates=allowed_updates,
                drop_pending_updates=drop_pending_updates,
            )
        else:
            await application.updater.start_polling(
                poll_interval=0,
                timeout=poll_timeout,
                allowed_updates=allowed_updates,
                drop_pending_updates=drop_pending_updates,
                # as run_polling does: failed polls go to the application's error handlers
                error_callback=lambda exc: application.create_task(
                    application.process_error(error=exc, update=None)
                ),
            )
        await application.start()
        yield application
    finally:
        if application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
            if application.post_stop:
                await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)
    if errors and check_errors:
        raise BotHandlerErrors(
            "errors in bot handlers", [e for e in errors if isinstance(e, Exception)]
        )
