"""Every message the bot can produce is valid Telegram HTML within 4096 characters."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from bot_testkit import HOSTILE, HOSTILE_URLS, Doc, check_html, check_messages, make_answer, source

from bot.assistant.replies import Progress, StoredAnswer
from bot.community.insight import Digest, QuestionGroup
from bot.storage.figures import Stats
from bot.telegram import admin_messages as admin_render
from bot.telegram import answer_messages as render
from bot.telegram import catalogue_messages as catalogue
from bot.telegram import keyboards, texts
from bot.telegram.html import MAX_ENTITIES, Span, pack, para, safe_url, truncate, utf16_len
from indexing.models import Answer, Definition, FailedFile, IndexReport, Reference
from indexing.sources.validation import CheckReport, Finding

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
            references=(Reference(text, url, text[:40], 2016), Reference("", url)),
            example=i % 2 == 0,
            review_due=i % 3 == 0,
            passage_url=url if i % 4 == 1 else None,
            facts_date=text[:8] if i % 5 == 0 else None,
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
    check_messages(catalogue.catalogue(docs))
    for theme in catalogue.themes(docs):
        check_html(catalogue.theme_documents(theme))
        assert len(catalogue.theme_label(theme)) <= 60
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
    check_messages(catalogue.catalogue([]))
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
    assert "ressource · fiche rédigée le 12 mars 2026" in shown
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
    assert render.format_date("2026-08-01") == "1er août 2026"
    assert render.format_date("2026-12-01T10:00:00") == "1er décembre 2026"
    assert render.format_date("2026-12-02") == "2 décembre 2026"
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


BAROMETER = Reference("Baromètre 2016", "https://www.solidatech.fr/barometre", "Solidatech", 2016)
GUIDE = Reference("Guide du RGAA", "https://disic.github.io/rgaa", "DISIC", None)


def sourced_answer() -> Answer:
    """Six sources with references; the first cites an example workshop past its review date."""
    sources = (
        source(0, type_="atelier", date="2026-01-29", example=True, review_due=True, url=None),
        source(1, references=(BAROMETER, GUIDE)),
        *(source(n, references=(BAROMETER,)) for n in range(2, 6)),
    )
    return replace(make_answer(), sources=sources)


def test_sources_show_their_kind_of_date_example_label_and_review_status() -> None:
    shown = check_messages(render.answer(stored(sourced_answer()), contact="x"))
    assert "1. Document 0 (exemple) · compte rendu d'atelier · atelier du 29 janvier 2026" in shown
    assert "atelier du 29 janvier 2026 · ⚠️ à vérifier" in shown
    assert "2. Document 1 · ressource · fiche rédigée le 12 mars 2026\n" in shown
    assert "Document 1 (exemple)" not in shown and shown.count("à vérifier") == 1
    card = check_html(render.card(sourced_answer()))
    assert "Document 0 (exemple)" in card and "atelier du 29 janvier 2026" in card


def test_references_appear_in_answers_cards_and_more_sources() -> None:
    answer = sourced_answer()
    reply = render.answer(stored(answer), contact="x")[0]
    line = "↳ Pour aller plus loin : Baromètre 2016 (Solidatech, 2016)"
    assert line in check_html(reply) and '<a href="https://www.solidatech.fr/barometre">' in reply
    assert "Guide du RGAA" not in check_html(reply)  # one reference per source in an answer
    assert line in check_html(render.card(answer))
    more = check_messages(render.more_sources(stored(answer)))
    assert "4. Document 3" in more and more.count(line) == 3
    with_two = replace(answer, sources=answer.sources[1:2] * 4)
    more = check_messages(render.more_sources(stored(with_two)))
    assert "Baromètre 2016 (Solidatech, 2016) ; Guide du RGAA (DISIC)" in more


def test_a_passage_that_credits_a_page_links_to_it() -> None:
    credited = source(0, passage_url="https://www.insee.fr/fr/statistiques/7633654")
    html = render.answer(stored(replace(make_answer(), sources=(credited,))), contact="x")[0]
    assert 'href="https://www.insee.fr/fr/statistiques/7633654">Document 0</a>' in html
    assert "https://example.org/doc" not in html


def test_only_cited_files_without_web_page_can_be_sent() -> None:
    pdf = source(0, url=None, path="ressources/checklist.pdf")
    linked_pdf = source(1, path="ressources/guide.pdf")
    sheet = source(2, url=None, path="ressources/fiche.md")
    docx = source(3, url=None, path="ateliers/note.docx")
    answer = replace(make_answer(), sources=(pdf, linked_pdf, sheet, docx))
    assert render.sendable_ranks(answer) == (1,)  # the DOCX is not among the three shown
    answer = replace(answer, text="Voir la note [4].")
    assert render.sendable_ranks(answer) == (1, 4)


def test_link_report_lists_sheets_past_their_review_date() -> None:
    due = [
        Doc("ressources/rgpd.md", "RGPD", None, "2026-01-01", "ressource", review_by="2026-06-30")
    ]
    shown = check_messages(admin_render.links_report([], due))
    assert texts.REVIEW_DUE_TITLE in shown and "• ressources/rgpd.md : 30 juin 2026" in shown
    assert texts.REVIEW_DUE_TITLE not in check_messages(admin_render.links_report([], []))


def test_check_report_lists_errors_then_the_summary() -> None:
    report = CheckReport(
        files=3,
        errors=(Finding("a.md", "date", "date : « 2024-13-45 » n'est pas une date AAAA-MM-JJ"),),
        warnings=(Finding("b.pdf", "date", "date : pas de ligne « Date : AAAA-MM-JJ »"),),
    )
    shown = check_messages(admin_render.check_report(report))
    assert "• a.md — date : « 2024-13-45 » n'est pas une date AAAA-MM-JJ" in shown
    assert shown.index(texts.CHECK_ERRORS) < shown.index(texts.CHECK_WARNINGS)
    assert shown.endswith("3 fichiers vérifiés : 1 erreur, 1 avertissement")
    clean = check_messages(admin_render.check_report(CheckReport(files=1)))
    assert texts.CHECK_CLEAN in clean and texts.CHECK_ERRORS not in clean


def test_catalogue_and_workshops_label_examples() -> None:
    docs = [Doc("ateliers/a.md", "Atelier A", None, "2026-01-29", "atelier", example=True)]
    assert "• Atelier A (exemple) · 29 janvier 2026" in check_messages(render.workshops(docs))
    [theme] = catalogue.themes(docs)
    assert "• Atelier A (exemple)" in check_html(catalogue.theme_documents(theme))


def test_catalogue_is_a_short_theme_menu_and_a_theme_lists_each_document_once() -> None:
    docs = [
        Doc(f"p{i}", f"Fiche numéro {i}", None, None, "ressource", themes=("outils", "rgpd"))
        for i in range(200)
    ] + [Doc("seule", "Fiche sans thème", None, None, "ressource")]
    [menu] = catalogue.catalogue(docs)
    assert "Fiche numéro" not in check_html(menu) and len(menu) < 600
    themes = catalogue.themes(docs)
    assert [(t.name, len(t.documents)) for t in themes] == [
        ("outils", 200),
        ("rgpd", 200),
        (texts.CATALOGUE_OTHER_THEME, 1),
    ]
    shown = check_html(catalogue.theme_documents(themes[0]))
    assert shown.count("Fiche numéro 1\n") == 1 and "… et " in shown
    keyboard = keyboards.themes_keyboard(themes)
    data = [b.callback_data for row in keyboard.inline_keyboard for b in row]
    assert len(data) == 3 and all(isinstance(d, str) and len(d.encode()) <= 64 for d in data)
    assert [catalogue.theme_by_key(themes, str(d).removeprefix("src:")) for d in data] == themes


def test_no_answer_card_lists_no_sources() -> None:
    card = check_html(render.card(make_answer(answered=False, text="Rien.")))
    assert texts.ANSWER_SOURCES not in card and texts.CARD_NO_ANSWER in card


def test_french_details_counts_periods_and_the_networks_name() -> None:
    welcome = check_messages(render.welcome())
    assert "Réseau national des incubateurs de l'ESS, animé par l'Avise" in welcome
    assert "Réseau national des incubateurs de l'ESS" in check_html(render.group_welcome())
    assert "1 derniers" not in check_messages(render.stats(Stats(1, 0, 0, 0, 0, (), ())))
    assert "sur 7 jours" in check_messages(render.stats(Stats(7, 0, 0, 0, 0, (), ())))
    reading = check_html(render.reindex_progress(Progress(3, 10, "ressources/a.md")))
    encoding = check_html(render.reindex_progress(Progress(4, 10, "embeddings")))
    assert "3/10 fichiers" in reading and "4/10 fichiers" in encoding
    assert "embeddings" not in encoding and reading != encoding
    sentences = check_html(render.reindex_progress(Progress(30, 40, "phrases")))
    assert "30/40 phrases" in sentences and "fichiers" not in sentences


def test_digest_speaks_of_one_day_and_one_question_in_the_singular() -> None:
    group = QuestionGroup(("Quel logiciel de comptabilité ?",), 1, 1, 0)
    text = check_messages(admin_render.digest(Digest(1, 1, 0, (group,))))
    assert "(1 derniers jours)" not in text and "dernier jour" in text
    assert "1 question : 1 sans réponse" in text and "question(s)" not in text
    many = QuestionGroup(("a", "b"), 2, 2, 1)
    text = check_messages(admin_render.digest(Digest(7, 2, 1, (many,))))
    assert "7 derniers jours" in text and "2 questions : 2 sans réponse, 1 avec un 👎" in text
