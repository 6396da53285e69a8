"""``python -m whoop sync|connect|disconnect``: the CLI side of WHOOP Connect and Sync.

::

    python -m whoop connect [--db FILE] [--athlete NAME] [--headless]
    python -m whoop sync [--db FILE] [--athlete ID | --all] [--full | --since DATE | --days N]
                         [--types cycle,recovery,sleep,workout] [--quiet]
    python -m whoop disconnect [--db FILE] --athlete ID

``sync`` prints one summary line per athlete on stdout and its progress on stderr (a bar on a
terminal, plain lines otherwise: whoop.sync.progress); ``--quiet`` leaves only errors and warnings
that need action. It is safe from cron while the app is open: the store waits for the database,
one sync per athlete runs at a time (a second one says so and exits 1), token refreshes are
serialized.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

from whoop.config import int_setting, whoop_settings
from whoop.errors import InputError, WhoopError

if TYPE_CHECKING:      # the commands import the store, crypto and the client when they run
    from whoop.config import WhoopSettings
    from whoop.store import Store


def _db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="FILE|URL", help="DuckDB file or postgresql:// URL "
                   "(default: $WHOOP_DB or data/whoop.duckdb)")


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add the ``connect``, ``sync`` and ``disconnect`` subcommands (each sets ``func``)."""
    p = sub.add_parser("connect", help="connect a WHOOP account (OAuth in the browser)")
    _db(p)
    p.add_argument("--athlete", metavar="NAME", help="link the account to this existing athlete "
                   "(e.g. the one holding your export); default: a new athlete named after the profile")
    p.add_argument("--headless", action="store_true",
                   help="only print the authorization URL (no browser); then paste the URL you were sent "
                        "back to")
    p.set_defaults(func=cmd_connect)

    p = sub.add_parser("sync", help="sync connected WHOOP accounts (incremental; first run = full history)")
    _db(p)
    who = p.add_mutually_exclusive_group()
    who.add_argument("--athlete", metavar="ID", help="athlete name or id (default: all connected)")
    who.add_argument("--all", action="store_true", help="every connected athlete (the default)")
    when = p.add_mutually_exclusive_group()
    when.add_argument("--full", action="store_true", help="read all history again")
    when.add_argument("--since", metavar="DATE", help="read from this date (YYYY-MM-DD, UTC)")
    when.add_argument("--days", type=int, metavar="N", help="read the last N days")
    p.add_argument("--types", metavar="LIST", default="cycle,recovery,sleep,workout",
                   help="collections to sync, comma-separated (default: all four)")
    p.add_argument("--quiet", action="store_true",
                   help="print only errors and warnings that need you, on stderr (cron)")
    p.set_defaults(func=cmd_sync)

    p = sub.add_parser("disconnect", help="revoke WHOOP access and delete the tokens (history stays)")
    _db(p)
    p.add_argument("--athlete", metavar="ID", required=True, help="athlete name or id")
    p.set_defaults(func=cmd_disconnect)


def _resolve(store: Store, ref: str) -> int:
    athletes = store.athletes()
    if ref.isdigit() and int(ref) in set(athletes["athlete_id"].tolist()):
        return int(ref)
    match = athletes[athletes["name"] == ref]
    if match.empty:
        raise InputError(f"no athlete '{ref}' (known: {', '.join(athletes['name']) or 'none'})")
    return int(match["athlete_id"].iloc[0])


def cmd_connect(args: argparse.Namespace) -> int:
    """Print the authorization URL, read the URL WHOOP redirected to from stdin, finish the connect."""
    import webbrowser

    from whoop.crypto import install_log_redaction
    from whoop.oauth import authorization_url
    from whoop.store import Store
    from whoop.tokens import TokenStore

    install_log_redaction()
    settings = whoop_settings().require()
    store = Store(args.db)
    if args.athlete and store.athlete_id(args.athlete) is None:
        known = ", ".join(repr(n) for n in store.athletes()["name"]) or "none yet"
        raise InputError(
            f"no athlete '{args.athlete}' to link (known: {known}). --athlete links the WHOOP "
            f"account to an athlete that already exists: create it by importing an export, "
            f"`python -m whoop import PATH --athlete {shlex.quote(args.athlete)}`, or run "
            f"`python -m whoop connect` without --athlete to create an athlete named after the "
            f"WHOOP profile")
    url = authorization_url(store, settings, link_athlete=args.athlete)
    print("Open this URL, sign in to WHOOP and allow access:\n\n" + url + "\n", file=sys.stderr)
    if not args.headless:
        webbrowser.open(url)
    print("Then paste the full URL of the page you were sent back to (it starts with "
          f"{settings.redirect_uri}) and press Enter:", file=sys.stderr)
    reply = sys.stdin.readline().strip()
    if not reply:
        raise InputError("no URL given; run connect again")
    result = TokenStore(store, settings).finish_connect_url(reply)
    print(f"connected WHOOP user {result.whoop_user_id} as athlete '{result.athlete}'"
          f"{' (new)' if result.created else ''}; run `python -m whoop sync` to fetch the data")
    return 0


def _since(args: argparse.Namespace) -> datetime | None:
    if args.days is not None:
        if args.days < 1:
            raise InputError("--days must be at least 1")
        return datetime.now(UTC) - timedelta(days=args.days)
    if args.since:
        try:
            d = datetime.strptime(args.since, "%Y-%m-%d").date()
        except ValueError:
            raise InputError(f"--since: '{args.since}' is not a date like 2025-01-31") from None
        return datetime.combine(d, time(0), tzinfo=UTC)
    return None


def _lost(store: Store, settings: WhoopSettings) -> list[str]:
    """Names of athletes whose WHOOP access ended (connection ``reconnect_needed``)."""
    from whoop.tokens import TokenStore

    conns = TokenStore(store, settings).connections()
    return conns.loc[conns["status"] == "reconnect_needed", "name"].tolist()


def _reconnect_hint(lost: list[str]) -> str:
    return (f"WHOOP access of {', '.join(repr(n) for n in lost)} has ended: connect again with "
            f"`python -m whoop connect --athlete {shlex.quote(lost[0])}`")


def cmd_sync(args: argparse.Namespace) -> int:
    """Sync one or all connected athletes; a one-line summary each on stdout.

    Progress goes to stderr: a bar on a terminal, plain lines elsewhere (whoop.sync.progress).
    ``--quiet`` prints only errors and the warnings that need action (an athlete whose WHOOP
    access ended), all on stderr.
    """
    from whoop.client import budget_for
    from whoop.crypto import install_log_redaction
    from whoop.store import Store
    from whoop.sync import ORDER, SyncOptions, connected_athletes, sync_athlete
    from whoop.sync.progress import SyncReporter

    install_log_redaction()
    types = tuple(t.strip() for t in args.types.split(",") if t.strip())
    bad = [t for t in types if t not in ORDER]
    if bad or not types:
        raise InputError(f"--types: unknown {', '.join(bad) or '(empty)'}; use {','.join(sorted(ORDER))}")
    settings = whoop_settings().require()
    store = Store(args.db)
    ids = [_resolve(store, args.athlete)] if args.athlete else connected_athletes(store)
    if not ids:
        lost = _lost(store, settings)
        if lost:
            raise InputError(_reconnect_hint(lost))
        raise InputError("no connected WHOOP account: run `python -m whoop connect` first")
    opts = SyncOptions(full=args.full, since=_since(args), types=types,
                       overlap_days=int_setting("WHOOP_SYNC_OVERLAP_DAYS", 7))
    report = SyncReporter(sys.stderr, quiet=args.quiet,
                          budget=budget_for(settings.base_url, settings.client_id))
    failed = 0
    for aid in ids:
        report.start(store.athlete_name(aid) or str(aid))
        try:
            result = sync_athlete(store, settings, aid, opts, progress=report.progress,
                                  client_kw={"on_request": report.on_request})
        except WhoopError as exc:
            report.close()
            if len(ids) == 1:
                raise
            print(f"error: athlete {store.athlete_name(aid)}: {exc}", file=sys.stderr)
            failed += 1
            continue
        report.close()
        if not args.quiet:
            print(result.summary(), flush=True)
    lost = [] if args.athlete else _lost(store, settings)
    if lost:        # skipped by --all: say so even with --quiet, it needs the person
        print(f"warning: {_reconnect_hint(lost)}", file=sys.stderr)
    return 1 if failed else 0


def cmd_disconnect(args: argparse.Namespace) -> int:
    """Revoke at WHOOP and delete the tokens of one athlete."""
    from whoop.crypto import install_log_redaction
    from whoop.store import Store
    from whoop.tokens import TokenStore

    install_log_redaction()
    store = Store(args.db)
    aid = _resolve(store, args.athlete)
    revoked = TokenStore(store, whoop_settings().require()).disconnect(aid)
    print(f"disconnected '{store.athlete_name(aid)}'" + ("" if revoked else
          " (WHOOP did not confirm the revocation; the tokens are deleted here)"))
    return 0
