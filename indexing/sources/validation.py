"""`essbot check`: validate the knowledge folder without indexing it.

Front matter against the schema of `front_matter`, unknown types, missing titles and dates, a
URL that is the link of several sheets, sources without a title, links that are not http(s),
files the loaders cannot read, review dates passed. Errors must be fixed; warnings inform.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from indexing.errors import UnreadableFileError
from indexing.sources import front_matter
from indexing.sources.loaders import RawText, iter_candidate_files, loader_for, read_file

_BODY_LINK = re.compile(r"\]\(\s*([^)\s]+)[^)]*\)")
_HTTP = re.compile(r"^https?://", re.IGNORECASE)
_HEADING = re.compile(r"^#{1,6}\s+\S", re.MULTILINE)


@dataclass(frozen=True)
class Finding:
    """One problem of one file: which field, and what to do about it."""

    path: str
    field: str
    message: str

    def to_json(self) -> dict[str, str]:
        """The JSON form of `essbot check --json`."""
        return {"path": self.path, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class CheckReport:
    """What `essbot check` found in the knowledge folder."""

    files: int
    errors: tuple[Finding, ...] = ()
    warnings: tuple[Finding, ...] = ()

    @property
    def clean(self) -> bool:
        """True when nothing must be fixed (warnings allowed)."""
        return not self.errors

    def summary(self) -> str:
        """The one-line French summary."""
        return (
            f"{self.files} fichier{'s' if self.files > 1 else ''} vérifié"
            f"{'s' if self.files > 1 else ''} : {_count(len(self.errors), 'erreur')}, "
            f"{_count(len(self.warnings), 'avertissement')}"
        )

    def to_json(self) -> dict[str, object]:
        """`{files, errors: [{path, field, message}], warnings: [...]}`."""
        return {
            "files": self.files,
            "errors": [f.to_json() for f in self.errors],
            "warnings": [f.to_json() for f in self.warnings],
        }


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


@dataclass
class _Findings:
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    links: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def check_folder(root: Path, max_bytes: int, today: dt.date) -> CheckReport:
    """Validate every file a loader handles under `root`."""
    if not root.is_dir():
        raise UnreadableFileError(f"dossier de connaissances introuvable : {root}")
    found = _Findings()
    files = list(iter_candidate_files(root))
    for path in files:
        _check_file(root, path, max_bytes, today, found)
    for url, paths in found.links.items():
        if len(paths) > 1:
            for rel in paths:
                others = ", ".join(p for p in paths if p != rel)
                found.errors.append(
                    Finding(rel, "url", f"url : « {url} » est déjà le lien de {others}")
                )
    return CheckReport(
        files=len(files),
        errors=tuple(sorted(found.errors, key=lambda f: (f.path, f.field))),
        warnings=tuple(sorted(found.warnings, key=lambda f: (f.path, f.field))),
    )


def _check_file(root: Path, path: Path, max_bytes: int, today: dt.date, found: _Findings) -> None:
    rel = path.relative_to(root).as_posix()
    loader = loader_for(path)
    assert loader is not None  # iter_candidate_files only yields files a loader handles
    try:
        raw = loader.load(read_file(root, path, max_bytes))
    except UnreadableFileError as exc:
        found.errors.append(Finding(rel, "fichier", f"fichier illisible : {exc}"))
        return
    except (OSError, RecursionError, ValueError) as exc:
        found.errors.append(
            Finding(
                rel, "fichier", f"fichier illisible : lecture impossible ({type(exc).__name__})"
            )
        )
        return
    if not raw.text.strip():
        found.errors.append(Finding(rel, "fichier", "fichier illisible : fichier vide"))
        return
    if raw.meta is None:
        _check_plain(rel, raw, found)
    else:
        _check_front_matter(rel, raw, today, found)


def _check_plain(rel: str, raw: RawText, found: _Findings) -> None:
    """PDF, DOCX, text and HTML: a title and a date line are recommended."""
    if not raw.title and not _HEADING.search(raw.text):
        found.warnings.append(
            Finding(rel, "title", "title : ni titre dans les propriétés ni premier intertitre")
        )
    if not front_matter.date_line(raw.text):
        found.warnings.append(
            Finding(rel, "date", "date : pas de ligne « Date : AAAA-MM-JJ » en tête du document")
        )


def _check_front_matter(rel: str, raw: RawText, today: dt.date, found: _Findings) -> None:
    meta = raw.meta or {}
    front, problems = front_matter.check(meta)
    found.errors += [Finding(rel, p.field, p.message) for p in problems]
    if "title" not in meta:
        found.errors.append(Finding(rel, "title", "title : absent (le titre de la fiche)"))
    if "date" not in meta:
        found.errors.append(
            Finding(rel, "date", "date : absente (date de rédaction ou de relecture, AAAA-MM-JJ)")
        )
    if front.url:
        found.links[front.url].append(rel)
    for rank, reference in enumerate(front.references, 1):
        if not reference.title:
            found.errors.append(Finding(rel, "sources", f"sources : entrée {rank} sans titre"))
    for target in _BODY_LINK.findall(raw.text):
        if not _HTTP.match(target):
            found.errors.append(
                Finding(rel, "texte", f"texte : le lien « {target} » n'est pas un lien http(s)")
            )
    if front_matter.review_due(front.review_by, today):
        found.warnings.append(
            Finding(rel, "review_by", f"review_by : relecture prévue le {front.review_by}, passée")
        )
