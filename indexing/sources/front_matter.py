"""The typed schema of a sheet's front matter: every field checked, every problem named.

A problem names the field and the expected type in French ("date : « 2024-13-45 » n'est pas
une date AAAA-MM-JJ") so that `essbot index` and `essbot check` can say what to fix. Also finds
the title, date and example flag of files without front matter (PDF, DOCX, text). Imports only
`indexing.models` and `indexing.errors`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import yaml

from indexing.errors import UnreadableFileError
from indexing.models import Reference

KNOWN_TYPES = ("ressource", "atelier", "glossaire", "reponse")  # reponse: a team answer added
SCHEMA_KEYS = frozenset(
    {"title", "url", "date", "type", "tags", "sources", "exemple", "review_by", "facts_date"}
)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR = re.compile(r"^\d{4}$")
_DATE_LINE = re.compile(
    r"\b(?:date(?: de la fiche| de l'atelier)?|mis à jour le|atelier du)\s*:?\s*"
    r"(\d{4}-\d{2}-\d{2})\b",
    re.IGNORECASE,
)
_EXAMPLE_NOTE = re.compile(r"\bnote d'exemple\b|\(exemple\)", re.IGNORECASE)
_DATE_LINE_SPAN = 1500  # a date line sits near the top of a document
T = TypeVar("T")


class _TextDatesLoader(yaml.SafeLoader):  # type: ignore[misc]
    """Safe YAML where dates stay text: `date: 2024-13-45` is a field problem, not a crash."""


_TextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str) -> object:
    """Parse a front matter block (raises yaml.YAMLError when it is not YAML)."""
    return yaml.load(text, Loader=_TextDatesLoader)  # noqa: S506 - a SafeLoader subclass


@dataclass(frozen=True)
class FieldProblem:
    """One field of a front matter that does not fit the schema."""

    field: str
    message: str  # complete French sentence, starting with the field name

    def __str__(self) -> str:
        return self.message


class FrontMatterError(UnreadableFileError):
    """A front matter with fields of the wrong type; the message names each field."""

    def __init__(self, problems: tuple[FieldProblem, ...]) -> None:
        super().__init__(" ; ".join(p.message for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class FrontMatter:
    """The validated front matter of a sheet (every field optional)."""

    title: str | None = None
    url: str | None = None
    date: str | None = None  # ISO date the sheet was written or last reviewed
    type: str | None = None
    tags: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    example: bool = False
    review_by: str | None = None  # ISO date after which the sheet must be checked again
    facts_date: str | None = None  # ISO date or year of the facts the sheet reports


def parse(meta: Mapping[str, object]) -> FrontMatter:
    """Validate a front matter; raise FrontMatterError naming every wrong field."""
    front, problems = check(meta)
    if problems:
        raise FrontMatterError(problems)
    return front


def check(meta: Mapping[str, object]) -> tuple[FrontMatter, tuple[FieldProblem, ...]]:
    """The front matter with its wrong fields left out, and the problems found."""
    problems: list[FieldProblem] = []

    def field(name: str, read: Callable[[object], T], default: T) -> T:
        if name not in meta or meta[name] is None:
            return default
        try:
            return read(meta[name])
        except _Wrong as wrong:
            problems.append(FieldProblem(name, f"{name} : {wrong}"))
            return default

    front = FrontMatter(
        title=field("title", _text, None),
        url=field("url", _link, None),
        date=field("date", _date, None),
        type=field("type", _type, None),
        tags=field("tags", _words, ()),
        references=field("sources", _references, ()),
        example=field("exemple", _flag, False),
        review_by=field("review_by", _date, None),
        facts_date=field("facts_date", _date_or_year, None),
    )
    return front, tuple(problems)


class _Wrong(ValueError):
    """A value that does not fit its field; the message says what was expected."""


def _shown(value: object) -> str:
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _text(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _Wrong(f"« {_shown(value)} » n'est pas un texte")
    return str(value).strip() or None


def _link(value: object) -> str | None:
    if not isinstance(value, str):
        raise _Wrong(f"« {_shown(value)} » n'est pas une adresse (un seul lien http(s) attendu)")
    url = value.strip()
    if not url:
        return None
    if not re.match(r"^https?://[^\s/]+", url, re.IGNORECASE):
        raise _Wrong(f"« {_shown(url)} » n'est pas un lien http(s)")
    return url


def _date(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if isinstance(value, str) and _ISO_DATE.match(text):
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            pass
    raise _Wrong(f"« {_shown(value)} » n'est pas une date AAAA-MM-JJ")


def _date_or_year(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and 1900 <= value <= 2200:
        return str(value)
    if isinstance(value, str) and _YEAR.match(value.strip()):
        return value.strip()
    try:
        return _date(value)
    except _Wrong:
        raise _Wrong(f"« {_shown(value)} » n'est ni une date AAAA-MM-JJ ni une année") from None


def _type(value: object) -> str:
    text = str(value).strip().lower() if isinstance(value, str) else ""
    if text not in KNOWN_TYPES:
        raise _Wrong(f"« {_shown(value)} » n'est pas un type connu ({', '.join(KNOWN_TYPES)})")
    return text


def _words(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(t.strip() for t in value.split(",") if t.strip())
    if isinstance(value, list | tuple) and all(isinstance(t, str | int | float) for t in value):
        return tuple(str(t).strip() for t in value if str(t).strip())
    raise _Wrong(f"« {_shown(value)} » n'est pas une liste de mots-clés")


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise _Wrong(f"« {_shown(value)} » n'est pas true ou false")
    return value


def _references(value: object) -> tuple[Reference, ...]:
    if not isinstance(value, list | tuple):
        raise _Wrong("une liste d'entrées {title, url, publisher, year} est attendue")
    return tuple(_reference(rank, entry) for rank, entry in enumerate(value, 1))


def _reference(rank: int, entry: object) -> Reference:
    try:
        return _reference_of(entry)
    except _Wrong as wrong:
        raise _Wrong(f"entrée {rank} : {wrong}") from None


def _reference_of(entry: object) -> Reference:
    if isinstance(entry, str):
        return Reference(title="", url=_link(entry))
    if not isinstance(entry, Mapping):
        raise _Wrong(f"« {_shown(entry)} » n'est ni une adresse ni une référence")
    unknown = sorted(str(k) for k in entry if k not in ("title", "url", "publisher", "year"))
    if unknown:
        raise _Wrong(f"champ inconnu « {unknown[0]} »")
    year = entry.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise _Wrong(f"year « {_shown(year)} » n'est pas une année (nombre)")
    return Reference(
        title=_part(entry, "title", _text) or "",
        url=_part(entry, "url", _link),
        publisher=_part(entry, "publisher", _text),
        year=year,
    )


def _part(
    entry: Mapping[object, object], key: str, read: Callable[[object], str | None]
) -> str | None:
    if entry.get(key) is None:
        return None
    try:
        return read(entry[key])
    except _Wrong as wrong:
        raise _Wrong(f"{key} {wrong}") from None


def date_line(text: str) -> str | None:
    """The ISO date of a "Date : 2026-05-20" line near the top of a document, if any."""
    match = _DATE_LINE.search(text[:_DATE_LINE_SPAN])
    if not match:
        return None
    try:
        return dt.date.fromisoformat(match.group(1)).isoformat()
    except ValueError:
        return None


def marked_example(text: str) -> bool:
    """Whether a document without front matter says near its top that it is an example."""
    return bool(_EXAMPLE_NOTE.search(text[:_DATE_LINE_SPAN]))


def review_due(review_by: str | None, today: dt.date) -> bool:
    """Whether a sheet's review date has passed."""
    if not review_by:
        return False
    try:
        return dt.date.fromisoformat(review_by) < today
    except ValueError:
        return False
