"""The team deployment's sync process (``python -m whoop worker``): sync due athletes on a
schedule, any number of workers against one PostgreSQL.

Each pass: count the connected athletes, work out the sync interval the daily request budget
allows for the roster (:func:`poll_interval`), then sync, one after the other, first the
athletes with a pending **Sync now** request (:func:`whoop.sync.requests.requested_athletes`),
then those :func:`whoop.sync.state.due_athletes` names (Connected and last good sync older than
the interval, or Error whose retry time has come; the rules of the app's in-process scheduler),
each group in a random order so that workers started together rarely reach for the same
athlete. Passes run every ``poll_s`` seconds; in between, the worker looks for new Sync now
requests every ``request_poll_s`` seconds and runs a pass at once when there is one.

Claiming: an athlete is claimed with its sync lock (:func:`whoop.sync.engine.athlete_lock`: a
PostgreSQL session advisory lock, released by the server if the worker dies), taken without
waiting (``sync_athlete(..., lock_timeout_s=0)``); when another worker or a CLI ``sync`` holds
it, this worker skips the athlete. Just before claiming, the athlete's status is read again, so
one that another process synced or is syncing since the pass began is skipped too. No lock
file, no queue table: the database's own locks.

Budget: every WHOOP request is taken from the app's budget in the database
(:mod:`whoop.store.budget`), shared with the other workers, the CLI and the app.

Webhooks: each pass first applies the queued WHOOP webhooks (:mod:`whoop.webhooks`, received by
:mod:`whoop.webhook_server` in the worker's process or another's) with fetches by id
(:func:`whoop.sync.targeted.apply_webhooks`); a new delivery wakes the worker
(:meth:`Worker.wake`), so it is applied within about a second. With webhooks received, the
scheduled syncs become a reconciliation poll: every ``reconcile_s`` at least (WHOOP sends no
webhooks for cycles and Day Strain, and deliveries can be missed).

Stopping: :meth:`Worker.stop` (SIGTERM, Ctrl-C in the CLI) lets the running sync finish and stops
before the next athlete.
"""

from __future__ import annotations

import contextlib
import logging
import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from whoop.config import WhoopSettings
from whoop.errors import ConfigError, SyncRunningError, WhoopError
from whoop.store import Store, utcnow
from whoop.sync import SyncOptions, SyncResult, due_athletes, sync_athlete, sync_status
from whoop.sync.requests import pending_request, requested_athletes
from whoop.sync.targeted import WebhookBatch, apply_webhooks

log = logging.getLogger(__name__)

#: WHOOP's daily request limit per app (WHOOP developer docs, "Rate limiting":
#: https://developer.whoop.com/docs/developing/rate-limiting; docs/WHOOP.md).
DAY_LIMIT = 10_000
#: Share of the daily limit planned for scheduled incremental syncs; the rest (1,000 requests a
#: day) is left for first syncs (backfills) of new athletes, retries and manual syncs.
SAFETY = 0.9
#: Requests of one incremental sync: one page of each of the 4 collections (cycle, sleep,
#: recovery, workout); the 7-day overlap window holds about 8 cycles, 8 recoveries, 8-12 sleeps
#: (naps included) and 0-20 workouts, under the 25 records of one page. Measured against the
#: sandbox (bench/bench_roster.py): 4.00 requests per incremental sync.
REQUESTS_PER_SYNC = 4
#: Requests a day per athlete on top of the syncs: the profile and body measurement, read once
#: every 24 h (whoop.sync.engine.PROFILE_EVERY).
REQUESTS_PER_DAY = 2


def poll_interval(athletes: int, *, minimum_s: float = 3600.0, requests_per_sync: float = REQUESTS_PER_SYNC,
                  requests_per_day: float = REQUESTS_PER_DAY, day_limit: int = DAY_LIMIT,
                  safety: float = SAFETY, day_s: float = 86_400.0) -> float:
    """The sync interval (seconds) that keeps a roster of ``athletes`` within WHOOP's daily limit.

    Every athlete is synced once per interval ``I`` and its profile read once a day, so a day
    costs ``athletes * (requests_per_sync * day_s / I + requests_per_day)`` requests; that must
    stay under ``safety * day_limit``::

        I = max(minimum_s, day_s * athletes * requests_per_sync
                           / (safety * day_limit - athletes * requests_per_day))

    With the defaults (4 requests per sync, 2 a day, 10,000 a day, safety 0.9): up to 91
    athletes -> the 1-hour minimum; 100 -> 3,927 s (66 min; 9,000 requests a day), 200 -> 8,037 s
    (2.2 h), 500 -> 21,600 s (6 h), 1,000 -> 49,371 s (13.7 h). The minute limit (100 a minute)
    never binds first: 9,000 requests a day are 6.25 a minute on average, and a whole roster
    falling due at once is spread by the budget's spacing (95 a minute).

    Args:
        athletes: connected athletes (>= 0).
        minimum_s: the configured least interval (``WHOOP_SYNC_MAX_AGE_MIN``, 60 min).
        requests_per_sync, requests_per_day: see :data:`REQUESTS_PER_SYNC`, :data:`REQUESTS_PER_DAY`.
        day_limit, safety: WHOOP's daily limit and the share of it planned for syncs.
        day_s: the day's length in seconds (86,400; ``1440 * minute window`` on a compressed
            sandbox clock).

    Raises:
        ConfigError: the roster's daily profile reads alone exceed the planned budget
            (more than 4,500 athletes with the defaults).
    """
    planned = safety * day_limit - athletes * requests_per_day
    if planned <= 0:
        raise ConfigError(f"{athletes} connected athletes need more than WHOOP's {day_limit} requests a "
                          f"day for their profiles alone: register a second WHOOP app for part of them")
    return max(float(minimum_s), day_s * athletes * requests_per_sync / planned)


@dataclass
class WorkerOptions:
    """How a worker runs.

    Attributes:
        poll_s: seconds between two looks for due athletes.
        request_poll_s: seconds between two looks for Sync now requests (between passes).
        min_interval_s: the least sync interval per athlete (``WHOOP_SYNC_MAX_AGE_MIN``).
        rate_window_s: WHOOP's minute window in seconds (60; ``WHOOP_RATE_WINDOW_S`` compresses
            it, and the day, 1440 windows, with it, for the sandbox: whoop.client.rate_window_s).
        sync: what each sync reads (:class:`whoop.sync.SyncOptions`).
        reconcile_s: with webhooks received, the least interval of the reconciliation poll
            (seconds; WHOOP sends no webhooks for cycles, and deliveries can be missed); None:
            no webhooks, the budget's interval alone (:func:`poll_interval`).
        settle_s: after a webhook woke the worker, how long it waits for the rest of a burst
            of deliveries before the pass (seconds).
    """

    poll_s: float = 60.0
    request_poll_s: float = 5.0
    min_interval_s: float = 3600.0
    rate_window_s: float = 60.0
    sync: SyncOptions = field(default_factory=SyncOptions)
    reconcile_s: float | None = None
    settle_s: float = 0.2


@dataclass
class PassResult:
    """One pass: webhook batches applied, athletes synced (results), failed (athlete name,
    message), skipped (ids another process held or had just synced), and the interval used
    (seconds)."""

    webhooks: list[WebhookBatch] = field(default_factory=list)
    synced: list[SyncResult] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    interval_s: float = 0.0


class Worker:
    """Sync due athletes of one database (see the module docstring).

    Args:
        store: the database (PostgreSQL for several workers; DuckDB works for one).
        settings: the WHOOP app (``whoop.config.whoop_settings().require()``).
        options: :class:`WorkerOptions`.
        say: called with each line for people (a sync's summary); errors go to ``warn``.
        warn: called with each error line.
    """

    def __init__(self, store: Store, settings: WhoopSettings, options: WorkerOptions | None = None, *,
                 say: Callable[[str], None] = print, warn: Callable[[str], None] = print) -> None:
        self.store, self.settings = store, settings
        self.options = options or WorkerOptions()
        self.say, self.warn = say, warn
        self._stop = threading.Event()
        self._wake = threading.Event()

    def stop(self) -> None:
        """Stop after the running sync (between athletes); wakes a waiting worker."""
        self._stop.set()
        self._wake.set()

    def wake(self) -> None:
        """Start the next pass now (a webhook delivery was queued); safe from any thread."""
        self._wake.set()

    @property
    def stopping(self) -> bool:
        """True once :meth:`stop` was called."""
        return self._stop.is_set()

    def interval_s(self) -> float:
        """The sync interval for the current roster (:func:`poll_interval`), seconds."""
        athletes = len(self.store.connected_athlete_ids())
        interval = poll_interval(athletes, minimum_s=self.options.min_interval_s,
                                 day_s=1440 * self.options.rate_window_s)
        return max(interval, self.options.reconcile_s or 0.0)

    def apply_webhooks(self, out: PassResult) -> None:
        """Apply the queued webhooks of every athlete that has some, oldest delivery first
        (:func:`whoop.sync.targeted.apply_webhooks`); an athlete another process holds keeps
        its deliveries for the next pass. Appends the batches to ``out``; a failed athlete is
        reported through ``warn`` and in ``out.failed``."""
        for aid in self.store.athletes_with_webhooks():
            if self.stopping:
                return
            name = self.store.athlete_name(aid) or str(aid)
            try:
                batch = apply_webhooks(self.store, self.settings, aid,
                                       client_kw={"minute_s": self.options.rate_window_s})
            except WhoopError as exc:
                out.failed.append((name, str(exc)))
                self.warn(f"error: athlete '{name}': webhooks: {exc}")
                continue
            if batch is None or not batch.outcomes:
                continue
            out.webhooks.append(batch)
            done = list(batch.outcomes.values())
            kinds = ", ".join(f"{done.count(o)} {o}" for o in dict.fromkeys(done))
            self.say(f"{time.strftime('%H:%M:%S')} athlete '{name}': webhooks {kinds}; "
                     f"{batch.requests} requests")

    def _still_due(self, athlete_id: int, max_age: timedelta | None) -> bool:
        """Read again just before claiming: a requested athlete (``max_age`` None) whose request
        no run has answered yet, or a due one no other process has synced or is syncing since."""
        if max_age is None:
            return pending_request(self.store, athlete_id) is not None
        st = sync_status(self.store, athlete_id, max_age)
        return st.state in ("Connected", "Error") and (st.next_sync_at is None or st.next_sync_at <= utcnow())

    def sync_one(self, athlete_id: int, max_age: timedelta | None) -> SyncResult | None:
        """Claim and sync one athlete, due for ``max_age`` (None: a Sync now request); None when
        it is no longer due or requested, or another process holds it.

        Raises:
            WhoopError: the sync failed (recorded as a failed run by the engine); never
                SyncRunningError (another process holds the athlete: None).
        """
        client_kw = {"budget_store": self.store, "minute_s": self.options.rate_window_s}
        try:
            with self._reading():           # PostgreSQL: one connection for the check and the sync
                if not self._still_due(athlete_id, max_age):
                    return None
                return sync_athlete(self.store, self.settings, athlete_id, self.options.sync,
                                    lock_timeout_s=0, client_kw=client_kw)
        except SyncRunningError:
            return None                                  # claimed by another worker or the CLI

    def run_once(self) -> PassResult:
        """One pass over the due athletes (see the module docstring); a failed athlete is reported
        through ``warn`` and does not stop the pass.

        Raises:
            StoreError, DatabaseBusyError: the database cannot be read; ConfigError: the roster
            is too large for the daily budget (:func:`poll_interval`).
        """
        out = PassResult()
        self.apply_webhooks(out)
        with self._reading():
            out.interval_s = self.interval_s()
            max_age = timedelta(seconds=out.interval_s)
            requested = requested_athletes(self.store)
            due = [aid for aid in due_athletes(self.store, max_age) if aid not in requested]
        random.shuffle(requested)
        random.shuffle(due)
        for aid, age in [(aid, None) for aid in requested] + [(aid, max_age) for aid in due]:
            if self.stopping:
                break
            name = self.store.athlete_name(aid) or str(aid)
            try:
                result = self.sync_one(aid, age)
            except WhoopError as exc:
                out.failed.append((name, str(exc)))
                self.warn(f"error: athlete '{name}': {exc}")
                continue
            if result is None:
                out.skipped.append(aid)
                log.info("athlete %s: skipped (synced or being synced by another process)", aid)
                continue
            out.synced.append(result)
            self.say(f"{time.strftime('%H:%M:%S')} {result.summary()}")
        return out

    def send_alerts(self) -> None:
        """After a pass: new alert notices and the digests due now
        (:func:`whoop.alert_jobs.run_alerts`); a failure is reported through ``warn`` and never
        stops the worker."""
        from whoop.alert_jobs import run_alerts

        try:
            run_alerts(self.store, say=self.say, warn=self.warn)
        except Exception as exc:            # alerts must never stop the syncs
            log.info("alerts failed", exc_info=True)
            self.warn(f"error: alerts: {exc if isinstance(exc, WhoopError) else exc.__class__.__name__}")

    def _reading(self) -> contextlib.AbstractContextManager[None]:
        """One connection for a batch of store calls on PostgreSQL (nothing kept open on DuckDB,
        whose file other processes need between two statements)."""
        if self.store.dialect == "postgresql":
            return self.store.unit_of_work()
        return contextlib.nullcontext()

    def _wait_for_next_pass(self) -> None:
        """Sleep until the next pass: ``poll_s``, cut short by :meth:`stop`, :meth:`wake` or a
        new Sync now request (looked for every ``request_poll_s``)."""
        until = time.monotonic() + self.options.poll_s
        while not self.stopping:
            left = until - time.monotonic()
            if left <= 0:
                return
            if self._wake.wait(min(left, self.options.request_poll_s)):
                self._wake.clear()
                if not self.stopping:
                    time.sleep(self.options.settle_s)   # the rest of a burst of deliveries
                self._wake.clear()
                return
            try:
                with self._reading():
                    if requested_athletes(self.store):
                        return
            except WhoopError as exc:
                log.info("looking for Sync now requests: %s", exc)

    def run(self, *, once: bool = False) -> int:
        """Pass after pass until :meth:`stop` (or one pass when ``once``), ``poll_s`` apart or
        sooner when a Sync now request arrives. Returns the failed syncs of the last pass
        (``once``) or 0. A pass that cannot read the database is reported through ``warn`` and
        tried again at the next poll."""
        failed = 0
        while not self.stopping:
            try:
                result = self.run_once()
                failed = len(result.failed)
            except WhoopError as exc:
                self.warn(f"error: {exc}")
                failed = 1
            self.send_alerts()
            if once:
                return failed
            self._wait_for_next_pass()
        return 0


def describe(store: Store, options: WorkerOptions, athletes: int) -> str:
    """The worker's start line: database, roster, interval and poll, e.g. ``worker 4242 on
    postgresql://app@db/whoop: 100 connected athletes, each synced every 65 min (poll 60 s)``."""
    import os

    try:
        interval = poll_interval(athletes, minimum_s=options.min_interval_s,
                                 day_s=1440 * options.rate_window_s)
        every = f"each synced every {_duration(max(interval, options.reconcile_s or 0.0))}"
        if options.reconcile_s:
            every += " and on its webhooks"
    except ConfigError as exc:
        every = str(exc)
    return (f"worker {os.getpid()} on {store.display}: {athletes} connected athletes, {every} "
            f"(poll {_duration(options.poll_s)})")


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:g} s"
    if seconds < 3 * 3600:
        return f"{math.ceil(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"
