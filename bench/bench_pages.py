"""Benchmark: warm rerun time of every page on 10 years of data, and the same page on 10 years
against 90 days, in one run.

Two DuckDB files hold the deterministic demo athlete (``whoop.importer.load_demo``), one with
3,650 days of history and one with 90; the real ``app.py`` runs under Streamlit's AppTest with
the sidebar at its default range (the last 90 days), so both files show the same number of days
and only the history behind them differs. For each page, an app per file is rendered once (cold
caches filled) and then rerun without any change, the two apps alternating (10 y, 90 d, 10 y,
...), so drift in machine load hits both alike. A warm rerun is what a person waits for after a
click that changes nothing the page's data depends on.

Prints, per page: the median warm rerun on 10 years (wall clock, target <= 0.3 s), on 90 days,
their ratio, the same ratio of CPU time (``time.process_time``: the script thread and AppTest's
together; target <= 1.5), and the database opens per warm rerun (one connection per rerun:
``whoop.ui.data.page_run``). :func:`figures` returns the wall-clock seconds and the CPU ratio as
rows for ``bench/run.py``.

Why the ratio is taken on CPU time: on a loaded machine a rerun's wall clock also counts the time
it waits for a core, and that wait grows faster than the run (AppTest's waiting thread polls
every millisecond, so a longer run hands the GIL back and forth more often, and each hand-over
may lose the core), so a wall-clock ratio measures the load as much as the page. CPU time counts
the work the page does for the longer history; the wall-clock ratio is printed beside it.

Usage: python -m bench.bench_pages [WARM_RERUNS] [--quick]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from streamlit.runtime.pages_manager import PagesManager

REPO = Path(__file__).resolve().parents[1]

#: page script stem -> title; "overview" is app.py's default page
PAGES = ["overview", "recovery", "hrv", "sleep", "strain", "trends", "journal", "explain", "data",
         "settings"]
#: the pages a quick run measures (the heaviest on long histories, and the default page)
QUICK_PAGES = ["overview", "strain", "trends", "sleep"]
HISTORIES = {"10y": 3650, "90d": 90}
RERUN_TARGET_S = 0.3
RATIO_TARGET = 1.5


def _quiet_env(tmp: Path) -> None:
    """The app with WHOOP unconfigured (no scheduler thread, no Connect link)."""
    for key in [k for k in os.environ if k.startswith("WHOOP_")]:
        del os.environ[key]
    os.environ["WHOOP_SECRETS_FILE"] = str(tmp / "no-secrets.toml")


_SHIMMED = False       # _apptest_shim has patched PagesManager in this process


def _apptest_shim() -> None:
    """AppTest re-enables the pages/ folder mode on every run (see tests/conftest.py app_test):
    keep ``st.navigation`` mode, as the real server does."""
    from streamlit.runtime.pages_manager import PagesManager

    global _SHIMMED
    if _SHIMMED:
        return
    original = PagesManager.__init__

    def init(self: PagesManager, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    # streamlit offers no hook for this: the benchmark replaces the constructor, as the tests do
    PagesManager.__init__ = init  # type: ignore[method-assign]
    _SHIMMED = True


@contextmanager
def _stores() -> Iterator[dict[str, Path]]:
    """A temporary DuckDB file per history length, each holding the demo athlete."""
    import logging

    logging.disable(logging.WARNING)        # AppTest's "no runtime" warnings
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        _quiet_env(tmp)
        from whoop.importer import load_demo
        from whoop.store import Store

        files = {}
        for label, n in HISTORIES.items():
            files[label] = tmp / f"{label}.duckdb"
            load_demo(Store(files[label]), days=n)
        _apptest_shim()
        yield files


class _App:
    """One AppTest of ``app.py`` on one database file, switched to one page."""

    def __init__(self, db: Path, page: str) -> None:
        from streamlit.testing.v1 import AppTest

        self.db = db
        self.at = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
        self.run()
        if page != "overview":
            self.at.switch_page(f"pages/{page}.py")
            self.run()

    def run(self) -> tuple[float, float, int]:
        """One rerun: (wall-clock seconds, CPU seconds of the process, database opens)."""
        from whoop.ui import data

        os.environ["WHOOP_DB"] = str(self.db)
        store = data.get_store()
        opens = store.opens
        t0, c0 = time.perf_counter(), time.process_time()
        self.at.run()
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        if self.at.exception or self.at.error:
            failed = [e.value for e in [*self.at.exception, *self.at.error]]
            raise SystemExit(f"{self.db.stem}: the page failed: {failed}")
        return elapsed, cpu, data.get_store().opens - opens


def measure(files: dict[str, Path], pages: list[str], warm: int) -> dict[str, dict]:
    """Per page: {"10y", "90d": median wall s; "cpu_10y", "cpu_90d": median CPU s; "ratio",
    "cpu_ratio": 10y/90d of each; "opens": per warm rerun on 10 years}."""
    out = {}
    for page in pages:
        apps = {label: _App(db, page) for label, db in files.items()}
        for app in apps.values():              # a second render: anything lazy is loaded
            app.run()
        wall: dict[str, list[float]] = {label: [] for label in apps}
        cpu: dict[str, list[float]] = {label: [] for label in apps}
        opens: list[int] = []
        for _ in range(warm):
            for label, app in apps.items():
                elapsed, used, n = app.run()
                wall[label].append(elapsed)
                cpu[label].append(used)
                if label == "10y":
                    opens.append(n)
        r = {label: statistics.median(t) for label, t in wall.items()}
        r |= {f"cpu_{label}": statistics.median(t) for label, t in cpu.items()}
        out[page] = {**r, "ratio": r["10y"] / r["90d"], "cpu_ratio": r["cpu_10y"] / r["cpu_90d"],
                     "opens": statistics.median(opens)}
    return out


def figures(quick: bool) -> list[dict]:
    """Rows for ``bench/run.py``: per page, the warm rerun on 10 years (s, target
    :data:`RERUN_TARGET_S`) and the 10y/90d ratio (target :data:`RATIO_TARGET`). ``quick``:
    :data:`QUICK_PAGES` with 5 reruns each (under a minute), else every page with 7."""
    pages, warm = (QUICK_PAGES, 5) if quick else (PAGES, 7)
    with _stores() as files:
        found = measure(files, pages, warm)
    rows = []
    for page, r in found.items():
        rows.append({"name": f"pages: {page} warm rerun, 10 years", "value": r["10y"],
                     "target": RERUN_TARGET_S, "unit": "s",
                     "baseline": "absolute", "note": f"{warm} reruns, median"})
        rows.append({"name": f"pages: {page} 10 years / 90 days (CPU)", "value": r["cpu_ratio"],
                     "target": RATIO_TARGET, "unit": "x", "baseline": "same page on 90 days",
                     "note": f"CPU {r['cpu_10y']:.3f} s / {r['cpu_90d']:.3f} s; wall clock "
                             f"{r['ratio']:.2f}x"})
    return rows


def main(warm: int = 7, quick: bool = False) -> None:
    pages = QUICK_PAGES if quick else PAGES
    with _stores() as files:
        found = measure(files, pages, warm)
    print(f"Warm rerun per page (AppTest, demo athlete, sidebar at the last 90 days, DuckDB "
          f"file), median of {warm} interleaved reruns")
    print(f"{'':10} {'wall clock':^30} {'CPU':^30}")
    print(f"{'page':10} {'10 years':>9} {'90 days':>9} {'10y/90d':>8}   {'10 years':>9} "
          f"{'90 days':>9} {'10y/90d':>8} {'opens':>6}")
    for page, r in found.items():
        ok = ("" if r["10y"] <= RERUN_TARGET_S and r["cpu_ratio"] <= RATIO_TARGET
              else "  (over target)")
        print(f"{page:10} {r['10y']:>7.3f} s {r['90d']:>7.3f} s {r['ratio']:>8.2f}   "
              f"{r['cpu_10y']:>7.3f} s {r['cpu_90d']:>7.3f} s {r['cpu_ratio']:>8.2f} "
              f"{r['opens']:>6.0f}{ok}")
    print(f"targets: warm rerun on 10 years (wall clock) <= {RERUN_TARGET_S} s; 10y/90d of CPU "
          f"time <= {RATIO_TARGET}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--quick"]
    main(int(args[0]) if args else 7, quick="--quick" in sys.argv[1:])
