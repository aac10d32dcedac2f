"""Command line: `essbot [--knowledge DIR] [--data DIR] COMMAND`, the engine's commands.

The `essbot` console script (`bot.cli`) runs `main` with the bot's commands and settings and the
database opener (the engine never creates tables; the bot's migrations own them). Each command
is `handler(args, settings, open_database)`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from indexing.console.argparse_fr import FrenchArgumentParser
from indexing.console.logs import RedactSecrets, configure_logging
from indexing.errors import EngineError
from indexing.models import Answer, IndexReport, Reference, Source
from indexing.settings import EngineSettings
from indexing.storage.db import DatabaseOpener

if TYPE_CHECKING:
    from indexing.engine import KnowledgeEngine
    from indexing.sources.validation import CheckReport

log = logging.getLogger(__name__)


Register = Callable[[Any], None]  # adds subcommands to the parser's subparsers


DATE_HELP = "au format AAAA-MM-JJ, par exemple 2026-01-31"


def build_parser(extra: Sequence[Register] = ()) -> argparse.ArgumentParser:
    """The parser of the engine's commands, extended by `extra` registrations."""
    parser = FrenchArgumentParser(
        prog="essbot",
        description="Assistant de la communauté : indexe le dossier de connaissances et y répond.",
        epilog="Les options globales se placent avant la commande ; "
        "« essbot COMMANDE -h » décrit chaque commande.",
    )
    parser.add_argument(
        "--knowledge", type=Path, metavar="DOSSIER", help="dossier de connaissances (KNOWLEDGE_DIR)"
    )
    parser.add_argument(
        "--data", type=Path, metavar="DOSSIER", help="dossier des index et de la base (DATA_DIR)"
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="journal détaillé, traces d'erreur comprises"
    )
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMANDE", title="commandes"
    )

    p = sub.add_parser("index", help="indexer le dossier de connaissances")
    p.add_argument(
        "--full",
        action="store_true",
        help="tout relire et reconstruire (les vecteurs déjà calculés sont repris)",
    )
    p.add_argument("--json", action="store_true", help="résumé en JSON")
    p.set_defaults(handler=cmd_index)

    p = sub.add_parser("ask", help="poser une question")
    p.add_argument("question", nargs="+", metavar="QUESTION", help="la question, en mots libres")
    p.add_argument("--json", action="store_true", help="réponse en JSON")
    p.add_argument("--limit", type=int, default=5, metavar="N", help="nombre de sources (5)")
    p.set_defaults(handler=cmd_ask)

    p = sub.add_parser("eval", help="mesurer la qualité sur un fichier de questions YAML")
    p.add_argument(
        "file",
        type=Path,
        metavar="FICHIER",
        help="fichier YAML : une liste de {question, expected: [chemins attendus]}",
    )
    p.add_argument("--json", action="store_true", help="métriques en JSON")
    p.add_argument(
        "--details",
        action="store_true",
        help="questions ratées ; avec --json : réponse et faits de chaque question",
    )
    p.set_defaults(handler=cmd_eval)

    p = sub.add_parser("check", help="vérifier le dossier de connaissances sans l'indexer")
    p.add_argument("--json", action="store_true", help="rapport en JSON")
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser(
        "chat", help="conversation dans le terminal (rien n'est enregistré ; /quitter pour sortir)"
    )
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
    """The engine on the opened (and upgraded) database, closed at the end; the data folder is
    checked first (a clear French line when it is not writable)."""
    from indexing.engine import KnowledgeEngine
    from indexing.storage.folders import ensure_data_folder

    ensure_data_folder(settings.data_dir)
    database = open_database(settings.resolved_database_url)
    try:
        yield KnowledgeEngine.open(settings, database.sessions)
    finally:
        database.close()


def run_reindex(engine: Any, full: bool = False) -> IndexReport:
    """Reindex with the progress display of the command line, closed before any summary."""
    from indexing.console.progress import ReindexProgress

    progress = ReindexProgress()
    try:
        report: IndexReport = engine.reindex(full=full, progress=progress)
    finally:
        progress.close()
    return report


def cmd_index(
    args: argparse.Namespace, settings: EngineSettings, open_database: DatabaseOpener
) -> int:
    """Index the knowledge folder and print a summary."""
    with opened_engine(settings, open_database) as engine:
        report = run_reindex(engine, full=args.full)
        usable = engine.has_index()
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        print(format_report(report))
    warning = empty_folder_warning(report, settings.knowledge_dir)
    if warning:
        print(warning, file=sys.stderr)
    return 0 if usable else 1


def format_report(report: IndexReport) -> str:
    """Readable summary of a reindex."""
    lines = [
        f"Ajoutés : {len(report.added)}   Mis à jour : {len(report.updated)}   "
        f"Supprimés : {len(report.removed)}   Inchangés : {report.unchanged}   "
        f"En échec : {len(report.failed)}"
    ]
    if report.embedded or report.reused:
        lines.append(
            f"Passages encodés : {report.embedded}   repris du cache de vecteurs : {report.reused}"
        )
    if report.units_rebuilt:
        lines.append(
            "Unités de réponse recoupées par cette version d'essbot (aucun passage réencodé) : "
            "les réponses peuvent changer."
        )
    lines += [f"  ✗ {f.path} : {f.reason}" for f in report.failed]
    return "\n".join(lines)


def cmd_check(
    args: argparse.Namespace, settings: EngineSettings, open_database: DatabaseOpener
) -> int:
    """Validate the knowledge folder: 0 when clean, 1 when something must be fixed."""
    import datetime as dt

    from indexing.sources.validation import check_folder

    report = check_folder(
        settings.knowledge_dir, int(settings.max_file_mb * 1_000_000), dt.date.today()
    )
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        print(format_check(report))
    return 0 if report.clean else 1


def format_check(report: CheckReport) -> str:
    """Readable report of `essbot check`: errors, warnings, then the summary line."""
    lines = [f"✗ {f.path} — {f.message}" for f in report.errors]
    lines += [f"⚠ {f.path} — {f.message}" for f in report.warnings]
    return "\n".join([*lines, report.summary()])


def empty_folder_warning(report: IndexReport, knowledge_dir: Path) -> str | None:
    """A warning when the index holds no document at all, else None."""
    if report.added or report.updated or report.unchanged:
        return None
    return (
        f"Attention : aucun document indexé dans {knowledge_dir.absolute()} : le bot ne pourra "
        "répondre à rien. Ajoutez-y des fiches (.md, .txt, .pdf, .docx, .html) : le mode "
        "d'emploi est dans knowledge/README.md (dépôt du projet)."
    )


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
        example = " (exemple)" if source.example else ""
        lines.append(f"  [{number}] {source.title}{example} ({_source_details(source)})")
        lines.append(f"      {source.link or source.path}")
        if source.excerpt:
            lines.append(f"      « {source.excerpt} »")
        if source.references:
            lines.append("      Pour aller plus loin :")
            lines += [f"        - {_reference(r)}" for r in source.references]
    return "\n".join(lines).rstrip()


def _source_details(source: Source) -> str:
    """ "ressource, fiche rédigée le 2026-11-15, à vérifier" """
    parts = [source.type]
    if source.date:
        written = "atelier du" if source.type == "atelier" else "fiche rédigée le"
        parts.append(f"{written} {source.date}")
    if source.facts_date:
        parts.append(f"faits de {source.facts_date[:4]}")
    if source.review_due:
        parts.append("à vérifier")
    return ", ".join(parts)


def _reference(reference: Reference) -> str:
    """ "Title — Publisher, 2016 — https://…" """
    known = ", ".join(p for p in (reference.publisher, reference.year and str(reference.year)) if p)
    return " — ".join(p for p in (reference.title, known, reference.url) if p)


def cmd_eval(
    args: argparse.Namespace, settings: EngineSettings, open_database: DatabaseOpener
) -> int:
    """Measure retrieval quality and abstention on a question file."""
    from indexing.quality.evaluation import evaluate, load_questions

    questions = load_questions(args.file)
    with opened_engine(settings, open_database) as engine:
        report = evaluate(questions, lambda q: engine.answer(q, limit=10))
    if args.json:
        print(json.dumps(report.to_json(details=args.details), ensure_ascii=False))
        return 0
    data = report.to_json()
    for key, value in data.items():
        print(f"{key:>14} : {value}")
    if args.details:
        for result in report.results:
            expected = result.question.expected
            ok = (result.rank == 1) if expected else not result.answered
            facts = result.facts_found
            if not ok or not all(facts):
                print(
                    f"- {result.question.question!r} attendu={list(expected)} "
                    f"rang={result.rank} répondu={result.answered} top={list(result.ranked[:3])} "
                    f"faits={sum(facts)}/{len(facts)}"
                )
    return 0


QUIT_COMMANDS = frozenset({"/quitter", "/quit", "/q"})


def cmd_chat(
    args: argparse.Namespace, settings: EngineSettings, open_database: DatabaseOpener
) -> int:
    """A conversation in the terminal, straight on the engine: nothing is stored."""
    with contextlib.suppress(ImportError):  # not on every platform
        import readline  # noqa: F401 - input() gains line editing and history
    from indexing.console.progress import ReindexProgress

    with opened_engine(settings, open_database) as engine:
        progress = ReindexProgress()
        try:
            engine.ensure_index(progress=progress)
        finally:
            progress.close()
        print(
            "Conversation dans le terminal. Rien n'est enregistré : ni les questions ni les "
            "réponses (le bot Telegram, lui, garde les questions pour les statistiques).\n"
            "Flèches pour modifier ou rappeler une question ; /quitter ou Ctrl-D pour sortir."
        )
        while True:
            try:
                question = input("\n> ").strip()
            except (EOFError, KeyboardInterrupt):
                print()
                return 0
            if question.lower() in QUIT_COMMANDS:
                return 0
            if question:
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
    redaction = configure_logging(args.verbose)
    try:
        settings = settings_from(args, settings_class)
        return int(args.handler(args, settings, open_database))
    except EngineError as exc:
        return fail(str(exc), args.verbose, redaction)
    except OperationalError as exc:
        return fail(f"base de données inaccessible : {exc.orig}", args.verbose, redaction)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']).upper()} : {error['msg']}"
            for error in exc.errors()
        )
        return fail(f"réglage invalide ({problems})", args.verbose, redaction)
    except OSError as exc:
        where = f" : {exc.filename}" if exc.filename else ""
        return fail(f"{exc.strerror or exc}{where}", args.verbose, redaction)
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130


def fail(message: str, verbose: bool, redaction: RedactSecrets) -> int:
    """One French line on stderr (the traceback too with -v, secrets masked); status 1."""
    if verbose:
        log.error("échec", exc_info=True)
    else:
        message += " (détails : relancez avec -v)"
    print(f"Erreur : {redaction.redact(message)}", file=sys.stderr)
    return 1
