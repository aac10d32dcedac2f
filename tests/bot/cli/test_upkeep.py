"""`essbot links` against a local HTTP server: the table of broken and moved links, exit codes."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main

RELEASE = threading.Event()  # lets the hanging handler finish at teardown


class Handler(http.server.BaseHTTPRequestHandler):
    """200 on /ok, 301 from /old to /ok, 404 on /missing, 500 on /boom, /slow never answers."""

    def do_HEAD(self) -> None:
        if self.path == "/slow":
            RELEASE.wait(10)
        status = {"/ok": 200, "/old": 301, "/boom": 500}.get(self.path, 404)
        self.send_response(status)
        if status == 301:
            self.send_header("Location", "/ok")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        self.do_HEAD()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def site() -> Iterator[str]:
    """The base URL of a local server, on 127.0.0.1 and a free port."""
    RELEASE.clear()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    RELEASE.set()
    server.shutdown()
    server.server_close()
    thread.join()


def knowledge(root: Path, pages: dict[str, str]) -> Path:
    """A small knowledge folder: one Markdown file per entry."""
    for name, body in pages.items():
        path = root / "knowledge" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    return root / "knowledge"


def run_links(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *options: str) -> int:
    monkeypatch.chdir(tmp_path)  # no .env of the developer
    return main(["--knowledge", str(folder), "--data", str(tmp_path / "data"), "links", *options])


def test_dead_and_moved_links_are_listed_with_their_files(
    site: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = knowledge(
        tmp_path,
        {
            "ressources/dla.md": f"---\nurl: {site}/ok\n---\n# DLA\nVoir [le guide]({site}/old).\n",
            "ressources/rgpd.md": f"# RGPD\nLa fiche {site}/missing et l'outil {site}/boom.\n",
            "ateliers/lent.md": f"# Atelier\nEnregistrement : {site}/slow\n",
        },
    )
    assert run_links(folder, tmp_path, monkeypatch, "--timeout", "0.5", "--concurrency", "2") == 1
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines() if f"{site}/" in line]
    assert [(row[0], row[-1]) for row in rows] == [  # most urgent first, with the citing file
        ("mort", "ressources/rgpd.md"),
        ("mort", "ressources/rgpd.md"),
        ("délai", "ateliers/lent.md"),
        ("déplacé", "ressources/dla.md"),
    ]
    assert [row[1] for row in rows if row[0] != "délai"] == ["500", "404", "301→200"]
    assert "5 liens vérifiés : 1 OK, 2 morts, 1 délai dépassé, 1 déplacé." in out


def test_only_working_or_moved_links_exit_zero(
    site: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = knowledge(tmp_path, {"a.md": f"# A\n{site}/ok et {site}/old\n"})
    assert run_links(folder, tmp_path, monkeypatch, "--timeout", "2") == 0
    assert "2 liens vérifiés : 1 OK, 1 déplacé." in capsys.readouterr().out


def test_missing_knowledge_folder_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_links(tmp_path / "absent", tmp_path, monkeypatch) == 1
    assert "dossier de connaissances introuvable" in capsys.readouterr().err
