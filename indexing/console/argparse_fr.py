"""An argparse parser that speaks French: help labels, `-h`, usage and error messages."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from typing import Any, NoReturn

# argparse's own English messages (Python 3.11+), as regular expressions, and their French form
_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), french)
    for pattern, french in (
        (r"^the following arguments are required: (.*)$", r"arguments obligatoires manquants : \1"),
        (r"^unrecognized arguments: (.*)$", r"arguments inconnus : \1"),
        (
            r"^argument (\S+): invalid choice: (.*) \(choose from (.*)\)$",
            r"argument \1 : choix invalide : \2 (choix possibles : \3)",
        ),
        (r"^argument (\S+): invalid (\S+) value: (.*)$", r"argument \1 : valeur invalide : \3"),
        (r"^argument (\S+): expected one argument$", r"argument \1 : une valeur est attendue"),
        (
            r"^argument (\S+): expected at least one argument$",
            r"argument \1 : au moins une valeur est attendue",
        ),
        (r"^argument (\S+): (.*)$", r"argument \1 : \2"),
        (r"^ambiguous option: (\S+) could match (.*)$", r"option ambiguë : \1 (\2 ?)"),
    )
)


def french_error(message: str) -> str:
    """argparse's error message in French (unknown messages are kept as they are)."""
    for pattern, french in _ERRORS:
        if pattern.match(message):
            return pattern.sub(french, message)
    return message


class FrenchHelpFormatter(argparse.HelpFormatter):
    """« utilisation : » instead of "usage: "."""

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[Any],
        prefix: str | None = None,
    ) -> None:
        """The usage line, with a French prefix."""
        super().add_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)


class FrenchArgumentParser(argparse.ArgumentParser):
    """ArgumentParser with French labels; subcommand parsers are of the same class."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", FrenchHelpFormatter)
        add_help = bool(kwargs.pop("add_help", True))
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        if add_help:
            self.add_argument(
                "-h", "--help", action="help", help="afficher cette aide, puis quitter"
            )

    def error(self, message: str) -> NoReturn:
        """Print the usage and the error in French, exit with status 2."""
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog} : erreur : {french_error(message)}\n")
