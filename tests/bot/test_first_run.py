"""What a new user meets first, run as real `essbot` processes: plain French failures without
traceback (a rejected token never printed, an unreachable API, a read-only data folder, no
token and no terminal), the empty-folder warning, the terminal chat."""

from __future__ import annotations

import errno
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.cli import main
from indexing.console.logs import MASK

SUBPROCESS = pytest.mark.slow  # each run is a new `essbot` process

TOKEN = "123456789:AAH-fake-token-that-telegram-rejects_0123"  # noqa: S105 - a fake one


def essbot(
    cwd: Path, *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the console script's module in `cwd` (no .env there), with a clean environment."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "DATABASE_", "EMBEDDING_", "KNOWLEDGE_", "DATA_"))
    }
    base.update({"EMBEDDING_MODEL": "hashing", **(env or {})})
    return subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=cwd,
        env=base,
    )


class _Unauthorized(BaseHTTPRequestHandler):
    """A Bot API that rejects every token, as Telegram does (401)."""

    paths: list[str]

    def do_POST(self) -> None:
        self.paths.append(self.path)
        body = json.dumps({"ok": False, "error_code": 401, "description": "Unauthorized"})
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def rejecting_api() -> Iterator[tuple[str, list[str]]]:
    """The base URL of a local Bot API answering 401, and the paths it was asked."""
    paths: list[str] = []
    handler = type("Handler", (_Unauthorized,), {"paths": paths})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/bot", paths
    server.shutdown()
    server.server_close()


@SUBPROCESS
@pytest.mark.parametrize("verbose", [False, True])
def test_a_rejected_token_is_explained_and_never_printed(
    tmp_path: Path, kb_dir: Path, rejecting_api: tuple[str, list[str]], verbose: bool
) -> None:
    base_url, paths = rejecting_api
    options = ["-v"] if verbose else []
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": base_url}
    result = essbot(
        tmp_path, *options, "--knowledge", str(kb_dir), "--data", "data", "run", env=env
    )
    assert any(TOKEN in path for path in paths)  # the bot did present the token to the API
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert TOKEN not in output and TOKEN.split(":")[1] not in output
    assert "Telegram refuse le jeton TELEGRAM_BOT_TOKEN" in result.stderr
    if verbose:  # the trace is shown, with PTB's own message masked
        assert "Traceback" in output and f"The token `{MASK}` was rejected" in output
    else:
        assert "Traceback" not in output and "relancez avec -v" in result.stderr


@SUBPROCESS
def test_an_unreachable_api_names_the_setting_and_the_address(tmp_path: Path, kb_dir: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}/bot"
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": base_url}
    result = essbot(tmp_path, "--knowledge", str(kb_dir), "--data", "data", "run", env=env)
    assert result.returncode == 1
    assert "TELEGRAM_BASE_URL" in result.stderr and base_url in result.stderr
    assert "Traceback" not in result.stderr and TOKEN not in result.stderr


@SUBPROCESS
def test_start_without_token_nor_terminal_fails_clearly(tmp_path: Path, kb_dir: Path) -> None:
    result = essbot(tmp_path, "--knowledge", str(kb_dir), "--data", "data", "start")
    assert result.returncode != 0
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "terminal" in result.stderr
    assert "cp .env.example .env" in result.stderr  # no .env in tmp_path
    assert not (tmp_path / "data").exists()  # refused before doing anything
    (tmp_path / ".env").write_text("ADMIN_IDS=\n", encoding="utf-8")
    again = essbot(tmp_path, "--knowledge", str(kb_dir), "--data", "data", "start")
    assert again.returncode != 0 and "cp .env.example" not in again.stderr


@SUBPROCESS
def test_an_empty_knowledge_folder_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "vide").mkdir()
    result = essbot(tmp_path, "--knowledge", "vide", "--data", "data", "index")
    assert "aucun document indexé" in result.stderr and "knowledge/README.md" in result.stderr
    assert str((tmp_path / "vide").absolute()) in result.stderr
    full = essbot(tmp_path, "--knowledge", "vide", "--data", "data", "index", "--full")
    assert "aucun document indexé" in full.stderr


@SUBPROCESS
def test_a_data_folder_that_cannot_be_created_is_named(tmp_path: Path, kb_dir: Path) -> None:
    (tmp_path / "fichier").write_text("pas un dossier", encoding="utf-8")
    result = essbot(tmp_path, "--knowledge", str(kb_dir), "--data", "fichier/data", "index")
    assert result.returncode == 1
    assert str(tmp_path / "fichier" / "data") in result.stderr and "DATA_DIR" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize("command", [["index"], ["ask", "dons"], ["start"]])
def test_a_read_only_data_folder_is_named_with_what_to_do(
    tmp_path: Path,
    kb_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    if os.geteuid() == 0:  # root writes through permissions: a read-only mount, simulated
        from indexing.storage import folders

        def read_only(*_args: object, **_kwargs: object) -> object:
            raise OSError(errno.EROFS, "Read-only file system", str(data))

        monkeypatch.setattr(folders.tempfile, "TemporaryFile", read_only)
        reason = "en lecture seule"
    else:
        data.chmod(0o555)
        reason = "non accessible en écriture"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EMBEDDING_MODEL", "hashing")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)  # `start` goes to the bot: no chat
    status = main(["--knowledge", str(kb_dir), "--data", str(data), *command])
    err = capsys.readouterr().err
    assert status == 1
    assert f"le dossier de données {data} est {reason}" in err and "DATA_DIR" in err
    assert "Traceback" not in err and TOKEN not in err


@SUBPROCESS
def test_the_terminal_chat_skips_empty_lines_and_leaves_on_quitter(
    tmp_path: Path, kb_dir: Path
) -> None:
    script = "\n   \nLe DLA est-il gratuit ?\n/quitter\nQuestion jamais posée\n"
    result = essbot(tmp_path, "--knowledge", str(kb_dir), "--data", "data", "chat", stdin=script)
    assert result.returncode == 0, result.stderr
    assert "Rien n'est enregistré" in result.stdout
    assert result.stdout.count("Sources :") + result.stdout.count("À lire quand même") == 1
    assert "ressources/dla.md" in result.stdout or "example.org/dla" in result.stdout
    ended = essbot(tmp_path, "--knowledge", str(kb_dir), "--data", "data", "chat", stdin="")
    assert ended.returncode == 0  # Ctrl-D (end of input) leaves


@SUBPROCESS
def test_no_database_is_written_by_the_terminal_chat(tmp_path: Path, kb_dir: Path) -> None:
    essbot(tmp_path, "--knowledge", str(kb_dir), "--data", "data", "index")
    database = tmp_path / "data" / "essbot.sqlite3"
    before = database.read_bytes()
    essbot(tmp_path, "--knowledge", str(kb_dir), "--data", "data", "chat", stdin="RGPD ?\n")
    assert database.read_bytes() == before
