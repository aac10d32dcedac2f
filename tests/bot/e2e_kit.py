"""End-to-end kit of the bot tests: a gated proxy of the real engine, knowledge, message helpers."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.settings import BotSettings
from bot.telegram.context import BotApplication
from indexing.models import Answer, IndexReport

ADMIN_ID = 4242


class ProxyEngine:
    """The real engine, with gates a test can close to hold an answer or a reindex midway."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.embedder = engine.embedder
        self.answers = 0
        self.reindexes = 0
        self.hold_answers = threading.Event()  # cleared: questions containing HOLD wait
        self.hold_answers.set()
        self.hold_reindex = threading.Event()  # cleared: the reindex waits after each step
        self.hold_reindex.set()
        self.fail_on: str | None = None

    HOLD = "patientez"

    def open_gates(self) -> None:
        self.hold_answers.set()
        self.hold_reindex.set()

    def answer(self, question: str, limit: int = 5) -> Answer:
        self.answers += 1
        if self.HOLD in question:
            self.hold_answers.wait(10)
        if self.fail_on and self.fail_on in question:
            raise RuntimeError(f"engine failure on {question!r}")
        return self.engine.answer(question, limit)  # type: ignore[no-any-return]

    def reindex(
        self, full: bool = False, progress: Callable[[int, int, str], None] | None = None
    ) -> IndexReport:
        def gated(done: int, total: int, path: str) -> None:
            if progress:
                progress(done, total, path)
            self.hold_reindex.wait(10)

        self.reindexes += 1
        return self.engine.reindex(full=full, progress=gated)  # type: ignore[no-any-return]

    def documents(self) -> Any:
        return self.engine.documents()


FIXTURE_KB = Path(__file__).parents[1] / "fixtures" / "kb"
EXTRA_DOCS = {
    "ressources/visio.md": """---
title: "Choisir un outil de visioconférence libre"
url: https://example.org/visio
date: 2026-05-04
type: ressource
sources:
  - title: "Comparatif des outils de visioconférence"
    url: https://example.org/comparatif-visio
    publisher: "Framasoft"
    year: 2021
tags: [visioconférence, Jitsi, BigBlueButton]
themes: [outils collaboratifs]
---
# Choisir un outil de visioconférence libre

## Jitsi et BigBlueButton
Jitsi Meet permet d'organiser une visioconférence depuis un navigateur, sans compte. BigBlueButton
convient aux ateliers à distance avec tableau blanc, salles de sous-groupes et partage d'écran.
""",
    "ateliers/atelier-visio.md": """---
title: "Atelier : animer une réunion à distance"
date: 2026-06-20
type: atelier
exemple: true
tags: [visioconférence, animation]
themes: [animation]
---
# Atelier : animer une réunion à distance

## Points clés
Pour animer une réunion en visioconférence, les participants recommandent un ordre du jour
partagé, une personne qui anime et une autre qui prend des notes, et des pauses toutes les heures.
""",
}


FIXTURE_REFERENCE = (
    '\nsources:\n  - title: "Guide pratique ({name})"\n'
    '    url: https://example.org/guide-{name}\n    publisher: "Avise"\n    year: 2019\ntype: '
)


def write_knowledge(target: Path) -> Path:
    """The fixture knowledge folder plus two documents, copied to `target`; each fixture sheet
    gets a reference "Guide pratique (<name>)" (Avise, 2019)."""
    shutil.copytree(FIXTURE_KB, target)
    for sheet in [*target.glob("ressources/*.md"), *target.glob("ateliers/*.md")]:
        text = sheet.read_text(encoding="utf-8")
        sheet.write_text(
            text.replace("\ntype: ", FIXTURE_REFERENCE.format(name=sheet.stem), 1), encoding="utf-8"
        )
    for rel, body in EXTRA_DOCS.items():
        (target / rel).write_text(body, encoding="utf-8")
    return target


def button_rows(message: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """The inline keyboard of a message as the emulator stores it."""
    return list(message.get("reply_markup", {}).get("inline_keyboard", []))


def callback_data(message: dict[str, Any]) -> list[str]:
    """Every callback_data under a message."""
    return [b["callback_data"] for row in button_rows(message) for b in row if "callback_data" in b]


def share_query_of(message: dict[str, Any]) -> str:
    """The inline query of the message's 📤 Partager button."""
    for row in button_rows(message):
        for b in row:
            if "switch_inline_query_chosen_chat" in b:
                return str(b["switch_inline_query_chosen_chat"]["query"])
    raise AssertionError(f"no share button in {button_rows(message)}")


def link_urls(message: dict[str, Any]) -> list[str]:
    """The URLs of the text links of a message, in order."""
    return [e["url"] for e in message.get("entities", []) if e["type"] == "text_link"]


def message_id(update: dict[str, Any]) -> int:
    """The id of the message of an injected update."""
    return int(update["message"]["message_id"])


@dataclass
class RunningBot:
    """The bot under test and what it uses."""

    application: BotApplication
    engine: ProxyEngine
    sessions: sessionmaker[Session]
    settings: BotSettings


StartBot = Callable[..., Awaitable[RunningBot]]
