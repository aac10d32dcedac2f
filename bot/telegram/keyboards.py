"""Inline keyboards and their callback data (at most 64 bytes, e.g. `fb:up:<answer token>`).

Buttons, share queries and deep links carry the answer's random token, never its sequential id.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    SwitchInlineQueryChosenChat,
)
from telegram.helpers import create_deep_linked_url

from bot.assistant.replies import Votes
from bot.telegram import texts
from bot.telegram.answer_messages import SOURCES_SHOWN
from bot.telegram.catalogue_messages import Theme, theme_label
from bot.telegram.html import safe_url, truncate
from indexing.models import Source

SHARE_PREFIX: Final = "ans:"  # the inline query a 📤 Partager button fills in
START_FROM_INLINE: Final = "inline"
START_FROM_CARD: Final = "carte"
START_ANSWER_PREFIX: Final = "r_"  # /start r_<token>: open that answer in a private chat
CALLBACK_PATTERN: Final = r"^(fb|more|noop)(:|$)"
SOURCES_PREFIX: Final = "src:"  # src:<theme key>, or src:menu for the list of themes
SOURCES_MENU: Final = "src:menu"
SOURCES_PATTERN: Final = r"^src:[0-9a-z]{1,16}$"
FORGET_YES: Final = "forget:yes"
FORGET_NO: Final = "forget:no"
FORGET_PATTERN: Final = r"^forget:(yes|no)$"
DOCUMENT_PATTERN: Final = r"^doc:"
ESCALATE_PREFIX: Final = "esc:"  # esc:<answer token>
NOTIFY_PREFIX: Final = "notify:"  # notify:<answer token>
ESCALATE_PATTERN: Final = r"^esc:"  # any, so an old numeric press hears the answer is gone
NOTIFY_PATTERN: Final = r"^notify:"
ADD_PREFIX: Final = "addkb:"  # addkb:<request id>, pressed by the team only
TEAM_VOTE_PATTERN: Final = r"^tv:(up|down):\d{1,18}$"  # tv:up:<request id>, by its member only
_ID = r"\d{1,18}$"
_ANSWER_REF = r"[A-Za-z0-9_-]{8,32}"
_CALLBACK = re.compile(rf"^(?:fb:(up|down|why:(hs|inc|lien|autre)):|more:)({_ANSWER_REF})$")
_DOCUMENT = re.compile(rf"^doc:({_ANSWER_REF}):(\d{{1,2}})$")
_TOKEN_ONLY = re.compile(rf"^{_ANSWER_REF}$")
_VOTE_COUNT = re.compile(r"(\d+)$")

FeedbackState = Literal["ask", "reasons", "done"]


@dataclass(frozen=True)
class Callback:
    """A parsed button press."""

    action: Literal["up", "down", "why", "more"]
    token: str
    reason: str | None = None


def parse_callback(data: str | None) -> Callback | None:
    """The button behind callback data, or None for anything else (noop, stale formats)."""
    match = _CALLBACK.match(data or "")
    if not match:
        return None
    kind, reason, token = match.groups()
    if kind is None:
        return Callback("more", token)
    if reason is not None:
        return Callback("why", token, reason)
    return Callback("up" if kind == "up" else "down", token)


def document_callback(token: str, rank: int) -> str:
    """The callback data of "📎 Le document" for the answer's `rank`-th source (from 1)."""
    return f"doc:{token}:{rank}"


def parse_document_callback(data: str | None) -> tuple[str, int] | None:
    """(answer token, source rank) of a document button, or None for anything else."""
    match = _DOCUMENT.match(data or "")
    return (match.group(1), int(match.group(2))) if match else None


def prefix_pattern(prefix: str) -> str:
    """The callback pattern of a button `<prefix><request id>`."""
    return f"^{re.escape(prefix)}{_ID}"


def parse_id(data: str | None, prefix: str) -> int | None:
    """The request id of a `<prefix><id>` button, or None."""
    match = re.match(prefix_pattern(prefix), data or "")
    return int((data or "")[len(prefix) :]) if match else None


def token_pattern(prefix: str) -> str:
    """The callback pattern of a button `<prefix><answer token>`."""
    return f"^{re.escape(prefix)}{_ANSWER_REF}$"


def parse_token(data: str | None, prefix: str) -> str | None:
    """The answer token of a `<prefix><token>` button, or None (old numeric ids included)."""
    match = re.match(token_pattern(prefix), data or "")
    return (data or "")[len(prefix) :] if match else None


def parse_team_vote(data: str | None) -> tuple[int, bool] | None:
    """(request id, 👍) of a vote on a team answer, or None."""
    match = re.match(TEAM_VOTE_PATTERN, data or "")
    if not match:
        return None
    return int((data or "").rsplit(":", 1)[1]), match.group(1) == "up"


def share_query(token: str) -> str:
    """The inline query of the share button."""
    return f"{SHARE_PREFIX}{token}"


def parse_share_query(query: str) -> str | None:
    """The answer token of a share query, if it is one."""
    rest = query.strip().removeprefix(SHARE_PREFIX)
    if rest == query.strip() or not _TOKEN_ONLY.match(rest):
        return None
    return rest


def start_payload(token: str) -> str:
    """The /start payload of a deep link that opens an answer in a private chat."""
    return f"{START_ANSWER_PREFIX}{token}"


def parse_start_payload(payload: str) -> str | None:
    """The answer token of a /start payload, if it is one."""
    rest = payload.removeprefix(START_ANSWER_PREFIX)
    if rest == payload or not _TOKEN_ONLY.match(rest):
        return None
    return rest


def _vote_label(label: str, count: int) -> str:
    return f"{label} {count}" if count else label


def answer_keyboard(
    token: str,
    *,
    feedback: FeedbackState = "ask",
    more: bool = True,
    share: bool = True,
    votes: Votes | None = None,
    documents: Sequence[int] = (),
    escalate: bool = False,
    notify: bool = False,
) -> InlineKeyboardMarkup:
    """The buttons under an answer, in the given feedback state; in a group the vote buttons
    stay for every member and show the counts (`votes`); `documents`: the ranks of the cited
    files the bot can send; "ask the team" and "tell me" under an answer the base could not
    give (private chats only)."""
    rows: list[list[InlineKeyboardButton]] = []
    if feedback == "ask":
        up, down = (votes.up, votes.down) if votes else (0, 0)
        rows.append(
            [
                InlineKeyboardButton(
                    _vote_label(texts.BUTTON_UP, up), callback_data=f"fb:up:{token}"
                ),
                InlineKeyboardButton(
                    _vote_label(texts.BUTTON_DOWN, down), callback_data=f"fb:down:{token}"
                ),
            ]
        )
    elif feedback == "reasons":
        buttons = [
            InlineKeyboardButton(label, callback_data=f"fb:why:{code}:{token}")
            for code, label in texts.REASONS.items()
        ]
        rows += [buttons[:2], buttons[2:]]
    else:
        rows.append([InlineKeyboardButton(texts.BUTTON_THANKS, callback_data="noop")])
    actions: list[InlineKeyboardButton] = []
    if share:
        chosen = SwitchInlineQueryChosenChat(query=share_query(token), allow_group_chats=True)
        actions.append(
            InlineKeyboardButton(texts.BUTTON_SHARE, switch_inline_query_chosen_chat=chosen)
        )
    if more:
        actions.append(InlineKeyboardButton(texts.BUTTON_MORE, callback_data=f"more:{token}"))
    if actions:
        rows.append(actions)
    if documents:
        rows.append(
            [
                InlineKeyboardButton(
                    texts.BUTTON_DOCUMENT
                    if len(documents) == 1
                    else texts.BUTTON_DOCUMENT_N.format(rank=rank),
                    callback_data=document_callback(token, rank),
                )
                for rank in documents
            ]
        )
    help_row: list[InlineKeyboardButton] = []
    if escalate:
        data = f"{ESCALATE_PREFIX}{token}"
        help_row.append(InlineKeyboardButton(texts.BUTTON_ESCALATE, callback_data=data))
    if notify:
        data = f"{NOTIFY_PREFIX}{token}"
        help_row.append(InlineKeyboardButton(texts.BUTTON_NOTIFY, callback_data=data))
    if help_row:
        rows.append(help_row)
    return InlineKeyboardMarkup(rows)


@dataclass(frozen=True)
class KeyboardState:
    """What a message's current answer keyboard offers, read back from the message."""

    feedback: FeedbackState
    share: bool
    more: bool
    votes: Votes | None = None
    documents: tuple[int, ...] = ()
    escalate: bool = False
    notify: bool = False


def keyboard_state(markup: InlineKeyboardMarkup | None) -> KeyboardState:
    """The state of an answer keyboard, so an edit changes one part and keeps the others."""
    buttons = [b for row in (markup.inline_keyboard if markup else ()) for b in row]
    data = [b.callback_data for b in buttons if isinstance(b.callback_data, str)]
    feedback: FeedbackState = "done"
    if any(d.startswith("fb:up:") for d in data):
        feedback = "ask"
    elif any(d.startswith("fb:why:") for d in data):
        feedback = "reasons"
    return KeyboardState(
        feedback=feedback,
        share=any(b.switch_inline_query_chosen_chat is not None for b in buttons),
        more=any(d.startswith("more:") for d in data),
        votes=_votes_shown(buttons),
        documents=tuple(p[1] for d in data if (p := parse_document_callback(d))),
        escalate=any(d.startswith(ESCALATE_PREFIX) for d in data),
        notify=any(d.startswith(NOTIFY_PREFIX) for d in data),
    )


def _votes_shown(buttons: list[InlineKeyboardButton]) -> Votes | None:
    """The counts the vote buttons show (a group answer), if any."""
    counts = {}
    for button in buttons:
        data = button.callback_data if isinstance(button.callback_data, str) else ""
        if data.startswith(("fb:up:", "fb:down:")):
            match = _VOTE_COUNT.search(button.text)
            counts[data.split(":")[1]] = int(match.group(1)) if match else 0
    if not any(counts.values()):
        return None
    return Votes(counts.get("up", 0), counts.get("down", 0))


def card_keyboard(
    sources: Sequence[Source], bot_username: str, token: str | None = None
) -> InlineKeyboardMarkup:
    """Under a shared card: links to the first sources, and a deep link that opens this
    answer in a private chat with the bot (or, without a token, just the private chat)."""
    rows = [
        [InlineKeyboardButton(truncate(f"📄 {s.title}", 60), url=url)]
        for s in sources[:SOURCES_SHOWN]
        if (url := safe_url(s.link)) and not url.startswith("tg:")
    ]
    payload = start_payload(token) if token else START_FROM_CARD
    deep_link = create_deep_linked_url(bot_username, payload)
    label = texts.BUTTON_CONTINUE_PRIVATE if token else texts.BUTTON_ASK_BOT
    rows.append([InlineKeyboardButton(label, url=deep_link)])
    return InlineKeyboardMarkup(rows)


def forget_keyboard() -> InlineKeyboardMarkup:
    """The confirmation of /oubli."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(texts.FORGET_YES, callback_data=FORGET_YES)],
            [InlineKeyboardButton(texts.FORGET_NO, callback_data=FORGET_NO)],
        ]
    )


def team_answer_keyboard(escalation_id: int, *, voted: bool = False) -> InlineKeyboardMarkup:
    """Under a team answer relayed to the member: 👍 / 👎, then a thank-you."""
    if voted:
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton(texts.BUTTON_THANKS, callback_data="noop")]]
        )
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts.BUTTON_UP, callback_data=f"tv:up:{escalation_id}"),
                InlineKeyboardButton(texts.BUTTON_DOWN, callback_data=f"tv:down:{escalation_id}"),
            ]
        ]
    )


def add_to_base_keyboard(escalation_id: int) -> InlineKeyboardMarkup:
    """Under the team's relayed answer, on the team's side."""
    data = f"{ADD_PREFIX}{escalation_id}"
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.BUTTON_ADD_TO_BASE, callback_data=data)]]
    )


def themes_keyboard(themes: Sequence[Theme]) -> InlineKeyboardMarkup:
    """/sources: one button per theme, with its number of documents."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(theme_label(t), callback_data=f"{SOURCES_PREFIX}{t.key}")]
            for t in themes
        ]
    )


def theme_back_keyboard() -> InlineKeyboardMarkup:
    """Under the documents of a theme: back to the list of themes."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.CATALOGUE_BACK, callback_data=SOURCES_MENU)]]
    )
