"""The /stats chart as a PNG: questions per week, answered rate, satisfaction, top themes.

matplotlib is imported on first use (never at import time) and only through its object API
with the Agg canvas: no pyplot, no global figure state, safe in a worker thread.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.storage.figures import WeekFigures

# Labels drawn in the picture (French, as every user-facing text)
CHART_TITLE = "Questions des {days} derniers jours"
CHART_QUESTIONS = "Questions par semaine"
CHART_ANSWERED = "Avec réponse (%)"
CHART_SATISFACTION = "Avis positifs (%)"
CHART_WEEK = "Semaine du"
CHART_SHARE = "%"
CHART_THEMES = "Thèmes les plus demandés (document cité en premier)"
CHART_NO_THEME = "Aucun thème identifié sur la période"


if TYPE_CHECKING:
    from matplotlib.axes import Axes

WIDTH, HEIGHT, DPI = 9.0, 7.0, 100
BAR_COLOR = "#4C72B0"
ANSWERED_COLOR = "#55A868"
SATISFACTION_COLOR = "#DD8452"


@dataclass(frozen=True)
class ChartData:
    """What the /stats chart shows: weekly figures and the most asked themes."""

    days: int
    weeks: tuple[WeekFigures, ...]
    themes: tuple[tuple[str, int], ...]

    @property
    def questions(self) -> int:
        """Questions over the whole period."""
        return sum(w.questions for w in self.weeks)


@dataclass(frozen=True)
class StatsChart:
    """The /stats chart: its figures and the PNG drawn from them."""

    data: ChartData
    png: bytes


def render_chart(data: ChartData) -> bytes:
    """The chart of `data` as PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)  # attaches itself: the PNG is drawn by Agg
    figure.suptitle(CHART_TITLE.format(days=data.days))
    weeks_axes, themes_axes = figure.subplots(2, 1, height_ratios=(3, 2))
    _weeks(weeks_axes, data)
    _themes(themes_axes, data)
    for axis in (weeks_axes.yaxis, themes_axes.xaxis):  # counts: whole numbers only
        axis.set_major_locator(MaxNLocator(integer=True))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _percent(value: float | None) -> float:
    return float("nan") if value is None else 100 * value


def _weeks(axes: Axes, data: ChartData) -> None:
    """Bars of questions per week; answered rate and satisfaction as lines on a 0-100 axis."""
    labels = [w.week.strftime("%d/%m") for w in data.weeks]
    positions = list(range(len(labels)))
    counts = [w.questions for w in data.weeks]
    axes.bar(positions, counts, color=BAR_COLOR)
    axes.set_ylim(0, max([1, *counts]) * 1.1)
    axes.set_ylabel(CHART_QUESTIONS)
    axes.set_xlabel(CHART_WEEK)
    axes.set_xticks(positions, labels)
    rates = axes.twinx()
    rates.set_ylim(0, 105)
    rates.set_ylabel(CHART_SHARE)
    answered = [_percent(w.answered_rate) for w in data.weeks]
    satisfied = [_percent(w.satisfaction) for w in data.weeks]
    rates.plot(positions, answered, marker="o", color=ANSWERED_COLOR, label=CHART_ANSWERED)
    rates.plot(positions, satisfied, marker="s", color=SATISFACTION_COLOR, label=CHART_SATISFACTION)
    rates.legend(
        loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2, fontsize="small", frameon=False
    )


def _themes(axes: Axes, data: ChartData) -> None:
    """Horizontal bars of the most asked themes."""
    axes.set_title(CHART_THEMES, fontsize="medium")
    if not data.themes:
        axes.text(0.5, 0.5, CHART_NO_THEME, ha="center", va="center")
        axes.set_axis_off()
        return
    names = [name if len(name) <= 40 else name[:39] + "…" for name, _ in data.themes]
    counts = [count for _, count in data.themes]
    positions = list(range(len(names)))
    axes.barh(positions, counts, color=BAR_COLOR)
    axes.set_yticks(positions, names)
    axes.invert_yaxis()  # the most asked on top
