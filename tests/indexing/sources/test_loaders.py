"""Loading the knowledge folder: formats, metadata, and files that must be skipped with a reason."""

from __future__ import annotations

import zlib
from pathlib import Path

import docx
import pytest

from indexing.errors import UnreadableFileError
from indexing.sources.loaders import build_document, iter_candidate_files, loader_for, read_file


def load(path: Path, root: Path | None = None):  # type: ignore[no-untyped-def]
    """Load one file the way the indexer does."""
    root = root or path.parent
    loader = loader_for(path)
    assert loader is not None
    return build_document(
        path.relative_to(root).as_posix(), read_file(root, path, 10_000_000), loader
    )


def make_pdf(text: str) -> bytes:
    """A minimal, valid one-page PDF with a text layer (WinAnsi encoded)."""
    stream = zlib.compress(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("cp1252"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_markdown_front_matter_is_read(tmp_path: Path) -> None:
    path = tmp_path / "fiche.md"
    path.write_text(
        "---\ntitle: Fiche\nurl: https://example.org/a\ndate: 2026-01-02\ntype: atelier\n"
        "tags: [a, b]\nthemes: [x]\nauteur: équipe\n---\n# Autre titre\n\nCorps du texte.\n",
        encoding="utf-8",
    )
    doc = load(path)
    assert (doc.title, doc.url, doc.date, doc.type, doc.tags) == (
        "Fiche",
        "https://example.org/a",
        "2026-01-02",
        "atelier",
        ("a", "b"),
    )
    assert doc.metadata == {"themes": ["x"], "auteur": "équipe"}
    assert doc.text.startswith("# Autre titre")


def test_title_falls_back_to_first_heading_then_file_name(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("Intro\n\n## Le vrai titre\n\ntexte", encoding="utf-8")
    (tmp_path / "mon-fichier_texte.txt").write_text("juste du texte", encoding="utf-8")
    assert load(tmp_path / "a.md").title == "Le vrai titre"
    assert load(tmp_path / "mon-fichier_texte.txt").title == "Mon fichier texte"


def test_pdf_text_is_extracted(tmp_path: Path) -> None:
    path = tmp_path / "guide.pdf"
    path.write_bytes(make_pdf("Sécurité numérique des associations"))
    doc = load(path)
    assert "Sécurité numérique des associations" in doc.text


def test_docx_headings_become_sections(tmp_path: Path) -> None:
    document = docx.Document()
    document.core_properties.title = "Compte rendu d'atelier"
    document.add_heading("Points clés", level=1)
    document.add_paragraph("Les participants ont comparé les outils de visioconférence.")
    path = tmp_path / "atelier.docx"
    document.save(str(path))
    doc = load(path)
    assert doc.title == "Compte rendu d'atelier"
    assert "# Points clés" in doc.text
    assert "visioconférence" in doc.text


def test_html_keeps_main_text_only(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Page</title><script>var x=1;</script></head><body>"
        "<nav>Menu Accueil Contact</nav>"
        "<main><h1>Accessibilité</h1><p>Le RGAA s'applique.</p></main>"
        "<footer>Mentions légales</footer></body></html>",
        encoding="utf-8",
    )
    doc = load(path)
    assert "Le RGAA s'applique." in doc.text
    assert "Menu" not in doc.text and "Mentions" not in doc.text and "var x" not in doc.text
    assert doc.title == "Page"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("corrompu.pdf", b"%PDF-1.4\n\x00\x01garbage", "PDF"),
        ("binaire.md", b"\x00\x01\x02\x03" * 50, "binaire"),
        ("entete.md", "---\ntitle: [non fermé\n---\ntexte".encode(), "YAML"),
        ("latin1.txt", "Données éthiques".encode("latin-1"), "UTF-8"),
        ("vide.md", b"---\ntitle: x\n---\n", "vide"),
        ("casse.docx", b"PK\x03\x04 not a zip", "DOCX"),
    ],
)
def test_bad_files_raise_a_clear_reason(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableFileError, match=reason):
        load(path)


def test_oversized_files_and_outside_symlinks_are_refused(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    root.mkdir()
    (root / "gros.md").write_text("x" * 2000, encoding="utf-8")
    outside = tmp_path / "secret.md"
    outside.write_text("secret", encoding="utf-8")
    (root / "lien.md").symlink_to(outside)
    with pytest.raises(UnreadableFileError, match="trop gros"):
        read_file(root, root / "gros.md", 1000)
    with pytest.raises(UnreadableFileError, match="hors du dossier"):
        read_file(root, root / "lien.md", 1000)


def test_hidden_files_and_readmes_are_skipped(tmp_path: Path) -> None:
    (tmp_path / ".brouillon.md").write_text("x", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "a.md").write_text("x", encoding="utf-8")
    (tmp_path / "README.md").write_text("x", encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / "sous").mkdir()
    (tmp_path / "sous" / "fiche.md").write_text("x", encoding="utf-8")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_candidate_files(tmp_path)]
    assert found == ["sous/fiche.md"]


def encrypted_pdf(user_password: str, algorithm: str = "AES-256") -> bytes:
    """A PDF encrypted the way a protected report is (AES needs `cryptography`)."""
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(make_pdf("Rapport annuel du reseau"))))
    owner = "proprietaire"
    writer.encrypt(user_password=user_password, owner_password=owner, algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_password_protected_pdf_is_reported_as_such(tmp_path: Path) -> None:
    path = tmp_path / "protege.pdf"
    path.write_bytes(encrypted_pdf("secret"))
    with pytest.raises(UnreadableFileError, match="PDF protégé par mot de passe"):
        load(path)


def test_pdf_encrypted_without_a_user_password_is_read(tmp_path: Path) -> None:
    path = tmp_path / "restreint.pdf"
    path.write_bytes(encrypted_pdf(""))  # only copying and printing are restricted
    assert "Rapport annuel" in load(path).text


def test_html_text_in_divs_and_spans_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "divs.html"
    body = (
        "Le tiers-lieu accueille les porteurs de projet de l'économie sociale et solidaire "
        "chaque jeudi, avec un accompagnement sur le numérique responsable. "
    )
    path.write_text(
        "<html><head><title>Tiers-lieu</title></head><body>"
        "<nav>Menu Accueil Contact</nav>"
        f"<div class='contenu'><div>{body * 3}</div><span>Inscription auprès de l'animatrice."
        "</span></div><footer>Mentions légales</footer></body></html>",
        encoding="utf-8",
    )
    doc = load(path)
    assert "Le tiers-lieu accueille" in doc.text and "Inscription auprès" in doc.text
    assert "Mentions légales" not in doc.text
    bare = tmp_path / "bare.html"
    bare.write_text("<body>Seulement une phrase courte.</body>", encoding="utf-8")
    assert load(bare).text == "Seulement une phrase courte."  # fallback: all visible text
