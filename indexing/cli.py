"""Command line: `essbot [--knowledge DIR] [--data DIR] COMMAND`, the engine's commands.

The `essbot` console script (`bot.cli`) runs `main` with the bot's commands and settings and the
database opener (the engine never creates tables; the bot's migrations own them). Each command
is `handler(args, settings, open_database)`.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from indexing.errors import EngineError
from indexing.models import Answer, IndexReport
from indexing.settings import EngineSettings
from indexing.storage.db import DatabaseOpener

if TYPE_CHECKING:
    from indexing.engine import KnowledgeEngine

log = logging.getLogger(__name__)


Register = Callable[[Any], None]  # adds subcommands to the parser's subparsers


def build_parser(extra: Sequence[Register] = ()) -> argparse.ArgumentParser:
    """The parser of the engine's commands, extended by `extra` registrations."""
    parser = argparse.ArgumentParser(
        prog="essbot",
        description="Assistant de la communauté : indexe le dossier de connaissances et y répond.",
    )
    parser.add_argument("--knowledge", type=Path, help="dossier de connaissances (KNOWLEDGE_DIR)")
    parser.add_argument("--data", type=Path, help="dossier des index et de la base (DATA_DIR)")
    parser.add_argument("-v", "--verbose", action="store_true", help="journal détaillé")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")

    p = sub.add_parser("index", help="indexer le dossier de connaissances")
    p.add_argument("--full", action="store_true", help="tout réindexer (ignorer le cache)")
    p.add_argument("--json", action="store_true", help="résumé en JSON")
    p.set_defaults(handler=cmd_index)

    p = sub.add_parser("ask", help="poser une question")
    p.add_argument("question", nargs="+")
    p.add_argument("--json", action="store_true", help="réponse en JSON")
    p.add_argument("--limit", type=int, default=5, help="nombre de sources (5)")
    p.set_defaults(handler=cmd_ask)

    p = sub.add_parser("eval", help="mesurer la qualité sur un fichier de questions YAML")
    p.add_argument("file", type=Path)
    p.add_argument("--json", action="store_true", help="métriques en JSON")
    p.add_argument("--details", action="store_true", help="afficher les questions ratées")
    p.set_defaults(handler=cmd_eval)

    p = sub.add_parser("chat", help="conversation dans le terminal")
    p.set_defaults(handler=cmd_chat)

    for register in extra:
        register(sub)
    return parser


def settings_from(
    args: argparse.Namespace, settings_class: type[EngineSettings] = EngineSettings
) -> EngineSettings:
    """The settings of the entry point (the bot's class extends the engine's), with the
    --knowledge and --data overrides."""
    overrides: dict[str, object] = {}
    if args.knowledge:
        overrides["knowledge_dir"] = args.knowledge
    if args.data:
        overrides["data_dir"] = args.data
    return settings_class(**overrides)  # type: ignore[arg-type]


@contextmanager
def opened_engine(
    settings: EngineSettings, open_database: DatabaseOpener
) -> Iterator[KnowledgeEngine]:
    """The engine on the opened (and upgraded) database, closed at the end."""
    from indexing.engine import KnowledgeEngine

    database = open_database(settings.resolved_database_url)
    try:
        yield KnowledgeEngine.open(settings, database.sessions)
    finally:
        database.close()


def progress_bar(label: str) -> tuple[Callable[[int, int, str], None], Callable[[], None]]:
    """A tqdm bar on stderr (only on a terminal), fed by the indexer's callbacks."""
    from tqdm import tqdm

    bars: dict[str, Any] = {}
    enabled = sys.stderr.isatty()

    def update(done: int, total: int, current: str) -> None:
        phase = "Intégration" if current == "embeddings" else label
        bar = bars.get(phase)
        if bar is None:
            bar = bars[phase] = tqdm(
                total=total,
                desc=phase,
                unit="f" if phase == label else "passage",
                disable=not enabled,
                file=sys.stderr,
                leave=False,
            )
        bar.total = total
        bar.n = done
        bar.refresh()

    def close() -> None:
        for bar in bars.values():
            bar.close()

    return update, close


def cmd_index(
    args: argparse.Namespace, settings: EngineSettings, open_database: DatabaseOpener
) -> int:
    """Index the knowledge folder and print a summary."""
    with opened_engine(settings, open_database) as engine:
        update, close = progress_bar("Lecture des fichiers")
        try:
            report: IndexReport = engine.reindex(full=args.full, progress=update)
        finally:
            close()
        built = engine.has_index()
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        print(format_report(report))
    return 0 if built else 1


def format_report(report: IndexReport) -> str:
    """Readable summary of a reindex."""
    lines = [
        f"Ajoutés : {len(report.added)}   Mis à jour : {len(report.updated)}   "
        f"Supprimés : {len(report.removed)}   Inchangés : {report.unchanged}   "
        f"En échec : {len(report.failed)}"
    ]
    lines += [f"  ✗ {f.path} : {f.reason}" for f in report.failed]
    return "\n".join(lines)


def cmd_ask(
    args: argparse.Namespace, settings: EngineSettings, open_database: DatabaseOpener
) -> int:
    """Answer one question."""
    with opened_engine(settings, open_database) as engine:
        answer: Answer = engine.answer(" ".join(args.question), limit=args.limit)
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False))
    else:
        print(format_answer(answer))
    return 0


def format_answer(answer: Answer) -> str:
    """Readable answer for the terminal."""
    lines = [answer.text, ""]
    for entry in answer.definitions:
        name = f"{entry.term} ({entry.expansion})" if entry.expansion else entry.term
        lines.append(f"📖 {name} : {entry.definition}")
    if answer.definitions:
        lines.append("")
    if answer.sources:
        lines.append("Sources :" if answer.answered else "À lire quand même :")
    for number, source in enumerate(answer.sources, 1):
        kind = "atelier" if source.type == "atelier" else source.type
        date = f", {source.date}" if source.date else ""
        lines.append(f"  [{number}] {source.title} ({kind}{date})")
        lines.append(f"      {source.url or source.path}")
        if source.excerpt:
            lines.append(f"      « {source.excerpt} »")
    return "\n".join(lines).rstrip()


def cmd_eval(
    args: argparse.Namespace, settings: EngineSettings, open_database: DatabaseOpener
) -> int:
    """Measure retrieval quality and abstention on a question file."""
    from indexing.quality.evaluation import evaluate, load_questions

    questions = load_questions(args.file)
    with opened_engine(settings, open_database) as engine:
        report = evaluate(questions, lambda q: engine.answer(q, limit=10))
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
        return 0
    data = report.to_json()
    for key, value in data.items():
        print(f"{key:>14} : {value}")
    if args.details:
        for result in report.results:
            expected = result.question.expected
            ok = (result.rank == 1) if expected else not result.answered
            if not ok:
                print(
                    f"- {result.question.question!r} attendu={list(expected)} "
                    f"rang={result.rank} répondu={result.answered} top={list(result.ranked[:3])}"
                )
    return 0


def cmd_chat(
    args: argparse.Namespace, settings: EngineSettings, open_database: DatabaseOpener
) -> int:
    """A conversation in the terminal on the same answer service."""
    with opened_engine(settings, open_database) as engine:
        engine.ensure_index()
        print("Posez vos questions (ligne vide ou Ctrl-D pour quitter).")
        while True:
            try:
                question = input("\n> ").strip()
            except (EOFError, KeyboardInterrupt):
                print()
                return 0
            if not question:
                return 0
            print(format_answer(engine.answer(question)))


def main(
    argv: Sequence[str] | None,
    open_database: DatabaseOpener,
    extra: Sequence[Register] = (),
    settings_class: type[EngineSettings] = EngineSettings,
) -> int:
    """Parse and dispatch; the `essbot` console script (bot.cli) gives the database opener and
    adds the bot's commands and settings."""
    args = build_parser(extra).parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("httpx", "bm25s", "faiss.loader"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        settings = settings_from(args, settings_class)
        return int(args.handler(args, settings, open_database))
    except EngineError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130
