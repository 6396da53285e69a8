"""How ``python -m whoop sync`` shows a running sync: a tqdm bar on a terminal, plain lines
anywhere else (cron, a pipe, a log file), nothing with ``--quiet``.

A tqdm bar only draws on a terminal, so a sync that waits out WHOOP's rate limit or retries
failing requests would otherwise print nothing for minutes into a log. Off a terminal the
reporter writes one line per collection finished, one per page at most every ``interval_s``
seconds, and one for every answer that makes the client wait or retry, e.g.::

    12:00:03 Demo Athlete: cycle: 300 records, waiting 42 s for WHOOP's rate limit (429)

The wait of a 429 is read from the process-wide request budget the client shares
(:func:`whoop.client.budget_for`: the ``X-RateLimit-Reset`` WHOOP sent).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from whoop.client import RateBudget
from whoop.sync.engine import Progress

if TYPE_CHECKING:
    from tqdm import tqdm

_RETRIED = {429: "WHOOP's rate limit (429)"}


class SyncReporter:
    """Progress of one ``sync`` command (one or several athletes) on ``stream``.

    Args:
        stream: where to write (the CLI gives stderr, so stdout keeps only the summaries).
        quiet: write nothing (``--quiet``: cron).
        budget: the client's shared request budget, to say how long a 429 makes it wait.
        interval_s: the least time between two page lines off a terminal (seconds).
        clock: a monotonic clock (seconds).

    Use :meth:`start` for each athlete, pass :meth:`progress` as the engine's ``progress`` and
    :meth:`on_request` as the client's ``on_request``, then :meth:`close`.
    """

    def __init__(self, stream: TextIO, *, quiet: bool = False, budget: RateBudget | None = None,
                 interval_s: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream, self.quiet, self.budget = stream, quiet, budget
        self.interval_s, self.clock = interval_s, clock
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.bar: tqdm | None = None
        self.last: Progress | None = None
        self._last_line = float("-inf")

    def start(self, athlete: str) -> None:
        """A new athlete: a fresh bar on a terminal."""
        self.close()
        self.last = Progress(athlete, "profile", 0, 0, 0)
        if self.tty and not self.quiet:
            from tqdm import tqdm

            self.bar = tqdm(total=None, unit=" rec", file=self.stream)

    def close(self) -> None:
        """Remove the bar, if any."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def _line(self, text: str) -> None:
        if self.quiet:
            return
        line = f"{time.strftime('%H:%M:%S')} {text}"
        if self.bar is not None:
            self.bar.write(line, file=self.stream)
        else:
            print(line, file=self.stream, flush=True)
        self._last_line = self.clock()

    def progress(self, p: Progress) -> None:
        """The engine's progress callback: a bar update, or a line off a terminal."""
        self.last = p
        if self.bar is not None:
            self.bar.set_description(f"{p.athlete}: {p.collection} page {p.pages}")
            self.bar.n = p.records
            self.bar.set_postfix(requests=p.requests)
            self.bar.refresh()
            return
        if p.done:
            self._line(f"{p.athlete}: {p.collection} done, {p.records} records in {p.pages} pages")
        elif p.pages and self.clock() - self._last_line >= self.interval_s:
            self._line(f"{p.athlete}: {p.collection} page {p.pages}, {p.records} records, "
                       f"{p.requests} requests")

    def on_request(self, method: str, path: str, status: int | None) -> None:
        """The client's ``on_request`` callback: a line for every answer it will wait on or retry
        (429, 5xx, no answer at all); nothing for the others."""
        if status is not None and status < 500 and status != 429:
            return
        p = self.last or Progress("?", "profile", 0, 0, 0)
        where = f"{p.athlete}: " + (p.collection if p.collection == "profile" else
                                    f"{p.collection}: {p.records} records")
        if status == 429:
            wait = self.budget.not_before - self.clock() if self.budget is not None else 0.0
            pause = f"waiting {wait:.0f} s" if wait > 0.5 else "waiting"
            self._line(f"{where}, {pause} for {_RETRIED[429]}")
        elif status is None:
            self._line(f"{where}, no answer from WHOOP (timeout or dropped connection): retrying")
        else:
            self._line(f"{where}, WHOOP answered {status}: retrying with backoff")
