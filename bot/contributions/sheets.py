"""Files of the knowledge inbox: safe names, Markdown sheets with front matter, writes that never
overwrite (except the sheet of a page fetched again), nothing outside the inbox.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from pathlib import Path
from typing import Final

import yaml

from indexing.errors import EngineError

SLUG_MAX: Final = 60
NAME_ATTEMPTS: Final = 1000
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


class UnsafeNameError(EngineError):
    """A file name that cannot be made safe (nothing left of it, or no known format)."""


def slug(text: str, limit: int = SLUG_MAX) -> str:
    """Lowercase ASCII words and hyphens: "Qu'est-ce que le DLA ?" -> "qu-est-ce-que-le-dla"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
    if len(words) <= limit:
        return words
    cut = words[: limit + 1]  # a word that ends right at the limit is kept whole
    return (cut.rsplit("-", 1)[0] if "-" in cut else words[:limit]).rstrip("-")


def safe_file_name(name: str, suffixes: tuple[str, ...]) -> str:
    """A sent file's name made safe: last path part, slug stem, known suffix, never hidden."""
    base = re.split(r"[\\/]", name)[-1]
    stem, dot, suffix = base.rpartition(".")
    suffix = f".{suffix.lower()}" if dot else ""
    if suffix not in suffixes:
        raise UnsafeNameError(f"format non pris en charge ({suffix or 'sans extension'})")
    return f"{slug(stem) or 'document'}{suffix}"


def front_matter(fields: dict[str, object]) -> str:
    """YAML front matter between `---` lines (empty values left out)."""
    kept = {k: v for k, v in fields.items() if v not in (None, "")}
    body = yaml.safe_dump(kept, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{body}---\n"


def answer_sheet(question: str, answer: str, day: dt.date) -> str:
    """The Markdown sheet of a team answer: front matter, the question as its title, the
    answer (the question is not repeated in the text: an answer quotes the text, and the
    question would be its best match)."""
    title = " ".join(question.split())
    head = front_matter(
        {"title": title, "type": "reponse", "date": day.isoformat(), "auteur": "équipe"}
    )
    return f"{head}\n# {title}\n\n## Réponse\n\n{answer.strip()}\n"


def page_sheet(title: str, url: str, text: str, day: dt.date) -> str:
    """The Markdown sheet of a fetched page: front matter with its URL, then its main text."""
    title = " ".join(title.split())
    head = front_matter({"title": title, "url": url, "date": day.isoformat(), "type": "ressource"})
    return f"{head}\n# {title}\n\n{text.strip()}\n"


class Inbox:
    """The writable folder of the knowledge base where additions land."""

    def __init__(self, knowledge_dir: Path, inbox_dir: Path) -> None:
        self._root = knowledge_dir.resolve()
        self._folder = inbox_dir.resolve()
        if not self._folder.is_relative_to(self._root):
            raise UnsafeNameError("le dossier d'ajouts doit être dans le dossier de connaissances")

    @property
    def folder(self) -> Path:
        """The inbox folder (absolute)."""
        return self._folder

    def relative(self, path: Path) -> str:
        """A path of the inbox as the index names it (relative to the knowledge folder)."""
        return path.resolve().relative_to(self._root).as_posix()

    def write_new(self, name: str, data: bytes) -> Path:
        """Write `data` under a fresh name (name, name-2, name-3...): never overwrites."""
        stem, dot, suffix = name.rpartition(".")
        if not stem or stem.startswith(".") or "/" in name or "\\" in name:
            raise UnsafeNameError(f"nom de fichier refusé : {name!r}")
        self._folder.mkdir(parents=True, exist_ok=True)
        for attempt in range(1, NAME_ATTEMPTS + 1):
            candidate = self._folder / (
                f"{stem}{dot}{suffix}" if attempt == 1 else f"{stem}-{attempt}{dot}{suffix}"
            )
            try:  # O_EXCL: an existing file, or one created meanwhile, is never replaced
                fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                continue
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            return candidate
        raise UnsafeNameError(f"trop de fichiers nommés {name!r}")

    def _inside(self, relative: str) -> Path:
        target = (self._root / relative).resolve()
        if not target.is_relative_to(self._folder) or target.name.startswith("."):
            raise UnsafeNameError(f"fichier hors du dossier d'ajouts : {relative!r}")
        return target

    def holds(self, relative: str) -> bool:
        """Whether a file (named relative to the knowledge folder) exists in the inbox."""
        try:
            return self._inside(relative).is_file()
        except UnsafeNameError:
            return False

    def replace(self, relative: str, data: bytes) -> Path:
        """Rewrite a file of the inbox in place (a page fetched again); atomic."""
        target = self._inside(relative)
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_bytes(data)
        temporary.replace(target)
        return target
