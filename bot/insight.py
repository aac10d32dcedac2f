"""What members need, for admins: the digest of unanswered and 👎 questions grouped by
similarity, the weekly figures of the /stats chart, the anonymised usage report.

Query helpers take a session and never commit; `Insight` runs everything in a worker thread.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, sessionmaker

from bot import records
from bot.chart import render_chart
from bot.records import CitedSource, FeedbackRecord, QuestionRecord
from bot.service import KnowledgeBase
from bot.values import (
    ChartData,
    Digest,
    QuestionGroup,
    StatsChart,
    ThemeFigures,
    UsageReport,
    WeekFigures,
)
from indexing.errors import IndexNotBuiltError

log = logging.getLogger(__name__)

NO_THEME = "Sans thème identifié"
DIGEST_MAX_QUESTIONS = 500  # the most recent; bounds the embedding work of one digest
DIGEST_GROUPS = 10
EXAMPLES_PER_GROUP = 3
CHART_THEMES = 6
# Cosine above which two questions express the same need, per embedder (by name prefix),
# calibrated on paraphrases: e5 packs every French sentence between 0.8 and 1, USE spreads them.
SIMILARITY_BY_MODEL = {"use-": 0.6, "multilingual-e5": 0.93, "hashing": 0.5}
SIMILARITY_OTHER_MODELS = 0.85


@dataclass(frozen=True)
class QuestionFacts:
    """One stored question reduced to what the figures need (no text)."""

    asked_at: dt.datetime
    answered: bool
    user_hash: str
    top_path: str | None  # the first document cited
    up: int
    down: int


@dataclass(frozen=True)
class FlaggedQuestion:
    """An unanswered or 👎 question of the digest."""

    text: str
    answered: bool
    down_reasons: tuple[str | None, ...]


def question_facts(session: Session, start: dt.datetime, end: dt.datetime) -> list[QuestionFacts]:
    """Facts of the questions asked in [start, end)."""
    period = and_(QuestionRecord.asked_at >= start, QuestionRecord.asked_at < end)
    votes: dict[int, list[int]] = defaultdict(list)
    for question_id, vote in session.execute(
        select(FeedbackRecord.question_id, FeedbackRecord.vote).join(QuestionRecord).where(period)
    ):
        votes[question_id].append(vote)
    top = and_(CitedSource.question_id == QuestionRecord.id, CitedSource.rank == 0)
    rows = session.execute(
        select(
            QuestionRecord.id,
            QuestionRecord.asked_at,
            QuestionRecord.answered,
            QuestionRecord.user_hash,
            CitedSource.path,
        )
        .outerjoin(CitedSource, top)
        .where(period)
        .order_by(QuestionRecord.asked_at)
    )
    return [
        QuestionFacts(
            asked_at=at,
            answered=bool(answered),
            user_hash=user_hash,
            top_path=path,
            up=votes[qid].count(1),
            down=votes[qid].count(-1),
        )
        for qid, at, answered, user_hash, path in rows
    ]


def flagged_questions(
    session: Session, start: dt.datetime, end: dt.datetime, limit: int = DIGEST_MAX_QUESTIONS
) -> list[FlaggedQuestion]:
    """Questions of [start, end) left unanswered or given a 👎, oldest first."""
    disliked = select(FeedbackRecord.question_id).where(FeedbackRecord.vote < 0)
    rows = session.execute(
        select(QuestionRecord.id, QuestionRecord.question, QuestionRecord.answered)
        .where(
            QuestionRecord.asked_at >= start,
            QuestionRecord.asked_at < end,
            or_(QuestionRecord.answered.is_(False), QuestionRecord.id.in_(disliked)),
        )
        .order_by(QuestionRecord.asked_at.desc())
        .limit(limit)
    ).all()
    reasons: dict[int, list[str | None]] = defaultdict(list)
    for question_id, reason in session.execute(
        select(FeedbackRecord.question_id, FeedbackRecord.reason).where(
            FeedbackRecord.vote < 0, FeedbackRecord.question_id.in_([r[0] for r in rows])
        )
    ):
        reasons[question_id].append(reason)
    return [
        FlaggedQuestion(text, bool(answered), tuple(reasons[qid]))
        for qid, text, answered in reversed(rows)
    ]


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
    """The grouping threshold for an embedder; "a+b" concatenations average their parts'."""
    values = [
        next(
            (v for prefix, v in SIMILARITY_BY_MODEL.items() if part.startswith(prefix)),
            SIMILARITY_OTHER_MODELS,
        )
        for part in embedder_name.split("+")
    ]
    return sum(values) / len(values)


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


def monday(day: dt.date) -> dt.date:
    """The Monday of the week of `day`."""
    return day - dt.timedelta(days=day.weekday())


def weekly(facts: Iterable[QuestionFacts], start: dt.date, end: dt.date) -> tuple[WeekFigures, ...]:
    """Figures per week from the week of `start` to the week of `end`, empty weeks included."""
    buckets: dict[dt.date, list[QuestionFacts]] = defaultdict(list)
    for fact in facts:
        buckets[monday(fact.asked_at.date())].append(fact)
    weeks = []
    week = monday(start)
    while week <= end:
        found = buckets.get(week, [])
        weeks.append(
            WeekFigures(
                week=week,
                questions=len(found),
                answered=sum(f.answered for f in found),
                up=sum(f.up for f in found),
                down=sum(f.down for f in found),
            )
        )
        week += dt.timedelta(days=7)
    return tuple(weeks)


def by_theme(facts: Iterable[QuestionFacts], themes: dict[str, str]) -> tuple[ThemeFigures, ...]:
    """Figures per theme (of the first document cited), most asked first."""
    buckets: dict[str, list[QuestionFacts]] = defaultdict(list)
    for fact in facts:
        buckets[themes.get(fact.top_path or "", NO_THEME)].append(fact)
    figures = [
        ThemeFigures(
            theme=theme,
            questions=len(found),
            answered=sum(f.answered for f in found),
            up=sum(f.up for f in found),
            down=sum(f.down for f in found),
        )
        for theme, found in buckets.items()
    ]
    return tuple(
        sorted(figures, key=lambda t: (-t.questions, t.theme == NO_THEME, t.theme.casefold()))
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
        return UsageReport(
            start=start,
            end=end,
            questions=len(facts),
            answered=sum(f.answered for f in facts),
            up=sum(f.up for f in facts),
            down=sum(f.down for f in facts),
            members=len({f.user_hash for f in facts}),
            themes=by_theme(facts, self._themes()),
        )

    def _themes(self) -> dict[str, str]:
        """Path → first theme of every indexed document; empty before the first index."""
        try:
            documents = self._engine.documents()
        except IndexNotBuiltError:
            log.warning("No index yet: questions are not sorted by theme")
            return {}
        return {d.path: d.themes[0] for d in documents if d.themes}
