"""Answer units: the pieces of a document an answer can quote whole.

A unit is a sentence, a list block (its introduction with its items), a list item, a table row,
or a section heading with its first sentence. Units never end on a colon without what it
announced and never start with a lower-case fragment; a sentence that opens on a pronoun,
demonstrative or connective carries what it refers to (the sentence before it, or the section
heading when it opens the section). Editor's notes, bare source names in parentheses and lines
that only point to other sheets are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import NamedTuple, Protocol

from indexing.sources.chunking import split_sentences

SENTENCE = "sentence"
ITEM = "item"
LIST = "list"
ROW = "row"
HEADING = "heading"

BULLET = "•"
# The version of what build_units yields: raise it whenever a change to this module changes the
# units of an unchanged document. A build records it; an index whose units are older is rebuilt
# at the next reindex (no passage re-encoded), and read meanwhile with units rebuilt at load.
UNITS_VERSION = 6
MAX_UNIT_CHARS = 700  # a list block is trimmed item by item below this
_ITEM_CHARS = 160  # a long item is cut to its first sentence inside a list block


class PassageLike(Protocol):
    """What units are built from: a passage of a document, in document order."""

    @property
    def doc_path(self) -> str: ...
    @property
    def section(self) -> str: ...
    @property
    def text(self) -> str: ...


@dataclass(frozen=True)
class Unit:
    """A quotable piece of a document."""

    passage: int  # position of the passage it starts in, in the sequence given to build_units
    kind: str
    text: str  # clean prose; a list block keeps one "• item" per line
    # the sentences it is made of: each is embedded once (shared between units), the unit's
    # vector is their mean
    parts: tuple[str, ...] = ()


# Words that open a sentence by pointing back to what came before it.
ANAPHORS = frozenset(
    [
        "il",
        "elle",
        "ils",
        "elles",
        "ce",
        "cet",
        "cette",
        "ces",
        "ceci",
        "cela",
        "ça",
        "celui",
        "celle",
        "ceux",
        "celles",
        "celui-ci",
        "celle-ci",
        "ceux-ci",
        "celles-ci",
        "lui",
        "leur",
        "leurs",
        "son",
        "sa",
        "ses",
        "mais",
        "donc",
        "ainsi",
        "alors",
        "aussi",
        "puis",
        "ensuite",
        "sinon",
        "toutefois",
        "cependant",
        "pourtant",
        "néanmoins",
        "également",
        "enfin",
        "d'ailleurs",
        "notamment",
    ]
)
ANAPHOR_PHRASES = (
    "pour compenser",
    "pour cela",
    "pour ce faire",
    "de plus",
    "en outre",
    "par ailleurs",
    "en revanche",
    "au contraire",
    "dans ce cas",
    "à ce titre",
    "de même",
    "en effet",
    "par conséquent",
    "du coup",
    "à cet effet",
    "dans ce cadre",
    "c'est",
    "c’est",
)
_FIRST_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_LIST_MARKER = re.compile(r"^\s*(?:[-*+•]|\d{1,2}[.)])\s+")
# A checkbox of a printed checklist, with its number ("☐ 2."): a form glyph, not text (a PDF's
# lines often end on the next item's box).
_CHECKBOX = re.compile(r"\s*[☐☑☒□■▢]\s*(?:\d{1,2}\s*[.)]?)?")
_TABLE_RULE = re.compile(r"^\|?[\s:|-]+\|?$")
# Lines that help the search but answer nothing: glossary synonyms, pointers to other sheets,
# editor's notes.
_NOT_AN_ANSWER = re.compile(
    r"^\s*(?:synonymes?\s*:|voir aussi\b|voir (?:la|les) fiches?\b|fiches?\b[^«:.]{0,30}[«:]"
    r"|(?:note|n\.\s?b\.|nb|mise à jour|avertissement)\s*(?:de la rédaction)?\s*:"
    r"|\(?exemple fictif)",
    re.IGNORECASE,
)
# Headings of sections that list further reading rather than say something.
_POINTER_SECTION = re.compile(
    r"\b(ressources|sources|pour aller plus loin|liens?( utiles)?|voir aussi|références|contacts?"
    r"|outils et ressources cités|participants)\b",
    re.IGNORECASE,
)
# "(Fraap)", "(source : Insee, 2023)", "(d'après X)": a bare source name adds nothing to read.
_SOURCE_PARENTHESIS = re.compile(
    r"\s*\((?:(?:source|sources|d'après|d’après|selon|cf\.)\s*:?\s*[^()]{1,80}"
    r"|[A-ZÀ-Ý][\w'’&.-]*(?:\s[A-ZÀ-Ý][\w'’&.-]*){0,2})\)(?=[\s.,;:!?]|$)"
)


def starts_with_anaphor(text: str) -> bool:
    """True when a sentence opens on a word that points back to what came before."""
    head = text.lstrip(' «"(').lower().replace("’", "'")
    if head.startswith(ANAPHOR_PHRASES):
        return True
    if head.startswith(("ce que ", "ce qu'", "ce qui ", "ce dont ")):
        return False  # a free relative ("Ce que l'on peut trouver :") points forward
    match = _FIRST_WORD.match(head)
    return match is not None and match.group(0).rstrip(",") in ANAPHORS


def clean(text: str) -> str:
    """Markdown emphasis, links and list markers out; bare source names in parentheses out."""
    text = re.sub(r"\*\*|__|`", "", text)
    text = re.sub(r"(?<!\w)[*_](?=\S)([^*_]+?)(?<=\S)[*_](?!\w)", r"\1", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)
    text = re.sub(r"\[\d{1,2}\]", "", text)  # footnote calls
    text = _CHECKBOX.sub(" ", text)
    text = _LIST_MARKER.sub("", " ".join(text.split()))
    return _SOURCE_PARENTHESIS.sub("", text).strip()


def build_units(passages: Sequence[PassageLike]) -> list[Unit]:
    """Every unit of every document, in document order."""
    units: list[Unit] = []
    numbered = list(enumerate(passages))
    for _key, group in groupby(numbered, key=lambda item: (item[1].doc_path, item[1].section)):
        members = list(group)
        units.extend(_section_units(members))
    return units


@dataclass(frozen=True)
class _Line:
    passage: int
    text: str  # raw line


def _section_units(members: list[tuple[int, PassageLike]]) -> Iterator[Unit]:
    section = members[0][1].section
    heading = section.rsplit(" > ", 1)[-1].strip()
    if heading and _POINTER_SECTION.search(heading):
        return
    lines = [_Line(i, line) for i, p in members for line in p.text.splitlines() if line.strip()]
    previous = _NOTHING  # the last sentence read (with its own antecedent), for anaphors
    first_sentence_done = False
    position = 0
    while position < len(lines):
        line = lines[position]
        if line.text.lstrip().startswith("|"):
            block = _take(lines, position, lambda t: t.lstrip().startswith("|"))
            yield from _table_units(block)
            position += len(block)
            first_sentence_done = True
            continue
        if _LIST_MARKER.match(line.text):
            block = _take(lines, position, lambda t: bool(_LIST_MARKER.match(t)))
            intro, from_line = _intro(lines, position, heading)
            if heading.endswith("?") and from_line and position == 1 and intro != heading:
                intro = f"{heading} {intro}"  # the section's question, answered by its list
            yield from _list_units(block, intro, heading)
            position += len(block)
            previous = _NOTHING
            first_sentence_done = True
            continue
        if _NOT_AN_ANSWER.match(clean(line.text)) or _NOT_AN_ANSWER.match(line.text):
            position += 1
            continue
        for sentence in _line_sentences(line.text):
            if sentence.rstrip().endswith((":", ";")):
                previous = _Said(sentence, (sentence,))
                first_sentence_done = True
                continue  # what it announces follows: the list block carries it
            if sentence.rstrip().endswith("?"):
                previous = _Said(sentence, (sentence,))
                first_sentence_done = True
                continue  # a question answers nothing (a FAQ, a team answer's sheet)
            text, parts = _with_antecedent(sentence, previous, heading)
            if text:
                yield Unit(line.passage, SENTENCE, text, parts)
                if not first_sentence_done and heading and _worth_heading(heading, text):
                    yield Unit(
                        line.passage,
                        HEADING,
                        _under(heading, text),
                        (heading, *parts),
                    )
            first_sentence_done = True
            previous = _resolved(sentence, text, parts, heading)
        position += 1


def _line_sentences(text: str) -> list[str]:
    """The readable sentences of a line; a short answer ("Oui.", "Non, pas toujours.") opens
    the sentence that follows it instead of being lost."""
    out: list[str] = []
    short = ""
    for sentence in split_sentences(clean(text)):
        if _SHORT_ANSWER.match(sentence):
            short = f"{short} {sentence}".strip()
            continue
        if not _readable(sentence):
            continue
        out.append(f"{short} {sentence}" if short else sentence)
        short = ""
    if short and _readable(short):
        out.append(short)  # nothing follows it on its line: it stands alone
    return out


def _take(lines: list[_Line], start: int, belongs: object) -> list[_Line]:
    out = []
    for line in lines[start:]:
        if not belongs(line.text):  # type: ignore[operator]
            break
        out.append(line)
    return out


def _intro(lines: list[_Line], position: int, heading: str) -> tuple[str, bool]:
    """What announces a list: the sentence before it when it ends on ':' (with a short answer
    just before it: "Oui. Peuvent candidater :"), else the heading; and whether it came from
    the line before the list."""
    if position > 0 and not _LIST_MARKER.match(lines[position - 1].text):
        sentences = _line_sentences(lines[position - 1].text)
        if sentences and sentences[-1].rstrip().endswith(":"):
            return sentences[-1].rstrip(), True
    if not heading:
        return "", False
    return (heading if heading.endswith("?") else f"{heading} :"), False


def _list_units(block: list[_Line], intro: str, heading: str) -> Iterator[Unit]:
    items = [clean(line.text) for line in block]
    items = [i for i in items if _readable(i) and not _NOT_AN_ANSWER.match(i)]
    if not items:
        return
    # each item on its own: whole when it reads alone, else its sentences
    for line, item in zip(block, items, strict=False):
        sentences = split_sentences(item) or [item]
        if item[:1].isupper() and not item.rstrip().endswith((":", ";")):
            if len(item) > MAX_UNIT_CHARS:
                sentences = sentences[:1]
            text = " ".join(sentences)
            yield Unit(line.passage, ITEM, _introduced(intro, text), tuple(sentences))
        previous = _Said(sentences[0], (sentences[0],))
        for sentence in sentences[1:]:
            text, parts = _with_antecedent(sentence, previous, heading)
            if text and _readable(sentence):
                yield Unit(line.passage, SENTENCE, text, parts)
            previous = _resolved(sentence, text, parts, heading)
    if len(items) >= 2 and intro:
        text, parts = _list_text(intro, items)
        yield Unit(block[0].passage, LIST, text, parts)


def _introduced(intro: str, item: str) -> str:
    """An item quoted alone, with what announced it when it has no label of its own: under
    "À éviter :" or "Points de vigilance :", "Les comptes rattachés à un ancien membre." says the
    opposite of a recommendation, or nothing at all, without it."""
    if not intro or _LABELLED.match(item):
        return item
    if intro.endswith("?"):
        return f"{intro} {item}"
    if _COMMON_OPENER.match(item):
        item = item[:1].lower() + item[1:]
    return f"{intro} {item}"


# An item that names its own subject: "Nextcloud : logiciel libre…", "Garantie (durée) : …".
_LABELLED = re.compile(r"^[^:.;!?]{1,70}\s:\s")
# First words that go lower case after a colon (an article, a possessive, a pronoun, an
# infinitive: "Vérifier…"); others (a name, "Framasoft") keep their capital.
_COMMON_OPENER = re.compile(
    r"^(?:(?:le|la|les|un|une|des|du|de|ce|cet|cette|ces|son|sa|ses|leur|leurs|notre|nos|votre"
    r"|vos|mon|ma|mes|aucun|aucune|tout|toute|tous|toutes|chaque|pas|ne|il|elle|ils|elles|on)\b"
    r"|[ldcjnmst]['’]|[A-ZÀ-Ý][a-zà-ÿ]+(?:er|ir|re|oir)\b(?![-'’]))",
    re.IGNORECASE,
)


def _list_text(intro: str, items: list[str]) -> tuple[str, tuple[str, ...]]:
    """The introduction and its items, trimmed item by item to stay readable; its parts."""
    text, parts = intro, [intro]
    for number, item in enumerate(items):
        shown = _first_sentence(item) if len(item) > _ITEM_CHARS else item
        piece = f"\n{BULLET} {shown.rstrip(' ;,')}"
        if len(text) + len(piece) > MAX_UNIT_CHARS and number >= 2:
            text += f"\n{BULLET} …"
            break
        text += piece
        parts.append(_first_sentence(item))
    return text, tuple(parts)


def _table_units(block: list[_Line]) -> Iterator[Unit]:
    rows = [
        [clean(cell) for cell in line.text.strip().strip("|").split("|")]
        for line in block
        if not _TABLE_RULE.match(line.text.strip())
    ]
    if len(rows) < 2:
        return
    header = rows[0]
    for line, row in zip(block[1:], rows[1:], strict=False):
        pairs = [
            f"{name} : {value}" if name else value
            for name, value in zip(header, row, strict=False)
            if value
        ]
        text = " ; ".join(pairs)
        if _readable(text):
            text = _upper_first(text) + ("" if text.endswith(".") else ".")
            yield Unit(line.passage, ROW, text, (text,))


# A sentence too short to quote alone that answers the question before it ("Oui.", "Non, pas
# toujours.", "Ça dépend."): it is quoted with the sentence that follows it.
_SHORT_ANSWER = re.compile(
    r"^(oui|non|pas (toujours|forcément|forcement|vraiment|obligatoirement|encore)|ça dépend"
    r"|cela dépend|en partie|parfois|rarement|souvent|jamais|toujours|bien sûr|absolument"
    r"|tout à fait)\b[^.!?]{0,30}[.!]$",
    re.IGNORECASE,
)


class _Said(NamedTuple):
    """The sentence read last, as a reader has it: with its own antecedent when it had one."""

    text: str
    parts: tuple[str, ...]


_NOTHING = _Said("", ())
# An antecedent carried along a chain of sentences that each point back ("Elle… Cette…") stops
# growing past this length: the last sentence alone is carried then.
_ANTECEDENT_CHARS = 400


def _resolved(sentence: str, text: str, parts: tuple[str, ...], heading: str) -> _Said:
    """What the next sentence refers back to: this one, with the sentences it carried as its
    antecedent (not a heading, which only introduces it; not past a length)."""
    carried = bool(text) and len(parts) > 1 and parts[0] != heading
    if carried and len(text) <= _ANTECEDENT_CHARS:
        return _Said(text, parts)
    return _Said(sentence, (sentence,))


def _with_antecedent(sentence: str, previous: _Said, heading: str) -> tuple[str, tuple[str, ...]]:
    """The sentence, or the sentence with what its first word refers to; and its parts."""
    if not sentence[:1].isupper() and sentence[:1] not in '«"(':
        if not previous.text:
            return "", ()  # a fragment without its beginning
        return f"{previous.text} {sentence}", (*previous.parts, sentence)
    if not starts_with_anaphor(sentence):
        return sentence, (sentence,)
    if previous.text and not previous.text.rstrip().endswith(":"):
        return f"{previous.text} {sentence}", (*previous.parts, sentence)
    if heading:
        return _under(heading, sentence), (heading, sentence)
    return "", ()


def _under(heading: str, sentence: str) -> str:
    """A sentence introduced by its heading: "Heading : sentence", or "Question ? Sentence"
    when the heading asks what the sentence answers."""
    if heading.rstrip().endswith("?"):
        return f"{heading.rstrip()} {sentence}"
    return f"{heading} : {_lower_first(sentence)}"


def _worth_heading(heading: str, sentence: str) -> bool:
    """A heading says something of its own (not "En bref", not words the sentence repeats)."""
    words = heading.split()
    generic = {"en bref", "pour qui", "pour qui ?", "étapes", "points de vigilance", "points clés"}
    return len(words) >= 2 and heading.lower() not in generic and heading not in sentence


def _readable(text: str) -> bool:
    return sum(c.isalpha() for c in text) >= 12 and len(text.split()) >= 3


def _first_sentence(text: str) -> str:
    sentences = split_sentences(text)
    return sentences[0] if sentences else text


def _lower_first(text: str) -> str:
    word = text.split(" ", 1)[0]
    if len(word) > 1 and word.isupper():  # an acronym stays as it is
        return text
    return text[:1].lower() + text[1:]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]
