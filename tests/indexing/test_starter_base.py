"""The starter knowledge base keeps honest links: one sheet per link, none of the mismatched
links of the first version, and every key fact of the evaluation set in its expected sheet."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import yaml

from indexing.sources.front_matter import load_yaml, parse
from indexing.sources.loaders import build_document, iter_candidate_files, loader_for

ROOT = Path(__file__).resolve().parents[2]
STARTER = ROOT / "knowledge"
MISMATCHED = {  # links that led to a page on another subject (issue 10)
    "ressources/tiers-lieux.md": "https://tierslieux.anct.gouv.fr/fr/conseillers-numeriques-france-services/",
    "ressources/site-web-association.md": "https://aqui.fr/article/un-nouveau-label-pour-le-numerique-associatif",
    "ressources/newsletter-emailing.md": "http://www.avise.org/node/1797",
    "ressources/financer-innovation-sociale-numerique-investissement.md": (
        "https://mediatico.fr/changement-dechelle-lavise-lance-le-reseau-national-des-incubateurs-de-less"
    ),
    "ressources/france-services.md": (
        "https://villes-internet.net/site/france-services-les-premiers-conseillers-numeriques-"
        "arrivent-dans-les-territoires-jusqua-quand"
    ),
}


def sheet_links() -> dict[str, str]:
    links = {}
    for path in STARTER.rglob("*.md"):
        match = re.match(r"---\n(.*?)\n---\n", path.read_text(encoding="utf-8"), re.DOTALL)
        meta = load_yaml(match.group(1)) if match else None
        if isinstance(meta, dict) and path.name != "README.md":
            url = parse(meta).url
            if url:
                links[path.relative_to(STARTER).as_posix()] = url
    return links


def test_no_link_is_the_link_of_two_sheets() -> None:
    links = sheet_links()
    assert len(links) > 20
    assert [url for url, n in Counter(links.values()).items() if n > 1] == []


def test_the_mismatched_links_are_no_sheets_link() -> None:
    links = sheet_links()
    for sheet, url in MISMATCHED.items():
        assert links.get(sheet) != url


def _normal(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u00a0", " ").replace("\u202f", " ")
    text = re.sub(r"\*\*|__|(?<!\w)[*_]|[*_](?!\w)", "", text)
    return re.sub(r"\s+", " ", text).casefold()


def test_every_key_fact_of_the_evaluation_set_is_in_an_expected_sheet() -> None:
    texts = {}
    for path in iter_candidate_files(STARTER):
        rel = path.relative_to(STARTER).as_posix()
        loader = loader_for(path)
        assert loader is not None
        document = build_document(rel, path.read_bytes(), loader)
        texts[rel] = _normal(f"{document.title}\n{document.text}")
    questions = yaml.safe_load((ROOT / "tests" / "eval" / "questions.yaml").read_text("utf-8"))
    missing = [
        (q["question"], fact)
        for q in questions
        if q.get("expected")
        for fact in q.get("facts") or []
        if not any(_normal(alt) in texts[e] for alt in fact for e in q["expected"])
    ]
    assert missing == []
