"""``python -m whoop alerts send [--digest] [--dry-run]``: alerts for coaches and athletes.

``alerts send`` does what the worker does after each pass: a notice to each person with new
alerts, and the morning digest of each person whose digest hour has come today (their time
zone). ``--digest`` sends only the digests, now, whatever the hour (still once per person and
day: a cron job at 7:00 can run it). ``--dry-run`` prints the messages and sends nothing (and
records nothing). Rules: :mod:`whoop.alerts`; who gets what: :mod:`whoop.alert_jobs`.
"""

from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add the ``alerts`` subcommand (its action sets ``func``)."""
    p = sub.add_parser("alerts", help="send alert notices and morning digests",
                       description="Alerts for coaches and athletes: HRV below normal 3 days running, "
                       "resting HR and respiratory rate both high, recovery red 3 days running, no new "
                       "data for 48 h, WHOOP access ended; and a morning digest.")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    send = actions.add_parser("send", help="send new notices and the digests due now")
    send.add_argument("--digest", action="store_true", help="send the digests now (whatever the hour), "
                      "no notices")
    send.add_argument("--dry-run", action="store_true", help="print the messages; send and record nothing")
    send.add_argument("--db", metavar="FILE|URL", help="DuckDB file or postgresql:// URL "
                      "(default: $WHOOP_DB or data/whoop.duckdb)")
    send.set_defaults(func=cmd_alerts)


def cmd_alerts(args: argparse.Namespace) -> int:
    """Run ``alerts send``; exit 1 when some message could not be sent."""
    import sys

    from whoop.alert_jobs import run_alerts
    from whoop.store import Store

    store = Store(args.db)
    result = run_alerts(store, notices=not args.digest, digests=True, digest_any_hour=args.digest,
                        dry_run=args.dry_run, warn=lambda line: print(line, file=sys.stderr))
    if args.dry_run:
        for msg in result.planned:
            channels = " and ".join(msg.recipient.channels()) or "no channel"
            print(f"would send {msg.kind} to '{msg.recipient.viewer.username}' by {channels}: {msg.subject}")
            print("".join(f"    {line}\n" for line in msg.body.splitlines()), end="")
        if not result.planned:
            print("nothing to send")
        return 0
    if not result.sent and not result.failed:
        print("nothing to send")
    return 1 if result.failed else 0
