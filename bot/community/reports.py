"""The anonymised usage report for funders and partners, as Markdown and CSV files.

Only aggregates: no question text, no pseudonym, no group.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from bot.storage.contributions import ContributionCounts
from bot.storage.figures import ThemeFigures

CSV_COLUMNS = (
    "theme",
    "questions",
    "avec_reponse",
    "sans_reponse",
    "taux_reponse",
    "avis_positifs",
    "avis_negatifs",
    "satisfaction",
)
TOTAL = "Total"
TOP_UNANSWERED = 5  # themes under "les plus souvent sans réponse"; the table lists them all


@dataclass(frozen=True)
class UsageReport:
    """The anonymised report for funders and partners: aggregates only, no text, no ids."""

    start: dt.date
    end: dt.date  # inclusive
    questions: int
    answered: int
    up: int
    down: int
    members: int  # distinct pseudonyms
    themes: tuple[ThemeFigures, ...]  # most asked first
    contributions: ContributionCounts = field(default_factory=ContributionCounts)

    @property
    def top_unanswered(self) -> tuple[ThemeFigures, ...]:
        """Themes with unanswered questions, most first."""
        found = [t for t in self.themes if t.unanswered]
        return tuple(sorted(found, key=lambda t: (-t.unanswered, t.theme)))


def _rate(part: int, whole: int) -> str:
    return f"{part / whole:.0%}".replace("%", " %") if whole else "-"


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:.3f}" if whole else ""


def _cell(text: str) -> str:
    """A Markdown table cell: pipes and line breaks would break the table."""
    return " ".join(text.replace("|", "/").split())


def to_markdown(report: UsageReport) -> str:
    """The report as a French Markdown document."""
    votes = report.up + report.down
    lines = [
        f"# Rapport d'usage de l'assistant — du {report.start:%d/%m/%Y} au {report.end:%d/%m/%Y}",
        "",
        "Rapport anonymisé : des totaux seulement, sans texte de question ni identifiant.",
        "",
        "## Synthèse",
        "",
        f"- Questions posées : {report.questions}",
        f"- Membres différents : {report.members}",
        f"- Avec réponse : {report.answered} ({_rate(report.answered, report.questions)})",
        f"- Avis : {report.up} positifs, {report.down} négatifs "
        f"(satisfaction {_rate(report.up, votes)})",
        "",
        "## Questions par thème",
        "",
        "Thème d'une question : le premier thème du document cité en premier.",
        "",
        "| Thème | Questions | Avec réponse | Taux de réponse | Avis positifs | Avis négatifs "
        "| Satisfaction |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for t in report.themes:
        lines.append(
            f"| {_cell(t.theme)} | {t.questions} | {t.answered} | {_rate(t.answered, t.questions)}"
            f" | {t.up} | {t.down} | {_rate(t.up, t.up + t.down)} |"
        )
    if not report.themes:
        lines.append("| (aucune question sur la période) | 0 | 0 | - | 0 | 0 | - |")
    grown = report.contributions
    lines += [
        "",
        "## La base enrichie depuis Telegram",
        "",
        f"- Questions transmises à l'équipe : {grown.escalations}",
        f"- Réponses de l'équipe relayées : {grown.team_answers}",
        f"- Ajouts à la base (fiches, documents, pages) : {grown.additions}",
        f"- Alertes « Me prévenir » envoyées : {grown.notifications}",
    ]
    lines += ["", "## Thèmes les plus souvent sans réponse", ""]
    unanswered = report.top_unanswered[:TOP_UNANSWERED]
    lines += [
        f"{rank}. {_cell(t.theme)} : {t.unanswered} "
        f"{'question' if t.unanswered <= 1 else 'questions'} sans réponse"
        for rank, t in enumerate(unanswered, start=1)
    ] or ["Aucune question sans réponse sur la période."]
    return "\n".join(lines) + "\n"


def _csv_row(t: ThemeFigures) -> list[str | int]:
    return [
        t.theme,
        t.questions,
        t.answered,
        t.unanswered,
        _ratio(t.answered, t.questions),
        t.up,
        t.down,
        _ratio(t.up, t.up + t.down),
    ]


def write_csv(report: UsageReport, path: Path) -> None:
    """One row per theme, then the total; rates as decimals (0.750), empty when undefined."""
    total = ThemeFigures(TOTAL, report.questions, report.answered, report.up, report.down)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(_csv_row(t) for t in report.themes)
        writer.writerow(_csv_row(total))


def write_report(report: UsageReport, out_dir: Path) -> tuple[Path, Path]:
    """Write `rapport-<from>-<to>.md` and `.csv` in `out_dir`; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"rapport-{report.start.isoformat()}-{report.end.isoformat()}"
    markdown, table = out_dir / f"{stem}.md", out_dir / f"{stem}.csv"
    markdown.write_text(to_markdown(report), encoding="utf-8")
    write_csv(report, table)
    return markdown, table
