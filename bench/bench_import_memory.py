"""Peak memory and lock-hold time of importing a big journal, beside a small export, in one run.

Writes two exports with the project's generator (whoop.demo): the demo export as it is, and the
same export whose journal_entries.csv is blown up to ``--journal-mb`` MB (default 260) by asking
each question in many variants (``"<question> (variant k)"``), so every row is a distinct
answer, as a journal of decades with many questions would be. Each export is imported by
``whoop.importer.import_paths`` (what ``python -m whoop import`` runs) in a child process into a fresh DuckDB
file; the figures are the child's peak resident memory (``ru_maxrss`` from ``os.wait4``) and the seconds the
import held the database file (``ImportResult.lock_s``: the apply transaction, from the connection's open to
its close), which the child (``whoop.importer.import_paths``, as the CLI calls it) prints.

    python -m bench.bench_import_memory [--journal-mb 260] [--code DIR]

``--code DIR`` imports from another source tree (e.g. an older checkout) to compare before and
after; that tree's importer may not report the lock time (shown as "-").
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from whoop.demo import write_demo_export

REPO = Path(__file__).resolve().parents[1]

CHILD = """
import json, resource, sys, time
from whoop.importer import import_paths
from whoop.store import Store
t0 = time.monotonic()
result = import_paths(Store(sys.argv[2]), [sys.argv[1]])
print(json.dumps({"seconds": time.monotonic() - t0, "lock_s": getattr(result, "lock_s", None),
                  "journal": result.counts["journal"]}))
"""


def big_journal_export(small: Path, dest: Path, journal_mb: int) -> tuple[Path, int, int]:
    """A copy of ``small`` whose journal has about ``journal_mb`` MB of distinct rows.
    Returns (path, journal bytes, journal rows)."""
    with zipfile.ZipFile(small) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    lines = members["journal_entries.csv"].decode("utf-8").splitlines()
    header, rows = lines[0], list(csv.reader(lines[1:]))
    target = journal_mb << 20
    size = count = 0
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            if name != "journal_entries.csv":
                out.writestr(name, data)
        with out.open("journal_entries.csv", "w", force_zip64=True) as fh:
            fh.write((header + "\n").encode())
            size = len(header) + 1
            variant = 0
            while size < target:
                buf = io.StringIO()
                writer = csv.writer(buf, lineterminator="\n")
                for row in rows:
                    writer.writerow(row[:3] + [f"{row[3]} (variant {variant})"] + row[4:])
                block = buf.getvalue().encode()
                fh.write(block)
                size += len(block)
                count += len(rows)
                variant += 1
    return dest, size, count


def run_child(zip_path: Path, db: Path, code: Path) -> dict:
    """Import in a child process; its peak RSS (MB) from wait4, its timings from stdout."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    with tempfile.TemporaryFile() as errors:   # a file, not a pipe: a chatty child cannot block
        proc = subprocess.Popen([sys.executable, "-c", CHILD, str(zip_path), str(db)], cwd=code,
                                env=env, stdout=subprocess.PIPE, stderr=errors)
        if proc.stdout is None:     # a pipe: stdout=PIPE above
            raise SystemExit("the import child was started without its stdout pipe")
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        errors.seek(0)
        err = errors.read()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"import failed: {err.decode()[-2000:]}")
    figures = json.loads(out.decode().strip().splitlines()[-1])
    figures["peak_rss_mb"] = usage.ru_maxrss / 1024          # Linux: kilobytes
    return figures


def measure(journal_mb: int, code: Path = REPO) -> dict[str, dict]:
    """Import the small export and the big-journal one, each in a child process."""
    with tempfile.TemporaryDirectory(prefix="bench-import-memory-") as tmp:
        folder = Path(tmp)
        small = write_demo_export(folder / "small", days=365)
        big, _, _ = big_journal_export(small, folder / "big.zip", journal_mb)
        return {label: run_child(path, folder / f"{label.split()[0]}.duckdb", code)
                for label, path in (("small export", small), ("big journal", big))}


def figures(quick: bool = False) -> list[dict]:
    """Peak RSS of the big-journal import over the small export's (target 3: memory bounded by
    the chunk size, not the journal's size), for bench/run.py."""
    mb = 8 if quick else 260
    r = measure(mb)
    a, b = r["small export"], r["big journal"]
    return [{"name": "import memory: peak RSS big journal / small export",
             "value": b["peak_rss_mb"] / a["peak_rss_mb"], "target": 3.0, "unit": "x",
             "baseline": f"1-year demo export vs the same with a {mb} MB journal",
             "note": f"{a['peak_rss_mb']:.0f} MB vs {b['peak_rss_mb']:.0f} MB"}]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journal-mb", type=int, default=260)
    parser.add_argument("--code", type=Path, default=REPO, help="source tree to import with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-import-memory-") as tmp_name:
        tmp = Path(tmp_name)
        small = write_demo_export(tmp / "small", days=365)
        t0 = time.monotonic()
        big, size, rows = big_journal_export(small, tmp / "big.zip", args.journal_mb)
        print(f"generated {big.name}: {big.stat().st_size / 2**20:.1f} MB ZIP, journal "
              f"{size / 2**20:.0f} MB / {rows:,} rows ({time.monotonic() - t0:.0f} s)")
        results = {}
        for label, path in (("small export", small), ("big journal", big)):
            results[label] = run_child(path, tmp / f"{label.split()[0]}.duckdb", args.code)
    for label, r in results.items():
        lock = f"{r['lock_s']:.2f} s" if r["lock_s"] is not None else "-"
        print(f"{label:>12}: peak RSS {r['peak_rss_mb']:7.0f} MB, import {r['seconds']:6.1f} s, "
              f"lock held {lock}, journal {r['journal']}")
    a, b = results["small export"], results["big journal"]
    print(f"big / small: peak RSS x{b['peak_rss_mb'] / a['peak_rss_mb']:.2f}"
          + (f", lock held x{b['lock_s'] / a['lock_s']:.1f}" if a["lock_s"] and b["lock_s"] else ""))


if __name__ == "__main__":
    main()
