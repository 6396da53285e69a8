"""Webhook-driven fetches: apply an athlete's queued WHOOP webhooks (:mod:`whoop.webhooks`)
by fetching the records they name by id, instead of polling the collections.

WHOOP's webhooks are notifications only (developer docs "Webhooks",
https://developer.whoop.com/docs/developing/webhooks): the payload names a record, the receiver
fetches it. Per delivery, in the order WHOOP signed them:

* ``sleep.updated``: ``GET /v2/activity/sleep/{id}``, then (not for a nap) its cycle's recovery,
  ``GET /v2/cycle/{cycleId}/recovery``;
* ``recovery.updated``: the id is the sleep's: the sleep (as above), then its cycle's recovery;
* ``workout.updated``: ``GET /v2/activity/workout/{id}``;
* a record answered 404 is deleted here (a sleep with its recovery: WHOOP deletes both);
* ``*.deleted``: the record is deleted (``recovery.deleted``: the recovery of that sleep).

A sleep or recovery of a cycle not stored yet (a new day: cycles have no webhooks) first gets
that cycle, ``GET /v2/cycle/{cycleId}``, so the recovery can be keyed by its cycle's start. Each
path is fetched at most once per batch (a rescored sleep sends ``sleep.updated`` and
``recovery.updated``: 2 requests for both).

Records go through the sync engine's mapping and merge (:func:`whoop.sync.changes.frame_of`,
``Store.upsert``); "deleted" follows the close of a sync pass (``api`` rows go, ``api+export``
rows fall back to the export). The fetched batch is written in ONE transaction with the rebuild
of the days it touched (``Store.rebuild_days`` over the changed window, as a sync does) and the
outcome of each delivery (``Store.finish_webhook``): ``applied``, ``deleted``, ``not_found``
(404: the record was deleted here) or ``failed: <reason>``. A crash before the commit leaves the
deliveries queued; applying one again changes nothing.

Failures: a WHOOP error on one delivery (an unreadable record, a 4xx) fails that delivery and the
batch goes on; an authorization failure fails the rest of the batch (the connection is marked
``reconnect_needed`` when reconnecting helps); a rate limit or a network failure leaves that
delivery and the later ones queued for the next pass, unless WHOOP signed it more than
:data:`GIVE_UP_AFTER` ago. The reconciliation poll (:mod:`whoop.worker`) catches up whatever a
failed or missed delivery left behind. The athlete's sync lock is held for the batch, so a sync
and the webhooks of one athlete never interleave; so is one database connection (a batch is a
few requests by id, not the pages of a sync, so it is not released while WHOOP answers).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Literal

from whoop import schema
from whoop.client import WhoopClient
from whoop.config import WhoopSettings
from whoop.errors import ApiError, AuthError, InputError, NetworkError, RateLimitError, WhoopError
from whoop.store import LockTimeout, QueuedEvent, Store, utcnow
from whoop.sync.changes import DayWindow, frame_of, frame_span, stored_span
from whoop.sync.engine import TABLE, athlete_lock
from whoop.tokens import TokenStore

if TYPE_CHECKING:
    from whoop.store.backend import Connection

log = logging.getLogger(__name__)

#: A delivery WHOOP signed longer ago than this is failed, not retried, after a rate limit or a
#: network failure (WHOOP's own retries of a delivery span about an hour).
GIVE_UP_AFTER = timedelta(hours=1)
#: Retry bound of one request of the webhook path (seconds): short, the next pass retries.
MAX_RETRY_S = 30.0

#: ("upsert", collection, record) | ("drop", "table:column", id)
Action = tuple[Literal["upsert"], str, dict] | tuple[Literal["drop"], str, str]


@dataclass
class WebhookBatch:
    """One athlete's applied batch: ``outcomes`` (trace id -> outcome, in order), ``requests``
    made to WHOOP, and ``left`` (deliveries left queued for the next pass)."""

    athlete_id: int
    outcomes: dict[str, str] = field(default_factory=dict)
    requests: int = 0
    left: int = 0


class _Fetcher:
    """One batch's GETs by id: each path at most once; None for a 404."""

    def __init__(self, client: WhoopClient, store: Store, athlete_id: int) -> None:
        self.client, self.store, self.aid = client, store, athlete_id
        self.seen: dict[str, dict | None] = {}
        self.cycles: set[int] = set()         # cycles stored or fetched in this batch

    def get(self, path: str) -> dict | None:
        if path not in self.seen:
            self.seen[path] = self.client.get_json(path)
        return self.seen[path]

    def cycle(self, cycle_id: int | None) -> list[Action]:
        """The cycle's upsert when it is neither stored nor fetched yet."""
        if cycle_id is None or cycle_id in self.cycles:
            return []
        self.cycles.add(cycle_id)
        if self.store.cycle_starts(self.aid, [cycle_id]):
            return []
        rec = self.get(f"/cycle/{int(cycle_id)}")
        return [("upsert", "cycle", rec)] if rec else []

    def recovery(self, sleep: dict) -> list[Action]:
        """The recovery of ``sleep``'s cycle (its upsert, or dropping this sleep's recovery)."""
        rec = self.get(f"/cycle/{int(sleep['cycle_id'])}/recovery")
        if rec is None or rec.get("sleep_id") != sleep.get("id"):
            return [("drop", "recoveries:sleep_whoop_id", sleep["id"])]
        return [("upsert", "recovery", rec)]


def _plan(fetch: _Fetcher, event: QueuedEvent) -> tuple[list[Action], str]:
    """What one delivery changes, and its outcome (fetching what it names)."""
    kind, change = event.event_type.split(".")
    rid = event.record_id
    drop_sleep: list[Action] = [("drop", "sleeps:whoop_id", rid),
                                ("drop", "recoveries:sleep_whoop_id", rid)]
    if change == "deleted":
        deleted: dict[str, list[Action]] = {"sleep": drop_sleep,
                                            "recovery": [("drop", "recoveries:sleep_whoop_id", rid)],
                                            "workout": [("drop", "workouts:whoop_id", rid)]}
        return deleted[kind], "deleted"
    if kind == "workout":
        rec = fetch.get(f"/activity/workout/{rid}")
        return ([("upsert", "workout", rec)], "applied") if rec else \
            ([("drop", "workouts:whoop_id", rid)], "not_found")
    sleep = fetch.get(f"/activity/sleep/{rid}")
    if sleep is None:
        return (drop_sleep if kind == "sleep" else drop_sleep[1:]), "not_found"
    actions = fetch.cycle(sleep.get("cycle_id"))
    if kind == "sleep":
        actions.append(("upsert", "sleep", sleep))
        if not sleep.get("nap") and sleep.get("cycle_id") is not None:
            actions += fetch.recovery(sleep)
        return actions, "applied"
    if sleep.get("cycle_id") is None:
        return [("drop", "recoveries:sleep_whoop_id", rid)], "not_found"
    actions += fetch.recovery(sleep)
    return actions, "applied" if actions[-1][0] == "upsert" else "not_found"


def _apply(store: Store, con: Connection, athlete_id: int, actions: list[Action], ref: str,
           window: DayWindow) -> None:
    """Inside ``con``'s transaction: upsert or drop, widening ``window`` by what changed (the
    store's reads join the transaction, so the batch's cycles are there for its sleeps)."""
    for action in actions:
        if action[0] == "drop":
            what, rid = action[1], action[2]
            table, column = what.split(":")
            _n, touched = Store.drop_api_records(con, table, athlete_id, column, str(rid))
            window.touch(*touched)
            continue
        what, arg = action[1], action[2]
        table = TABLE[what]
        key = schema.KEYS[table][0]
        frame, _skipped = frame_of(store, athlete_id, what, [arg], ref)
        if frame.empty:
            continue
        if table in ("sleeps", "workouts"):      # the start moved: the old row is another key
            _n, touched = Store.drop_api_records(con, table, athlete_id, "whoop_id", str(arg["id"]),
                                                 keep_key=frame[key].iloc[0].to_pydatetime())
            window.touch(*touched)
        before = stored_span(con, table, athlete_id, [frame[key].iloc[0].to_pydatetime()])
        got = Store.upsert(con, table, athlete_id, frame, None)
        if got["inserted"] or got["updated"]:
            window.touch(*before, *frame_span(frame, key))


def apply_webhooks(store: Store, settings: WhoopSettings, athlete_id: int, *,
                   client_kw: dict | None = None, lock_timeout_s: float = 0.0,
                   on_request: Callable[[str, str, int | None], None] | None = None) -> WebhookBatch | None:
    """Apply the athlete's queued webhooks (see the module docstring).

    Args:
        client_kw: extra :class:`whoop.client.WhoopClient` arguments (``minute_s``, a
            transport, ...); the budget is the store's, as for a sync.
        lock_timeout_s: how long to wait for the athlete's sync lock; None is returned when
            another process still holds it (the deliveries stay queued).
        on_request: called after every WHOOP request with (method, path, status).

    Returns: the batch (empty when nothing was queued), or None (lock held elsewhere).

    Raises:
        StoreError, DatabaseBusyError: the database cannot be read or written.
    """
    lock = athlete_lock(store, athlete_id)
    try:
        lock.acquire(timeout=lock_timeout_s)
    except LockTimeout:
        return None
    try:
        with store.unit_of_work():      # one connection for the batch (a few requests by id)
            return _batch(store, settings, athlete_id, client_kw or {}, on_request)
    finally:
        lock.release()


def _batch(store: Store, settings: WhoopSettings, athlete_id: int, client_kw: dict,
           on_request: Callable[[str, str, int | None], None] | None) -> WebhookBatch:
    out = WebhookBatch(athlete_id)
    events = store.queued_webhooks(athlete_id)
    if not events:
        return out
    tokens = TokenStore(store, settings)
    client = WhoopClient(settings.base_url,
                         lambda force=False, stale=None: tokens.access_token(athlete_id, force=force,
                                                                             stale=stale),
                         client_id=settings.client_id, budget_store=store, on_request=on_request,
                         **{"max_retry_s": MAX_RETRY_S, **client_kw})
    fetch = _Fetcher(client, store, athlete_id)
    planned: list[tuple[QueuedEvent, list[Action], str]] = []
    try:
        for i, event in enumerate(events):
            try:
                actions, outcome = _plan(fetch, event)
            except (RateLimitError, NetworkError) as exc:
                if utcnow() - event.signed_at < GIVE_UP_AFTER:
                    out.left = len(events) - i
                    log.info("athlete %s: webhooks left queued (%s)", athlete_id, exc)
                    break
                planned.append((event, [], _failed(exc)))
            except AuthError as exc:
                planned += [(e, [], _failed(exc)) for e in events[i:]]
                if exc.reconnect:
                    tokens.set_status(athlete_id, "reconnect_needed", str(exc)[:500])
                break
            except WhoopError as exc:
                planned.append((event, [], _failed(exc)))
            else:
                planned.append((event, actions, outcome))
    finally:
        out.requests = client.requests
        client.close()
    window = DayWindow()
    with store.transaction() as con:
        for n, (event, actions, _outcome) in enumerate(planned):
            try:
                _apply(store, con, athlete_id, actions, f"webhook {event.trace_id}", window)
            except (ApiError, InputError) as exc:       # a record we cannot read or key
                planned[n] = (event, actions, _failed(exc))
        window.rebuild(con, athlete_id)
        now = utcnow()
        for event, _actions, outcome in planned:
            store.finish_webhook(event.trace_id, outcome, now)
            out.outcomes[event.trace_id] = outcome
    return out


def _failed(exc: WhoopError) -> str:
    """``failed: <reason>``: the error's first line, short (WHOOP errors carry no secret)."""
    first = (str(exc).splitlines() or [exc.__class__.__name__])[0]
    return f"failed: {first[:200]}"
