"""English questions reach the French sheets: the domain words of an English question get their
French terms; a French question is left alone."""

from __future__ import annotations

from indexing.retrieval.lexicon import french_terms, looks_english


def test_english_is_told_by_its_function_words() -> None:
    assert looks_english("How do we back up our files?")
    assert not looks_english("Comment sauvegarder nos fichiers ?")
    assert not looks_english("backup")  # one word is not a sentence


def test_domain_words_become_french_terms_once_in_order() -> None:
    terms = french_terms("How can our nonprofit collect donations and send tax receipts?")
    assert terms == ["association", "dons", "reçus fiscaux"]
    assert french_terms("What is the best backup for our backups and back up?") == [
        "sauvegarde",
        "sauvegardes",
    ]


def test_a_french_question_gets_nothing() -> None:
    assert french_terms("Comment faire un backup des dons ?") == []
