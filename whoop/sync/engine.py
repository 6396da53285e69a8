"""The sync engine (one for the Data page, the background scheduler and the CLI).

Per athlete: profile and body measurement (on the first sync, on ``full``, then once a day),
then the collections cycle -> sleep -> recovery -> workout (cycles first: sleeps and recoveries
are keyed through their cycle's start). Collection endpoints only, ``limit=25`` pages.

Windows: the first sync of a collection reads all history (or ``since``); later syncs read from
the collection's watermark (newest record start of the last complete pass) minus ``overlap_days``
(default 7), moved back to the oldest record still ``PENDING_SCORE`` (up to
``pending_lookback_days``) so pending scores are checked again.

Every page is ONE transaction: its records, its keys in ``sync_seen`` and the pass cursor, so a
run killed at any point leaves consistent data; the next run resumes the unfinished pass below
its cursor (``end`` = cursor + 1 s), so nothing is fetched twice and nothing is skipped.

Days: a run remembers the window of instants its changes touched (records inserted or updated
by a page, not the ones the overlap window fetched again unchanged, and records deleted at a
close; their keys and cycle starts, before and after) and rebuilds the days of that window ONCE,
in the closing transaction of its last collection (``Store.rebuild_days(con, athlete, since,
until)``, which rewrites only the days that change); a run that changed nothing rebuilds
nothing. After a failed run the window of its committed pages is rebuilt, and a run that starts
after one that died or failed rebuilds the athlete's whole table, so pages always show the
records the database holds.

One connection per run: the run is one unit of work of the store (``Store.unit_of_work``), so
its pages, reads and bookkeeping share one connection instead of opening the database for each.
On DuckDB, whose file one process at a time may hold, the connection is closed while the run
waits for WHOOP (each request, its retries and rate-limit pauses) and opened again for the
page, so the app and other processes can use the file meanwhile (:class:`RunConnection`).

Deletions: when a pass completes, records of the window (key >= window start) that came from the
API but were not returned are removed: ``api`` rows are deleted; ``api+export`` rows go back to
``export`` provenance and are kept (the export still lists them; their values stay the last ones
the API gave, since an API merge overwrote the export's).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd

from whoop import schema
from whoop.client import WhoopClient
from whoop.config import WhoopSettings
from whoop.errors import AuthError, SyncRunningError, WhoopError
from whoop.metrics.units import missing
from whoop.store import LockTimeout, Store, utcnow
from whoop.sync import state
from whoop.sync.changes import DayWindow, frame_of, frame_span, stored_span
from whoop.tokens import TokenStore

if TYPE_CHECKING:
    from filelock import FileLock

    from whoop.store.backend import Connection
    from whoop.store.base import AdvisoryLock

log = logging.getLogger(__name__)

ORDER = ("cycle", "sleep", "recovery", "workout")
TABLE = {"cycle": "cycles", "sleep": "sleeps", "recovery": "recoveries", "workout": "workouts"}
PROFILE_EVERY = timedelta(hours=24)


@dataclass
class SyncOptions:
    """What to sync. ``full``: all history again; ``since``: window start for a new pass (UTC);
    ``types``: collections (subset of ORDER)."""

    full: bool = False
    since: datetime | None = None
    types: tuple[str, ...] = ORDER
    overlap_days: int = 7
    pending_lookback_days: int = 30


@dataclass
class Progress:
    """Live progress for ``st.status``/tqdm: the collection, pages and records so far, requests."""

    athlete: str
    collection: str
    pages: int
    records: int
    requests: int
    done: bool = False


@dataclass
class SyncResult:
    """One athlete's sync: ``counts[collection] = {"inserted", "updated", "unchanged", "deleted",
    "skipped"}``."""

    run_id: int
    athlete_id: int
    athlete: str
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    requests: int = 0
    seconds: float = 0.0
    status: str = "ok"

    def summary(self) -> str:
        """One line: ``athlete 'x': cycles 90 (90 new), ...; 17 requests in 2.1 s``."""
        parts = []
        for coll, c in self.counts.items():
            n = c["inserted"] + c["updated"] + c.get("unchanged", 0)
            bits = [f"{c['inserted']} new"] + ([f"{c['deleted']} deleted"] if c.get("deleted") else [])
            parts.append(f"{TABLE[coll]} {n} ({', '.join(bits)})")
        return (f"athlete '{self.athlete}': " + (", ".join(parts) or "nothing") +
                f"; {self.requests} requests in {self.seconds:.1f} s")


def _py(ts: Any) -> datetime | None:
    """A frame cell as a ``datetime`` (None for None, NaN, NaT)."""
    return None if missing(ts) else pd.Timestamp(ts).to_pydatetime()


class RunConnection:
    """The connection of one sync run (``Store.unit_of_work`` on this thread), held from
    ``with`` to its end; :meth:`released` and :meth:`fetching` close it while the run waits for
    WHOOP when the store is a DuckDB file (other processes need the file between two pages),
    and open it again after. On PostgreSQL it stays open for the whole run."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._unit: AbstractContextManager[None] | None = None
        self.release = store.dialect == "duckdb"

    def __enter__(self) -> RunConnection:
        self._open()
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()

    def _open(self) -> None:
        if self._unit is None:
            unit = self.store.unit_of_work()
            unit.__enter__()
            self._unit = unit

    def _close(self) -> None:
        unit, self._unit = self._unit, None
        if unit is not None:
            unit.__exit__(None, None, None)

    @contextmanager
    def released(self) -> Iterator[None]:
        """Outside any transaction: the connection closed (DuckDB) for the block."""
        held = self.release and self._unit is not None
        if held:
            self._close()
        try:
            yield
        finally:
            if held:
                self._open()

    def fetching(self, pages: Iterator[tuple[list[dict], str | None]]
                 ) -> Iterator[tuple[list[dict], str | None]]:
        """``pages`` (``WhoopClient.pages``: ``(records, next_token)``) with the connection
        released while each page is fetched (not after the last page: that asks WHOOP nothing)."""
        while True:
            with self.released():
                item = next(pages, None)
            if item is None:
                return
            yield item
            if item[1] is None:
                return


class _Run:
    def __init__(self, store: Store, settings: WhoopSettings, athlete_id: int, name: str,
                 options: SyncOptions, progress: Callable[[Progress], None] | None, client_kw: dict,
                 con: RunConnection) -> None:
        self.store, self.settings, self.aid, self.name = store, settings, athlete_id, name
        self.opt, self.progress = options, progress
        self.tokens = TokenStore(store, settings)
        # the database's request budget on PostgreSQL, shared with workers and the app (whoop.store.budget)
        self.client = WhoopClient(settings.base_url, self._token, client_id=settings.client_id,
                                  **{"budget_store": store, **client_kw})
        self.con = con
        self.run_id = 0
        self.counts: dict[str, dict[str, int]] = {}
        self.window = DayWindow()               # earliest and latest instant changes touched

    def touched(self, *instants: Any) -> None:
        """Widen the window of changed instants (UTC) to hold ``instants`` (None, NaT ignored)."""
        self.window.touch(*instants)

    def rebuild_days(self, con: Connection) -> None:
        """Rebuild the days of the changed window (nothing when nothing changed)."""
        self.window.rebuild(con, self.aid)

    def _token(self, force: bool = False, stale: str | None = None) -> str:
        return self.tokens.access_token(self.aid, force=force, stale=stale)

    def _emit(self, coll: str, pages: int, records: int, done: bool = False) -> None:
        if self.progress:
            self.progress(Progress(self.name, coll, pages, records, self.client.requests, done))

    # -- profile ---------------------------------------------------------------------------
    def profile(self) -> None:
        last = self.store.profile_synced_at(self.aid)
        if not self.opt.full and last is not None and utcnow() - last < PROFILE_EVERY:
            return
        with self.con.released():
            prof = self.client.profile()
            body = self.client.body_measurement()
        self.store.save_profile(self.aid, prof.get("first_name"), prof.get("last_name"), prof.get("email"),
                                pd.Series([body]).to_json(orient="records")[1:-1] if body else None)

    # -- collections -----------------------------------------------------------------------
    def _window_start(self, coll: str, st: dict) -> datetime | None:
        if self.opt.full:
            return None
        if self.opt.since is not None:
            return self.opt.since
        wm = st.get("watermark_utc")
        if wm is None:
            return None
        start = wm - timedelta(days=self.opt.overlap_days)
        pending = self.store.oldest_pending(TABLE[coll], self.aid,
                                            wm - timedelta(days=self.opt.pending_lookback_days))
        return min(start, pending) if pending is not None else start

    def _frame(self, coll: str, records: list[dict]) -> tuple[pd.DataFrame, int]:
        return frame_of(self.store, self.aid, coll, records, f"sync run {self.run_id}")

    def collection(self, coll: str, last: bool = True) -> None:
        table = TABLE[coll]
        key = schema.KEYS[table][0]
        c = self.counts.setdefault(coll, {"inserted": 0, "updated": 0, "unchanged": 0, "deleted": 0,
                                          "skipped": 0})
        st = state.get_state(self.store, self.aid, coll)
        explicit = self.opt.full or self.opt.since is not None
        if st.get("pass_started_at") is not None and not explicit:
            p = state.Pass(coll, st["pass_start_utc"], st["pass_cursor_utc"], st["pass_max_utc"], True)
        else:
            p = state.begin_pass(self.store, self.aid, coll, self._window_start(coll, st))
        end = p.cursor + timedelta(seconds=1) if p.cursor is not None else None
        pages = records = 0
        self._emit(coll, pages, records)
        for recs, _nxt in self.con.fetching(self.client.pages(coll, start=p.start, end=end)):
            frame, skipped = self._frame(coll, recs)
            with self.store.transaction() as con:
                keys = [_py(k) for k in frame[key]]
                before = stored_span(con, table, self.aid, keys)
                got = Store.upsert(con, table, self.aid, frame, self.run_id)
                if got["inserted"] or got["updated"]:
                    self.touched(*before, *frame_span(frame, key))
                if keys:
                    page_keys = [k for k in keys if k is not None]  # all: upsert refuses a missing key
                    Store.record_sync_page(con, self.aid, coll, page_keys, min(page_keys), max(page_keys))
                c["inserted"] += got["inserted"]
                c["updated"] += got["updated"]
                c["unchanged"] += got["unchanged"]
                c["skipped"] += skipped
                Store.sync_progress(con, self.run_id, self.counts, self.client.requests)
            pages += 1
            records += len(recs)
            self._emit(coll, pages, records)
        with self.store.transaction() as con:
            window = Store.touched_span(con, table, self.aid, since=_py(p.start))
            deleted = Store.reconcile_unseen(con, table, self.aid, coll, p.start)
            if deleted:
                self.touched(*window)
            c["deleted"] += deleted
            Store.end_sync_pass(con, self.aid, coll)
            if last:                                # days agree with the records at the end
                self.rebuild_days(con)
        self._emit(coll, pages, records, done=True)


def athlete_lock(store: Store, athlete_id: int) -> FileLock | AdvisoryLock:
    """The lock between processes that lets one sync per athlete and database run at a time
    (:meth:`whoop.store.Store.lock`: a file lock beside a DuckDB file, an advisory lock on
    PostgreSQL)."""
    return store.lock(f"sync-{athlete_id}")


def sync_athlete(store: Store, settings: WhoopSettings, athlete_id: int, options: SyncOptions | None = None,
                 *, progress: Callable[[Progress], None] | None = None, lock_timeout_s: float = 0.0,
                 client_kw: dict | None = None) -> SyncResult:
    """Sync one connected athlete (see the module docstring).

    Returns the run's SyncResult. Raises (after recording the run as failed):
        WhoopError subclasses: ReconnectNeeded or any AuthError with ``reconnect`` (connection
        marked ``reconnect_needed``), RateLimitError / NetworkError
        (say when to retry), DatabaseBusyError; SyncRunningError when another
        process syncs this athlete.
    """
    options = options or SyncOptions()
    with RunConnection(store) as con:   # one connection for the whole run
        name = store.athlete_name(athlete_id) or str(athlete_id)
        lock = athlete_lock(store, athlete_id)
        try:
            lock.acquire(timeout=lock_timeout_s)
        except LockTimeout:
            raise SyncRunningError(f"a sync of athlete '{name}' is already running; "
                                   "try again when it ends") from None
        try:
            return _sync(store, settings, athlete_id, name, options, progress, client_kw, con)
        finally:
            lock.release()


def _sync(store: Store, settings: WhoopSettings, athlete_id: int, name: str, options: SyncOptions,
          progress: Callable[[Progress], None] | None, client_kw: dict | None,
          con: RunConnection) -> SyncResult:
    """The run of :func:`sync_athlete`, its lock held and its connection open."""
    run = _Run(store, settings, athlete_id, name, options, progress, client_kw or {}, con)
    t0 = time.monotonic()
    run.run_id = state.start_run(store, athlete_id, settings.base_url)
    result = SyncResult(run.run_id, athlete_id, name)
    colls = [coll for coll in ORDER if coll in options.types]
    try:
        run.profile()
        for coll in colls:
            run.collection(coll, last=coll == colls[-1])
    except BaseException as exc:
        status = "interrupted" if isinstance(exc, (KeyboardInterrupt, SystemExit)) else "failed"
        msg = str(exc) if isinstance(exc, WhoopError) else f"{exc.__class__.__name__}"
        try:
            with store.transaction() as tcon:   # pages committed before the failure get their days
                run.rebuild_days(tcon)
        except WhoopError:
            log.warning("could not rebuild the days after sync run %s", run.run_id)
        try:
            state.finish_run(store, run.run_id, status, run.counts, run.client.requests, msg[:500],
                             retry_after_s=getattr(exc, "retry_after_s", None))
        except WhoopError:
            log.warning("could not record the end of sync run %s now; it is written by the next "
                        "sync", run.run_id)
        if isinstance(exc, AuthError) and exc.reconnect:
            try:    # a 401 after a refresh, a dead refresh token, undecryptable tokens
                run.tokens.set_status(athlete_id, "reconnect_needed", msg[:500])
            except WhoopError:
                log.warning("could not mark athlete %s 'reconnect needed'", athlete_id)
        raise
    finally:
        run.client.close()
    result.counts, result.requests = run.counts, run.client.requests
    result.seconds = time.monotonic() - t0
    state.finish_run(store, run.run_id, "ok", run.counts, run.client.requests)
    return result


def connected_athletes(store: Store) -> list[int]:
    """Ids of athletes with a live connection (status ``connected`` and a token pair)."""
    return store.connected_athlete_ids()
