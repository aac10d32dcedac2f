"""The command line: what it prints for a person, the settings it builds, and (slow) its JSON
contracts and exit statuses, run as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

SUBPROCESS = pytest.mark.slow  # each run is a new process that loads the model


def essbot(tmp_path: Path, kb_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the console entry point with the folders given as global options."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    return subprocess.run(  # noqa: S603 (our own interpreter)
        [
            sys.executable,
            "-m",
            "bot.cli",
            "--knowledge",
            str(kb_dir),
            "--data",
            str(tmp_path / "data"),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
        env=env,
    )


@SUBPROCESS
def test_index_json_then_ask_json(tmp_path: Path, kb_dir: Path) -> None:
    (kb_dir / "casse.md").write_text("---\ntitle: [x\n---\n", encoding="utf-8")
    result = essbot(tmp_path, kb_dir, "index", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report == {
        "added": 5,
        "updated": 0,
        "removed": 0,
        "unchanged": 0,
        "failed": [{"path": "casse.md", "reason": report["failed"][0]["reason"]}],
    }
    assert "YAML" in report["failed"][0]["reason"]

    again = json.loads(essbot(tmp_path, kb_dir, "index", "--json").stdout)
    assert (again["added"], again["unchanged"]) == (0, 5)

    result = essbot(tmp_path, kb_dir, "ask", "Le", "DLA", "est-il", "gratuit", "?", "--json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert set(answer) == {"question", "answered", "answer", "sources"}
    assert answer["question"] == "Le DLA est-il gratuit ?"
    assert isinstance(answer["answered"], bool) and isinstance(answer["answer"], str)
    first = answer["sources"][0]
    assert set(first) == {"title", "url", "path", "date", "type", "score", "excerpt"}
    assert first["path"] == "ressources/dla.md"
    assert first["url"] == "https://example.org/dla" and first["date"] == "2026-11-15"
    assert first["type"] == "ressource" and isinstance(first["score"], float)


@SUBPROCESS
def test_eval_json_contract(tmp_path: Path, kb_dir: Path) -> None:
    questions = tmp_path / "q.yaml"
    questions.write_text(
        yaml.safe_dump(
            [
                {
                    "question": "protection des données des adhérents",
                    "expected": ["ressources/rgpd.md"],
                    "kind": "ignored",
                },
                {
                    "question": "dispositif local d'accompagnement",
                    "expected": ["ressources/dla.md"],
                },
                {"question": "Quelle est la recette de la pâte à crêpes ?", "expected": []},
            ],
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    essbot(tmp_path, kb_dir, "index")
    result = essbot(tmp_path, kb_dir, "eval", str(questions), "--json")
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)
    assert set(metrics) == {
        "questions",
        "answerable",
        "hit_at_1",
        "hit_at_5",
        "mrr_at_10",
        "answered_rate",
        "abstain_rate",
    }
    assert (metrics["questions"], metrics["answerable"]) == (3, 2)
    assert metrics["hit_at_1"] == 1.0 and metrics["mrr_at_10"] == 1.0
    assert metrics["abstain_rate"] == 1.0


@SUBPROCESS
def test_errors_are_one_clear_line_and_non_zero(tmp_path: Path, kb_dir: Path) -> None:
    result = essbot(tmp_path, kb_dir, "ask", "DLA")
    assert result.returncode == 1
    assert result.stderr.strip().startswith("Erreur :") and "essbot index" in result.stderr
    missing = essbot(tmp_path, tmp_path / "absent", "index")
    assert missing.returncode == 1 and "introuvable" in missing.stderr
    assert "Traceback" not in missing.stderr + result.stderr


def test_settings_come_from_the_entry_points_class_with_the_folder_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.settings import BotSettings
    from indexing.cli import build_parser, settings_from
    from indexing.settings import EngineSettings

    monkeypatch.chdir(tmp_path)  # no developer .env
    args = build_parser().parse_args(["--knowledge", "kb", "--data", "d", "index"])
    engine_settings = settings_from(args)
    assert type(engine_settings) is EngineSettings
    assert (engine_settings.knowledge_dir, engine_settings.data_dir) == (Path("kb"), Path("d"))
    bot_settings = settings_from(args, BotSettings)
    assert isinstance(bot_settings, BotSettings) and bot_settings.data_dir == Path("d")


def test_reports_and_answers_read_well_in_a_terminal() -> None:
    from indexing.cli import format_answer, format_report
    from indexing.models import Answer, Definition, FailedFile, IndexReport, Source

    report = IndexReport(added=("a.md",), unchanged=2, failed=(FailedFile("b.pdf", "illisible"),))
    assert format_report(report).splitlines() == [
        "Ajoutés : 1   Mis à jour : 0   Supprimés : 0   Inchangés : 2   En échec : 1",
        "  ✗ b.pdf : illisible",
    ]
    source = Source(
        "Le DLA", "https://x.org/dla", "dla.md", "2026-01-05", "atelier", 0.9, "Gratuit."
    )
    answer = Answer(
        "Le DLA ?",
        True,
        "Le DLA est gratuit [1].",
        (source,),
        definitions=(Definition("DLA", "Dispositif local d'accompagnement", "Un dispositif."),),
    )
    assert format_answer(answer).splitlines() == [
        "Le DLA est gratuit [1].",
        "",
        "📖 DLA (Dispositif local d'accompagnement) : Un dispositif.",
        "",
        "Sources :",
        "  [1] Le DLA (atelier, 2026-01-05)",
        "      https://x.org/dla",
        "      « Gratuit. »",
    ]
    unanswered = Answer("Le téléphone ?", False, "Pas de numéro.", (source,))
    assert "À lire quand même :" in format_answer(unanswered)
