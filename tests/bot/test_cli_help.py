"""`essbot --help` and every command's help are entirely in French, every argument has a help
line, and `report --help` gives the date format."""

from __future__ import annotations

import argparse

import pytest

from bot.cli import REGISTRATIONS
from indexing.cli import build_parser
from indexing.console.argparse_fr import french_error

ENGLISH = (
    "usage:",
    "positional arguments",
    "optional arguments",
    "show this help",
    "options:\n  -h, --help  show",
)


def parsers() -> dict[str, argparse.ArgumentParser]:
    root = build_parser(REGISTRATIONS)
    found = {"essbot": root}
    for action in root._actions:
        if isinstance(action, argparse._SubParsersAction):
            found.update(action.choices)
    return found


def test_every_command_is_helped_in_french() -> None:
    found = parsers()
    assert {"index", "ask", "eval", "chat", "run", "start", "report", "purge"} <= set(found)
    for name, parser in found.items():
        text = parser.format_help()
        assert text.startswith("utilisation : "), name
        for english in ENGLISH:
            assert english not in text, (name, english)
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            assert action.help and action.help != argparse.SUPPRESS, (name, action.dest)


def test_report_help_gives_the_date_format() -> None:
    text = parsers()["report"].format_help()
    assert "AAAA-MM-JJ" in text and "2026-01-31" in text


def test_argument_errors_are_french(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser(REGISTRATIONS).parse_args(["report", "--from", "2026-01-01"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "arguments obligatoires manquants : --to" in err and "utilisation : " in err
    assert french_error("unrecognized arguments: --x") == "arguments inconnus : --x"
