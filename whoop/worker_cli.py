"""``python -m whoop worker``: the team deployment's sync process (see :mod:`whoop.worker`).

::

    python -m whoop worker [--db URL] [--once] [--poll S] [--min-interval MIN] [--quiet]
                           [--host 127.0.0.1] [--port 8766] [--no-webhooks] [--reconcile-min MIN]

Prints a start line, then one line per sync on stdout; a failed sync is one ``error: ...`` line
on stderr and the worker goes on. SIGTERM or Ctrl-C stop it between athletes (a second Ctrl-C
interrupts the running sync). ``--once``: one pass over the due athletes, then exit (tests,
cron); exit code 1 when a sync of that pass failed. Unless ``--once`` or ``--no-webhooks``, the
worker also receives WHOOP's webhooks on ``--host``:``--port`` (:mod:`whoop.webhook_server`) and
fetches what they name at once (:meth:`whoop.worker.Worker.wake`); the scheduled syncs then run
every ``--reconcile-min`` minutes at least (default ``$WHOOP_RECONCILE_MIN`` or 180), as a
reconciliation poll. ``WHOOP_RATE_WINDOW_S`` compresses WHOOP's
minute window (and its day) for the sandbox (:func:`whoop.client.rate_window_s`).

Start-up stays light: the store, the sync engine and the HTTP client are imported when the
command runs (tests/test_cli_startup.py).
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from whoop.config import int_setting, whoop_settings
from whoop.errors import InputError

if TYPE_CHECKING:      # imported when the command runs (start-up stays light)
    from types import FrameType

    from whoop.store import Store
    from whoop.worker import Worker


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add the ``worker`` subcommand (sets ``func``)."""
    p = sub.add_parser("worker", help="sync due WHOOP athletes on a schedule (team deployment)",
                       description="Sync connected athletes whose last sync is older than the "
                       "interval the daily WHOOP budget allows for the roster. Run any number of "
                       "workers against one PostgreSQL database: each athlete is synced by one "
                       "of them at a time, and all share WHOOP's request budget.")
    p.add_argument("--db", metavar="FILE|URL", help="postgresql:// URL or DuckDB file "
                   "(default: $WHOOP_DB or data/whoop.duckdb)")
    p.add_argument("--once", action="store_true", help="one pass over the due athletes, then exit")
    p.add_argument("--poll", type=float, default=60.0, metavar="S",
                   help="seconds between two looks for due athletes (default: 60)")
    p.add_argument("--min-interval", type=float, metavar="MIN",
                   help="least minutes between two syncs of an athlete (default: "
                        "$WHOOP_SYNC_MAX_AGE_MIN or 60); larger rosters get longer intervals")
    p.add_argument("--quiet", action="store_true", help="print only errors, on stderr")
    p.add_argument("--host", default="127.0.0.1",
                   help="address of the WHOOP webhook receiver (default: 127.0.0.1; put a TLS reverse "
                        "proxy in front, WHOOP sends to an https:// URL)")
    p.add_argument("--port", type=int, default=8766,
                   help="port of the webhook receiver, POST /webhooks/whoop (default: 8766)")
    p.add_argument("--no-webhooks", action="store_true",
                   help="do not receive webhooks (another worker of this database does)")
    p.add_argument("--reconcile-min", type=float, metavar="MIN",
                   help="with webhooks, least minutes between two syncs of an athlete: the "
                        "reconciliation poll for cycles and missed webhooks (default: "
                        "$WHOOP_RECONCILE_MIN or 180; also for a --no-webhooks worker when given)")
    p.set_defaults(func=cmd_worker)


def _stop_on_signals(worker: Worker) -> dict:
    """SIGTERM and the first Ctrl-C stop ``worker`` between athletes; a second Ctrl-C raises
    KeyboardInterrupt. Returns the previous handlers."""
    def term(signum: int, frame: FrameType | None) -> None:
        worker.stop()

    def interrupt(signum: int, frame: FrameType | None) -> None:
        if worker.stopping:
            raise KeyboardInterrupt
        print("stopping after the running sync (Ctrl-C again to interrupt it)", file=sys.stderr, flush=True)
        worker.stop()

    return {signal.SIGTERM: signal.signal(signal.SIGTERM, term),
            signal.SIGINT: signal.signal(signal.SIGINT, interrupt)}


def _receiver(args: argparse.Namespace, store: Store, secret: str, worker: Worker,
              say: Callable[[str], None]) -> contextlib.AbstractContextManager:
    """The webhook receiver for the worker's lifetime (none with ``--once`` or ``--no-webhooks``).

    Raises:
        InputError: the address is taken or cannot be bound.
    """
    if args.once or args.no_webhooks:
        return contextlib.nullcontext()
    from whoop.serving import serve
    from whoop.webhook_server import PATH, webhook_app

    stack = contextlib.ExitStack()
    try:
        port, _ = stack.enter_context(serve(webhook_app(store, secret, on_queued=worker.wake), args.host,
                                            args.port, name="whoop-webhooks", join_s=5))
    except OSError as exc:
        raise InputError(f"cannot receive webhooks on {args.host}:{args.port} ({exc.strerror or exc}): "
                         f"another worker may be receiving them; start this one with --no-webhooks, "
                         f"or choose another --port") from None
    say(f"receiving WHOOP webhooks on http://{args.host}:{port}{PATH}")
    return stack


def cmd_worker(args: argparse.Namespace) -> int:
    """Run the worker until SIGTERM/Ctrl-C, or one pass with ``--once``."""
    from whoop.client import rate_window_s
    from whoop.crypto import install_log_redaction
    from whoop.store import Store
    from whoop.sync import SyncOptions
    from whoop.worker import Worker, WorkerOptions, describe

    install_log_redaction()
    if args.poll <= 0:
        raise InputError("--poll must be more than 0 seconds")
    minimum = (args.min_interval if args.min_interval is not None
               else int_setting("WHOOP_SYNC_MAX_AGE_MIN", 60))
    if minimum <= 0:
        raise InputError("--min-interval must be more than 0 minutes")
    webhooks = not (args.once or args.no_webhooks)
    reconcile = args.reconcile_min if args.reconcile_min is not None else (
        int_setting("WHOOP_RECONCILE_MIN", 180) if webhooks else None)
    if reconcile is not None and reconcile <= 0:
        raise InputError("--reconcile-min must be more than 0 minutes")
    settings = whoop_settings().require()
    store = Store(args.db)
    options = WorkerOptions(poll_s=args.poll, min_interval_s=minimum * 60, rate_window_s=rate_window_s(),
                            reconcile_s=reconcile * 60 if reconcile is not None else None,
                            sync=SyncOptions(overlap_days=int_setting("WHOOP_SYNC_OVERLAP_DAYS", 7)))

    def say(line: str) -> None:
        if not args.quiet:
            print(line, flush=True)

    def warn(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    worker = Worker(store, settings, options, say=say, warn=warn)
    say(describe(store, options, len(store.connected_athlete_ids())))
    previous = _stop_on_signals(worker)
    try:
        with _receiver(args, store, settings.client_secret or "", worker, say):
            failed = worker.run(once=args.once)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if worker.stopping and not args.once:
        say("worker stopped")
    return 1 if failed else 0
