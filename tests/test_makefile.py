"""`make run` installs the runtime only; `make test` adds the CPU torch and the emulator."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def dry_run(*targets: str) -> str:
    """What make would run for these targets, from scratch (-B), without running it (-n)."""
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    return subprocess.run(  # noqa: S603 - make, on our own Makefile
        [make, "-n", "-B", *targets], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


def test_make_run_installs_no_torch_no_sentence_transformers_no_node() -> None:
    recipe = dry_run("run").lower()
    assert "pip install --quiet -e ." in recipe and "essbot start" in recipe
    for heavy in ("torch", "sentence", "npm", "[test]"):
        assert heavy not in recipe, heavy


def test_make_test_takes_torch_from_the_cpu_index_and_adds_the_emulator() -> None:
    recipe = dry_run("test")
    assert "https://download.pytorch.org/whl/cpu" in recipe and "torch==2.13.0" in recipe
    assert "torch.version.cuda is None" in recipe  # a CUDA build stops the install
    assert '-e ".[test]"' in recipe and "npm ci" in recipe and "pytest" in recipe
