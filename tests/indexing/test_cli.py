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


BAROMETER = {
    "title": "Baromètre 2016",
    "url": "https://example.org/barometre",
    "publisher": "Solidatech",
    "year": 2016,
}


@SUBPROCESS
def test_index_json_then_ask_json(tmp_path: Path, kb_dir: Path) -> None:
    (kb_dir / "casse.md").write_text("---\ntitle: [x\n---\n", encoding="utf-8")
    dla = kb_dir / "ressources" / "dla.md"
    dla.write_text(
        dla.read_text(encoding="utf-8").replace(
            "date: 2026-11-15\n",
            "date: 2026-11-15\nsources:\n  - title: Baromètre 2016\n"
            "    url: https://example.org/barometre\n    publisher: Solidatech\n    year: 2016\n"
            "  - https://example.org/sans-titre\n",
            1,
        ),
        encoding="utf-8",
    )
    result = essbot(tmp_path, kb_dir, "index", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report == {
        "added": 5,
        "updated": 0,
        "removed": 0,
        "unchanged": 0,
        "failed": [{"path": "casse.md", "reason": report["failed"][0]["reason"]}],
        "units_rebuilt": False,
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
    assert set(first) == {
        "title",
        "url",
        "path",
        "date",
        "type",
        "score",
        "excerpt",
        "link",
        "example",
        "review_due",
        "facts_date",
        "references",
    }
    assert first["path"] == "ressources/dla.md" and first["link"] == first["url"]
    assert first["references"] == [
        BAROMETER,
        {"title": "", "url": "https://example.org/sans-titre", "publisher": None, "year": None},
    ]
    assert first["example"] is False and first["review_due"] is False
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
        "fact_recall",
        "complete_rate",
        "dangling_rate",
        "fragment_rate",
        "anaphor_rate",
        "repeat_rate",
        "mean_chars",
    }
    assert (metrics["questions"], metrics["answerable"]) == (3, 2)
    assert metrics["fact_recall"] is None  # no question of this file lists facts
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


@SUBPROCESS
def test_ask_prints_dates_and_further_reading(tmp_path: Path, kb_dir: Path) -> None:
    dla = kb_dir / "ressources" / "dla.md"
    dla.write_text(
        dla.read_text(encoding="utf-8").replace(
            "date: 2026-11-15\n",
            "date: 2026-11-15\nexemple: true\nreview_by: 2020-01-01\nsources:\n"
            "  - title: Baromètre 2016\n    url: https://example.org/barometre\n"
            "    publisher: Solidatech\n    year: 2016\n",
            1,
        ),
        encoding="utf-8",
    )
    essbot(tmp_path, kb_dir, "index")
    result = essbot(tmp_path, kb_dir, "ask", "Le DLA est-il gratuit ?")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Le Dispositif local d'accompagnement" in out or "DLA" in out
    assert "(exemple) (ressource, fiche rédigée le 2026-11-15, à vérifier)" in out
    assert "Pour aller plus loin :" in out
    assert "- Baromètre 2016 — Solidatech, 2016 — https://example.org/barometre" in out


@SUBPROCESS
def test_check_on_the_starter_base_exits_zero(tmp_path: Path) -> None:
    starter = Path(__file__).resolve().parents[2] / "knowledge"
    result = essbot(tmp_path, starter, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1].endswith(": 0 erreur, 0 avertissement")


@SUBPROCESS
def test_check_names_the_file_field_and_expected_type(tmp_path: Path, kb_dir: Path) -> None:
    (kb_dir / "ressources" / "mauvaise.md").write_text(
        "---\ntitle: Mauvaise\ndate: 2024-13-45\nurl: [https://a.example, https://b.example]\n"
        "type: fiche\nexemple: oui\nreview_by: 2020-01-01\nsources:\n  - publisher: X\n"
        "    url: ftp://example.org/x\n---\nVoir [ce lien](mailto:a@b.c).\n",
        encoding="utf-8",
    )
    (kb_dir / "ressources" / "copie.md").write_text(
        "---\ntitle: Copie\ndate: 2026-01-01\nurl: https://example.org/dla\n"
        "review_by: 2020-01-01\n---\nTexte.\n",
        encoding="utf-8",
    )
    (kb_dir / "casse.pdf").write_bytes(b"%PDF-1.4 pas un vrai PDF")
    result = essbot(tmp_path, kb_dir, "check", "--json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {"files", "errors", "warnings"} and report["files"] == 8
    errors = {(e["path"], e["field"]): e["message"] for e in report["errors"]}
    bad = "ressources/mauvaise.md"
    assert errors[(bad, "date")] == "date : « 2024-13-45 » n'est pas une date AAAA-MM-JJ"
    assert errors[(bad, "url")].startswith("url : « ['https://a.example', ")
    assert "un seul lien http(s) attendu" in errors[(bad, "url")]
    known = "(ressource, atelier, glossaire, reponse)"
    assert f"n'est pas un type connu {known}" in errors[(bad, "type")]
    assert errors[(bad, "exemple")] == "exemple : « oui » n'est pas true ou false"
    assert "« ftp://example.org/x » n'est pas un lien http(s)" in errors[(bad, "sources")]
    assert "« mailto:a@b.c » n'est pas un lien http(s)" in errors[(bad, "texte")]
    assert "est déjà le lien de ressources/copie.md" in errors[("ressources/dla.md", "url")]
    assert "est déjà le lien de ressources/dla.md" in errors[("ressources/copie.md", "url")]
    assert errors[("casse.pdf", "fichier")].startswith("fichier illisible : PDF illisible")
    warnings = {(w["path"], w["field"]) for w in report["warnings"]}
    assert warnings == {("ressources/copie.md", "review_by"), (bad, "review_by")}

    text = essbot(tmp_path, kb_dir, "check")
    assert text.returncode == 1
    last = text.stdout.strip().splitlines()[-1]
    assert last == f"8 fichiers vérifiés : {len(report['errors'])} erreurs, 2 avertissements"


@SUBPROCESS
def test_index_reports_front_matter_errors_by_field_and_indexes_the_rest(
    tmp_path: Path, kb_dir: Path
) -> None:
    (kb_dir / "ressources" / "mauvaise.md").write_text(
        "---\ntitle: Mauvaise\ndate: 2024-13-45\nurl: [https://a.example]\n---\nTexte.\n",
        encoding="utf-8",
    )
    result = essbot(tmp_path, kb_dir, "index", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["added"] == 5
    [failed] = report["failed"]
    assert failed["path"] == "ressources/mauvaise.md"
    assert "date : « 2024-13-45 » n'est pas une date AAAA-MM-JJ" in failed["reason"]
    assert "url : « ['https://a.example'] » n'est pas une adresse" in failed["reason"]


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
        "  [1] Le DLA (atelier, atelier du 2026-01-05)",
        "      https://x.org/dla",
        "      « Gratuit. »",
    ]
    unanswered = Answer("Le téléphone ?", False, "Pas de numéro.", (source,))
    assert "À lire quand même :" in format_answer(unanswered)
