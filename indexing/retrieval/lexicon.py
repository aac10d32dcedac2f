"""English words members use, mapped to the French terms the knowledge base is written in."""

from __future__ import annotations

import re

# Domain vocabulary only: enough for a question in English to reach the French sheets.
ENGLISH_TO_FRENCH: dict[str, str] = {
    "back up": "sauvegarde",
    "backup": "sauvegarde",
    "backups": "sauvegardes",
    "donation": "don",
    "donations": "dons",
    "donor": "donateur",
    "donors": "donateurs",
    "fundraising": "collecte de dons",
    "crowdfunding": "financement participatif",
    "tax receipt": "reçu fiscal",
    "tax receipts": "reçus fiscaux",
    "membership": "adhésion",
    "members": "adhérents",
    "member": "adhérent",
    "fees": "cotisations",
    "ticketing": "billetterie",
    "tickets": "billets",
    "nonprofit": "association",
    "non-profit": "association",
    "non-profits": "associations",
    "nonprofits": "associations",
    "charity": "association",
    "charities": "associations",
    "volunteer": "bénévole",
    "volunteers": "bénévoles",
    "accessibility": "accessibilité",
    "accessible": "accessible",
    "blind": "malvoyant",
    "password": "mot de passe",
    "passwords": "mots de passe",
    "phishing": "hameçonnage",
    "security": "sécurité",
    "cybersecurity": "cybersécurité",
    "ransomware": "rançongiciel",
    "personal data": "données personnelles",
    "privacy": "protection des données",
    "gdpr": "RGPD",
    "website": "site web",
    "domain name": "nom de domaine",
    "hosting": "hébergement",
    "free software": "logiciel libre",
    "open source": "logiciel libre",
    "video-conferencing": "visioconférence",
    "video conferencing": "visioconférence",
    "videoconference": "visioconférence",
    "file sharing": "partage de fichiers",
    "files": "fichiers",
    "documents": "documents",
    "accounting": "comptabilité",
    "bookkeeping": "comptabilité",
    "newsletter": "lettre d'information",
    "mailing": "emailing",
    "social media": "réseaux sociaux",
    "training": "formation",
    "skills": "compétences",
    "funding": "financement",
    "grant": "subvention",
    "grants": "subventions",
    "subsidy": "subvention",
    "call for projects": "appel à projets",
    "impact investors": "investisseurs à impact",
    "incubator": "incubateur",
    "incubators": "incubateurs",
    "accelerator": "accélérateur",
    "social economy": "économie sociale et solidaire",
    "social enterprise": "entreprise sociale",
    "digital inclusion": "inclusion numérique",
    "digital skills": "compétences numériques",
    "third place": "tiers-lieu",
    "third places": "tiers-lieux",
    "makerspace": "fablab",
    "discounted software": "logiciels à tarif réduit",
    "refurbished": "reconditionné",
    "computers": "ordinateurs",
    "computer": "ordinateur",
    "laptop": "ordinateur portable",
    "generative ai": "IA générative",
    "artificial intelligence": "intelligence artificielle",
    "open data": "données ouvertes",
    "impact measurement": "mesure d'impact",
    "support scheme": "dispositif d'accompagnement",
    "public services": "services publics",
    "digital sobriety": "sobriété numérique",
    "carbon footprint": "empreinte carbone",
    "e-signature": "signature électronique",
    "electronic signature": "signature électronique",
}

_PATTERN = re.compile(
    r"(?<![\w-])("
    + "|".join(re.escape(k) for k in sorted(ENGLISH_TO_FRENCH, key=len, reverse=True))
    + r")(?![\w-])",
    re.IGNORECASE,
)
_ENGLISH_HINTS = re.compile(
    r"\b(how|what|which|where|who|why|can|should|does|do|is|are|the|our|my)\b", re.IGNORECASE
)


def looks_english(question: str) -> bool:
    """At least two common English function words."""
    return len(_ENGLISH_HINTS.findall(question)) >= 2


def french_terms(question: str) -> list[str]:
    """French equivalents of the English domain words of an English question."""
    if not looks_english(question):
        return []
    found: list[str] = []
    for match in _PATTERN.finditer(question):
        term = ENGLISH_TO_FRENCH[match.group(1).lower()]
        if term not in found:
            found.append(term)
    return found
