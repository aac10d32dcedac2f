"""The import rules of pyproject.toml ([tool.importlinter]) hold, and `lint-imports` catches a
planted violation: the engine importing Telegram."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on the packages under `root`, with the contracts of its pyproject.toml."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(  # noqa: S603 - our own venv's script
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_import_rules_hold() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_engine_module_importing_telegram_breaks_the_rules(tmp_path: Path) -> None:
    for package in ("indexing", "bot"):
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    search = tmp_path / "indexing" / "retrieval" / "search.py"
    search.write_text(search.read_text(encoding="utf-8") + "\nimport telegram\n", encoding="utf-8")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "The engine (indexing) never imports the bot nor Telegram BROKEN" in result.stdout
    assert "indexing.retrieval.search -> telegram" in result.stdout
