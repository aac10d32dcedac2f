"""Answer-text measures: facts found, dangling, fragments, anaphors; the eval report."""

from __future__ import annotations

from pathlib import Path

import yaml

from indexing.models import Answer
from indexing.quality.answer_text import anaphor, dangling, found, fragment, repeat, units
from indexing.quality.evaluation import evaluate, load_questions


def test_a_fact_is_found_through_case_spaces_apostrophes_and_emphasis() -> None:
    text = "Il faut l’**authentification**  obligatoire avant 2 500 € [1]"
    assert found(("L'authentification obligatoire",), text)
    assert found(("absent", "2 500 €"), text)
    assert not found(("3 000 €",), text)


def test_units_split_on_source_markers() -> None:
    assert units("Une phrase. [1] Une autre. [2]") == ["Une phrase.", "Une autre."]


def test_defects() -> None:
    assert dangling("Le formulaire doit respecter : [1]")
    assert not dangling("Il faut :\n• un registre\n• une durée [1]")
    assert dangling("Il faut :\nun registre [1]")
    assert fragment("Le DLA aide. [1] et aussi les coopératives. [1]")
    assert not fragment("Le DLA aide. [1] « Gratuit » pour tous. [2]")
    assert anaphor("Elle tient un registre. [1]")
    assert anaphor("Pour compenser, on mutualise. [1]")
    assert not anaphor("L'association tient un registre. [1] Elle le met à jour. [1]")


def test_a_sentence_said_twice_is_a_repeat() -> None:
    item = "Conseiller numérique : vous apprend à utiliser les outils."
    assert repeat(f"Les rôles :\n• {item}\n• Agent : fait la démarche avec vous. [1] {item} [1]")
    # carried again as the antecedent of another sentence
    assert repeat(
        "Le DLA est gratuit pour les structures. [1] Le DLA est gratuit pour les "
        "structures. Il dure six mois. [2]"
    )
    assert not repeat("Le DLA est gratuit pour les structures. [1] Il dure environ six mois. [1]")
    assert not repeat("Étapes :\n• Lister les comptes en ligne. [1] Étapes :\n• Changer. [2]")


def test_eval_report_counts_facts_and_lists_details(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(
        yaml.safe_dump(
            [
                {"question": "q1", "expected": ["a.md"], "facts": [["registre"], ["CNIL", "x"]]},
                {"question": "q2", "expected": ["a.md"], "facts": ["durée"]},
                {"question": "q3", "expected": []},
            ],
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    replies = {
        "q1": Answer("q1", True, "Tenir un registre des traitements. [1]", ()),
        "q2": Answer("q2", False, "Pas de réponse.", ()),  # a refusal holds no fact
        "q3": Answer("q3", True, "il faut :", ()),
    }
    report = evaluate(load_questions(path), lambda q: replies[q])
    assert report.fact_recall == (0.5 + 0.0) / 2
    assert report.complete_rate == 0.0
    assert report.dangling_rate == 0.5 and report.fragment_rate == 0.5
    details = report.to_json(details=True)["results"]
    assert isinstance(details, list)
    assert details[0]["facts_found"] == [True, False]
    assert details[1]["answer"] == "Pas de réponse." and details[1]["facts_found"] == [False]
