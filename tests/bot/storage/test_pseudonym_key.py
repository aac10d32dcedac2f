"""The pseudonymisation key: generated at first start in the data folder, weak values refused."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.settings import BotSettings
from bot.storage.pseudonym_key import KEY_FILE, WeakKeyError, resolve_hash_key


def settings(tmp_path: Path, **fields: object) -> BotSettings:
    return BotSettings(data_dir=tmp_path / "data", _env_file=None, **fields)  # type: ignore[call-arg]


def test_unset_key_is_generated_once_private_and_kept(tmp_path: Path) -> None:
    first = resolve_hash_key(settings(tmp_path))
    path = tmp_path / "data" / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 32 and first != b"change-me"
    assert resolve_hash_key(settings(tmp_path)) == first  # the next start reads it back
    assert resolve_hash_key(settings(tmp_path / "other")) != first  # random per installation


def test_the_default_is_no_longer_a_known_value() -> None:
    assert BotSettings(_env_file=None).user_hash_key is None  # type: ignore[call-arg]


@pytest.mark.parametrize("weak", ["change-me", "CHANGE-ME", "changeme", "secret", "abc123"])
def test_weak_keys_are_refused_in_french(tmp_path: Path, weak: str) -> None:
    with pytest.raises(WeakKeyError, match="USER_HASH_KEY") as caught:
        resolve_hash_key(settings(tmp_path, user_hash_key=SecretStr(weak)))
    assert "caractères" in str(caught.value)
    assert not (tmp_path / "data" / KEY_FILE).exists()


def test_a_strong_configured_key_is_used_as_is(tmp_path: Path) -> None:
    key = "k" * 8 + "Zq3-vT9_mW2xYp7L"
    assert resolve_hash_key(settings(tmp_path, user_hash_key=SecretStr(key))) == key.encode()
    assert not (tmp_path / "data" / KEY_FILE).exists()
