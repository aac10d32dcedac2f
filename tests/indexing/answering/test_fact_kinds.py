"""What a question asks for, and what a text holds."""

from __future__ import annotations

import pytest

from indexing.answering.fact_kinds import (
    AMOUNT,
    DATE,
    DURATION,
    NUMBER,
    PLACE,
    URL,
    WHO,
    asked,
    held,
)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("ça coûte combien par mois ?", AMOUNT),
        ("HelloAsso fees?", AMOUNT),
        ("combien de salariés faut-il ?", NUMBER),
        ("depuis quand la loi existe ?", DATE),
        ("combien de temps pour prévenir la CNIL ?", DURATION),
        ("qui a le droit de signer ?", WHO),
        ("où trouver un fablab ?", PLACE),
        ("quel site pour déclarer l'association ?", URL),
    ],
)
def test_the_kind_asked_is_recognised(question: str, kind: str) -> None:
    assert kind in asked(question)


def test_a_general_question_asks_for_no_kind() -> None:
    assert asked("comment mieux communiquer avec nos bénévoles") == frozenset()


@pytest.mark.parametrize(
    "question",
    [
        "ou trouver des ordis reconditionnés ?",  # typed without its accent, opening the question
        "Où dénoncer un texto frauduleux ?",
        "la double authentification, faut la mettre où ?",
        "Where can we find volunteers?",
    ],
)
def test_where_asks_for_a_place(question: str) -> None:
    assert PLACE in asked(question)


@pytest.mark.parametrize(
    "question",
    [
        "Paheko ou Dolibarr pour un petit club ?",  # "ou" is "or"
        "on les change ou pas ?",
        "former nos bénévoles, par où commencer ?",  # a first step, not a place
        "comment savoir où on en est ?",
        "D'où vient l'idée des fablabs ?",  # an origin
        "les mois où la caisse est vide, que faire ?",  # a relative "où"
    ],
)
def test_or_and_other_uses_of_ou_ask_for_no_place(question: str) -> None:
    assert PLACE not in asked(question)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("L'abonnement revient à 30 € par mois.", AMOUNT),
        ("La plateforme est gratuite pour l'association.", AMOUNT),
        ("Un participant sur deux a vécu un incident.", NUMBER),
        ("La loi du 31 juillet 2014 encadre l'ESS.", DATE),
        ("Notifier la violation sous 72 heures.", DURATION),
        ("Cette personne doit être membre du bureau.", WHO),
        ("La CNIL publie un guide.", WHO),
        ("Renseignez-vous auprès de la maison des associations.", PLACE),
        ("Tout est expliqué sur service-public.fr.", URL),
    ],
)
def test_the_kind_held_is_recognised(text: str, kind: str) -> None:
    assert kind in held(text)


def test_a_plain_sentence_holds_no_figure() -> None:
    assert not held("Partir des besoins, pas des outils.") & {AMOUNT, DATE, DURATION, URL}
