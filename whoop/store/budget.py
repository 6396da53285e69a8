"""The WHOOP request budget kept in the database, so every process of a deployment (workers, the
CLI, the app) spends from one budget per WHOOP app.

WHOOP limits each app (client id) to 100 requests per minute and 10,000 per day, over all its
users and processes; a request over a limit gets 429 (WHOOP developer docs, "Rate limiting":
https://developer.whoop.com/docs/developing/rate-limiting; docs/WHOOP.md). One row of
``request_budget`` (migration 0004) per app holds:

* minute: requests are spaced at least ``minute_s / minute_budget`` seconds apart (``next_at``),
  so any span of ``minute_s`` seconds holds at most ``minute_budget + 1`` requests whatever the
  phase of WHOOP's own window (a fixed window that opens at the app's first request; a burst
  budget with fixed windows of our own could put two windows' worth inside one of WHOOP's);
* day: at most ``day_budget`` requests per day window (``day_start``, ``day_used``), a window of
  ``1440 * minute_s`` seconds that opens at the first request after the previous one closed;
* WHOOP's own word: ``not_before``, set by :meth:`BudgetMixin.pause_requests` when a reply says
  ``X-RateLimit-Remaining: 0`` (no request before its ``X-RateLimit-Reset``).

:meth:`BudgetMixin.take_request` takes one request, or says how long to wait, in ONE statement
(``INSERT ... ON CONFLICT (app) DO UPDATE ... RETURNING``): every new value is computed from the
row it replaces, and PostgreSQL applies ``ON CONFLICT DO UPDATE`` to the latest version of the row
under its row lock (https://www.postgresql.org/docs/current/sql-insert.html#SQL-ON-CONFLICT), so
concurrent takers in any number of processes are serialized by the row and never overspend.
Instants are epoch seconds of the database's clock (PostgreSQL: ``statement_timestamp()``), one
clock for every host. On DuckDB (one process) the same statement runs under the store's
in-process write lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from whoop.errors import StoreError
from whoop.store.backend import DUCKDB, db_errors
from whoop.store.base import _THREAD, StoreBase

#: The database clock as epoch seconds (DOUBLE PRECISION), one value within a statement.
_NOW = {"duckdb": "epoch(now())",
        "postgresql": "CAST(extract(epoch FROM statement_timestamp()) AS DOUBLE PRECISION)"}


@dataclass(frozen=True)
class BudgetTake:
    """The outcome of :meth:`BudgetMixin.take_request`.

    Attributes:
        granted: True when one request was taken (send it now).
        wait_s: 0 when granted; else the seconds until a request may be taken (nothing taken).
        reason: None when granted; else ``minute`` (spacing), ``day`` (the day's budget is
            spent) or ``whoop`` (WHOOP asked for a pause).
        day_used: requests taken in the current day window (after this take).
    """

    granted: bool
    wait_s: float
    reason: str | None
    day_used: int


def _take_sql(dialect: str, spacing_s: float, day_s: float, day_budget: int) -> str:
    n, b = _NOW[dialect], "request_budget"
    spacing, day, limit = repr(float(spacing_s)), repr(float(day_s)), str(int(day_budget))
    rolled = f"({n} >= {b}.day_start + {day})"
    used = f"(CASE WHEN {rolled} THEN 0 ELSE {b}.day_used END)"
    start = f"(CASE WHEN {rolled} THEN {n} ELSE {b}.day_start END)"
    ok = f"({b}.next_at <= {n} AND {b}.not_before <= {n} AND {used} < {limit})"
    day_wait = f"(CASE WHEN {used} >= {limit} THEN {start} + {day} - {n} ELSE 0 END)"
    return (
        f"INSERT INTO {b} (app, next_at, day_start, day_used, not_before, granted, wait_s, reason, taken) "
        f"VALUES (?, {n} + {spacing}, {n}, 1, 0, TRUE, 0, NULL, 1) "
        f"ON CONFLICT (app) DO UPDATE SET "
        f"next_at = CASE WHEN {ok} THEN {n} + {spacing} ELSE {b}.next_at END, "
        f"day_start = {start}, "
        f"day_used = {used} + CASE WHEN {ok} THEN 1 ELSE 0 END, "
        f"granted = {ok}, "
        f"wait_s = CASE WHEN {ok} THEN 0 ELSE greatest({b}.next_at - {n}, {b}.not_before - {n}, "
        f"{day_wait}, 0) END, "
        f"reason = CASE WHEN {ok} THEN NULL WHEN {used} >= {limit} THEN 'day' "
        f"WHEN {b}.not_before > {n} THEN 'whoop' ELSE 'minute' END, "
        f"taken = {b}.taken + CASE WHEN {ok} THEN 1 ELSE 0 END "
        f"RETURNING granted, wait_s, reason, day_used")


class BudgetMixin(StoreBase):
    """The shared WHOOP request budget of :class:`whoop.store.Store` (see the module docstring)."""

    @contextmanager
    def _budget_connection(self) -> Iterator:
        """A connection for one budget statement outside any open transaction (a take inside a
        transaction would hold the app's row lock, and so stop every other process's requests,
        until that transaction ends)."""
        if self.dialect == DUCKDB:
            with self._lock, self.connect() as con:
                yield con
            return
        held = getattr(_THREAD, "cons", {}).get(self.location)
        if held is not None and held[2]:
            con = self._open_postgres()
            try:
                yield con
            finally:
                con.close()
            return
        with self.connect() as con:
            yield con

    def take_request(self, app: str, *, minute_budget: int = 95, minute_s: float = 60.0,
                     day_budget: int = 9_900) -> BudgetTake:
        """Take one request from ``app``'s budget, or say how long to wait (nothing taken then).

        Args:
            app: the WHOOP app, e.g. ``"https://api.prod.whoop.com sandbox-client"`` (no secret).
            minute_budget: requests per ``minute_s`` seconds (WHOOP allows 100 per 60 s).
            minute_s: the minute window, seconds (60; the sandbox compresses it for tests).
            day_budget: requests per day window of ``1440 * minute_s`` seconds (WHOOP: 10,000).

        Returns:
            :class:`BudgetTake`. Race-free across processes and threads (module docstring).
        Raises:
            StoreError: the database cannot be reached or written.
        """
        sql = _take_sql(self.dialect, minute_s / max(1, minute_budget), minute_s * 1440, day_budget)
        try:
            with self._budget_connection() as con:
                granted, wait_s, reason, day_used = con.execute(sql, [app]).fetchone()
        except db_errors() as exc:
            raise StoreError(f"cannot take a WHOOP request from the budget in {self.display}: "
                             f"{str(exc).strip().splitlines()[0]}") from None
        return BudgetTake(bool(granted), max(0.0, float(wait_s)), reason, int(day_used))

    def pause_requests(self, app: str, seconds: float) -> None:
        """WHOOP said ``X-RateLimit-Remaining: 0``: no process takes a request for ``app`` in the
        next ``seconds`` seconds (a later pause already set is kept).

        Raises:
            StoreError: the database cannot be reached or written.
        """
        n = _NOW[self.dialect]
        try:
            with self._budget_connection() as con:
                con.execute(f"UPDATE request_budget SET not_before = greatest(not_before, {n} + ?) "
                            f"WHERE app = ?", [float(seconds), app])
        except db_errors() as exc:
            raise StoreError(f"cannot record WHOOP's pause in {self.display}: "
                             f"{str(exc).strip().splitlines()[0]}") from None

    def request_budget(self, app: str) -> dict | None:
        """``app``'s budget row: ``{"taken", "day_used", "day_start", "next_at", "not_before"}``
        (instants in epoch seconds of the database clock), or None before its first take."""
        with self.connect() as con:
            row = con.execute("SELECT taken, day_used, day_start, next_at, not_before FROM request_budget "
                              "WHERE app = ?", [app]).fetchone()
        if row is None:
            return None
        return dict(zip(("taken", "day_used", "day_start", "next_at", "not_before"), row, strict=False))
