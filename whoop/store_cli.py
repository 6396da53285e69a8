"""``python -m whoop migrate-store``: copy a store to another backend (see :mod:`whoop.store.transfer`).

::

    python -m whoop migrate-store --from data/whoop.duckdb --to postgresql://user@host/db [--replace]

Every table is copied in one transaction on the target, row counts per table and athlete are
checked equal, and one summary (tables x rows per athlete) is printed. WHOOP tokens are copied
still encrypted: the command says which key they need and never prints a key unless
``--print-key`` is given. Passwords in URLs are never printed (``Store.display``).
"""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from whoop.errors import InputError

if TYPE_CHECKING:      # the command imports the store and crypto when it runs
    from whoop.store import Store
    from whoop.store.transfer import TransferReport

log = logging.getLogger("whoop")
#: Athletes shown as columns of the summary; more are counted in the total only.
SUMMARY_ATHLETES = 6


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add the ``migrate-store`` subcommand (sets ``func``)."""
    p = sub.add_parser(
        "migrate-store", help="copy every row of one store into another (DuckDB <-> PostgreSQL)",
        description="Copy everything a store holds (athletes, records, days, runs, settings, WHOOP "
        "connections) into another store, e.g. the personal DuckDB file into the team deployment's "
        "PostgreSQL, in one transaction on the target: a failure leaves the target as it was. Row "
        "counts per table and athlete are checked equal afterwards. WHOOP tokens stay encrypted: "
        "the target needs the same token key (WHOOP_TOKEN_KEY); the command says where that key "
        "is and prints it only with --print-key.")
    p.add_argument("--from", dest="source", required=True, metavar="FILE|URL",
                   help="the store to copy: a DuckDB file or a postgresql:// URL")
    p.add_argument("--to", dest="target", required=True, metavar="FILE|URL",
                   help="the store to fill: a DuckDB file (created when absent) or a postgresql:// URL")
    p.add_argument("--replace", action="store_true",
                   help="empty the target's tables first, in the same transaction (default: refuse "
                        "a target that holds any row)")
    p.add_argument("--print-key", action="store_true",
                   help="also print the token key the copied WHOOP tokens are encrypted with "
                        "(WHOOP_TOKEN_KEY=...). A key is never printed without this flag; "
                        "anyone holding it can read the tokens.")
    p.set_defaults(func=cmd_migrate_store)


def cmd_migrate_store(args: argparse.Namespace) -> int:
    """Copy ``--from`` into ``--to`` and print what was done."""
    from whoop.store import Store
    from whoop.store.backend import is_postgres_url
    from whoop.store.transfer import copy_store

    if not is_postgres_url(args.source) and not Path(args.source).expanduser().is_file():
        raise InputError(f"--from {args.source}: no such database file")
    source, target = Store(args.source), Store(args.target)

    def progress(table: str, done: int, total: int) -> None:
        log.info("%s: %d of %d rows copied", table, done, total)

    pending = _commit_pending(source)
    report = copy_store(source, target, replace=args.replace, progress=progress)
    if pending:
        print(f"committed {pending} pending WHOOP token pair(s) into {source.display} before copying")
    print(summary(report))
    for line in _key_advice(source, target, args.print_key):
        print(line)
    return 0


def summary(report: TransferReport) -> str:
    """The person-readable account of a copy: one header line, a table of rows per table (total
    and per athlete), one line on the checks."""
    ids = sorted(a for a in report.athletes if any(a in c for c in report.target_counts.values()))
    shown = ids[:SUMMARY_ATHLETES]
    names = [report.athletes[a] for a in shown]
    rate = f"{report.rows_per_s:,.0f} rows/s" if report.seconds > 0 else ""
    lines = [f"copied {report.source} -> {report.target} (schema {report.schema_version}): "
             f"{report.rows:,} rows in {len(report.target_counts)} tables, {report.seconds:.1f} s ({rate})"]
    if report.replaced:
        lines.append(f"replaced {report.replaced:,} rows the target held before")
    width = max([len(t) for t in report.target_counts] + [5])
    header = ["table".ljust(width), "rows".rjust(9)] + [n[:14].rjust(max(6, min(len(n), 14))) for n in names]
    lines.append("  ".join(header))
    for table, counts in report.target_counts.items():
        cells = [table.ljust(width), f"{sum(counts.values()):9,}"]
        cells += [(f"{counts.get(a, 0):,}" if table in report.athlete_tables else "-").rjust(len(h))
                  for a, h in zip(shown, header[2:], strict=False)]
        lines.append("  ".join(cells))
    if len(ids) > len(shown):
        lines.append(f"({len(ids) - len(shown)} more athletes: counted in the rows column)")
    seqs = ", ".join(f"{s} next {n}" for s, n in report.sequences.items())
    lines.append("checked: rows per table and athlete are equal in both stores"
                 + (f"; sequences set past the copied ids ({seqs})" if seqs else ""))
    return "\n".join(lines)


def _commit_pending(source: Store) -> int:
    """A DuckDB source keeps a rotated token pair not yet in its row in a file beside it, which
    the copy would miss: commit such pairs to their rows first (``TokenStore.commit_pending``).
    Returns how many were pending (0 for a PostgreSQL source: its pending pairs are rows)."""
    if source.path is None:
        return 0
    conns = source.connections()
    if not conns["has_tokens"].astype(bool).any():
        return 0
    from whoop.config import whoop_settings
    from whoop.tokens import TokenStore
    return TokenStore(source, whoop_settings()).commit_pending()


def _key_candidates(source: Store) -> list[tuple[bytes, str]]:
    """Keys the source's tokens may be encrypted with, and where each comes from, without
    creating one: WHOOP_TOKEN_KEY, then the key file beside a DuckDB source."""
    from whoop.config import setting
    from whoop.crypto import key_path

    out = []
    env = setting("WHOOP_TOKEN_KEY")
    if env:
        out.append((env.encode(), "WHOOP_TOKEN_KEY"))
    if source.path is not None and key_path(source.path).is_file():
        data = key_path(source.path).read_bytes().strip()
        if data:
            out.append((data, str(key_path(source.path))))
    return out


def _token_key(source: Store) -> tuple[int, tuple[bytes, str] | None]:
    """(connections of ``source`` holding tokens, the first candidate key that decrypts them)."""
    from whoop.crypto import decrypt, fernet_from_key
    from whoop.errors import StoreError, WhoopError

    conns = source.connections()
    with_tokens = conns[conns["has_tokens"].astype(bool)]["athlete_id"].tolist()
    if not with_tokens:
        return 0, None
    athlete_id = int(with_tokens[0])
    row = source.token_row(athlete_id)
    if row is None or row.token_enc is None:
        raise StoreError(f"the WHOOP tokens of athlete {athlete_id} were removed while the store was read")
    blob = row.token_enc
    for secret, where in _key_candidates(source):
        try:
            decrypt(fernet_from_key(secret), blob)
        except WhoopError:
            continue
        return len(with_tokens), (secret, where)
    return len(with_tokens), None


def _key_advice(source: Store, target: Store, print_key: bool) -> list[str]:
    """What the person must do so the copied WHOOP tokens decrypt on the target (see --help)."""
    count, key = _token_key(source)
    if not count:
        return []
    if key is None:
        return [f"warning: the {count} WHOOP connection(s) copied do not decrypt with WHOOP_TOKEN_KEY or a "
                f"key file beside {source.display}: set WHOOP_TOKEN_KEY to the key they were encrypted "
                f"with, or the athletes connect again"]
    secret, where = key
    if where == "WHOOP_TOKEN_KEY":
        lines = [f"tokens: {count} WHOOP connection(s) copied, still encrypted with WHOOP_TOKEN_KEY: "
                 f"keep the same WHOOP_TOKEN_KEY for every process using {target.display}"]
    elif target.path is None:
        lines = [f"tokens: {count} WHOOP connection(s) copied, still encrypted with the key in {where}: "
                 f"set WHOOP_TOKEN_KEY to that key for every process using {target.display} "
                 f"(e.g. WHOOP_TOKEN_KEY=\"$(cat {where})\"; --print-key prints it)"]
    else:
        lines = [_key_file_for(target.path, secret, count, where)]
    if print_key:
        lines.append(f"WHOOP_TOKEN_KEY={secret.decode('ascii')}")
    return lines


def _key_file_for(db: Path, secret: bytes, count: int, where: str) -> str:
    """A DuckDB target without WHOOP_TOKEN_KEY reads its key from the file beside it: write the
    source's key there (0600) when there is none; say what to do when another key is there."""
    from whoop.crypto import key_path

    path = key_path(db)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.read_bytes().strip() == secret:
            return f"tokens: {count} WHOOP connection(s) copied; {path} holds their key"
        return (f"warning: {path} holds another token key: the {count} WHOOP connection(s) copied "
                f"decrypt only with the key in {where}; replace that file with it, or set "
                f"WHOOP_TOKEN_KEY to it")
    with os.fdopen(fd, "wb") as fh:
        fh.write(secret)
        fh.flush()
        os.fsync(fh.fileno())
    return f"tokens: {count} WHOOP connection(s) copied; their key was written to {path} (mode 0600)"
