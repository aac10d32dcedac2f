"""Keyboards: callback data within 64 bytes, parsed back; state read from a message's keyboard."""

from __future__ import annotations

import pytest
from bot_testkit import source

from bot.telegram import keyboards, texts

BIG_ID = 10**17


@pytest.mark.parametrize("feedback", ["ask", "reasons", "done"])
def test_callback_data_fits_and_parses(feedback: keyboards.FeedbackState) -> None:
    markup = keyboards.answer_keyboard(BIG_ID, feedback=feedback)
    for row in markup.inline_keyboard:
        for button in row:
            if isinstance(button.callback_data, str):
                assert len(button.callback_data.encode()) <= 64
                press = keyboards.parse_callback(button.callback_data)
                assert button.callback_data == "noop" or (press and press.answer_id == BIG_ID)
    assert keyboards.keyboard_state(markup) == keyboards.KeyboardState(feedback, True, True)


def test_parse_callback() -> None:
    assert keyboards.parse_callback("fb:up:12") == keyboards.Callback("up", 12)
    assert keyboards.parse_callback("fb:down:12") == keyboards.Callback("down", 12)
    assert keyboards.parse_callback("fb:why:lien:3") == keyboards.Callback("why", 3, "lien")
    assert keyboards.parse_callback("more:5") == keyboards.Callback("more", 5)
    for junk in ("fb:why:pire:3", "fb:up:", "fb:up:1x", "more:", "noop", None, "x" * 100):
        assert keyboards.parse_callback(junk) is None


def test_share_button_uses_chosen_chat_for_groups() -> None:
    markup = keyboards.answer_keyboard(9, more=False)
    share = markup.inline_keyboard[-1][0]
    assert share.switch_inline_query_chosen_chat is not None
    assert share.switch_inline_query_chosen_chat.query == "ans:9"
    assert share.switch_inline_query_chosen_chat.allow_group_chats
    assert keyboards.parse_share_query(" ans:9 ") == 9
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
    markup = keyboards.answer_keyboard(7, documents=(1, 3))
    labels = [b.text for b in markup.inline_keyboard[-1]]
    assert labels == ["📎 Document 1", "📎 Document 3"]
    assert keyboards.keyboard_state(markup).documents == (1, 3)
    single = keyboards.answer_keyboard(7, documents=(2,))
    assert single.inline_keyboard[-1][0].text == texts.BUTTON_DOCUMENT
    assert keyboards.parse_document_callback("doc:7:2") == (7, 2)
    for forged in ("doc:7:../../etc/passwd", "doc:7:ressources/a.pdf", "doc:x:1", "doc:7:123"):
        assert keyboards.parse_document_callback(forged) is None
