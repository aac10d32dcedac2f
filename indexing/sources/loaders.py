"""Read the files of the knowledge folder into `Document`s, one loader per format."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import yaml

from indexing.errors import UnreadableFileError
from indexing.models import Document
from indexing.sources import front_matter

if TYPE_CHECKING:
    from bs4 import BeautifulSoup

log = logging.getLogger(__name__)

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_SKIPPED_NAMES = {"readme.md", "readme.txt", "readme"}


@dataclass(frozen=True)
class RawText:
    """What a loader extracts before metadata is resolved."""

    text: str
    title: str | None = None
    meta: dict[str, object] | None = None


class Loader(Protocol):
    """Turns the bytes of one file into text and optional metadata."""

    suffixes: tuple[str, ...]

    def load(self, data: bytes) -> RawText:
        """Extract the text; raise UnreadableFileError with a reason on failure."""
        ...


def _decode(data: bytes) -> str:
    encoding = "utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
    if encoding != "utf-16" and b"\x00" in data[:4096]:
        raise UnreadableFileError("fichier binaire, pas du texte")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UnreadableFileError(
            f"texte illisible : encodage non UTF-8 (octet {exc.start})"
        ) from exc


def split_front_matter(text: str) -> tuple[dict[str, object], str]:
    """Separate YAML front matter from the body; broken YAML is an error, not silence."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = front_matter.load_yaml(match.group(1)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (ligne {mark.line + 2})" if mark is not None else ""
        raise UnreadableFileError(f"en-tête YAML invalide{where}") from exc
    if not isinstance(meta, dict):
        raise UnreadableFileError("en-tête YAML invalide : ce n'est pas une liste de champs")
    return {str(k): v for k, v in meta.items()}, text[match.end() :]


class MarkdownLoader:
    """Markdown with optional YAML front matter."""

    suffixes: tuple[str, ...] = (".md", ".markdown")

    def load(self, data: bytes) -> RawText:
        """Split front matter and keep the Markdown body."""
        meta, body = split_front_matter(_decode(data))
        return RawText(text=body, meta=meta)


class TextLoader:
    """Plain UTF-8 text."""

    suffixes: tuple[str, ...] = (".txt",)

    def load(self, data: bytes) -> RawText:
        """Decode the text as is."""
        return RawText(text=_decode(data))


class PdfLoader:
    """Text-based PDF files, page by page."""

    suffixes: tuple[str, ...] = (".pdf",)

    def load(self, data: bytes) -> RawText:
        """Extract the text layer with pypdf."""
        from pypdf import PdfReader
        from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

        try:
            reader = PdfReader(io.BytesIO(data))
            pages = [page.extract_text() or "" for page in reader.pages]
            title = reader.metadata.title if reader.metadata else None
        except FileNotDecryptedError as exc:  # an empty user password was tried and refused
            raise UnreadableFileError("PDF protégé par mot de passe") from exc
        except DependencyError as exc:  # AES without `cryptography` (pypdf[crypto])
            raise UnreadableFileError(
                "PDF chiffré : installez pypdf[crypto] pour le lire s'il n'a pas de mot de passe"
            ) from exc
        except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
            raise UnreadableFileError(
                f"PDF illisible ou corrompu ({exc.__class__.__name__})"
            ) from exc
        text = "\n\n".join(p.strip() for p in pages if p.strip())
        if not text:
            raise UnreadableFileError("PDF sans texte extractible (document scanné ?)")
        return RawText(text=text, title=str(title) if title else None)


class DocxLoader:
    """Word documents: headings become Markdown headings."""

    suffixes: tuple[str, ...] = (".docx",)

    def load(self, data: bytes) -> RawText:
        """Walk the paragraphs, keeping heading levels."""
        import zipfile

        import docx

        try:
            document = docx.Document(io.BytesIO(data))
        except (zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise UnreadableFileError("DOCX illisible ou corrompu") from exc
        lines: list[str] = []
        for para in document.paragraphs:
            text = para.text.strip()
            if not text:
                continue
            style = (para.style.name or "") if para.style is not None else ""
            level = _heading_level(style)
            if level:
                lines.append("#" * level + " " + text)
            elif "List" in style:
                lines.append("- " + text)
            else:
                lines.append(text)
        for table in document.tables:
            for row in table.rows:
                lines.append(" | ".join(cell.text.strip() for cell in row.cells))
        title = document.core_properties.title or None
        return RawText(text="\n\n".join(lines), title=title)


def _heading_level(style: str) -> int:
    if style == "Title":
        return 1
    match = re.match(r"Heading (\d)", style)
    return min(int(match.group(1)), 6) if match else 0


class HtmlLoader:
    """HTML pages: the main text only, without navigation, scripts and footers."""

    suffixes: tuple[str, ...] = (".html", ".htm")

    def load(self, data: bytes) -> RawText:
        """The main text as trafilatura finds it, else all the visible text."""
        from bs4 import BeautifulSoup

        html = _decode(data)
        soup = BeautifulSoup(html, "html.parser")
        title = soup.title.get_text(strip=True) if soup.title else None
        text = main_html_text(html) or visible_html_text(soup)
        return RawText(text=text, title=title)


_HTML_BOILERPLATE = ["script", "style", "nav", "header", "footer", "aside", "form", "noscript"]


def main_html_text(html: str) -> str:
    """The page's main content as Markdown (headings, paragraphs, lists, tables), by trafilatura,
    whatever elements hold the text (p, div, span...); empty when it finds none."""
    import trafilatura

    prune = [f"//{tag}" for tag in _HTML_BOILERPLATE]
    extracted = trafilatura.extract(
        html,
        output_format="markdown",
        include_comments=False,
        include_tables=True,
        favor_recall=True,
        prune_xpath=prune,
    )
    return (extracted or "").strip()


def visible_html_text(soup: BeautifulSoup) -> str:
    """Every visible line of the page outside navigation and scripts (the fallback)."""
    for tag in soup(_HTML_BOILERPLATE):
        tag.decompose()
    root = soup.find("main") or soup.find("article") or soup.body or soup
    lines = (" ".join(line.split()) for line in root.get_text("\n").splitlines())
    return "\n\n".join(line for line in lines if line)


LOADERS: tuple[Loader, ...] = (
    MarkdownLoader(),
    TextLoader(),
    PdfLoader(),
    DocxLoader(),
    HtmlLoader(),
)


def loader_for(path: Path) -> Loader | None:
    """The loader registered for this file's suffix, if any."""
    suffix = path.suffix.lower()
    return next((loader for loader in LOADERS if suffix in loader.suffixes), None)


def iter_candidate_files(root: Path) -> Iterator[Path]:
    """Every file under root that a loader handles, skipping hidden files and folders."""
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.name.lower() in _SKIPPED_NAMES or path.is_dir():
            continue
        if loader_for(path) is not None:
            yield path


def read_file(root: Path, path: Path, max_bytes: int) -> bytes:
    """Read a file's bytes, refusing symlinks out of the folder and oversized files."""
    try:
        resolved = path.resolve()
    except (RuntimeError, OSError) as exc:  # RuntimeError: Python 3.11's "Symlink loop"
        raise UnreadableFileError("lien symbolique en boucle ou inaccessible") from exc
    if not resolved.is_relative_to(root.resolve()):
        raise UnreadableFileError("lien symbolique qui pointe hors du dossier de connaissances")
    if not resolved.is_file():
        raise UnreadableFileError("lien cassé ou fichier spécial")
    size = resolved.stat().st_size
    if size > max_bytes:
        raise UnreadableFileError(
            f"fichier trop gros ({size / 1e6:.1f} Mo, limite {max_bytes / 1e6:.1f} Mo)"
        )
    return resolved.read_bytes()


def content_hash(data: bytes) -> str:
    """Stable hash of a file's bytes."""
    return hashlib.sha256(data).hexdigest()


def build_document(rel_path: str, data: bytes, loader: Loader) -> Document:
    """Run the loader and resolve title, url, date, type, tags and references."""
    raw = loader.load(data)
    meta = dict(raw.meta or {})
    text = raw.text.strip()
    if not text:
        raise UnreadableFileError("fichier vide")
    front = front_matter.parse(meta)  # FrontMatterError names each wrong field
    title = front.title or raw.title or _first_heading(text) or _title_from_name(rel_path)
    extra = {k: _jsonable(v) for k, v in meta.items() if k not in front_matter.SCHEMA_KEYS}
    return Document(
        path=rel_path,
        title=title.strip(),
        text=text,
        content_hash=content_hash(data),
        url=front.url,
        date=front.date or (None if raw.meta is not None else front_matter.date_line(text)),
        type=front.type or _default_type(rel_path),
        tags=front.tags,
        metadata=extra,
        references=front.references,
        example=front.example or (raw.meta is None and front_matter.marked_example(text)),
        review_by=front.review_by,
        facts_date=front.facts_date,
    )


def _default_type(rel_path: str) -> str:
    return "atelier" if rel_path.split("/", maxsplit=1)[0].startswith("atelier") else "ressource"


def _jsonable(value: object) -> object:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _first_heading(text: str) -> str | None:
    match = _HEADING.search(text)
    return match.group(1).strip() if match else None


def _title_from_name(rel_path: str) -> str:
    stem = Path(rel_path).stem.replace("_", " ").replace("-", " ").strip()
    return stem[:1].upper() + stem[1:] if stem else rel_path
