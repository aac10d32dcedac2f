"""Emulator fixtures shared by tests/e2e and tests/bot (each conftest imports them)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from emulator import AsyncEmulatorClient, Emulator


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    """The emulator process (started once); its sync helpers act on ``emulator.token``."""
    with Emulator() as emu:
        yield emu


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB 22.2+ emits a PTBDeprecationWarning whenever a RetryAfter is *built* unless
    # PTB_TIMEDELTA is set; warnings are errors here, so a 429 would surface as that warning.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
def bot_token(emulator: Emulator) -> str:
    """A fresh token: the emulator keeps separate state (calls, messages, faults) per token."""
    return emulator.new_token()


@pytest.fixture
async def emu(emulator: Emulator, bot_token: str) -> AsyncIterator[AsyncEmulatorClient]:
    """Async helpers bound to this test's ``bot_token`` and event loop."""
    async with emulator.async_client(bot_token) as client:
        yield client
