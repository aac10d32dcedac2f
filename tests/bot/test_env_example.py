""".env.example mirrors Settings one for one, each variable under its comment, and loads."""

from __future__ import annotations

import re
from pathlib import Path

from indexing.settings import Settings

EXAMPLE = Path(__file__).parents[2] / ".env.example"
VARIABLE = re.compile(r"^(?:# )?([A-Z][A-Z0-9_]*)=")


def test_every_setting_is_in_env_example_with_a_comment() -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    found = {}
    for number, line in enumerate(lines):
        if match := VARIABLE.match(line):
            found[match.group(1)] = lines[number - 1]
    assert sorted(found) == sorted(name.upper() for name in Settings.model_fields)
    for name, above in found.items():
        assert above.startswith("# ") and not VARIABLE.match(above), name


def test_env_example_loads_as_the_defaults() -> None:
    loaded = Settings(_env_file=EXAMPLE)  # type: ignore[call-arg]
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    assert loaded.model_dump() == defaults.model_dump()
