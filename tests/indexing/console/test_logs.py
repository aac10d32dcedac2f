"""Secrets are masked in every line the root handler writes: messages, arguments, tracebacks."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from indexing.console.logs import MASK, ExplainedErrors, RedactSecrets

SECRET = "123456:AAH-secret/with+chars"  # noqa: S105 - a fake token


@pytest.fixture
def logger() -> Iterator[tuple[logging.Logger, io.StringIO, RedactSecrets]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    redaction = RedactSecrets([SECRET])
    handler.addFilter(redaction)
    log = logging.getLogger("test.library")
    log.addHandler(handler)
    log.propagate = False
    yield log, stream, redaction
    log.removeHandler(handler)


def test_messages_arguments_url_forms_and_tracebacks_are_masked(
    logger: tuple[logging.Logger, io.StringIO, RedactSecrets],
) -> None:
    log, stream, _ = logger
    log.warning("HTTP Request: POST %s", f"https://api.telegram.org/bot{SECRET}/getMe")
    log.warning("quoted: %s", "123456%3AAAH-secret%2Fwith%2Bchars")
    try:
        raise ValueError(f"The token `{SECRET}` was rejected by the server.")
    except ValueError:
        log.exception("failed")
    written = stream.getvalue()
    assert SECRET not in written and "AAH-secret" not in written
    assert written.count(MASK) == 3  # the URL, the quoted form, the exception in the traceback
    assert "Traceback" in written and f"The token `{MASK}`" in written


def test_explained_errors_lose_their_traceback_only(
    logger: tuple[logging.Logger, io.StringIO, RedactSecrets],
) -> None:
    log, stream, _ = logger
    explained = ExplainedErrors()
    explained.add([ConnectionError])
    log.handlers[0].addFilter(explained)
    for error in (ConnectionError("down"), KeyError("bug")):
        try:
            raise error
        except Exception:
            log.exception("%s happened", type(error).__name__)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "ConnectionError happened"
    assert lines[1] == "KeyError happened" and lines[2].startswith("Traceback")
