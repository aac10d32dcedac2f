"""References, example flags, review dates and credited passages travel from the front matter
through the index to the sources of an answer."""

from __future__ import annotations

from pathlib import Path

from indexing.engine import KnowledgeEngine
from indexing.models import Reference

BAROMETER = Reference("Baromètre 2016", "https://example.org/barometre", "Solidatech", 2016)
GUIDE = Reference("Guide du DLA", "https://example.org/guide-dla", "Avise", 2019)


def test_sources_carry_references_example_review_and_credited_page(
    engine: KnowledgeEngine, kb_dir: Path
) -> None:
    dla = kb_dir / "ressources" / "dla.md"
    dla.write_text(
        dla.read_text(encoding="utf-8")
        .replace(
            "date: 2026-11-15\n",
            "date: 2026-11-15\nexemple: true\nreview_by: 2001-01-01\nfacts_date: 2016\n"
            "sources:\n  - title: Baromètre 2016\n    url: https://example.org/barometre\n"
            "    publisher: Solidatech\n    year: 2016\n  - title: Guide du DLA\n"
            "    url: https://example.org/guide-dla\n    publisher: Avise\n    year: 2019\n",
            1,
        )
        .replace("il existe dans chaque département.", "il existe dans chaque département [2]."),
        encoding="utf-8",
    )
    rgpd = kb_dir / "ressources" / "rgpd.md"
    rgpd.write_text(
        rgpd.read_text(encoding="utf-8").replace(
            "date: 2026-11-15\n", "date: 2026-11-15\nreview_by: 2999-01-01\n", 1
        ),
        encoding="utf-8",
    )
    engine.reindex()
    first = engine.answer("Le DLA est-il gratuit pour une association ?").sources[0]
    assert first.path == "ressources/dla.md"
    assert first.references == (BAROMETER, GUIDE)
    assert first.example and first.review_due and first.facts_date == "2016"
    assert first.passage_url == "https://example.org/guide-dla"  # the passage's footnote [2]
    assert first.link == "https://example.org/guide-dla" and first.url == "https://example.org/dla"
    rgpd_source = engine.answer("registre des traitements RGPD association").sources[0]
    assert rgpd_source.path == "ressources/rgpd.md"
    assert not rgpd_source.review_due and not rgpd_source.example
    assert rgpd_source.references == () and rgpd_source.link == "https://example.org/rgpd"
    info = {d.path: d for d in engine.documents()}["ressources/dla.md"]
    assert (info.example, info.review_by, info.references) == (
        True,
        "2001-01-01",
        (BAROMETER, GUIDE),
    )
