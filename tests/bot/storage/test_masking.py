"""Masking of personal data in questions: what must be masked, and what must stay."""

from __future__ import annotations

import time

import pytest

from bot.storage.masking import (
    EMAIL_MASK,
    IBAN_MASK,
    PHONE_MASK,
    is_valid_iban,
    mask_personal_data,
)

NBSP = "\u00a0"
NNBSP = "\u202f"

# --- e-mail addresses ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jean.dupont@asso-ess.fr", EMAIL_MASK),
        ("Écrivez à contact@incubateur.org.", f"Écrivez à {EMAIL_MASK}."),
        ("mailto:prenom+tag@exemple.co.uk", f"mailto:{EMAIL_MASK}"),
        ("Mon adresse : Hélène.Martin@laposte.net !", f"Mon adresse : {EMAIL_MASK} !"),
        ("a@b.fr et c_d@e-f.com", f"{EMAIL_MASK} et {EMAIL_MASK}"),
        ("(jean.dupont@gmail.com)", f"({EMAIL_MASK})"),
        ("JEAN@EXEMPLE.FR", EMAIL_MASK),
    ],
)
def test_masks_email_addresses(text: str, expected: str) -> None:
    assert mask_personal_data(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Contactez @animateurs sur Telegram",
        "le compte @jean_dupont",
        "une adresse en jean@localhost",
        "prix : 3 @ 5 €",
        "https://exemple.org/page",
    ],
)
def test_keeps_text_that_is_not_an_email(text: str) -> None:
    assert mask_personal_data(text) == text


# --- phone numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "06 12 34 56 78",
        "06.12.34.56.78",
        "06-12-34-56-78",
        "0612345678",
        f"06{NBSP}12{NBSP}34{NBSP}56{NBSP}78",
        f"01{NNBSP}23{NNBSP}45{NNBSP}67{NNBSP}89",
        "09 72 10 10 10",
        "+33 6 12 34 56 78",
        "+33612345678",
        "+33 (0)6 12 34 56 78",
        "+33 1 23 45 67 89",
        "+33.6.12.34.56.78",
        "0033 6 12 34 56 78",
        "0033612345678",
        "+44 20 7946 0958",
        "+44 7700 900123",
        "0044 20 7946 0958",
        "+1 (555) 123-4567",
        "+1 555 123 4567",
        "+32 2 123 45 67",
        "+49 30 1234567",
        "+41 22 730 51 11",
        "+212 6 12 34 56 78",
        "+33 612 345 678",
    ],
)
def test_masks_phone_numbers(phone: str) -> None:
    assert mask_personal_data(phone) == PHONE_MASK
    assert mask_personal_data(f"Appelez-moi au {phone}, merci.") == (
        f"Appelez-moi au {PHONE_MASK}, merci."
    )


def test_masks_several_phones_in_one_question() -> None:
    text = "Tél. : 06 12 34 56 78 / fixe 01.23.45.67.89 (ou tel:0612345678)"
    assert mask_personal_data(text) == (
        f"Tél. : {PHONE_MASK} / fixe {PHONE_MASK} (ou tel:{PHONE_MASK})"
    )


@pytest.mark.parametrize(
    "text",
    [
        # years, postcodes, dates, times
        "En 2026, que change la loi ?",
        "Je suis au 75011 Paris, et mon asso au 01000 Bourg-en-Bresse.",
        "La réunion du 12/03/2026 à 14h30",
        "le 12.03.2026, le 2026-03-12, le 01.02.2026 10h",
        "de 2025 à 2026, de 08:30 à 12:00",
        "entre le 06/12 et le 06/01",
        # prices and amounts
        "Le logiciel coûte 1 250,00 € par an, soit 12 000 € sur dix ans.",
        "une subvention de 15.000 € ou 0,50 € par adhérent",
        "+10 000 000 habitants",
        "+1 500 000 000 €",
        "+12 345 678 €",
        "+15 % de bénévoles",
        "une hausse de +2 500 000 euros",
        # company and association identifiers: public, kept on purpose
        "mon SIRET 123 456 789 00012",
        "SIRET 12345678900012, SIREN 123 456 789",
        "SIRET 012 345 678 01234",
        "RNA W751234567",
        "TVA intracommunautaire FR40123456789",
        # other numbers
        "numéro vert 0 800 123 456",
        "code APE 9499Z, article L. 1234-5",
        "version 3.12.1, 1.2.3.4.5",
        "commande n° 0012345678",
        "12 34 56 78 90",
        "une liste : 1, 2, 3, 4, 5",
    ],
)
def test_keeps_numbers_that_are_not_phones(text: str) -> None:
    assert mask_personal_data(text) == text


def test_a_longer_number_is_not_cut_into_a_phone() -> None:
    assert mask_personal_data("référence 061234567890") == "référence 061234567890"
    assert mask_personal_data("+1234567890123456789") == "+1234567890123456789"


# --- IBANs --------------------------------------------------------------------------------------

VALID_IBANS = [
    "FR76 3000 6000 0112 3456 7890 189",
    "FR7630006000011234567890189",
    "fr76 3000 6000 0112 3456 7890 189",
    "DE89 3704 0044 0532 0130 00",
    "GB82 WEST 1234 5698 7654 32",
    "BE68 5390 0754 7034",
    "CH93 0076 2011 6238 5295 7",
    "ES91 2100 0418 4502 0005 1332",
    "IT60 X054 2811 1010 0000 0123 456",
    "NL91 ABNA 0417 1643 00",
    "LU28 0019 4006 4475 0000",
    f"FR76{NBSP}3000{NBSP}6000{NBSP}0112{NBSP}3456{NBSP}7890{NBSP}189",
]


@pytest.mark.parametrize("iban", VALID_IBANS)
def test_masks_valid_ibans(iban: str) -> None:
    assert is_valid_iban(iban)
    assert mask_personal_data(iban) == IBAN_MASK
    assert mask_personal_data(f"Mon IBAN : {iban}. Merci !") == f"Mon IBAN : {IBAN_MASK}. Merci !"


def test_masks_an_iban_followed_by_words_and_a_second_iban() -> None:
    text = (
        "IBAN FR76 3000 6000 0112 3456 7890 189 merci beaucoup, "
        "ou DE89 3704 0044 0532 0130 00 et GB82 WEST 1234 5698 7654 32 ok"
    )
    assert mask_personal_data(text) == (
        f"IBAN {IBAN_MASK} merci beaucoup, ou {IBAN_MASK} et {IBAN_MASK} ok"
    )


@pytest.mark.parametrize(
    "text",
    [
        "FR76 3000 6000 0112 3456 7890 188",  # one digit off: the mod-97 check fails
        "FR77 3000 6000 0112 3456 7890 189",  # wrong check digits
        "FR76 3000 6000 0112 3456 7890",  # too short for France
        "AB12 3456 7890 1234",
        "MP3 et ab12 cdef ghij klmn",
        "la salle B2 puis la A12 au 1er étage",
        "RN75 1234 5678 9012 3456",
    ],
)
def test_keeps_iban_lookalikes_that_fail_the_check(text: str) -> None:
    assert mask_personal_data(text) == text


@pytest.mark.parametrize(
    ("candidate", "valid"),
    [
        ("FR7630006000011234567890189", True),
        ("FR76 3000 6000 0112 3456 7890 189", True),
        ("FR7630006000011234567890188", False),
        ("FR763000600001123456789018", False),  # 26 characters, France needs 27
        ("XX00", False),
        ("FR76-3000-6000-0112-3456-7890-189", False),
        ("", False),
    ],
)
def test_is_valid_iban(candidate: str, valid: bool) -> None:
    assert is_valid_iban(candidate) is valid


# --- everything together ------------------------------------------------------------------------


def test_masks_a_realistic_question_and_keeps_the_rest() -> None:
    question = (
        "Bonjour, je suis trésorière de l'asso (SIRET 123 456 789 00012, 75011 Paris). "
        "Pour la cotisation 2026 de 25 € versée le 12/03/2026, le virement vient de "
        "FR76 3000 6000 0112 3456 7890 189 : rappelez-moi au 06 12 34 56 78 "
        "ou écrivez à tresoriere@mon-asso.fr."
    )
    assert mask_personal_data(question) == (
        "Bonjour, je suis trésorière de l'asso (SIRET 123 456 789 00012, 75011 Paris). "
        "Pour la cotisation 2026 de 25 € versée le 12/03/2026, le virement vient de "
        f"{IBAN_MASK} : rappelez-moi au {PHONE_MASK} "
        f"ou écrivez à {EMAIL_MASK}."
    )


def test_email_digits_are_not_left_as_a_phone() -> None:
    assert mask_personal_data("0612345678@sms.exemple.fr") == EMAIL_MASK


def test_masking_is_idempotent() -> None:
    once = mask_personal_data("06 12 34 56 78, a@b.fr, FR76 3000 6000 0112 3456 7890 189")
    assert mask_personal_data(once) == once


def test_text_without_personal_data_is_unchanged() -> None:
    text = "Comment créer un site pour notre association loi 1901 ? Budget : 500 €."
    assert mask_personal_data(text) == text
    assert mask_personal_data("") == ""


def test_long_inputs_stay_fast() -> None:
    text = ("ab12 " + "1" * 60 + " ") * 200 + "+" + "9" * 5000 + " " + "0" * 5000
    started = time.perf_counter()
    mask_personal_data(text)
    assert time.perf_counter() - started < 1.0
