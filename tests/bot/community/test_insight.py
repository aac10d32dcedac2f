"""Insight for admins: the digest grouped by similarity (real embedder), the /stats chart as a
real PNG, the anonymised report files (the commands: tests/bot/cli/test_reports.py)."""

from __future__ import annotations

import csv
import datetime as dt
import struct
from collections.abc import Iterable
from pathlib import Path

from bot_testkit import Doc, FakeEngine, check_html, check_messages, source
from sqlalchemy.orm import Session, sessionmaker

from bot.community.insight import Digest, Insight, default_similarity, group_similar
from bot.community.reports import write_report
from bot.storage import records
from bot.storage.records import hash_user
from bot.telegram import admin_messages as admin_render
from bot.telegram import answer_messages as render
from indexing.models import Answer
from indexing.retrieval.embedding import Embedder

NOW = dt.datetime(2026, 6, 10, 12, 0)  # a Wednesday
EARLIER = NOW - dt.timedelta(hours=1)
PHONE = (
    "Quel est le numéro de téléphone de la CRESS ?",
    "quel est le numéro de téléphone de la CRESS ?",
    "Comment joindre la CRESS par téléphone ?",
    "Quel numéro appeler pour contacter la CRESS de Bretagne ?",
)
FUNDING = (
    "Comment financer l'achat d'ordinateurs pour notre association ?",
    "Subvention pour équiper l'association en ordinateurs ?",
)
ACCOUNTING = "Quel logiciel pour faire la comptabilité ?"


class ThemedEngine(FakeEngine):
    """A fake engine whose documents 0, 1, 2 have themes, with a given embedder."""

    def __init__(self, embedder: Embedder | None = None) -> None:
        super().__init__()
        if embedder is not None:
            self.embedder = embedder  # type: ignore[assignment]
        themes = {0: ("outils collaboratifs", "animation"), 1: ("RGPD",), 2: ()}
        self.docs = [
            Doc(f"ressources/doc-{n}.md", f"Document {n}", None, None, "ressource", themes=t)
            for n, t in themes.items()
        ]


def store(
    sessions: sessionmaker[Session],
    question: str,
    *,
    at: dt.datetime = EARLIER,
    answered: bool = True,
    top: int | None = 0,
    user: int = 1,
    votes: Iterable[tuple[int, int, str | None]] = (),
) -> int:
    """Store a question whose first cited document is doc-<top>, with votes (user, ±1, reason)."""
    sources = () if top is None else (source(top), source(top + 5))
    answer = Answer(question, answered, "Une réponse.", sources)
    with sessions.begin() as session:
        record = records.add_question(
            session,
            answer,
            user_hash=hash_user(b"k", user),
            chat_type="private",
            group_id=None,
            latency_ms=3,
            now=at,
        )
        for voter, vote, reason in votes:
            records.set_feedback(
                session, record.id, hash_user(b"k", voter), vote=vote, reason=reason, now=at
            )
        return record.id


def test_digest_groups_paraphrases_with_the_real_embedder(
    sessions: sessionmaker[Session], default_embedder: Embedder
) -> None:
    day = dt.timedelta(days=1)
    for n, question in enumerate(PHONE):
        store(sessions, question, answered=False, at=EARLIER - n * day, user=n)
    store(sessions, FUNDING[0], votes=[(9, -1, "inc"), (8, -1, "lien")], at=NOW - 2 * day)
    store(sessions, FUNDING[1], answered=False, at=NOW - 3 * day)
    store(sessions, ACCOUNTING, answered=False, at=NOW - day)
    store(sessions, "Quel outil pour une visioconférence ?", votes=[(5, 1, None)])  # liked
    store(sessions, "Numéro de la CRESS ?", answered=False, at=NOW - 30 * day)  # too old
    insight = Insight(ThemedEngine(default_embedder), sessions, clock=lambda: NOW)

    digest = insight.digest_now(7)

    assert (digest.unanswered, digest.disliked) == (6, 1)
    summary = [(g.count, g.examples[0], g.unanswered, g.disliked) for g in digest.groups]
    assert summary == [
        (4, PHONE[1], 4, 0),  # the most frequent wording (two differ by case), first asked
        (2, FUNDING[1], 1, 1),  # ties: the first asked
        (1, ACCOUNTING, 1, 0),
    ]
    phone, funding, accounting = digest.groups
    assert phone.count == 4 and len(phone.examples) == 3  # 3 distinct wordings among 4
    assert set(funding.examples) == set(FUNDING) and dict(funding.reasons) == {"inc": 1, "lien": 1}
    assert accounting.examples == (ACCOUNTING,)
    text = check_messages(admin_render.digest(digest))
    assert "Sans réponse : 6 · Avec un 👎 : 1" in text and "incomplet (1)" in text
    assert text.index(PHONE[1]) < text.index(FUNDING[1]) < text.index(ACCOUNTING)


def test_grouping_threshold_and_order() -> None:
    vectors = __import__("numpy").array(
        [[1, 0, 0], [0.99, 0.141, 0], [0, 1, 0], [0, 0, 1], [0, 0.1, 0.995]], dtype="float32"
    )
    assert group_similar(vectors, 0.9) == [[0, 1], [3, 4], [2]]
    assert group_similar(vectors, 0.999) == [[0], [1], [2], [3], [4]]
    assert default_similarity("use-multilingual-v3") == 0.6
    assert default_similarity("multilingual-e5-small-q4") == 0.93
    assert default_similarity("hashing-trigrams") == 0.5
    assert default_similarity("st:another-model") == 0.85  # never measured: the fallback


def test_empty_digest(sessions: sessionmaker[Session]) -> None:
    store(sessions, "Question aimée", votes=[(2, 1, None)])
    assert Insight(ThemedEngine(), sessions, clock=lambda: NOW).digest_now(7) == Digest(7, 0, 0, ())


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, after checking its signature and its IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    assert data[-12:] == b"\x00\x00\x00\x00IEND\xaeB`\x82"
    return width, height


async def test_stats_chart_is_a_png_of_the_weeks_and_themes(
    sessions: sessionmaker[Session],
) -> None:
    week = dt.timedelta(days=7)
    store(sessions, "a", top=0, votes=[(1, 1, None), (2, -1, "hs")])
    store(sessions, "b", top=0, answered=False)
    store(sessions, "c", top=1, at=NOW - week, votes=[(1, 1, None)])
    store(sessions, "d", top=2, at=NOW - 2 * week)  # a document without theme
    store(sessions, "e", top=None, answered=False, at=NOW - 3 * week)  # nothing cited
    store(sessions, "f", at=NOW - 10 * week)  # before the period
    insight = Insight(ThemedEngine(), sessions, clock=lambda: NOW)

    data = insight.chart_data(30)
    figures = [(w.week.isoformat(), w.questions, w.answered, w.up, w.down) for w in data.weeks]
    assert figures == [
        ("2026-05-11", 0, 0, 0, 0),
        ("2026-05-18", 1, 0, 0, 0),
        ("2026-05-25", 1, 1, 0, 0),
        ("2026-06-01", 1, 1, 1, 0),
        ("2026-06-08", 2, 1, 1, 1),
    ]
    assert data.weeks[-1].answered_rate == 0.5 and data.weeks[-1].satisfaction == 0.5
    assert data.weeks[0].answered_rate is None and data.weeks[0].satisfaction is None
    assert data.themes == (("outils collaboratifs", 2), ("RGPD", 1))  # the first theme counts

    chart = await insight.chart(30)
    assert chart is not None and chart.data == data
    assert png_size(chart.png) == (900, 700) and len(chart.png) > 20_000
    caption = check_html(render.chart_caption(chart.data))
    assert "outils collaboratifs (2), RGPD (1)" in caption
    assert await Insight(ThemedEngine(), sessions, clock=lambda: NOW + 100 * week).chart(30) is None


def test_report_files_are_anonymised_aggregates(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    store(sessions, "Mon secret ?", top=0, user=1, votes=[(1, 1, None)])
    store(sessions, "b", top=0, user=2, answered=False, votes=[(3, -1, "inc")])
    store(sessions, "c", top=1, user=1, answered=False)
    store(sessions, "d", top=1, user=1, answered=False)
    store(sessions, "e", top=None, user=3, answered=False)
    store(sessions, "hors période", at=NOW + dt.timedelta(days=2))
    insight = Insight(ThemedEngine(), sessions, clock=lambda: NOW)

    report = insight.report(NOW.date() - dt.timedelta(days=1), NOW.date())
    markdown, table = write_report(report, tmp_path / "out")

    assert (markdown.name, table.name) == (
        "rapport-2026-06-09-2026-06-10.md",
        "rapport-2026-06-09-2026-06-10.csv",
    )
    text = markdown.read_text(encoding="utf-8")
    assert "du 09/06/2026 au 10/06/2026" in text
    for line in (
        "- Questions posées : 5",
        "- Membres différents : 3",
        "- Avec réponse : 1 (20 %)",
        "- Avis : 1 positifs, 1 négatifs (satisfaction 50 %)",
        "| outils collaboratifs | 2 | 1 | 50 % | 1 | 1 | 50 % |",
        "| RGPD | 2 | 0 | 0 % | 0 | 0 | - |",
        "| Sans thème identifié | 1 | 0 | 0 % | 0 | 0 | - |",
        "1. RGPD : 2 questions sans réponse",
    ):
        assert line in text, line
    assert "secret" not in text and hash_user(b"k", 1) not in text
    rows = list(csv.DictReader(table.read_text(encoding="utf-8").splitlines()))
    assert [r["theme"] for r in rows] == [
        "outils collaboratifs",
        "RGPD",
        "Sans thème identifié",
        "Total",
    ]
    assert rows[0] | {} == {
        "theme": "outils collaboratifs",
        "questions": "2",
        "avec_reponse": "1",
        "sans_reponse": "1",
        "taux_reponse": "0.500",
        "avis_positifs": "1",
        "avis_negatifs": "1",
        "satisfaction": "0.500",
    }
    assert (rows[-1]["questions"], rows[-1]["sans_reponse"], rows[-1]["satisfaction"]) == (
        "5",
        "4",
        "0.500",
    )
    assert "secret" not in table.read_text(encoding="utf-8")
