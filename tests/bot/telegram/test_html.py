"""Telegram HTML primitives: every text and URL escaped, only safe link targets, lengths in UTF-16
units, paragraphs packed into as few messages as the limits allow."""

from __future__ import annotations

from bot_testkit import check_html

from bot.telegram.html import (
    Span,
    clean,
    link,
    pack,
    para,
    safe_url,
    to_html,
    truncate,
    utf16_len,
)


def test_text_and_urls_are_escaped() -> None:
    html = to_html(para("a < b & c", link("<titre>", 'https://x.org/?a=1&b="2"')))
    assert (
        html == 'a &lt; b &amp; c<a href="https://x.org/?a=1&amp;b=&quot;2&quot;">&lt;titre&gt;</a>'
    )
    assert to_html(para(Span("gras", "b"), quote=True)) == "<blockquote><b>gras</b></blockquote>"
    check_html(html)


def test_only_http_https_and_tg_links() -> None:
    assert safe_url(" https://x.org/a ") == "https://x.org/a"
    assert safe_url("tg://resolve?domain=x") == "tg://resolve?domain=x"
    for bad in ("javascript:alert(1)", "http://", "https://x.org/a b", "ftp://x.org", None, ""):
        assert safe_url(bad) is None, bad
    assert link("Titre", "javascript:alert(1)") == Span("Titre", style="b")


def test_lengths_count_utf16_units_and_controls_are_dropped() -> None:
    assert utf16_len("é🚀") == 3
    assert clean("a\x00b\ud800c\nd") == "ab" + "c\nd"
    assert truncate("un deux trois quatre", 12) == "un deux…"
    assert truncate("🚀🚀🚀", 4) == "🚀…"  # never half a surrogate pair
    assert truncate("court", 10) == "court"


def test_paragraphs_pack_into_few_messages_within_the_limit() -> None:
    paras = [para("x" * 30), para("y" * 30, tight=True), para("z" * 30)]
    assert pack(paras, limit=100) == ["x" * 30 + "\n" + "y" * 30 + "\n\n" + "z" * 30]
    messages = pack(paras, limit=70)
    assert messages == ["x" * 30 + "\n" + "y" * 30, "z" * 30]
    long = pack([para(" ".join(["mot"] * 50))], limit=40)
    assert all(utf16_len(m) <= 40 for m in long) and " ".join(long).split() == ["mot"] * 50
    assert pack([para(""), para()]) == []
