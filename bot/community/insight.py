"""What members need, for admins: the digest of unanswered and 👎 questions grouped by
similarity, the weekly figures of the /stats chart, the anonymised usage report.

The queries live in `bot.storage.usage`; `Insight` runs everything in a worker thread.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session, sessionmaker

from bot.assistant.service import KnowledgeBase
from bot.community.chart import ChartData, StatsChart, render_chart
from bot.community.reports import UsageReport
from bot.storage import contributions, records
from bot.storage.usage import (
    NO_THEME,
    FlaggedQuestion,
    by_theme,
    flagged_questions,
    question_facts,
    weekly,
)
from indexing.answering.profiles import profile_for
from indexing.errors import IndexNotBuiltError

log = logging.getLogger(__name__)

DIGEST_GROUPS = 10  # groups in a digest: one screen of an admin's phone
EXAMPLES_PER_GROUP = 3  # wordings quoted per group: enough to see the need, short to read
CHART_THEMES = 6  # themes in the /stats chart: more bars no longer fit its lower panel


@dataclass(frozen=True)
class QuestionGroup:
    """Similar unanswered or 👎 questions of a digest, the most frequent wording first."""

    examples: tuple[str, ...]
    count: int
    unanswered: int
    disliked: int
    reasons: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Digest:
    """The questions admins should look at over a period, grouped by similarity."""

    days: int
    unanswered: int
    disliked: int
    groups: tuple[QuestionGroup, ...]

    @property
    def empty(self) -> bool:
        """Nothing to report."""
        return not self.groups


def group_similar(vectors: npt.NDArray[np.float32], threshold: float) -> list[list[int]]:
    """Indices grouped greedily: each joins the group whose centroid is the closest, if the
    cosine reaches `threshold`, else starts one. Vectors are L2-normalised. Biggest first."""
    groups: list[list[int]] = []
    sums: list[npt.NDArray[np.float32]] = []
    for index, vector in enumerate(vectors):
        if sums:
            centroids = np.stack(sums)
            centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
            similarity = centroids @ vector
            best = int(np.argmax(similarity))
            if similarity[best] >= threshold:
                groups[best].append(index)
                sums[best] = sums[best] + vector
                continue
        groups.append([index])
        sums.append(vector.astype(np.float32))
    return sorted(groups, key=lambda g: (-len(g), g[0]))


def default_similarity(embedder_name: str) -> float:
    """The grouping threshold for an embedder: its measured paraphrase cosine."""
    return profile_for(embedder_name).paraphrase_cosine


def _normalised(text: str) -> str:
    return " ".join(text.casefold().split()).strip(" ?!.")


def _question_group(members: Sequence[FlaggedQuestion]) -> QuestionGroup:
    wordings = Counter(_normalised(q.text) for q in members)
    first_text: dict[str, str] = {}
    for q in members:
        first_text.setdefault(_normalised(q.text), q.text)
    ranked = sorted(wordings, key=lambda w: -wordings[w])  # stable: first asked wins ties
    reasons = Counter(r for q in members for r in q.down_reasons if r)
    return QuestionGroup(
        examples=tuple(first_text[w] for w in ranked[:EXAMPLES_PER_GROUP]),
        count=len(members),
        unanswered=sum(1 for q in members if not q.answered),
        disliked=sum(1 for q in members if q.down_reasons),
        reasons=tuple(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
    )


class Insight:
    """Digest, chart figures and report, from the stored questions and the engine's catalogue."""

    def __init__(
        self,
        engine: KnowledgeBase,
        sessions: sessionmaker[Session],
        *,
        similarity: float | None = None,
        clock: Callable[[], dt.datetime] = records.utcnow,
    ) -> None:
        self._engine = engine
        self._sessions = sessions
        self._similarity = similarity
        self._clock = clock

    async def digest(self, days: int) -> Digest:
        """Unanswered and 👎 questions of the last `days` days, grouped by similarity."""
        return await asyncio.to_thread(self.digest_now, days)

    def digest_now(self, days: int) -> Digest:
        """The digest, synchronously."""
        end = self._clock()
        with self._sessions() as session:
            flagged = flagged_questions(session, end - dt.timedelta(days=days), end)
        if not flagged:
            return Digest(days, 0, 0, ())
        vectors = self._engine.embedder.embed_passages([q.text for q in flagged])
        threshold = self._similarity or default_similarity(self._engine.embedder.name)
        groups = group_similar(np.asarray(vectors, dtype=np.float32), threshold)
        return Digest(
            days=days,
            unanswered=sum(1 for q in flagged if not q.answered),
            disliked=sum(1 for q in flagged if q.down_reasons),
            groups=tuple(_question_group([flagged[i] for i in g]) for g in groups[:DIGEST_GROUPS]),
        )

    async def chart(self, days: int) -> StatsChart | None:
        """The chart of the last `days` days, None when no question was asked."""
        return await asyncio.to_thread(self._chart, days)

    def _chart(self, days: int) -> StatsChart | None:
        data = self.chart_data(days)
        return StatsChart(data, render_chart(data)) if data.questions else None

    def chart_data(self, days: int) -> ChartData:
        """Weekly figures and top themes of the last `days` days, synchronously."""
        end = self._clock()
        start = end - dt.timedelta(days=days)
        with self._sessions() as session:
            facts = question_facts(session, start, end)
        themes = by_theme(facts, self._themes())
        top = tuple((t.theme, t.questions) for t in themes if t.theme != NO_THEME)
        return ChartData(days, weekly(facts, start.date(), end.date()), top[:CHART_THEMES])

    def report(self, start: dt.date, end: dt.date) -> UsageReport:
        """The anonymised report of [start, end] (whole days, UTC), synchronously."""
        since = dt.datetime.combine(start, dt.time())
        until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
        with self._sessions() as session:
            facts = question_facts(session, since, until)
            grown = contributions.counts(session, since, until)
        return UsageReport(
            start=start,
            end=end,
            questions=len(facts),
            answered=sum(f.answered for f in facts),
            up=sum(f.up for f in facts),
            down=sum(f.down for f in facts),
            members=len({f.user_hash for f in facts}),
            themes=by_theme(facts, self._themes()),
            contributions=grown,
        )

    def _themes(self) -> dict[str, str]:
        """Path → first theme of every indexed document; empty before the first index."""
        try:
            documents = self._engine.documents()
        except IndexNotBuiltError:
            log.warning("No index yet: questions are not sorted by theme")
            return {}
        return {d.path: d.themes[0] for d in documents if d.themes}
