"""Mask obvious personal data (e-mail addresses, phone numbers, IBANs) before a question is stored.

What is deliberately kept:
- SIREN/SIRET numbers ("mon SIRET 123 456 789 00012"): they identify a company or an
  association, are public in the SIRENE register and are often what the question is about.
- Years, postcodes, prices, amounts, dates and times: the patterns below need a phone's shape
  (a leading 0 and five pairs of digits with one consistent separator, or an international
  prefix) or an IBAN's valid mod-97 check, which none of those have.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from indexing.models import Answer

log = logging.getLogger(__name__)

EMAIL_MASK = "[courriel masqué]"
PHONE_MASK = "[téléphone masqué]"
IBAN_MASK = "[IBAN masqué]"
FRAGMENT_MASK = "[donnée masquée]"  # a piece of masked data the answer quotes on its own

# Ordinary, non-breaking and narrow non-breaking spaces: French text uses all three.
_SPACE = " \u00a0\u202f"
_SEP = f"[{_SPACE}.\\-]"

_EMAIL = re.compile(
    r"(?<![\w.%+-])[\w.%+-]+@[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)*\.[^\W\d_]{2,}\b"
)

# 0X XX XX XX XX with one separator used throughout (or none): a date like 01.02.2026 10 or a
# run of digits of another length does not match.
_FRENCH_PHONE = re.compile(
    rf"(?<![\d+])0[1-9](?P<sep>{_SEP}?)\d{{2}}(?:(?P=sep)\d{{2}}){{3}}(?!\d)"
)

# +CC or 00CC, then groups of digits, optionally "(0)" and parentheses: +33 (0)6 12 34 56 78,
# +44 20 7946 0958, +1 (555) 123-4567, 0033612345678. The digit count is checked afterwards.
# Possessive runs keep the matching linear on long digit strings.
_INTERNATIONAL_PHONE = re.compile(
    rf"(?<![\w+])(?:\+|00)\d{{1,3}}+(?:{_SEP}?(?:\(\d{{1,4}}+\)|\d{{1,4}}+)){{2,7}}(?!\d)"
)
# "+10 000 000": digits grouped by thousands and ending in zeros reads as an amount.
_ROUND_THOUSANDS = re.compile(rf"\+\d{{1,3}}(?:[{_SPACE}.]\d{{3}})*[{_SPACE}.]\d00")
_UNIT_AFTER = re.compile(rf"[{_SPACE}]?(?:€|%|\$|k€|M€|euros?\b|EUR\b)", re.IGNORECASE)

# Country code, check digits, then runs of letters and digits separated by single spaces. The
# match may run into the next words; the longest prefix that validates wins.
_IBAN = re.compile(
    rf"\b[A-Za-z]{{2}}\d{{2}}[{_SPACE}]?[A-Za-z0-9]++(?:[{_SPACE}][A-Za-z0-9]++){{0,9}}+"
)
_IBAN_LENGTHS = {
    "AD": 24, "AT": 20, "BE": 16, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "EE": 20,
    "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IS": 26,
    "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MA": 28, "MC": 27, "MT": 31, "NL": 18,
    "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TN": 24,
}  # fmt: skip
_IBAN_MIN, _IBAN_MAX = 15, 34
_PHONE_DIGITS_MIN, _PHONE_DIGITS_MAX = 8, 15  # E.164 allows at most 15 digits
_PHONE_00_DIGITS_MIN = 9  # after "00": fewer is more likely a reference number than a phone


def mask_personal_data(text: str) -> str:
    """Replace e-mail addresses, phone numbers and IBANs by French placeholders."""
    masked = _EMAIL.sub(EMAIL_MASK, text)
    masked = _mask_ibans(masked)
    masked = _INTERNATIONAL_PHONE.sub(_mask_international_phone, masked)
    masked = _FRENCH_PHONE.sub(PHONE_MASK, masked)
    if masked != text:
        log.debug("Masked personal data in a question")
    return masked


def is_valid_iban(candidate: str) -> bool:
    """True for a well-formed IBAN (spaces allowed) whose mod-97 check holds."""
    iban = "".join(candidate.split()).upper()
    if not (_IBAN_MIN <= len(iban) <= _IBAN_MAX) or not iban.isascii() or not iban.isalnum():
        return False
    if not (iban[:2].isalpha() and iban[2:4].isdigit()):
        return False
    if _IBAN_LENGTHS.get(iban[:2], len(iban)) != len(iban):
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def _mask_ibans(text: str) -> str:
    """Replace every valid IBAN; a candidate that fails the check is skipped one word at a time."""
    out: list[str] = []
    pos = 0
    while match := _IBAN.search(text, pos):
        found = match.group(0)
        spaces = [i for i, char in enumerate(found) if char in _SPACE]
        length = next(
            (cut for cut in [len(found), *reversed(spaces)] if is_valid_iban(found[:cut])), 0
        )
        if length:
            out += [text[pos : match.start()], IBAN_MASK]
            pos = match.start() + length
        else:
            word_end = match.start() + (spaces[0] if spaces else len(found))
            out.append(text[pos:word_end])
            pos = word_end
    out.append(text[pos:])
    return "".join(out)


def _mask_international_phone(match: re.Match[str]) -> str:
    """Mask a +CC / 00CC number unless its digit count or context says it is an amount."""
    found = match.group(0)
    digits = sum(char.isdigit() for char in found)
    if found.startswith("00"):
        digits -= 2
        minimum = _PHONE_00_DIGITS_MIN
    else:
        minimum = _PHONE_DIGITS_MIN
    if not minimum <= digits <= _PHONE_DIGITS_MAX:
        return found
    if _ROUND_THOUSANDS.fullmatch(found) or _UNIT_AFTER.match(match.string, match.end()):
        return found  # "+1 500 000 €", "+10 000 000 habitants": an amount, not a phone
    return PHONE_MASK


_MASKS = re.compile("|".join(re.escape(m) for m in (EMAIL_MASK, PHONE_MASK, IBAN_MASK)))


def masked_for_storage(answer: Answer) -> Answer:
    """The answer with the question's personal data masked, there and where the text echoes it."""
    question = mask_personal_data(answer.question)
    if question == answer.question:
        return answer
    spans = _masked_spans(answer.question, question)
    if spans is None:  # could not tell what was masked: mask the answer's own data too
        text, missing = mask_personal_data(answer.text), answer.missing
        missing = mask_personal_data(missing) if missing else missing
    else:
        text, missing = _replace_all(answer.text, spans), answer.missing
        missing = _replace_all(missing, spans) if missing else missing
    # the engine quotes single terms of the question (« FR76 », « 3000 »): mask those pieces too
    pieces = _masked_pieces(answer.question, question)
    text = _mask_pieces(text, pieces)
    missing = _mask_pieces(missing, pieces) if missing else missing
    return replace(answer, question=question, text=text, missing=missing)


_WORD = re.compile(r"[^\W_]+")
_PIECE_MIN_LETTERS = 4  # shorter words ("fr", "de") are too common to say anything


def _masked_pieces(original: str, masked: str) -> set[str]:
    """Words of the question that masking removed: the pieces of an address, phone or IBAN."""
    kept = {w.casefold() for w in _WORD.findall(masked)}
    return {
        word
        for word in _WORD.findall(original)
        if word.casefold() not in kept
        and (any(c.isdigit() for c in word) or len(word) >= _PIECE_MIN_LETTERS)
    }


def _mask_pieces(text: str, pieces: set[str]) -> str:
    if not pieces:
        return text
    words = "|".join(re.escape(p) for p in sorted(pieces, key=len, reverse=True))
    return re.sub(rf"(?<![^\W_])(?:{words})(?![^\W_])", FRAGMENT_MASK, text, flags=re.IGNORECASE)


def _masked_spans(original: str, masked: str) -> list[tuple[str, str]] | None:
    """(original text, placeholder) for each span `mask_personal_data` replaced, or None."""
    pieces = _MASKS.split(masked)
    placeholders = _MASKS.findall(masked)
    pattern = "(.+?)".join(re.escape(p) for p in pieces)
    match = re.fullmatch(pattern, original, flags=re.DOTALL)
    if match is None:
        return None
    spans = list(zip(match.groups(), placeholders, strict=True))
    if any(mask_personal_data(text) != mask for text, mask in spans):
        return None
    return sorted(spans, key=lambda span: -len(span[0]))  # longest first: no partial overlap


def _replace_all(text: str, spans: list[tuple[str, str]]) -> str:
    for original, mask in spans:
        text = text.replace(original, mask)
    return text
