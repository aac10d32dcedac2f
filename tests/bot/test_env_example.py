""".env.example mirrors the settings one for one, each variable under its comment, and loads:
the engine's (EngineSettings) first, then the bot's (BotSettings, which extends them)."""

from __future__ import annotations

import re
from pathlib import Path

from bot.settings import BotSettings
from indexing.settings import EngineSettings

EXAMPLE = Path(__file__).parents[2] / ".env.example"
VARIABLE = re.compile(r"^(?:# )?([A-Z][A-Z0-9_]*)=")


def variables() -> dict[str, str]:
    """Each variable of .env.example, in file order, with the line above it."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    found = {}
    for number, line in enumerate(lines):
        if match := VARIABLE.match(line):
            found[match.group(1)] = lines[number - 1]
    return found


def test_every_setting_is_in_env_example_with_a_comment() -> None:
    found = variables()
    assert sorted(found) == sorted(name.upper() for name in BotSettings.model_fields)
    for name, above in found.items():
        assert above.startswith("# ") and not VARIABLE.match(above), name


def test_the_engine_settings_come_first_and_the_bot_extends_them() -> None:
    engine = [name.upper() for name in EngineSettings.model_fields]
    assert list(variables())[: len(engine)] == engine
    assert set(EngineSettings.model_fields) < set(BotSettings.model_fields)


def test_env_example_loads_as_the_defaults() -> None:
    for settings_class in (EngineSettings, BotSettings):
        loaded = settings_class(_env_file=EXAMPLE)  # type: ignore[call-arg]
        defaults = settings_class(_env_file=None)  # type: ignore[call-arg]
        assert loaded.model_dump() == defaults.model_dump()
