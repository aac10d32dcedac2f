"""Inline keyboards and their callback data (at most 64 bytes, e.g. `fb:up:<answer id>`)."""

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

from bot.telegram import texts
from bot.telegram.answer_messages import SOURCES_SHOWN
from bot.telegram.html import safe_url, truncate
from indexing.models import Source

SHARE_PREFIX: Final = "ans:"  # the inline query a 📤 Partager button fills in
START_FROM_INLINE: Final = "inline"
START_FROM_CARD: Final = "carte"
FORGET_YES: Final = "forget:yes"
FORGET_NO: Final = "forget:no"
FORGET_PATTERN: Final = r"^forget:(yes|no)$"
DOCUMENT_PATTERN: Final = r"^doc:"
_DOCUMENT = re.compile(r"^doc:(\d{1,18}):(\d{1,2})$")
ESCALATE_PREFIX: Final = "esc:"
NOTIFY_PREFIX: Final = "notify:"
ADD_PREFIX: Final = "addkb:"
TEAM_VOTE_PATTERN: Final = r"^tv:(up|down):\d{1,18}$"
_ID = r"\d{1,18}$"
_CALLBACK = re.compile(r"^(?:fb:(up|down|why:(hs|inc|lien|autre)):|more:)(\d{1,18})$")

FeedbackState = Literal["ask", "reasons", "done"]


@dataclass(frozen=True)
class Callback:
    """A parsed button press."""

    action: Literal["up", "down", "why", "more"]
    answer_id: int
    reason: str | None = None


def parse_callback(data: str | None) -> Callback | None:
    """The button behind callback data, or None for anything else (noop, stale formats)."""
    match = _CALLBACK.match(data or "")
    if not match:
        return None
    kind, reason, answer_id = match.groups()
    if kind is None:
        return Callback("more", int(answer_id))
    if reason is not None:
        return Callback("why", int(answer_id), reason)
    return Callback("up" if kind == "up" else "down", int(answer_id))


def document_callback(answer_id: int, rank: int) -> str:
    """The callback data of "📎 Le document" for the answer's `rank`-th source (from 1)."""
    return f"doc:{answer_id}:{rank}"


def parse_document_callback(data: str | None) -> tuple[int, int] | None:
    """(answer id, source rank) of a document button, or None for anything else."""
    match = _DOCUMENT.match(data or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def prefix_pattern(prefix: str) -> str:
    """The callback pattern of a button `<prefix><id>`."""
    return f"^{re.escape(prefix)}{_ID}"


def parse_id(data: str | None, prefix: str) -> int | None:
    """The id of a `<prefix><id>` button, or None."""
    match = re.match(prefix_pattern(prefix), data or "")
    return int((data or "")[len(prefix) :]) if match else None


def parse_team_vote(data: str | None) -> tuple[int, bool] | None:
    """(request id, 👍) of a vote on a team answer, or None."""
    match = re.match(TEAM_VOTE_PATTERN, data or "")
    if not match:
        return None
    return int((data or "").rsplit(":", 1)[1]), match.group(1) == "up"


def share_query(answer_id: int) -> str:
    """The inline query of the share button."""
    return f"{SHARE_PREFIX}{answer_id}"


def parse_share_query(query: str) -> int | None:
    """The answer id of a share query, if it is one."""
    rest = query.strip().removeprefix(SHARE_PREFIX)
    if rest == query.strip() or not rest.isdigit() or len(rest) > 18:
        return None
    return int(rest)


def answer_keyboard(
    answer_id: int,
    *,
    feedback: FeedbackState = "ask",
    more: bool = True,
    share: bool = True,
    documents: Sequence[int] = (),
    escalate: bool = False,
    notify: bool = False,
) -> InlineKeyboardMarkup:
    """The buttons under an answer, in the given feedback state; `documents`: the ranks of
    the cited files the bot can send; "ask the team" and "tell me" under an answer the base
    could not give (private chats only)."""
    rows: list[list[InlineKeyboardButton]] = []
    if feedback == "ask":
        rows.append(
            [
                InlineKeyboardButton(texts.BUTTON_UP, callback_data=f"fb:up:{answer_id}"),
                InlineKeyboardButton(texts.BUTTON_DOWN, callback_data=f"fb:down:{answer_id}"),
            ]
        )
    elif feedback == "reasons":
        buttons = [
            InlineKeyboardButton(label, callback_data=f"fb:why:{code}:{answer_id}")
            for code, label in texts.REASONS.items()
        ]
        rows += [buttons[:2], buttons[2:]]
    else:
        rows.append([InlineKeyboardButton(texts.BUTTON_THANKS, callback_data="noop")])
    actions: list[InlineKeyboardButton] = []
    if share:
        chosen = SwitchInlineQueryChosenChat(query=share_query(answer_id), allow_group_chats=True)
        actions.append(
            InlineKeyboardButton(texts.BUTTON_SHARE, switch_inline_query_chosen_chat=chosen)
        )
    if more:
        actions.append(InlineKeyboardButton(texts.BUTTON_MORE, callback_data=f"more:{answer_id}"))
    if actions:
        rows.append(actions)
    if documents:
        rows.append(
            [
                InlineKeyboardButton(
                    texts.BUTTON_DOCUMENT
                    if len(documents) == 1
                    else texts.BUTTON_DOCUMENT_N.format(rank=rank),
                    callback_data=document_callback(answer_id, rank),
                )
                for rank in documents
            ]
        )
    help_row: list[InlineKeyboardButton] = []
    if escalate:
        data = f"{ESCALATE_PREFIX}{answer_id}"
        help_row.append(InlineKeyboardButton(texts.BUTTON_ESCALATE, callback_data=data))
    if notify:
        data = f"{NOTIFY_PREFIX}{answer_id}"
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
        documents=tuple(p[1] for d in data if (p := parse_document_callback(d))),
        escalate=any(d.startswith(ESCALATE_PREFIX) for d in data),
        notify=any(d.startswith(NOTIFY_PREFIX) for d in data),
    )


def card_keyboard(sources: Sequence[Source], bot_username: str) -> InlineKeyboardMarkup:
    """Under a shared card: links to the first sources and a way to ask the bot."""
    rows = [
        [InlineKeyboardButton(truncate(f"📄 {s.title}", 60), url=url)]
        for s in sources[:SOURCES_SHOWN]
        if (url := safe_url(s.link)) and not url.startswith("tg:")
    ]
    deep_link = create_deep_linked_url(bot_username, START_FROM_CARD)
    rows.append([InlineKeyboardButton(texts.BUTTON_ASK_BOT, url=deep_link)])
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
