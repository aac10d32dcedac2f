"""Logging of the command line: one handler on the root logger, and secrets masked in every
line it writes, ours and the libraries' (messages, arguments and tracebacks alike)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import quote

MASK = "[secret masqué]"
_NOISY = ("httpx", "httpcore", "bm25s", "faiss.loader")


class RedactSecrets(logging.Filter):
    """Replaces each secret (and its URL-encoded form) by a mask in the formatted record."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        """Mask these values too (empty ones are ignored)."""
        for secret in secrets:
            if secret:
                self._secrets |= {secret, quote(secret, safe="")}

    def redact(self, text: str) -> str:
        """The text with every known secret masked."""
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place: message, traceback and stack are masked."""
        if not self._secrets:
            return True
        record.msg, record.args = self.redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class ExplainedErrors(logging.Filter):
    """Drops the traceback of errors the command line explains in French itself (a rejected
    token, an unreachable API): their one-line log stays, the trace shows with -v only."""

    def __init__(self) -> None:
        super().__init__()
        self._types: tuple[type[BaseException], ...] = ()

    def add(self, types: Iterable[type[BaseException]]) -> None:
        """Hide the tracebacks of these exception types (and subclasses)."""
        self._types = (*self._types, *types)

    def filter(self, record: logging.LogRecord) -> bool:
        """Remove the traceback of an explained error."""
        if record.exc_info and isinstance(record.exc_info[1], self._types):
            record.exc_info, record.exc_text = None, None
        return True


def configure_logging(verbose: bool) -> RedactSecrets:
    """Log to stderr (INFO with -v, else WARNING) through a redacting filter, returned so that
    the commands that read secrets can register them; without -v, explained errors lose their
    traceback."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in _NOISY:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    redaction = RedactSecrets()
    for handler in logging.getLogger().handlers:
        handler.addFilter(redaction)
        if not verbose:
            handler.addFilter(ExplainedErrors())
    return redaction


def explain_errors(types: Iterable[type[BaseException]]) -> None:
    """Hide the tracebacks of these errors in the logs, unless -v (see ExplainedErrors)."""
    wanted = tuple(types)
    for handler in logging.getLogger().handlers:
        for candidate in handler.filters:
            if isinstance(candidate, ExplainedErrors):
                candidate.add(wanted)


def redaction_filter() -> RedactSecrets:
    """The filter installed by `configure_logging` (a fresh one on a bare root handler)."""
    for handler in logging.getLogger().handlers:
        for candidate in handler.filters:
            if isinstance(candidate, RedactSecrets):
                return candidate
    redaction = RedactSecrets()
    for handler in logging.getLogger().handlers:
        handler.addFilter(redaction)
    return redaction


def mask_secrets(secrets: Iterable[str]) -> RedactSecrets:
    """Mask these values in every line the root handlers write from now on."""
    redaction = redaction_filter()
    redaction.add(secrets)
    return redaction
