"""Whether Telegram answers: one warning when an outage starts, one when it ends.

Every Bot API call goes through `WatchedRequest`, which tells the shared `Reachability` how it
went; while Telegram is unreachable, the failed calls after the first are logged at DEBUG only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from telegram.error import NetworkError
from telegram.request import HTTPXRequest

log = logging.getLogger(__name__)

SERVER_ERROR = 500  # a 5xx answer: Telegram (or the proxy before it) is not serving


class Reachability:
    """The state of the link to Telegram, as the last calls saw it."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._down_since: float | None = None
        self._failures = 0

    @property
    def down(self) -> bool:
        """Whether the last call failed for a network reason."""
        return self._down_since is not None

    def failed(self, reason: object) -> None:
        """A call could not reach Telegram."""
        self._failures += 1
        if self._down_since is None:
            self._down_since = self._clock()
            log.warning("Telegram unreachable (%s): retrying quietly until it answers", reason)
        else:
            log.debug("Telegram still unreachable: %s", reason)

    def succeeded(self) -> None:
        """A call got an answer from Telegram."""
        if self._down_since is None:
            return
        seconds = self._clock() - self._down_since
        log.warning(
            "Telegram reachable again after %.0f s (%d failed calls)", seconds, self._failures
        )
        self._down_since, self._failures = None, 0


class WatchedRequest(HTTPXRequest):
    """PTB's HTTPX transport, reporting each call's outcome to a `Reachability`."""

    def __init__(self, reachability: Reachability, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._reachability = reachability

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """Send the call; transport errors and 5xx answers count as unreachable."""
        try:
            code, payload = await super().do_request(*args, **kwargs)
        except NetworkError as error:  # TimedOut included
            self._reachability.failed(error)
            raise
        if code >= SERVER_ERROR:
            self._reachability.failed(f"HTTP {code}")
        else:
            self._reachability.succeeded()
        return code, payload
