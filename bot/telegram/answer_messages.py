"""Every message the bot sends, as lists of Telegram HTML strings under the length limit."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Final

from bot.assistant.replies import DocumentLike, Progress, StoredAnswer, sendable
from bot.community.chart import ChartData
from bot.community.privacy import Erased
from bot.storage.figures import Stats
from bot.telegram import texts
from bot.telegram.html import Para, Span, link, pack, para, truncate
from indexing.models import REFUSAL_NO_QUESTION, Answer, IndexReport, Reference, Source

# The "top 3": sources listed under an answer and linked under a shared card; "Plus de sources"
# shows the rest. Three fit a phone screen with the answer above them.
SOURCES_SHOWN: Final = 3
SOURCES_IN_CARD: Final = 5  # a shared card has no "Plus de sources" button: a few more
WORKSHOPS_SHOWN: Final = 10  # /ateliers: the latest ones, one screen
TITLE_MAX: Final = 150  # a source title on one or two lines of a phone
EXCERPT_MAX: Final = 220  # an excerpt of about two sentences
QUESTION_MAX: Final = 300  # the question quoted at the top of a shared card
CARD_ANSWER_MAX: Final = 1500  # a shared card stays one message with its sources under it
CAPTION_MAX: Final = 1024  # telegram.constants.MessageLimit.CAPTION_LENGTH
REPORT_NAMES_MAX: Final = 10  # file names listed in a reindex summary before "… et N autres"
REFERENCE_MAX: Final = 90  # a reference title on one line of a phone
REFERENCES_IN_ANSWER: Final = 1  # per source, in an answer and a card
REFERENCES_IN_MORE: Final = 3  # per source, under "Plus de sources"
EMBEDDING_PHASE: Final = "embeddings"  # the path the indexer reports while encoding
SENTENCE_PHASE: Final = "phrases"  # ... and while encoding the sentences of answer units
_CITATION: Final = re.compile(r"\[(\d{1,2})\]")  # the engine cites sources as [n]


def plain(text: str) -> str:
    """A plain French sentence as one escaped message."""
    return pack([para(text)])[0]


def welcome() -> list[str]:
    """/start: what the bot does, example questions, privacy note."""
    examples = [para("• ", Span(q, style="i"), tight=True) for q in texts.EXAMPLES]
    return pack(
        [
            para(Span(texts.BOT_NAME, style="b")),
            para(texts.WELCOME),
            para(texts.WELCOME_HOWTO),
            para(texts.EXAMPLES_TITLE),
            *examples,
            para(Span(texts.PRIVACY, style="i")),
        ]
    )


def help_text(username: str) -> list[str]:
    """/aide: how to ask, in private, in groups and inline."""
    lines = [para("• " + line.format(username=username), tight=True) for line in texts.HELP_LINES]
    commands = [
        para(Span(command, style="b"), " : " + what, tight=rank > 0)
        for rank, (command, what) in enumerate(texts.HELP_COMMANDS)
    ]
    return pack([para(Span(texts.HELP_TITLE, style="b")), *lines, *commands])


def group_welcome() -> str:
    """The presentation posted when the bot is added to a group."""
    return pack(
        [para(texts.GROUP_WELCOME), para(texts.GROUP_HOWTO), para(Span(texts.GROUP_PRIVACY, "i"))]
    )[0]


def format_date(value: str | None) -> str | None:
    """ISO date as "12 mars 2024"; other strings unchanged."""
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value[:10])
    except ValueError:
        return value
    number = "1er" if day.day == 1 else str(day.day)  # "1er décembre", as French writes it
    return f"{number} {texts.MONTHS[day.month - 1]} {day.year}"


def period(days: int) -> str:
    """ "7 jours", "1 jour" """
    return count(days, "jour", "jours")


def recent_period(days: int) -> str:
    """ "7 derniers jours", "dernier jour" """
    return "dernier jour" if days == 1 else f"{days} derniers jours"


def count(n: int, singular: str, plural: str) -> str:
    """ "1 question", "2 questions", "0 question" (French: plural from 2)."""
    return f"{n} {singular if n <= 1 else plural}"


def source_date(source: Source) -> str | None:
    """ "fiche rédigée le 15 novembre 2026", or "atelier du 12 mars 2026" for workshop notes."""
    date = format_date(source.date)
    if not date:
        return None
    template = texts.WORKSHOP_ON if source.type == "atelier" else texts.WRITTEN_ON
    return template.format(date=date)


def _source_line(rank: int, source: Source, excerpt: bool, references: int = 0) -> list[Para]:
    details = [texts.TYPE_LABELS.get(source.type, source.type)]
    date = source_date(source)
    if date:
        details.append(date)
    if source.facts_date:
        details.append(texts.FACTS_OF.format(year=source.facts_date[:4]))
    if source.review_due:
        details.append(texts.TO_CHECK)
    line = para(
        f"{rank}. ",
        link(truncate(source.title or source.path, TITLE_MAX), source.link),
        texts.EXAMPLE_LABEL if source.example else "",
        " · " + " · ".join(details),
        tight=True,
    )
    lines = [line]
    if excerpt and source.excerpt.strip():
        lines.append(para(Span(truncate(source.excerpt, EXCERPT_MAX), "i"), tight=True))
    if references and source.references:
        lines.append(further_reading(source.references[:references]))
    return lines


def reference_label(reference: Reference) -> str:
    """ "(publisher, year)" after a reference's title, or "" when neither is known."""
    known = [p for p in (reference.publisher, reference.year and str(reference.year)) if p]
    return f" ({', '.join(known)})" if known else ""


def further_reading(references: Sequence[Reference]) -> Para:
    """ "↳ Pour aller plus loin : <title> (publisher, year) ; …" """
    spans: list[Span | str] = ["↳ ", Span(texts.FURTHER_READING, "i"), " : "]
    for rank, reference in enumerate(references):
        if rank:
            spans.append(" ; ")
        title = reference.title or reference.url or ""
        spans += [link(truncate(title, REFERENCE_MAX), reference.url), reference_label(reference)]
    return para(*spans, tight=True)


def _sources(
    sources: Sequence[Source], start: int = 1, excerpt: bool = False, references: int = 0
) -> list[Para]:
    lines: list[Para] = []
    for offset, source in enumerate(sources):
        lines.extend(_source_line(start + offset, source, excerpt, references))
    return lines


def shown_count(result: Answer, at_least: int = SOURCES_SHOWN) -> int:
    """How many sources to list: the first few, and every one the answer cites as [n]."""
    cited = [int(n) for n in _CITATION.findall(result.text) if int(n) <= len(result.sources)]
    return min(max([at_least, *cited]), len(result.sources))


def answer(stored: StoredAnswer, contact: str) -> list[str]:
    """The reply to a question: the short answer and the first sources, or why there is none."""
    result = stored.answer
    if result.refusal == REFUSAL_NO_QUESTION:
        return pack([para(result.text)])  # an invitation to ask, nothing else
    shown = result.sources[: shown_count(result)]
    if not result.answered:
        paras = [para(result.text or texts.NO_ANSWER_TITLE)]
        if shown:
            paras += [
                para(Span(texts.NO_ANSWER_RELATED, "b")),
                *_sources(shown, references=REFERENCES_IN_ANSWER),
            ]
        paras += [
            para(texts.NO_ANSWER_COVERS),
            para(texts.NO_ANSWER_CONTACT.format(contact=contact)),
        ]
        return pack(paras)
    paras = [para(result.text), *_definitions(result)]
    if shown:
        paras += [
            para(Span(texts.ANSWER_SOURCES, "b")),
            *_sources(shown, references=REFERENCES_IN_ANSWER),
        ]
    return pack(paras)


def _definitions(result: Answer) -> list[Para]:
    """The glossary reminders of the terms the question uses."""
    lines = []
    for entry in result.definitions:
        name = f"{entry.term} ({entry.expansion})" if entry.expansion else entry.term
        lines.append(
            para("📖 ", Span(name, "b"), " : ", truncate(entry.definition, EXCERPT_MAX), tight=True)
        )
    return lines


def sendable_ranks(result: Answer) -> tuple[int, ...]:
    """The numbers (from 1) of the shown sources that are files the bot can send."""
    shown = result.sources[: shown_count(result)]
    return tuple(rank for rank, s in enumerate(shown, start=1) if sendable(s))


def has_more_sources(result: Answer) -> bool:
    """Whether "Plus de sources" has anything to show."""
    return len(result.sources) > shown_count(result)


def more_sources(stored: StoredAnswer) -> list[str]:
    """The next sources for a stored question, with their best passage."""
    start = shown_count(stored.answer)
    rest = stored.answer.sources[start:]
    if not rest:
        return [plain(texts.NO_MORE_SOURCES)]
    head = para(
        Span(texts.MORE_SOURCES_TITLE, "b"), " : ", Span(truncate(stored.question, 200), "i")
    )
    return pack(
        [head, *_sources(rest, start=start + 1, excerpt=True, references=REFERENCES_IN_MORE)]
    )


def document_caption(title: str) -> str:
    """The caption of a sent document: its title (within 1024 characters)."""
    return pack([para(truncate(title, CAPTION_MAX))])[0]


def card(result: Answer) -> str:
    """A self-contained answer card for a group: question, answer, sources, a caution."""
    paras = [
        para(
            "❓ ",
            Span(texts.CARD_QUESTION, "b"),
            " : ",
            Span(truncate(result.question, QUESTION_MAX), "i"),
        ),
        para(truncate(result.text, CARD_ANSWER_MAX) if result.answered else texts.CARD_NO_ANSWER),
    ]
    # without an answer, the nearest documents are not sources of anything: none are listed
    sources = result.sources[: shown_count(result, SOURCES_IN_CARD)] if result.answered else ()
    if sources:
        paras += [
            para(Span(texts.ANSWER_SOURCES, "b")),
            *_sources(sources, references=REFERENCES_IN_ANSWER),
        ]
    paras.append(para(Span(texts.CHECK_SOURCE, "i")))
    return pack(paras)[0]  # the caps above keep a card far below 4096 characters


def workshops(documents: Iterable[DocumentLike]) -> list[str]:
    """/ateliers: the latest workshop notes, newest first."""
    notes = [d for d in documents if d.type == "atelier"]
    if not notes:
        return [plain(texts.WORKSHOPS_EMPTY)]
    notes.sort(key=lambda d: d.date or "", reverse=True)
    paras = [para(Span(texts.WORKSHOPS_TITLE, "b"))]
    for doc in notes[:WORKSHOPS_SHOWN]:
        date = format_date(doc.date)
        suffix = f" · {date}" if date else ""
        label = texts.EXAMPLE_LABEL if doc.example else ""
        paras.append(
            para("• ", link(truncate(doc.title, TITLE_MAX), doc.url), label, suffix, tight=True)
        )
    return pack(paras)


def reindex_progress(progress: Progress | None) -> str:
    """The progress message of /reindex."""
    if progress is None or progress.total == 0:
        return plain(texts.REINDEX_STARTED)
    if progress.path == EMBEDDING_PHASE:  # the indexer reports files encoded so far
        encoding = texts.REINDEX_PROGRESS_ENCODING.format(done=progress.done, total=progress.total)
        return plain(encoding)
    if progress.path == SENTENCE_PHASE:  # counted in sentences, not files
        return plain(
            texts.REINDEX_PROGRESS_SENTENCES.format(done=progress.done, total=progress.total)
        )
    head = texts.REINDEX_PROGRESS.format(done=progress.done, total=progress.total)
    return pack([para(head), para(Span(truncate(progress.path, 200), "code"), tight=True)])[0]


def _names(names: Sequence[str]) -> list[Para]:
    shown = [
        para("  ", Span(truncate(n, 200), "code"), tight=True) for n in names[:REPORT_NAMES_MAX]
    ]
    if len(names) > REPORT_NAMES_MAX:
        shown.append(para(f"  … et {len(names) - REPORT_NAMES_MAX} autres", tight=True))
    return shown


def reindex_report(report: IndexReport, title: str = texts.REINDEX_DONE) -> list[str]:
    """The summary of a reindex: added, updated, removed and failed files."""
    paras = [para("✅ ", Span(title, "b"))]
    if not report.changed and not report.failed:
        paras.append(para(texts.REINDEX_UNCHANGED))
    groups = {
        "added": report.added,
        "updated": report.updated,
        "removed": report.removed,
        "failed": tuple(f"{f.path} : {f.reason}" for f in report.failed),
    }
    for key, label in texts.REINDEX_COUNTS:
        names = groups[key]
        paras.append(para(f"{label} : ", Span(str(len(names)), "b"), tight=True))
        paras.extend(_names(names))
    paras.append(para(texts.REINDEX_UNCHANGED_COUNT.format(count=report.unchanged), tight=True))
    if not report.usable:
        paras.append(para(Span("⚠️ " + texts.REINDEX_UNUSABLE, "b")))
    return pack(paras)


def stats(figures: Stats) -> list[str]:
    """/stats: questions, answered rate, feedback, top unanswered questions."""
    rate = f"{figures.answered_rate:.0%}".replace("%", " %")
    paras = [
        para(Span(texts.STATS_TITLE.format(period=period(figures.days)), "b")),
        para(texts.STATS_QUESTIONS.format(count=figures.questions), tight=True),
        para(texts.STATS_ANSWERED.format(count=figures.answered, rate=rate), tight=True),
        para(texts.STATS_FEEDBACK.format(up=figures.up, down=figures.down), tight=True),
    ]
    if figures.reasons:
        reasons = ", ".join(f"{texts.REASONS.get(r, r).lower()} ({n})" for r, n in figures.reasons)
        paras.append(para(texts.STATS_REASONS.format(reasons=reasons), tight=True))
    paras.append(para(Span(texts.STATS_UNANSWERED, "b")))
    if not figures.top_unanswered:
        paras.append(para(texts.STATS_NONE, tight=True))
    for rank, (question, count) in enumerate(figures.top_unanswered, start=1):
        paras.append(
            para(f"{rank}. ", Span(truncate(question, 300), "i"), f" ({count})", tight=True)
        )
    grown = figures.contributions
    paras.append(
        para(
            texts.STATS_CONTRIBUTIONS.format(
                escalations=grown.escalations,
                team_answers=grown.team_answers,
                additions=grown.additions,
                notifications=grown.notifications,
            )
        )
    )
    return pack(paras)


def chart_caption(data: ChartData) -> str:
    """The caption of the /stats chart: the period and the top themes (within 1024 characters)."""
    text = texts.CHART_CAPTION.format(period=period(data.days))
    if data.themes:
        themes = ", ".join(f"{theme} ({count})" for theme, count in data.themes)
        text += "\n" + texts.CHART_CAPTION_THEMES.format(themes=themes)
    return pack([para(truncate(text, CAPTION_MAX))])[0]


def privacy(retention_days: int, contact: str, escalation_days: int = 14) -> list[str]:
    """/confidentialite: what is kept, why, for how long, how to erase it."""
    kept = [para("• " + line, tight=True) for line in texts.PRIVACY_KEPT]
    kept.append(para(texts.PRIVACY_REQUESTS.format(days=escalation_days)))
    return pack(
        [
            para("🔒 ", Span(texts.PRIVACY_TITLE, "b")),
            para(Span(texts.PRIVACY_KEPT_TITLE, "b")),
            *kept,
            para(texts.PRIVACY_PSEUDONYM),
            para(Span(texts.PRIVACY_WHY_TITLE, "b")),
            para(texts.PRIVACY_WHY, tight=True),
            para(Span(texts.PRIVACY_HOW_LONG_TITLE, "b")),
            para(texts.PRIVACY_HOW_LONG.format(days=retention_days), tight=True),
            para(Span(texts.PRIVACY_ERASE_TITLE, "b")),
            para(texts.PRIVACY_ERASE, tight=True),
            para(texts.PRIVACY_CONTACT.format(contact=contact)),
        ]
    )


def forget_done(erased: Erased) -> str:
    """What /oubli erased."""
    if not erased.total:
        return plain(texts.FORGET_NOTHING)
    done = texts.FORGET_DONE.format(
        questions=count(erased.questions, "question", "questions"),
        feedback=count(erased.feedback, "avis", "avis"),
    )
    if not erased.requests:
        return plain(done)
    return pack([para(done), para(texts.FORGET_REQUESTS.format(count=erased.requests))])[0]


def inline_title(result: Answer) -> str:
    """Title of an inline result (plain text, not HTML)."""
    if not result.answered:
        return texts.INLINE_NO_ANSWER_TITLE
    return truncate(texts.INLINE_ANSWER_TITLE.format(question=result.question), 100)


def inline_description(result: Answer) -> str:
    """Description of an inline result (plain text, not HTML)."""
    return truncate(result.text, 200)


def day_month(day: dt.date) -> str:
    """ "12 novembre", "1er décembre"."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {texts.MONTHS[day.month - 1]}"


def escalated(expires_at: dt.datetime) -> str:
    """The member's confirmation that the team has their question."""
    return plain(texts.ESCALATED.format(date=day_month(expires_at.date())))


def team_reply(question: str, answer_text: str, signer: str | None) -> list[str]:
    """The team's answer relayed to the member, under their question."""
    title = texts.TEAM_REPLY_SIGNED.format(name=signer) if signer else texts.TEAM_REPLY_TITLE
    return pack(
        [
            para("💬 ", Span(title, "b")),
            para(answer_text),
            para(texts.TEAM_REPLY_QUESTION, Span(truncate(question, QUESTION_MAX), "i")),
        ]
    )


def notice(asked_at: dt.datetime, result: Answer) -> str:
    """A new answer to a question asked earlier: a heading, then the answer card."""
    head = pack(
        [para("🔔 ", Span(texts.NOTICE_TITLE.format(date=day_month(asked_at.date())), "b"))]
    )
    return f"{head[0]}\n\n{card(result)}"
