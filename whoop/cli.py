"""``python -m whoop``: import, status, export, report (and sync / connect from whoop.sync_cli).

Every command takes ``--db FILE`` (default: ``WHOOP_DB`` or ``data/whoop.duckdb``). A handled
error (any :class:`whoop.errors.WhoopError`) prints one line ``error: ...`` on stderr and exits 1;
no traceback. Ctrl-C exits 130.

Start-up stays light: this module and :mod:`whoop.sync_cli` import only the standard library and
light project modules at the top; pandas, DuckDB (whoop.store), the export parser and the WHOOP
client are imported inside the command that needs them, so ``--help`` answers at once
(``bench/bench_cli.py``; tests/test_cli_startup.py keeps it so).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from whoop import alerts_cli, store_cli, sync_cli, user_cli, worker_cli
from whoop.errors import InputError, WhoopError
from whoop.importer import DEFAULT_ATHLETE

if TYPE_CHECKING:
    import pandas as pd

    from whoop.export import ExportData
    from whoop.store import Store

log = logging.getLogger("whoop")


def _add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="FILE|URL", help="DuckDB file or postgresql:// URL "
                   "(default: $WHOOP_DB or data/whoop.duckdb)")


def _athlete_id(store: Store, name: str | None) -> list[tuple[int, str]]:
    """(id, name) of the named athlete, or of every athlete when ``name`` is None.

    Raises:
        InputError: no athlete of that name, or an empty database.
    """
    athletes = store.athletes()
    if athletes.empty:
        raise InputError(f"the database {store.display} holds no athlete yet: import an export first")
    if name is None:
        return list(zip(athletes["athlete_id"].tolist(), athletes["name"].tolist(), strict=False))
    match = athletes[athletes["name"] == name]
    if match.empty:
        known = ", ".join(athletes["name"])
        raise InputError(f"no athlete named '{name}' (known: {known})")
    return [(int(match["athlete_id"].iloc[0]), name)]


def _import_athlete(store: Store, asked: str | None) -> Callable[[ExportData], str]:
    """The ``athlete`` argument of ``import_paths`` for ``--athlete`` (None: not given). Given:
    that athlete, with a warning when the export does not look like its
    (:func:`whoop.athlete_match.concern`). Not given: :func:`whoop.athlete_match.choose` picks
    one and says which and why, or refuses when the export may be someone else's."""
    from whoop.athlete_match import choose, concern

    def pick(data: ExportData) -> str:
        if asked is not None:
            other = concern(store, data, asked)
            if other is not None and other.athlete != asked:
                print(f"warning: {other.describe()}; importing into '{asked}' as asked keeps a "
                      f"second copy (pass --athlete '{other.athlete}' to update that athlete "
                      f"instead)", file=sys.stderr)
            elif other is not None:
                print(f"warning: {other.describe()}; importing into '{asked}' as asked (use "
                      f"another --athlete name if this is another person's export)",
                      file=sys.stderr)
            return asked
        name, why = choose(store, data, DEFAULT_ATHLETE)
        print(f"no --athlete given: importing into '{name}' ({why})")
        return name

    return pick


def cmd_import(args: argparse.Namespace) -> int:
    """Import one WHOOP export (ZIP, folder or CSVs) in one transaction and print what changed.
    A rejected export is written to the import history as a failed run (the database is
    otherwise unchanged) before the error is reported."""
    from whoop.errors import StoreError
    from whoop.importer import import_paths
    from whoop.store import Store

    for p in args.paths:
        if not Path(p).exists():
            raise InputError(f"{p}: no such file or folder")
    store = Store(args.db)
    try:
        result = import_paths(store, args.paths, athlete=_import_athlete(store, args.athlete))
    except WhoopError as exc:
        if not isinstance(exc, StoreError):      # a database that cannot be written records nothing
            try:
                store.record_failed_import(args.athlete, kind="export", error=str(exc),
                                           source=", ".join(Path(p).name for p in args.paths))
            except WhoopError as again:
                log.info("could not record the failed import: %s", again)
        raise
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"imported into {store.display}: {result.summary()}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """Print athletes, rows per table, date range and last import of the database."""
    from whoop.store import Store

    status = Store(args.db).status()
    if args.json:
        print(json.dumps(status, default=str, indent=2))
        return 0
    print(f"database: {status['database']} (schema {status['schema_version']})")
    if not status["athletes"]:
        print("no athletes yet: run `python -m whoop import PATH` or load the demo in the app")
    for a in status["athletes"]:
        link = f" (WHOOP user {a['whoop_user_id']})" if a["whoop_user_id"] else ""
        print(f"\nathlete '{a['athlete']}'{link}")
        print(f"  days: {a['rows']['days']} from {a['first_day']} to {a['last_day']}")
        rows = ", ".join(f"{t} {n}" for t, n in a["rows"].items() if t != "days")
        print(f"  rows: {rows}")
        run = a["last_run"]
        if run:
            when = f"{run['finished_at']:%Y-%m-%d %H:%M} UTC" if run["finished_at"] else "unfinished"
            print(f"  last {run['kind']}: {when} ({run['status']}) {_short_source(run['source'])}")
    return 0


def safe_folder_name(name: str, athlete_id: int) -> str:
    """A folder name for athlete ``name`` that stays inside its parent: letters, digits, ``.``,
    ``-`` and ``_`` kept, anything else ``_``; ``athlete_<id>`` when nothing usable is left
    (athlete names come from uploads and WHOOP profiles, so ``../x`` must not escape)."""
    cleaned = re.sub(r"[^\w.-]+", "_", name).strip("._")
    return cleaned or f"athlete_{athlete_id}"


def _short_source(source: str | None) -> str:
    """``a.zip:cycles.csv, a.zip:sleeps.csv`` -> ``a.zip (2 files)``; other sources unchanged."""
    parts = [p.strip() for p in (source or "").split(",") if p.strip()]
    containers = {p.split(":")[0].rsplit("/", 1)[0] for p in parts}
    if len(parts) > 1 and len(containers) == 1:
        return f"{containers.pop()} ({len(parts)} files)"
    return source or ""


def daily_export_frame(store: Store, athlete_id: int, name: str) -> pd.DataFrame:
    """The daily table of one athlete in ``daily.csv`` form: schema.DAILY_EXPORT_COLUMNS,
    ``date`` as YYYY-MM-DD text, one row per day with data."""
    from whoop import schema

    days = store.days(athlete_id)
    days.insert(0, "athlete", name)
    days["date"] = days["date"].dt.strftime("%Y-%m-%d")
    return days[schema.DAILY_EXPORT_COLUMNS]


def _export_table(store: Store, table: str, athlete_id: int, name: str) -> pd.DataFrame:
    frame = store.records(table, athlete_id)
    frame.insert(0, "athlete", name)
    return frame.drop(columns=["raw_json"], errors="ignore")


def cmd_export(args: argparse.Namespace) -> int:
    """Write daily, cycles, recoveries, sleeps, workouts and journal tables as CSV or Parquet."""
    import pandas as pd

    from whoop import schema
    from whoop.csvout import write_csv
    from whoop.store import Store

    store = Store(args.db)
    athletes = _athlete_id(store, args.athlete)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tables = {"daily": [daily_export_frame(store, i, n) for i, n in athletes]}
    for table in schema.TABLES:
        tables[table] = [_export_table(store, table, i, n) for i, n in athletes]
    written = []
    for name, frames in tables.items():
        frame = pd.concat(frames, ignore_index=True)
        path = out / f"{name}.{args.format}"
        if args.format == "csv":
            write_csv(frame, path)  # formula-safe cells (whoop/csvout.py)
        else:
            frame.to_parquet(path, index=False)
        written.append(f"{path.name} ({len(frame)} rows)")
    print(f"wrote {out}: " + ", ".join(written))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Write the analytics (baselines, training load, sleep debt, journal impact) as CSV."""
    from whoop.report import write_report
    from whoop.store import Store

    store = Store(args.db)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for athlete_id, name in _athlete_id(store, args.athlete):
        target = out if args.athlete else out / safe_folder_name(name, athlete_id)
        target.mkdir(parents=True, exist_ok=True)
        paths = write_report(store.days(athlete_id), store.records("sleeps", athlete_id),
                             store.records("workouts", athlete_id), store.records("journal", athlete_id),
                             target, athlete=name)
        written += [str(p) for p in paths]
    print("wrote " + ", ".join(written))
    return 0


def _add_writer(sub: argparse._SubParsersAction, name: str,
                func: Callable[[argparse.Namespace], int], *, help: str,
                description: str) -> argparse.ArgumentParser:
    """Add a command that writes files to ``--out DIR`` from ``--db``, for all athletes or
    ``--athlete NAME``; returns its parser for any further options."""
    p = sub.add_parser(name, help=help, description=description)
    p.add_argument("--out", required=True, metavar="DIR")
    _add_db(p)
    p.add_argument("--athlete", metavar="NAME", help="only this athlete (default: all)")
    p.set_defaults(func=func)
    return p


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="python -m whoop",
                                     description="Local WHOOP analytics: import, sync, export.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("import", help="import a WHOOP export (ZIP, folder or CSV files)",
                       description="Import a WHOOP Data Export: the ZIP WHOOP e-mails (also "
                       "gzip-wrapped), an unzipped folder, or loose CSV files. Re-importing the "
                       "same or a newer export updates rows; nothing is duplicated.")
    p.add_argument("paths", nargs="+", metavar="PATH")
    _add_db(p)
    p.add_argument("--athlete", metavar="NAME",
                   help="athlete the data belongs to (default: the athlete already holding "
                        f"these records; '{DEFAULT_ATHLETE}' when no athlete holds records yet)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("status", help="athletes, rows per table, date range, last import",
                       description="Show what the database holds.")
    _add_db(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_status)

    p = _add_writer(sub, "export", cmd_export, help="write daily.csv and the record tables",
                    description="Write daily (one row per athlete and day), cycles, recoveries, "
                    "sleeps, workouts and journal to DIR.")
    p.add_argument("--format", choices=("csv", "parquet"), default="csv")
    _add_writer(sub, "report", cmd_report, help="write the analytics as CSV",
                description="Write baselines.csv, training_load.csv, sleep_debt.csv and "
                "journal_impact.csv (one folder per athlete unless --athlete is given).")

    sync_cli.add_commands(sub)
    worker_cli.add_commands(sub)
    store_cli.add_commands(sub)
    user_cli.add_commands(sub)
    alerts_cli.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except WhoopError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a path that cannot be read or written: say which
        where = f": {exc.filename}" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence: never a traceback
        log.info("unexpected failure", exc_info=True)  # shown with -v only
        print(f"error: unexpected failure ({exc.__class__.__name__}); run again with -v for "
              f"details", file=sys.stderr)
        return 1
