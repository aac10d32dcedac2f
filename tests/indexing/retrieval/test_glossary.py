"""The glossary: entries parsed from glossary passages, terms found in questions (folded, longest
first, overlapping ones too) and the question expanded with them."""

from __future__ import annotations

from indexing.models import Passage
from indexing.retrieval.glossary import Glossary, parse_entry

GLOSSARY = "glossaire.md"
PASSAGES = [
    Passage(
        1,
        GLOSSARY,
        0,
        "Glossaire > DLA — Dispositif local d'accompagnement",
        "Accompagnement gratuit des structures de l'ESS.\nSynonymes : dispositif local",
    ),
    Passage(2, GLOSSARY, 1, "Glossaire > Tiers-lieu — lieu hybride", "Un espace partagé."),
    Passage(3, GLOSSARY, 2, "Glossaire > Lieu — endroit", "Un endroit."),
    Passage(4, "ressources/dla.md", 0, "DLA — pas une entrée", "Le DLA est gratuit."),
]


def glossary() -> Glossary:
    return Glossary.from_passages(PASSAGES, {GLOSSARY})


def test_an_entry_has_its_term_expansion_definition_and_synonyms() -> None:
    term = parse_entry(PASSAGES[0].section, PASSAGES[0].text, GLOSSARY)
    assert term is not None
    assert (term.term, term.expansion) == ("DLA", "Dispositif local d'accompagnement")
    assert term.definition == "Accompagnement gratuit des structures de l'ESS."
    assert term.variants == ("dispositif local", "dla")
    assert parse_entry("", "texte", GLOSSARY) is None


def test_only_glossary_documents_give_entries() -> None:
    assert [t.term for t in glossary().terms] == ["DLA", "Tiers-lieu", "Lieu"]


def test_find_folds_and_returns_overlapping_terms_longest_first() -> None:
    found = glossary().find("Un TIERS-LIEU peut-il demander un dla ?")
    assert [t.term for t in found] == ["Tiers-lieu", "Lieu", "DLA"]
    assert [t.term for t in glossary().find("le dispositif local de Rennes")] == ["DLA"]
    assert glossary().find("aucune entrée ici") == []
    assert glossary().find("DLAS") == []  # whole words only


def test_expand_appends_the_expansions() -> None:
    expanded = glossary().expand("C'est quoi le DLA ?")
    assert expanded == "C'est quoi le DLA ? (DLA Dispositif local d'accompagnement)"
    assert glossary().expand("Bonjour") == "Bonjour"
    assert Glossary([]).find("DLA") == []
