"""Answers on the fixture corpus with the real default model: sources, extract, abstention."""

from __future__ import annotations

import re
from pathlib import Path

from indexing.engine import KnowledgeEngine
from indexing.retrieval.glossary import Glossary, parse_entry
from indexing.retrieval.lexicon import french_terms


def test_an_answer_cites_its_sources_and_stays_short(indexed_shared: KnowledgeEngine) -> None:
    answer = indexed_shared.answer("Le DLA c'est payant pour une association ?")
    assert answer.answered
    first = answer.sources[0]
    assert (first.path, first.url, first.date, first.type) == (
        "ressources/dla.md",
        "https://example.org/dla",
        "2026-11-15",
        "ressource",
    )
    assert len(answer.text) <= 620
    assert "[1]" in answer.text  # every sentence names its source
    assert "gratuit" in answer.text.lower()
    assert first.excerpt and len(first.excerpt) <= 320


def test_off_topic_questions_get_no_answer_but_related_reading(
    indexed_shared: KnowledgeEngine,
) -> None:
    answer = indexed_shared.answer("Quelle est la recette de la pâte à crêpes ?")
    assert not answer.answered
    assert "pas trouvé" in answer.text
    assert answer.sources  # the closest documents are still offered


def test_a_precise_fact_the_base_lacks_is_named(indexed_shared: KnowledgeEngine) -> None:
    answer = indexed_shared.answer("Quel est le numéro de téléphone du DLA ?")
    assert not answer.answered
    assert answer.missing == "de numéro de téléphone"
    assert answer.sources[0].path == "ressources/dla.md"
    unknown_place = indexed_shared.answer("Le DLA de Guéret est-il gratuit ?")
    assert not unknown_place.answered and "Guéret" in (unknown_place.missing or "")


def test_glossary_expands_acronyms(indexed_shared: KnowledgeEngine) -> None:
    glossary = indexed_shared.glossary()
    assert "Point d'appui au numérique associatif" in glossary.expand("c quoi un PANA ?")
    answer = indexed_shared.answer("c'est quoi une SCIC ?")
    assert "glossaire.md" in [s.path for s in answer.sources[:2]]
    (definition,) = answer.definitions
    assert (definition.term, definition.expansion) == (
        "SCIC",
        "Société coopérative d'intérêt collectif",
    )
    assert definition.definition.startswith("Coopérative qui associe")


def test_glossary_entries_parse_term_expansion_and_synonyms() -> None:
    term = parse_entry(
        "Glossaire > DLA — Dispositif local d'accompagnement",
        "Aide gratuite.\nSynonymes : accompagnement DLA, D.L.A",
        "glossaire.md",
    )
    assert term is not None
    assert (term.term, term.expansion, term.definition) == (
        "DLA",
        "Dispositif local d'accompagnement",
        "Aide gratuite.",
    )
    assert Glossary([term]).find("l'accompagnement dla ?")[0].term == "DLA"


def test_english_questions_reach_french_terms(indexed_shared: KnowledgeEngine) -> None:
    assert "dons" in french_terms("How can we collect online donations?")
    assert french_terms("Comment collecter des dons ?") == []
    answer = indexed_shared.answer("How can we collect online donations and send tax receipts?")
    assert answer.sources[0].path == "ressources/dons-en-ligne.md"


def test_excerpts_and_answers_read_as_prose(indexed: KnowledgeEngine, kb_dir: Path) -> None:
    (kb_dir / "ressources" / "site-accessible.md").write_text(
        "---\ntitle: Rendre son site accessible\n---\n# Rendre son site accessible\n\n"
        "1. **Choisir un thème** annoncé accessible et le tester.\n"
        "2. Structurer les pages avec de vrais titres.\n"
        "3. **Ajouter un texte alternatif** à chaque image porteuse d'information.\n\n"
        "**4. Tester avec un lecteur d'écran**\n- NVDA est gratuit.\n\n## Ressources\n\n"
        "- Voir aussi : fiches choisir un thème accessible, site accessible.\n"
        "- Fiches site accessible : « Choisir un thème accessible pour le site ».\n",
        encoding="utf-8",
    )
    assert indexed.reindex().added == ("ressources/site-accessible.md",)
    answer = indexed.answer("Comment choisir un thème accessible pour le site ?")
    source = answer.sources[0]
    assert source.path == "ressources/site-accessible.md"
    assert source.excerpt.startswith("Choisir un thème annoncé accessible")
    assert "Structurer les pages" in source.excerpt
    assert re.search(r"(^|\s)\d[.)]\s", source.excerpt) is None
    assert "**" not in source.excerpt
    assert "Tester avec un lecteur d'écran. NVDA est gratuit." in source.excerpt
    # pointers to other sheets answer nothing
    assert "Voir aussi" not in answer.text and "Fiches" not in answer.text


DPO_SHEET = (
    "---\ntitle: Protéger les données de l'association\n---\n"
    "# Protéger les données de l'association\n\n"
    "## Sécuriser les fichiers\n\n"
    "Un mot de passe fort et des sauvegardes régulières protègent le fichier des adhérents. "
    "Les accès sont retirés quand un bénévole quitte l'association.\n\n"
    "## Faut-il nommer un DPO ?\n\n"
    "La plupart des petites associations n'en ont pas l'obligation. "
    "Un référent interne suffit souvent à tenir le registre.\n"
)


def test_an_answer_goes_on_with_the_sentence_that_completes_it(
    indexed: KnowledgeEngine, kb_dir: Path
) -> None:
    """The answering sentence shares no word with the question but its heading's; the sentence
    after it, which completes it, follows it in the answer."""
    (kb_dir / "ressources" / "donnees.md").write_text(DPO_SHEET, encoding="utf-8")
    assert indexed.reindex().added == ("ressources/donnees.md",)
    answer = indexed.answer("Une petite association doit-elle nommer un DPO ?")
    assert answer.sources[0].path == "ressources/donnees.md"
    first = answer.text.split(" [1]")[0]
    assert first.endswith("La plupart des petites associations n'en ont pas l'obligation.")
    # a question heading introduces its answer as a question, not as "Question ? : answer"
    assert first in {
        "La plupart des petites associations n'en ont pas l'obligation.",
        "Faut-il nommer un DPO ? La plupart des petites associations n'en ont pas l'obligation.",
    }
    # the sentence that follows completes it
    assert "Un référent interne suffit souvent" in answer.text
