"""Link checker: collection from the knowledge folder and checks against a local HTTP server."""

from __future__ import annotations

import asyncio
import http.server
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import httpx
import pytest

from bot.upkeep.links import (
    LinkState,
    LinkStatus,
    check_links,
    collect_links,
    problems,
    render_links_table,
    summarize_links,
)

TIMEOUT = 0.5


@dataclass
class Site:
    """A local test server: its base URL and the requests it received."""

    base: str
    release: threading.Event
    requests: list[tuple[str, str]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path


def _handler(site_requests: list[tuple[str, str]], release: threading.Event) -> type:
    class Handler(http.server.BaseHTTPRequestHandler):
        redirects: ClassVar[dict[str, tuple[int, str]]] = {
            "/old": (301, "/ok"),
            "/temp": (302, "/ok"),
            "/loop": (301, "/loop"),
            "/moved-dead": (308, "/missing"),
        }

        def do_HEAD(self) -> None:
            self._respond(body=False)

        def do_GET(self) -> None:
            self._respond(body=True)

        def _respond(self, body: bool) -> None:
            site_requests.append((self.command, self.path))
            if self.path == "/slow":
                release.wait(10)  # far beyond the client's timeout; released at teardown
                return
            if self.path in self.redirects:
                code, target = self.redirects[self.path]
                self._send(code, b"", {"Location": target})
            elif self.path == "/ok":
                self._send(200, b"bonjour" if body else b"")
            elif self.path == "/nohead":
                self._send(200, b"ok") if body else self._send(405, b"")
            elif self.path == "/broken":
                self._send(500, b"oops" if body else b"")
            else:
                self._send(404, b"introuvable" if body else b"")

        def _send(self, code: int, payload: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(code)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            """Keep the test output quiet."""

    return Handler


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins every handler thread


@pytest.fixture
def site() -> Iterator[Site]:
    """An HTTP server on 127.0.0.1 in a thread, stopped and joined at teardown."""
    release = threading.Event()
    requests: list[tuple[str, str]] = []
    server = _Server(("127.0.0.1", 0), _handler(requests, release))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.server_address[1]}", release, requests)
    finally:
        release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        assert not thread.is_alive()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _by_url(results: list[LinkStatus]) -> dict[str, LinkStatus]:
    return {r.url: r for r in results}


# --- checking against the local server ------------------------------------------------------


async def test_classifies_ok_moved_dead_and_timeout(site: Site) -> None:
    urls = {
        site.url("/ok"): ("a.md",),
        site.url("/old"): ("a.md", "guides/b.md"),
        site.url("/missing"): ("guides/b.md",),
        site.url("/broken"): ("c.md",),
        site.url("/slow"): ("c.md",),
    }
    started = time.monotonic()
    results = await check_links(urls, concurrency=4, timeout=TIMEOUT)
    elapsed = time.monotonic() - started

    assert [r.url for r in results] == list(urls)
    by_url = _by_url(results)
    ok = by_url[site.url("/ok")]
    assert (ok.status, ok.http_status, ok.final_url, ok.files) == (
        LinkState.OK, 200, site.url("/ok"), ("a.md",)
    )  # fmt: skip
    moved = by_url[site.url("/old")]
    assert moved.status is LinkState.MOVED
    assert (moved.http_status, moved.redirects, moved.final_url) == (200, (301,), site.url("/ok"))
    assert "permanente" in moved.reason
    assert moved.files == ("a.md", "guides/b.md")
    dead = by_url[site.url("/missing")]
    assert (dead.status, dead.http_status) == (LinkState.DEAD, 404)
    assert "introuvable" in dead.reason
    broken = by_url[site.url("/broken")]
    assert (broken.status, broken.http_status) == (LinkState.DEAD, 500)
    assert "serveur" in broken.reason
    slow = by_url[site.url("/slow")]
    assert (slow.status, slow.http_status, slow.final_url) == (LinkState.TIMEOUT, None, None)
    assert "0.5 s" in slow.reason
    assert elapsed < 3, "the hanging endpoint must not hold the check beyond its timeout"


async def test_head_refused_falls_back_to_get(site: Site) -> None:
    [result] = await check_links([site.url("/nohead")], timeout=TIMEOUT)
    assert (result.status, result.http_status) == (LinkState.OK, 200)
    assert site.requests == [("HEAD", "/nohead"), ("GET", "/nohead")]


async def test_head_is_enough_when_accepted(site: Site) -> None:
    await check_links([site.url("/ok")], timeout=TIMEOUT)
    assert site.requests == [("HEAD", "/ok")]


async def test_temporary_redirect_is_reported_as_moved(site: Site) -> None:
    [result] = await check_links([site.url("/temp")], timeout=TIMEOUT)
    assert result.status is LinkState.MOVED
    assert result.redirects == (302,)
    assert "temporaire" in result.reason
    assert result.final_url == site.url("/ok")


async def test_redirect_to_a_dead_page_is_dead_with_its_final_url(site: Site) -> None:
    [result] = await check_links([site.url("/moved-dead")], timeout=TIMEOUT)
    assert (result.status, result.http_status, result.redirects) == (LinkState.DEAD, 404, (308,))
    assert result.final_url == site.url("/missing")
    assert site.url("/missing") in result.reason


async def test_redirect_loop_is_an_error(site: Site) -> None:
    [result] = await check_links([site.url("/loop")], timeout=TIMEOUT)
    assert result.status is LinkState.ERROR
    assert "redirections" in result.reason


async def test_refused_connection_is_an_error() -> None:
    url = f"http://127.0.0.1:{_closed_port()}/page"
    [result] = await check_links({url: ("a.md",)}, timeout=TIMEOUT)
    assert (result.status, result.http_status, result.files) == (LinkState.ERROR, None, ("a.md",))
    assert "connexion" in result.reason


async def test_duplicate_urls_are_checked_once(site: Site) -> None:
    results = await check_links([site.url("/ok"), site.url("/ok")], timeout=TIMEOUT)
    assert len(results) == 1
    assert site.requests == [("HEAD", "/ok")]


# --- checking through a mock transport (no socket at all) -----------------------------------


async def test_dns_failure_has_a_french_reason() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        try:
            raise socket.gaierror(-2, "Name or service not known")
        except socket.gaierror as exc:
            raise httpx.ConnectError("dns", request=request) from exc

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        [result] = await check_links(["https://nulle-part.invalid/"], client=client)
    assert result.status is LinkState.ERROR
    assert result.reason == "nom de domaine introuvable (DNS)"


async def test_concurrency_is_bounded() -> None:
    in_flight = 0
    peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return httpx.Response(200)

    urls = [f"https://exemple.test/{i}" for i in range(12)]
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        results = await check_links(urls, concurrency=3, client=client)
    assert [r.status for r in results] == [LinkState.OK] * 12
    assert peak == 3


async def test_invalid_url_is_an_error() -> None:
    [result] = await check_links(["http://"], timeout=TIMEOUT)
    assert result.status is LinkState.ERROR
    assert "invalide" in result.reason


# --- reporting ------------------------------------------------------------------------------


async def test_table_lists_dead_and_moved_links_with_their_files(site: Site) -> None:
    urls = {
        site.url("/ok"): ("a.md",),
        site.url("/old"): ("a.md", "guides/b.md"),
        site.url("/missing"): ("guides/b.md",),
        site.url("/slow"): ("c.md",),
    }
    table = render_links_table(await check_links(urls, timeout=TIMEOUT))
    lines = table.splitlines()

    assert lines[0].split() == ["État", "Code", "Lien", "Détail", "Cité", "par"]
    dead_line = next(line for line in lines if site.url("/missing") in line)
    assert dead_line.startswith("mort")
    assert "404" in dead_line
    assert dead_line.endswith("guides/b.md")
    moved_line = next(line for line in lines if site.url("/old") in line)
    assert moved_line.startswith("déplacé")
    assert "301→200" in moved_line
    assert f"vers {site.url('/ok')}" in moved_line
    assert moved_line.endswith("a.md, guides/b.md")
    assert any(line.startswith("délai dépassé") and "c.md" in line for line in lines)
    assert not any(line.startswith("ok") for line in lines), "OK links are only counted"
    # most urgent first: dead, then timeout, then moved
    assert lines.index(dead_line) < lines.index(moved_line)
    assert lines[-1] == "4 liens vérifiés : 1 OK, 1 mort, 1 délai dépassé, 1 déplacé."
    # columns are aligned: every row starts its URL at the same offset
    offsets = {line.index("http") for line in lines[2:-2]}
    assert len(offsets) == 1


def test_table_when_everything_is_fine() -> None:
    results = [LinkStatus("https://a.test/", LinkState.OK, 200, "https://a.test/", "répond")] * 2
    assert render_links_table(results) == "2 liens vérifiés : 2 OK."


def test_summary_for_admins_is_short_french_plain_text() -> None:
    dead_reason = "page introuvable (404)"
    results = [
        LinkStatus("https://a.test/ok", LinkState.OK, 200, "https://a.test/ok", "répond (200)"),
        *(
            LinkStatus(f"https://a.test/{i}", LinkState.DEAD, 404, None, dead_reason, ("x.md",))
            for i in range(12)
        ),
    ]
    summary = summarize_links(results, max_items=5)
    assert summary.startswith("Vérification des liens : 13 liens vérifiés : 1 OK, 12 morts.")
    assert "• mort : https://a.test/0 (page introuvable (404)) — cité par x.md" in summary
    assert "… et 7 autres" in summary
    assert summary.count("•") == 5
    assert "<" not in summary


def test_summary_when_everything_is_fine() -> None:
    ok = LinkStatus("https://a.test/", LinkState.OK, 200, "https://a.test/", "répond (200)")
    assert summarize_links([ok]) == "Vérification des liens : 1 lien vérifié : 1 OK. Tout répond."
    assert summarize_links([]) == "Vérification des liens : aucun lien à vérifier."


def test_problems_are_sorted_by_urgency_then_url() -> None:
    def status(url: str, state: LinkState) -> LinkStatus:
        return LinkStatus(url, state, None, None, "")

    ordered = problems(
        [
            status("https://b.test/", LinkState.MOVED),
            status("https://z.test/", LinkState.DEAD),
            status("https://a.test/", LinkState.DEAD),
            status("https://c.test/", LinkState.OK),
            status("https://d.test/", LinkState.TIMEOUT),
        ]
    )
    assert [r.url for r in ordered] == [
        "https://a.test/", "https://z.test/", "https://d.test/", "https://b.test/"
    ]  # fmt: skip


# --- collecting -----------------------------------------------------------------------------


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_collects_front_matter_and_body_links(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "guides/rgpd.md",
        "---\n"
        "title: RGPD\n"
        "url: https://www.cnil.fr/fr/rgpd\n"
        "sources:\n"
        "  - https://www.legifrance.gouv.fr/loda/id/JORFTEXT000037085952\n"
        "  - https://www.cnil.fr/fr/rgpd\n"
        "  - pas une adresse\n"
        "---\n"
        'Voir [le guide](https://www.cnil.fr/fr/guide "Guide") et '
        "[Wikipédia](https://fr.wikipedia.org/wiki/RGPD_(Europe)).\n"
        "Adresse nue : https://ess-france.org/annuaire, puis (https://example.org/a).\n"
        "Autolien <https://example.org/auto>.\n",
    )
    _write(tmp_path, "outils.md", "Un tableur : https://www.cnil.fr/fr/rgpd.\n")

    links = collect_links(tmp_path)

    assert links == {
        "https://ess-france.org/annuaire": ("guides/rgpd.md",),
        "https://example.org/a": ("guides/rgpd.md",),
        "https://example.org/auto": ("guides/rgpd.md",),
        "https://fr.wikipedia.org/wiki/RGPD_(Europe)": ("guides/rgpd.md",),
        "https://www.cnil.fr/fr/guide": ("guides/rgpd.md",),
        "https://www.cnil.fr/fr/rgpd": ("guides/rgpd.md", "outils.md"),
        "https://www.legifrance.gouv.fr/loda/id/JORFTEXT000037085952": ("guides/rgpd.md",),
    }


def test_skips_hidden_files_readme_and_other_formats(tmp_path: Path) -> None:
    _write(tmp_path, "README.md", "https://readme.example/\n")
    _write(tmp_path, ".brouillons/note.md", "https://hidden-dir.example/\n")
    _write(tmp_path, ".cache.md", "https://hidden-file.example/\n")
    _write(tmp_path, "notes.txt", "https://text-file.example/\n")
    _write(tmp_path, "vrai.md", "https://kept.example/\n")
    assert collect_links(tmp_path) == {"https://kept.example/": ("vrai.md",)}


def test_single_source_string_and_invalid_front_matter(tmp_path: Path) -> None:
    _write(tmp_path, "seul.md", "---\nsources: https://seule.example/\n---\nTexte.\n")
    _write(tmp_path, "casse.md", "---\nurl: [non fermé\n---\nMais https://corps.example/ reste.\n")
    _write(tmp_path, "binaire.md", "")
    (tmp_path / "binaire.md").write_bytes(b"\xff\xfe\x00https://x")
    assert collect_links(tmp_path) == {
        "https://corps.example/": ("casse.md",),
        "https://seule.example/": ("seul.md",),
    }


def test_collects_the_urls_of_sources_given_as_references(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "fiche.md",
        "---\ntitle: Fiche\nsources:\n  - title: Baromètre\n    url: https://example.org/b\n"
        "    publisher: Solidatech\n    year: 2016\n  - https://example.org/c\n"
        "  - title: Sans lien\ndate: 2024-13-45\n---\nTexte.\n",
    )
    assert collect_links(tmp_path) == {
        "https://example.org/b": ("fiche.md",),
        "https://example.org/c": ("fiche.md",),
    }
