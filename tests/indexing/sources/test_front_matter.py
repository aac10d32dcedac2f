"""The front matter schema: every wrong type is named with its field; dates and examples of
files without front matter; the page a passage credits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from indexing.answering.credits import credited_url
from indexing.errors import UnreadableFileError
from indexing.models import Reference
from indexing.sources import front_matter
from indexing.sources.front_matter import FrontMatterError, check, load_yaml, parse
from indexing.sources.loaders import build_document, loader_for

STARTER = Path(__file__).resolve().parents[3] / "knowledge"


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("title", ["a", "b"], "title : « ['a', 'b'] » n'est pas un texte"),
        ("url", ["https://a.example"], "n'est pas une adresse (un seul lien http(s) attendu)"),
        ("url", "ftp://a.example/x", "url : « ftp://a.example/x » n'est pas un lien http(s)"),
        ("date", "2024-13-45", "date : « 2024-13-45 » n'est pas une date AAAA-MM-JJ"),
        ("date", "hier", "date : « hier » n'est pas une date AAAA-MM-JJ"),
        ("date", 2024, "date : « 2024 » n'est pas une date AAAA-MM-JJ"),
        ("review_by", "31/12/2026", "review_by : « 31/12/2026 » n'est pas une date AAAA-MM-JJ"),
        (
            "facts_date",
            "2016 ?",
            "facts_date : « 2016 ? » n'est ni une date AAAA-MM-JJ ni une année",
        ),
        (
            "type",
            "fiche",
            "type : « fiche » n'est pas un type connu (ressource, atelier, glossaire, reponse)",
        ),
        ("tags", {"a": 1}, "tags : « {'a': 1} » n'est pas une liste de mots-clés"),
        ("exemple", "oui", "exemple : « oui » n'est pas true ou false"),
        ("sources", "https://a.example", "sources : une liste d'entrées {title, url, publisher"),
        ("sources", [42], "sources : entrée 1 : « 42 » n'est ni une adresse ni une référence"),
        ("sources", [{"titre": "x"}], "sources : entrée 1 : champ inconnu « titre »"),
        (
            "sources",
            [{"title": "x", "year": "2016"}],
            "sources : entrée 1 : year « 2016 » n'est pas une année (nombre)",
        ),
        (
            "sources",
            ["https://a.example", "www.b.example"],
            "sources : entrée 2 : « www.b.example » n'est pas un lien http(s)",
        ),
        (
            "sources",
            [{"title": "x", "url": "javascript:alert(1)"}],
            "sources : entrée 1 : url « javascript:alert(1) » n'est pas un lien http(s)",
        ),
    ],
)
def test_each_wrong_type_is_named_with_its_field(field: str, value: object, expected: str) -> None:
    meta = {"title": "Fiche", "date": "2026-11-15", field: value}
    front, problems = check(meta)
    assert [p.field for p in problems] == [field]
    assert expected in problems[0].message
    assert front.title == ("Fiche" if field != "title" else None)
    with pytest.raises(FrontMatterError) as raised:
        parse(meta)
    assert isinstance(raised.value, UnreadableFileError) and expected in str(raised.value)


def test_a_valid_front_matter_is_typed() -> None:
    meta = load_yaml(
        "title: Fiche\nurl: https://a.example/page\ndate: 2026-11-15\ntype: Ressource\n"
        "tags: [RGPD, CNIL]\nexemple: true\nreview_by: 2027-06-30\nfacts_date: 2016\n"
        "sources:\n  - https://b.example\n  - title: Baromètre\n    url: https://c.example\n"
        "    publisher: Solidatech\n    year: 2016\n"
    )
    assert isinstance(meta, dict)
    front = parse(meta)
    assert (front.title, front.url, front.date, front.type) == (
        "Fiche",
        "https://a.example/page",
        "2026-11-15",
        "ressource",
    )
    assert front.tags == ("RGPD", "CNIL") and front.example is True
    assert (front.review_by, front.facts_date) == ("2027-06-30", "2016")
    assert front.references == (
        Reference("", "https://b.example"),
        Reference("Baromètre", "https://c.example", "Solidatech", 2016),
    )


def test_an_impossible_date_is_text_not_a_crash() -> None:
    meta = load_yaml("date: 2024-13-45\n")
    assert meta == {"date": "2024-13-45"}


def test_review_is_due_the_day_after_the_review_date() -> None:
    day = dt.date(2027, 6, 30)
    assert not front_matter.review_due("2027-06-30", day)
    assert front_matter.review_due("2027-06-30", day + dt.timedelta(days=1))
    assert not front_matter.review_due(None, day)


def test_pdf_and_docx_get_title_date_and_example_flag_without_front_matter() -> None:
    pdf = STARTER / "ressources" / "checklist-securite-numerique-association.pdf"
    docx = STARTER / "ateliers" / "atelier-cybersecurite-petites-equipes.docx"
    loader = loader_for(pdf)
    assert loader is not None
    sheet = build_document("ressources/x.pdf", pdf.read_bytes(), loader)
    assert sheet.title.startswith("Check-list : 12 gestes de sécurité numérique")
    assert sheet.date == "2026-05-20" and sheet.example is False and sheet.type == "ressource"
    loader = loader_for(docx)
    assert loader is not None
    note = build_document("ateliers/x.docx", docx.read_bytes(), loader)
    assert note.title == "Atelier cybersécurité pour petites équipes"
    assert note.date == "2026-05-20" and note.example is True and note.type == "atelier"


def test_a_text_file_without_date_line_has_no_date() -> None:
    loader = loader_for(Path("a.txt"))
    assert loader is not None
    doc = build_document("a.txt", "Notes\n\nRéunion sans date.".encode(), loader)
    assert doc.date is None and doc.example is False


def test_a_passage_credits_its_link_or_its_footnote() -> None:
    refs = (Reference("A", "https://a.example"), Reference("B", None), Reference("C", "https://c"))
    assert credited_url("Voir [la page](https://x.example/p).", refs) == "https://x.example/p"
    assert credited_url("Source : https://y.example/q.", refs) == "https://y.example/q"
    assert credited_url("15,4 % en 2021 [3].", refs) == "https://c"
    assert credited_url("Chiffre [2] sans lien, puis [1].", refs) == "https://a.example"
    assert credited_url("Rien ici [9].", refs) is None
