"""Refusals for the right reasons: what is asked, not every capitalised word or number."""

from __future__ import annotations

from indexing.answering.abstention import is_question, mentions, subject_names
from indexing.engine import KnowledgeEngine
from indexing.models import REFUSAL_MISSING, REFUSAL_NO_QUESTION, REFUSAL_UNRELATED
from indexing.retrieval.keyword import fold


def test_comparisons_numbers_and_possessives_are_not_subjects() -> None:
    assert subject_names("un équivalent de Doctolib pour les rendez-vous ?") == []
    assert subject_names("à la place de Dropbox on prend quoi") == []
    assert subject_names("on cherche un outil comme Trello pour l'équipe") == []
    assert subject_names("une équipe à 50 % bénévole, on s'organise comment") == []
    assert subject_names("Is it free, HelloAsso's platform?") == ["HelloAsso"]
    assert subject_names("le tarif de Paheko en 2027") == ["Paheko", "2027"]


def test_an_acronym_after_an_indefinite_article_names_a_kind_not_a_subject() -> None:
    assert subject_names("combien coûte un site vitrine avec un CMS open source ?") == []
    assert subject_names("faut-il une SCIC ou une SAS ?") == []
    # the same acronym as a definite subject still counts
    assert subject_names("le CMS de la mairie est-il gratuit ?") == ["CMS"]
    assert subject_names("combien coûte le logiciel Paheko ?") == ["Paheko"]


def test_a_misspelt_name_is_still_mentioned() -> None:
    text = fold("HelloAsso est une plateforme de paiement pour les associations.")
    assert mentions(text, "Heloasso")
    assert mentions(text, "HelloAsso")
    assert not mentions(text, "Doctolib")


def test_messages_without_a_question() -> None:
    for message in (".", "?", "👍🙏", "\u200b\u200b", "  ", "ok"):
        assert not is_question(message), message
    assert is_question("DLA")


def test_an_empty_message_gets_an_invitation_and_no_search(indexed: KnowledgeEngine) -> None:
    calls: list[str] = []
    original = indexed.retriever.search
    indexed.retriever.search = lambda *a: calls.append("search") or original(*a)  # type: ignore[method-assign]
    answer = indexed.answer(" 🙂 ? ")
    assert not answer.answered and answer.refusal == REFUSAL_NO_QUESTION
    assert answer.sources == () and "question" in answer.text.lower()
    assert calls == []


def test_refusal_reasons_are_named(indexed: KnowledgeEngine) -> None:
    unrelated = indexed.answer("Quelle est la recette de la pâte à crêpes ?")
    assert unrelated.refusal == REFUSAL_UNRELATED
    phone = indexed.answer("quel est le numéro de téléphone du DLA ?")
    assert phone.refusal == REFUSAL_MISSING and phone.missing == "de numéro de téléphone"
    named = indexed.answer("le DLA accompagne-t-il Wikimédia pour son numérique ?")
    assert named.refusal == REFUSAL_MISSING and "« Wikimédia »" in (named.missing or "")
    year = indexed.answer("le DLA en 2031 existe encore ?")
    assert year.missing == "d'information pour l'année 2031"


def test_a_comparison_does_not_refuse_an_answerable_question(indexed: KnowledgeEngine) -> None:
    answer = indexed.answer("un accompagnement gratuit comme Doctolib mais pour les associations ?")
    assert answer.refusal != REFUSAL_MISSING


def test_an_answer_is_built_from_units_in_relevance_order(indexed: KnowledgeEngine) -> None:
    answer = indexed.answer("Comment se déroule un accompagnement DLA ?")
    assert answer.answered
    first = answer.text.split(" [")[0]
    assert "diagnostic partagé" in answer.text
    assert not first.rstrip().endswith(":") and first[0].isupper()
    # "Il propose ensuite…" never opens an answer without what "Il" refers to
    assert not answer.text.startswith("Il ")
    assert "[1]" in answer.text
