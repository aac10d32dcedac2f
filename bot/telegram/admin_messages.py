"""Messages sent to admins without being asked: automatic reindexes, dead links, the digest.

Plain text goes through `bot.telegram.html` like every other message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal

from bot.assistant.replies import DocumentLike
from bot.community.insight import Digest, QuestionGroup
from bot.contributions.additions import Added
from bot.contributions.escalation import Escalation, Relay
from bot.telegram import answer_messages as render
from bot.telegram import texts
from bot.telegram.html import Para, Span, link, pack, para, truncate
from bot.upkeep.links import LinkStatus, problems, summarize_links
from indexing.models import IndexReport
from indexing.sources.validation import CheckReport, Finding

ERROR_MAX: Final = 500  # an error quoted to admins: its first lines, not a whole traceback
EXAMPLE_MAX: Final = 200  # a question quoted in the digest
PATH_MAX: Final = 200  # a file path quoted to admins (review dates, check findings)
FINDINGS_MAX: Final = 40  # findings of one kind listed before "… and N more"
Trigger = Literal["schedule", "watch"]


def auto_reindex(report: IndexReport, trigger: Trigger) -> list[str]:
    """The summary of an automatic reindex, under a title saying why it ran."""
    title = texts.AUTO_REINDEX_WATCH if trigger == "watch" else texts.AUTO_REINDEX_SCHEDULED
    return render.reindex_report(report, title)


def reindex_failed(error: BaseException) -> list[str]:
    """An automatic reindex raised: what happened, and that members are still served."""
    detail = truncate(f"{type(error).__name__} : {error}", ERROR_MAX)
    return pack(
        [
            para("⚠️ ", Span(texts.AUTO_REINDEX_FAILED, "b")),
            para(Span(detail, "code")),
            para(texts.AUTO_REINDEX_FAILED_HINT),
        ]
    )


def links_report(results: list[LinkStatus], review_due: Sequence[DocumentLike] = ()) -> list[str]:
    """The link check summary (dead, unreachable and moved links, with the files citing them),
    then the sheets whose review date has passed."""
    paras = [para("🔗 ", Span(texts.LINKS_TITLE, "b"))]
    if problems(results):
        paras += [para(line, tight=True) for line in summarize_links(results).splitlines()]
    if review_due:
        paras.append(para("🗓 ", Span(texts.REVIEW_DUE_TITLE, "b")))
        paras += [
            para(
                "• ",
                Span(truncate(d.path, PATH_MAX), "code"),
                f" : {render.format_date(d.review_by)}",
                tight=True,
            )
            for d in review_due
        ]
    return pack(paras)


def check_report(report: CheckReport) -> list[str]:
    """/verifier: what `essbot check` found, errors first, then the summary line."""
    paras = [para("🔎 ", Span(texts.CHECK_TITLE, "b"))]
    for title, findings in (
        (texts.CHECK_ERRORS, report.errors),
        (texts.CHECK_WARNINGS, report.warnings),
    ):
        if findings:
            paras.append(para(Span(title, "b")))
            paras += [_finding(f) for f in findings[:FINDINGS_MAX]]
            if len(findings) > FINDINGS_MAX:
                paras.append(para(f"… et {len(findings) - FINDINGS_MAX} autres", tight=True))
    if report.clean:
        paras.append(para(texts.CHECK_CLEAN))
    paras.append(para(Span(report.summary(), "i")))
    return pack(paras)


def _finding(finding: Finding) -> Para:
    return para(
        "• ",
        Span(truncate(finding.path, PATH_MAX), "code"),
        " — " + truncate(finding.message, ERROR_MAX),
        tight=True,
    )


def _group(rank: int, group: QuestionGroup) -> list[Para]:
    head, *others = group.examples
    figures = texts.DIGEST_GROUP.format(
        questions=render.count(group.count, "question", "questions"),
        unanswered=group.unanswered,
        disliked=group.disliked,
    )
    if group.reasons:
        reasons = ", ".join(f"{texts.REASONS.get(r, r).lower()} ({n})" for r, n in group.reasons)
        figures += " · " + texts.DIGEST_REASONS.format(reasons=reasons)
    paras = [
        para(f"{rank}. ", Span(truncate(head, EXAMPLE_MAX), "i")),
        para("   " + figures, tight=True),
    ]
    if others:
        also = " ; ".join(truncate(o, EXAMPLE_MAX) for o in others)
        paras.append(para("   " + texts.DIGEST_ALSO, Span(also, "i"), tight=True))
    return paras


def digest_empty(days: int) -> str:
    """/resume when there is nothing to look at."""
    return render.plain(texts.DIGEST_EMPTY.format(period=render.recent_period(days)))


def digest(summary: Digest) -> list[str]:
    """The periodic digest of unanswered and 👎 questions, grouped."""
    paras = [
        para(
            "📋 ", Span(texts.DIGEST_TITLE.format(period=render.recent_period(summary.days)), "b")
        ),
        para(texts.DIGEST_COUNTS.format(unanswered=summary.unanswered, disliked=summary.disliked)),
        para(texts.DIGEST_INTRO),
    ]
    for rank, group in enumerate(summary.groups, start=1):
        paras.extend(_group(rank, group))
    return pack(paras)


NEAREST_SHOWN: Final = 3
ANSWER_SHOWN: Final = 1500


def escalation(request: Escalation) -> str:
    """A member's question as the team receives it: reply to it to answer."""
    paras = [
        para(Span(texts.TEAM_TITLE, "b")),
        para(Span(texts.TEAM_QUESTION, "b"), " : ", Span(truncate(request.question, 1000), "i")),
        para(Span(texts.TEAM_NEAREST, "b")),
    ]
    nearest = request.sources[:NEAREST_SHOWN]
    paras += [
        para("• ", link(truncate(s.title or s.path, render.TITLE_MAX), s.url), tight=True)
        for s in nearest
    ] or [para(texts.TEAM_NO_NEAREST, tight=True)]
    paras += [
        para(texts.TEAM_HOWTO.format(tag=texts.SIGN_TAG)),
        para(
            Span(texts.TEAM_EXPIRES.format(date=render.day_month(request.expires_at.date())), "i")
        ),
    ]
    return pack(paras)[0]  # capped question and titles keep it below 4096 characters


def escalation_answered(relay: Relay) -> str:
    """The team's copy of a request once answered, so other admins see it is done."""
    return pack(
        [
            para(Span(texts.TEAM_ANSWERED, "b"), " — ", Span(truncate(relay.question, 1000), "i")),
            para(Span(texts.TEAM_ANSWER_LABEL, "b"), " : ", truncate(relay.answer, ANSWER_SHOWN)),
        ]
    )[0]


def added(result: Added) -> str:
    """What an addition wrote, and what the index now holds of it."""
    saved = result.saved
    title = texts.UPDATED_TITLE if saved.updated else texts.ADDED_TITLE
    paras = [
        para("✅ ", Span(title.format(title=truncate(saved.title, render.TITLE_MAX)), "b")),
        para(texts.ADDED_FILE.format(path=""), Span(truncate(saved.path, 300), "code"), tight=True),
    ]
    if result.indexed:
        paras.append(para(texts.ADDED_PASSAGES.format(count=saved.passages), tight=True))
    else:
        paras.append(para(texts.ADDED_LATER, tight=True))
    return pack(paras)[0]
