"""Messages sent to admins without being asked: automatic reindexes, dead links, the digest.

Plain text goes through `bot.telegram.html` like every other message.
"""

from __future__ import annotations

from typing import Final, Literal

from bot.community.insight import Digest, QuestionGroup
from bot.telegram import answer_messages as render
from bot.telegram import texts
from bot.telegram.html import Para, Span, pack, para, truncate
from bot.upkeep.links import LinkStatus, summarize_links
from indexing.models import IndexReport

ERROR_MAX: Final = 500  # an error quoted to admins: its first lines, not a whole traceback
EXAMPLE_MAX: Final = 200  # a question quoted in the digest
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


def links_report(results: list[LinkStatus]) -> list[str]:
    """The link check summary (dead, unreachable and moved links, with the files citing them)."""
    lines = summarize_links(results).splitlines()
    return pack(
        [para("🔗 ", Span(texts.LINKS_TITLE, "b")), *(para(line, tight=True) for line in lines)]
    )


def _group(rank: int, group: QuestionGroup) -> list[Para]:
    head, *others = group.examples
    figures = texts.DIGEST_GROUP.format(
        count=group.count, unanswered=group.unanswered, disliked=group.disliked
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


def digest(summary: Digest) -> list[str]:
    """The periodic digest of unanswered and 👎 questions, grouped."""
    paras = [
        para("📋 ", Span(texts.DIGEST_TITLE.format(days=summary.days), "b")),
        para(texts.DIGEST_COUNTS.format(unanswered=summary.unanswered, disliked=summary.disliked)),
        para(texts.DIGEST_INTRO),
    ]
    for rank, group in enumerate(summary.groups, start=1):
        paras.extend(_group(rank, group))
    return pack(paras)
