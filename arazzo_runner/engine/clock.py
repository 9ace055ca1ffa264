"""The clock the engine waits with: real time, or a fake one for tests."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    """Tells the time and waits. The engine never calls ``time.sleep``."""

    def now(self) -> float:
        """Return the current time as a Unix timestamp in seconds."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` seconds."""
        ...


class SystemClock:
    """Wall-clock time and real waiting."""

    def now(self) -> float:
        """Return the current Unix time."""
        return time.time()

    async def sleep(self, seconds: float) -> None:
        """Wait for real."""
        if seconds > 0:
            await asyncio.sleep(seconds)


class FakeClock:
    """A clock whose waits return at once and only move its time forward.

    ``sleeps`` records every wait requested, in order, for assertions.
    """

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = start
        self.sleeps: list[float] = []

    def now(self) -> float:
        """Return the fake current time."""
        return self._now

    async def sleep(self, seconds: float) -> None:
        """Record the wait and advance the fake time without waiting."""
        self.sleeps.append(seconds)
        self._now += max(0.0, seconds)
