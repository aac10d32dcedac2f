"""Choosing answer units: the best one leads, reading order completes it, length follows."""

from __future__ import annotations

import dataclasses

from indexing.answering import fact_kinds
from indexing.answering.selection import Candidate, SelectionConfig, choose, word_relevance


def unit(
    position: int, text: str, score: float, rank: int = 0, continues: bool = True
) -> Candidate:
    terms = frozenset(text.lower().rstrip(".").split())
    return Candidate(position, rank, text, terms, score, continues)


LEAD = unit(10, "Le délégué à la protection des données est obligatoire dans certains cas.", 1.0)
# the sentence right after the lead in its document: it completes it (the exception)
NEXT = unit(11, "La plupart des petites associations ne sont pas tenues d'en nommer un.", 0.45)
# a better-scored sentence elsewhere in the document
ELSEWHERE = unit(
    30, "Un registre des traitements recense chaque fichier tenu par la structure.", 0.6
)
BUDGET = dataclasses.replace(SelectionConfig(), max_chars=160)  # room for two sentences


def test_the_sentence_after_the_lead_completes_it_before_a_better_scored_one_elsewhere() -> None:
    chosen = choose([ELSEWHERE, NEXT, LEAD], frozenset(), False, BUDGET)
    assert [c.unit for c in chosen] == [10, 11]


def test_without_the_reading_order_bonus_scores_alone_decide() -> None:
    plain = dataclasses.replace(BUDGET, follow_bonus=0.0)
    chosen = choose([ELSEWHERE, NEXT, LEAD], frozenset(), False, plain)
    assert [c.unit for c in chosen] == [10, 30]


def test_the_bonus_goes_to_the_unit_that_follows_not_to_the_one_before() -> None:
    before = dataclasses.replace(NEXT, unit=9)
    chosen = choose([ELSEWHERE, before, LEAD], frozenset(), False, BUDGET)
    assert [c.unit for c in chosen] == [10, 30]


def test_a_list_block_or_a_table_row_that_follows_gets_no_bonus() -> None:
    """The next row of a table is another entry, not the end of the row before."""
    block = unit(
        11, "Les cas :\n• traitement à grande échelle\n• données sensibles", 0.45, continues=False
    )
    chosen = choose([ELSEWHERE, block, LEAD], frozenset(), False, BUDGET)
    assert [c.unit for c in chosen] == [10, 30]


def test_a_unit_under_the_floor_is_not_added_even_when_it_follows() -> None:
    weak = dataclasses.replace(NEXT, score=0.1)  # 0.1 + 0.3 < half the best score
    chosen = choose([weak, LEAD], frozenset(), False, SelectionConfig())
    assert [c.unit for c in chosen] == [10]


def test_a_figure_question_gets_at_most_two_units() -> None:
    pool = [
        unit(i, f"Phrase numéro {i} avec des mots nouveaux {i}a {i}b {i}c.", 1.0 - i / 100)
        for i in range(1, 8)
    ]
    chosen = choose(pool, frozenset({fact_kinds.AMOUNT}), False, SelectionConfig())
    assert len(chosen) == 2
    general = choose(pool, frozenset(), False, SelectionConfig())
    assert len(general) > 2


def test_a_unit_is_read_with_its_section_heading_for_a_share_of_its_word_score() -> None:
    weights = {"dpo": 3.0, "petit": 1.0}  # the question's analysed terms, rarer weighs more
    sentence = frozenset({"plupart", "petit", "oblig"})  # "La plupart des petites... obligation"
    heading = frozenset({"faut", "nomm", "dpo"})  # "Faut-il nommer un DPO ?"
    assert word_relevance(weights, sentence, frozenset(), 0.3) == 0.25
    assert word_relevance(weights, sentence, heading, 0.0) == 0.25
    framed = word_relevance(weights, sentence, heading, 0.3)
    assert framed == 0.7 * 0.25 + 0.3 * 1.0
    # the unit's own terms still weigh most: a heading alone is not an answer
    assert word_relevance(weights, frozenset(), heading, 0.3) < framed


def test_a_how_to_question_gets_room_for_its_list_and_what_completes_it() -> None:
    pool = [
        unit(
            i,
            f"Étape {i} : " + " ".join(f"{i}{letter}" for letter in "abcdefgh") + ".",
            1 - i / 100,
        )
        for i in range(1, 12)
    ]
    config = SelectionConfig()
    general = choose(pool, frozenset(), False, config)
    how_to = choose(pool, frozenset(), True, config)
    assert len(general) == config.max_units
    assert len(how_to) == config.list_units > config.max_units
    assert sum(len(c.text) for c in how_to) <= config.list_chars


def with_parts(candidate: Candidate, *parts: str) -> Candidate:
    return dataclasses.replace(candidate, parts=parts)


A = "Le délégué à la protection des données est obligatoire dans certains cas."
B = "Ce délégué peut être mutualisé entre plusieurs petites structures voisines."


def test_a_unit_carrying_the_chosen_one_as_antecedent_takes_its_place() -> None:
    lead = with_parts(unit(10, A, 1.0), A)
    carried = with_parts(unit(11, f"{A} {B}", 0.6), A, B)  # "Ce délégué…" carries its antecedent
    chosen = choose([lead, carried], frozenset(), False, SelectionConfig())
    assert [c.text for c in chosen] == [f"{A} {B}"]  # said once, and completed


def test_a_unit_sharing_a_sentence_without_extending_the_chosen_one_is_left_out() -> None:
    block = with_parts(
        unit(10, f"Les cas :\n• {A}\n• {B}", 1.0, continues=False), "Les cas :", A, B
    )
    item = with_parts(unit(12, f"{A} Voir la liste de la CNIL pour les détails.", 0.9), A, "V")
    other = with_parts(ELSEWHERE, ELSEWHERE.text)
    chosen = choose([block, item, other], frozenset(), False, SelectionConfig())
    assert [c.unit for c in chosen] == [10, 30]  # the item would repeat the list's first line
