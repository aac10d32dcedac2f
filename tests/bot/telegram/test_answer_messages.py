"""Every message the bot can produce is valid Telegram HTML within 4096 characters."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from bot_testkit import HOSTILE, HOSTILE_URLS, Doc, check_html, check_messages, make_answer, source

from bot.assistant.replies import Progress, StoredAnswer
from bot.storage.figures import Stats
from bot.telegram import answer_messages as render
from bot.telegram import texts
from bot.telegram.html import MAX_ENTITIES, Span, pack, para, safe_url, truncate, utf16_len
from indexing.models import Answer, Definition, FailedFile, IndexReport

CASES = list(itertools.product(HOSTILE, HOSTILE_URLS[:4]))


def hostile_answer(text: str, url: str | None, answered: bool = True) -> Answer:
    sources = tuple(
        source(
            i,
            title=text,
            url=url,
            excerpt=text,
            type_=("atelier", "x<y>", "glossaire")[i % 3],
            date=(text[:20], "2026-02-30", None, "2026-11-15")[i % 4],
        )
        for i in range(10)
    )
    definitions = (Definition(text[:30], text[:60], text),)
    return Answer(
        question=text, answered=answered, text=text, sources=sources, definitions=definitions
    )


def stored(answer: Answer, chat_type: str = "private") -> StoredAnswer:
    return StoredAnswer(7, answer, chat_type, "h" * 64)


@pytest.mark.parametrize(("text", "url"), CASES)
def test_answer_messages_are_valid(text: str, url: str | None) -> None:
    for answered in (True, False):
        answer = hostile_answer(text, url, answered)
        check_messages(render.answer(stored(answer), contact=text))
        check_messages(render.more_sources(stored(answer)))
        check_html(render.card(answer))


@pytest.mark.parametrize("text", HOSTILE)
def test_catalogue_workshops_and_admin_messages_are_valid(text: str) -> None:
    docs = [
        Doc(f"p{i}", text, url, text[:10], "atelier", themes=(text[:30], "x"))
        for i, url in enumerate(HOSTILE_URLS)
    ] * 30
    check_messages(render.catalogue(docs))
    check_messages(render.workshops(docs))
    check_html(render.reindex_progress(Progress(3, 10, text)))
    names = tuple(f"{text[:50]}-{i}" for i in range(30))
    report = IndexReport(
        added=names,
        updated=names[:3],
        removed=(text,),
        unchanged=2,
        failed=(FailedFile(text, text),),
        usable=False,
    )
    check_messages(render.reindex_report(report))
    figures = Stats(7, 10, 3, 2, 5, (("hs", 2), (text, 1)), tuple((text, i) for i in range(5)))
    check_messages(render.stats(figures))
    check_html(render.plain(texts.RATE_LIMITED.format(seconds=3)))
    assert len(render.inline_title(hostile_answer(text, None))) <= 100
    assert len(render.inline_description(hostile_answer(text, None))) <= 200


def test_static_messages_are_valid() -> None:
    check_messages(render.welcome())
    check_messages(render.help_text("essbot_test_bot"))
    check_html(render.group_welcome())
    check_html(render.reindex_progress(None))
    check_messages(render.catalogue([]))
    check_messages(render.workshops([]))
    check_messages(render.stats(Stats(30, 0, 0, 0, 0, (), ())))
    check_messages(render.reindex_report(IndexReport()))
    for message in vars(texts).values():
        if isinstance(message, str) and "{" not in message:
            check_html(render.plain(message))


def test_answer_shows_text_sources_types_and_dates() -> None:
    answer = make_answer(sources=6)
    shown = check_messages(render.answer(stored(answer), contact="x"))
    assert answer.text in shown
    assert "1. Document 0" in shown and "3. Document 2" in shown
    assert "Document 3" not in shown  # for "Plus de sources"
    assert "ressource · mis à jour le 12 mars 2026" in shown
    more = check_messages(render.more_sources(stored(answer)))
    assert "4. Document 3" in more and "6. Document 5" in more
    assert render.has_more_sources(answer)
    assert not render.has_more_sources(make_answer(sources=3))


def test_links_are_escaped_and_only_safe_schemes_link() -> None:
    answer = hostile_answer("Titre", 'https://example.org/a?b=1&c="2"<script>')
    html = render.answer(stored(answer), contact="x")[0]
    assert 'href="https://example.org/a?b=1&amp;c=&quot;2&quot;&lt;script&gt;"' in html
    bad = render.answer(stored(hostile_answer("Titre", "javascript:alert(1)")), contact="x")[0]
    assert "javascript" not in bad and "<b>Titre</b>" in bad
    assert safe_url("tg://resolve?domain=x") and not safe_url("https://exa mple.org")


def test_no_answer_says_so_and_points_to_sources_and_contact() -> None:
    answer = Answer("Quel est le numéro ?", False, "La base ne donne pas de numéro.", (source(1),))
    shown = check_messages(render.answer(stored(answer), contact="l'équipe d'animation"))
    assert shown.startswith("La base ne donne pas de numéro.") and "/sources" in shown
    assert "contactez l'équipe d'animation" in shown and "Document 1" in shown


def test_card_is_self_contained() -> None:
    shown = check_html(render.card(make_answer(sources=8)))
    assert "Quel outil pour partager des fichiers ?" in shown
    assert "Nextcloud permet" in shown and "5. Document 4" in shown and "Document 5" not in shown
    assert texts.CHECK_SOURCE in shown


def test_long_messages_split_on_paragraph_boundaries() -> None:
    paragraphs = [para(f"Paragraphe {i} " + "mot " * 300) for i in range(20)]
    messages = pack(paragraphs)
    assert len(messages) > 1
    for message in messages:
        text = check_html(message)
        assert text.startswith("Paragraphe ")  # each part starts on a paragraph
    assert sum(m.count("Paragraphe ") for m in messages) == 20


def test_splitting_never_breaks_tags_or_surrogates() -> None:
    messages = pack(
        [para(Span("👍" * 5000 + "<&>", style="b"), Span(" fin", href="https://e.org"))]
    )
    assert len(messages) == 3
    visible = "".join(check_html(m) for m in messages)
    assert visible == "👍" * 5000 + "<&> fin"


def test_entity_count_is_bounded() -> None:
    messages = pack([para(Span(f"t{i}", "b"), tight=True) for i in range(500)])
    assert all(m.count("<b>") <= MAX_ENTITIES for m in messages)
    assert len(messages) == 6


def test_truncate_counts_utf16() -> None:
    assert truncate("👍" * 10, 5) == "👍👍…"
    assert utf16_len(truncate("a " * 100, 11)) <= 11
    assert truncate("  court  ", 50) == "court"


def test_dates() -> None:
    assert render.format_date("2026-08-01") == "1 août 2026"
    assert render.format_date("2026-08-01T10:00:00") == "1 août 2026"
    assert render.format_date("printemps 2026") == "printemps 2026"
    assert render.format_date(None) is None


def test_every_cited_source_is_listed() -> None:
    cites_fifth = replace(make_answer(sources=8), text="Réponse [1] et détail [5], pas [42].")
    shown = check_messages(render.answer(stored(cites_fifth), contact="x"))
    assert "5. Document 4" in shown and "Document 5" not in shown
    assert check_messages(render.more_sources(stored(cites_fifth))).count("6. Document 5") == 1
    assert render.shown_count(cites_fifth, 7) == 7
    assert render.shown_count(make_answer(sources=2)) == 2


def test_glossary_reminders_follow_the_answer() -> None:
    answer = Answer(
        question="c quoi un PANA ?",
        answered=True,
        text="Réponse [1]",
        sources=(source(0),),
        definitions=(
            Definition("PANA", "Point d'appui au numérique associatif", "Un lieu <labellisé>."),
        ),
    )
    html = "".join(render.answer(stored(answer), contact="x"))
    check_html(html)
    assert (
        "📖 <b>PANA (Point d&#x27;appui au numérique associatif)</b> : Un lieu &lt;labellisé&gt;."
        in html
        or "📖 <b>PANA (Point d'appui au numérique associatif)</b> : Un lieu &lt;labellisé&gt;."
        in html
    )
