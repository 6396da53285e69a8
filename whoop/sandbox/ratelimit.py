"""WHOOP-style per-client rate limiting: 100 requests per minute and 10,000 per day.

Source: WHOOP developer docs, "Rate limiting"
(https://developer.whoop.com/docs/developing/rate-limiting; docs/WHOOP.md#rate-limits): limits apply
per client (app); responses carry ``X-RateLimit-Limit: 100, 100;window=60, 10000;window=86400`` (the
first number is the limit of the window the client is closest to hitting), ``X-RateLimit-Remaining``
(requests left in that window) and ``X-RateLimit-Reset`` (seconds until that window resets); a
request over a limit gets 429.

The windows are fixed windows that open at a client's first request (the docs' "seconds until
Remaining resets" reads as fixed windows). ``scale`` shrinks both windows proportionally
(``--rate-window-s 1`` makes the minute window 1 s and the day window 24 min) so tests and
benchmarks hit the limits quickly; the counts stay 100 and 10,000.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

MINUTE_LIMIT = 100
DAY_LIMIT = 10_000
MINUTE_S = 60.0
DAY_S = 86_400.0


@dataclass
class _Window:
    limit: int
    length_s: float
    opened_at: float | None = None
    used: int = 0

    def roll(self, now: float) -> None:
        if self.opened_at is None or now >= self.opened_at + self.length_s:
            self.opened_at = now
            self.used = 0

    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    def reset_s(self, now: float) -> float:
        return max(0.0, (self.opened_at or now) + self.length_s - now)


@dataclass
class RateDecision:
    """Outcome of one request: ``allowed`` and the three ``X-RateLimit-*`` headers to send."""

    allowed: bool
    headers: dict[str, str] = field(default_factory=dict)


def _fmt_window(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"


class RateLimiter:
    """Counts requests per client in a minute window and a day window (thread-safe).

    Args:
        rate_window_s: length of the minute window in seconds (60 = WHOOP's real limits); the
            day window is scaled by the same factor (``rate_window_s / 60``).
        clock: monotonic seconds, injectable for unit tests.
    """

    def __init__(self, rate_window_s: float = MINUTE_S, *,
                 clock: Callable[[], float] = time.monotonic,
                 minute_limit: int = MINUTE_LIMIT, day_limit: int = DAY_LIMIT) -> None:
        if rate_window_s <= 0:
            raise ValueError("rate_window_s must be > 0")
        scale = rate_window_s / MINUTE_S
        self.minute_s = MINUTE_S * scale
        self.day_s = DAY_S * scale
        self.minute_limit = minute_limit
        self.day_limit = day_limit
        self._clock = clock
        self._lock = threading.Lock()
        self._clients: dict[str, tuple[_Window, _Window]] = {}

    def _windows(self, client_id: str) -> tuple[_Window, _Window]:
        if client_id not in self._clients:
            self._clients[client_id] = (_Window(self.minute_limit, self.minute_s),
                                        _Window(self.day_limit, self.day_s))
        return self._clients[client_id]

    def _headers(self, wins: tuple[_Window, _Window], now: float) -> dict[str, str]:
        minute, day = wins
        closest = minute if minute.remaining() <= day.remaining() else day
        return {
            "X-RateLimit-Limit": (f"{closest.limit}, {minute.limit};window={_fmt_window(minute.length_s)}, "
                                  f"{day.limit};window={_fmt_window(day.length_s)}"),
            "X-RateLimit-Remaining": str(closest.remaining()),
            "X-RateLimit-Reset": str(math.ceil(closest.reset_s(now))),
        }

    def hit(self, client_id: str) -> RateDecision:
        """Count one request for ``client_id``; refuse it (``allowed=False``) when a window is full."""
        with self._lock:
            now = self._clock()
            wins = self._windows(client_id)
            for w in wins:
                w.roll(now)
            allowed = all(w.used < w.limit for w in wins)
            if allowed:
                for w in wins:
                    w.used += 1
            return RateDecision(allowed, self._headers(wins, now))

    def exhausted(self, client_id: str) -> RateDecision:
        """Headers for an injected 429 (fault): Remaining 0, Reset = the minute window's reset."""
        with self._lock:
            now = self._clock()
            minute, _day = self._windows(client_id)
            minute.roll(now)
            headers = self._headers(self._windows(client_id), now)
            headers["X-RateLimit-Remaining"] = "0"
            headers["X-RateLimit-Reset"] = str(max(1, math.ceil(minute.reset_s(now))))
            return RateDecision(False, headers)
