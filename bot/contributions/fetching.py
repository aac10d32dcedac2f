"""Fetching a web page for `/ajouter` and `essbot add`: http(s) only, bounded in time, size and
redirects, private and loopback addresses refused (unless allowed), then its main text extracted
with trafilatura.

Every address the host resolves to is checked, again at each redirect. A host that resolves to a
public address for the check and a private one for the connection (DNS rebinding) is not caught:
the check narrows what an admin's command can reach, it is not a network boundary.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from dataclasses import dataclass
from typing import Final
from urllib.parse import urljoin, urlsplit

import httpx

from indexing.errors import EngineError

log = logging.getLogger(__name__)

MAX_REDIRECTS: Final = 5
TIMEOUT: Final = 15.0  # seconds, for connecting and between two reads
MAX_BYTES: Final = 5_000_000
TEXT_TYPES: Final = ("text/html", "application/xhtml+xml", "text/plain")
USER_AGENT: Final = "essbot/0.1 (knowledge assistant; a page added by an admin)"
MIN_TEXT_CHARS: Final = 80  # less than this is a menu or an error page, not a resource


class FetchError(EngineError):
    """A page that cannot be added, with the reason in French."""


@dataclass(frozen=True)
class Page:
    """A fetched page's main text."""

    url: str  # the URL asked for (the key of its sheet)
    final_url: str  # after redirects
    title: str
    text: str  # Markdown


@dataclass(frozen=True)
class FetchPolicy:
    """Limits of a fetch."""

    allow_private: bool = False
    timeout: float = TIMEOUT
    max_bytes: int = MAX_BYTES
    max_redirects: int = MAX_REDIRECTS


def check_url(url: str, allow_private: bool) -> None:
    """Refuse anything but http(s) to a host whose every address is public (unless allowed)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise FetchError(f"adresse invalide : {error}") from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError("seules les adresses http:// ou https:// sont acceptées")
    if parts.username or parts.password:
        raise FetchError("adresse avec identifiants refusée")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(f"nom de domaine introuvable : {parts.hostname}") from error
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global:
            raise FetchError(f"adresse locale ou privée refusée ({parts.hostname})")


def fetch(url: str, policy: FetchPolicy) -> tuple[str, bytes, str]:
    """GET the page, following at most `max_redirects`: (final URL, body, content type)."""
    current = url.strip()
    headers = {"User-Agent": USER_AGENT, "Accept": "text/html,text/plain;q=0.8"}
    with httpx.Client(timeout=policy.timeout, follow_redirects=False, headers=headers) as client:
        for _ in range(policy.max_redirects + 1):
            check_url(current, policy.allow_private)
            try:
                with client.stream("GET", current) as response:
                    if response.is_redirect and "location" in response.headers:
                        current = urljoin(current, response.headers["location"])
                        continue
                    if response.status_code >= 400:
                        raise FetchError(f"la page répond HTTP {response.status_code}")
                    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                    if kind not in TEXT_TYPES:
                        raise FetchError(
                            f"type de contenu non pris en charge ({kind or 'inconnu'})"
                        )
                    return current, _read(response, policy.max_bytes), kind
            except httpx.HTTPError as error:
                raise FetchError(f"page injoignable ({type(error).__name__})") from error
    raise FetchError(f"trop de redirections (plus de {policy.max_redirects})")


def _read(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"page trop grosse (limite {max_bytes / 1e6:.1f} Mo)")
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise FetchError(f"page trop grosse (limite {max_bytes / 1e6:.1f} Mo)")
    return bytes(body)


def extract(html: str, url: str) -> tuple[str, str]:
    """The title and main text (Markdown) of an HTML page, without navigation and footers."""
    import trafilatura  # lxml and its models load on first use

    text = trafilatura.extract(
        html, url=url, output_format="markdown", include_tables=True, include_comments=False
    )
    metadata = trafilatura.extract_metadata(html, default_url=url)
    title = (metadata.title if metadata is not None else None) or ""
    return title.strip(), (text or "").strip()


def fetch_page(url: str, policy: FetchPolicy) -> Page:
    """Fetch a page and extract its main text; FetchError with the reason otherwise."""
    final_url, body, kind = fetch(url, policy)
    decoded = body.decode("utf-8", errors="replace")
    if kind == "text/plain":
        title, text = "", decoded.strip()
    else:
        title, text = extract(decoded, final_url)
    if len(text) < MIN_TEXT_CHARS:
        raise FetchError("pas assez de texte à extraire de cette page")
    host = urlsplit(final_url).hostname or final_url
    log.info("Fetched %s (%d characters of text)", host, len(text))
    return Page(url=url.strip(), final_url=final_url, title=title or host, text=text)
