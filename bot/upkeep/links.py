"""Check the URLs cited by the knowledge folder: collect them, probe them, report dead and moved."""

from __future__ import annotations

import asyncio
import logging
import re
import socket
import ssl
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import httpx
import yaml

from indexing.sources.front_matter import load_yaml

log = logging.getLogger(__name__)

USER_AGENT = "essbot-linkcheck/0.1 (verification des sources)"
# Servers that refuse HEAD answer one of these; the same URL is then tried with GET.
HEAD_REFUSED = frozenset({403, 405, 501})
PERMANENT_REDIRECTS = frozenset({301, 308})

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
# [text](url) or [text](url "title"); one level of parentheses inside the URL (Wikipedia).
_MARKDOWN_LINK = re.compile(r"\]\(\s*<?(https?://(?:[^\s()<>]|\([^\s()<>]*\))+)>?")
_BARE_URL = re.compile(r"https?://[^\s<>\"'`\[\]{}|\\^]+", re.IGNORECASE)
_TRAILING = ".,;:!?*_~'\""


class LinkState(StrEnum):
    """Outcome of one link check."""

    OK = "ok"
    MOVED = "moved"
    DEAD = "dead"
    TIMEOUT = "timeout"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class LinkStatus:
    """The result of checking one URL, with the files citing it."""

    url: str
    status: LinkState
    http_status: int | None  # status of the last response of the redirect chain
    final_url: str | None  # where the redirects led, None without a response
    reason: str  # French, for admins
    files: tuple[str, ...] = ()
    redirects: tuple[int, ...] = ()  # statuses of the redirect responses, in order


# --- collecting -------------------------------------------------------------------------------


def collect_links(knowledge_dir: Path) -> dict[str, tuple[str, ...]]:
    """Map every http(s) URL cited in the knowledge folder to the files citing it."""
    cited: dict[str, set[str]] = {}
    for path in _markdown_files(knowledge_dir):
        relative = path.relative_to(knowledge_dir).as_posix()
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            log.warning("Cannot read %s: %s", relative, exc)
            continue
        for url in _urls_in_document(text, relative):
            cited.setdefault(url, set()).add(relative)
    return {url: tuple(sorted(files)) for url, files in sorted(cited.items())}


def _markdown_files(knowledge_dir: Path) -> list[Path]:
    """The .md files of the folder, without hidden ones and README files."""
    found = []
    for path in knowledge_dir.rglob("*.md"):
        parts = path.relative_to(knowledge_dir).parts
        if any(part.startswith(".") for part in parts) or path.name.lower() == "readme.md":
            continue
        if path.is_file():
            found.append(path)
    return sorted(found)


def _urls_in_document(text: str, name: str) -> list[str]:
    """URLs of the front matter (`url`, `sources`) and of the body, in order of appearance."""
    urls: list[str] = []
    body = text
    match = _FRONT_MATTER.match(text)
    if match:
        body = text[match.end() :]
        urls.extend(_front_matter_urls(match.group(1), name))
    urls.extend(_body_urls(body))
    return urls


def _front_matter_urls(raw: str, name: str) -> list[str]:
    """The `url` and `sources` fields of a YAML front matter, if they are web addresses."""
    try:
        meta = load_yaml(raw)
    except yaml.YAMLError as exc:
        log.warning("Invalid front matter in %s: %s", name, exc)
        return []
    if not isinstance(meta, dict):
        return []
    values: list[object] = [meta.get("url")]
    sources = meta.get("sources")
    for source in sources if isinstance(sources, list) else [sources]:
        values.append(source.get("url") if isinstance(source, dict) else source)
    return [
        value.strip()
        for value in values
        if isinstance(value, str) and value.strip().lower().startswith(("http://", "https://"))
    ]


def _body_urls(body: str) -> list[str]:
    """Markdown link targets first, then bare URLs found in the remaining text."""
    urls = [match.group(1) for match in _MARKDOWN_LINK.finditer(body)]
    rest = _MARKDOWN_LINK.sub("](", body)
    for match in _BARE_URL.finditer(rest):
        url = _strip_trailing(match.group(0))
        if len(url) > len("https://"):
            urls.append(url)
    return urls


def _strip_trailing(url: str) -> str:
    """Drop sentence punctuation and unbalanced closing parentheses glued to a bare URL."""
    while url:
        unbalanced = url[-1] == ")" and url.count(")") > url.count("(")
        if url[-1] in _TRAILING or unbalanced:
            url = url[:-1]
        else:
            break
    return url


# --- checking ---------------------------------------------------------------------------------


async def check_links(
    urls: Mapping[str, Sequence[str]] | Iterable[str],
    concurrency: int = 8,
    timeout: float = 10.0,
    *,
    client: httpx.AsyncClient | None = None,
) -> list[LinkStatus]:
    """Check each URL (HEAD, then GET if refused), at most `concurrency` at a time, in order."""
    cited: dict[str, tuple[str, ...]] = (
        {url: tuple(files) for url, files in urls.items()}
        if isinstance(urls, Mapping)
        else dict.fromkeys(urls, ())
    )
    semaphore = asyncio.Semaphore(max(1, concurrency))

    async def bounded(http: httpx.AsyncClient, url: str) -> LinkStatus:
        async with semaphore:
            return await _check_one(http, url, cited[url], timeout)

    if client is not None:
        return list(await asyncio.gather(*(bounded(client, url) for url in cited)))
    async with _make_client(concurrency, timeout) as own:
        return list(await asyncio.gather(*(bounded(own, url) for url in cited)))


def _make_client(concurrency: int, timeout: float) -> httpx.AsyncClient:
    """A client that follows redirects and never keeps more connections than checks."""
    return httpx.AsyncClient(
        follow_redirects=True,
        timeout=httpx.Timeout(timeout),
        limits=httpx.Limits(max_connections=max(1, concurrency)),
        headers={"User-Agent": USER_AGENT},
    )


async def _check_one(
    client: httpx.AsyncClient, url: str, files: tuple[str, ...], timeout: float
) -> LinkStatus:
    """Probe one URL and classify the answer; network failures become statuses, not errors."""
    try:
        response = await _request(client, "HEAD", url, timeout)
        if response.status_code in HEAD_REFUSED:
            response = await _request(client, "GET", url, timeout)
    except (TimeoutError, httpx.TimeoutException):
        return LinkStatus(url, LinkState.TIMEOUT, None, None, _timeout_reason(timeout), files)
    except httpx.InvalidURL:
        return LinkStatus(url, LinkState.ERROR, None, None, "adresse invalide", files)
    except httpx.HTTPError as exc:
        log.debug("Link %s failed: %r", url, exc)
        return LinkStatus(url, LinkState.ERROR, None, None, _error_reason(exc), files)
    return _classify(url, response, files)


async def _request(
    client: httpx.AsyncClient, method: str, url: str, timeout: float
) -> httpx.Response:
    """One request, redirects included, bounded by `timeout` overall; the body is not read."""
    async with asyncio.timeout(timeout):
        request = client.build_request(method, url)
        response = await client.send(request, stream=True)
        await response.aclose()
        return response


def _classify(url: str, response: httpx.Response, files: tuple[str, ...]) -> LinkStatus:
    """ok, moved or dead from the final response and its redirect history."""
    code = response.status_code
    final = str(response.url)
    chain = tuple(step.status_code for step in response.history)
    elsewhere = bool(chain) and final != str(httpx.URL(url))  # same URL once httpx normalised it
    if code >= 400:
        reason = _http_reason(code)
        if elsewhere:
            reason = f"{reason}, après redirection vers {final}"
        return LinkStatus(url, LinkState.DEAD, code, final, reason, files, chain)
    if elsewhere:
        kind = "permanente" if all(c in PERMANENT_REDIRECTS for c in chain) else "temporaire"
        reason = f"redirection {kind} ({' → '.join(map(str, chain))}) vers {final}"
        return LinkStatus(url, LinkState.MOVED, code, final, reason, files, chain)
    return LinkStatus(url, LinkState.OK, code, final, f"répond ({code})", files, chain)


def _http_reason(code: int) -> str:
    """A French explanation of an HTTP error status."""
    known = {
        401: "authentification requise",
        403: "accès refusé",
        404: "page introuvable",
        410: "page supprimée",
        429: "trop de requêtes, réessayer plus tard",
    }
    if code in known:
        return f"{known[code]} ({code})"
    if code >= 500:
        return f"erreur du serveur ({code})"
    return f"requête refusée ({code})"


def _timeout_reason(timeout: float) -> str:
    """A French explanation of a timeout."""
    return f"pas de réponse en {timeout:g} s"


# Checked in order along the exception chain: the first match explains the failure.
_CAUSE_REASONS: tuple[tuple[type[BaseException], str], ...] = (
    (httpx.TooManyRedirects, "trop de redirections (boucle ?)"),
    (httpx.UnsupportedProtocol, "adresse invalide (ni http ni https)"),
    (socket.gaierror, "nom de domaine introuvable (DNS)"),
    (ssl.SSLError, "connexion sécurisée impossible (certificat ou TLS)"),
    (ConnectionRefusedError, "connexion refusée par le serveur"),
    (httpx.ConnectError, "connexion impossible"),
)


def _error_reason(exc: httpx.HTTPError) -> str:
    """A French explanation of a network failure, from the exception chain."""
    causes = _causes(exc)
    for kind, reason in _CAUSE_REASONS:
        if any(isinstance(cause, kind) for cause in causes):
            return reason
    return f"erreur réseau ({type(exc).__name__})"


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and everything it was raised from."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


# --- reporting --------------------------------------------------------------------------------

# Most urgent first: dead and unreachable links need fixing, moved ones an update.
_PROBLEM_ORDER = (LinkState.DEAD, LinkState.ERROR, LinkState.TIMEOUT, LinkState.MOVED)
_LABELS = {
    LinkState.OK: "ok",
    LinkState.DEAD: "mort",
    LinkState.ERROR: "erreur",
    LinkState.TIMEOUT: "délai dépassé",
    LinkState.MOVED: "déplacé",
}


def problems(results: Iterable[LinkStatus]) -> list[LinkStatus]:
    """The links needing attention, most urgent first, then by URL."""
    rank = {state: index for index, state in enumerate(_PROBLEM_ORDER)}
    found = [r for r in results if r.status is not LinkState.OK]
    return sorted(found, key=lambda r: (rank[r.status], r.url))


def render_links_table(results: Sequence[LinkStatus]) -> str:
    """A plain-text table of dead, unreachable and moved links, with a count of the OK ones."""
    rows = [
        (_LABELS[r.status], _code(r), r.url, r.reason, ", ".join(r.files) or "-")
        for r in problems(results)
    ]
    summary = _counts_line(results)
    if not rows:
        return summary
    header = ("État", "Code", "Lien", "Détail", "Cité par")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    lines = [_table_line(header, widths), _table_line(tuple("-" * w for w in widths), widths)]
    lines.extend(_table_line(row, widths) for row in rows)
    return "\n".join([*lines, "", summary])


def _table_line(cells: tuple[str, ...], widths: list[int]) -> str:
    """Pad every cell but the last one to its column width."""
    padded = [cell.ljust(width) for cell, width in zip(cells, widths, strict=False)]
    return "  ".join([*padded, *cells[len(widths) :]]).rstrip()


def _code(result: LinkStatus) -> str:
    """The redirect chain and final status, like `301→200`, or `-` without a response."""
    if result.http_status is None:
        return "-"
    return "→".join(str(code) for code in (*result.redirects, result.http_status))


def _counts_line(results: Sequence[LinkStatus]) -> str:
    """`12 liens vérifiés : 9 OK, 1 mort, ...` in French."""
    counts = {state: sum(1 for r in results if r.status is state) for state in LinkState}
    parts = [f"{counts[LinkState.OK]} OK"]
    parts += [
        _plural(counts[state], _LABELS[state], _plural_label(state))
        for state in _PROBLEM_ORDER
        if counts[state]
    ]
    return f"{_plural(len(results), 'lien vérifié', 'liens vérifiés')} : {', '.join(parts)}."


def _plural_label(state: LinkState) -> str:
    """The plural French label of a status."""
    return {LinkState.TIMEOUT: "délais dépassés"}.get(state, _LABELS[state] + "s")


def _plural(count: int, singular: str, plural: str) -> str:
    """`1 lien`, `0 lien`, `2 liens`: French uses the singular for 0 and 1."""
    return f"{count} {singular if count <= 1 else plural}"


def summarize_links(results: Sequence[LinkStatus], max_items: int = 10) -> str:
    """A short French plain-text report for admins in Telegram (to be escaped by the bot)."""
    found = problems(results)
    if not results:
        return "Vérification des liens : aucun lien à vérifier."
    if not found:
        return f"Vérification des liens : {_counts_line(results)} Tout répond."
    lines = ["Vérification des liens : " + _counts_line(results), ""]
    for result in found[:max_items]:
        cited = f" — cité par {', '.join(result.files)}" if result.files else ""
        lines.append(f"• {_LABELS[result.status]} : {result.url} ({result.reason}){cited}")
    if len(found) > max_items:
        lines.append(f"… et {len(found) - max_items} autres ; détail avec « essbot links ».")
    return "\n".join(lines)
