"""The import rules of the packages (README, "Architecture"): each layer imports only those
below it, checked on the source of every module (imports inside functions included)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
FORBIDDEN = {
    "indexing": ("bot", "telegram"),
    "bot.storage": (
        "bot.assistant",
        "bot.community",
        "bot.upkeep",
        "bot.contributions",
        "bot.telegram",
        "bot.cli",
        "telegram",
    ),
    "bot.assistant": (
        "bot.community",
        "bot.upkeep",
        "bot.contributions",
        "bot.telegram",
        "bot.cli",
        "telegram",
    ),
    "bot.community": ("bot.telegram", "bot.cli", "telegram"),
    "bot.upkeep": ("bot.telegram", "bot.cli", "telegram"),
    "bot.contributions": ("bot.telegram", "bot.cli", "telegram"),
    "bot.telegram": ("bot.cli",),
}


def imported(path: Path) -> set[str]:
    """Every module a source file imports."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_packages_import_only_the_layers_below(package: str) -> None:
    folder = ROOT / package.replace(".", "/")
    files = sorted(folder.rglob("*.py"))
    assert files, folder
    breaches = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in files
        for name in sorted(imported(path))
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[package])
    ]
    assert breaches == []
