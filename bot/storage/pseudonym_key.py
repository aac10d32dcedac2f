"""The key under which members' Telegram ids become pseudonyms (HMAC-SHA256).

Set by USER_HASH_KEY, or else generated at first start and kept in the data folder (mode 0600),
where `essbot backup` copies it: losing it would cut members off from their stored data.
Known example values and short keys are refused: with them, a pseudonym could be reversed by
trying every Telegram id.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Final

from bot.settings import BotSettings
from indexing.errors import EngineError
from indexing.settings import EngineSettings

log = logging.getLogger(__name__)

KEY_FILE: Final = "user_hash.key"
MIN_KEY_CHARS: Final = 16
MIN_DISTINCT_CHARS: Final = 8
GENERATED_BYTES: Final = 32  # 256 random bits
KNOWN_WEAK: Final = frozenset(
    {"change-me", "changeme", "change_me", "secret", "password", "motdepasse", "essbot", "test"}
)


class WeakKeyError(EngineError):
    """USER_HASH_KEY holds a known or too short value."""


def key_path(settings: EngineSettings) -> Path:
    """Where the generated key is kept."""
    return settings.data_dir / KEY_FILE


def resolve_hash_key(settings: BotSettings) -> bytes:
    """The configured key if strong enough, else the one kept in the data folder (created once)."""
    if settings.user_hash_key is not None:
        key = settings.user_hash_key.get_secret_value()
        _check_strength(key)
        return key.encode("utf-8")
    return _stored_key(key_path(settings))


def _check_strength(key: str) -> None:
    weak = (
        key.strip().casefold() in KNOWN_WEAK
        or len(key) < MIN_KEY_CHARS
        or len(set(key)) < MIN_DISTINCT_CHARS
    )
    if weak:
        raise WeakKeyError(
            "USER_HASH_KEY est trop faible (valeur d'exemple ou trop courte) : avec elle, les "
            "pseudonymes des membres se retrouvent en essayant les identifiants Telegram. "
            "Supprimez la ligne du fichier .env pour qu'une clé aléatoire soit créée dans le "
            f"dossier de données, ou mettez au moins {MIN_KEY_CHARS} caractères aléatoires "
            '(python -c "import secrets; print(secrets.token_urlsafe(32))").'
        )


def _stored_key(path: Path) -> bytes:
    if path.is_file():
        key = path.read_text(encoding="ascii").strip()
        _check_strength(key)
        return key.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(GENERATED_BYTES)
    draft = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    try:  # a hard link appears complete or not at all; two first starts keep one key
        os.link(draft, path)
    except FileExistsError:
        return _stored_key(path)
    finally:
        draft.unlink()
    log.warning("Generated the pseudonymisation key in %s: keep it with the backups", path)
    return key.encode("utf-8")
