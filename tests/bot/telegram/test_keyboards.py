"""Keyboards: callback data within 64 bytes, parsed back; state read from a message's keyboard."""

from __future__ import annotations

import pytest
from bot_testkit import source

from bot.assistant.replies import Votes
from bot.telegram import keyboards, texts

TOKEN = "Ab3_-x9ZqLm0Pw7K"  # noqa: S105 - the shape of records.new_token(), not a secret


@pytest.mark.parametrize("feedback", ["ask", "reasons", "done"])
def test_callback_data_fits_and_parses(feedback: keyboards.FeedbackState) -> None:
    markup = keyboards.answer_keyboard(TOKEN, feedback=feedback)
    for row in markup.inline_keyboard:
        for button in row:
            if isinstance(button.callback_data, str):
                assert len(button.callback_data.encode()) <= 64
                press = keyboards.parse_callback(button.callback_data)
                assert button.callback_data == "noop" or (press and press.token == TOKEN)
    assert keyboards.keyboard_state(markup) == keyboards.KeyboardState(feedback, True, True)


def test_parse_callback() -> None:
    up = f"fb:up:{TOKEN}"
    assert keyboards.parse_callback(up) == keyboards.Callback("up", TOKEN)
    assert keyboards.parse_callback(f"fb:down:{TOKEN}") == keyboards.Callback("down", TOKEN)
    assert keyboards.parse_callback(f"fb:why:lien:{TOKEN}") == keyboards.Callback(
        "why", TOKEN, "lien"
    )
    assert keyboards.parse_callback(f"more:{TOKEN}") == keyboards.Callback("more", TOKEN)
    junk = ("fb:why:pire:" + TOKEN, "fb:up:", "fb:up:1x", "more:", "noop", None, "x" * 100)
    for data in (*junk, "fb:up:<b>12345678", "more:" + "a" * 40):
        assert keyboards.parse_callback(data) is None


def test_share_button_uses_chosen_chat_for_groups() -> None:
    markup = keyboards.answer_keyboard(TOKEN, more=False)
    share = markup.inline_keyboard[-1][0]
    assert share.switch_inline_query_chosen_chat is not None
    assert share.switch_inline_query_chosen_chat.query == f"ans:{TOKEN}"
    assert share.switch_inline_query_chosen_chat.allow_group_chats
    assert keyboards.parse_share_query(f" ans:{TOKEN} ") == TOKEN
    assert keyboards.parse_share_query("ans:9") is None  # a sequential id is not a token
    assert keyboards.parse_share_query("ans:x") is None
    assert keyboards.parse_share_query("9") is None
    assert keyboards.keyboard_state(markup).more is False
    assert keyboards.keyboard_state(None) == keyboards.KeyboardState("done", False, False)


def test_card_keyboard_links_sources_and_deep_links_the_bot() -> None:
    sources = [source(1), source(2, url="javascript:x"), source(3, url=None), source(4)]
    markup = keyboards.card_keyboard(sources, "essbot_test_bot")
    urls = [row[0].url for row in markup.inline_keyboard]
    assert urls == ["https://example.org/doc", "https://t.me/essbot_test_bot?start=carte"]
    credited = source(1, passage_url="https://example.org/page-citee")
    markup = keyboards.card_keyboard([credited], "essbot_test_bot")
    assert markup.inline_keyboard[0][0].url == "https://example.org/page-citee"


def test_document_buttons_survive_a_vote_and_forged_data_is_not_parsed() -> None:
    markup = keyboards.answer_keyboard(TOKEN, documents=(1, 3))
    labels = [b.text for b in markup.inline_keyboard[-1]]
    assert labels == ["📎 Document 1", "📎 Document 3"]
    assert markup.inline_keyboard[-1][0].callback_data == f"doc:{TOKEN}:1"
    assert keyboards.keyboard_state(markup).documents == (1, 3)
    single = keyboards.answer_keyboard(TOKEN, documents=(2,))
    assert single.inline_keyboard[-1][0].text == texts.BUTTON_DOCUMENT
    assert keyboards.parse_document_callback(f"doc:{TOKEN}:2") == (TOKEN, 2)
    forged = (
        f"doc:{TOKEN}:../../etc/passwd",
        f"doc:{TOKEN}:ressources/a.pdf",
        "doc:x:1",
        f"doc:{TOKEN}:123",
        "doc:7:2",  # a sequential id is not a token
    )
    for data in forged:
        assert keyboards.parse_document_callback(data) is None


def test_answer_buttons_carry_the_token_and_team_buttons_the_request_id() -> None:
    markup = keyboards.answer_keyboard(
        TOKEN, share=False, documents=(1,), escalate=True, notify=True
    )
    data = [b.callback_data for row in markup.inline_keyboard for b in row]
    assert f"esc:{TOKEN}" in data and f"notify:{TOKEN}" in data and f"doc:{TOKEN}:1" in data
    assert all(isinstance(d, str) and len(d.encode()) <= 64 for d in data)
    state = keyboards.keyboard_state(markup)
    assert (state.documents, state.escalate, state.notify) == ((1,), True, True)
    assert keyboards.parse_token(f"esc:{TOKEN}", keyboards.ESCALATE_PREFIX) == TOKEN
    assert keyboards.parse_token(f"notify:{TOKEN}", keyboards.NOTIFY_PREFIX) == TOKEN
    for stale in ("esc:12", "notify:7", f"esc:{TOKEN}x<", "esc:"):
        assert keyboards.parse_token(stale, keyboards.ESCALATE_PREFIX) is None
        assert keyboards.parse_token(stale, keyboards.NOTIFY_PREFIX) is None
    add = keyboards.add_to_base_keyboard(12).inline_keyboard[0][0].callback_data
    assert keyboards.parse_id(add, keyboards.ADD_PREFIX) == 12
    votes = keyboards.team_answer_keyboard(12).inline_keyboard[0]
    assert [keyboards.parse_team_vote(b.callback_data) for b in votes] == [(12, True), (12, False)]


def test_card_keyboard_deep_links_to_the_answer_and_group_votes_read_back() -> None:
    markup = keyboards.card_keyboard([], "essbot_test_bot", TOKEN)
    [[button]] = markup.inline_keyboard
    assert button.text == "💬 Continuer en privé"
    assert button.url == f"https://t.me/essbot_test_bot?start=r_{TOKEN}"
    assert keyboards.parse_start_payload(f"r_{TOKEN}") == TOKEN
    assert keyboards.parse_start_payload("carte") is None
    votes = Votes(2, 1)
    group = keyboards.answer_keyboard(TOKEN, votes=votes)
    assert [b.text for b in group.inline_keyboard[0]] == ["👍 2", "👎 1"]
    assert keyboards.keyboard_state(group).votes == votes
