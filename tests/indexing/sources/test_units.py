"""Answer units: sentences, list blocks, items, table rows, headings; antecedents carried."""

from __future__ import annotations

from dataclasses import dataclass

from indexing.models import Document
from indexing.sources.chunking import chunk_document, split_sentences
from indexing.sources.units import (
    HEADING,
    ITEM,
    LIST,
    ROW,
    SENTENCE,
    Unit,
    build_units,
    starts_with_anaphor,
)


@dataclass(frozen=True)
class P:
    doc_path: str
    section: str
    text: str


def units_of(text: str, section: str = "Doc > Section") -> list[Unit]:
    return build_units([P("a.md", section, text)])


def texts(units: list[Unit], kind: str) -> list[str]:
    return [u.text for u in units if u.kind == kind]


def test_sentences_are_units_and_carry_their_parts() -> None:
    units = units_of("Le DLA est gratuit pour les structures. Il dure environ six mois.")
    sentences = texts(units, SENTENCE)
    assert sentences[0] == "Le DLA est gratuit pour les structures."
    # "Il" points back: the unit carries the sentence it refers to
    assert sentences[1] == "Le DLA est gratuit pour les structures. Il dure environ six mois."
    carried = next(u for u in units if u.text == sentences[1])
    assert carried.parts == ("Le DLA est gratuit pour les structures.", "Il dure environ six mois.")


def test_a_chain_of_sentences_pointing_back_carries_its_first_antecedent() -> None:
    units = units_of(
        "La création passe par une déclaration en préfecture. Cette démarche peut se faire en "
        "ligne. Elle demande un exemplaire des statuts."
    )
    last = texts(units, SENTENCE)[-1]
    # "Elle" points to "Cette démarche", which points to the declaration: both come along
    assert last == (
        "La création passe par une déclaration en préfecture. Cette démarche peut se faire en "
        "ligne. Elle demande un exemplaire des statuts."
    )
    assert next(u for u in units if u.text == last).parts == (
        "La création passe par une déclaration en préfecture.",
        "Cette démarche peut se faire en ligne.",
        "Elle demande un exemplaire des statuts.",
    )


def test_a_long_chain_carries_only_the_sentence_before() -> None:
    long = "La déclaration en préfecture " + "précise et détaillée " * 20 + "est obligatoire."
    units = units_of(f"{long} Cette démarche se fait en ligne. Elle est gratuite.")
    assert texts(units, SENTENCE)[-1] == "Cette démarche se fait en ligne. Elle est gratuite."


def test_a_question_is_never_a_unit_but_the_antecedent_of_its_answer() -> None:
    units = units_of(
        "Faut-il un agrément ESUS pour cela ? Il ouvre l'accès à l'épargne solidaire. "
        "Le dossier se dépose à la préfecture."
    )
    assert texts(units, SENTENCE) == [
        "Faut-il un agrément ESUS pour cela ? Il ouvre l'accès à l'épargne solidaire.",
        "Le dossier se dépose à la préfecture.",
    ]


def test_an_anaphor_opening_a_section_carries_the_heading() -> None:
    units = units_of(
        "Cette personne doit être membre du bureau élu.", "Doc > Qui signe les chèques"
    )
    sentence = texts(units, SENTENCE)[0]
    assert sentence == "Qui signe les chèques : cette personne doit être membre du bureau élu."


def test_a_list_block_keeps_its_introduction_and_never_dangles() -> None:
    text = (
        "Le formulaire doit notamment respecter :\n"
        "- **Les mentions légales** : finalité et durée de conservation.\n"
        "- Le droit d'accès des personnes concernées.\n"
        "- hébergement dans l'Union européenne"
    )
    units = units_of(text)
    block = texts(units, LIST)[0]
    assert block.startswith("Le formulaire doit notamment respecter :\n• Les mentions légales")
    assert "• hébergement dans l'Union européenne" in block
    # the sentence ending on ':' is never a unit of its own
    assert not any(u.text.rstrip().endswith(":") for u in units)
    items = texts(units, ITEM)
    assert "Les mentions légales : finalité et durée de conservation." in items
    # a lower-case fragment is not quoted alone
    assert not any(u.text[0].islower() for u in units)


def test_a_long_list_is_trimmed_item_by_item() -> None:
    items = "\n".join(f"- Point numéro {n} : " + "détail important " * 12 for n in range(12))
    block = texts(units_of("Voici les points :\n" + items), LIST)[0]
    assert len(block) <= 720
    assert block.endswith("• …") and block.count("\n• ") >= 3


def test_table_rows_name_their_columns() -> None:
    text = "| Outil | Prix |\n|---|---|\n| Paheko | gratuit en auto-hébergement |"
    assert texts(units_of(text), ROW) == ["Outil : Paheko ; Prix : gratuit en auto-hébergement."]


def test_a_heading_with_its_first_sentence_is_a_unit() -> None:
    units = units_of("Ne collecter que le strict nécessaire.", "Doc > Minimiser les données")
    assert texts(units, HEADING) == [
        "Minimiser les données : ne collecter que le strict nécessaire."
    ]
    asked = units_of("La plupart des associations n'y sont pas tenues.", "Doc > Faut-il un DPO ?")
    assert texts(asked, HEADING) == [
        "Faut-il un DPO ? La plupart des associations n'y sont pas tenues."
    ]


def test_source_names_notes_and_pointer_sections_are_left_out() -> None:
    units = units_of(
        "La moitié des ateliers sont gratuits (Fraap). Selon l'étude, c'est stable "
        "(source : Insee, 2023).\nNote de la rédaction : chiffres à vérifier chaque année."
    )
    assert next(u.text for u in units if u.kind == SENTENCE) == (
        "La moitié des ateliers sont gratuits."
    )
    assert not any("Insee" in u.text or "Note" in u.text for u in units)
    assert units_of("Le site de la CNIL explique tout.", "Doc > Ressources") == []


def test_anaphors_are_recognised_but_forward_pointers_are_not() -> None:
    assert starts_with_anaphor("Il faut le faire.")
    assert starts_with_anaphor("Pour compenser, on mutualise.")
    assert starts_with_anaphor("C’est gratuit.")
    assert not starts_with_anaphor("Ce que l'on peut trouver :")
    assert not starts_with_anaphor("L'association tient un registre.")


def test_french_abbreviations_do_not_end_sentences() -> None:
    assert split_sentences("M. Dupont signe. Il part.") == ["M. Dupont signe.", "Il part."]
    assert split_sentences("Selon l'art. L. 103 du code, oui. Voir p. 4.") == [
        "Selon l'art. L. 103 du code, oui.",
        "Voir p. 4.",
    ]


def test_a_hash_line_in_a_code_block_is_not_a_heading() -> None:
    text = "# Guide\n\n## Installer\n\n```sh\n# pas un titre\nmake run\n```\n\nPuis on vérifie."
    chunks = chunk_document(Document("g.md", "Guide", text, "h"))
    assert {c.section for c in chunks} == {"Installer"}
    assert "# pas un titre" in chunks[0].text


QUESTION_SECTION = "Doc > Une association peut-elle accueillir un conseiller ?"


def test_a_short_answer_opens_the_sentence_that_follows_it() -> None:
    units = units_of("Non, pas toujours. Le DPO n'est obligatoire que dans certains cas.")
    assert texts(units, SENTENCE) == [
        "Non, pas toujours. Le DPO n'est obligatoire que dans certains cas."
    ]


def test_a_question_section_answered_by_a_list_quotes_question_answer_and_list() -> None:
    units = units_of(
        "Oui. D'après le centre d'aide, peuvent être structures d'accueil :\n"
        "- les collectivités et leurs établissements publics\n"
        "- les associations déclarées en préfecture\n"
        "\nLes services déconcentrés de l'État ne sont pas éligibles.",
        QUESTION_SECTION,
    )
    assert texts(units, LIST) == [
        "Une association peut-elle accueillir un conseiller ? Oui. D'après le centre d'aide, "
        "peuvent être structures d'accueil :\n• les collectivités et leurs établissements "
        "publics\n• les associations déclarées en préfecture"
    ]
    # the heading's question is never paired with a later sentence, which would read as its
    # answer ("… accueillir un conseiller ? Les services … ne sont pas éligibles.")
    assert texts(units, HEADING) == []


def test_a_list_under_a_question_heading_is_introduced_by_the_question_alone() -> None:
    units = units_of(
        "- De droit : associations, coopératives, mutuelles et fondations.\n"
        "- Les sociétés commerciales qui en adoptent les principes.",
        "Doc > Qui peut en faire partie ?",
    )
    assert texts(units, LIST)[0].startswith("Qui peut en faire partie ?\n• De droit")


def test_an_item_quoted_alone_carries_what_announced_it() -> None:
    units = units_of(
        "À éviter absolument :\n"
        "- Les mots de passe notés dans un tableur partagé avec tous.\n"
        "- Framasoft ferme parfois des services, vérifiez avant de migrer.\n"
        "- Nextcloud : logiciel libre de partage de fichiers à héberger."
    )
    assert texts(units, ITEM) == [
        # without "À éviter", the first would read as advice
        "À éviter absolument : les mots de passe notés dans un tableur partagé avec tous.",
        "À éviter absolument : Framasoft ferme parfois des services, vérifiez avant de migrer.",
        "Nextcloud : logiciel libre de partage de fichiers à héberger.",  # it names its subject
    ]
    # its vector is still the item's own sentences'
    item = next(u for u in units if u.kind == ITEM)
    assert item.parts == ("Les mots de passe notés dans un tableur partagé avec tous.",)
