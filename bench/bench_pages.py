"""Benchmark: database opens and warm rerun time of the Overview page, without and with the
unit of work per page rerun (``whoop.ui.data.page_run``: one connection per rerun, each data
version read once), in one run.

The demo athlete (``whoop.importer.load_demo``) in a temporary DuckDB file; the real ``app.py``
under Streamlit's AppTest. "before" replaces ``page_run`` with a no-op (every store call opens
the file, every cached loader reads its data version again); "after" is the app as shipped.
Warm reruns alternate between the two apps (same caches warm, same disk state), so drift hits
both alike. Prints opens per first render and per warm rerun, the median warm rerun time of
each, and the ratios.

Usage: python bench/bench_pages.py [WARM_RERUNS]
"""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _quiet_env(tmp: Path, db: Path) -> None:
    """The app on ``db`` with WHOOP unconfigured (no scheduler thread, no Connect link)."""
    for key in [k for k in os.environ if k.startswith("WHOOP_")]:
        del os.environ[key]
    os.environ["WHOOP_DB"] = str(db)
    os.environ["WHOOP_SECRETS_FILE"] = str(tmp / "no-secrets.toml")


def _apptest_shim() -> None:
    """AppTest re-enables the pages/ folder mode on every run (see tests/conftest.py app_test):
    keep ``st.navigation`` mode, as the real server does."""
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init


def main(warm: int = 9) -> None:
    import logging

    logging.disable(logging.WARNING)        # AppTest's "no runtime" warnings
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        db = tmp / "bench.duckdb"
        _quiet_env(tmp, db)
        from whoop.importer import load_demo
        from whoop.store import Store

        store = Store(db)
        result = load_demo(store)
        _apptest_shim()
        import streamlit as st
        from streamlit.testing.v1 import AppTest

        import whoop.ui.data as ui_data

        shipped = ui_data.page_run
        modes = {"before": contextlib.nullcontext, "after": shipped}

        def run(at, mode: str) -> tuple[int, float]:
            ui_data.page_run = modes[mode]
            opens = store.opens
            t0 = time.perf_counter()
            at.run()
            elapsed = time.perf_counter() - t0
            if at.exception or at.error:
                raise SystemExit(f"{mode}: the page failed: {[e.value for e in at.exception or at.error]}")
            return store.opens - opens, elapsed

        apps, first = {}, {}
        for mode in modes:
            st.cache_data.clear()           # a first render: nothing cached yet
            st.cache_resource.clear()
            apps[mode] = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
            first[mode] = run(apps[mode], mode)
        times: dict[str, list[float]] = {m: [] for m in modes}
        opens: dict[str, list[int]] = {m: [] for m in modes}
        for _ in range(warm):
            for mode in modes:
                n, elapsed = run(apps[mode], mode)
                opens[mode].append(n)
                times[mode].append(elapsed)
        ui_data.page_run = shipped

        print(f"Overview of the demo athlete ({result.summary()}), DuckDB file, AppTest, "
              f"{warm} warm reruns each")
        print(f"{'':8} {'opens first render':>19} {'opens warm rerun':>17} {'warm rerun median':>18}")
        for mode in modes:
            print(f"{mode:8} {first[mode][0]:>19} {statistics.median(opens[mode]):>17.0f} "
                  f"{statistics.median(times[mode]):>16.3f} s")
        before, after = (statistics.median(times[m]) for m in modes)
        print(f"opens per first render: {first['before'][0]} -> {first['after'][0]} "
              f"(ratio after/before {first['after'][0] / first['before'][0]:.3f}; target 1 open)")
        print(f"warm rerun time ratio after/before: {after / before:.3f} "
              f"({before:.3f} s -> {after:.3f} s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 9)
