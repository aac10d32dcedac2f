"""French BM25: accents folded, elisions cut, stopwords dropped, stems matched; scores and
coverage over a handful of passages."""

from __future__ import annotations

import pytest

from indexing.retrieval.keyword import FrenchAnalyzer, KeywordIndex, fold

PASSAGES = [
    "La sécurité des données personnelles : le registre des traitements RGPD.",
    "Organiser une réunion à distance avec une visioconférence libre.",
    "Collecter des dons en ligne et envoyer les reçus fiscaux.",
]


@pytest.fixture(scope="module")
def analyzer() -> FrenchAnalyzer:
    return FrenchAnalyzer()


def test_fold_strips_accents_and_case() -> None:
    assert fold("Sécurité ÉCOLE cœur") == "securite ecole coeur"


def test_tokens_cut_elisions_drop_stopwords_and_stem(analyzer: FrenchAnalyzer) -> None:
    assert analyzer.tokens("l'association") == analyzer.tokens("associations")
    assert analyzer.tokens("Les réunions de l'équipe") == analyzer.tokens("reunion equipes")
    assert analyzer.tokens("le la les de des du") == []


def test_acronyms_numbers_and_compounds(analyzer: FrenchAnalyzer) -> None:
    assert analyzer.tokens("RGPD 1901") == ["rgpd", "1901"]
    assert analyzer.tokens("tiers-lieu") == analyzer.tokens("tiers lieu") == ["tier", "lieu"]
    assert analyzer.tokens("tiers-lieux") == analyzer.tokens("tiers lieux")


def test_informal_short_forms_meet_the_words_of_the_documents(analyzer: FrenchAnalyzer) -> None:
    assert analyzer.tokens("asso") == analyzer.tokens("association")
    assert analyzer.tokens("visio") == analyzer.tokens("visioconférence")
    assert analyzer.tokens("AG en visio") == analyzer.tokens(
        "assemblée générale en visioconférence"
    )
    assert analyzer.tokens("l'âge des bénévoles") == analyzer.tokens("âge bénévoles")  # not "AGE"
    assert "assembl" not in analyzer.tokens("l'âge des bénévoles")


def test_scores_rank_the_passage_that_holds_the_terms(analyzer: FrenchAnalyzer) -> None:
    index = KeywordIndex(PASSAGES, analyzer)
    scores = index.scores("données personnelles RGPD")
    assert scores.shape == (3,)
    assert scores.argmax() == 0 and scores[0] > 0 and scores[1] == scores[2] == 0
    assert not index.scores("pâte à crêpes").any()  # no term of the question is indexed


def test_coverage_and_idf(analyzer: FrenchAnalyzer) -> None:
    index = KeywordIndex(PASSAGES, analyzer)
    assert index.coverage("reçus fiscaux") == 1.0
    assert index.coverage("reçus de crêpes") == 0.5  # "de" is a stopword: reçus, crêpes
    assert index.coverage("le la") == 0.0
    assert index.idf(analyzer.tokens("RGPD")[0]) > 0
    common = KeywordIndex([*PASSAGES, "Le RGPD encore."], analyzer)
    assert common.idf("rgpd") < common.idf(analyzer.tokens("visioconférence")[0])


def test_an_empty_index_scores_nothing(analyzer: FrenchAnalyzer) -> None:
    index = KeywordIndex([], analyzer)
    assert index.scores("RGPD").shape == (0,)
    assert index.coverage("RGPD") == 0.0
